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
	"github.com/fieldsurvey/fieldsurvey/tui/session"
	"github.com/fieldsurvey/fieldsurvey/tui/styles"
)

// TestGoldenConflict draws the versions of a conflicted answer side by side (or one above
// the other) and the history of the answer after the conflict was settled, at 80×24 and
// 120×40, in Vietnamese and English.
func TestGoldenConflict(t *testing.T) {
	lipgloss.SetColorProfile(termenv.Ascii)
	cases := []struct {
		name    string
		lang    string
		settled bool        // settle the conflict (version 2 taken) before opening
		steps   [][2]string // on question 7.1: a key, and what the screen shows after it
	}{
		{"versions_vi", "vi", false, [][2]string{{"v", "Các phiên bản của"}}},
		{"versions_en", "en", false, [][2]string{{"v", "Versions of"}, {"right", "▸ [2] an"}}},
		{"history_vi", "vi", true, [][2]string{{"h", "giữ nguyên"}}},
		{"history_en", "en", true, [][2]string{{"h", "taken as it was"}}},
	}
	for _, sz := range [][2]int{{80, 24}, {120, 40}} {
		for _, c := range cases {
			t.Run(fmt.Sprintf("%s_%dx%d", c.name, sz[0], sz[1]), func(t *testing.T) {
				fs, ck, id := goldenFixture(t)
				heads := withConflict(t, fs, ck, id)
				if c.settled {
					ck.add(20 * time.Minute)
					seen := []string{heads[0].ID, heads[1].ID}
					if _, err := fs.Settle(context.Background(), session.Author{Device: "sup-1", Principal: "Lê Văn Sơn"},
						heads[0].Target(), heads[1].Value, seen); err != nil {
						t.Fatal(err)
					}
				}
				sty := styles.New(&bytes.Buffer{}, styles.Plain, termenv.Ascii, true)
				app := New(context.Background(), Options{Lang: c.lang, AssessorName: "Nguyễn Văn An", Device: "dev1",
					Principal: "an", Now: ck.now, CommitDelay: time.Hour, Role: survey.RoleAssessor}, fs, bundledCatalog(t), sty)
				tm := teatest.NewTestModel(t, app, teatest.WithInitialTermSize(sz[0], sz[1]))
				out := &screenOutput{tm: tm}
				out.waitFor(t, "fieldsurvey")
				tm.Send(OpenInterviewMsg{ID: id, At: session.Place{Question: "7.1"}})
				out.waitFor(t, "7.1")
				for _, st := range c.steps {
					tm.Send(keyMsg(st[0]))
					out.waitFor(t, st[1])
				}
				tm.Send(tea.Quit())
				final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*App)
				view := ansi.Strip(final.View())
				if n := strings.Count(view, "\n") + 1; n != sz[1] {
					t.Errorf("%d lines, want %d", n, sz[1])
				}
				teatest.RequireEqualOutput(t, []byte(view))
			})
		}
	}
}
