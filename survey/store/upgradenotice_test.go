package store

import (
	"fmt"
	"path/filepath"
	"testing"
)

// The upgrade notice comes once, before an existing store is migrated, with the versions;
// never for a database being created, nor for one already up to date.
func TestUpgradeNotice(t *testing.T) {
	var got []string
	notice := WithUpgradeNotice(func(component string, from, to int) {
		got = append(got, fmt.Sprintf("%s %d→%d", component, from, to))
	})
	fresh := filepath.Join(t.TempDir(), "new.db")
	s, err := Open(fresh, notice)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if len(got) != 0 {
		t.Fatalf("a new database gave notices %v", got)
	}
	old := filepath.Join(t.TempDir(), "survey.db")
	copyFile(t, frozenV7, old)
	for range 2 {
		s, err := Open(old, notice)
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
	}
	own, err := storeMigrations()
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("%s 7→%d", Component, len(own))
	if len(got) != 1 || got[0] != want {
		t.Fatalf("notices %v; want [%s] (one, at the first open)", got, want)
	}
}
