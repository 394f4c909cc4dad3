package desk_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/fieldsurvey/fieldsurvey/questionnaires/xlsform"
	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
	"github.com/fieldsurvey/fieldsurvey/tui/desk"
	"github.com/fieldsurvey/fieldsurvey/tui/storeadapter/deskstore"
)

// importedForm is the example XLSForm as imported (questionnaires/testdata/xlsform/
// readiness.xlsx): seven sections, three of them plain (respondent, policy, foi: overall:
// false), four rated (leadership, policy-2, data, demand).
func importedForm(t testing.TB) *survey.Questionnaire {
	t.Helper()
	res, err := xlsform.ImportFile("../../questionnaires/testdata/xlsform/readiness.xlsx", xlsform.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return res.Questionnaire
}

// plainFixture is a supervisor's home holding two completed interviews of the imported
// form in Huế: the respondent section answered (a plain section), leadership and data
// rated overall.
func plainFixture(t testing.TB, q *survey.Questionnaire) *store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(filepath.Join(t.TempDir(), "home", "fieldsurvey.db"), store.WithClock(clockFrom(t0)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	lead, _ := q.Section("leadership")
	steps := q.SectionScale(lead).Steps
	for n, agency := range []string{"Sở Tư pháp", "Sở Tài chính"} {
		id := ivID(101 + n)
		tg := func(k survey.Kind, key string) survey.Target { return survey.Target{Interview: id, Kind: k, Key: key} }
		if _, err := st.Put(ctx, an,
			survey.Change{Target: tg(survey.KindInterview, ""), Value: survey.InterviewMeta{Questionnaire: q.ID, QuestionnaireVersion: q.Version, Assessor: "Nguyễn Văn An", Device: an.Device}},
			survey.Change{Target: tg(survey.KindRespondent, ""), Value: survey.Respondent{Agency: agency, Province: "Huế", Date: "2026-11-20", Consent: true}},
			survey.Change{Target: tg(survey.KindAnswer, "agency"), Value: survey.Answer{Value: agency + " (trả lời)"}},
			survey.Change{Target: tg(survey.KindSection, "leadership"), Value: survey.SectionSummary{Rating: steps[2].Code, Comment: "Có người phụ trách"}},
			survey.Change{Target: tg(survey.KindSection, "data"), Value: survey.SectionSummary{Rating: steps[1].Code, Comment: "Cổng dữ liệu"}},
			survey.Change{Target: tg(survey.KindStatus, ""), Value: survey.StatusChange{Status: survey.StatusCompleted}}); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

func lineOf(t *testing.T, v, sub string) string {
	t.Helper()
	for _, l := range strings.Split(v, "\n") {
		if strings.Contains(l, sub) {
			return l
		}
	}
	t.Fatalf("no line with %q:\n%s", sub, v)
	return ""
}

// TestPlainSectionInTheDesk: the interview screen shows a plain section's answers and says
// it has no overall rating (no empty "Overall:" line); a rated section keeps its overall
// line; the overview grid has a column only for the four rated sections.
func TestPlainSectionInTheDesk(t *testing.T) {
	q := importedForm(t)
	st := plainFixture(t, q)
	d := &driver{t: t, app: desk.New(context.Background(), supervisorOptions("en"), deskstore.Desk{S: st, Device: lan.Device},
		append(catalog{q}, bundledCatalog(t)...), plainStyles())}
	d.run(d.app.Init())
	d.send(tea.WindowSizeMsg{Width: 100, Height: 30})
	d.at("Sở Tư pháp")
	d.keys("enter")
	v := d.view()
	for _, want := range []string{"Section 1/7 · Respondent", "No overall rating: this section records answers only.", "Sở Tư pháp (trả lời)"} {
		if !strings.Contains(v, want) {
			t.Errorf("plain section lacks %q:\n%s", want, v)
		}
	}
	if strings.Contains(v, "Overall:") {
		t.Errorf("a plain section shows an overall line:\n%s", v)
	}
	d.keys("right")
	v = d.view()
	if !strings.Contains(v, "Section 2/7 · Leadership") || !strings.Contains(lineOf(t, v, "Overall:"), "Có người phụ trách") {
		t.Errorf("the rated section lost its overall line:\n%s", v)
	}
	if strings.Contains(v, "No overall rating") {
		t.Errorf("a rated section says it has no overall rating:\n%s", v)
	}

	d.keys("esc", "v")
	v = d.view()
	head := lineOf(t, v, "Province")
	for _, id := range []string{"[leaders", "policy-2", "data", "demand"} {
		if !strings.Contains(head, id) {
			t.Errorf("overview header %q lacks the rated section %s", head, id)
		}
	}
	for _, id := range []string{"respondent", "foi", "policy "} {
		if strings.Contains(head+" ", id) {
			t.Errorf("overview header %q has a column for the plain section %q", head, id)
		}
	}
	// Huế: both rated leadership and data; the selected cell is leadership's.
	if l := lineOf(t, v, "Huế · leadership"); !strings.Contains(l, " 2") {
		t.Errorf("leadership cell in words: %q, want two ratings of one step", l)
	}
	d.keys("right", "right", "right", "right")
	if l := lineOf(t, d.view(), "Province"); !strings.Contains(l, "[demand]") {
		t.Errorf("the cursor should stop on the last rated section, demand: %q", l)
	}
}

// TestPlainSectionInTheTeamAssessment: on the assessment screen a plain section with no
// rated question (Respondent) has no rows to rate and no overall row: o, rating keys and r
// write nothing; a rated section (Leadership) has its question and its overall row, and o
// then a rating key writes the section's team rating.
func TestPlainSectionInTheTeamAssessment(t *testing.T) {
	q := importedForm(t)
	st := plainFixture(t, q)
	ctx := context.Background()
	const aid = "0193a5b2-7c1e-7000-8000-0000000000b1"
	if _, err := st.Put(ctx, lan, survey.NewAssessment(aid, survey.AssessmentMeta{Questionnaire: q.ID, QuestionnaireVersion: q.Version,
		Scope: survey.ScopeNational, Title: "Kiểm tra dữ liệu mở 2026", Author: lan.Principal, Device: lan.Device})); err != nil {
		t.Fatal(err)
	}
	count := func() int {
		t.Helper()
		revs, err := st.Revisions(ctx, aid)
		if err != nil {
			t.Fatal(err)
		}
		return len(revs)
	}
	before := count()
	d := &driver{t: t, app: desk.New(ctx, supervisorOptions("en"), deskstore.Desk{S: st, Device: lan.Device},
		append(catalog{q}, bundledCatalog(t)...), plainStyles())}
	d.run(d.app.Init())
	d.send(tea.WindowSizeMsg{Width: 100, Height: 30})
	d.keys("T", "enter")
	v := d.view()
	if !strings.Contains(v, "Section 1/7 · Respondent") || !strings.Contains(v, "No rated question and no overall rating in this section") {
		t.Fatalf("the plain section should say it has nothing to rate:\n%s", v)
	}
	if strings.Contains(v, "Overall") || strings.Contains(v, "Remarks (r)") {
		t.Errorf("the plain section offers an overall row or remarks:\n%s", v)
	}
	d.keys("o", "3", "r", "down", "2")
	if n := count(); n != before {
		t.Errorf("keys on a plain section wrote %d revisions", n-before)
	}
	if v := d.view(); strings.Contains(v, "Remarks of") {
		t.Fatalf("r opened a remarks field on a plain section:\n%s", v)
	}
	d.keys("right")
	v = d.view()
	if !strings.Contains(v, "Section 2/7 · Leadership") || !strings.Contains(v, "leadership_rating") || !strings.Contains(v, "the section's overall rating (o)") {
		t.Fatalf("the rated section lacks its question or its overall row:\n%s", v)
	}
	lead, _ := q.Section("leadership")
	want := q.SectionScale(lead).Steps[2].Code
	d.keys("o", "3")
	if n := count(); n != before+1 {
		t.Fatalf("o then 3 wrote %d revisions, want 1", n-before)
	}
	s, err := st.Interview(ctx, aid)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := s.Assessment()
	if got := a.Sections["leadership"].Rating; got != want {
		t.Errorf("leadership's team rating is %q, want %q", got, want)
	}
}
