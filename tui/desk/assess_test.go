package desk_test

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

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
	d.keys("?")
	if v := d.view(); !strings.Contains(v, "T team assessments") && !strings.Contains(v, "T đánh giá của nhóm") {
		t.Fatalf("the queue's help does not list T:\n%s", v)
	}
	d.keys("esc", "T")
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
	v := d.view()
	for _, want := range []string{
		"Section 1/7",
		"2 interviews counted (approved, i)",
		// 1.1: the team's Amber beside the two approved interviews' Amber and Green, and
		// their median, said to be a suggestion.
		"Team: ●●●○○ Amber ✎",
		"··█·█ 0/0/1/0/1 · median ●●●●○ Amber/Green (suggestion)",
		"Remarks (r): Có chiến lược nhưng chưa triển khai",
		"median is only a suggestion",
	} {
		if !strings.Contains(v, want) {
			t.Errorf("the screen does not show %q:\n%s", want, v)
		}
	}
	// i counts the completed and resubmitted interviews too: 1.1 gets Bình's Amber/Red.
	d.keys("i")
	if v := d.view(); !strings.Contains(v, "interviews counted (approved or submitted, i)") || !strings.Contains(v, "0/1/1/0/1") {
		t.Errorf("i does not count the submitted interviews:\n%s", v)
	}
	d.keys("i")
	d.keys("right", "right", "right", "right", "right", "right")
	if v := d.view(); !strings.Contains(v, "Section 7/7") || !strings.Contains(v, "⚠ two versions") {
		t.Errorf("section 7 does not mark the conflict on 7.1:\n%s", v)
	}
}

// TestAssessmentRatingKeysWriteOneRevision: a rating key writes one revision of the
// selected question's team rating, by the home's device and principal, keeping its remarks;
// the overall row's key writes the section's.
func TestAssessmentRatingKeysWriteOneRevision(t *testing.T) {
	f := newFixture(t)
	f.withAssessment(t)
	before := len(f.revisionsOf(t))
	d := openAssessment(t, f, supervisorOptions("en"))
	d.keys("4") // 1.1 is selected: Amber/Green
	revs := f.revisionsOf(t)
	if len(revs) != before+1 {
		t.Fatalf("%d revisions written, want 1", len(revs)-before)
	}
	last := revs[len(revs)-1]
	if last.Kind != survey.KindAnswer || last.Key != "1.1" || last.Device != lan.Device || last.Author != lan.Principal {
		t.Errorf("wrote %s %s by %s@%s, want the answer 1.1 by %s@%s", last.Kind, last.Key, last.Author, last.Device, lan.Principal, lan.Device)
	}
	a := f.assessment(t)
	if got := a.Ratings["1.1"]; got.Rating != survey.AmberGreen || got.Comment != "Có chiến lược nhưng chưa triển khai" {
		t.Errorf("1.1 is %+v, want Amber/Green with its remarks kept", got)
	}
	if v := d.view(); !strings.Contains(v, "✓ saved 1.1") || !strings.Contains(v, "Team: ●●●●○ Amber/Green") {
		t.Errorf("the screen does not say it is saved, with the new rating:\n%s", v)
	}
	// o selects the overall row; 2 rates section 1 overall Amber/Red.
	d.keys("o", "2")
	a = f.assessment(t)
	if got := a.Sections["1"]; got.Rating != survey.AmberRed {
		t.Errorf("section 1 overall is %+v, want Amber/Red", got)
	}
	if n := len(f.revisionsOf(t)); n != before+2 {
		t.Errorf("%d revisions written in all, want 2", n-before)
	}
	// 9 is no step of the scale: nothing is written.
	d.keys("up", "9")
	if n := len(f.revisionsOf(t)); n != before+2 {
		t.Errorf("a key that is no step wrote %d revisions", n-before-2)
	}
}

// TestAssessmentRemarksFieldSwallowsLetters: in the remarks field q, a, x, T, o, n and
// digits are text, not commands; leaving the field saves it once.
func TestAssessmentRemarksFieldSwallowsLetters(t *testing.T) {
	f := newFixture(t)
	f.withAssessment(t)
	before := len(f.revisionsOf(t))
	d := openAssessment(t, f, supervisorOptions("vi"))
	d.keys("down", "r")
	d.typeText("qax To n 3 đủ")
	if d.quit {
		t.Fatal("q in the remarks field quit the desk")
	}
	if n := len(f.revisionsOf(t)); n != before {
		t.Fatalf("typing wrote %d revisions before leaving the field", n-before)
	}
	d.keys("esc")
	revs := f.revisionsOf(t)
	if len(revs) != before+1 {
		t.Fatalf("leaving the field wrote %d revisions, want 1", len(revs)-before)
	}
	if got := f.assessment(t).Ratings["1.2"]; got.Comment != "qax To n 3 đủ" || got.Rating != "" {
		t.Errorf("1.2 is %+v, want the typed remarks and no rating", got)
	}
	if v := d.view(); !strings.Contains(v, "Nhận xét (r): qax To n 3 đủ") || !strings.Contains(v, "✓ đã lưu 1.2") {
		t.Errorf("the screen does not show the saved remarks:\n%s", v)
	}
	// Leaving without a change writes nothing.
	d.keys("r", "esc")
	if n := len(f.revisionsOf(t)); n != before+1 {
		t.Errorf("leaving an unchanged field wrote %d revisions", n-before-1)
	}
	// n edits the section's analysis.
	d.keys("n")
	d.typeText("Phân tích")
	d.keys("esc")
	if got := f.assessment(t).Texts[survey.AnalysisKey("1")]; got != "Phân tích" {
		t.Errorf("analysis of section 1 is %q", got)
	}
}

