package tui

import (
	"fmt"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/tui/keys"
)

// The fields of the evidence editor.
const (
	efPolarity = iota
	efText
	efSource
	efScope
	efNote
	nEvFields
)

// evidenceEditor edits one evidence item in place: what is typed goes into the answer's
// draft and is saved like any typed text (after the pause, or when the editor closes).
type evidenceEditor struct {
	idx      int // index in the draft's evidence; len(evidence) while a new item has no text
	isNew    bool
	field    int
	polarity survey.Polarity
	inScope  bool
	text     textinput.Model
	source   textinput.Model
	note     textinput.Model
	// neutralKey is the help's entry for neutral evidence, as the method marks it.
	neutralKey key.Binding
}

func (q *questionScreen) openEditor(idx int, field int) tea.Cmd {
	e := &evidenceEditor{idx: idx, field: field, text: newInput(q.c.sty, 1000), source: newInput(q.c.sty, 300),
		note: newInput(q.c.sty, 300), polarity: survey.Plus, inScope: true}
	if idx < len(q.draft.Evidence) {
		it := q.draft.Evidence[idx]
		e.polarity, e.inScope = it.Polarity, it.InScope
		e.text.SetValue(it.Text)
		e.source.SetValue(it.Source)
		e.note.SetValue(it.Note)
	} else {
		e.isNew = true
		e.idx = len(q.draft.Evidence)
	}
	e.text.Placeholder = q.c.t("what was found, e.g. Law on Cybersecurity 2018", "nội dung, ví dụ Luật An ninh mạng 2018")
	e.source.Placeholder = q.c.t("law, decree, document or URL", "luật, nghị định, văn bản hoặc URL")
	e.note.Placeholder = q.c.t("why it does not count yet, e.g. not in force", "vì sao chưa được tính, ví dụ chưa có hiệu lực")
	e.neutralKey = q.c.keys.EvNeutral
	if q.c.neutral != "" && q.c.neutral != string(survey.Neutral) {
		e.neutralKey = key.NewBinding(key.WithKeys(q.c.neutral, "0"), key.WithHelp(q.c.neutral, neutralLabel(q.c)))
	}
	q.ev = e
	e.resize(q.c.width)
	return e.focusField()
}

func (e *evidenceEditor) resize(w int) {
	for _, in := range []*textinput.Model{&e.text, &e.source, &e.note} {
		in.Width = max(10, w-24)
	}
}

func (e *evidenceEditor) input() *textinput.Model {
	switch e.field {
	case efText:
		return &e.text
	case efSource:
		return &e.source
	case efNote:
		return &e.note
	}
	return nil
}

func (e *evidenceEditor) typing() bool { return e.input() != nil }

func (e *evidenceEditor) focusField() tea.Cmd {
	e.text.Blur()
	e.source.Blur()
	e.note.Blur()
	if in := e.input(); in != nil {
		in.CursorEnd()
		return in.Focus()
	}
	return nil
}

// item is the evidence as edited.
func (e *evidenceEditor) item() survey.Evidence {
	it := survey.Evidence{Polarity: e.polarity, Text: strings.TrimSpace(e.text.Value()),
		Source: strings.TrimSpace(e.source.Value()), InScope: e.inScope, Note: strings.TrimSpace(e.note.Value())}
	if it.InScope {
		it.Note = ""
	}
	return it
}

// apply puts the edited item into a: a new item joins the list once it has text.
func (e *evidenceEditor) apply(a *survey.Answer) {
	it := e.item()
	if e.idx < len(a.Evidence) {
		a.Evidence[e.idx] = it
		return
	}
	if it.Text != "" {
		a.Evidence = append(a.Evidence, it)
		e.isNew = false
	}
}

func (e *evidenceEditor) help(k *keys.Map) keys.Help {
	short := []key.Binding{k.NextField, k.PrevField, k.Done}
	switch e.field {
	case efPolarity:
		short = append([]key.Binding{k.EvPlus, k.EvMinus, e.neutralKey}, short...)
	case efScope:
		short = append([]key.Binding{k.Toggle}, short...)
	}
	return keys.Help{Short: short, Full: [][]key.Binding{{k.EvPlus, k.EvMinus, e.neutralKey, k.Toggle}, {k.NextField, k.PrevField, k.Done}}}
}

