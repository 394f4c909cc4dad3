package tui

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/tui/keys"
	"github.com/fieldsurvey/fieldsurvey/tui/session"
)

// The focusable elements of the question screen, in tab order.
type focusID int

const (
	focProbes focusID = iota
	focValue
	focEvidence
	focComment
)

// questionScreen shows one question: text, guidance, probes, the rating (or the value of
// another question type), the evidence list and the comment.
type questionScreen struct {
	c   *shared
	iv  *interview
	pos int
	qu  *survey.Question

	draft   survey.Answer
	focus   focusID
	editing bool // a text element of the focus is being typed in

	probeCur, optCur, evCur int
	comment                 textField
	valueArea               textField       // text questions
	valueInput              textinput.Model // number and date questions

	dirty   bool
	editSeq int

	ev         *evidenceEditor
	confirmDel bool

	jumping bool
	jump    textinput.Model

	// ro is the table of a roster question (nil for other types).
	ro *rosterView

	// commentWrap and valueWrap keep the unfocused comment's and text answer's wrapped
	// lines: they are drawn on every key (a rating, a move), and a long text's wrapping
	// would otherwise be redone each time.
	commentWrap, valueWrap wrapMemo
}

func newQuestionScreen(c *shared, iv *interview) *questionScreen {
	q := &questionScreen{c: c, iv: iv, comment: newTextField(c.sty), valueArea: newTextField(c.sty),
		valueInput: newInput(c.sty, 40), jump: newInput(c.sty, 20)}
	q.comment.Placeholder = c.t("justification in one or two sentences", "lý do trong một hai câu")
	q.resize()
	return q
}

func (q *questionScreen) Init() tea.Cmd { return nil }

// show opens question qid with its current answer.
func (q *questionScreen) show(qid string) tea.Cmd {
	i, ok := q.iv.index[qid]
	if !ok {
		return nil
	}
	if q.qu == nil || q.qu.ID != qid || q.ro == nil {
		q.ro = nil
		if q.iv.order[i].Type == survey.TypeRoster {
			q.ro = newRosterView(q.c, q.iv, q.iv.order[i])
		}
	} else {
		q.ro.form, q.ro.confirmDel = nil, false
	}
	q.pos, q.qu = i, q.iv.order[i]
	q.dirty, q.confirmDel, q.jumping, q.ev = false, false, false, nil
	q.probeCur, q.evCur = 0, 0
	q.load(q.iv.answer(qid))
	q.comment.Blur()
	q.valueArea.Blur()
	q.valueInput.Blur()
	q.focus, q.editing = focValue, false
	if q.iv.editable() && q.isText(focValue) {
		return q.startEditing()
	}
	q.resize()
	return nil
}

func valueText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case string:
		return x
	}
	return fmt.Sprint(v)
}

func cloneAnswer(a survey.Answer) survey.Answer {
	out := a
	out.Probes = slices.Clone(a.Probes)
	out.Evidence = slices.Clone(a.Evidence)
	if l, ok := a.Value.([]string); ok {
		out.Value = slices.Clone(l)
	}
	return out
}

func (q *questionScreen) Typing() bool {
	if q.jumping {
		return true
	}
	if q.ro != nil {
		// The row form takes every key but the global control keys: letters are its
		// values, and nothing typed into it is dropped by a stray q.
		return q.ro.form != nil
	}
	if q.ev != nil {
		return q.ev.typing()
	}
	return q.editing
}

func (q *questionScreen) Dirty() bool {
	if q.ro != nil {
		return q.ro.form != nil && q.ro.form.changed
	}
	return q.dirty
}

// Flush queues the answer if typed text is pending (on a roster: the row being edited,
// when it is good; a bad row stays in its form, see unsavedRow).
func (q *questionScreen) Flush() []survey.Change {
	if q.ro != nil {
		return q.ro.flushForm()
	}
	if !q.dirty || q.qu == nil {
		return nil
	}
	return []survey.Change{q.record()}
}

// record writes the draft into the in-memory state and returns its change. The change
// replaces every version of the answer: if it had a conflict, saving it settles it.
func (q *questionScreen) record() survey.Change {
	q.syncText()
	q.dirty = false
	a := q.draft.Normalized()
	q.iv.setAnswer(q.qu.ID, cloneAnswer(a))
	q.iv.settled(q.iv.answerTarget(q.qu.ID), "")
	return session.AnswerChange(q.iv.st.ID, q.qu.ID, a)
}

// load puts a into the draft and the text fields (as show does for the stored answer).
func (q *questionScreen) load(a survey.Answer) {
	q.draft = cloneAnswer(a)
	q.optCur = 0
	if v, ok := q.draft.Value.(string); ok && (q.qu.Type == survey.TypeSingle) {
		for j, o := range q.qu.Options {
			if o.Code == v {
				q.optCur = j
			}
		}
	}
	q.comment.SetValue(q.draft.Comment)
	switch q.qu.Type {
	case survey.TypeText:
		s, _ := q.draft.Value.(string)
		q.valueArea.SetValue(s)
	case survey.TypeNumber, survey.TypeDate:
		q.valueInput.SetValue(valueText(q.draft.Value))
	}
}

