//go:build unix

package store

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// A new store, its write-ahead log and its shared-memory file are readable and writable by
// their owner only (0600), whatever the umask and the folder's mode.
func TestNewStoreIsPrivate(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	dir := filepath.Join(t.TempDir(), "shared")
	if err := os.Mkdir(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o2777) // a group-shared folder
	path := filepath.Join(dir, "survey.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	by := Author{Device: "dev-a", Principal: "lan@example.org"}
	if _, err := s.Put(context.Background(), by, survey.Change{Target: tgt("0193a5b2-7c1e-7000-8000-000000000001", survey.KindInterview, ""),
		Value: survey.InterviewMeta{Questionnaire: "example", QuestionnaireVersion: "1"}}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if m := fi.Mode().Perm(); m != 0o600 {
			t.Errorf("%s: mode %v, want 0600", filepath.Base(p), m)
		}
	}
}
