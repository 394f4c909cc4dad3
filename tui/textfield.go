package tui

import (
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/atotto/clipboard"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/runeutil"
	"github.com/charmbracelet/bubbles/textarea"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/mattn/go-runewidth"

	"github.com/fieldsurvey/fieldsurvey/tui/styles"
)

// textField is the multi-line field of comments and text answers: word-wrapped, with a
// steady cursor, edited with the keys of bubbles' textarea (textarea.DefaultKeyMap less
// ctrl+n, ctrl+p, ctrl+t and alt+l, which the screens use or which surprise). It keeps
// the visual lines of every paragraph and, when a key changes a paragraph, wraps again
// only from just before the change until the lines fall back on the old ones, and it
// draws only the lines in view: a key costs the same in an empty comment and in one of
// thousands of characters (bubbles' textarea wraps the whole paragraph on every key).
//
// A textField is used as a value (f, cmd = f.Update(msg)), like the bubbles components;
// copies share their text.
type textField struct {
	*fieldState
	// Placeholder is shown, faint, while the field is empty.
	Placeholder string
}

type fieldState struct {
	lines    [][]rune // paragraphs (the value split at newlines)
	wraps    [][]int  // per paragraph, where each visual line starts (nil: to compute)
	row, col int      // the cursor: paragraph and rune in it
	goal     int      // the cell column up and down keep to (-1: the cursor's own)
	top      int      // the first visual line in view
	width    int      // cells of text per line (the prompt and the cursor cell aside)
	height   int      // lines in view
	focus    bool
	value    string // Value, while valueOK
	valueOK  bool

	keys                                  textarea.KeyMap
	san                                   runeutil.Sanitizer
	prompt                                string
	promptStyle, blurPrompt, faint, curSt lipgloss.Style
	text                                  lipgloss.Style
}

// textPasteMsg carries the clipboard's text to the field that asked for it.
type textPasteMsg struct {
	f    *fieldState
	text string
}

func newTextField(s *styles.Styles) textField {
	km := textarea.DefaultKeyMap
	km.LineNext = key.NewBinding(key.WithKeys("down"))
	km.LinePrevious = key.NewBinding(key.WithKeys("up"))
	km.TransposeCharacterBackward = key.NewBinding(key.WithDisabled())
	km.LowercaseWordForward = key.NewBinding(key.WithDisabled())
	f := &fieldState{lines: [][]rune{nil}, wraps: [][]int{nil}, goal: -1, width: 40, height: 3, keys: km,
		san: runeutil.NewSanitizer(), prompt: "┃ ", promptStyle: s.Focused, blurPrompt: s.Faint, faint: s.Faint,
		curSt: s.NewStyle().Reverse(true), text: s.NewStyle()}
	return textField{fieldState: f}
}

// SetWidth sets the field's width in cells, prompt included.
func (f textField) SetWidth(w int) {
	tw := max(4, w-runewidth.StringWidth(f.prompt)-1) // one cell for the cursor after the last character
	if tw != f.width {
		f.width = tw
		clear(f.wraps)
	}
}

// SetHeight sets how many lines the field shows.
func (f textField) SetHeight(h int) { f.height = max(1, h) }

// Focus lets the field take keys and shows its cursor.
func (f textField) Focus() tea.Cmd {
	f.focus = true
	return nil
}

// Blur stops the field taking keys.
func (f textField) Blur() { f.focus = false }

// Focused reports whether the field takes keys.
func (f textField) Focused() bool { return f.focus }

// Value returns the text, paragraphs joined with newlines.
func (f textField) Value() string {
	if !f.valueOK {
		var b strings.Builder
		for i, l := range f.lines {
			if i > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(string(l))
		}
		f.value, f.valueOK = b.String(), true
	}
	return f.value
}

// SetValue replaces the text and puts the cursor at its end.
func (f textField) SetValue(s string) {
	f.lines, f.wraps = [][]rune{nil}, [][]int{nil}
	f.row, f.col, f.top = 0, 0, 0
	f.insert([]rune(s))
}