// editFrom starts a new answer from version side of a conflict: the version's value goes
// into the editor, marked unsaved, and is saved (settling the conflict) after the pause
// like typed text, with whatever the assessor changes meanwhile; the comment opens for
// typing.
func (q *questionScreen) editFrom(a survey.Answer, side int) tea.Cmd {
	q.load(a.Normalized())
	q.ev, q.confirmDel, q.jumping = nil, false, false
	tick := q.typed()
	q.focus = focComment
	return tea.Batch(tick, q.startEditing(), notice(survey.T(
		fmt.Sprintf("A new answer from version %d: change what is needed; saving it settles the conflict.", side),
		fmt.Sprintf("Câu trả lời mới từ phiên bản %d: sửa những gì cần sửa; khi lưu, xung đột được giải quyết.", side)), false))
}

// commit queues the draft now (a choice, or the end of typing).
func (q *questionScreen) commit() tea.Cmd {
	ch := q.record()
	return func() tea.Msg { return SaveMsg{Changes: []survey.Change{ch}} }
}

// syncText copies the text fields into the draft.
func (q *questionScreen) syncText() {
	q.draft.Comment = q.comment.Value()
	switch q.qu.Type {
	case survey.TypeText:
		if v := q.valueArea.Value(); v != "" {
			q.draft.Value = v
		} else {
			q.draft.Value = nil
		}
	case survey.TypeNumber:
		v := strings.TrimSpace(q.valueInput.Value())
		switch f, err := strconv.ParseFloat(strings.ReplaceAll(v, ",", "."), 64); {
		case v == "":
			q.draft.Value = nil
		case err == nil:
			q.draft.Value = f
		default:
			// Kept as typed: the validator reports it, nothing is lost.
			q.draft.Value = v
		}
	case survey.TypeDate:
		if v := strings.TrimSpace(q.valueInput.Value()); v != "" {
			q.draft.Value = v
		} else {
			q.draft.Value = nil
		}
	}
	if q.ev != nil {
		q.ev.apply(&q.draft)
	}
}

// typed marks text as changed and schedules the save after the pause.
func (q *questionScreen) typed() tea.Cmd {
	q.syncText()
	q.dirty = true
	q.editSeq++
	seq := q.editSeq
	return tea.Tick(q.c.opts.CommitDelay, func(time.Time) tea.Msg { return textIdleMsg{seq: seq} })
}

func (q *questionScreen) isText(f focusID) bool {
	switch f {
	case focComment:
		return true
	case focValue:
		switch q.qu.Type {
		case survey.TypeText, survey.TypeNumber, survey.TypeDate:
			return true
		}
	}
	return false
}

// elements lists the focusable elements of the question.
func (q *questionScreen) elements() []focusID {
	var out []focusID
	if len(q.qu.Probes) > 0 {
		out = append(out, focProbes)
	}
	out = append(out, focValue)
	if q.qu.Type == survey.TypeRating {
		out = append(out, focEvidence)
	}
	return append(out, focComment)
}

func (q *questionScreen) startEditing() tea.Cmd {
	if !q.iv.editable() {
		return q.readOnly()
	}
	q.editing = true
	q.resize()
	switch {
	case q.focus == focComment:
		return q.comment.Focus()
	case q.qu.Type == survey.TypeText:
		return q.valueArea.Focus()
	default:
		return q.valueInput.Focus()
	}
}

// stopEditing blurs the text field and queues what was typed.
func (q *questionScreen) stopEditing() tea.Cmd {
	q.editing = false
	q.comment.Blur()
	q.valueArea.Blur()
	q.valueInput.Blur()
	q.resize()
	if q.dirty {
		return q.commit()
	}
	return nil
}

func (q *questionScreen) setFocus(f focusID) tea.Cmd {
	cmd := q.stopEditing()
	q.focus = f
	q.confirmDel = false
	if q.isText(f) {
		return tea.Batch(cmd, q.startEditing())
	}
	return cmd
}

func (q *questionScreen) cycle(d int) tea.Cmd {
	el := q.elements()
	i := slices.Index(el, q.focus)
	return q.setFocus(el[(i+d+len(el))%len(el)])
}

func (q *questionScreen) readOnly() tea.Cmd {
	return notice(survey.T("This interview is "+string(q.iv.st.Status.Status)+": to change it, open the review (r) and reopen it (R).",
		"Phỏng vấn này "+q.iv.st.Status.Status.Label().Get(survey.LangVI)+": để sửa, mở phần xem lại (r) và mở lại (R)."), false)
}