// evidenceKey handles keys while the editor is open.
func (q *questionScreen) evidenceKey(m tea.KeyMsg) tea.Cmd {
	e := q.ev
	k := q.c.keys
	move := func(d int) tea.Cmd {
		e.field = (e.field + d + nEvFields) % nEvFields
		if e.field == efNote && e.inScope {
			e.field = (e.field + d + nEvFields) % nEvFields
		}
		focus := e.focusField()
		// Leaving a field saves what was typed in it (as the README says), not only the
		// pause after typing.
		if q.dirty {
			q.syncText()
			if e.idx < len(q.draft.Evidence) {
				return tea.Batch(focus, q.commit())
			}
		}
		return focus
	}
	switch {
	case m.Type == tea.KeyEsc, e.field == efNote && m.Type == tea.KeyEnter,
		e.field == efScope && e.inScope && m.Type == tea.KeyEnter:
		return q.closeEditor()
	case key.Matches(m, k.NextField), m.Type == tea.KeyEnter, m.Type == tea.KeyDown:
		return move(1)
	case key.Matches(m, k.PrevField), m.Type == tea.KeyUp:
		return move(-1)
	case key.Matches(m, k.Next), key.Matches(m, k.Prev):
		cmd := q.closeEditor()
		if key.Matches(m, k.Next) {
			return tea.Batch(cmd, q.goNext())
		}
		return tea.Batch(cmd, q.goPrev())
	}
	switch e.field {
	case efPolarity:
		switch m.String() {
		case "+":
			e.polarity = survey.Plus
		case "-":
			e.polarity = survey.Minus
		case "0", "=", "o", "O":
			// "o" is how ODRA marks mixed evidence: the assessor types the mark it shows.
			e.polarity = survey.Neutral
		default:
			return nil
		}
		return q.evChanged(true)
	case efScope:
		if m.String() == " " || m.String() == "x" {
			e.inScope = !e.inScope
			return q.evChanged(true)
		}
		return nil
	}
	in := e.input()
	before := in.Value()
	var cmd tea.Cmd
	*in, cmd = in.Update(m)
	if in.Value() != before {
		return tea.Batch(cmd, q.evChanged(false))
	}
	return cmd
}

// evChanged records an edit of the item: a choice is queued at once, typing after the
// pause.
func (q *questionScreen) evChanged(choice bool) tea.Cmd {
	if !choice {
		return q.typed()
	}
	q.syncText()
	if q.ev.idx >= len(q.draft.Evidence) {
		return nil // a new item without text is not saved yet
	}
	return q.commit()
}

// closeEditor saves the item and goes back to the list.
func (q *questionScreen) closeEditor() tea.Cmd {
	e := q.ev
	q.syncText()
	q.ev = nil
	if e.idx < len(q.draft.Evidence) {
		q.evCur = e.idx
	}
	q.focus = focEvidence
	if q.dirty {
		return q.commit()
	}
	return nil
}