// Update applies a key (or pasted text) to a focused field.
func (f textField) Update(msg tea.Msg) (textField, tea.Cmd) {
	if !f.focus {
		return f, nil
	}
	var cmd tea.Cmd
	keepGoal := false
	switch m := msg.(type) {
	case textPasteMsg:
		if m.f == f.fieldState {
			f.insert([]rune(m.text))
		}
	case tea.KeyMsg:
		k := f.keys
		switch {
		case key.Matches(m, k.DeleteAfterCursor):
			if f.col >= len(f.lines[f.row]) {
				f.joinNext()
			} else {
				f.replace(f.col, len(f.lines[f.row]), nil)
			}
		case key.Matches(m, k.DeleteBeforeCursor):
			if f.col == 0 {
				f.joinPrevious()
			} else {
				f.replace(0, f.col, nil)
				f.col = 0
			}
		case key.Matches(m, k.DeleteCharacterBackward):
			if f.col == 0 {
				f.joinPrevious()
			} else {
				f.replace(f.col-1, f.col, nil)
				f.col--
			}
		case key.Matches(m, k.DeleteCharacterForward):
			if f.col >= len(f.lines[f.row]) {
				f.joinNext()
			} else {
				f.replace(f.col, f.col+1, nil)
			}
		case key.Matches(m, k.DeleteWordBackward):
			if f.col == 0 {
				f.joinPrevious()
			} else {
				from := f.wordStartBefore(f.col)
				f.replace(from, f.col, nil)
				f.col = from
			}
		case key.Matches(m, k.DeleteWordForward):
			if f.col >= len(f.lines[f.row]) {
				f.joinNext()
			} else {
				f.replace(f.col, f.wordEndAfter(f.col), nil)
			}
		case key.Matches(m, k.InsertNewline):
			f.insert([]rune{'\n'})
		case key.Matches(m, k.LineEnd):
			f.col = len(f.lines[f.row])
		case key.Matches(m, k.LineStart):
			f.col = 0
		case key.Matches(m, k.CharacterForward):
			if f.col < len(f.lines[f.row]) {
				f.col++
			} else if f.row < len(f.lines)-1 {
				f.row, f.col = f.row+1, 0
			}
		case key.Matches(m, k.CharacterBackward):
			if f.col > 0 {
				f.col--
			} else if f.row > 0 {
				f.row--
				f.col = len(f.lines[f.row])
			}
		case key.Matches(m, k.LineNext):
			f.vertical(1)
			keepGoal = true
		case key.Matches(m, k.LinePrevious):
			f.vertical(-1)
			keepGoal = true
		case key.Matches(m, k.WordForward):
			f.wordRight(nil)
		case key.Matches(m, k.WordBackward):
			f.wordLeft()
		case key.Matches(m, k.InputBegin):
			f.row, f.col = 0, 0
		case key.Matches(m, k.InputEnd):
			f.row = len(f.lines) - 1
			f.col = len(f.lines[f.row])
		case key.Matches(m, k.UppercaseWordForward):
			f.wordRight(func(i, _ int) rune { return unicode.ToUpper(f.lines[f.row][i]) })
		case key.Matches(m, k.CapitalizeWordForward):
			f.wordRight(func(i, n int) rune {
				if n == 0 {
					return unicode.ToTitle(f.lines[f.row][i])
				}
				return f.lines[f.row][i]
			})
		case key.Matches(m, k.Paste):
			st := f.fieldState
			cmd = func() tea.Msg {
				s, err := clipboard.ReadAll()
				if err != nil {
					return nil
				}
				return textPasteMsg{f: st, text: s}
			}
		case m.Type == tea.KeySpace:
			f.insert([]rune{' '})
		case m.Type == tea.KeyRunes:
			f.insert(m.Runes)
		}
	}
	if !keepGoal {
		f.goal = -1
	}
	f.scroll()
	return f, cmd
}

// replace puts with in place of runes [from, to) of the cursor's paragraph (no newline in
// with), and wraps the paragraph again from just before the change.
func (f *fieldState) replace(from, to int, with []rune) {
	l := f.lines[f.row]
	f.lines[f.row] = slices.Concat(l[:from:from], with, l[to:])
	f.valueOK = false
	if f.wraps[f.row] != nil {
		f.wraps[f.row] = rewrap(f.lines[f.row], f.wraps[f.row], from, to-from, len(with), f.width)
	}
}

// insert types runes at the cursor (sanitised as bubbles' textarea does: tabs to spaces,
// control characters dropped), newlines splitting the paragraph.
func (f *fieldState) insert(runes []rune) {
	runes = f.san.Sanitize(slices.Clone(runes))
	parts := strings.Split(string(runes), "\n")
	if len(parts) == 1 {
		f.replace(f.col, f.col, runes)
		f.col += len(runes)
		return
	}
	l := f.lines[f.row]
	tail := slices.Clone(l[f.col:])
	news := make([][]rune, len(parts))
	for i, p := range parts {
		news[i] = []rune(p)
	}
	news[0] = slices.Concat(l[:f.col:f.col], news[0])
	last := len(news) - 1
	col := len(news[last])
	news[last] = append(news[last], tail...)
	f.lines = slices.Replace(f.lines, f.row, f.row+1, news...)
	f.wraps = slices.Replace(f.wraps, f.row, f.row+1, make([][]int, len(news))...)
	f.row, f.col = f.row+last, col
	f.valueOK = false
}

