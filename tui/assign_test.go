package tui

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/assign"
	"github.com/fieldsurvey/fieldsurvey/tui/session"
	"github.com/fieldsurvey/fieldsurvey/tui/styles"
)

// plan writes a supervisor's planned interview for assignee into the driver's store, as a
// merged batch would bring it.
func (d *driver) plan(id, agency, assignee, due, note string) {
	d.t.Helper()
	q := questionnaire(d.t, "example")
	a := assign.Assignment{Questionnaire: q.ID, Version: q.Version, Agency: agency, Province: "Đà Nẵng",
		Assignee: assignee, Due: due, Note: note}
	if _, err := d.store.Put(context.Background(), session.Author{Device: "sup-lan", Principal: "lan@example.org"},
		assign.Changes(id, a, "sup-lan")...); err != nil {
		d.t.Fatal(err)
	}
	d.clock.add(time.Minute)
}

func TestHomeShowsAssignmentsToDo(t *testing.T) {
	const mine, theirs = "0193a5b2-7c1e-7000-8000-000000000001", "0193a5b2-7c1e-7000-8000-000000000002"
	d := newDriver(t, 100, 24)
	d.plan(theirs, "Sở Y tế", "binh@example.org", "", "")
	d.plan(mine, "Sở Tài chính", "an@example.org", "2026-12-20", "gặp chị Hoa,\nphòng 3")
	d.send(HomeMsg{})
	// The newest first: this assessor's planned interview, to do, with its due date and note.
	d.mustSee("Sở Tài chính", "to do", "To do: assigned to you · due 2026-12-20 · gặp chị Hoa, phòng 3")
	d.key("down")
	d.mustSee("Assigned to binh@example.org")
	d.mustNotSee("To do: assigned to you")
	d.key("up")

	// Opening it asks first for the respondent block, as the supervisor filled it, and
	// the respondent's consent; the questionnaire is the supervisor's choice.
	d.key("enter")
	d.mustSee("Planned interview: check the respondent and record consent", "Sở Tài chính", "Đà Nẵng")
	if d.app.iv != nil {
		t.Fatal("the planned interview opened before its consent was recorded")
	}
	d.typeText("Phó giám đốc") // the role field has the focus
	d.key("tab", "tab", "tab", "tab")
	d.key(" ") // consent
	d.key("tab")
	d.key("enter")
	if d.app.iv == nil || d.app.iv.st.ID != mine {
		t.Fatalf("the form did not open the planned interview: %s", d.view())
	}
	st := d.state(mine)
	if r := st.Respondent; !r.Consent || r.Role != "Phó giám đốc" || r.Agency != "Sở Tài chính" || r.Province != "Đà Nẵng" {
		t.Fatalf("respondent after the form: %+v", r)
	}
	if st.Meta.Assignee != "an@example.org" || st.Meta.Device != "sup-lan" {
		t.Fatalf("the form changed the creation: %+v", st.Meta)
	}
	// The assessor's first answer continues the same draft.
	if err := d.app.c.writer.Put(context.Background(), session.AnswerChange(mine, "1.1", survey.Answer{Rating: survey.Amber})); err != nil {
		t.Fatal(err)
	}
	if st := d.state(mine); st.Status.Status != survey.StatusDraft || st.Meta.Assignee != "an@example.org" {
		t.Fatalf("after the first answer: status %s, meta %+v", st.Status.Status, st.Meta)
	}
	d.send(HomeMsg{})
	d.mustSee("Sở Tài chính", "draft", "Assigned to an@example.org · due 2026-12-20")
	d.mustNotSee("to do")
}

// TestGoldenHomeToDo is the list with a planned interview a supervisor assigned to this
// assessor: its row says to do, and selected it gives the due date and the note. (Without a
// server the status line counts every interview neither submitted nor approved as not yet
// sent, the planned one included: "4 not yet sent".)
func TestGoldenHomeToDo(t *testing.T) {
	lipgloss.SetColorProfile(termenv.Ascii)
	for _, c := range []struct {
		lang  string
		w, h  int
		until string
	}{{"vi", 80, 24, "Cần làm: được giao cho bạn · hạn 2026-12-20 · gặp chị Hoa"}, {"en", 120, 40, "To do: assigned to you · due 2026-12-20 · gặp chị Hoa"}} {
		t.Run(fmt.Sprintf("%s_%dx%d", c.lang, c.w, c.h), func(t *testing.T) {
			fs, ck, _ := goldenFixture(t)
			q := questionnaire(t, "example")
			if _, err := fs.Put(context.Background(), session.Author{Device: "sup-lan", Principal: "lan@example.org"},
				assign.Changes("0192f3a4-0000-7000-8000-0000000000a1", assign.Assignment{Questionnaire: q.ID, Version: q.Version,
					Agency: "Sở Tài chính", Province: "Đà Nẵng", Assignee: "an", Due: "2026-12-20", Note: "gặp chị Hoa"}, "sup-lan")...); err != nil {
				t.Fatal(err)
			}
			ck.add(time.Minute)
			sty := styles.New(&bytes.Buffer{}, styles.Plain, termenv.Ascii, true)
			app := New(context.Background(), Options{Lang: c.lang, AssessorName: "Nguyễn Văn An", Device: "dev1",
				Principal: "an", Now: ck.now, CommitDelay: time.Hour}, fs, bundledCatalog(t), sty)
			tm := teatest.NewTestModel(t, app, teatest.WithInitialTermSize(c.w, c.h))
			out := &screenOutput{tm: tm}
			out.waitFor(t, c.until)
			tm.Send(tea.Quit())
			final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*App)
			view := ansi.Strip(final.View())
			if n := strings.Count(view, "\n") + 1; n != c.h {
				t.Errorf("%d lines, want %d", n, c.h)
			}
			teatest.RequireEqualOutput(t, []byte(view))
		})
	}
}