// TestAssessmentConflictRefused: a conflicted target is neither rated nor edited; the
// message names conflicts settle.
func TestAssessmentConflictRefused(t *testing.T) {
	f := newFixture(t)
	f.withAssessment(t)
	before := len(f.revisionsOf(t))
	d := openAssessment(t, f, supervisorOptions("en"))
	d.keys("right", "right", "right", "right", "right", "right") // section 7: 7.1 first
	for _, k := range []string{"3", "r"} {
		d.keys(k)
		v := d.view()
		if !strings.Contains(v, "fieldsurvey conflicts settle 0193a5b2 7.1") {
			t.Errorf("key %s: no refusal naming conflicts settle:\n%s", k, v)
		}
	}
	if n := len(f.revisionsOf(t)); n != before {
		t.Errorf("a conflicted target got %d revisions", n-before)
	}
	if len(f.assessment(t).Conflicts) != 1 {
		t.Error("the conflict was settled blindly")
	}
}

// TestAssessmentReadOnlyWritesNothing: a desk on --db refuses every change.
func TestAssessmentReadOnlyWritesNothing(t *testing.T) {
	f := newFixture(t)
	f.withAssessment(t)
	before := len(f.revisionsOf(t))
	o := supervisorOptions("en")
	o.ReadOnly = survey.T("opened with --db", "mở bằng --db")
	d := openAssessment(t, f, o)
	d.keys("3", "r")
	d.typeText("abc")
	d.keys("esc", "o", "1", "n")
	d.typeText("x")
	d.keys("esc")
	if n := len(f.revisionsOf(t)); n != before {
		t.Errorf("a read-only desk wrote %d revisions", n-before)
	}
	if v := d.view(); !strings.Contains(v, "Read-only: opened with --db") {
		t.Errorf("no read-only refusal:\n%s", v)
	}
}

