package desk_test

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

	"github.com/fieldsurvey/fieldsurvey/tui/desk"
	"github.com/fieldsurvey/fieldsurvey/tui/storeadapter/deskstore"
)

// TestGoldenScreens draws the desk's screens at 80×24 and 120×40, without colour, in both
// languages, through a real Bubble Tea program (teatest); -update refreshes the files in
// testdata/TestGoldenScreens.
func TestGoldenScreens(t *testing.T) {
	lipgloss.SetColorProfile(termenv.Ascii)
	// A step sends keys (or types text rune by rune), then waits until the screen shows
	// something: commands run asynchronously in a real program.
	type step struct {
		keys  []string
		typed string
		until string
	}
	type screenCase struct {
		name  string
		lang  string
		steps []step
	}
	right6 := []string{"right", "right", "right", "right", "right", "right"}
	cases := []screenCase{
		{"queue_en", "en", nil},
		{"queue_vi", "vi", nil},
		{"interview_en", "en", []step{{keys: []string{"down", "enter"}, until: "Section 1/7"}, {keys: right6, until: "Section 7/7"}}},
		{"interview_vi", "vi", []step{{keys: []string{"enter"}, until: "Phần 1/7"}, {keys: right6, until: "Phần 7/7"}}},
		{"changes_en", "en", []step{{keys: []string{"down", "enter"}, until: "Section 1/7"}, {keys: []string{"c"}, until: "Changes since"}}},
		{"return_en", "en", []step{{keys: []string{"down", "down", "x"}, until: "Why is it returned"}, {typed: "Câu 7.1 thiếu bằng chứng", until: "24 characters"}}},
		{"return_vi", "vi", []step{{keys: []string{"down", "down", "x"}, until: "Vì sao trả lại"}, {typed: "Câu 7.1 thiếu bằng chứng", until: "24 ký tự"}}},
		{"overview_en", "en", []step{{keys: []string{"v"}, until: "All:"}}},
		{"overview_vi", "vi", []step{{keys: []string{"v"}, until: "Tất cả:"}}},
		{"assessments_en", "en", []step{{keys: []string{"T"}, until: "Đánh giá quốc gia 2026"}}},
		{"assessment_en", "en", []step{{keys: []string{"T"}, until: "Đánh giá quốc gia 2026"},
			{keys: []string{"enter"}, until: "Section 1/7"}, {keys: []string{"down", "r"}, until: "esc saves"},
			{typed: "Chưa có số liệu", until: "Chưa có số liệu"}}},
		{"assessment_vi", "vi", []step{{keys: []string{"T"}, until: "Đánh giá quốc gia 2026"},
			{keys: []string{"enter"}, until: "Phần 1/7"}, {keys: right6, until: "Phần 7/7"}}},
		{"assessment_plan_en", "en", []step{{keys: []string{"T"}, until: "Đánh giá quốc gia 2026"},
			{keys: []string{"enter"}, until: "Section 1/7"}, {keys: []string{"tab"}, until: "Action plan"},
			{keys: []string{"a"}, typed: "Lập đội ứng cứu sự cố", until: "Lập đội ứng cứu sự cố"},
			{keys: []string{"tab"}, typed: "Bộ Công an", until: "Bộ Công an"},
			{keys: []string{"tab"}, typed: "2027", until: "2027"},
			{keys: []string{"tab", "tab"}, typed: "7", until: "Depends"},
			{keys: []string{"enter", "enter"}, until: "actions: 1"}}},
	}
	for _, sz := range [][2]int{{80, 24}, {120, 40}} {
		for _, c := range cases {
			t.Run(fmt.Sprintf("%s_%dx%d", c.name, sz[0], sz[1]), func(t *testing.T) {
				f := newFixture(t)
				if strings.HasPrefix(c.name, "assessment") {
					// The team's assessment screens read the assessment withAssessment adds.
					f.withAssessment(t)
				}
				app := desk.New(context.Background(), supervisorOptions(c.lang), deskstore.Desk{S: f.st, Device: lan.Device}, bundledCatalog(t), plainStyles())
				tm := teatest.NewTestModel(t, app, teatest.WithInitialTermSize(sz[0], sz[1]))
				out := &screenOutput{tm: tm}
				out.waitFor(t, "Sở Thông tin")
				for _, st := range c.steps {
					for _, k := range st.keys {
						tm.Send(keyMsg(k))
					}
					for _, r := range st.typed {
						tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
					}
					out.waitFor(t, st.until)
				}
				tm.Send(tea.Quit())
				final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*desk.App)
				view := ansi.Strip(final.View())
				if n := strings.Count(view, "\n") + 1; n != sz[1] {
					t.Errorf("%d lines, want %d", n, sz[1])
				}
				for i, l := range strings.Split(view, "\n") {
					if w := lipgloss.Width(l); w > sz[0] {
						t.Errorf("line %d is %d wide, more than %d: %q", i+1, w, sz[0], l)
					}
				}
				teatest.RequireEqualOutput(t, []byte(view))
			})
		}
	}
}

// screenOutput accumulates what a test program has drawn so far.
type screenOutput struct {
	tm  *teatest.TestModel
	buf bytes.Buffer
}

// waitFor waits until the program has drawn want.
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
