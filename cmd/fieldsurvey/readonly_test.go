//go:build unix

package main

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/fieldsurvey/fieldsurvey/sync/client"
)

// treeSums records every file and folder under dir with its content's hash and mode.
func treeSums(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		fi, _ := d.Info()
		v := fi.Mode().String()
		if !d.IsDir() {
			b, _ := os.ReadFile(p)
			v += fmt.Sprintf(" %x", sha256.Sum256(b))
		}
		out[p] = v
		return nil
	})
	return out
}

// makeReadOnly removes the write permissions of every file and folder under dir (restored
// when the test ends). Read-only is decided from these bits, so the test means the same
// when run as root.
func makeReadOnly(t *testing.T, dir string) {
	t.Helper()
	var paths []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		paths = append(paths, p)
		return err
	})
	for i := len(paths) - 1; i >= 0; i-- {
		fi, _ := os.Stat(paths[i])
		os.Chmod(paths[i], fi.Mode().Perm()&^0o222)
	}
	t.Cleanup(func() {
		for _, p := range paths {
			if fi, err := os.Stat(p); err == nil {
				os.Chmod(p, fi.Mode().Perm()|0o200)
			}
		}
	})
}

// Reading commands work on a read-only home; commands that write say that the store is
// read-only and what to do, and nothing in the home changes.
func TestReadOnlyHome(t *testing.T) {
	home := batchHome(t)
	id := "0193a5b2-7c1e-7000-8000-000000000001"
	importInterviews(t, home, interviewLine(id, "red"))
	mustRun(t, "--home", home, "batch", "create")
	importInterviews(t, home, interviewLine(id, "green"))
	f := filepath.Join(t.TempDir(), "more.jsonl")
	os.WriteFile(f, []byte(interviewLine("0193a5b2-7c1e-7000-8000-000000000002", "red")), 0o600)
	makeReadOnly(t, home)
	before := treeSums(t, home)

	for _, args := range [][]string{
		{"interview", "list"},
		{"interview", "show", id},
		{"interview", "export"},
		{"report"},
		{"conflicts"},
		{"questionnaire", "list"},
		{"batch", "inspect", filepath.Join(home, client.OutboxDir)},
	} {
		out, errOut := mustRun(t, append([]string{"--home", home}, args...)...)
		if strings.TrimSpace(out+errOut) == "" || strings.Contains(errOut, "warning") {
			t.Errorf("%s printed nothing:\n%s", strings.Join(args, " "), errOut)
		}
	}
	_, errOut, code := runCLI(t, context.Background(), "--lang", "en", "--home", home, "collect", "--accessible")
	if code == 0 || !strings.Contains(errOut, "the interview screen cannot start: the database "+filepath.Join(home, storeFileName)+" is read-only (the file is read-only)") ||
		!strings.Contains(errOut, "hint: make the home folder and its files writable") {
		t.Errorf("collect: exit %d\n%s", code, errOut)
	}
	for _, args := range [][]string{
		{"interview", "import", f},
		{"batch", "create"},
	} {
		_, errOut, code := runCLI(t, context.Background(), append([]string{"--lang", "en", "--home", home}, args...)...)
		if code == 0 || !strings.Contains(errOut, "this database is read-only (the file is read-only)") || !strings.Contains(errOut, "chmod u+w") {
			t.Errorf("%s: exit %d\n%s", strings.Join(args, " "), code, errOut)
		}
	}
	if after := treeSums(t, home); !reflect.DeepEqual(before, after) {
		t.Errorf("the read-only home changed")
		for p, v := range after {
			if before[p] != v {
				t.Logf("changed: %s", p)
			}
		}
		for p := range before {
			if _, ok := after[p]; !ok {
				t.Logf("removed: %s", p)
			}
		}
	}
}

// The same for a supervisor's hub store given with --db or --into.
func TestReadOnlyHub(t *testing.T) {
	home := batchHome(t)
	importInterviews(t, home, interviewLine("0193a5b2-7c1e-7000-8000-000000000001", "red"))
	out, _ := mustRun(t, "--home", home, "batch", "create")
	first := strings.TrimSpace(out)
	importInterviews(t, home, interviewLine("0193a5b2-7c1e-7000-8000-000000000002", "red"))
	out, _ = mustRun(t, "--home", home, "batch", "create")
	second := strings.TrimSpace(out)
	line, _ := mustRun(t, "--home", home, "identity")
	dir := t.TempDir()
	allowed := filepath.Join(dir, "allowed_signers")
	os.WriteFile(allowed, []byte(line), 0o600)
	hubDir := filepath.Join(dir, "hub")
	os.Mkdir(hubDir, 0o700)
	hub := filepath.Join(hubDir, "hub.db")
	mustRun(t, "--home", home, "merge", "--into", hub, "--allowed-signers", allowed, first)
	makeReadOnly(t, hubDir)
	before := treeSums(t, hubDir)
	out, _ = mustRun(t, "--home", home, "--db", hub, "interview", "list")
	if !strings.Contains(out, "0193a5b2") {
		t.Errorf("interview list --db: %s", out)
	}
	_, errOut, code := runCLI(t, context.Background(), "--lang", "en", "--home", home, "merge", "--into", hub, "--allowed-signers", allowed, second)
	if code == 0 || !strings.Contains(errOut, "read-only") || !strings.Contains(errOut, "chmod u+w") {
		t.Errorf("merge into a read-only hub: exit %d\n%s", code, errOut)
	}
	if after := treeSums(t, hubDir); !reflect.DeepEqual(before, after) {
		t.Error("the read-only hub changed")
	}
}
