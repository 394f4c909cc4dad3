package store

import (
	"context"
	"testing"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// TestPutFromBase (issue 11.1): a change made from the heads a screen showed (Change.Base)
// replaces those only. A head that arrived meanwhile (another window, a sync) stays beside
// it as a conflict, never replaced unseen; a change made from every head settles them.
func TestPutFromBase(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	const iv = "0193a5b2-7c1e-7000-8000-0000000000b1"
	by := Author{Device: "dev-a", Principal: "an"}
	tg := survey.Target{Interview: iv, Kind: survey.KindAnswer, Key: "1.1"}
	put := func(v string, base []string) survey.Revision {
		t.Helper()
		revs, err := s.Put(ctx, by, survey.Change{Target: tg, Value: survey.Answer{Comment: v}, Base: base})
		if err != nil {
			t.Fatal(err)
		}
		if len(revs) != 1 {
			t.Fatalf("%q: %d revisions written", v, len(revs))
		}
		return revs[0]
	}
	heads := func() []survey.Revision {
		t.Helper()
		var hs []survey.Revision
		if err := s.View(ctx, func(tx *Tx) error {
			var err error
			hs, err = tx.Heads(tg)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return hs
	}
	r1 := put("window A saw nothing", []string{})
	r2 := put("window A typed more", []string{r1.ID})
	// Window B opened before r2 and saves from r1: r2 is not replaced.
	r3 := put("window B's stale copy", []string{r1.ID})
	if hs := heads(); len(hs) != 2 || !survey.Disagree(hs) {
		t.Fatalf("after a save from a stale base: %d heads, want 2 in conflict", len(hs))
	}
	st, err := s.Interview(ctx, iv)
	if err != nil || len(st.Conflicts) != 1 {
		t.Fatalf("conflicts %v %v", st, err)
	}
	// A change made from both settles.
	put("both read, one answer", []string{r2.ID, r3.ID})
	if hs := heads(); len(hs) != 1 {
		t.Fatalf("after settling: %d heads", len(hs))
	}
	// An empty base (the screen saw no answer) on a target that got one meanwhile: both stay.
	tg2 := survey.Target{Interview: iv, Kind: survey.KindAnswer, Key: "1.2"}
	if _, err := s.Put(ctx, by, survey.Change{Target: tg2, Value: survey.Answer{Rating: survey.Red}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(ctx, by, survey.Change{Target: tg2, Value: survey.Answer{Rating: survey.Green}, Base: []string{}}); err != nil {
		t.Fatal(err)
	}
	st, _ = s.Interview(ctx, iv)
	if len(st.Conflicts) != 1 || st.Conflicts[0].Target != tg2 {
		t.Fatalf("a save from an empty base over an answer that arrived: conflicts %+v", st.Conflicts)
	}
	// Without a base, a change replaces whatever the heads are (as before).
	if _, err := s.Put(ctx, by, survey.Change{Target: tg2, Value: survey.Answer{Rating: survey.Amber}}); err != nil {
		t.Fatal(err)
	}
	if st, _ = s.Interview(ctx, iv); len(st.Conflicts) != 0 {
		t.Fatalf("conflicts after a change without base: %+v", st.Conflicts)
	}
}
