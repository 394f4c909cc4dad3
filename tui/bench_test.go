package tui

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/muesli/termenv"

	"github.com/fieldsurvey/fieldsurvey/questionnaires"
	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
	"github.com/fieldsurvey/fieldsurvey/tui/internal/fakestore"
	"github.com/fieldsurvey/fieldsurvey/tui/session"
	"github.com/fieldsurvey/fieldsurvey/tui/storeadapter"
	"github.com/fieldsurvey/fieldsurvey/tui/styles"
)

// generated returns a questionnaire of n rating questions in sections of 100, where every
// tenth question is asked only when the one before it is not rated red: the size at which
// today's Android collectors slow down.
func generated(b testing.TB, n int) *survey.Questionnaire {
	q := &survey.Questionnaire{Format: survey.QuestionnaireFormat, ID: "gen", Version: "1",
		Title: survey.T("Generated", "Sinh tự động"), Languages: []string{"vi", "en"}}
	var sec *survey.Section
	for i := 1; i <= n; i++ {
		if (i-1)%100 == 0 {
			sec = &survey.Section{ID: fmt.Sprintf("s%d", (i-1)/100+1), Title: survey.T("Section", "Phần")}
			q.Sections = append(q.Sections, sec)
		}
		qu := &survey.Question{ID: fmt.Sprintf("q%d", i), Type: survey.TypeRating, Required: true,
			Text:     survey.T(fmt.Sprintf("Question %d: how ready is it?", i), fmt.Sprintf("Câu %d: mức độ sẵn sàng?", i)),
			Guidance: survey.T("Look at the documents.", "Xem các văn bản."),
			Probes:   []survey.Probe{{Text: survey.T("Who decides?", "Ai quyết định?")}}}
		if i%10 == 0 {
			qu.Relevant = fmt.Sprintf(`answer("q%d") != "red"`, i-1)
		}
		sec.Questions = append(sec.Questions, qu)
	}
	if err := q.Validate(); err != nil {
		b.Fatal(err)
	}
	return q
}

// keystrokeApp opens interview id of q at question qid, 80×24, plain styles.
func keystrokeApp(b *testing.B, q *survey.Questionnaire, qid string, answered int) *App {
	ck := newClock()
	fs := fakestore.New(ck.now)
	w := &session.Writer{Store: fs, Author: session.Author{Device: "dev1"}}
	ctx := context.Background()
	id, err := w.Create(ctx, q, survey.Respondent{Agency: "Sở Thông tin và Truyền thông", Province: "Đà Nẵng", Consent: true})
	if err != nil {
		b.Fatal(err)
	}
	var ch []survey.Change
	for i, qu := range q.Questions() {
		if i >= answered {
			break
		}
		ch = append(ch, session.AnswerChange(id, qu.ID, survey.Answer{Rating: survey.Amber, Comment: "đã có kế hoạch",
			Evidence: []survey.Evidence{{Polarity: survey.Plus, Text: "Quyết định 749/QĐ-TTg", InScope: true}}}))
	}
	if err := w.Put(ctx, ch...); err != nil {
		b.Fatal(err)
	}
	sty := styles.New(nil, styles.Plain, termenv.Ascii, true)
	app := New(ctx, Options{Lang: "vi", Device: "dev1", Now: ck.now}, fs, catalog{q}, sty)
	app.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	st, err := fs.Interview(ctx, id)
	if err != nil {
		b.Fatal(err)
	}
	app.Update(openedMsg{st: st, q: q, place: session.Place{Question: qid}})
	if app.question == nil || app.question.qu.ID != qid {
		b.Fatal("question screen did not open")
	}
	return app
}

// measureKeys times Update+View for each key in turn (commands are not run: writing to the
// store happens off the UI loop) and reports the median and the 99th percentile.
func measureKeys(b *testing.B, app *App, next func(i int) tea.Msg) time.Duration {
	b.Helper()
	durs := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		msg := next(i)
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
	return med
}

