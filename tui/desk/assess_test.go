package desk_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/tui/desk"
)

const assessID = "0193a5b2-7c1e-7000-8000-0000000000a1"

// withAssessment adds to the fixture the team's national assessment of DGRA, made by Lan:
// interview 1 approved beside interview 3 (so two interviews count), the team's rating of
// 1.1 with remarks, and two competing versions of the team's rating of 7.1 (a conflict).
func (f *fixture) withAssessment(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	q := questionnaireOf(t, "dgra-2018")
	put := func(ch ...survey.Change) {
		t.Helper()
		if _, err := f.st.Put(ctx, lan, ch...); err != nil {
			t.Fatal(err)
		}
	}
	put(survey.Change{Target: survey.Target{Interview: f.ids[0], Kind: survey.KindStatus}, Value: survey.StatusChange{Status: survey.StatusApproved}})
	put(survey.NewAssessment(assessID, survey.AssessmentMeta{Questionnaire: q.ID, QuestionnaireVersion: q.Version, Scope: survey.ScopeNational,
		Title: "Đánh giá quốc gia 2026", Author: lan.Principal, Device: lan.Device}))
	put(survey.TeamRating(assessID, "1.1", survey.Amber, "Có chiến lược nhưng chưa triển khai"))
	put(survey.TeamRating(assessID, "7.1", survey.Amber, "Theo Lan"))
	rev, err := survey.NewRevision(survey.Target{Interview: assessID, Kind: survey.KindAnswer, Key: "7.1"},
		survey.Answer{Rating: survey.Red, Comment: "Theo Bình"}, binh.Device, 500, t0.Add(5*time.Hour), binh.Principal, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.Append(ctx, rev); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) assessment(t testing.TB) *survey.Assessment {
	t.Helper()
	st, err := f.st.Interview(context.Background(), assessID)
	if err != nil {
		t.Fatal(err)
	}
	a, ok := st.Assessment()
	if !ok {
		t.Fatal("not an assessment")
	}
	return a
}

// revisionsOf returns the revisions of the assessment.
func (f *fixture) revisionsOf(t testing.TB) []survey.Revision {
	t.Helper()
	revs, err := f.st.Revisions(context.Background(), assessID)
	if err != nil {
		t.Fatal(err)
	}
	return revs
}

func openAssessment(t *testing.T, f *fixture, o desk.Options) *driver {
	t.Helper()
	d := newDriver(t, f, o, 100, 30)
	d.keys("T")
	if v := d.view(); !strings.Contains(v, "Đánh giá quốc gia 2026") {
		t.Fatalf("the list of assessments does not show the assessment:\n%s", v)
	}
	d.keys("enter")
	if v := d.view(); !strings.Contains(v, "1.1") {
		t.Fatalf("the assessment screen does not show question 1.1:\n%s", v)
	}
	return d
}

func TestAssessmentScreenShowsEvidenceAndTeamRating(t *testing.T) {
	f := newFixture(t)
	f.withAssessment(t)
	d := openAssessment(t, f, supervisorOptions("en"))
	t.Log(d.view())
}