// joinPrevious joins the cursor's paragraph to the one before (backspace at its start).
func (f *fieldState) joinPrevious() {
	if f.row == 0 {
		return
	}
	prev := f.lines[f.row-1]
	f.lines[f.row-1] = slices.Concat(prev, f.lines[f.row])
	f.lines = slices.Delete(f.lines, f.row, f.row+1)
	f.wraps = slices.Delete(f.wraps, f.row, f.row+1)
	f.wraps[f.row-1] = nil
	f.row--
	f.col = len(prev)
	f.valueOK = false
}

// joinNext joins the next paragraph to the cursor's (delete at its end).
func (f *fieldState) joinNext() {
	if f.row >= len(f.lines)-1 {
		return
	}
	f.lines[f.row] = slices.Concat(f.lines[f.row], f.lines[f.row+1])
	f.lines = slices.Delete(f.lines, f.row+1, f.row+2)
	f.wraps = slices.Delete(f.wraps, f.row+1, f.row+2)
	f.wraps[f.row] = nil
	f.valueOK = false
}

// wordStartBefore is where the word before col begins, spaces before col skipped.
func (f *fieldState) wordStartBefore(col int) int {
	l := f.lines[f.row]
	for col > 0 && unicode.IsSpace(l[col-1]) {
		col--
	}
	for col > 0 && !unicode.IsSpace(l[col-1]) {
		col--
	}
	return col
}

// wordEndAfter is where the word after col ends, spaces after col skipped.
func (f *fieldState) wordEndAfter(col int) int {
	l := f.lines[f.row]
	for col < len(l) && unicode.IsSpace(l[col]) {
		col++
	}
	for col < len(l) && !unicode.IsSpace(l[col]) {
		col++
	}
	return col
}

// wordRight moves to the end of the next word (across paragraphs), changing each of its
// runes with change (given its index and its place in the word) when not nil.
func (f *fieldState) wordRight(change func(i, n int) rune) {
	for f.col >= len(f.lines[f.row]) || unicode.IsSpace(f.lines[f.row][f.col]) {
		if f.col < len(f.lines[f.row]) {
			f.col++
		} else if f.row < len(f.lines)-1 {
			f.row, f.col = f.row+1, 0
		} else {
			return
		}
	}
	from := f.col
	end := f.wordEndAfter(f.col)
	if change != nil {
		word := slices.Clone(f.lines[f.row][from:end])
		for i := range word {
			word[i] = change(from+i, i)
		}
		f.replace(from, end, word)
	}
	f.col = end
}

// wordLeft moves to the start of the previous word (across paragraphs).
func (f *fieldState) wordLeft() {
	for {
		if f.col == 0 {
			if f.row == 0 {
				return
			}
			f.row--
			f.col = len(f.lines[f.row])
			continue
		}
		if !unicode.IsSpace(f.lines[f.row][f.col-1]) {
			break
		}
		f.col--
	}
	f.col = f.wordStartBefore(f.col)
}

// wrapOf returns the starts of the visual lines of paragraph r.
func (f *fieldState) wrapOf(r int) []int {
	if f.wraps[r] == nil {
		f.wraps[r] = wrapText(f.lines[r], f.width)
	}
	return f.wraps[r]
}

// cursorLine returns the visual line of the cursor within its paragraph.
func (f *fieldState) cursorLine() int {
	starts := f.wrapOf(f.row)
	return sort.Search(len(starts), func(i int) bool { return starts[i] > f.col }) - 1
}

// visualRow is the cursor's line among all visual lines.
func (f *fieldState) visualRow() int {
	n := 0
	for r := 0; r < f.row; r++ {
		n += len(f.wrapOf(r))
	}
	return n + f.cursorLine()
}

// vertical moves the cursor d visual lines up or down, keeping its cell column.
func (f *fieldState) vertical(d int) {
	starts := f.wrapOf(f.row)
	v := f.cursorLine()
	if f.goal < 0 {
		f.goal = cellsOf(f.lines[f.row][starts[v]:f.col])
	}
	switch {
	case v+d >= 0 && v+d < len(starts):
		v += d
	case d < 0 && f.row > 0:
		f.row--
		starts = f.wrapOf(f.row)
		v = len(starts) - 1
	case d > 0 && f.row < len(f.lines)-1:
		f.row++
		starts = f.wrapOf(f.row)
		v = 0
	default:
		return
	}
	l := f.lines[f.row]
	end := len(l)
	if v+1 < len(starts) {
		end = starts[v+1] - 1 // the last cell of a wrapped line is its space
	}
	col, w := starts[v], 0
	for col < end && w+runewidth.RuneWidth(l[col]) <= f.goal {
		w += runewidth.RuneWidth(l[col])
		col++
	}
	f.col = col
}

// scroll brings the cursor's line into view.
func (f *fieldState) scroll() {
	v := f.visualRow()
	if v < f.top {
		f.top = v
	} else if v >= f.top+f.height {
		f.top = v - f.height + 1
	}
}