func (q *questionScreen) resize() {
	w := q.c.width - 2
	q.comment.SetWidth(w)
	q.valueArea.SetWidth(w)
	q.valueInput.Width = max(10, w-4)
	h := 3
	if q.c.height >= 40 {
		h = 5
	}
	q.comment.SetHeight(h)
	q.valueArea.SetHeight(h)
	if q.ev != nil {
		q.ev.resize(q.c.width)
	}
}

func (q *questionScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch m := msg.(type) {
	case tea.WindowSizeMsg:
		q.resize()
		return q, nil
	case textIdleMsg:
		if m.seq == q.editSeq && q.dirty {
			return q, q.commit()
		}
		return q, nil
	case tea.KeyMsg:
		return q, q.key(m)
	}
	return q, nil
}

// pendingSave queues what was typed and not yet saved, so that relevance (updated by
// record) includes it before a navigation key picks where to go: typing 35 in a number
// that makes the next question asked and pressing ctrl+n at once must land on that
// question, not skip it. The in-memory state changes at once, so the save and the move
// may run in any order.
func (q *questionScreen) pendingSave() tea.Cmd {
	if q.ro != nil || !q.dirty {
		return nil
	}
	return q.commit()
}

func (q *questionScreen) goNext() tea.Cmd {
	save := q.pendingSave()
	if n := q.iv.nextIn(q.pos); n >= 0 {
		return tea.Batch(save, q.c.gotoQ(q.iv.order[n].ID))
	}
	return tea.Batch(save, q.c.gotoS(q.iv.q.Sections[q.iv.secOf[q.pos]].ID))
}

func (q *questionScreen) goPrev() tea.Cmd {
	save := q.pendingSave()
	if p := q.iv.prevIn(q.pos); p >= 0 {
		return tea.Batch(save, q.c.gotoQ(q.iv.order[p].ID))
	}
	if si := q.iv.secOf[q.pos]; si > 0 {
		return tea.Batch(save, q.c.gotoS(q.iv.q.Sections[si-1].ID))
	}
	return tea.Batch(save, notice(survey.T("This is the first question.", "Đây là câu hỏi đầu tiên."), false))
}

// gotoQ shows question id (before the next key is read: shared.post).
func (c *shared) gotoQ(id string) tea.Cmd {
	return c.post(GotoMsg{Place: session.Place{Question: id}})
}

// gotoS shows the summary of section id (before the next key is read: shared.post).
func (c *shared) gotoS(id string) tea.Cmd {
	return c.post(GotoMsg{Place: session.Place{Section: id}})
}

func (q *questionScreen) key(m tea.KeyMsg) tea.Cmd {
	k := q.c.keys
	if q.jumping {
		return q.jumpKey(m)
	}
	if q.ev != nil {
		return q.evidenceKey(m)
	}
	if q.ro != nil {
		if cmd, ok := q.rosterKey(m); ok {
			return cmd
		}
	}
	// Navigation works everywhere, text fields included.
	switch {
	case key.Matches(m, k.Next):
		return q.goNext()
	case key.Matches(m, k.Prev):
		return q.goPrev()
	case key.Matches(m, k.FocusNext):
		return q.cycle(1)
	case key.Matches(m, k.FocusPrev):
		return q.cycle(-1)
	}
	if q.editing {
		if m.Type == tea.KeyEsc {
			return q.stopEditing()
		}
		return q.typeKey(m)
	}
	// Not typing: single letters are commands.
	switch {
	case key.Matches(m, k.NextArrow):
		return q.goNext()
	case key.Matches(m, k.PrevArrow):
		return q.goPrev()
	case key.Matches(m, k.Back):
		if q.confirmDel {
			q.confirmDel = false
			return nil
		}
		return q.c.leave()
	case key.Matches(m, k.NextUnanswered):
		if n := q.iv.nextUnanswered(q.pos); n >= 0 {
			return q.c.gotoQ(q.iv.order[n].ID)
		}
		return notice(survey.T("Every question is answered.", "Đã trả lời tất cả các câu hỏi."), false)
	case key.Matches(m, k.Jump):
		q.jumping = true
		q.jump.SetValue("")
		return q.jump.Focus()
	case key.Matches(m, k.Sections):
		return q.c.post(GotoMsg{Place: session.Place{Section: sectionsList}})
	case key.Matches(m, k.Summary):
		return q.c.gotoS(q.iv.q.Sections[q.iv.secOf[q.pos]].ID)
	case key.Matches(m, k.Review):
		return q.c.post(GotoMsg{Place: session.Place{Review: true}})
	case key.Matches(m, k.Versions):
		t := q.iv.answerTarget(q.qu.ID)
		return q.c.post(VersionsMsg{Target: t})
	case key.Matches(m, k.History):
		t := q.iv.answerTarget(q.qu.ID)
		return q.c.post(HistoryMsg{Target: t})
	case key.Matches(m, k.Comment):
		return q.setFocus(focComment)
	case key.Matches(m, k.Evidence) && q.qu.Type == survey.TypeRating:
		return q.setFocus(focEvidence)
	case key.Matches(m, k.Probes) && len(q.qu.Probes) > 0:
		return q.setFocus(focProbes)
	case m.Type == tea.KeyEnter && q.isText(q.focus):
		return q.startEditing()
	}
	switch q.focus {
	case focProbes:
		return q.probesKey(m)
	case focEvidence:
		return q.evidenceListKey(m)
	}
	return q.valueKey(m)
}

