package desk_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/fieldsurvey/fieldsurvey/questionnaires"
	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
	"github.com/fieldsurvey/fieldsurvey/tui/desk"
	"github.com/fieldsurvey/fieldsurvey/tui/storeadapter/deskstore"
	"github.com/fieldsurvey/fieldsurvey/tui/styles"
)

func TestMain(m *testing.M) {
	// Screens show local times; tests and golden files use UTC.
	time.Local = time.UTC
	os.Exit(m.Run())
}

type catalog []*survey.Questionnaire

func (c catalog) List() []*survey.Questionnaire { return c }

var (
	bundledOnce sync.Once
	bundled     catalog
	bundledErr  error
)

func bundledCatalog(t testing.TB) catalog {
	t.Helper()
	bundledOnce.Do(func() {
		qs, err := questionnaires.Bundled()
		bundled, bundledErr = catalog(qs), err
	})
	if bundledErr != nil {
		t.Fatal(bundledErr)
	}
	return bundled
}

// The people of the fixtures: two assessors' laptops and the supervisor's home.
var (
	an   = store.Author{Device: "lap-an", Principal: "an@example.org"}
	binh = store.Author{Device: "lap-binh", Principal: "binh@example.org"}
	lan  = store.Author{Device: "sup-lan", Principal: "lan@example.org"}
	t0   = time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)
)

func ivID(n int) string { return fmt.Sprintf("0193a5b2-7c1e-7000-8000-%012d", n) }

// clockFrom returns a clock that moves one minute per reading.
func clockFrom(start time.Time) func() time.Time {
	var mu sync.Mutex
	t := start
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now := t
		t = t.Add(time.Minute)
		return now
	}
}

