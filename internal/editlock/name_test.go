package editlock

import (
	"regexp"
	"strings"
	"testing"
)

// safeName accepts what the regular expression it replaced accepted, and nothing else.
func TestSafeNameAsTheExpression(t *testing.T) {
	re := regexp.MustCompile(`^[A-Za-z0-9._-]{1,128}$`)
	for _, id := range []string{"", "a", "0193a5b2-7c1e-7000-8000-000000000001", "a.b_c-D9", ".", "..", "../x", "a/b",
		"a b", "é", "a\x00", strings.Repeat("x", 128), strings.Repeat("x", 129), "x\n", "\u0130"} {
		if got, want := safeName(id), re.MatchString(id); got != want {
			t.Errorf("safeName(%q) = %v, the expression says %v", id, got, want)
		}
	}
}
