package tui

import (
	"testing"

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