func runeKey(r rune) tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}} }

// BenchmarkKeystroke is one keystroke (Update and View) on the question screen: typing a
// letter of a comment, rating, and moving to the next question, on ODRA 3.1 and on a
// generated 5,000-question questionnaire with skip logic on every tenth question.
// Target: median under 2 ms.
func BenchmarkKeystroke(b *testing.B) {
	odra := questionnaire(b, "odra-3.1")
	gen := generated(b, 5000)
	text := []rune("Đã có Luật An ninh mạng và Nghị định 13 về bảo vệ dữ liệu cá nhân. ")
	for _, c := range []struct {
		name     string
		q        *survey.Questionnaire
		qid      string
		answered int
	}{
		{"odra", odra, "3.2", 15},
		{"generated5000", gen, "q2509", 2500}, // its answer decides whether q2510 is asked
	} {
		b.Run(c.name+"/type", func(b *testing.B) {
			app := keystrokeApp(b, c.q, c.qid, c.answered)
			app.Update(runeKey('c')) // into the comment
			measureKeys(b, app, func(i int) tea.Msg {
				if i%2000 == 1999 {
					app.question.comment.SetValue("") // keep the comment a realistic length
				}
				return runeKey(text[i%len(text)])
			})
		})
		b.Run(c.name+"/rate", func(b *testing.B) {
			app := keystrokeApp(b, c.q, c.qid, c.answered)
			keys := []rune{'1', '3', '5', '2', '4'} // red changes whether the next tenth question is asked
			measureKeys(b, app, func(i int) tea.Msg { return runeKey(keys[i%len(keys)]) })
		})
		if c.name == "odra" {
			// Rating with 4,000 characters already in the (unfocused) comment: the comment
			// is drawn on every key, so its wrapping must not be redone each time.
			b.Run(c.name+"/rate-comment4000", func(b *testing.B) {
				app := keystrokeApp(b, c.q, c.qid, c.answered)
				var long []rune
				for len(long) < 4000 {
					long = append(long, text...)
				}
				app.question.comment.SetValue(string(long[:4000]))
				keys := []rune{'1', '3', '5', '2', '4'}
				measureKeys(b, app, func(i int) tea.Msg { return runeKey(keys[i%len(keys)]) })
			})
		}
		b.Run(c.name+"/next", func(b *testing.B) {
			app := keystrokeApp(b, c.q, c.qid, c.answered)
			measureKeys(b, app, func(i int) tea.Msg {
				if i%20 == 19 {
					app.Update(openedMsg{st: app.iv.st, q: c.q, place: session.Place{Question: c.qid}})
				}
				return tea.KeyMsg{Type: tea.KeyRight}
			})
		})
	}
}

var (
	bigStoreOnce sync.Once
	bigStorePath string
	bigStoreErr  error
)

