package store

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"path/filepath"
	"testing"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// countingProgress counts the answers with a value as answered, of 10 questions (the
// "example" questionnaire only, whose content it names of), and how many interviews it was
// asked to count.
type countingProgress struct {
	calls int
	of    string
}

func (c *countingProgress) fn(qn, version string) *ProgressCounter {
	if qn != "example" || version != "1" {
		return nil
	}
	return &ProgressCounter{Of: c.of, Count: func(all survey.Answers) (int, int) {
		c.calls++
		n := 0
		for _, a := range all {
			if a.HasValue() {
				n++
			}
		}
		return n, 10
	}}
}

func progressByID(t *testing.T, ls []Listed) map[string]*Progress {
	t.Helper()
	out := map[string]*Progress{}
	for _, l := range ls {
		out[l.ID] = l.Progress
	}
	return out
}

const (
	ivA = "0193a5b2-7c1e-7000-8000-000000000001"
	ivB = "0193a5b2-7c1e-7000-8000-000000000002"
	ivC = "0193a5b2-7c1e-7000-8000-000000000003"
)

// TestListProgressCountsOnceUntilAWrite checks that ListProgress counts an interview's
// progress from its answers the first time, then takes it from the summary row until a
// write changes the interview, and that an unknown questionnaire has no progress.
func TestListProgressCountsOnceUntilAWrite(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	by := Author{Device: "dev1", Principal: "lan@example.org"}
	newInterview(t, s, by, ivA, "Sở A", "Huế")
	newInterview(t, s, by, ivB, "Sở B", "Huế")
	mustPut(t, s, by, survey.Change{Target: tgt(ivC, survey.KindInterview, ""),
		Value: survey.InterviewMeta{Questionnaire: "unknown", QuestionnaireVersion: "9", Assessor: "lan"}})

	var cp countingProgress
	ls, err := s.ListProgress(ctx, ListOptions{}, cp.fn)
	if err != nil {
		t.Fatal(err)
	}
	got := progressByID(t, ls)
	if len(ls) != 3 || got[ivA] == nil || *got[ivA] != (Progress{Answered: 1, Total: 10}) || got[ivC] != nil {
		t.Fatalf("first list: %d rows, progress %v %v %v", len(ls), got[ivA], got[ivB], got[ivC])
	}
	if cp.calls != 2 {
		t.Errorf("first list counted %d interviews, want 2 (the unknown questionnaire is not counted)", cp.calls)
	}

	cp.calls = 0
	ls, err = s.ListProgress(ctx, ListOptions{}, cp.fn)
	if err != nil {
		t.Fatal(err)
	}
	if got := progressByID(t, ls); cp.calls != 0 || *got[ivA] != (Progress{1, 10}) || *got[ivB] != (Progress{1, 10}) {
		t.Errorf("second list counted %d interviews (want 0), progress %v %v", cp.calls, got[ivA], got[ivB])
	}

	// A write to B makes its stored progress stale; A's stays.
	mustPut(t, s, by, answer(ivB, "1.3", survey.Answer{Rating: survey.Green}), answer(ivB, "1.4", survey.Answer{Rating: survey.Red}))
	cp.calls = 0
	ls, err = s.ListProgress(ctx, ListOptions{}, cp.fn)
	if err != nil {
		t.Fatal(err)
	}
	if got := progressByID(t, ls); cp.calls != 1 || *got[ivB] != (Progress{3, 10}) || *got[ivA] != (Progress{1, 10}) {
		t.Errorf("after a write to B: counted %d (want 1), progress A %v B %v", cp.calls, got[ivA], got[ivB])
	}
	// A questionnaire whose content changed (same id and version) is counted again.
	cp = countingProgress{of: "edited"}
	if _, err := s.ListProgress(ctx, ListOptions{}, cp.fn); err != nil || cp.calls != 2 {
		t.Errorf("after the questionnaire changed: counted %d (want 2), %v", cp.calls, err)
	}
	if err := s.Check(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestListProgressReadOnly checks that a read-only store lists with progress, counting
// each time (it cannot store it).
func TestListProgressReadOnly(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "survey.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	newInterview(t, s, Author{Device: "dev1", Principal: "lan"}, ivA, "Sở A", "Huế")
	s.Close()
	ro, err := Open(path, WithReadOnly())
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	for range 2 {
		var cp countingProgress
		ls, err := ro.ListProgress(ctx, ListOptions{}, cp.fn)
		if err != nil {
			t.Fatal(err)
		}
		if cp.calls != 1 || len(ls) != 1 || *ls[0].Progress != (Progress{1, 10}) {
			t.Errorf("read-only list: counted %d, %+v", cp.calls, ls)
		}
	}
}

// TestSummaryKeepsAssignment checks that the summary row carries a planned interview's
// assignee, due date and note through writes, and that migration 0003 fills them in for
// the interviews of a store made before it.
func TestSummaryKeepsAssignment(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "survey.db")
	s, err := Open(path, WithClock(fakeClock(t0, 1e9)))
	if err != nil {
		t.Fatal(err)
	}
	sup := Author{Device: "sup1", Principal: "sup@example.org"}
	planned := survey.InterviewMeta{Questionnaire: "example", QuestionnaireVersion: "1", Assessor: "sup",
		Assignee: "lan@example.org", Due: "2026-12-15", Note: "Gặp giám đốc"}
	mustPut(t, s, sup, survey.Change{Target: tgt(ivA, survey.KindInterview, ""), Value: planned})
	newInterview(t, s, sup, ivB, "Sở B", "Huế")
	byID := func() map[string]Summary {
		list, err := s.List(ctx, ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]Summary{}
		for _, sm := range list {
			m[sm.ID] = sm
		}
		return m
	}
	if a := byID()[ivA]; a.Assignee != "lan@example.org" || a.Due != "2026-12-15" || a.Note != "Gặp giám đốc" {
		t.Errorf("planned interview: %+v", a)
	}
	planned.Assignee, planned.Note = "an@example.org", ""
	mustPut(t, s, sup, survey.Change{Target: tgt(ivA, survey.KindInterview, ""), Value: planned})
	if a := byID()[ivA]; a.Assignee != "an@example.org" || a.Note != "" || a.Due != "2026-12-15" {
		t.Errorf("reassigned interview: %+v", a)
	}
	if b := byID()[ivB]; b.Assignee != "" {
		t.Errorf("unplanned interview has an assignee: %+v", b)
	}
	if err := s.Check(ctx); err != nil {
		t.Fatal(err)
	}
	s.Close()

	// Make it a store of the schema before 0003, migrate it with 0003, then open it again.
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"assignee", "due", "note", "progress_answered", "progress_total", "progress_at", "progress_of"} {
		if _, err := db.Exec("ALTER TABLE interviews DROP COLUMN " + q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Exec("DROP INDEX interviews_list; CREATE INDEX interviews_record ON interviews (record, updated)"); err != nil {
		t.Fatal(err)
	}
	// Later migrations (0004) are applied already, so the runner would not run 0003 again:
	// run its SQL as the runner would have, on the store as it was before it.
	sql3, err := migrationFS.ReadFile("migrations/0003_list.sql")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(string(sql3)); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if a := byID()[ivA]; a.Assignee != "an@example.org" || a.Note != "" || a.Due != "2026-12-15" {
		t.Errorf("after migration 0003: %+v", a)
	}
	if err := s.Check(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestListPagesAndCounts checks that pages (Limit, Offset) of List are the slices of the
// whole list, with and without a Filter, and that CountByStatus counts what List returns.
func TestListPagesAndCounts(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	by := Author{Device: "dev1", Principal: "lan"}
	for i := range 23 {
		id := fmt.Sprintf("0193a5b2-7c1e-7000-8000-%012d", i)
		newInterview(t, s, by, id, fmt.Sprintf("Sở %d", i), []string{"Huế", "Đà Nẵng"}[i%2])
		if i%3 == 0 {
			mustPut(t, s, by, survey.Change{Target: tgt(id, survey.KindStatus, ""), Value: survey.StatusChange{Status: survey.StatusCompleted}})
		}
	}
	for _, o := range []ListOptions{{}, {Filter: survey.Filter{Provinces: []string{"da nang"}}}, {Search: "hue"}} {
		all, err := s.List(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		var paged []Summary
		for off := 0; off < len(all)+5; off += 5 {
			p := o
			p.Offset, p.Limit = off, 5
			page, err := s.List(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			paged = append(paged, page...)
		}
		if len(paged) != len(all) {
			t.Fatalf("%+v: pages hold %d, the list %d", o, len(paged), len(all))
		}
		for i := range all {
			if paged[i].ID != all[i].ID {
				t.Fatalf("%+v: row %d is %s in pages, %s in the list", o, i, paged[i].ID, all[i].ID)
			}
		}
		counts, err := s.CountByStatus(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		want := map[survey.Status]int{}
		for _, sm := range all {
			want[sm.Status]++
		}
		if !maps.Equal(counts, want) {
			t.Errorf("%+v: counts %v, want %v", o, counts, want)
		}
	}
}
