package tui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// An answer larger than any receiver takes is refused at entry: it is not saved, the screen
// says so with its size and the limit, and the other answers keep being saved.
func TestOversizeAnswerIsRefusedAtEntry(t *testing.T) {
	d, id := openDGRA(t, 80, 24)
	d.key("3")
	d.key("c")
	start := time.Now()
	// Pasted: 1,000,001 characters of text, 1 byte each.
	d.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(strings.Repeat("x", survey.MaxValueSize)), Paste: true})
	d.idle()
	t.Logf("paste and pause: %v", time.Since(start))
	if got := d.state(id).Answers["1.1"]; got.Comment != "" || got.Rating != survey.Amber {
		t.Fatalf("saved: %d-byte comment, rating %q", len(got.Comment), got.Rating)
	}
	d.mustSee("NOT SAVED")
	if v := d.view(); !strings.Contains(v, "answer 1.1 is 1.0 MB, over the 1 MB limit: shorten its comment or evidence") {
		t.Fatalf("the notice does not say the size and the limit:\n%s", v)
	}
	// Other answers are still saved.
	d.key("esc", "ctrl+n", "4")
	if got := d.state(id).Answers["1.2"].Rating; got != survey.AmberGreen {
		t.Fatalf("the next answer was not saved: %q", got)
	}
	if d.app.saver.busy() {
		t.Fatal("the refused change is still queued")
	}
}
