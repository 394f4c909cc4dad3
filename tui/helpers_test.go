package tui

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/fieldsurvey/fieldsurvey/questionnaires"
	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/tui/internal/fakestore"
	"github.com/fieldsurvey/fieldsurvey/tui/session"
	"github.com/fieldsurvey/fieldsurvey/tui/styles"
)

// catalog is a fixed list of questionnaires.
type catalog []*survey.Questionnaire

func (c catalog) List() []*survey.Questionnaire { return c }

var (
	bundledOnce sync.Once
	bundled     catalog
	bundledErr  error
)

// bundledCatalog returns the questionnaires embedded in the binary.
func bundledCatalog(t testing.TB) catalog {
	t.Helper()
	bundledOnce.Do(func() {
		qs, err := questionnaires.Bundled()
		bundled, bundledErr = catalog(qs), err
	})
	if bundledErr != nil {
		t.Fatalf("bundled questionnaires: %v", bundledErr)
	}
	return bundled
}

// questionnaire returns the latest bundled version of questionnaire id.
func questionnaire(t testing.TB, id string) *survey.Questionnaire {
	t.Helper()
	q, ok := session.Latest(bundledCatalog(t), id)
	if !ok {
		t.Fatalf("no bundled questionnaire %s", id)
	}
	return q
}

// clock is a fake clock that moves only when told.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock {
	return &clock{t: time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)}
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// driver runs the App's Update loop synchronously: it executes commands at once and feeds
// their messages back, holding the "typing paused" messages until idle is called.
type driver struct {
	t      testing.TB
	app    *App
	store  *fakestore.Store
	clock  *clock
	quit   bool
	held   []tea.Msg
	lang   []string
	notice []string
}

type driverOpt func(*Options)

func newDriver(t testing.TB, w, h int, opts ...driverOpt) *driver {
	t.Helper()
	ck := newClock()
	return newDriverOn(t, w, h, fakestore.New(ck.now), ck, opts...)
}

// newDriverOn is newDriver on a store filled beforehand (and its clock).
func newDriverOn(t testing.TB, w, h int, fs *fakestore.Store, ck *clock, opts ...driverOpt) *driver {
	t.Helper()
	d := &driver{t: t, store: fs, clock: ck}
	o := Options{Lang: "en", AssessorName: "Nguyễn Văn An", Principal: "an@example.org", Device: "dev1",
		DefaultQuestionnaire: "example", Now: ck.now, CommitDelay: time.Millisecond,
		OnLanguage: func(l string) error { d.lang = append(d.lang, l); return nil }}
	for _, f := range opts {
		f(&o)
	}
	sty := styles.New(&strings.Builder{}, styles.Plain, termenv.Ascii, true)
	d.app = New(context.Background(), o, fs, bundledCatalog(t), sty)
	d.app.syncEvery = time.Microsecond // the driver drops the timer's message
	d.run(d.app.Init())
	d.send(tea.WindowSizeMsg{Width: w, Height: h})
	return d
}

// send delivers msg and runs what it returns.
func (d *driver) send(msg tea.Msg) {
	d.t.Helper()
	_, cmd := d.app.Update(msg)
	d.run(cmd)
}

func (d *driver) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	msg := cmd()
	switch m := msg.(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range m {
			d.run(c)
		}
	case tea.QuitMsg:
		d.quit = true
	case textIdleMsg:
		d.held = append(d.held, m)
	case retryMsg, syncTickMsg:
		// timers: tests deliver these themselves
	default:
		d.send(m)
	}
}

// idle delivers the held "typing paused" messages, as if a second had passed.
func (d *driver) idle() {
	held := d.held
	d.held = nil
	for _, m := range held {
		d.send(m)
	}
}

// key sends named keys: "enter", "ctrl+c", "tab", "esc", or a single rune.
func (d *driver) key(names ...string) {
	d.t.Helper()
	for _, n := range names {
		d.send(keyMsg(n))
	}
}