// TestAssessmentActionPlanAndDatasets: tab opens the action plan; a adds an action through
// the form (letters are text there), enter edits it, J moves it, x twice deletes it; a
// dataset row with a bad openness is refused with the field named and nothing written.
func TestAssessmentActionPlanAndDatasets(t *testing.T) {
	f := newFixture(t)
	f.withAssessment(t)
	d := openAssessment(t, f, supervisorOptions("en"))
	d.keys("tab")
	if v := d.view(); !strings.Contains(v, "Action plan · actions: 0") {
		t.Fatalf("tab did not open the action plan:\n%s", v)
	}
	before := len(f.revisionsOf(t))
	add := func(action, lead, sections string) {
		t.Helper()
		d.keys("a")
		d.typeText(action)
		d.keys("tab")
		d.typeText(lead)
		d.keys("tab", "tab", "tab")
		d.typeText(sections)
		d.keys("enter", "enter")
	}
	add("Lập đội ứng cứu sự cố quốc gia", "Bộ Công an", "7")
	add("Ban hành chiến lược", "Bộ TT&TT", "1")
	a := f.assessment(t)
	if len(a.Actions) != 2 || a.Actions[0].ID != "A1" || a.Actions[0].Action != "Lập đội ứng cứu sự cố quốc gia" || a.Actions[0].Lead != "Bộ Công an" ||
		len(a.Actions[0].Sections) != 1 || a.Actions[0].Sections[0] != "7" || a.Actions[1].ID != "A2" {
		t.Fatalf("actions are %+v", a.Actions)
	}
	if n := len(f.revisionsOf(t)); n != before+2 {
		t.Errorf("two additions wrote %d revisions", n-before)
	}
	if v := d.view(); !strings.Contains(v, "A1 Lập đội ứng cứu") || !strings.Contains(v, "lead: Bộ Công an") {
		t.Errorf("the plan does not show the action:\n%s", v)
	}
	// A section that does not exist is refused in the form; nothing is written.
	before = len(f.revisionsOf(t))
	d.keys("a")
	d.typeText("x")
	d.keys("tab", "tab", "tab", "tab")
	d.typeText("99")
	d.keys("enter", "enter")
	if v := d.view(); !strings.Contains(v, `no section "99"`) {
		t.Errorf("no refusal of section 99:\n%s", v)
	}
	d.keys("esc")
	if n := len(f.revisionsOf(t)); n != before {
		t.Errorf("a refused form wrote %d revisions", n-before)
	}
	// J moves A1 below A2.
	d.keys("J")
	if a := f.assessment(t); a.Actions[0].ID != "A2" || a.Actions[1].ID != "A1" {
		t.Errorf("after J the plan is %s, %s; want A2, A1", a.Actions[0].ID, a.Actions[1].ID)
	}
	// x once asks; x again deletes the selected (A1, now second).
	before = len(f.revisionsOf(t))
	d.keys("x")
	if n := len(f.revisionsOf(t)); n != before {
		t.Fatal("one x deleted")
	}
	d.keys("x")
	if a := f.assessment(t); len(a.Actions) != 1 || a.Actions[0].ID != "A2" {
		t.Errorf("after x x the plan is %+v", a.Actions)
	}
	// Key datasets: openness 7 is refused with the field named.
	d.keys("tab", "a")
	d.typeText("Cục Thống kê")
	d.keys("tab")
	d.typeText("Niên giám")
	d.keys("tab")
	d.typeText("y")
	d.keys("tab", "tab")
	d.send(keyMsg("backspace"))
	d.typeText("7")
	d.keys("enter", "enter")
	if v := d.view(); !strings.Contains(v, "openness: is 7") {
		t.Errorf("openness 7 not refused:\n%s", v)
	}
	if len(f.assessment(t).Datasets) != 0 {
		t.Fatal("a refused dataset row was written")
	}
	d.keys("shift+tab") // back to the openness
	d.send(keyMsg("backspace"))
	d.typeText("3")
	d.keys("enter", "enter")
	ds := f.assessment(t).Datasets
	if len(ds) != 1 || ds[0].Agency != "Cục Thống kê" || !ds[0].KeyForPublic || ds[0].KeyToService || ds[0].Openness != 3 {
		t.Errorf("datasets are %+v", ds)
	}
}

// TestAssessmentRemarksSavedAfterPause: with a save pause, what is typed is saved when
// typing pauses, the field staying open; leaving it afterwards writes nothing more. (The
// test driver runs each pause at once, so every key here is followed by a pause.)
func TestAssessmentRemarksSavedAfterPause(t *testing.T) {
	f := newFixture(t)
	f.withAssessment(t)
	o := supervisorOptions("en")
	o.SavePause = time.Millisecond
	d := openAssessment(t, f, o)
	before := len(f.revisionsOf(t))
	d.keys("down", "r")
	d.typeText("ok")
	if !strings.Contains(d.view(), "esc saves and leaves") {
		t.Fatal("the pause closed the field")
	}
	if got := f.assessment(t).Ratings["1.2"].Comment; got != "ok" {
		t.Errorf("after the pause 1.2's remarks are %q, want %q", got, "ok")
	}
	n := len(f.revisionsOf(t))
	if n == before {
		t.Fatal("nothing saved after the pause")
	}
	d.keys("esc")
	if m := len(f.revisionsOf(t)); m != n {
		t.Errorf("leaving a field saved at the pause wrote %d more revisions", m-n)
	}
}

// TestAssessmentTypedWordsAreText: Bubble Tea delivers typed text cut at spaces, so a word
// can arrive alone as one message; words that spell key names are typed, not obeyed.
func TestAssessmentTypedWordsAreText(t *testing.T) {
	f := newFixture(t)
	f.withAssessment(t)
	d := openAssessment(t, f, supervisorOptions("en"))
	d.keys("down", "r")
	for _, w := range []string{"Set", " ", "up", " ", "esc", " ", "down", " ", "f1", " ", "tab"} {
		if w == " " {
			d.send(tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}})
			continue
		}
		d.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(w)})
	}
	d.keys("esc")
	if got := f.assessment(t).Ratings["1.2"].Comment; got != "Set up esc down f1 tab" {
		t.Errorf("1.2's remarks are %q, want the words typed", got)
	}
	// The same in the action form.
	d.keys("tab", "a")
	for _, w := range []string{"Go", " ", "up", " ", "enter"} {
		if w == " " {
			d.send(tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}})
			continue
		}
		d.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(w)})
	}
	d.keys("enter", "enter", "enter", "enter", "enter", "enter")
	if a := f.assessment(t).Actions; len(a) != 1 || a[0].Action != "Go up enter" {
		t.Errorf("actions are %+v, want one 'Go up enter'", a)
	}
}
