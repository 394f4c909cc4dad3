package store

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// runs returns the runs of counters held by revisions in batches, "device lo-hi" each.
func runs(t *testing.T, s *Store) []string {
	t.Helper()
	rows, err := s.r.Query("SELECT device, lo, hi FROM revision_counters ORDER BY device, lo")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var d string
		var lo, hi int64
		if err := rows.Scan(&d, &lo, &hi); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s %d-%d", d, lo, hi))
	}
	return out
}

// The counters of a device's revisions in batches are kept as runs (migration 0007): they
// give the device's counter and find a counter used twice, whatever order the batches
// arrive in, and they follow revisions that leave the pending ones for a batch.
func TestCounterRuns(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	const iv = "0193a5b2-7c1e-7000-8000-000000000007"
	rev := func(dev string, counter uint64, key string) survey.Revision {
		t.Helper()
		r, err := survey.NewRevision(tgt(iv, survey.KindAnswer, key), survey.Answer{Rating: survey.Green}, dev, counter, t0, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	appendBatch := func(id string, revs ...survey.Revision) AppendResult {
		t.Helper()
		v, err := Verify(revs...)
		if err != nil {
			t.Fatal(err)
		}
		var res AppendResult
		if err := s.Update(ctx, func(tx *Tx) error { res, err = tx.AppendBatch(id, v); return err }); err != nil {
			t.Fatal(err)
		}
		return res
	}
	want := func(step string, w ...string) {
		t.Helper()
		if got := runs(t, s); strings.Join(got, ", ") != strings.Join(w, ", ") {
			t.Errorf("%s: runs %q, want %q", step, got, w)
		}
		if err := s.Check(ctx); err != nil {
			t.Errorf("%s: %v", step, err)
		}
	}
	appendBatch("b1", rev("dev-r", 1, "1"), rev("dev-r", 2, "2"), rev("dev-r", 3, "3"))
	want("in order", "dev-r 1-3")
	appendBatch("b3", rev("dev-r", 8, "8"), rev("dev-r", 7, "7"))
	want("a gap", "dev-r 1-3", "dev-r 7-8")
	res := appendBatch("b2", rev("dev-r", 5, "5"), rev("dev-r", 4, "4"), rev("dev-r", 6, "6"))
	want("the gap filled", "dev-r 1-8")
	if len(res.Reused) != 0 {
		t.Errorf("counters filling a gap reported reused: %v", res.Reused)
	}
	// A counter inside a run, for another revision: reused, kept, runs unchanged.
	clash := rev("dev-r", 5, "5b")
	if res := appendBatch("b4", clash, rev("dev-r", 10, "10")); len(res.Reused) != 1 || res.Reused[0] != clash.ID {
		t.Errorf("counter 5 again: reused %v, want %s", res.Reused, clash.ID)
	}
	want("a counter again", "dev-r 1-8", "dev-r 10-10")

	// A device's own revisions: pending, then batched (MarkBatched), then its next Put
	// continues after them.
	by := Author{Device: "dev-l", Principal: "lan@example.org"}
	mine := mustPut(t, s, by, answer(iv, "20", survey.Answer{Rating: survey.Red}), answer(iv, "21", survey.Answer{Rating: survey.Red}))
	want("pending", "dev-r 1-8", "dev-r 10-10")
	if err := s.Update(ctx, func(tx *Tx) error { return tx.MarkBatched("b-l1", []string{mine[0].ID, mine[1].ID}) }); err != nil {
		t.Fatal(err)
	}
	want("marked", "dev-l 1-2", "dev-r 1-8", "dev-r 10-10")
	next := mustPut(t, s, by, answer(iv, "22", survey.Answer{Rating: survey.Red}))
	if next[0].Counter != 3 {
		t.Errorf("Put after its revisions were batched took counter %d, want 3", next[0].Counter)
	}
	// The same revision received again with a batch while still pending joins the runs.
	v, err := Verify(next[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx, func(tx *Tx) error { _, err := tx.AppendBatch("b-l2", v); return err }); err != nil {
		t.Fatal(err)
	}
	want("received again", "dev-l 1-3", "dev-r 1-8", "dev-r 10-10")

	// Check notices runs that the rows do not give.
	writerExec(t, s, "UPDATE revision_counters SET hi = 9 WHERE device = 'dev-r' AND lo = 1")
	if err := s.Check(ctx); err == nil || !strings.Contains(err.Error(), "runs of device counters") {
		t.Errorf("Check of a wrong run: %v", err)
	}
}