// View draws the lines in view, height of them, each behind the prompt.
func (f textField) View() string {
	prompt := f.blurPrompt.Render(f.prompt)
	if f.focus {
		prompt = f.promptStyle.Render(f.prompt)
	}
	out := make([]string, 0, f.height)
	if len(f.lines) == 1 && len(f.lines[0]) == 0 && f.Placeholder != "" {
		ph := []rune(f.Placeholder)
		out = append(out, prompt+f.cursor(string(ph[:1]))+f.faint.Render(string(ph[1:])))
	} else {
		f.scroll()
		v, cv := 0, f.visualRow()
		for r := 0; r < len(f.lines) && len(out) < f.height; r++ {
			starts := f.wrapOf(r)
			if v+len(starts) <= f.top {
				v += len(starts)
				continue
			}
			l := f.lines[r]
			for i := max(0, f.top-v); i < len(starts) && len(out) < f.height; i++ {
				end := len(l)
				if i+1 < len(starts) {
					end = starts[i+1]
				}
				seg := l[starts[i]:end]
				line := prompt
				if v+i == cv {
					c := f.col - starts[i]
					ch := " "
					if c < len(seg) {
						ch = string(seg[c])
					}
					line += f.text.Render(fitCells(seg[:c], f.width)) + f.cursor(ch)
					if c+1 < len(seg) {
						line += f.text.Render(fitCells(seg[c+1:], f.width-cellsOf(seg[:c+1])))
					}
				} else {
					line += f.text.Render(fitCells(seg, f.width))
				}
				out = append(out, line)
			}
			v += len(starts)
		}
	}
	for len(out) < f.height {
		out = append(out, prompt)
	}
	return strings.Join(out, "\n")
}

// cursor draws ch under the cursor: reversed when focused, plain when not.
func (f textField) cursor(ch string) string {
	if !f.focus {
		return f.text.Render(ch)
	}
	return f.curSt.Render(ch)
}

// fitCells returns rs as a string, its trailing spaces cut to w cells in all.
func fitCells(rs []rune, w int) string {
	for len(rs) > 0 && cellsOf(rs) > w && rs[len(rs)-1] == ' ' {
		rs = rs[:len(rs)-1]
	}
	return string(rs)
}

func cellsOf(rs []rune) int {
	n := 0
	for _, r := range rs {
		n += runewidth.RuneWidth(r)
	}
	return n
}

// wrapText returns where each visual line of text starts when it is word-wrapped to w
// cells: a line takes words while they fit (the spaces after a word stay with it, even
// past w), and a word wider than w is cut into lines of w cells.
func wrapText(text []rune, w int) []int {
	starts := []int{0}
	for s := 0; ; {
		s = nextLine(text, s, w)
		if s >= len(text) {
			return starts
		}
		starts = append(starts, s)
	}
}

// nextLine returns where the visual line that starts at s ends (the next one starts), or
// len(text) when it is the last. A word is measured only as far as the line needs, so a
// pasted megabyte without a space costs its length once, not once per line.
func nextLine(text []rune, s, w int) int {
	used := 0
	for i := s; i < len(text); {
		j, word := i, 0
		for j < len(text) && !unicode.IsSpace(text[j]) {
			rw := runewidth.RuneWidth(text[j])
			if used > 0 && used+word+rw > w {
				return i // the word does not fit after the others: it starts the next line
			}
			if used == 0 && j > i && word+rw > w {
				return j // alone and too wide: cut it where the line is full
			}
			word += rw
			j++
		}
		used += word
		for j < len(text) && unicode.IsSpace(text[j]) {
			used++
			j++
		}
		i = j
	}
	return len(text)
}

// rewrap returns the line starts of text after runes [at, at+removed) of the text old
// starts were made for became inserted runes. Where a line ends depends on its own text and
// on the word after it, so the lines before the one ahead of the changed word's are the
// same: it wraps again from there until a new line starts where an old one did, past the
// change, from where the old lines only move by the change's length (a line start depends
// only on the text after it).
func rewrap(text []rune, old []int, at, removed, inserted, w int) []int {
	ws := at
	for ws > 0 && !unicode.IsSpace(text[ws-1]) {
		ws--
	}
	i := sort.Search(len(old), func(k int) bool { return old[k] > ws }) - 1
	from := max(0, i-1)
	out := slices.Clone(old[:from+1])
	delta := inserted - removed
	changedEnd := at + inserted
	for s := old[from]; ; {
		s = nextLine(text, s, w)
		if s >= len(text) {
			return out
		}
		if s > changedEnd {
			if k, ok := slices.BinarySearch(old, s-delta); ok {
				for _, o := range old[k:] {
					out = append(out, o+delta)
				}
				return out
			}
		}
		out = append(out, s)
	}
}