// typeKey sends a key to the text field being edited.
func (q *questionScreen) typeKey(m tea.KeyMsg) tea.Cmd {
	var cmd tea.Cmd
	switch {
	case q.focus == focComment:
		before := q.comment.Value()
		q.comment, cmd = q.comment.Update(m)
		if q.comment.Value() != before {
			return tea.Batch(cmd, q.typed())
		}
	case q.qu.Type == survey.TypeText:
		before := q.valueArea.Value()
		q.valueArea, cmd = q.valueArea.Update(m)
		if q.valueArea.Value() != before {
			return tea.Batch(cmd, q.typed())
		}
	default:
		if m.Type == tea.KeyEnter {
			return q.stopEditing()
		}
		before := q.valueInput.Value()
		q.valueInput, cmd = q.valueInput.Update(m)
		if q.valueInput.Value() != before {
			return tea.Batch(cmd, q.typed())
		}
	}
	return cmd
}

// valueKey handles the rating or the value of the question.
func (q *questionScreen) valueKey(m tea.KeyMsg) tea.Cmd {
	k := q.c.keys
	ks := m.String()
	if q.qu.Type == survey.TypeRating {
		sc := q.iv.q.ScaleOf(q.qu)
		code := ratingForKey(sc, ks)
		if ks == "n" || ks == "0" {
			if q.focus != focValue {
				code = ""
			}
		}
		switch {
		case code != "":
			if !q.iv.editable() {
				return q.readOnly()
			}
			if q.draft.Rating == code {
				return nil
			}
			q.draft.Rating = code
			q.focus = focValue
			return q.commit()
		case key.Matches(m, k.ClearRating) && q.focus == focValue && q.draft.Rating != "":
			if !q.iv.editable() {
				return q.readOnly()
			}
			q.draft.Rating = ""
			return q.commit()
		}
		return nil
	}
	if q.focus != focValue {
		return nil
	}
	switch q.qu.Type {
	case survey.TypeSingle, survey.TypeMultiple:
		n := len(q.qu.Options)
		switch {
		case key.Matches(m, k.Up):
			q.optCur = (q.optCur - 1 + n) % n
			return nil
		case key.Matches(m, k.Down):
			q.optCur = (q.optCur + 1) % n
			return nil
		}
		idx := -1
		if d := keys.RatingDigit(ks); d > 0 && d <= n {
			idx = d - 1
		} else if ks == " " || m.Type == tea.KeyEnter {
			idx = q.optCur
		} else if key.Matches(m, k.ClearRating) {
			if !q.iv.editable() {
				return q.readOnly()
			}
			q.draft.Value = nil
			return q.commit()
		}
		if idx < 0 {
			return nil
		}
		if !q.iv.editable() {
			return q.readOnly()
		}
		q.optCur = idx
		code := q.qu.Options[idx].Code
		if q.qu.Type == survey.TypeSingle {
			q.draft.Value = code
		} else {
			cur, _ := q.draft.Value.([]string)
			if i := slices.Index(cur, code); i >= 0 {
				cur = slices.Delete(slices.Clone(cur), i, i+1)
			} else {
				// Keep the questionnaire's order of options.
				set := map[string]bool{code: true}
				for _, c := range cur {
					set[c] = true
				}
				cur = nil
				for _, o := range q.qu.Options {
					if set[o.Code] {
						cur = append(cur, o.Code)
					}
				}
			}
			if len(cur) == 0 {
				q.draft.Value = nil
			} else {
				q.draft.Value = cur
			}
		}
		return q.commit()
	case survey.TypeYesNo:
		var v any
		switch ks {
		case "1", "y":
			v = true
		case "2", "n", "k":
			v = false
		default:
			if key.Matches(m, k.ClearRating) {
				v = nil
				break
			}
			return nil
		}
		if !q.iv.editable() {
			return q.readOnly()
		}
		q.draft.Value = v
		return q.commit()
	}
	return nil
}

