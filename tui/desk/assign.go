package desk

import (
	"context"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/tui/keys"
	"github.com/fieldsurvey/fieldsurvey/tui/session"
)

// Assignment is one planned interview as the assign form fills it (survey/assign's
// Assignment, which the desk cannot import: it writes to the SQL store).
type Assignment struct {
	Questionnaire, Version     string
	Agency, Province, Assignee string
	Due, Note                  string
}

// AssignProblem is one thing wrong with an assignment: its column (questionnaire, agency,
// province, assessor, due, note) and what is wrong, in both languages.
type AssignProblem struct {
	Column string
	Msg    survey.Text
}

// Assigner is a Store that can write planned interviews (tui/storeadapter/deskstore's Desk
// is one). A desk whose store is not an Assigner cannot assign.
type Assigner interface {
	// Assessors returns the principals an assignment may name (the suggestions).
	Assessors(ctx context.Context) ([]string, error)
	// Assign checks a (survey/assign's Checker) and, when nothing is wrong, writes one
	// planned interview by by in one durable commit and returns its id. Problems mean
	// nothing was written.
	Assign(ctx context.Context, by session.Author, a Assignment) (id string, probs []AssignProblem, err error)
}

// Messages of the assign form.
type (
	// AssignMsg asks the root to open the assign form for a province and a questionnaire
	// (from the overview).
	AssignMsg       struct{ Province, Questionnaire string }
	assessorsMsg    struct{ list []string }
	assignSubmitMsg struct{ a Assignment }
	assignedMsg     struct {
		id    string
		a     Assignment
		probs []AssignProblem
		err   error
	}
)

// The assign form's fields, in tab order.
const (
	afProvince = iota
	afAgency
	afAssessor
	afDue
	afNote
	afButton
	afCount
)

var afColumns = [...]string{afProvince: "province", afAgency: "agency", afAssessor: "assessor", afDue: "due", afNote: "note"}

// assignKey is the overview's key that opens the assign form.
func assignKey(c *shared) key.Binding {
	return key.NewBinding(key.WithKeys("a"), key.WithHelp("a", c.t("assign", "giao việc")))
}

// assignScreen plans one interview for an assessor: the questionnaire shown in the
// overview, the province of its row, the agency, the assessor's principal (the known ones
// are suggested; ctrl+e takes one), an optional due date and note. While a text field has
// focus every letter is text.
type assignScreen struct {
	c        *shared
	qn       string
	version  string
	title    survey.Text
	inputs   [afButton]*textinput.Model
	focus    int
	known    []string
	matches  []string
	sel      int
	problems map[string]survey.Text
	err      survey.Text
	sent     bool
	// initial is what the fields held when the form opened (the province chosen on the
	// overview): unsaved tells a filled form from an untouched one.
	initial [afButton]string
}

func newAssignScreen(c *shared, province, qn string) *assignScreen {
	f := &assignScreen{c: c, qn: qn, problems: map[string]survey.Text{}}
	if q, ok := session.Latest(c.cat, qn); ok {
		f.version, f.title = q.Version, q.Title
	}
	limits := [afButton]int{200, 200, 200, 10, 1000}
	for i := range f.inputs {
		ti := textinput.New()
		ti.Prompt = ""
		ti.CharLimit = limits[i]
		ti.Cursor.SetMode(cursor.CursorStatic)
		f.inputs[i] = &ti
	}
	f.inputs[afProvince].SetValue(province)
	f.inputs[afDue].Placeholder = "YYYY-MM-DD"
	for i, in := range f.inputs {
		f.initial[i] = in.Value()
	}
	f.focus = afAgency
	f.focusField()
	return f
}

// Init reads the principals to suggest.
func (f *assignScreen) Init() tea.Cmd {
	as, ok := f.c.store.(Assigner)
	if !ok {
		return nil
	}
	ctx := f.c.ctx
	return func() tea.Msg {
		l, _ := as.Assessors(ctx)
		return assessorsMsg{list: l}
	}
}

func (f *assignScreen) Title() string { return f.c.t("Assign", "Giao việc") }

func (f *assignScreen) Typing() bool { return f.focus != afButton }