// bigStore builds, once per run, a store with 10,000 DGRA interviews (respondent, status
// and ten answers each) in a temporary folder.
func bigStore(b *testing.B) string {
	bigStoreOnce.Do(func() {
		dir, err := tmpDir()
		if err != nil {
			bigStoreErr = err
			return
		}
		bigStorePath = filepath.Join(dir, "fieldsurvey.db")
		st, err := store.Open(bigStorePath)
		if err != nil {
			bigStoreErr = err
			return
		}
		defer st.Close()
		dgra, err := bundledQ("dgra-2018")
		if err != nil {
			bigStoreErr = err
			return
		}
		provinces := []string{"Hà Nội", "Đà Nẵng", "Thừa Thiên Huế", "Cần Thơ", "Lào Cai", "Quảng Ninh"}
		var ch []survey.Change
		n := 0
		w := &session.Writer{Store: storeadapter.New(st), Author: session.Author{Device: "dev1"},
			IDs: func() (string, error) { n++; return fmt.Sprintf("0192f3a4-0000-7000-8000-%012d", n), nil }}
		qs := dgra.Questions()
		for i := 0; i < 10000; i++ {
			id := fmt.Sprintf("0192f3a4-0000-7000-8000-%012d", i)
			ch = append(ch,
				survey.Change{Target: survey.Target{Interview: id, Kind: survey.KindInterview},
					Value: survey.InterviewMeta{Questionnaire: dgra.ID, QuestionnaireVersion: dgra.Version, Assessor: "An", Device: "dev1"}},
				session.RespondentChange(id, survey.Respondent{Agency: fmt.Sprintf("Sở số %d", i), Province: provinces[i%len(provinces)],
					Date: "2026-11-23", Consent: true}),
				session.StatusChange(id, survey.StatusChange{Status: survey.StatusDraft}))
			for j := 0; j < 10; j++ {
				ch = append(ch, session.AnswerChange(id, qs[j].ID, survey.Answer{Rating: survey.Amber, Comment: "ổn"}))
			}
			if len(ch) > 20000 {
				if bigStoreErr = w.Put(context.Background(), ch...); bigStoreErr != nil {
					return
				}
				ch = nil
			}
		}
		bigStoreErr = w.Put(context.Background(), ch...)
	})
	if bigStoreErr != nil {
		b.Fatal(bigStoreErr)
	}
	return bigStorePath
}

// BenchmarkStartup10k is start-up to the first drawn screen with 10,000 interviews in the
// store: open the store, load the bundled questionnaires, build the screens, list the
// interviews (a count and the first page, indexed queries; no interview's answers are read)
// and draw the home screen. It also reports the time until the progress of the rows on
// screen (loaded lazily, a handful of interviews) is drawn, and its floor (homeFloor),
// measured in the same loop. Target: under 100 ms to the first screen.
func BenchmarkStartup10k(b *testing.B) {
	path := bigStore(b)
	var firstTotal, detailTotal, floorTotal time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		st, err := store.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		qs, err := questionnaires.Bundled()
		if err != nil {
			b.Fatal(err)
		}
		sty := styles.New(nil, styles.Plain, termenv.Ascii, true)
		app := New(context.Background(), Options{Lang: "vi", Device: "dev1"}, storeadapter.New(st), catalog(qs), sty)
		app.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
		var pending []tea.Cmd
		var listed listedMsg
		for _, c := range flatten(app.Init()) {
			if m, ok := c().(listedMsg); ok {
				listed = m
			}
		}
		if total := listed.counts[survey.StatusDraft]; listed.err != nil || total != 10000 || len(listed.items) == 0 {
			b.Fatalf("listed %d of %d interviews: %v", len(listed.items), total, listed.err)
		}
		_, cmd := app.Update(listed)
		_ = app.View()
		firstTotal += time.Since(start)
		pending = flatten(cmd)
		for _, c := range pending {
			app.Update(c())
		}
		_ = app.View()
		detailTotal += time.Since(start)
		b.StopTimer()
		st.Close()
		start = time.Now()
		homeFloor(b, path)
		floorTotal += time.Since(start)
		b.StartTimer()
	}
	b.StopTimer()
	first := firstTotal / time.Duration(b.N)
	floor := floorTotal / time.Duration(b.N)
	b.ReportMetric(float64(first.Microseconds())/1000, "ms-first-screen")
	b.ReportMetric(float64((detailTotal/time.Duration(b.N)).Microseconds())/1000, "ms-with-progress")
	b.ReportMetric(float64(floor.Microseconds())/1000, "ms-floor")
	b.ReportMetric(float64(first)/float64(floor), "first/floor")
	b.ReportMetric(float64(first)/float64(100*time.Millisecond), "first/target")
}

