package store

import (
	"context"
	"testing"
	"time"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// TestListWaiting: an interview held without its creation (a supervisor's decision merged
// on a laptop before the interview itself) is left out of ListOptions.Created lists and is
// what ListOptions.Waiting lists; once its creation arrives it is listed like any other.
func TestListWaiting(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	by := Author{Device: "dev-a", Principal: "an@example.org"}
	const held, waiting = "0193a5b2-7c1e-7000-8000-000000000001", "0193a5b2-7c1e-7000-8000-000000000002"
	newInterview(t, s, by, held, "Sở Tài chính", "Đà Nẵng")
	// The interview on another laptop, and the supervisor's decision on it.
	other := &otherDevice{name: "dev-b", now: t0}
	creation := other.rev(t, tgt(waiting, survey.KindInterview, ""), survey.InterviewMeta{Questionnaire: "example", QuestionnaireVersion: "1", Assessor: "binh@example.org", Device: "dev-b"})
	completed := other.rev(t, tgt(waiting, survey.KindStatus, ""), survey.StatusChange{Status: survey.StatusCompleted})
	sup := &otherDevice{name: "sup-1", now: t0.Add(time.Hour)}
	returned := sup.rev(t, tgt(waiting, survey.KindStatus, ""), survey.StatusChange{Status: survey.StatusReturned, Reason: "thiếu bằng chứng"}, completed)
	if _, err := s.Append(ctx, returned); err != nil {
		t.Fatal(err)
	}
	ids := func(o ListOptions) []string {
		t.Helper()
		list, err := s.List(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, sm := range list {
			out = append(out, sm.ID)
		}
		return out
	}
	if got := ids(ListOptions{Created: true}); len(got) != 1 || got[0] != held {
		t.Errorf("created: %v, want only %s", got, held)
	}
	if got := ids(ListOptions{Waiting: true}); len(got) != 1 || got[0] != waiting {
		t.Errorf("waiting: %v, want only %s", got, waiting)
	}
	if got := ids(ListOptions{}); len(got) != 2 {
		t.Errorf("all: %v, want both", got)
	}
	// The decision is kept and takes effect when the interview arrives.
	if _, err := s.Append(ctx, creation, completed); err != nil {
		t.Fatal(err)
	}
	if got := ids(ListOptions{Waiting: true}); len(got) != 0 {
		t.Errorf("still waiting after the creation arrived: %v", got)
	}
	if got := ids(ListOptions{Created: true, Status: survey.StatusReturned}); len(got) != 1 || got[0] != waiting {
		t.Errorf("returned and created: %v, want %s", got, waiting)
	}
	if err := s.Check(ctx); err != nil {
		t.Fatal(err)
	}
}