func (q *questionScreen) probesKey(m tea.KeyMsg) tea.Cmd {
	k := q.c.keys
	n := len(q.qu.Probes)
	switch {
	case key.Matches(m, k.Up):
		q.probeCur = (q.probeCur - 1 + n) % n
	case key.Matches(m, k.Down):
		q.probeCur = (q.probeCur + 1) % n
	case key.Matches(m, k.Toggle), m.Type == tea.KeyEnter:
		if !q.iv.editable() {
			return q.readOnly()
		}
		id := q.qu.Probes[q.probeCur].ID
		set := map[string]bool{}
		for _, p := range q.draft.Probes {
			set[p] = true
		}
		set[id] = !set[id]
		q.draft.Probes = nil
		for _, p := range q.qu.Probes {
			if set[p.ID] {
				q.draft.Probes = append(q.draft.Probes, p.ID)
			}
		}
		return q.commit()
	default:
		return q.valueKey(m)
	}
	return nil
}

func (q *questionScreen) jumpKey(m tea.KeyMsg) tea.Cmd {
	switch m.Type {
	case tea.KeyEsc:
		q.jumping = false
		return nil
	case tea.KeyEnter:
		q.jumping = false
		want := strings.TrimSpace(q.jump.Value())
		if want == "" {
			return nil
		}
		i, ok := q.iv.index[want]
		if !ok {
			if n, err := strconv.Atoi(want); err == nil && n >= 1 && n <= len(q.iv.order) {
				i, ok = n-1, true
			}
		}
		if !ok {
			return notice(survey.T(fmt.Sprintf("There is no question %q.", want), fmt.Sprintf("Không có câu hỏi %q.", want)), true)
		}
		if !q.iv.relevant[i] {
			return notice(survey.T(fmt.Sprintf("Question %s is skipped: earlier answers make it not apply.", q.iv.order[i].ID),
				fmt.Sprintf("Câu %s được bỏ qua: theo các câu trả lời trước, câu này không áp dụng.", q.iv.order[i].ID)), false)
		}
		return q.c.gotoQ(q.iv.order[i].ID)
	}
	var cmd tea.Cmd
	q.jump, cmd = q.jump.Update(m)
	return cmd
}

func (q *questionScreen) Help() keys.Help {
	k := q.c.keys
	nav := []key.Binding{k.Next, k.Prev, k.NextUnanswered, k.Jump, k.Sections, k.Summary, k.Review}
	switch {
	case q.jumping:
		return keys.Help{Short: []key.Binding{k.Open, k.Back}}
	case q.ro != nil:
		return q.ro.help()
	case q.ev != nil:
		return q.ev.help(k)
	case q.editing:
		return keys.Help{Short: []key.Binding{k.Done, k.NextField, k.Next, k.Prev, k.Lang2},
			Full: [][]key.Binding{{k.Done, k.NextField, k.PrevField}, {k.Next, k.Prev}}}
	}
	var short []key.Binding
	var focused []key.Binding
	switch q.focus {
	case focProbes:
		focused = []key.Binding{k.Up, k.Down, k.Toggle}
		short = []key.Binding{k.Toggle}
	case focEvidence:
		focused = []key.Binding{k.EvAdd, k.EvEdit, k.EvDelete, k.EvPlus, k.EvMinus, k.EvNeutral, k.EvScope, k.EvMoveUp, k.EvMoveDown}
		short = []key.Binding{k.EvAdd, k.EvEdit, k.EvDelete, k.EvPlus, k.EvMinus, k.EvScope}
	case focComment:
		focused = []key.Binding{k.Open}
		short = []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", q.c.t("edit", "sửa")))}
	default:
		switch q.qu.Type {
		case survey.TypeRating:
			rate := scaleKeys(q.c, q.iv.q.ScaleOf(q.qu))
			focused = append(append([]key.Binding{}, rate...), k.ClearRating)
			short = rate
		case survey.TypeSingle, survey.TypeMultiple:
			focused = []key.Binding{k.Choose, k.Up, k.Down}
			short = []key.Binding{k.Choose}
		case survey.TypeYesNo:
			yn := key.NewBinding(key.WithKeys("y", "n"), key.WithHelp("y/n", q.c.t("yes/no", "có/không")))
			focused, short = []key.Binding{yn}, []key.Binding{yn}
		default:
			focused = []key.Binding{k.Open}
			short = []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", q.c.t("edit", "sửa")))}
		}
	}
	if _, ok := q.iv.conflict(q.iv.answerTarget(q.qu.ID)); ok {
		short = append([]key.Binding{k.Versions}, short...)
	}
	short = append(short, k.FocusNext, k.NextArrow, k.PrevArrow, k.NextUnanswered, k.Sections, k.Review)
	return keys.Help{Short: short, Full: [][]key.Binding{append(focused, k.Versions, k.History), nav,
		{k.FocusNext, k.FocusPrev, k.Comment, k.Evidence, k.Probes, k.Leave}}}
}