func (f *assignScreen) Help() keys.Help {
	k := f.c.keys
	short := []key.Binding{k.NextField}
	switch {
	case f.focus == afButton:
		short = append(short, key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", f.c.t("assign", "giao việc"))))
	case f.focus == afAssessor && len(f.matches) > 0:
		short = append(short, k.Accept)
	default:
		short = append(short, key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", f.c.t("next", "tiếp"))))
	}
	return keys.Help{Short: append(short, k.Cancel)}
}

func (f *assignScreen) focusField() {
	for i, in := range f.inputs {
		if i == f.focus {
			in.Focus()
			in.CursorEnd()
		} else {
			in.Blur()
		}
	}
	f.updateMatches()
}

func (f *assignScreen) move(d int) {
	f.focus = (f.focus + d + afCount) % afCount
	f.focusField()
}

// updateMatches recomputes the principals that contain what the assessor field holds.
func (f *assignScreen) updateMatches() {
	f.matches, f.sel = nil, 0
	if f.focus != afAssessor {
		return
	}
	v := f.inputs[afAssessor].Value()
	typed := strings.ToLower(strings.TrimSpace(v))
	for _, p := range f.known {
		if p == v {
			continue
		}
		if typed == "" || strings.Contains(strings.ToLower(p), typed) {
			f.matches = append(f.matches, p)
		}
		if len(f.matches) == 4 {
			break
		}
	}
}

// unsaved warns of a form filled but not yet an assignment (unsavedInput): a field differs
// from what it held when the form opened.
func (f *assignScreen) unsaved() survey.Text {
	if f.sent {
		return nil
	}
	for i, in := range f.inputs {
		if strings.TrimSpace(in.Value()) != strings.TrimSpace(f.initial[i]) {
			return survey.T("This interview is not assigned yet (enter on Assign does it). Press ctrl+c again to quit and drop the form.",
				"Cuộc phỏng vấn này chưa được giao (enter trên nút Giao việc để giao). Nhấn ctrl+c lần nữa để thoát và bỏ biểu mẫu.")
		}
	}
	return nil
}

func (f *assignScreen) assignment() Assignment {
	v := func(i int) string { return f.inputs[i].Value() }
	return Assignment{Questionnaire: f.qn, Version: f.version, Province: v(afProvince), Agency: v(afAgency),
		Assignee: v(afAssessor), Due: v(afDue), Note: v(afNote)}
}

// refused shows the problems of the assignment (nothing was written; the form stays).
func (f *assignScreen) refused(probs []AssignProblem, err survey.Text) {
	f.sent = false
	f.problems = map[string]survey.Text{}
	for _, p := range probs {
		if old, ok := f.problems[p.Column]; ok {
			p.Msg = survey.T(old.Get(survey.LangEN)+"; "+p.Msg.Get(survey.LangEN), old.Get(survey.LangVI)+"; "+p.Msg.Get(survey.LangVI))
		}
		f.problems[p.Column] = p.Msg
	}
	f.err = err
	if len(probs) > 0 && err == nil {
		f.err = survey.T("Nothing was assigned: correct the fields marked ✗.", "Chưa giao gì: hãy sửa các ô có dấu ✗.")
	}
}

func (f *assignScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch m := msg.(type) {
	case assessorsMsg:
		f.known = m.list
		f.updateMatches()
	case tea.KeyMsg:
		return f, f.key(m)
	}
	return f, nil
}

func (f *assignScreen) key(m tea.KeyMsg) tea.Cmd {
	k := f.c.keys
	switch {
	case key.Matches(m, k.Cancel):
		return f.c.post(BackMsg{})
	case key.Matches(m, k.Accept) && f.focus == afAssessor && len(f.matches) > 0:
		f.inputs[afAssessor].SetValue(f.matches[f.sel])
		f.move(1)
		return nil
	case key.Matches(m, k.NextField):
		f.move(1)
		return nil
	case key.Matches(m, k.PrevField):
		f.move(-1)
		return nil
	case f.focus == afAssessor && m.Type == tea.KeyDown && len(f.matches) > 0:
		f.sel = (f.sel + 1) % len(f.matches)
		return nil
	case f.focus == afAssessor && m.Type == tea.KeyUp && len(f.matches) > 0:
		f.sel = (f.sel - 1 + len(f.matches)) % len(f.matches)
		return nil
	case m.Type == tea.KeyDown:
		f.move(1)
		return nil
	case m.Type == tea.KeyUp:
		f.move(-1)
		return nil
	case m.Type == tea.KeyEnter && f.focus != afButton:
		f.move(1)
		return nil
	case m.Type == tea.KeyEnter:
		if f.sent {
			return nil
		}
		f.sent = true
		f.err = nil
		a := f.assignment()
		return func() tea.Msg { return assignSubmitMsg{a: a} }
	case f.focus == afButton:
		return nil
	}
	col := afColumns[f.focus]
	delete(f.problems, col)
	var cmd tea.Cmd
	*f.inputs[f.focus], cmd = f.inputs[f.focus].Update(m)
	f.updateMatches()
	return cmd
}

func (f *assignScreen) View() string {
	c, s := f.c, f.c.sty
	w := c.width
	const lw = 24
	fw := max(10, w-lw-3)
	qname := f.qn
	if f.title != nil {
		qname = fmt.Sprintf("%s %s — %s", f.qn, f.version, c.get(f.title))
	}
	out := []string{
		s.Title.Render(cut(c.t("Plan an interview for an assessor", "Giao một cuộc phỏng vấn cho người đánh giá"), w)),
		s.Subtle.Render(cut(c.t("It reaches the assessor with the next sync or batch, under “To do”.",
			"Gửi đến người đánh giá khi đồng bộ hoặc đóng lô, ở mục “Việc cần làm”."), w)),
		"",
		"  " + pad(c.t("Questionnaire", "Bảng hỏi"), lw-2) + cut(qname, fw),
	}
	problem := func(col string) {
		if p, ok := f.problems[col]; ok {
			for _, l := range wrap("✗ "+c.get(p), max(10, w-lw)) {
				out = append(out, strings.Repeat(" ", lw)+s.Error.Render(l))
			}
		}
	}
	if f.title == nil {
		out = append(out, strings.Repeat(" ", lw)+s.Error.Render(cut(c.t("✗ not installed here: nothing can be assigned", "✗ chưa cài ở đây: không thể giao"), fw)))
	}
	problem("questionnaire")
	labels := [afButton]survey.Text{
		survey.T("Province or ministry", "Tỉnh hoặc bộ"),
		survey.T("Agency", "Cơ quan"),
		survey.T("Assessor (principal)", "Người đánh giá"),
		survey.T("Due (optional)", "Hạn (nếu có)"),
		survey.T("Note (optional)", "Ghi chú (nếu có)"),
	}
	for i, in := range f.inputs {
		l := c.get(labels[i])
		var line string
		if f.focus == i {
			in.Width = max(1, fw-2)
			line = s.FocusMark.Render("▸ ") + s.Focused.Render(pad(l, lw-2)) + "[" + in.View() + "]"
		} else {
			v := in.Value()
			if v == "" {
				v = s.Faint.Render("—")
			}
			line = "  " + pad(l, lw-2) + cut(v, fw)
		}
		out = append(out, line)
		if i == afAssessor && f.focus == afAssessor && len(f.matches) > 0 {
			for j, m := range f.matches {
				mark := "  "
				if j == f.sel {
					mark = "› "
					m = s.Selected.Render(m)
				}
				out = append(out, strings.Repeat(" ", lw)+s.Subtle.Render(mark)+cut(m, fw-2))
			}
			out = append(out, strings.Repeat(" ", lw)+s.Faint.Render(c.t("↑/↓ choose, ctrl+e to take it", "↑/↓ chọn, ctrl+e để dùng")))
		}
		problem(afColumns[i])
	}
	out = append(out, "")
	btn := "[ " + c.t("Assign", "Giao việc") + " ]"
	if f.focus == afButton {
		btn = s.Selected.Render(btn) + s.Subtle.Render(c.t("  enter to assign · esc cancels", "  enter để giao · esc để huỷ"))
	} else {
		btn = s.Subtle.Render(btn + c.t("  (tab to it, then enter)", "  (tab đến nút, rồi enter)"))
	}
	out = append(out, "  "+btn)
	if f.err != nil {
		for _, l := range wrap(c.get(f.err), w) {
			out = append(out, s.Error.Render(l))
		}
	}
	return strings.Join(out, "\n")
}

// openAssign opens the assign form, unless this desk is read-only or cannot write planned
// interviews.
func (a *App) openAssign(m AssignMsg) tea.Cmd {
	if ro := a.c.opts.ReadOnly; ro != nil {
		return notice(survey.T("Read-only, nothing can be assigned here: "+ro.Get(survey.LangEN),
			"Chỉ xem, không thể giao việc ở đây: "+ro.Get(survey.LangVI)), true)
	}
	if _, ok := a.c.store.(Assigner); !ok {
		return notice(survey.T("This desk cannot write planned interviews: use fieldsurvey assign",
			"Màn hình này không ghi được phỏng vấn theo kế hoạch: hãy dùng fieldsurvey assign"), true)
	}
	if m.Questionnaire == "" && a.c.cat != nil {
		// No interview yet: the first questionnaire installed.
		for _, q := range a.c.cat.List() {
			m.Questionnaire = q.ID
			break
		}
	}
	if m.Questionnaire == "" {
		return notice(survey.T("No questionnaire is installed here: nothing can be assigned", "Chưa cài bảng hỏi nào: không thể giao việc"), true)
	}
	a.assign = newAssignScreen(a.c, m.Province, m.Questionnaire)
	a.assign.Update(tea.WindowSizeMsg{Width: a.c.width, Height: a.c.height})
	a.assignBelow = a.active
	a.active = scrAssign
	return a.assign.Init()
}

// writeAssignment checks and writes the planned interview with the home's device and
// principal.
func (a *App) writeAssignment(m assignSubmitMsg) tea.Cmd {
	as, ok := a.c.store.(Assigner)
	if a.c.opts.ReadOnly != nil || !ok {
		return notice(survey.T("nothing can be assigned here", "không thể giao việc ở đây"), true)
	}
	a.writing++
	ctx := a.c.ctx
	by := session.Author{Device: a.c.opts.Device, Principal: a.c.opts.Principal}
	return func() tea.Msg {
		id, probs, err := as.Assign(ctx, by, m.a)
		return assignedMsg{id: id, a: m.a, probs: probs, err: err}
	}
}

func (a *App) assigned(m assignedMsg) tea.Cmd {
	a.writing = max(0, a.writing-1)
	if a.quitting && a.writing == 0 {
		return tea.Quit
	}
	if m.err != nil || len(m.probs) > 0 {
		if a.assign != nil {
			var t survey.Text
			if m.err != nil {
				t = survey.T("could not save the planned interview: "+m.err.Error(), "không lưu được phỏng vấn theo kế hoạch: "+m.err.Error())
			}
			a.assign.refused(m.probs, t)
		}
		return nil
	}
	if a.assign != nil {
		a.assign, a.active = nil, a.assignBelow
	}
	next := survey.T("waiting for a batch (fieldsurvey batch create)", "chờ đóng lô (fieldsurvey batch create)")
	if a.c.opts.Sync != nil {
		next = survey.T("waiting to sync (ctrl+s sends now)", "chờ đồng bộ (ctrl+s để gửi ngay)")
	}
	who := strings.TrimSpace(m.a.Assignee)
	what := strings.TrimSpace(m.a.Agency) + ", " + strings.TrimSpace(m.a.Province)
	a.notice = survey.T(fmt.Sprintf("%s (%s) assigned to %s · saved, %s", what, shortID(m.id), who, next.Get(survey.LangEN)),
		fmt.Sprintf("%s (%s) đã giao cho %s · đã lưu, %s", what, shortID(m.id), who, next.Get(survey.LangVI)))
	a.noticeEr = false
	return tea.Batch(a.queue.reload(), a.pendingCmd(), a.over.reloadIfLoaded())
}
