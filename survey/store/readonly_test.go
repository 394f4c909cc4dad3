//go:build unix

package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// readOnlyHome makes a store with one interview, closes it and applies how: the file, the
// folder or both made read-only (restored when the test ends). Read-only is decided from
// the permission bits, so these tests mean the same when run as root, for whom writing
// would succeed anyway.
func readOnlyHome(t *testing.T, fileMode, dirMode os.FileMode) (string, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "home")
	path := filepath.Join(dir, "survey.db")
	s, err := Open(path, WithMigrations("hub", hubMigrations))
	if err != nil {
		t.Fatal(err)
	}
	newInterview(t, s, Author{Device: "dev-a", Principal: "lan@example.org"}, "0193a5b2-7c1e-7000-8000-000000000001", "Sở Tài chính", "Huế")
	s.Close()
	os.Chmod(path, fileMode)
	os.Chmod(dir, dirMode)
	t.Cleanup(func() { os.Chmod(dir, 0o700); os.Chmod(path, 0o600) })
	return dir, path
}

func TestReadOnlyStore(t *testing.T) {
	ctx := context.Background()
	for name, c := range map[string]struct {
		file, dir os.FileMode
		why       string
	}{
		"file":        {0o444, 0o700, "the file is read-only"},
		"folder":      {0o600, 0o500, "its folder is read-only"},
		"both":        {0o444, 0o555, "the file is read-only"},
		"owner reads": {0o400, 0o700, "the file is read-only"},
		"no -shm too": {0o444, 0o555, "the file is read-only"}, // below: -shm cannot be made
	} {
		t.Run(name, func(t *testing.T) {
			dir, path := readOnlyHome(t, c.file, c.dir)
			if name == "no -shm too" {
				// Even root cannot create the shared-memory file where a folder is.
				os.Chmod(dir, 0o700)
				os.Mkdir(path+"-shm", 0o700)
				os.Chmod(dir, c.dir)
			}
			before := snapshot(t, dir)
			s, err := Open(path, WithMigrations("hub", hubMigrations))
			if err != nil {
				t.Fatalf("a read-only store cannot be opened: %v", err)
			}
			defer s.Close()
			if why := s.ReadOnly(); why != c.why {
				t.Errorf("ReadOnly() = %q, want %q", why, c.why)
			}
			list, err := s.List(ctx, ListOptions{})
			if err != nil || len(list) != 1 || list[0].Agency != "Sở Tài chính" {
				t.Fatalf("List: %v %v", list, err)
			}
			if st, err := s.Interview(ctx, list[0].ID); err != nil || st.Answers["1.1"].Rating != survey.Amber {
				t.Fatalf("Interview: %v", err)
			}
			_, err = s.Put(ctx, Author{Device: "dev-a"}, survey.Change{Target: tgt(list[0].ID, survey.KindAnswer, "1.1"), Value: survey.Answer{Rating: survey.Red}})
			var fe *FileError
			if !errors.Is(err, ErrReadOnlyDatabase) || !errors.As(err, &fe) {
				t.Fatalf("Put: %v", err)
			}
			for _, l := range []string{survey.LangEN, survey.LangVI} {
				msg := fe.Text().Get(l)
				if !strings.Contains(msg, path) || !strings.Contains(msg, c.why) && l == survey.LangEN || !strings.Contains(msg, "chmod u+w") {
					t.Errorf("%s: %q: want the file, why, and what to do", l, msg)
				}
			}
			if err := s.SetMeta(ctx, "k", "v"); !errors.Is(err, ErrReadOnlyDatabase) {
				t.Errorf("SetMeta: %v", err)
			}
			s.Close()
			if after := snapshot(t, dir); !reflect.DeepEqual(before, after) {
				t.Errorf("the folder changed:\nbefore %v\nafter  %v", before, after)
			}
		})
	}
}

// A read-only store whose schema is older than this program is not upgraded: the message
// says why it cannot be opened and what to do.
func TestReadOnlyStoreNeedsUpgrade(t *testing.T) {
	_, path := readOnlyHome(t, 0o444, 0o555)
	more := append(hubMigrations, Migration{Version: 3, Name: "more", SQL: "CREATE TABLE more (x INTEGER)"})
	_, err := Open(path, WithMigrations("hub", more))
	if !errors.Is(err, ErrReadOnlyDatabase) || !strings.Contains(err.Error(), "upgrade") || !strings.Contains(err.Error(), "chmod u+w") {
		t.Fatalf("err = %v", err)
	}
	// A component it does not hold at all is not needed to read the rest.
	s, err := Open(path, WithMigrations("hub", hubMigrations), WithMigrations("other", []Migration{{Version: 1, Name: "x", SQL: "CREATE TABLE x (y INTEGER)"}}))
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
}

// WithReadOnly opens a writable store for reading only.
func TestWithReadOnly(t *testing.T) {
	_, path := readOnlyHome(t, 0o600, 0o700)
	before, _ := os.ReadFile(path)
	s, err := Open(path, WithReadOnly())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.ReadOnly() == "" {
		t.Error("not read-only")
	}
	if err := s.SetMeta(context.Background(), "k", "v"); !errors.Is(err, ErrReadOnlyDatabase) {
		t.Errorf("SetMeta: %v", err)
	}
	s.Close()
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Errorf("the database changed")
	}
}

// A read-only store whose last changes are still in its write-ahead log (the program that
// wrote them was stopped before it checkpointed) is read with them.
func TestReadOnlyStoreReadsItsLog(t *testing.T) {
	src := filepath.Join(t.TempDir(), "survey.db")
	s, err := Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	newInterview(t, s, Author{Device: "dev-a"}, "0193a5b2-7c1e-7000-8000-000000000001", "Sở Tài chính", "Huế")
	dir := filepath.Join(t.TempDir(), "copy")
	os.Mkdir(dir, 0o700)
	path := filepath.Join(dir, "survey.db")
	for _, ext := range []string{"", "-wal"} {
		data, err := os.ReadFile(src + ext)
		if err != nil {
			t.Fatal(err)
		}
		if ext == "-wal" && len(data) == 0 {
			t.Fatal("the log is empty: nothing to test")
		}
		os.WriteFile(path+ext, data, 0o600)
	}
	os.Chmod(path, 0o444)
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if list, err := r.List(context.Background(), ListOptions{}); err != nil || len(list) != 1 {
		t.Fatalf("the changes in the log were not read: %v %v", list, err)
	}
}