// View draws the question; parts shrink when the terminal is short, the focused part last.
func (q *questionScreen) View() string {
	if q.qu == nil {
		return ""
	}
	c, s := q.c, q.c.sty
	w := c.width
	iv := q.iv
	si := iv.secOf[q.pos]
	sec := iv.q.Sections[si]

	// Breadcrumb and rule.
	crumb := fmt.Sprintf("%s %d/%d · %s", c.t("Section", "Phần"), si+1, len(iv.q.Sections), c.get(sec.Title))
	pos := fmt.Sprintf(c.t("question %s · %d of %d · ", "câu %s · %d/%d · "), q.qu.ID, iv.position(q.pos), iv.total) +
		progressText(c, iv.answered, iv.attention, iv.total)
	if !iv.editable() {
		pos = c.get(iv.st.Status.Status.Label()) + " · " + c.t("read only", "chỉ đọc") + " · " + pos
	}
	top := []string{
		pad(s.Heading.Render(cut(crumb, w-width(pos)-2)), w-width(pos)-1) + " " + s.Subtle.Render(pos),
	}
	if iv.st.Status.Status == survey.StatusReturned && iv.st.Status.Reason != "" {
		top = append(top, s.Error.Render(cut(c.t("Returned: ", "Bị trả lại: ")+iv.st.Status.Reason, w)))
	}
	top = append(top, s.Rule.Render(strings.Repeat("─", w)))

	if q.jumping {
		top = append(top, "", s.Focused.Render(c.t("Go to question (number, e.g. 7.1): ", "Đến câu số (ví dụ 7.1): "))+q.jump.View())
	}
	if q.ro != nil {
		return q.ro.view(q, top)
	}

	// Blocks: full and shrunk renderings.
	type block struct {
		full, small []string
		focus       bool
		// first: shrunk before any other block (the section's context).
		first bool
	}
	var blocks []block

	// The section's context, on its first asked question (where the section starts): what
	// the assessor says before asking; dropped first when the screen is short.
	if ctx := c.get(sec.Context); ctx != "" && q.pos == iv.firstIn(si) {
		cl := wrapPrefixed(c.t("Context: ", "Bối cảnh: "), ctx, w)
		for i := range cl {
			cl[i] = s.Subtle.Render(cl[i])
		}
		blocks = append(blocks, block{full: cl, small: clip(cl, 1), first: true})
	}

	// Question text.
	qt := q.qu.ID + "  " + c.get(q.qu.Text)
	if q.qu.Required {
		qt += " *"
	}
	if q.qu.Importance != "" {
		qt += "  [" + c.t("importance: ", "mức quan trọng: ") + c.get(q.qu.Importance.Label()) + "]"
	}
	qlines := wrapPrefixed(q.qu.ID+"  ", strings.TrimPrefix(qt, q.qu.ID+"  "), w)
	for i := range qlines {
		qlines[i] = s.Heading.Render(qlines[i])
	}
	blocks = append(blocks, block{full: qlines, small: clip(qlines, 3)})

	if g := c.get(q.qu.Guidance); g != "" {
		gl := wrapPrefixed(c.t("Guidance: ", "Hướng dẫn: "), g, w)
		for i := range gl {
			gl[i] = s.Subtle.Render(gl[i])
		}
		blocks = append(blocks, block{full: gl, small: clip(gl, 1)})
	}

	if len(q.qu.Probes) > 0 {
		f := q.focus == focProbes
		title := c.t("Probes (p)", "Câu hỏi gợi ý (p)")
		full := []string{q.label(title, f)}
		asked := 0
		for j, p := range q.qu.Probes {
			box := "[ ]"
			if slices.Contains(q.draft.Probes, p.ID) {
				box = "[x]"
				asked++
			}
			mark := "  "
			if f && j == q.probeCur {
				mark = s.FocusMark.Render("▸ ")
			}
			if !f {
				full = append(full, mark+cut(box+" "+p.ID+". "+c.get(p.Text), w-2))
				continue
			}
			// Focused (p): every probe whole, wrapped under its box.
			for k, l := range wrapPrefixed(box+" "+p.ID+". ", c.get(p.Text), w-2) {
				if j == q.probeCur {
					l = s.Selected.Render(l)
				}
				if k == 0 {
					full = append(full, mark+l)
				} else {
					full = append(full, "  "+l)
				}
			}
		}
		small := []string{q.label(title, f) + s.Subtle.Render(fmt.Sprintf(c.t(" %d of %d asked", " đã hỏi %d/%d"), asked, len(q.qu.Probes)))}
		blocks = append(blocks, block{full: full, small: small, focus: f})
	}

	// The value.
	{
		f := q.focus == focValue
		vl := q.valueView(f, w)
		blocks = append(blocks, block{full: vl, small: vl, focus: true})
	}
	// What the chosen rating means in this section: whole while the rating has focus (it is
	// what the assessor weighs), else when there is room for it.
	if r, ok := sec.Rubric[q.draft.Rating]; ok && q.qu.Type == survey.TypeRating && q.draft.Rating != "" {
		rl := wrapPrefixed("  "+c.t("Rubric: ", "Tiêu chí: "), c.get(r), w)
		for i := range rl {
			rl[i] = s.Subtle.Render(rl[i])
		}
		if q.focus == focValue {
			blocks = append(blocks, block{full: rl, small: clip(rl, 2), focus: true})
		} else {
			blocks = append(blocks, block{full: clip(rl, 3), small: nil})
		}
	}

	// Issues with this answer (a missing required answer is not an error until review).
	var issues []string
	for _, is := range iv.q.Check(q.qu, iv.st.Answers) {
		if is.Kind == survey.IssueMissing {
			continue
		}
		issues = append(issues, wrapPrefixed("✗ ", c.get(is.Msg), w)...)
	}
	if cf, ok := iv.conflict(iv.answerTarget(q.qu.ID)); ok {
		issues = append(issues, wrapPrefixed("! ", fmt.Sprintf(c.t("CONFLICT: %d versions of this answer, made on different devices; the newest is shown. v compares them side by side and settles.",
			"XUNG ĐỘT: câu trả lời này có %d phiên bản từ các máy khác nhau; đang hiện bản mới nhất. v để so sánh và giải quyết."), len(cf.Heads)), w)...)
	}
	if len(issues) > 0 {
		for i := range issues {
			issues[i] = s.Error.Render(issues[i])
		}
		blocks = append(blocks, block{full: issues, small: issues, focus: true})
	}

	if q.qu.Type == survey.TypeRating {
		f := q.focus == focEvidence
		if q.ev != nil {
			el := q.ev.view(c, w)
			blocks = append(blocks, block{full: el, small: el, focus: true})
		} else {
			full, small := q.evidenceView(f, w)
			blocks = append(blocks, block{full: full, small: small, focus: f})
		}
	}

	// Comment.
	{
		f := q.focus == focComment
		title := q.label(c.t("Comment (c)", "Nhận xét (c)"), f)
		var full, small []string
		if q.editing && f {
			full = append([]string{title}, lines(q.comment.View())...)
			small = full
		} else {
			txt := q.comment.Value()
			if txt == "" {
				full = []string{title + " " + s.Faint.Render("—")}
			} else {
				full = append([]string{title}, q.commentWrap.wrap("  ", txt, w)...)
			}
			small = clip(full, 2)
		}
		blocks = append(blocks, block{full: full, small: small, focus: f})
	}

	// Fit: shrink the section's context, then unfocused blocks from the bottom up, then the
	// focused ones.
	avail := c.bodyHeight() - len(top)
	total := func() int {
		n := 0
		for _, b := range blocks {
			n += len(b.full)
		}
		return n
	}
	for i := range blocks {
		if blocks[i].first && total() > avail {
			blocks[i].full = blocks[i].small
		}
	}
	for pass := 0; pass < 2 && total() > avail; pass++ {
		for i := len(blocks) - 1; i >= 0 && total() > avail; i-- {
			if blocks[i].focus == (pass == 1) {
				blocks[i].full = blocks[i].small
			}
		}
	}
	out := top
	for _, b := range blocks {
		out = append(out, b.full...)
	}
	return strings.Join(clip(out, c.bodyHeight()), "\n")
}

