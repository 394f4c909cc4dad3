package server_test

import (
	"strings"
	"testing"

	"github.com/fieldsurvey/fieldsurvey/sync/server"
)

// TestRedactHidesEveryPassword: what messages show of a database URL never holds its
// password, however it is written.
func TestRedactHidesEveryPassword(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"postgres://fs:S3cretPw@db.example.org:5432/fieldsurvey", "postgres://fs:xxxxx@db.example.org:5432/fieldsurvey"},
		{"postgres://fs:S3cret%40Pw@db.example.org/fieldsurvey?sslmode=disable", "postgres://fs:xxxxx@db.example.org/fieldsurvey?sslmode=disable"},
		{"postgresql://fs@db.example.org/fieldsurvey?password=S3cretPw&sslmode=require", "postgresql://fs@db.example.org/fieldsurvey?password=xxxxx&sslmode=require"},
		{"postgres://fs:S3cret@Pw@db.example.org/fieldsurvey", "postgres://fs:xxxxx@db.example.org/fieldsurvey"},
		{"postgres://fs:S3cret@db.example.org/%zz?password=S3cretPw", "postgres://xxxxx@db.example.org/%zz?password=xxxxx"},
		{"postgres://fs@db.example.org/fieldsurvey", "postgres://fs@db.example.org/fieldsurvey"},
		{"/srv/fieldsurvey", "/srv/fieldsurvey"},
	} {
		got := server.Redact(c.in)
		if got != c.want || strings.Contains(got, "S3cret") {
			t.Errorf("Redact(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
