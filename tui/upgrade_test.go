package tui

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"github.com/fieldsurvey/fieldsurvey/questionnaires"
	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/tui/internal/fakestore"
	"github.com/fieldsurvey/fieldsurvey/tui/session"
	"github.com/fieldsurvey/fieldsurvey/tui/styles"
)

// pilotSource is version 1.0 of a small questionnaire; 2.0 renames 1.3 to 1.4, drops 2.5
// and recodes option other-body of 1.1 to other.
const pilotSource = `format: fieldsurvey-questionnaire/1
id: pilot
version: "1.0"
title: {en: "Pilot questionnaire", vi: "Bảng hỏi thử nghiệm"}
languages: [vi, en]
sections:
  - id: "1"
    title: {en: "Publication", vi: "Công bố"}
    questions:
      - id: "1.1"
        type: single
        text: {en: "Who publishes?", vi: "Ai công bố?"}
        options:
          - {code: ministry, label: {en: "A ministry", vi: "Bộ"}}
          - {code: other-body, label: {en: "Another body", vi: "Cơ quan khác"}}
      - id: "1.3"
        type: text
        text: {en: "Which portal?", vi: "Cổng dữ liệu nào?"}
  - id: "2"
    title: {en: "Datasets", vi: "Dữ liệu"}
    questions:
      - id: "2.1"
        type: number
        text: {en: "How many datasets?", vi: "Bao nhiêu bộ dữ liệu?"}
      - id: "2.5"
        type: text
        text: {en: "Any remark?", vi: "Ghi chú?"}
`

func pilotVersions(t *testing.T) (v1, v2 *survey.Questionnaire) {
	t.Helper()
	v1, err := questionnaires.Parse("pilot-1.yaml", []byte(pilotSource))
	if err != nil {
		t.Fatal(err)
	}
	src2 := strings.NewReplacer(`version: "1.0"`, `version: "2.0"
migrates_from:
  version: "1.0"
  renamed: {"1.3": "1.4"}
  removed: ["2.5"]
  choices: {"1.1": {other-body: other}}`, `id: "1.3"`, `id: "1.4"`, `code: other-body`, `code: other`).Replace(pilotSource)
	src2 = src2[:strings.Index(src2, `      - id: "2.5"`)]
	v2, err = questionnaires.Parse("pilot-2.yaml", []byte(src2))
	if err != nil {
		t.Fatal(err)
	}
	return v1, v2
}

// growing is a catalog that a background sync adds to (Refresh is a no-op: Add is seen at
// once).
type growing struct {
	mu sync.Mutex
	qs []*survey.Questionnaire
}

func (g *growing) List() []*survey.Questionnaire {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]*survey.Questionnaire(nil), g.qs...)
}

func (g *growing) add(q *survey.Questionnaire) {
	g.mu.Lock()
	g.qs = append(g.qs, q)
	g.mu.Unlock()
}

func (g *growing) Refresh() error { return nil }