// label renders an element's title, marked when focused.
func (q *questionScreen) label(t string, focused bool) string {
	if focused {
		return q.c.sty.FocusMark.Render("▸ ") + q.c.sty.Focused.Render(t)
	}
	return "  " + q.c.sty.Heading.Render(t)
}

func (q *questionScreen) valueView(f bool, w int) []string {
	c, s := q.c, q.c.sty
	switch q.qu.Type {
	case survey.TypeRating:
		sc := q.iv.q.ScaleOf(q.qu)
		out := []string{q.label(c.get(sc.Label), f)}
		for _, l := range ratingBlock(c, sc, q.draft.Rating, f, w-2) {
			out = append(out, "  "+l)
		}
		return out
	case survey.TypeSingle, survey.TypeMultiple:
		title := c.t("Answer: choose one", "Trả lời: chọn một")
		if q.qu.Type == survey.TypeMultiple {
			title = c.t("Answer: choose any", "Trả lời: chọn nhiều")
		}
		out := []string{q.label(title, f)}
		chosen, _ := q.draft.Value.([]string)
		if v, ok := q.draft.Value.(string); ok {
			chosen = []string{v}
		}
		for j, o := range q.qu.Options {
			box := "( )"
			if q.qu.Type == survey.TypeMultiple {
				box = "[ ]"
			}
			if slices.Contains(chosen, o.Code) {
				box = strings.Replace(strings.Replace(box, "( )", "(•)", 1), "[ ]", "[x]", 1)
			}
			line := fmt.Sprintf("%s %d %s", box, j+1, c.get(o.Label))
			mark := "  "
			if f && j == q.optCur {
				mark = s.FocusMark.Render("▸ ")
				line = s.Selected.Render(cut(line, w-2))
			}
			out = append(out, mark+cut(line, w-2))
		}
		return out
	case survey.TypeYesNo:
		yes, no := "  1 "+c.t("Yes", "Có")+"  ", "  2 "+c.t("No", "Không")+"  "
		if v, ok := q.draft.Value.(bool); ok {
			if v {
				yes = s.Selected.Render("[1 " + c.t("Yes", "Có") + "]")
			} else {
				no = s.Selected.Render("[2 " + c.t("No", "Không") + "]")
			}
		}
		return []string{q.label(c.t("Answer", "Trả lời"), f), "  " + yes + "  " + no}
	case survey.TypeText:
		title := q.label(c.t("Answer", "Trả lời"), f)
		if q.editing && f {
			return append([]string{title}, lines(q.valueArea.View())...)
		}
		v := q.valueArea.Value()
		if v == "" {
			return []string{title + " " + s.Faint.Render("— ("+c.t("enter to type", "enter để nhập")+")")}
		}
		return append([]string{title}, q.valueWrap.wrap("  ", v, w)...)
	default: // number, date
		hint := ""
		if q.qu.Type == survey.TypeDate {
			hint = " (YYYY-MM-DD)"
		} else if q.qu.Min != nil || q.qu.Max != nil {
			hint = " ("
			if q.qu.Min != nil {
				hint += "≥ " + strconv.FormatFloat(*q.qu.Min, 'f', -1, 64)
			}
			if q.qu.Max != nil {
				if q.qu.Min != nil {
					hint += ", "
				}
				hint += "≤ " + strconv.FormatFloat(*q.qu.Max, 'f', -1, 64)
			}
			hint += ")"
		}
		title := q.label(c.t("Answer", "Trả lời")+hint, f)
		if q.editing && f {
			return []string{title, "  [" + q.valueInput.View() + "]"}
		}
		v := q.valueInput.Value()
		if v == "" {
			v = s.Faint.Render("— (" + c.t("enter to type", "enter để nhập") + ")")
		}
		return []string{title, "  " + v}
	}
}

