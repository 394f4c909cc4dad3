package tui

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/muesli/termenv"

	"github.com/fieldsurvey/fieldsurvey/tui/session"
	"github.com/fieldsurvey/fieldsurvey/tui/styles"
)

// rosterApp opens roster 4.K of an interview holding n rows, 80×24, plain styles.
func rosterApp(b *testing.B, n int) *App {
	q := keyDatasets(b)
	fs, ck := rosterStore(b, q, n)
	sty := styles.New(nil, styles.Plain, termenv.Ascii, true)
	app := New(context.Background(), Options{Lang: "vi", Device: "dev1", Now: ck.now}, fs, catalog{q}, sty)
	app.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	st, err := fs.Interview(context.Background(), rosterInterview)
	if err != nil {
		b.Fatal(err)
	}
	app.Update(openedMsg{st: st, q: q, place: session.Place{Question: "4.K"}})
	if app.question == nil || app.question.ro == nil || len(app.iv.rows("4.K")) != n {
		b.Fatal("the roster did not open")
	}
	_ = app.View()
	return app
}

// measureTimed is measureKeys with an untimed step before each key (prep).
func measureTimed(b *testing.B, app *App, prep func(i int), next func(i int) tea.Msg) {
	b.Helper()
	durs := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		if prep != nil {
			prep(i)
		}
		msg := next(i)
		b.StartTimer()
		start := time.Now()
		app.Update(msg)
		_ = app.View()
		durs = append(durs, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(durs)
	med := durs[len(durs)/2]
	p99 := durs[len(durs)*99/100]
	b.ReportMetric(float64(med.Nanoseconds()), "ns-median")
	b.ReportMetric(float64(p99.Nanoseconds()), "ns-p99")
	b.ReportMetric(float64(med)/float64(2*time.Millisecond), "median/target")
}

// BenchmarkRosterKeystroke is one keystroke (Update and View) on a key datasets roster of
// 200 and 1,000 rows at 80×24: moving the selection, scrolling a page, typing a letter
// into a cell of the row form, and committing an edited row (enter: checked, recorded in
// the interview, queued; the Put itself runs in a command, off the UI loop). Target: median
// under 2 ms at 1,000 rows.
func BenchmarkRosterKeystroke(b *testing.B) {
	text := []rune("Niên giám thống kê tỉnh Đà Nẵng ")
	for _, n := range []int{200, 1000} {
		b.Run(fmt.Sprintf("rows%d/move", n), func(b *testing.B) {
			app := rosterApp(b, n)
			app.question.ro.cur = n / 2
			measureKeys(b, app, func(i int) tea.Msg {
				if i%2 == 0 {
					return tea.KeyMsg{Type: tea.KeyDown}
				}
				return tea.KeyMsg{Type: tea.KeyUp}
			})
		})
		b.Run(fmt.Sprintf("rows%d/scroll", n), func(b *testing.B) {
			app := rosterApp(b, n)
			measureKeys(b, app, func(i int) tea.Msg {
				if (i/20)%2 == 0 { // down 20 pages, then up 20
					return tea.KeyMsg{Type: tea.KeyPgDown}
				}
				return tea.KeyMsg{Type: tea.KeyPgUp}
			})
		})
		b.Run(fmt.Sprintf("rows%d/type", n), func(b *testing.B) {
			app := rosterApp(b, n)
			app.question.ro.cur = n / 2
			app.Update(tea.KeyMsg{Type: tea.KeyEnter})
			app.Update(tea.KeyMsg{Type: tea.KeyTab}) // the data source
			measureKeys(b, app, func(i int) tea.Msg {
				if i%200 == 199 {
					app.question.ro.form.inputs[1].SetValue("") // a realistic length
				}
				return runeKey(text[i%len(text)])
			})
		})
		b.Run(fmt.Sprintf("rows%d/commit", n), func(b *testing.B) {
			app := rosterApp(b, n)
			measureTimed(b, app, func(i int) {
				app.question.ro.cur = (i * 7) % n
				app.Update(tea.KeyMsg{Type: tea.KeyEnter})
				app.Update(tea.KeyMsg{Type: tea.KeyTab})
				app.Update(runeKey(text[i%len(text)]))
			}, func(int) tea.Msg { return tea.KeyMsg{Type: tea.KeyEnter} })
			if app.question.ro.form != nil {
				b.Fatal("the edited row was not committed")
			}
		})
	}
}