// fixture is a supervisor's home store holding five DGRA interviews as merged from two
// laptops: one completed (An, named), one returned then resubmitted with a change (Bình,
// no name: shown by principal), one approved, one with two versions of answer 7.1 (a
// conflict), and one still a draft.
type fixture struct {
	st  *store.Store
	ids []string
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(filepath.Join(t.TempDir(), "home", "fieldsurvey.db"), store.WithClock(clockFrom(t0)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := &fixture{st: st}
	put := func(by store.Author, ch ...survey.Change) {
		t.Helper()
		if _, err := st.Put(ctx, by, ch...); err != nil {
			t.Fatal(err)
		}
	}
	tg := func(id string, k survey.Kind, key string) survey.Target {
		return survey.Target{Interview: id, Kind: k, Key: key}
	}
	version := questionnaireOf(t, "dgra-2018").Version
	create := func(n int, by store.Author, name, agency, province, role string) string {
		id := ivID(n)
		f.ids = append(f.ids, id)
		put(by,
			survey.Change{Target: tg(id, survey.KindInterview, ""), Value: survey.InterviewMeta{Questionnaire: "dgra-2018", QuestionnaireVersion: version, Assessor: name, Device: by.Device}},
			survey.Change{Target: tg(id, survey.KindRespondent, ""), Value: survey.Respondent{Agency: agency, Province: province, Role: role, Date: "2026-11-20", Consent: true}},
			survey.Change{Target: tg(id, survey.KindStatus, ""), Value: survey.StatusChange{Status: survey.StatusDraft}})
		return id
	}
	answer := func(by store.Author, id, q string, r survey.Code, comment string) {
		put(by, survey.Change{Target: tg(id, survey.KindAnswer, q), Value: survey.Answer{Rating: r, Comment: comment}})
	}
	section := func(by store.Author, id, s string, r survey.Code) {
		put(by, survey.Change{Target: tg(id, survey.KindSection, s), Value: survey.SectionSummary{Rating: r, Comment: "nhận xét chung"}})
	}
	status := func(by store.Author, id string, s survey.Status, reason string) {
		put(by, survey.Change{Target: tg(id, survey.KindStatus, ""), Value: survey.StatusChange{Status: s, Reason: reason}})
	}

	a := create(1, an, "Nguyễn Văn An", "Sở Thông tin và Truyền thông", "Đà Nẵng", "Phó giám đốc")
	answer(an, a, "1.1", survey.Amber, "Có chiến lược")
	answer(an, a, "7.1", survey.AmberGreen, "Có khung pháp lý")
	section(an, a, "1", survey.Amber)
	section(an, a, "7", survey.AmberGreen)
	status(an, a, survey.StatusCompleted, "")

	b := create(2, binh, "", "Sở Tư pháp", "Thừa Thiên Huế", "Chánh văn phòng")
	answer(binh, b, "1.1", survey.Red, "Chưa có")
	section(binh, b, "1", survey.Red)
	status(binh, b, survey.StatusCompleted, "")
	status(lan, b, survey.StatusReturned, "Câu 1.1 thiếu bằng chứng")
	answer(binh, b, "1.1", survey.AmberRed, "Có dự thảo chiến lược")
	status(binh, b, survey.StatusResubmitted, "")

	c := create(3, an, "Nguyễn Văn An", "Sở Tài chính", "Đà Nẵng", "Giám đốc")
	answer(an, c, "1.1", survey.Green, "")
	section(an, c, "1", survey.Green)
	section(an, c, "7", survey.Amber)
	status(an, c, survey.StatusCompleted, "")
	status(lan, c, survey.StatusApproved, "")

	d := create(4, an, "Nguyễn Văn An", "Cục Thống kê", "Hà Nội", "Phó cục trưởng")
	answer(an, d, "7.1", survey.Amber, "Theo An")
	section(an, d, "1", survey.AmberGreen)
	status(an, d, survey.StatusCompleted, "")
	// Bình rated 7.1 of the same interview on the other laptop, not knowing An's answer:
	// two heads, merged as a batch would bring them.
	rev, err := survey.NewRevision(tg(d, survey.KindAnswer, "7.1"), survey.Answer{Rating: survey.Red, Comment: "Theo Bình",
		Evidence: []survey.Evidence{{Polarity: survey.Minus, Text: "Chưa có đội ứng cứu sự cố cấp tỉnh", InScope: true},
			{Polarity: survey.Plus, Text: "Luật Bảo vệ dữ liệu cá nhân", Source: "Luật 91/2025/QH15", InScope: false, Note: "chưa có hiệu lực"}}},
		binh.Device, 99, t0.Add(3*time.Hour), binh.Principal, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Append(ctx, rev); err != nil {
		t.Fatal(err)
	}

	create(5, binh, "", "Sở Y tế", "Thừa Thiên Huế", "Chuyên viên")
	// Everything so far came in batches (or went out in one): nothing is pending.
	var ids []string
	if err := st.AllRevisions(ctx, func(r survey.Revision) error { ids = append(ids, r.ID); return nil }); err != nil {
		t.Fatal(err)
	}
	if err := st.Update(ctx, func(tx *store.Tx) error { return tx.MarkBatched("fixture", ids) }); err != nil {
		t.Fatal(err)
	}
	return f
}

func questionnaireOf(t testing.TB, id string) *survey.Questionnaire {
	for _, q := range bundledCatalog(t) {
		if q.ID == id {
			return q
		}
	}
	t.Fatalf("no questionnaire %s", id)
	return nil
}

// statusRevisions returns the status revisions of interview id, as "author@device:status:reason".
func (f *fixture) statusRevisions(t testing.TB, id string) []string {
	t.Helper()
	revs, err := f.st.Revisions(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range revs {
		if r.Kind != survey.KindStatus {
			continue
		}
		var sc survey.StatusChange
		if err := json.Unmarshal(r.Value, &sc); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s@%s:%s:%s", r.Author, r.Device, sc.Status, sc.Reason))
	}
	return out
}

func plainStyles() *styles.Styles {
	return styles.New(&strings.Builder{}, styles.Plain, termenv.Ascii, true)
}

func supervisorOptions(lang string) desk.Options {
	return desk.Options{Lang: lang, Role: survey.RoleSupervisor, Principal: lan.Principal, Device: lan.Device,
		Now: func() time.Time { return t0.Add(8 * time.Hour) }}
}

// driver runs the desk's Update loop synchronously, running commands at once.
type driver struct {
	t    testing.TB
	app  *desk.App
	quit bool
}

func newDriver(t testing.TB, f *fixture, o desk.Options, w, h int) *driver {
	t.Helper()
	d := &driver{t: t, app: desk.New(context.Background(), o, deskstore.Desk{S: f.st, Device: lan.Device}, bundledCatalog(t), plainStyles())}
	d.run(d.app.Init())
	d.send(tea.WindowSizeMsg{Width: w, Height: h})
	return d
}

func (d *driver) send(msg tea.Msg) {
	d.t.Helper()
	_, cmd := d.app.Update(msg)
	d.run(cmd)
}

func (d *driver) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	switch m := cmd().(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range m {
			d.run(c)
		}
	case tea.QuitMsg:
		d.quit = true
	default:
		d.send(m)
	}
}

// keys sends each key: names (enter, esc, tab, down, ctrl+l) or single runes.
func (d *driver) keys(ks ...string) {
	d.t.Helper()
	for _, k := range ks {
		d.send(keyMsg(k))
	}
}

// typeText types s rune by rune, as a person (or an input method) would.
func (d *driver) typeText(s string) {
	for _, r := range s {
		d.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
}

func (d *driver) view() string { return ansi.Strip(d.app.View()) }

func keyMsg(k string) tea.KeyMsg {
	switch k {
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	case "tab":
		return tea.KeyMsg{Type: tea.KeyTab}
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	case "up":
		return tea.KeyMsg{Type: tea.KeyUp}
	case "left":
		return tea.KeyMsg{Type: tea.KeyLeft}
	case "right":
		return tea.KeyMsg{Type: tea.KeyRight}
	case "home":
		return tea.KeyMsg{Type: tea.KeyHome}
	case "ctrl+l":
		return tea.KeyMsg{Type: tea.KeyCtrlL}
	case "ctrl+s":
		return tea.KeyMsg{Type: tea.KeyCtrlS}
	case "f1":
		return tea.KeyMsg{Type: tea.KeyF1}
	case "backspace":
		return tea.KeyMsg{Type: tea.KeyBackspace}
	case "shift+tab":
		return tea.KeyMsg{Type: tea.KeyShiftTab}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}
