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

	"github.com/fieldsurvey/fieldsurvey/tui/session"
	"github.com/fieldsurvey/fieldsurvey/tui/styles"
)

// TestGoldenRoster is a key datasets roster of 200 rows: the table scrolled to the third
// page with a row selected, the help overlay of its keys, and the form of a row whose
// required data source was cleared (not saved, the message beside the field), in English
// and Vietnamese at 80×24 and 120×40.
func TestGoldenRoster(t *testing.T) {
	lipgloss.SetColorProfile(termenv.Ascii)
	type rosterCase struct {
		name  string
		lang  string
		keys  []string
		until []string
	}
	cases := []rosterCase{
		{"table", "en", []string{"pgdown", "pgdown", "down", "down", "down"}, []string{"of 200 (at most 1000)"}},
		{"table_vi", "vi", []string{"pgdown", "pgdown", "down", "down", "down"}, []string{"/ 200 (tối đa 1000)"}},
		{"help", "en", []string{"?"}, []string{"Keys", "move down"}},
		{"help_vi", "vi", []string{"?"}, []string{"Phím tắt", "chuyển xuống"}},
		{"form", "en", []string{"end", "up", "enter", "tab", "ctrl+u", "enter"}, []string{"Row 199 of 200", "✗ required"}},
		{"form_vi", "vi", []string{"end", "up", "enter", "tab", "ctrl+u", "enter"}, []string{"Dòng 199 / 200", "✗ bắt buộc"}},
	}
	for _, sz := range [][2]int{{80, 24}, {120, 40}} {
		for _, c := range cases {
			t.Run(fmt.Sprintf("%s_%dx%d", c.name, sz[0], sz[1]), func(t *testing.T) {
				q := keyDatasets(t)
				fs, ck := rosterStore(t, q, 200)
				sty := styles.New(&bytes.Buffer{}, styles.Plain, termenv.Ascii, true)
				app := New(context.Background(), Options{Lang: c.lang, AssessorName: "Nguyễn Văn An", Device: "dev1",
					Principal: "an", Now: ck.now, CommitDelay: time.Hour}, fs, catalog{q}, sty)
				tm := teatest.NewTestModel(t, app, teatest.WithInitialTermSize(sz[0], sz[1]))
				out := &screenOutput{tm: tm}
				out.waitFor(t, "fieldsurvey")
				tm.Send(OpenInterviewMsg{ID: rosterInterview, At: session.Place{Question: "4.K"}})
				out.waitFor(t, "4.K  ")
				for _, k := range c.keys {
					tm.Send(keyMsg(k))
				}
				for _, u := range c.until {
					out.waitFor(t, u)
				}
				tm.Send(tea.Quit())
				final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*App)
				view := ansi.Strip(final.View())
				if n := strings.Count(view, "\n") + 1; n != sz[1] {
					t.Errorf("%d lines, want %d", n, sz[1])
				}
				for _, l := range strings.Split(view, "\n") {
					if width(l) > sz[0] {
						t.Errorf("line wider than %d: %q", sz[0], l)
					}
				}
				if got := len(fs.Revisions(rosterInterview)); got != 203 {
					t.Errorf("%d revisions after the screen, want 203 (nothing written)", got)
				}
				teatest.RequireEqualOutput(t, []byte(view))
			})
		}
	}
}
