package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// TestCreatedSurvivesNewerMeta: a reassignment, an upgrade or a settlement writes a newer
// revision of the interview's creation target; the interview's creation time must not move
// with it — not in the store's summary, not in its folded state, not in survey.Fold — and a
// store that receives the creation after the revision replacing it agrees.
func TestCreatedSurvivesNewerMeta(t *testing.T) {
	ctx := context.Background()
	a := Author{Device: "dev1", Principal: "an@example.org"}
	s, err := Open(filepath.Join(t.TempDir(), "a.db"), WithClock(fakeClock(t0, time.Minute)))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const iv = "0193a5b2-7c1e-7000-8000-0000000000cc"
	first := newInterview(t, s, a, iv, "Sở A", "Huế")
	created := first[0].Time
	meta := survey.InterviewMeta{Questionnaire: "example", QuestionnaireVersion: "2", Assessor: "an", Assignee: "lan@example.org"}
	mustPut(t, s, a, survey.Change{Target: tgt(iv, survey.KindInterview, ""), Value: meta})

	st, err := s.Interview(ctx, iv)
	if err != nil {
		t.Fatal(err)
	}
	if !st.Created.Equal(created) {
		t.Errorf("folded state: created %v, want %v (the first revision)", st.Created, created)
	}
	list, err := s.List(ctx, ListOptions{})
	if err != nil || len(list) != 1 {
		t.Fatal(list, err)
	}
	if !list[0].Created.Equal(created) {
		t.Errorf("summary: created %v, want %v", list[0].Created, created)
	}
	revs, err := s.Revisions(ctx, iv)
	if err != nil {
		t.Fatal(err)
	}
	folds, err := survey.Fold(revs)
	if err != nil {
		t.Fatal(err)
	}
	if folded := folds[iv]; folded == nil || !folded.Created.Equal(created) {
		t.Errorf("survey.Fold: %+v, want created %v", folded, created)
	}

	// Another copy receives the newer meta first, then the creation it replaces.
	b, err := Open(filepath.Join(t.TempDir(), "b.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for i := len(revs) - 1; i >= 0; i-- {
		if _, err := b.Append(ctx, revs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Check(ctx); err != nil {
		t.Fatal(err)
	}
	stb, err := b.Interview(ctx, iv)
	if err != nil {
		t.Fatal(err)
	}
	if !stb.Created.Equal(created) {
		t.Errorf("copy that got the creation last: created %v, want %v", stb.Created, created)
	}
}