// upgradeDriver is a driver on cat with a draft of pilot 1.0 answered 1.1 other-body, 1.3
// and 2.5; it returns the draft's id.
func upgradeDriver(t *testing.T, cat Catalog, w, h int, opts ...driverOpt) (*driver, string) {
	t.Helper()
	ck := newClock()
	fs := fakestore.New(ck.now)
	d := &driver{t: t, store: fs, clock: ck}
	v1, _ := pilotVersions(t)
	wr := &session.Writer{Store: fs, Author: session.Author{Device: "dev1", Principal: "an@example.org"}, Assessor: "An",
		IDs: func() (string, error) { return "0193a5b2-7c1e-7000-8000-000000000001", nil }}
	ctx := context.Background()
	id, err := wr.Create(ctx, v1, survey.Respondent{Agency: "Sở Tư pháp", Province: "Thừa Thiên Huế", Role: "Phó giám đốc",
		Category: "data-holder", Date: "2026-11-23", Consent: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := wr.Put(ctx, session.AnswerChange(id, "1.1", survey.Answer{Value: "other-body"}),
		session.AnswerChange(id, "1.3", survey.Answer{Value: "data.hue.gov.vn"}),
		session.AnswerChange(id, "2.5", survey.Answer{Value: "Cần thêm nhân lực"})); err != nil {
		t.Fatal(err)
	}
	ck.add(time.Minute)
	o := Options{Lang: "en", AssessorName: "Nguyễn Văn An", Principal: "an@example.org", Device: "dev1",
		DefaultQuestionnaire: "pilot", Now: ck.now, CommitDelay: time.Millisecond}
	for _, f := range opts {
		f(&o)
	}
	sty := styles.New(&strings.Builder{}, styles.Plain, termenv.Ascii, true)
	d.app = New(context.Background(), o, fs, cat, sty)
	d.app.syncEvery = time.Microsecond
	d.run(d.app.Init())
	d.send(tea.WindowSizeMsg{Width: w, Height: h})
	return d, id
}

func TestUpgradeOfferedWhenADraftOpens(t *testing.T) {
	v1, v2 := pilotVersions(t)
	d, id := upgradeDriver(t, catalog{v1, v2}, 80, 24)
	d.open(id)
	d.mustSee("A new version of the questionnaire", "Pilot questionnaire: version 1.0 → 2.0",
		`• moved: answer to 1.3 → question 1.4 "Which portal?"`, `• recoded: 1.1 "Who publishes?": other-body → other`,
		`• no longer asked: 2.5 "Any remark?" (removed in version 2.0): the answer is`,
		"enter move to the new version", "esc/l later")

	// Later: the interview opens on 1.0, unchanged.
	d.key("esc")
	d.mustNotSee("A new version of the questionnaire")
	d.mustSee("2.1  How many datasets?") // the first question not answered
	if st := d.state(id); st.Meta.QuestionnaireVersion != "1.0" || st.Answers["1.3"].Value != "data.hue.gov.vn" {
		t.Fatalf("later changed the interview: %+v %+v", st.Meta, st.Answers)
	}
	// Going on within the interview does not ask again…
	d.key("ctrl+n")
	d.mustNotSee("A new version of the questionnaire")
	// …opening it again does; in Vietnamese too.
	d.send(HomeMsg{})
	d.key("ctrl+l")
	d.open(id)
	d.mustSee("Phiên bản mới của bảng hỏi", "• chuyển: câu trả lời của 1.3 → câu hỏi 1.4", "esc/l để sau")
	d.key("ctrl+l")

	// Accept: one write by this device; the interview reopens on 2.0 with 1.3's answer
	// under 1.4, 1.1 recoded, 2.5 kept.
	d.key("enter")
	d.mustNotSee("A new version of the questionnaire")
	d.mustSee("The interview is now on version 2.0 of the questionnaire.")
	st := d.state(id)
	if st.Meta.QuestionnaireVersion != "2.0" {
		t.Fatalf("version %s after accepting", st.Meta.QuestionnaireVersion)
	}
	want := survey.Answers{"1.1": {Value: "other"}, "1.4": {Value: "data.hue.gov.vn"}, "2.5": {Value: "Cần thêm nhân lực"}}
	for k, a := range want {
		if st.Answers[k].Value != a.Value {
			t.Errorf("answer %s = %v, want %v", k, st.Answers[k].Value, a.Value)
		}
	}
	if _, ok := st.Answers["1.3"]; ok {
		t.Error("1.3 still answered after the move")
	}
	if d.app.iv == nil || d.app.iv.q.Version != "2.0" {
		t.Fatal("the open interview is not on 2.0")
	}
	// No offer any more.
	d.send(HomeMsg{})
	d.open(id)
	d.mustNotSee("A new version of the questionnaire")
}

func TestUpgradeNotOfferedToACompletedInterview(t *testing.T) {
	v1, v2 := pilotVersions(t)
	d, id := upgradeDriver(t, catalog{v1, v2}, 80, 24)
	w := &session.Writer{Store: d.store, Author: session.Author{Device: "dev1"}}
	if err := w.Put(context.Background(), session.StatusChange(id, survey.StatusChange{Status: survey.StatusCompleted})); err != nil {
		t.Fatal(err)
	}
	d.open(id)
	d.mustNotSee("A new version of the questionnaire")
	if d.app.iv == nil || d.app.iv.q.Version != "1.0" {
		t.Fatal("the completed interview did not open on its version")
	}
}

// TestUpgradeArrivesBySyncWhileTyping: background sync installs 2.0 while the assessor
// types in 1.3. The screen stays; leaving the question shows the offer; what was typed is
// saved first and moves with the answer.
func TestUpgradeArrivesBySyncWhileTyping(t *testing.T) {
	v1, v2 := pilotVersions(t)
	cat := &growing{qs: []*survey.Questionnaire{v1}}
	fs := &fakeSync{info: SyncInfo{LastSent: yesterday}}
	d, id := upgradeDriver(t, cat, 80, 24, withSync(fs))
	d.send(OpenInterviewMsg{ID: id, At: session.Place{Question: "1.3"}})
	d.mustNotSee("A new version of the questionnaire")
	d.mustSee("Which portal?")
	d.send(tea.KeyMsg{Type: tea.KeyEnd}) // the text field has focus: to its end
	d.typeText(" và Huế")
	if !d.app.current().Typing() {
		t.Fatal("not typing")
	}

	fs.onSync = func() { cat.add(v2) }
	fs.result = SyncResult{Info: SyncInfo{LastSent: d.clock.now()}, Questionnaires: []string{"pilot@2.0"}}
	d.key("ctrl+s")
	d.mustSee("Which portal?")
	d.mustNotSee("A new version of the questionnaire")
	d.mustSee("Version 2.0 of this questionnaire has arrived: what it changes is shown when you")
	if !d.app.current().Typing() {
		t.Fatal("the sync took the text field away")
	}

	d.key("esc") // leave the field
	d.key("ctrl+n")
	d.mustSee("A new version of the questionnaire", "moved: answer to 1.3 → question 1.4")
	d.idle()
	d.key("enter")
	d.mustSee("The interview is now on version 2.0 of the questionnaire.")
	st := d.state(id)
	if st.Meta.QuestionnaireVersion != "2.0" || st.Answers["1.4"].Value != "data.hue.gov.vn và Huế" {
		t.Fatalf("after: %s %+v", st.Meta.QuestionnaireVersion, st.Answers)
	}
}

// TestGoldenUpgrade is the offer of a newer questionnaire version as the draft opens, in
// Vietnamese at 80×24 and in English at 120×40.
func TestGoldenUpgrade(t *testing.T) {
	lipgloss.SetColorProfile(termenv.Ascii)
	for _, c := range []struct {
		lang  string
		w, h  int
		until string
	}{{"vi", 80, 24, "Phiên bản mới của bảng hỏi"}, {"en", 120, 40, "A new version of the questionnaire"}} {
		t.Run(fmt.Sprintf("%s_%dx%d", c.lang, c.w, c.h), func(t *testing.T) {
			v1, v2 := pilotVersions(t)
			d, id := upgradeDriver(t, catalog{v1, v2}, c.w, c.h, func(o *Options) { o.Lang = c.lang; o.CommitDelay = time.Hour })
			app := d.app
			tm := teatest.NewTestModel(t, app, teatest.WithInitialTermSize(c.w, c.h))
			out := &screenOutput{tm: tm}
			out.waitFor(t, "fieldsurvey")
			tm.Send(OpenInterviewMsg{ID: id})
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
