package desk

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textarea"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/tui/keys"
)

// decideScreen asks for the reason of a return or a reopening (required, several lines,
// any language) or an optional note with an approval, then hands the decision to the root.
// While the reason has focus every letter is text: nothing is decided by typing.
type decideScreen struct {
	c      *shared
	st     *survey.InterviewState
	to     survey.Status
	reason textarea.Model
	button bool // focus on the button
	err    survey.Text
	sent   bool
}

// newTextArea is a text field of the desk: several lines, any language, up and down move
// between its lines.
func newTextArea(c *shared) textarea.Model {
	ta := textarea.New()
	ta.ShowLineNumbers = false
	ta.Prompt = "┃ "
	ta.CharLimit = 2000
	ta.Cursor.SetMode(cursor.CursorStatic)
	km := textarea.DefaultKeyMap
	km.LineNext = key.NewBinding(key.WithKeys("down"))
	km.LinePrevious = key.NewBinding(key.WithKeys("up"))
	km.TransposeCharacterBackward = key.NewBinding(key.WithDisabled())
	km.LowercaseWordForward = key.NewBinding(key.WithDisabled())
	ta.KeyMap = km
	s := c.sty
	fs := textarea.Style{Base: s.NewStyle(), CursorLine: s.NewStyle(), CursorLineNumber: s.NewStyle(),
		EndOfBuffer: s.Faint, LineNumber: s.Faint, Placeholder: s.Faint, Prompt: s.Focused, Text: s.NewStyle()}
	bs := fs
	bs.Prompt = s.Faint
	ta.FocusedStyle, ta.BlurredStyle = fs, bs
	return ta
}

func newDecideScreen(c *shared, st *survey.InterviewState, to survey.Status) *decideScreen {
	ta := newTextArea(c)
	d := &decideScreen{c: c, st: st, to: to, reason: ta}
	if to.NeedsReason() {
		d.reason.Focus()
	} else {
		// An approval needs no words: the button has focus, a note is optional.
		d.button = true
	}
	return d
}

func (d *decideScreen) Init() tea.Cmd { return nil }

func (d *decideScreen) Title() string {
	switch d.to {
	case survey.StatusApproved:
		return d.c.t("Approve", "Duyệt")
	case survey.StatusReturned:
		return d.c.t("Return to the assessor", "Trả lại người đánh giá")
	}
	return d.c.t("Reopen", "Mở lại")
}

func (d *decideScreen) Typing() bool { return !d.button }

func (d *decideScreen) Help() keys.Help {
	k := d.c.keys
	if d.button {
		back := key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", d.c.t("back to the text", "quay lại ô văn bản")))
		return keys.Help{Short: []key.Binding{k.Decide, back, k.Cancel}}
	}
	return keys.Help{Short: []key.Binding{k.ReasonNext, k.Cancel}}
}

// typed reports whether a reason or note has been typed.
// unsaved warns of a typed reason that is not a decision yet (unsavedInput).
func (d *decideScreen) unsaved() survey.Text {
	if strings.TrimSpace(d.reason.Value()) == "" {
		return nil
	}
	return survey.T("This decision is not made yet (tab, then enter makes it). Press ctrl+c again to quit and drop it.",
		"Quyết định này chưa được thực hiện (tab rồi enter để thực hiện). Nhấn ctrl+c lần nữa để thoát và bỏ nó.")
}

// refused shows why the decision was not written (the form stays, with what was typed).
func (d *decideScreen) refused(t survey.Text) {
	d.err = t
	d.sent = false
}

func (d *decideScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch m := msg.(type) {
	case tea.WindowSizeMsg:
		d.reason.SetWidth(max(20, d.c.width-4))
		d.reason.SetHeight(max(3, min(8, d.c.bodyHeight()-9)))
		return d, nil
	case tea.KeyMsg:
		return d, d.key(m)
	}
	return d, nil
}

func (d *decideScreen) key(m tea.KeyMsg) tea.Cmd {
	k := d.c.keys
	switch {
	case key.Matches(m, k.Cancel):
		return d.c.post(BackMsg{})
	case key.Matches(m, k.ReasonNext):
		d.button = !d.button
		if d.button {
			d.reason.Blur()
			return nil
		}
		return d.reason.Focus()
	case d.button && m.Type == tea.KeyEnter:
		if d.sent {
			return nil
		}
		if d.to.NeedsReason() && strings.TrimSpace(d.reason.Value()) == "" {
			d.err = survey.T("Write the reason first: the assessor reads it (tab goes back to the text).",
				"Hãy viết lý do trước: người đánh giá sẽ đọc (tab để quay lại ô văn bản).")
			return nil
		}
		d.err = nil
		d.sent = true
		id, to, reason := d.st.ID, d.to, d.reason.Value()
		return func() tea.Msg { return submitMsg{id: id, to: to, reason: reason} }
	case d.button:
		return nil
	}
	d.err = nil
	var cmd tea.Cmd
	d.reason, cmd = d.reason.Update(m)
	return cmd
}

func (d *decideScreen) View() string {
	c, s := d.c, d.c.sty
	w := c.width
	r := d.st.Respondent
	facts := []string{r.Agency, r.Province}
	if who := d.st.Meta.Assessor; who != "" {
		facts = append(facts, who)
	}
	out := []string{
		s.Title.Render(cut(d.Title()+" · "+shortID(d.st.ID), w)),
		s.Subtle.Render(cut(strings.Join(facts, " · "), w)),
		cut(c.t("Now: ", "Hiện tại: ")+c.status(d.st.Status.Status)+" → "+c.status(d.to), w),
		"",
	}
	var label string
	switch d.to {
	case survey.StatusReturned:
		label = c.t("Why is it returned? What should the assessor fix? (required)", "Vì sao trả lại? Người đánh giá cần sửa gì? (bắt buộc)")
	case survey.StatusReopened:
		label = c.t("Why is it reopened? (required)", "Vì sao mở lại? (bắt buộc)")
	default:
		label = c.t("Note for the assessor (optional; tab to write one)", "Ghi chú cho người đánh giá (không bắt buộc; tab để viết)")
	}
	out = append(out, s.Heading.Render(cut(label, w)))
	out = append(out, lines(d.reason.View())...)
	out = append(out, "")
	verb := map[survey.Status]survey.Text{
		survey.StatusApproved: survey.T("Approve", "Duyệt"),
		survey.StatusReturned: survey.T("Return", "Trả lại"),
		survey.StatusReopened: survey.T("Reopen", "Mở lại"),
	}[d.to]
	btn := "[ " + c.get(verb) + " ]"
	if d.button {
		btn = s.Selected.Render(btn) + s.Subtle.Render(c.t("  enter to confirm · tab back to the text · esc cancels",
			"  enter để xác nhận · tab để quay lại ô văn bản · esc để huỷ"))
	} else {
		btn = s.Subtle.Render(btn + c.t("  (tab, then enter)", "  (tab, rồi enter)"))
	}
	out = append(out, cut(btn, w))
	if d.err != nil {
		for _, l := range wrap(c.get(d.err), w) {
			out = append(out, s.Error.Render(l))
		}
	} else if n := len([]rune(d.reason.Value())); n > 0 {
		out = append(out, s.Faint.Render(fmt.Sprintf(c.t("%d characters", "%d ký tự"), n)))
	}
	return strings.Join(out, "\n")
}
