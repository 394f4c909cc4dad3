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
	"github.com/fieldsurvey/fieldsurvey/tui/internal/fakestore"
	"github.com/fieldsurvey/fieldsurvey/tui/session"
	"github.com/fieldsurvey/fieldsurvey/tui/styles"
)

// goldenFixture is a store with three interviews of a fieldwork day, the first half way
// through DGRA pillar 7, at a fixed time with fixed ids.
func goldenFixture(t *testing.T) (*fakestore.Store, *clock, string) {
	t.Helper()
	ck := newClock()
	fs := fakestore.New(ck.now)
	n := 0
	w := &session.Writer{Store: fs, Author: session.Author{Device: "dev1", Principal: "an"}, Assessor: "Nguyễn Văn An",
		IDs: func() (string, error) {
			n++
			return fmt.Sprintf("0192f3a4-0000-7000-8000-00000000000%d", n), nil
		}}
	ctx := context.Background()
	dgra := questionnaire(t, "dgra-2018")
	mk := func(q *survey.Questionnaire, agency, province, role string) string {
		id, err := w.Create(ctx, q, survey.Respondent{Agency: agency, Province: province, Role: role,
			Category: q.Categories()[0].Code, Date: "2026-11-23", Place: "Đà Nẵng", Consent: true})
		if err != nil {
			t.Fatal(err)
		}
		ck.add(7 * time.Minute)
		return id
	}
	put := func(ch ...survey.Change) {
		if err := w.Put(ctx, ch...); err != nil {
			t.Fatal(err)
		}
		ck.add(time.Minute)
	}
	done := mk(questionnaire(t, "example"), "Sở Tư pháp", "Thừa Thiên Huế", "Chánh văn phòng")
	put(session.StatusChange(done, survey.StatusChange{Status: survey.StatusReturned, Reason: "thiếu nhận xét câu 2.3"}))
	mk(questionnaire(t, "odra-3.1"), "Cục Thống kê", "Bộ Kế hoạch và Đầu tư", "Phó cục trưởng")
	id := mk(dgra, "Sở Thông tin và Truyền thông", "Đà Nẵng", "Phó giám đốc")
	ans := func(q string, r survey.Code, comment string, ev ...survey.Evidence) survey.Change {
		return session.AnswerChange(id, q, survey.Answer{Rating: r, Comment: comment, Evidence: ev})
	}
	plus := func(text, src string) survey.Evidence {
		return survey.Evidence{Polarity: survey.Plus, Text: text, Source: src, InScope: true}
	}
	minus := func(text string) survey.Evidence {
		return survey.Evidence{Polarity: survey.Minus, Text: text, InScope: true}
	}
	for _, q := range []string{"1.1", "1.2", "1.3", "1.4", "1.5"} {
		put(ans(q, survey.Amber, "Có chiến lược nhưng kinh phí chưa đủ"))
	}
	put(session.SectionChange(id, "1", survey.SectionSummary{Rating: survey.Amber, Comment: "Cam kết rõ ở cấp tỉnh"}))
	put(ans("7.1", survey.AmberGreen, "Có khung pháp lý, thực thi chưa đồng đều ở cấp huyện",
		plus("Luật An ninh mạng 2018", "Luật 24/2018/QH14"),
		minus("Chưa có đội ứng cứu sự cố cấp tỉnh"),
		survey.Evidence{Polarity: survey.Plus, Text: "Luật Bảo vệ dữ liệu cá nhân", Source: "Luật 91/2025/QH15",
			InScope: false, Note: "chưa có hiệu lực"}))
	put(ans("7.2", survey.Amber, "VNCERT có năng lực; cấp tỉnh phụ thuộc trung ương", plus("VNCERT/CC", "")))
	put(ans("7.3", survey.Green, "Hợp tác quốc tế thường xuyên", plus("Thành viên APCERT", "apcert.org")))
	put(ans("7.4", survey.AmberRed, "Mới có nghị định", minus("Luật chưa có hiệu lực")))
	return fs, ck, id
}

func goldenApp(t *testing.T, lang string) (*App, string) {
	fs, ck, id := goldenFixture(t)
	sty := styles.New(&bytes.Buffer{}, styles.Plain, termenv.Ascii, true)
	app := New(context.Background(), Options{Lang: lang, AssessorName: "Nguyễn Văn An", Device: "dev1",
		Principal: "an", DefaultQuestionnaire: "dgra-2018", Now: ck.now, CommitDelay: time.Hour},
		fs, bundledCatalog(t), sty)
	return app, id
}

// screenOutput accumulates what a test program has drawn so far.
type screenOutput struct {
	tm  *teatest.TestModel
	buf bytes.Buffer
}

