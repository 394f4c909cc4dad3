package tui

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/fieldsurvey/fieldsurvey/questionnaires"
	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/tui/session"
)

// relevanceQ is a number question (share_online) whose answer > 0 makes the next one
// (which_online) asked, then a plain question (remarks).
func relevanceQ(t testing.TB) *survey.Questionnaire {
	t.Helper()
	q, err := questionnaires.LoadFile("testdata/relevance.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// relevanceDriver opens a new interview of relevance.yaml at question share_online.
func relevanceDriver(t *testing.T) *driver {
	t.Helper()
	fs, ck := rosterStore(t, relevanceQ(t), 0)
	d := newDriverOn(t, 80, 24, fs, ck)
	d.app.c.cat = catalog{relevanceQ(t)}
	d.send(OpenInterviewMsg{ID: rosterInterview, At: session.Place{Question: "share_online"}})
	if d.app.question == nil || d.app.question.qu.ID != "share_online" {
		t.Fatalf("share_online did not open:\n%s", d.view())
	}
	return d
}

func (d *driver) at() string {
	if d.app.active != scrQuestion || d.app.question == nil {
		return ""
	}
	return d.app.question.qu.ID
}

// Typing a number that makes the next question asked and pressing ctrl+n at once (before
// the pause saves it) goes to that question: navigation uses the answer just typed.
func TestNextUsesTheNumberJustTyped(t *testing.T) {
	d := relevanceDriver(t) // the number field opens for typing
	d.typeText("35")
	d.key("ctrl+n")
	if got := d.at(); got != "which_online" {
		t.Fatalf("ctrl+n after typing 35 went to %q, want which_online:\n%s", got, d.view())
	}
	if got := d.state(rosterInterview).Answers["share_online"].Value; got != 35.0 {
		t.Fatalf("share_online stored as %v, want 35", got)
	}
}

// The other way: clearing the number and pressing ctrl+n at once skips the question it no
// longer makes asked.
func TestNextSkipsWhatTheClearedNumberNoLongerAsks(t *testing.T) {
	d := relevanceDriver(t) // the number field opens for typing
	d.typeText("35")
	d.key("esc")
	d.key("enter", "backspace", "backspace")
	d.typeText("0")
	d.key("ctrl+n")
	if got := d.at(); got != "remarks" {
		t.Fatalf("ctrl+n after typing 0 went to %q, want remarks:\n%s", got, d.view())
	}
}

// ctrl+p from the question after, with a number typed in a question that makes the one
// between asked: it lands on the newly asked question.
func TestPrevUsesTheAnswerJustTyped(t *testing.T) {
	d := relevanceDriver(t)
	d.send(GotoMsg{Place: session.Place{Question: "remarks"}})
	d.key("ctrl+p")
	if got := d.at(); got != "share_online" {
		t.Fatalf("ctrl+p from remarks went to %q, want share_online (which_online not asked yet)", got)
	}
	d.typeText("12")
	d.key("ctrl+n")
	if got := d.at(); got != "which_online" {
		t.Fatalf("ctrl+n went to %q, want which_online", got)
	}
	d.key("ctrl+p", "ctrl+n", "ctrl+n")
	if got := d.at(); got != "remarks" {
		t.Fatalf("went to %q, want remarks", got)
	}
	d.key("ctrl+p")
	if got := d.at(); got != "which_online" {
		t.Fatalf("ctrl+p from remarks went to %q, want which_online", got)
	}
}

// g (jump) after typing: the jump sees the typed answer's relevance.
func TestJumpUsesTheAnswerJustTyped(t *testing.T) {
	d := relevanceDriver(t) // the number field opens for typing
	d.typeText("35")
	d.send(jumpMsg{})
	d.typeText("which_online")
	d.key("enter")
	if got := d.at(); got != "which_online" {
		t.Fatalf("jump after typing 35 went to %q, want which_online:\n%s", got, d.view())
	}
}

// The section's context shows where the section starts (its first asked question), not
// on the questions after.
func TestSectionContextOnItsFirstQuestion(t *testing.T) {
	d := relevanceDriver(t)
	d.mustSee("Context: Ask about the services the agency offers online.")
	d.key("esc", "right") // which_online is not asked while share_online is empty
	if got := d.at(); got != "remarks" {
		t.Fatalf("at %q, want remarks", got)
	}
	d.mustNotSee("Context:")
}

// Keys typed ahead — ← then 4 arriving together, as a fast hand or a slow link sends them —
// act on the screen the first key leads to: the change of screen is made before the next
// key is read, not by a command whose message would reach the app after the waiting keys
// (4 then rated the question being left). Each key's commands run only after both keys.
func TestTypedAheadKeysLandOnTheNextScreen(t *testing.T) {
	d, id := openDGRA(t, 80, 24)
	d.key("right")
	if got := d.at(); got != "1.2" {
		t.Fatalf("→ from 1.1 went to %q", got)
	}
	var cmds []tea.Cmd
	for _, k := range []string{"left", "4", "right", "right", "2"} {
		_, cmd := d.app.Update(keyMsg(k))
		cmds = append(cmds, cmd)
	}
	for _, cmd := range cmds {
		d.run(cmd)
	}
	st := d.state(id)
	if got := st.Answers["1.1"].Rating; got != survey.AmberGreen {
		t.Errorf("1.1 rated %q, want amber-green (the 4 typed after ←)", got)
	}
	if got := st.Answers["1.3"].Rating; got != survey.AmberRed {
		t.Errorf("1.3 rated %q, want amber-red (the 2 typed after → →)", got)
	}
	if a, ok := st.Answers["1.2"]; ok && a.Rating != "" {
		t.Errorf("1.2, the question left, rated %q", a.Rating)
	}
	if got := d.at(); got != "1.3" {
		t.Errorf("at %q, want 1.3", got)
	}
}
