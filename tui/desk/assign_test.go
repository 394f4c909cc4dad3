package desk_test

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/tui/desk"
	"github.com/fieldsurvey/fieldsurvey/tui/storeadapter/deskstore"
)

// assignStore is the fixture's store as the review command gives it: the principals of the
// home's allowed_signers file known, and interview ids from a fixed sequence.
func assignStore(f *fixture) deskstore.Desk {
	n := 100
	return deskstore.Desk{S: f.st, Device: lan.Device,
		Known: []string{"binh@example.org", "chi@example.org", "an@example.org"},
		NewID: func() (string, error) { n++; return ivID(n), nil }}
}

func newAssignDriver(t testing.TB, f *fixture, o desk.Options) *driver {
	t.Helper()
	d := &driver{t: t, app: desk.New(context.Background(), o, assignStore(f), bundledCatalog(t), plainStyles())}
	d.run(d.app.Init())
	d.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	return d
}

// revisionCount counts every revision of the fixture's store.
func (f *fixture) revisionCount(t testing.TB) int {
	t.Helper()
	n := 0
	if err := f.st.AllRevisions(context.Background(), func(survey.Revision) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestAssignFromTheOverviewWritesAPlannedInterview(t *testing.T) {
	f := newFixture(t)
	d := newAssignDriver(t, f, supervisorOptions("en"))
	before := f.revisionCount(t)
	d.keys("v", "down") // the overview, on Hà Nội's row
	d.keys("a")
	v := d.view()
	for _, want := range []string{"Plan an interview for an assessor", "dgra-2018", "Hà Nội", "[ Assign ]"} {
		if !strings.Contains(v, want) {
			t.Fatalf("the assign form lacks %q:\n%s", want, v)
		}
	}
	// Letters are text in the fields: a, x, q, v, o, ? neither quit, leave, nor decide.
	d.typeText("Sở Xây dựng axqvo?")
	if d.quit {
		t.Fatal("typing q in the agency quit")
	}
	d.keys("tab")
	d.typeText("bi")
	if v := d.view(); !strings.Contains(v, "› binh@example.org") || strings.Contains(v, "chi@example.org") {
		t.Errorf("the assessor field should suggest binh@example.org only:\n%s", v)
	}
	d.send(tea.KeyMsg{Type: tea.KeyCtrlE})
	d.typeText("2026-12-20")
	d.keys("tab")
	d.typeText("gặp chị Hoa, quầy a")
	if got := f.revisionCount(t); got != before {
		t.Fatalf("typing in the form wrote %d revisions", got-before)
	}
	v = d.view()
	for _, want := range []string{"Sở Xây dựng axqvo?", "binh@example.org", "2026-12-20", "[gặp chị Hoa, quầy a"} {
		if !strings.Contains(v, want) {
			t.Errorf("the form lacks %q:\n%s", want, v)
		}
	}
	d.keys("tab", "enter")
	if got := f.revisionCount(t); got != before+3 {
		t.Fatalf("the assignment wrote %d revisions, want 3 (creation, respondent, status)", got-before)
	}
	id := ivID(101)
	st, err := deskstore.Desk{S: f.st}.Interview(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	m, r := st.Meta, st.Respondent
	if m.Assignee != "binh@example.org" || m.Due != "2026-12-20" || m.Note != "gặp chị Hoa, quầy a" ||
		m.Questionnaire != "dgra-2018" || m.QuestionnaireVersion != questionnaireOf(t, "dgra-2018").Version || m.Device != lan.Device {
		t.Errorf("planned interview's creation: %+v", m)
	}
	if r.Agency != "Sở Xây dựng axqvo?" || r.Province != "Hà Nội" {
		t.Errorf("planned interview's respondent: %+v", r)
	}
	if st.Status.Status != survey.StatusDraft {
		t.Errorf("planned interview's status: %s", st.Status.Status)
	}
	revs, err := f.st.Revisions(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	for _, rv := range revs {
		if rv.Author != lan.Principal || rv.Device != lan.Device {
			t.Errorf("revision %s by %s@%s, want the home's %s@%s", rv.Kind, rv.Author, rv.Device, lan.Principal, lan.Device)
		}
	}
	v = d.view()
	if !strings.Contains(v, "Sở Xây dựng axqvo?, Hà Nội (0193a5b2) assigned to binh@example.org · saved,") ||
		!strings.Contains(v, "waiting for a batch (fieldsurvey batch create)") {
		t.Errorf("the notice does not say the assignment is saved and waiting:\n%s", v)
	}
	if !strings.Contains(v, "Overview") || strings.Contains(v, "[ Assign ]") {
		t.Errorf("after assigning the overview should be back:\n%s", v)
	}
	d.keys("down")
	if v := d.view(); !strings.Contains(v, "3 changes waiting for a batch") || !strings.Contains(v, "6 interviews") {
		t.Errorf("the status line should count the 3 waiting changes and the overview 6 interviews:\n%s", v)
	}
}

func TestAssignToAnUnknownPrincipalWritesNothing(t *testing.T) {
	f := newFixture(t)
	d := newAssignDriver(t, f, supervisorOptions("vi"))
	before := f.revisionCount(t)
	d.keys("v", "a")
	d.typeText("Sở Nội vụ")
	d.keys("tab")
	d.typeText("ghost@example.org")
	d.keys("tab")
	d.typeText("20-12-2026")
	d.keys("tab", "tab", "enter")
	v := d.view()
	for _, want := range []string{`✗ danh tính "ghost@example.org" không rõ`, `✗ "20-12-2026" không phải ngày`, "Chưa giao gì"} {
		if !strings.Contains(v, want) {
			t.Errorf("the refusal lacks %q:\n%s", want, v)
		}
	}
	if got := f.revisionCount(t); got != before {
		t.Fatalf("a refused assignment wrote %d revisions", got-before)
	}
	// Corrected, it goes through; the form kept what was typed.
	d.keys("tab", "tab", "tab") // button → province → agency → assessor
	for range len("ghost@example.org") {
		d.send(tea.KeyMsg{Type: tea.KeyBackspace})
	}
	d.typeText("chi@example.org")
	d.keys("tab")
	for range len("20-12-2026") {
		d.send(tea.KeyMsg{Type: tea.KeyBackspace})
	}
	d.keys("tab", "tab", "enter")
	if got := f.revisionCount(t); got != before+3 {
		t.Fatalf("the corrected assignment wrote %d revisions, want 3:\n%s", got-before, d.view())
	}
	if v := d.view(); !strings.Contains(v, "Sở Nội vụ, Đà Nẵng (0193a5b2) đã giao cho chi@example.org · đã lưu, chờ đóng lô") {
		t.Errorf("notice:\n%s", v)
	}
}

func TestAssignRefusedOnAReadOnlyDesk(t *testing.T) {
	f := newFixture(t)
	o := supervisorOptions("en")
	o.ReadOnly = survey.T("reading hub.db (--db)", "đang đọc hub.db (--db)")
	d := newAssignDriver(t, f, o)
	before := f.revisionCount(t)
	d.keys("v", "a")
	v := d.view()
	if !strings.Contains(v, "Read-only, nothing can be assigned here: reading hub.db (--db)") || strings.Contains(v, "[ Assign ]") {
		t.Errorf("a read-only desk should refuse to assign:\n%s", v)
	}
	d.keys("enter", "a", "esc")
	if got := f.revisionCount(t); got != before {
		t.Fatalf("a read-only desk wrote %d revisions", got-before)
	}
	// esc leaves the form without writing.
	d = newAssignDriver(t, f, supervisorOptions("en"))
	d.keys("v", "a")
	d.typeText("Sở Nội vụ")
	d.keys("esc")
	if v := d.view(); strings.Contains(v, "[ Assign ]") || !strings.Contains(v, "Overview") {
		t.Errorf("esc should leave the form for the overview:\n%s", v)
	}
	if got := f.revisionCount(t); got != before {
		t.Fatalf("a cancelled form wrote %d revisions", got-before)
	}
}

// TestAssignFormGolden draws the assign form at 80×24 in English, the assessor field
// focused with its suggestions, through a real Bubble Tea program.
func TestAssignFormGolden(t *testing.T) {
	lipgloss.SetColorProfile(termenv.Ascii)
	f := newFixture(t)
	app := desk.New(context.Background(), supervisorOptions("en"), assignStore(f), bundledCatalog(t), plainStyles())
	tm := teatest.NewTestModel(t, app, teatest.WithInitialTermSize(80, 24))
	out := &screenOutput{tm: tm}
	out.waitFor(t, "Sở Thông tin")
	tm.Send(keyMsg("v"))
	out.waitFor(t, "All:")
	tm.Send(keyMsg("a"))
	out.waitFor(t, "Plan an interview")
	for _, r := range "Sở Xây dựng" {
		tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	tm.Send(keyMsg("tab"))
	out.waitFor(t, "ctrl+e to take it")
	tm.Send(tea.Quit())
	final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*desk.App)
	view := ansi.Strip(final.View())
	if n := strings.Count(view, "\n") + 1; n != 24 {
		t.Errorf("%d lines, want 24", n)
	}
	for i, l := range strings.Split(view, "\n") {
		if w := lipgloss.Width(l); w > 80 {
			t.Errorf("line %d is %d wide, more than 80: %q", i+1, w, l)
		}
	}
	teatest.RequireEqualOutput(t, []byte(view))
}

// TestCtrlCOnAFilledAssignFormAsksFirst: an assignment typed but not yet made is not dropped
// by one ctrl+c; a second quits, having written nothing. An untouched form (only the
// province the overview chose) quits at once.
func TestCtrlCOnAFilledAssignFormAsksFirst(t *testing.T) {
	f := newFixture(t)
	d := newAssignDriver(t, f, supervisorOptions("en"))
	before := f.revisionCount(t)
	d.keys("v", "down", "a")
	d.typeText("Sở Xây dựng")
	d.send(tea.KeyMsg{Type: tea.KeyCtrlC})
	if d.quit {
		t.Fatal("the first ctrl+c dropped the filled form")
	}
	if v := d.view(); !strings.Contains(v, "not assigned yet") || !strings.Contains(v, "Sở Xây dựng") {
		t.Fatalf("after one ctrl+c:\n%s", v)
	}
	d.send(tea.KeyMsg{Type: tea.KeyCtrlC})
	if !d.quit {
		t.Fatal("the second ctrl+c did not quit")
	}
	if n := f.revisionCount(t); n != before {
		t.Fatalf("quitting wrote %d revisions", n-before)
	}

	d = newAssignDriver(t, newFixture(t), supervisorOptions("en"))
	d.keys("v", "down", "a")
	d.send(tea.KeyMsg{Type: tea.KeyCtrlC})
	if !d.quit {
		t.Fatal("ctrl+c on an untouched form did not quit")
	}
}
