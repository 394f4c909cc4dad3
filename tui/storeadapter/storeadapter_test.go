package storeadapter

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
	"github.com/fieldsurvey/fieldsurvey/tui/session"
)

// TestListLeavesOutWaitingInterviews: a supervisor's decision merged on a laptop before the
// interview it decides on does not reach the home screen's list (it has no questionnaire,
// respondent or assessor to show, and nothing to open).
func TestListLeavesOutWaitingInterviews(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(filepath.Join(t.TempDir(), "survey.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	const mine, theirs = "0193a5b2-7c1e-7000-8000-000000000001", "0193a5b2-7c1e-7000-8000-000000000002"
	if _, err := st.Put(ctx, store.Author{Device: "dev-a", Principal: "an@example.org"},
		survey.Change{Target: survey.Target{Interview: mine, Kind: survey.KindInterview}, Value: survey.InterviewMeta{Questionnaire: "example", QuestionnaireVersion: "1"}}); err != nil {
		t.Fatal(err)
	}
	decision, err := survey.NewRevision(survey.Target{Interview: theirs, Kind: survey.KindStatus},
		survey.StatusChange{Status: survey.StatusApproved}, "sup-1", 1, time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC), "lan@example.org", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Append(ctx, decision); err != nil {
		t.Fatal(err)
	}
	list, err := New(st).List(ctx, session.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].ID != mine {
		t.Errorf("home list: %+v, want only %s", list, mine)
	}
}
