package batch

import (
	"reflect"
	"testing"
	"time"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// A batch that carries an assessment lists the assessment's questionnaire in its manifest
// (so a hub that lacks it refuses the batch, as for an interview) and verifies.
func TestAssessmentBatchListsItsQuestionnaire(t *testing.T) {
	id := "0193a5b2-7c1e-7000-8000-0000000000a1"
	meta, err := survey.NewRevision(survey.Target{Interview: id, Kind: survey.KindAssessment},
		survey.AssessmentMeta{Questionnaire: "odra-3.1", QuestionnaireVersion: "3.1", Scope: survey.ScopeNational, Title: "ODRA"},
		"dev-a", 1, time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC), testPrincipal, nil)
	if err != nil {
		t.Fatal(err)
	}
	act, err := survey.NewRevision(survey.Target{Interview: id, Kind: survey.KindAction, Key: "A1"},
		survey.ActionItem{Action: "Publish", Sections: []string{"1"}}, "dev-a", 2, time.Date(2026, 11, 20, 8, 1, 0, 0, time.UTC), testPrincipal, nil)
	if err != nil {
		t.Fatal(err)
	}
	data, m, err := createWithNow([]survey.Revision{meta, act}, testOptions(1), testNow)
	if err != nil {
		t.Fatal(err)
	}
	if want := []QuestionnaireRef{{"odra-3.1", "3.1"}}; !reflect.DeepEqual(m.Questionnaires, want) || m.Interviews != 1 || m.Revisions != 2 {
		t.Errorf("manifest: questionnaires %v, %d records, %d revisions", m.Questionnaires, m.Interviews, m.Revisions)
	}
	b := mustRead(t, data)
	if err := verifyAt(b, testAllowed(t), testNow); err != nil {
		t.Fatalf("verify: %v", err)
	}
}
