package desk_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
	"github.com/fieldsurvey/fieldsurvey/tui/desk"
	"github.com/fieldsurvey/fieldsurvey/tui/storeadapter/deskstore"
)

// hubFixture writes n DGRA interviews into a new hub store, as merged from 40 assessors in
// 63 provinces: a creation, a respondent, two answers, the overall rating of pillars
// (rated) and a status each, all marked as batched (as a merge leaves them). It is written
// in transactions of 2,000 interviews.
func hubFixture(b testing.TB, path string, n, rated int) *store.Store {
	b.Helper()
	ctx := context.Background()
	if path == "" {
		path = filepath.Join(b.TempDir(), "hub.db")
	}
	st, err := store.Open(path, store.WithClock(clockFrom(t0)))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	q := questionnaireOf(b, "dgra-2018")
	rng := rand.New(rand.NewPCG(1, 2))
	codes := []survey.Code{survey.Red, survey.AmberRed, survey.Amber, survey.AmberGreen, survey.Green}
	statuses := []survey.Status{survey.StatusCompleted, survey.StatusSubmitted, survey.StatusResubmitted,
		survey.StatusReturned, survey.StatusApproved, survey.StatusDraft}
	for start := 0; start < n; start += 2000 {
		err := st.Update(ctx, func(tx *store.Tx) error {
			var ids []string
			for i := start; i < min(n, start+2000); i++ {
				id := ivID(100000 + i)
				by := store.Author{Device: fmt.Sprintf("lap-%02d", i%40), Principal: fmt.Sprintf("assessor%02d@example.org", i%40)}
				tg := func(k survey.Kind, key string) survey.Target { return survey.Target{Interview: id, Kind: k, Key: key} }
				ch := []survey.Change{
					{Target: tg(survey.KindInterview, ""), Value: survey.InterviewMeta{Questionnaire: q.ID, QuestionnaireVersion: q.Version,
						Assessor: fmt.Sprintf("Người đánh giá %02d", i%40), Device: by.Device}},
					{Target: tg(survey.KindRespondent, ""), Value: survey.Respondent{Agency: fmt.Sprintf("Sở %d", i%300),
						Province: fmt.Sprintf("Tỉnh %02d", i%63), Consent: true}},
					{Target: tg(survey.KindAnswer, "1.1"), Value: survey.Answer{Rating: codes[rng.IntN(5)], Comment: "Có chiến lược"}},
					{Target: tg(survey.KindAnswer, "7.1"), Value: survey.Answer{Rating: codes[rng.IntN(5)]}},
				}
				for _, sec := range q.Sections[:rated] {
					ch = append(ch, survey.Change{Target: tg(survey.KindSection, sec.ID), Value: survey.SectionSummary{Rating: codes[rng.IntN(5)], Comment: "ok"}})
				}
				ch = append(ch, survey.Change{Target: tg(survey.KindStatus, ""), Value: survey.StatusChange{Status: statuses[rng.IntN(len(statuses))]}})
				revs, err := tx.Put(by, ch...)
				if err != nil {
					return err
				}
				for _, r := range revs {
					ids = append(ids, r.ID)
				}
			}
			return tx.MarkBatched("merged", ids)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	return st
}

// keystrokes measures Update+View of each key in turn, and reports the median and p99.
func keystrokes(b *testing.B, app *desk.App, keys []string) {
	b.Helper()
	var times []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := keyMsg(keys[i%len(keys)])
		t := time.Now()
		app.Update(k) // the commands it returns (reads) run off the UI loop: not counted
		_ = app.View()
		times = append(times, time.Since(t))
	}
	b.StopTimer()
	slices.Sort(times)
	med, p99 := times[len(times)/2], times[min(len(times)-1, len(times)*99/100)]
	b.ReportMetric(float64(med.Microseconds())/1000, "ms-median")
	b.ReportMetric(float64(p99.Microseconds())/1000, "ms-p99")
	b.Logf("%d keystrokes: median %v, p99 %v", len(times), med, p99)
}

var benchHub *store.Store

func hub10k(b *testing.B) *store.Store {
	if benchHub == nil {
		t := time.Now()
		benchHub = hubFixture(&benchTB{b}, "", 10000, 7)
		b.Logf("10,000 interviews written in %v", time.Since(t))
	}
	return benchHub
}

// benchTB keeps the fixture alive across the benchmarks of the package (its cleanup is
// left to TestMain's process end: the temporary folder goes with the process's temp dir).
type benchTB struct{ *testing.B }

func (t *benchTB) Cleanup(func()) {}
func (t *benchTB) TempDir() string {
	d, err := os.MkdirTemp("", "fieldsurvey-desk-bench-")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// BenchmarkQueueKeystroke: moving in the queue of a 10,000-interview hub (target < 5 ms).
func BenchmarkQueueKeystroke(b *testing.B) {
	st := hub10k(b)
	d := &driver{t: b, app: desk.New(context.Background(), supervisorOptions("vi"), deskstore.Desk{S: st, Device: lan.Device}, bundledCatalog(b), plainStyles())}
	d.run(d.app.Init())
	d.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	if v := d.view(); !strings.Contains(v, "/10000") && !strings.Contains(v, "10000") {
		b.Fatalf("the queue does not show the hub:\n%s", v)
	}
	keystrokes(b, d.app, []string{"down", "down", "down", "up", "j", "k", "down", "up"})
}

// BenchmarkOverviewKeystroke: moving in the province × section grid of a 10,000-interview
// hub (target < 5 ms).
func BenchmarkOverviewKeystroke(b *testing.B) {
	st := hub10k(b)
	d := &driver{t: b, app: desk.New(context.Background(), supervisorOptions("vi"), deskstore.Desk{S: st, Device: lan.Device}, bundledCatalog(b), plainStyles())}
	d.run(d.app.Init())
	d.send(tea.WindowSizeMsg{Width: 120, Height: 40})
	d.keys("v")
	if v := d.view(); !strings.Contains(v, "10000 phỏng vấn") {
		b.Fatalf("the overview does not show the hub:\n%s", v)
	}
	keystrokes(b, d.app, []string{"down", "right", "down", "right", "up", "left", "up", "left"})
}

// BenchmarkFirstScreen100k: from opening the store to the first screen of the queue on a
// 100,000-interview hub (target < 500 ms), with the desk's first commands running
// concurrently as Bubble Tea runs them. The fixture takes minutes to write: set
// FIELDSURVEY_BENCH_100K=1 to run it, and FIELDSURVEY_BENCH_100K_DB=FILE to keep the hub
// in FILE between runs (it is written when missing).
func BenchmarkFirstScreen100k(b *testing.B) {
	if os.Getenv("FIELDSURVEY_BENCH_100K") == "" {
		b.Skip("set FIELDSURVEY_BENCH_100K=1 to write a 100,000-interview hub and time the first screen on it")
	}
	path := os.Getenv("FIELDSURVEY_BENCH_100K_DB")
	if _, err := os.Stat(path); path == "" || err != nil {
		t := time.Now()
		st := hubFixture(b, path, 100000, 3)
		b.Logf("100,000 interviews written in %v", time.Since(t))
		path = st.Path()
		st.Close()
	}
	var times []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		s, err := store.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		opened := time.Since(start)
		app := desk.New(context.Background(), supervisorOptions("vi"), deskstore.Desk{S: s, Device: lan.Device}, bundledCatalog(b), plainStyles())
		app.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
		msgs := make(chan tea.Msg, 16)
		var launch func(tea.Cmd)
		launch = func(cmd tea.Cmd) {
			if cmd == nil {
				return
			}
			go func() {
				switch m := cmd().(type) {
				case tea.BatchMsg:
					for _, c := range m {
						launch(c)
					}
				case nil:
				default:
					msgs <- m
				}
			}()
		}
		launch(app.Init())
		for !strings.Contains(app.View(), "200/100000") {
			select {
			case m := <-msgs:
				_, cmd := app.Update(m)
				launch(cmd)
			case <-time.After(30 * time.Second):
				b.Fatalf("no first screen after 30 s:\n%s", app.View())
			}
		}
		elapsed := time.Since(start)
		times = append(times, elapsed)
		b.StopTimer()
		ft := time.Now()
		if _, err := s.Facets(context.Background()); err != nil {
			b.Fatal(err)
		}
		b.Logf("first screen %v (store open %v; the filters' facets, read alongside, take %v alone)", elapsed, opened, time.Since(ft))
		time.Sleep(time.Second) // let the commands still running finish before closing
		s.Close()
		b.StartTimer()
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "ms-median")
}
