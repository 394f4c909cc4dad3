//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// The files that hold interviews and keys are readable by their owner only, whatever the
// umask: the store (and its log), the device key, the outbox batches and their copy.
func TestPrivateFiles(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	home := batchHome(t)
	importInterviews(t, home, interviewLine("0193a5b2-7c1e-7000-8000-000000000001", "red"))
	stick := t.TempDir()
	out, _ := mustRun(t, "--home", home, "batch", "create", "--out", stick)
	files := strings.Fields(out)
	keys, _ := filepath.Glob(filepath.Join(home, "*ed25519"))
	files = append(files, filepath.Join(home, storeFileName))
	files = append(files, keys...)
	if len(files) != 4 {
		t.Fatalf("files: %v", files)
	}
	t.Logf("%v", files)
	for _, p := range files {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if m := fi.Mode().Perm(); m != 0o600 {
			t.Errorf("%s: mode %v, want 0600", p, m)
		}
	}
}