func keyMsg(n string) tea.KeyMsg {
	switch n {
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	case "tab":
		return tea.KeyMsg{Type: tea.KeyTab}
	case "shift+tab":
		return tea.KeyMsg{Type: tea.KeyShiftTab}
	case "up":
		return tea.KeyMsg{Type: tea.KeyUp}
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	case "left":
		return tea.KeyMsg{Type: tea.KeyLeft}
	case "right":
		return tea.KeyMsg{Type: tea.KeyRight}
	case "pgdown":
		return tea.KeyMsg{Type: tea.KeyPgDown}
	case "pgup":
		return tea.KeyMsg{Type: tea.KeyPgUp}
	case "backspace":
		return tea.KeyMsg{Type: tea.KeyBackspace}
	case "space":
		return tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}
	case "ctrl+c":
		return tea.KeyMsg{Type: tea.KeyCtrlC}
	case "ctrl+e":
		return tea.KeyMsg{Type: tea.KeyCtrlE}
	case "ctrl+l":
		return tea.KeyMsg{Type: tea.KeyCtrlL}
	case "ctrl+n":
		return tea.KeyMsg{Type: tea.KeyCtrlN}
	case "ctrl+p":
		return tea.KeyMsg{Type: tea.KeyCtrlP}
	case "ctrl+s":
		return tea.KeyMsg{Type: tea.KeyCtrlS}
	case "ctrl+u":
		return tea.KeyMsg{Type: tea.KeyCtrlU}
	case "f1":
		return tea.KeyMsg{Type: tea.KeyF1}
	case "home":
		return tea.KeyMsg{Type: tea.KeyHome}
	case "end":
		return tea.KeyMsg{Type: tea.KeyEnd}
	}
	r := []rune(n)
	if len(r) != 1 {
		panic("unknown key " + n)
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: r}
}

// typeText types s rune by rune, as a terminal delivers composed Vietnamese input.
func (d *driver) typeText(s string) {
	for _, r := range s {
		if r == ' ' {
			d.send(tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}})
			continue
		}
		d.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
}

// view is the screen without escape codes.
func (d *driver) view() string { return ansi.Strip(d.app.View()) }

func (d *driver) mustSee(parts ...string) {
	d.t.Helper()
	v := d.view()
	for _, p := range parts {
		if !strings.Contains(v, p) {
			d.t.Fatalf("screen does not show %q:\n%s", p, v)
		}
	}
}

func (d *driver) mustNotSee(parts ...string) {
	d.t.Helper()
	v := d.view()
	for _, p := range parts {
		if strings.Contains(v, p) {
			d.t.Fatalf("screen shows %q but should not:\n%s", p, v)
		}
	}
}

// create makes an interview of questionnaire qid directly in the store.
func (d *driver) create(qid, agency, province string) string {
	d.t.Helper()
	w := &session.Writer{Store: d.store, Author: session.Author{Device: "dev1", Principal: "an"}, Assessor: "An"}
	id, err := w.Create(context.Background(), questionnaire(d.t, qid), survey.Respondent{
		Agency: agency, Province: province, Role: "Phó giám đốc", Category: "", Date: "2026-11-23", Consent: true})
	if err != nil {
		d.t.Fatal(err)
	}
	d.clock.add(time.Minute)
	return id
}

// state reads interview id back from the store.
func (d *driver) state(id string) *survey.InterviewState {
	d.t.Helper()
	st, err := d.store.Interview(context.Background(), id)
	if err != nil {
		d.t.Fatal(err)
	}
	return st
}

// open opens interview id in the app (as enter on the home list would).
func (d *driver) open(id string) {
	d.t.Helper()
	d.send(OpenInterviewMsg{ID: id})
	if d.app.iv == nil {
		d.t.Fatalf("interview %s did not open; status line: %s", id, d.view())
	}
}
