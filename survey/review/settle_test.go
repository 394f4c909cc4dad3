package review

import (
	"errors"
	"testing"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

func TestParseTargetRoundTrip(t *testing.T) {
	const id = "0193a5b2-7c1e-7000-8000-000000000001"
	for _, arg := range []string{"7.1", "section:7", "respondent", "status", "interview", "text:summary", "action:a1", "dataset:d1", "assessment"} {
		tg, ok := ParseTarget(id, arg)
		if !ok || tg.Interview != id || TargetArg(tg) != arg {
			t.Errorf("%q → %+v %v → %q", arg, tg, ok, TargetArg(tg))
		}
	}
	if tg, ok := ParseTarget(id, "answer:7.1"); !ok || tg.Kind != survey.KindAnswer || tg.Key != "7.1" {
		t.Errorf("answer:7.1 → %+v", tg)
	}
	for _, bad := range []string{"", "section:", "7 1", "a/b", "x:y"} {
		if _, ok := ParseTarget(id, bad); ok {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestSettleValueRefusals: a misspelt field, a rating the scale lacks, and a status the
// role may not decide are refused; a good answer is returned normalised.
func TestSettleValueRefusals(t *testing.T) {
	q := &survey.Questionnaire{ID: "q", Version: "1", Sections: []*survey.Section{{ID: "1",
		Questions: []*survey.Question{{ID: "1.1", Type: survey.TypeRating}}}}}
	q.Index()
	st := survey.NewInterviewState("0193a5b2-7c1e-7000-8000-000000000001")
	st.Meta = survey.InterviewMeta{Questionnaire: "q", QuestionnaireVersion: "1"}
	tg := survey.Target{Interview: st.ID, Kind: survey.KindAnswer, Key: "1.1"}
	none := func(string, string) error { return nil }
	var ve *ValueError
	if _, err := SettleValue(q, st, tg, `{"ratng":"red"}`, survey.RoleSupervisor, nil, none); !errors.As(err, &ve) {
		t.Errorf("misspelt field: %v", err)
	}
	if _, err := SettleValue(q, st, tg, `{"rating":"purple"}`, survey.RoleSupervisor, nil, none); !errors.As(err, &ve) {
		t.Errorf("unknown rating: %v", err)
	}
	v, err := SettleValue(q, st, tg, `{"rating":"Yellow","comment":"ổn"}`, survey.RoleSupervisor, nil, none)
	if a, ok := v.(survey.Answer); err != nil || !ok || a.Rating != survey.Amber {
		t.Errorf("alias: %v %v", v, err)
	}
	stTg := survey.Target{Interview: st.ID, Kind: survey.KindStatus}
	completed, _ := survey.NewRevision(stTg, survey.StatusChange{Status: survey.StatusCompleted}, "d", 1, survey.NewInterviewState("x").Created, "an", nil)
	if _, err := SettleValue(q, st, stTg, `{"status":"approved"}`, survey.RoleAssessor, []survey.Revision{completed}, none); !errors.Is(err, survey.ErrNotAllowed) {
		t.Errorf("an assessor settling to approved: %v", err)
	}
}