// homeFloor is the floor of the first screen: open the database file with database/sql,
// count the interviews and read the 20 newest summaries (the columns the home screen
// shows) in one plain query each, and format 20 rows of 80 columns. None of the program's
// code runs; any first screen of the list does at least this.
func homeFloor(b *testing.B, path string) {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM interviews WHERE record = 'interview' AND questionnaire != ''`).Scan(&n); err != nil {
		b.Fatal(err)
	}
	rows, err := db.Query(`SELECT id, questionnaire, agency, province, status, answered, sections FROM interviews
		WHERE record = 'interview' AND questionnaire != '' ORDER BY updated DESC, id LIMIT 20`)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	var screen strings.Builder
	fmt.Fprintf(&screen, "%-60s %d interviews\n", "/ to search", n)
	for rows.Next() {
		var id, qn, agency, province, status, sections string
		var answered int
		if err := rows.Scan(&id, &qn, &agency, &province, &status, &answered, &sections); err != nil {
			b.Fatal(err)
		}
		fmt.Fprintf(&screen, "  %-10s %-19.19s %-14.14s %-13s %7d %s\n", qn, agency, province, status, answered, sections)
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
}

// flatten runs batch commands apart into their parts.
func flatten(cmd tea.Cmd) []tea.Cmd {
	if cmd == nil {
		return nil
	}
	var out []tea.Cmd
	msg := cmd()
	if batch, ok := msg.(tea.BatchMsg); ok {
		for _, c := range batch {
			out = append(out, flatten(c)...)
		}
		return out
	}
	return []tea.Cmd{func() tea.Msg { return msg }}
}

func bundledQ(id string) (*survey.Questionnaire, error) {
	qs, err := questionnaires.Bundled()
	if err != nil {
		return nil, err
	}
	for _, q := range qs {
		if q.ID == id {
			return q, nil
		}
	}
	return nil, fmt.Errorf("no bundled %s", id)
}

// BenchmarkTyping4000 is one keystroke (Update and View) typing into a comment that already
// holds 4,000 characters (one paragraph, as assessors write them), on ODRA 3.1 at 80×24,
// with the keystrokes typed at the end of the text and in its middle, and, to show the cost
// does not grow with the text, at the end of a 40-character comment. Its floor, measured
// in the same loop, is what any editor must do per key: insert one rune into a 4,000-rune
// slice and make the new value a string. Target: median under 1 ms, whatever the length.
func BenchmarkTyping4000(b *testing.B) {
	odra := questionnaire(b, "odra-3.1")
	typed := []rune("Đã có Luật An ninh mạng và Nghị định 13 về bảo vệ dữ liệu cá nhân. ")
	var base []rune
	for len(base) < 4000 {
		base = append(base, typed...)
	}
	for _, c := range []struct {
		where string
		n     int
	}{{"end", 4000}, {"middle", 4000}, {"end", 40}} {
		base := base[:c.n]
		where := c.where
		b.Run(fmt.Sprintf("%s%d", where, c.n), func(b *testing.B) {
			app := keystrokeApp(b, odra, "3.2", 15)
			app.Update(runeKey('c')) // into the comment
			reset := func() {
				app.question.comment.SetValue(string(base))
				if where == "middle" { // twenty lines up from the end
					for range 20 {
						app.question.comment, _ = app.question.comment.Update(tea.KeyMsg{Type: tea.KeyUp})
					}
				}
			}
			reset()
			var floor time.Duration
			floorRunes := slices.Clone(base)
			med := measureKeys(b, app, func(i int) tea.Msg {
				if i%200 == 199 {
					reset() // keep the comment at 4,000 characters
					floorRunes = slices.Clone(base)
				}
				start := time.Now()
				floorRunes = slices.Insert(floorRunes, len(floorRunes)/2, typed[i%len(typed)])
				_ = string(floorRunes)
				floor += time.Since(start)
				return runeKey(typed[i%len(typed)])
			})
			b.ReportMetric(float64(floor.Nanoseconds())/float64(b.N), "ns-floor")
			b.ReportMetric(float64(med.Nanoseconds())/(float64(floor.Nanoseconds())/float64(b.N)), "median/floor")
		})
	}
}