// waitFor waits until the program has drawn want (at any time since it started).
func (o *screenOutput) waitFor(t *testing.T, want string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := o.buf.ReadFrom(o.tm.Output()); err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(o.buf.Bytes(), []byte(want)) {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("the screen never showed %q; last output:\n%s", want, ansi.Strip(o.buf.String()))
}

func TestGoldenScreens(t *testing.T) {
	lipgloss.SetColorProfile(termenv.Ascii)
	sizes := [][2]int{{80, 24}, {120, 40}}
	type screenCase struct {
		name  string
		lang  string
		open  session.Place // zero: stay on the home screen
		keys  []string      // sent once the place is shown
		until []string      // what the screen shows when ready (after the keys)
	}
	cases := []screenCase{
		{"home", "vi", session.Place{}, nil, []string{"Sở Thông tin", "9/36"}},
		{"question", "vi", session.Place{Question: "7.1"}, []string{"e", "down"}, []string{"câu 7.1", "▸ Bằng chứng"}},
		{"question_en", "en", session.Place{Question: "7.4"}, nil, []string{"question 7.4"}},
		{"summary", "vi", session.Place{Section: "7"}, nil, []string{"Gợi ý"}},
		{"review", "en", session.Place{Review: true}, []string{"down"}, []string{"Review and complete"}},
	}
	for _, sz := range sizes {
		for _, c := range cases {
			t.Run(fmt.Sprintf("%s_%dx%d", c.name, sz[0], sz[1]), func(t *testing.T) {
				app, id := goldenApp(t, c.lang)
				tm := teatest.NewTestModel(t, app, teatest.WithInitialTermSize(sz[0], sz[1]))
				out := &screenOutput{tm: tm}
				out.waitFor(t, "fieldsurvey")
				if c.open != (session.Place{}) {
					tm.Send(OpenInterviewMsg{ID: id, At: c.open})
					out.waitFor(t, "(DGRA) 2018 ·") // the header of the open interview
				}
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
				teatest.RequireEqualOutput(t, []byte(view))
			})
		}
	}
}

// TestGoldenHomeReturned is the list after a sync brought an interview back from the
// supervisor: its row says returned, selected it gives the reason, and the status line
// says when a batch was last sent and what still waits.
func TestGoldenHomeReturned(t *testing.T) {
	lipgloss.SetColorProfile(termenv.Ascii)
	for _, c := range []struct {
		lang  string
		w, h  int
		until string
	}{{"vi", 80, 24, "Bị trả lại: thiếu nhận xét câu 2.3"}, {"en", 120, 40, "Returned: thiếu nhận xét câu 2.3"}} {
		t.Run(fmt.Sprintf("%s_%dx%d", c.lang, c.w, c.h), func(t *testing.T) {
			fs, ck, _ := goldenFixture(t)
			list, err := fs.List(context.Background(), session.ListOptions{Search: "Sở Tư pháp"})
			if err != nil || len(list) != 1 {
				t.Fatalf("fixture: %v %v", list, err)
			}
			returned := list[0].ID
			sent := ck.now()
			sy := &fakeSync{info: SyncInfo{Waiting: 2, LastSent: sent.Add(-26 * time.Hour), Offline: true}}
			sy.result = SyncResult{Info: SyncInfo{Waiting: 1, LastSent: sent, LastAttempt: sent}, Sent: 2,
				Returned: []SyncDecision{{Interview: returned, Reason: "thiếu nhận xét câu 2.3", By: "Trần Thị Bình"}}}
			sty := styles.New(&bytes.Buffer{}, styles.Plain, termenv.Ascii, true)
			app := New(context.Background(), Options{Lang: c.lang, AssessorName: "Nguyễn Văn An", Device: "dev1",
				Principal: "an", Now: ck.now, CommitDelay: time.Hour, Sync: sy}, fs, bundledCatalog(t), sty)
			tm := teatest.NewTestModel(t, app, teatest.WithInitialTermSize(c.w, c.h))
			out := &screenOutput{tm: tm}
			out.waitFor(t, "3 ") // the list is shown
			tm.Send(keyMsg("ctrl+s"))
			out.waitFor(t, "thiếu nhận xét câu 2.3") // the notice of what came down
			tm.Send(keyMsg("down"))
			tm.Send(keyMsg("down"))
			out.waitFor(t, c.until)
			tm.Send(tea.Quit())
			final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*App)
			view := ansi.Strip(final.View())
			if n := strings.Count(view, "\n") + 1; n != c.h {
				t.Errorf("%d lines, want %d", n, c.h)
			}
			if sy.calls != 1 {
				t.Errorf("%d syncs, want 1", sy.calls)
			}
			teatest.RequireEqualOutput(t, []byte(view))
		})
	}
}
