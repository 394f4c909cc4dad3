package main

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
	"github.com/fieldsurvey/fieldsurvey/sync/hub"
)

// TestOldHomeStoreGainsHubTables: a home database made by the first schema (the frozen
// survey/store/testdata/v1.db), opened by a command after homes became hubs, gains the
// hub's tables and keeps every revision and interview; the interview it holds without its
// creation is noted, not listed.
func TestOldHomeStoreGainsHubTables(t *testing.T) {
	ctx := context.Background()
	home, ref := t.TempDir(), filepath.Join(t.TempDir(), "ref.db")
	copyTestFile(t, filepath.Join("..", "..", "survey", "store", "testdata", "v1.db"), filepath.Join(home, storeFileName))
	copyTestFile(t, filepath.Join("..", "..", "survey", "store", "testdata", "v1.db"), ref)

	out, errOut, code := runCLI(t, ctx, "--home", home, "--lang", "en", "interview", "list", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var list []interviewInfo
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, in := range list {
		ids = append(ids, in.ID)
	}
	slices.Sort(ids)
	if want := []string{"0193a1b2-0000-7000-8000-000000000001", "0193a1b2-0000-7000-8000-000000000002"}; !slices.Equal(ids, want) {
		t.Errorf("listed %v, want %v", ids, want)
	}
	if !strings.Contains(errOut, "1 interview is not listed") || !strings.Contains(errOut, "0193a1b2-0000-7000-8000-000000000003") {
		t.Errorf("no note of the interview held without its creation:\n%s", errOut)
	}

	revisions := func(st *store.Store) []string {
		var out []string
		if err := st.AllRevisions(ctx, func(r survey.Revision) error { out = append(out, r.ID); return nil }); err != nil {
			t.Fatal(err)
		}
		slices.Sort(out)
		return out
	}
	old, err := store.Open(ref)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	h, err := hub.Open(filepath.Join(home, storeFileName))
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if a, b := revisions(old), revisions(h.Store()); !slices.Equal(a, b) || len(a) != 14 {
		t.Errorf("revisions: %d before, %d after (want 14, the same)", len(a), len(b))
	}
	all, err := h.Store().List(ctx, store.ListOptions{})
	if err != nil || len(all) != 3 {
		t.Errorf("interviews: %d, %v (want 3)", len(all), err)
	}
	if err := h.Store().Check(ctx); err != nil {
		t.Error(err)
	}
	var hubVersion int
	if err := h.Store().View(ctx, func(tx *store.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT max(version) FROM schema_migrations WHERE component = ?", hub.Component).Scan(&hubVersion)
	}); err != nil || hubVersion != len(hub.Migrations) {
		t.Errorf("hub schema version %d, %v; want %d", hubVersion, err, len(hub.Migrations))
	}
	if devs, err := h.Devices(ctx); err != nil || len(devs) != 0 {
		t.Errorf("devices: %v %v", devs, err)
	}
	if p, _ := h.Store().Pending(ctx); len(p) != 14 {
		t.Errorf("%d pending, want the 14 the old home had not sent", len(p))
	}
}

func copyTestFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}