func (q *questionScreen) evidenceView(f bool, w int) (full, small []string) {
	c, s := q.c, q.c.sty
	ev := q.draft.Evidence
	var plus, minus, neutral int
	for _, e := range ev {
		switch e.Polarity {
		case survey.Plus:
			plus++
		case survey.Minus:
			minus++
		default:
			neutral++
		}
	}
	counts := fmt.Sprintf(c.t("Evidence (e) — %d: %d +, %d -", "Bằng chứng (e) — %d: %d +, %d -"), len(ev), plus, minus)
	if neutral > 0 {
		// Neutral or mixed evidence as the method marks it ("1 o" on ODRA); the DGRA's mark
		// "0" would read as a count ("1 0"), so there it is named.
		mark := c.neutral
		if mark == "" || mark == string(survey.Neutral) {
			mark = c.t("neutral", "trung tính")
		}
		counts += fmt.Sprintf(", %d %s", neutral, mark)
	}
	title := q.label(counts, f)
	full = []string{title}
	if len(ev) == 0 {
		full = append(full, "  "+s.Faint.Render(c.t("none yet: e then a to add", "chưa có: e rồi a để thêm")))
		return full, full[:1]
	}
	for j, e := range ev {
		if f && j == q.evCur {
			// The selected item whole: text, source, and why it is out of scope.
			el := evidenceLines(c, e, w-2)
			for k := range el {
				if k == 0 {
					el[k] = s.FocusMark.Render("▸") + s.Selected.Render(strings.TrimPrefix(el[k], " "))
				} else {
					el[k] = " " + s.Selected.Render(el[k])
				}
			}
			full = append(full, el...)
			continue
		}
		full = append(full, evidenceLine(c, e, f && j == q.evCur, w))
	}
	if q.confirmDel && f {
		full = append(full, s.Warning.Render("  "+c.t("Press x again to delete this item, esc to keep it.", "Nhấn x lần nữa để xoá mục này, esc để giữ lại.")))
	}
	// Shrunk: the selected item and its neighbours.
	small = []string{title}
	start := max(0, min(q.evCur-1, len(ev)-2))
	for j := start; j < min(len(ev), start+2); j++ {
		small = append(small, evidenceLine(c, ev[j], f && j == q.evCur, w))
	}
	if len(ev) > 2 {
		small = append(small, s.Faint.Render(fmt.Sprintf(c.t("  … %d items in all", "  … tất cả %d mục"), len(ev))))
	}
	return full, small
}
