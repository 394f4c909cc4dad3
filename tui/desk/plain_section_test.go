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
			survey.Change{Target: tg(survey.KindSection, "data"), Value: survey.SectionSummary{Rating: steps[3].Code, Comment: "Cổng dữ liệu"}},
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