// evidenceListKey handles the evidence list: add, edit, delete, reorder, polarity, scope.
func (q *questionScreen) evidenceListKey(m tea.KeyMsg) tea.Cmd {
	k := q.c.keys
	ev := q.draft.Evidence
	n := len(ev)
	del := q.confirmDel
	q.confirmDel = false
	editable := q.iv.editable()
	switch {
	case key.Matches(m, k.Up):
		if n > 0 {
			q.evCur = (q.evCur - 1 + n) % n
		}
		return nil
	case key.Matches(m, k.Down):
		if n > 0 {
			q.evCur = (q.evCur + 1) % n
		}
		return nil
	case key.Matches(m, k.EvAdd):
		if !editable {
			return q.readOnly()
		}
		return q.openEditor(n, efText)
	}
	if n == 0 {
		return q.valueKey(m)
	}
	q.evCur = min(q.evCur, n-1)
	cur := q.evCur
	switch {
	case key.Matches(m, k.EvEdit):
		if !editable {
			return q.readOnly()
		}
		return q.openEditor(cur, efText)
	case key.Matches(m, k.EvDelete):
		if !editable {
			return q.readOnly()
		}
		if !del {
			q.confirmDel = true
			return nil
		}
		q.draft.Evidence = slices.Delete(slices.Clone(ev), cur, cur+1)
		q.evCur = max(0, min(cur, len(q.draft.Evidence)-1))
		return tea.Batch(q.commit(), notice(survey.T("Evidence item deleted (kept in the history).",
			"Đã xoá mục bằng chứng (vẫn lưu trong lịch sử)."), false))
	case key.Matches(m, k.EvMoveUp), key.Matches(m, k.EvMoveDown):
		if !editable {
			return q.readOnly()
		}
		to := cur - 1
		if key.Matches(m, k.EvMoveDown) {
			to = cur + 1
		}
		if to < 0 || to >= n {
			return nil
		}
		ev = slices.Clone(ev)
		ev[cur], ev[to] = ev[to], ev[cur]
		q.draft.Evidence = ev
		q.evCur = to
		return q.commit()
	case key.Matches(m, k.EvPlus), key.Matches(m, k.EvMinus), key.Matches(m, k.EvNeutral):
		if !editable {
			return q.readOnly()
		}
		p := survey.Neutral
		if key.Matches(m, k.EvPlus) {
			p = survey.Plus
		} else if key.Matches(m, k.EvMinus) {
			p = survey.Minus
		}
		if ev[cur].Polarity == p {
			return nil
		}
		ev = slices.Clone(ev)
		ev[cur].Polarity = p
		q.draft.Evidence = ev
		return q.commit()
	case key.Matches(m, k.EvScope):
		if !editable {
			return q.readOnly()
		}
		ev = slices.Clone(ev)
		ev[cur].InScope = !ev[cur].InScope
		if ev[cur].InScope {
			ev[cur].Note = ""
		}
		q.draft.Evidence = ev
		cmd := q.commit()
		if !ev[cur].InScope {
			// Ask for the note at once: out-of-scope evidence says why.
			return tea.Batch(cmd, q.openEditor(cur, efNote))
		}
		return cmd
	}
	return q.valueKey(m)
}

// view draws the editor.
func (e *evidenceEditor) view(c *shared, w int) []string {
	s := c.sty
	lw := 20
	title := c.t("Edit evidence", "Sửa bằng chứng")
	if e.isNew {
		title = c.t("New evidence", "Bằng chứng mới")
	}
	out := []string{s.FocusMark.Render("▸ ") + s.Focused.Render(fmt.Sprintf("%s %d", title, e.idx+1))}
	row := func(f int, label, val string) {
		l := "  " + pad(label, lw-2)
		if e.field == f {
			l = s.FocusMark.Render("› ") + s.Focused.Render(pad(label, lw-2))
		}
		out = append(out, l+val)
	}
	pol := func(p survey.Polarity, lbl string) string {
		sign := string(p)
		if p == survey.Neutral && c.neutral != "" {
			sign = c.neutral
		}
		txt := sign + " " + lbl
		if p == e.polarity {
			if e.field == efPolarity {
				return s.Selected.Render("[" + txt + "]")
			}
			return s.Bold.Render("[" + txt + "]")
		}
		return " " + txt + " "
	}
	row(efPolarity, c.t("Polarity", "Chiều"), pol(survey.Plus, c.t("favourable", "thuận lợi"))+" "+
		pol(survey.Minus, c.t("obstacle", "trở ngại"))+" "+pol(survey.Neutral, neutralLabel(c)))
	field := func(f int, in *textinput.Model) string {
		if e.field == f {
			return "[" + in.View() + "]"
		}
		if in.Value() == "" {
			return s.Faint.Render("—")
		}
		return cut(in.Value(), w-lw)
	}
	row(efText, c.t("Text", "Nội dung"), field(efText, &e.text))
	row(efSource, c.t("Source", "Nguồn"), field(efSource, &e.source))
	box := "[x] " + c.t("counts (in scope)", "được tính (trong phạm vi)")
	if !e.inScope {
		box = "[ ] " + c.t("out of scope: exists but does not count yet", "ngoài phạm vi: có nhưng chưa được tính")
	}
	if e.field == efScope {
		box = s.Selected.Render(box)
	}
	row(efScope, c.t("In scope", "Trong phạm vi"), box)
	if !e.inScope {
		row(efNote, c.t("Why not", "Lý do"), field(efNote, &e.note))
	}
	return out
}

// neutralLabel names the neutral choice of the polarity field as the open interview's
// method does: ODRA marks mixed evidence "o", the DGRA neutral evidence "0".
func neutralLabel(c *shared) string {
	if c.neutral != "" && c.neutral != string(survey.Neutral) {
		return c.t("mixed", "hỗn hợp")
	}
	return c.t("neutral", "trung tính")
}
