package store

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// Put refuses a change no receiver would take (over survey.MaxValueSize once encoded), and
// writes nothing of the call.
func TestPutRefusesOversize(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	by := Author{Device: "dev-a", Principal: "lan@example.org"}
	id := "0193a5b2-7c1e-7000-8000-000000000001"
	_, err := s.Put(ctx, by,
		survey.Change{Target: tgt(id, survey.KindInterview, ""), Value: survey.InterviewMeta{Questionnaire: "example", QuestionnaireVersion: "1"}},
		survey.Change{Target: tgt(id, survey.KindAnswer, "1.1"), Value: survey.Answer{Comment: strings.Repeat("Có kế hoạch. ", 100000)}})
	var se *survey.SizeError
	if !errors.Is(err, survey.ErrTooLarge) || !errors.As(err, &se) || se.Target.Key != "1.1" || se.Size <= survey.MaxValueSize {
		t.Fatalf("err = %v", err)
	}
	if revs, err := s.Pending(ctx); err != nil || len(revs) != 0 {
		t.Fatalf("pending after a refused Put: %d %v", len(revs), err)
	}
}
