package tui

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/tui/internal/scalekeys"
	"github.com/fieldsurvey/fieldsurvey/tui/styles"
)

// newInput returns a one-line field.
func newInput(s *styles.Styles, limit int) textinput.Model {
	ti := textinput.New()
	ti.Prompt = ""
	ti.CharLimit = limit
	ti.Cursor.SetMode(cursor.CursorStatic)
	ti.PlaceholderStyle = s.Faint
	return ti
}

// ratingKey returns the key that sets step st of sc: its position among the counted steps
// (1–9), "0" for not assessed, "d" for don't know, "" otherwise.
func ratingKey(sc *survey.Scale, st survey.Step) string { return scalekeys.Key(sc, st) }

// ratingForKey maps a key to a step code of sc ("" when the key sets nothing); n is the
// assessor's alias of 0 (not assessed).
func ratingForKey(sc *survey.Scale, k string) survey.Code {
	if c := scalekeys.ForKey(sc, k); c != "" || k != "n" {
		return c
	}
	return scalekeys.ForKey(sc, "0")
}

// ratingBlock draws scale sc as a row of keyed steps ("3 ●●●○○ Vàng"), the chosen one in
// brackets and highlighted, flowing onto more lines when w is narrow; the uncounted steps
// follow on their own line.
func ratingBlock(c *shared, sc *survey.Scale, chosen survey.Code, focused bool, w int) []string {
	s := c.sty
	item := func(st survey.Step) string {
		k := ratingKey(sc, st)
		txt := styles.Symbol(st) + " " + c.get(st.Label)
		if k != "" {
			txt = k + " " + txt
		}
		if st.Code == chosen {
			body := "[" + txt + "]"
			if focused {
				return s.Selected.Render(body)
			}
			return s.Bold.Render(body)
		}
		return " " + s.StepStyle(st).Render(txt) + " "
	}
	flow := func(steps []survey.Step) []string {
		var out []string
		line, lw := "", 0
		for _, st := range steps {
			it := item(st)
			iw := width(it)
			if lw > 0 && lw+1+iw > w {
				out = append(out, line)
				line, lw = "", 0
			}
			if lw > 0 {
				line += " "
				lw++
			}
			line += it
			lw += iw
		}
		if lw > 0 {
			out = append(out, line)
		}
		return out
	}
	out := flow(sc.Counted())
	out = append(out, flow(sc.Uncounted())...)
	return out
}

// evidenceLine draws one evidence item on one line.
func evidenceLine(c *shared, e survey.Evidence, selected bool, w int) string {
	s := c.sty
	mark := "  "
	if selected {
		mark = s.FocusMark.Render("▸ ")
	}
	txt := e.Text
	if txt == "" {
		txt = s.Faint.Render(c.t("(no text)", "(chưa có nội dung)"))
	}
	if e.Source != "" {
		txt += s.Subtle.Render(" — " + e.Source)
	}
	if !e.InScope {
		// First, so that a line cut at the screen's edge never hides it; the note is
		// read whole when the item is selected (evidenceLines).
		txt = s.Warning.Render("["+c.t("out of scope", "ngoài phạm vi")+"] ") + txt
	}
	line := c.polarity(e.Polarity) + " " + txt
	if selected {
		line = s.Selected.Render(cut(line, w-2))
	}
	return mark + cut(line, w-2)
}

// wrapPrefixed wraps text to w with a first-line prefix and a hanging indent.
func wrapPrefixed(prefix, text string, w int) []string {
	pw := width(prefix)
	ls := wrap(text, max(10, w-pw))
	for i := range ls {
		if i == 0 {
			ls[i] = prefix + ls[i]
		} else {
			ls[i] = strings.Repeat(" ", pw) + ls[i]
		}
	}
	if len(ls) == 0 {
		ls = []string{prefix}
	}
	return ls
}

// wrapMemo remembers the last wrapPrefixed result: wrapping the same text to the same width
// again returns the same lines (callers must not modify them).
type wrapMemo struct {
	prefix, text string
	w            int
	lines        []string
}

func (m *wrapMemo) wrap(prefix, text string, w int) []string {
	if m.lines == nil || m.prefix != prefix || m.text != text || m.w != w {
		m.prefix, m.text, m.w, m.lines = prefix, text, w, wrapPrefixed(prefix, text, w)
	}
	return m.lines
}

// scaleKeys are the rating keys of scale sc as help bindings: 1–n for its counted steps,
// then each uncounted step's own key (0 not assessed, d don't know, U ODRA's insufficient
// information), so that the help line names what this scale has.
func scaleKeys(c *shared, sc *survey.Scale) []key.Binding {
	n := min(9, len(sc.Counted()))
	digits := make([]string, n)
	for i := range digits {
		digits[i] = strconv.Itoa(i + 1)
	}
	out := []key.Binding{key.NewBinding(key.WithKeys(digits...), key.WithHelp(fmt.Sprintf("1-%d", n), c.t("rate", "đánh giá")))}
	for _, st := range sc.Uncounted() {
		if k := ratingKey(sc, st); k != "" {
			out = append(out, key.NewBinding(key.WithKeys(k), key.WithHelp(k, strings.ToLower(c.get(st.Label)))))
		}
	}
	return out
}
