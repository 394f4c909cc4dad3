package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/tui/keys"
)

// NameAskedKey is the meta key that records that the first-run question for the
// assessor's name was answered or skipped, so that it is asked once.
const NameAskedKey = "assessor-name-asked"

// SettingsMsg asks the root to show the settings (the assessor's name and the language).
type SettingsMsg struct{}

type (
	// nameNeededMsg says whether the first-run question for the name is still to be asked.
	nameNeededMsg struct{ ask bool }
	nameSavedMsg  struct {
		name string
		err  error
	}
)

// settingsScreen asks for the assessor's name, recorded in new interviews: on first run
// (when no name is set; it can be skipped) and later from the home screen. It shows the
// language, the principal that signs the batches and the device. The name is saved
// through Options.OnName; while the field has focus every letter is text.
type settingsScreen struct {
	c        *shared
	name     textinput.Model
	firstRun bool
	err      error
}

func newSettingsScreen(c *shared, firstRun bool) *settingsScreen {
	ti := newInput(c.sty, 80)
	ti.Placeholder = c.t("e.g. Nguyễn Văn An", "ví dụ Nguyễn Văn An")
	ti.SetValue(c.opts.AssessorName)
	ti.Focus()
	return &settingsScreen{c: c, name: ti, firstRun: firstRun}
}

func (s *settingsScreen) Init() tea.Cmd          { return nil }
func (s *settingsScreen) Typing() bool           { return true }
func (s *settingsScreen) Dirty() bool            { return false }
func (s *settingsScreen) Flush() []survey.Change { return nil }

func (s *settingsScreen) Help() keys.Help {
	k := s.c.keys
	save := key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", s.c.t("save", "lưu")))
	back := k.Back
	if s.firstRun {
		back = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", s.c.t("skip", "bỏ qua")))
	}
	return keys.Help{Short: []key.Binding{save, back, k.Lang2}}
}

func (s *settingsScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m, ok := msg.(tea.KeyMsg)
	if !ok {
		return s, nil
	}
	switch {
	case key.Matches(m, s.c.keys.Back):
		return s, s.done("", false)
	case m.Type == tea.KeyEnter:
		return s, s.done(survey.NFC(strings.TrimSpace(s.name.Value())), true)
	}
	var cmd tea.Cmd
	s.name, cmd = s.name.Update(m)
	return s, cmd
}

// done saves the name (save) or leaves it as it is, remembers that the first-run
// question was answered, and goes home.
func (s *settingsScreen) done(name string, save bool) tea.Cmd {
	c := s.c
	st, ctx, onName := c.store, c.ctx, c.opts.OnName
	first := s.firstRun
	return func() tea.Msg {
		if first {
			// Asked once: skipping is an answer too (the settings screen changes it later).
			_ = st.SetMeta(ctx, NameAskedKey, "1")
		}
		if !save {
			return HomeMsg{}
		}
		var err error
		if onName != nil {
			err = onName(name)
		}
		return nameSavedMsg{name: name, err: err}
	}
}

func (s *settingsScreen) View() string {
	c, sty := s.c, s.c.sty
	w := c.width
	var out []string
	if s.firstRun {
		out = append(out, sty.Title.Render(c.t("Welcome", "Xin chào")), "")
		out = append(out, wrap(c.t("What is your name? It is recorded on the interviews you make, so that supervisors know who made them.",
			"Họ tên của bạn là gì? Tên được ghi vào các cuộc phỏng vấn bạn thực hiện, để người giám sát biết ai đã làm."), w)...)
		for _, l := range wrap(c.t("You can skip this (esc) and set it later from the list of interviews (key s).",
			"Có thể bỏ qua (esc) và đặt sau ở danh sách phỏng vấn (phím s)."), w) {
			out = append(out, sty.Subtle.Render(l))
		}
		out = append(out, "")
	} else {
		out = append(out, sty.Title.Render(c.t("Settings", "Cài đặt")), "")
	}
	out = append(out, sty.Heading.Render(c.t("Your name", "Họ tên của bạn")), "┃ "+s.name.View(), "")
	lang := "Tiếng Việt"
	if c.lang == survey.LangEN {
		lang = "English"
	}
	principal := c.opts.Principal
	if principal == "" {
		principal = c.t("(not set)", "(chưa đặt)")
	}
	out = append(out,
		cut(c.t("Language: ", "Ngôn ngữ: ")+lang+sty.Subtle.Render(c.t("  (ctrl+l switches)", "  (ctrl+l để chuyển)")), w),
		cut(c.t("Signs batches as: ", "Ký các lô dữ liệu với danh tính: ")+principal, w),
		cut(c.t("Device: ", "Thiết bị: ")+c.opts.Device, w), "")
	for _, l := range wrap(c.t("enter saves the name in the configuration; interviews already made keep the name they had.",
		"enter để lưu tên vào cấu hình; các phỏng vấn đã làm giữ nguyên tên cũ."), w) {
		out = append(out, sty.Subtle.Render(l))
	}
	if s.err != nil {
		out = append(out, sty.Error.Render(cut(c.t("Not saved: ", "Chưa lưu được: ")+s.err.Error(), w)))
	}
	return strings.Join(out, "\n")
}
