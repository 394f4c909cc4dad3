package desk

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textarea"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/report"
	"github.com/fieldsurvey/fieldsurvey/tui/internal/scalekeys"
	"github.com/fieldsurvey/fieldsurvey/tui/keys"
	"github.com/fieldsurvey/fieldsurvey/tui/session"
)

// Messages of the team's assessment screens.
type (
	// showAssessmentsMsg opens the list of the home's assessments.
	showAssessmentsMsg struct{}
	// OpenAssessmentMsg asks the root to open an assessment.
	OpenAssessmentMsg struct{ ID string }

	assessListMsg struct {
		rows []survey.Summary
		err  error
	}
	assessLoadedMsg struct {
		id  string
		a   *survey.Assessment
		q   *survey.Questionnaire
		rep *report.AssessmentReport
		err error
	}
	// assessSavedMsg is the end of one write of the assessment screen: saved, refused
	// (a conflict stands on the target) or failed.
	// pauseMsg comes Options.SavePause after a key typed into a text field; gen says which.
	pauseMsg struct {
		id  string
		gen int
	}
	assessSavedMsg struct {
		id      string
		what    string
		refused survey.Text
		err     error
	}
)

// assessListScreen lists the home's assessments (title, questionnaire, scope); enter opens
// one.
type assessListScreen struct {
	c      *shared
	rows   []survey.Summary
	err    error
	loaded bool
	cursor int
	top    int
}

func newAssessListScreen(c *shared) *assessListScreen { return &assessListScreen{c: c} }

func (l *assessListScreen) Init() tea.Cmd {
	st, ctx := l.c.store, l.c.ctx
	return func() tea.Msg {
		rows, err := st.Assessments(ctx)
		return assessListMsg{rows: rows, err: err}
	}
}

func (l *assessListScreen) Title() string {
	return l.c.t("Team assessments", "Đánh giá của nhóm")
}
func (l *assessListScreen) Typing() bool { return false }

func (l *assessListScreen) Help() keys.Help {
	k := l.c.keys
	open := key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", l.c.t("open", "mở")))
	return keys.Help{Short: []key.Binding{open, k.Up, k.Down, k.Back},
		Full: [][]key.Binding{{k.Up, k.Down, open, k.Back}}}
}

func (l *assessListScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch m := msg.(type) {
	case assessListMsg:
		l.loaded, l.err, l.rows = true, m.err, m.rows
		l.cursor = max(0, min(l.cursor, len(l.rows)-1))
		return l, nil
	case tea.KeyMsg:
		k := l.c.keys
		switch {
		case key.Matches(m, k.Back):
			return l, l.c.post(BackMsg{})
		case key.Matches(m, k.Up):
			l.cursor = max(0, l.cursor-1)
		case key.Matches(m, k.Down):
			l.cursor = max(0, min(len(l.rows)-1, l.cursor+1))
		case m.Type == tea.KeyEnter && l.cursor < len(l.rows):
			id := l.rows[l.cursor].ID
			return l, l.c.post(OpenAssessmentMsg{ID: id})
		}
	}
	return l, nil
}

func (l *assessListScreen) View() string {
	c, s := l.c, l.c.sty
	w := c.width
	switch {
	case l.err != nil:
		return s.Error.Render(cut(c.t("Could not list the assessments: ", "Không liệt kê được các bản đánh giá: ")+l.err.Error(), w))
	case !l.loaded:
		return s.Subtle.Render(c.t("Loading…", "Đang tải…"))
	case len(l.rows) == 0:
		return strings.Join(wrap(c.t("No team assessment yet: create one with fieldsurvey assessment new --questionnaire Q --scope national --title TEXT.",
			"Chưa có bản đánh giá của nhóm: tạo bằng fieldsurvey assessment new --questionnaire Q --scope national --title TIÊU-ĐỀ."), w), "\n")
	}
	qw, sw, rw := 18, 16, 12
	tw := max(10, w-2-qw-sw-rw-3)
	head := "  " + pad(c.t("Title", "Tiêu đề"), tw) + " " + pad(c.t("Questionnaire", "Bảng hỏi"), qw) + " " +
		pad(c.t("Scope", "Phạm vi"), sw) + " " + pad(c.t("Rated", "Đã đánh giá"), rw)
	out := []string{s.Heading.Render(cut(head, w))}
	h := max(1, c.bodyHeight()-2)
	l.top = window(l.cursor, len(l.rows), h, l.top)
	for i := l.top; i < len(l.rows) && i < l.top+h; i++ {
		r := l.rows[i]
		scope := r.Scope
		if scope == survey.ScopeNational {
			scope = c.t("national", "toàn quốc")
		}
		rated := fmt.Sprintf("%d", r.Answered)
		if r.Conflicts > 0 {
			rated += fmt.Sprintf(c.t(" ⚠%d", " ⚠%d"), r.Conflicts)
		}
		line := "  " + pad(r.Title, tw) + " " + pad(r.Questionnaire+" "+r.Version, qw) + " " + pad(scope, sw) + " " + pad(rated, rw)
		if i == l.cursor {
			line = s.Selected.Render(pad("▸ "+strings.TrimPrefix(line, "  "), w))
		}
		out = append(out, cut(line, w))
	}
	return strings.Join(out, "\n")
}

// The text fields of the assessment screen.
type assessField int

const (
	fieldNone assessField = iota
	fieldRemarks
	fieldAnalysis
)

// assessScreen is one assessment, a section at a time: each question with the
// distribution of the interviews' ratings (report.BuildAssessment), the median they
// suggest (a suggestion only) and the team's rating beside it; the last row is the
// section's overall rating, unless the section has none (overall: false: a plain survey
// section has no pillar rating to settle, only its rated questions and analysis). Rating keys set the team's rating of the selected row at once;
// r edits its remarks, n the section's analysis (text fields: letters are text; leaving
// the field saves it). A target with two competing versions is never written here.
type assessScreen struct {
	c      *shared
	id     string
	a      *survey.Assessment
	q      *survey.Questionnaire
	rep    *report.AssessmentReport
	err    error
	loaded bool
	// submitted counts completed and submitted interviews too (report.IncludeSubmitted),
	// not only approved ones.
	submitted bool
	sec       int
	cursor    int // a question of the section, or len(rows): the overall row
	top       int

	field    assessField
	target   survey.Target // what the text field writes
	original string
	ta       textarea.Model
	gen      int // counts the keys typed into the text field

	// The action plan and key datasets tables (assess_tables.go).
	view       assessView
	tcur, ttop int
	form       *rowForm
	confirm    string // the row a first x asked to delete
}

func newAssessScreen(c *shared, id string) *assessScreen {
	return &assessScreen{c: c, id: id, ta: newTextArea(c)}
}

// Init reads the assessment, its questionnaire and the interviews that are its evidence.
func (v *assessScreen) Init() tea.Cmd {
	st, cat, ctx, id, lang := v.c.store, v.c.cat, v.c.ctx, v.id, v.c.lang
	include := report.IncludeApproved
	if v.submitted {
		include = report.IncludeSubmitted
	}
	return func() tea.Msg {
		s, err := st.Interview(ctx, id)
		if err != nil {
			return assessLoadedMsg{id: id, err: fmt.Errorf("read assessment %s: %w", id, err)}
		}
		a, ok := s.Assessment()
		if !ok {
			return assessLoadedMsg{id: id, err: fmt.Errorf("%s is an interview, not an assessment", id)}
		}
		if a.Meta.Questionnaire == "" {
			return assessLoadedMsg{id: id, err: fmt.Errorf("assessment %s is incomplete here: the change that creates it has not arrived yet", id)}
		}
		q, ok := session.Find(cat, a.Meta.Questionnaire, a.Meta.QuestionnaireVersion)
		if !ok {
			return assessLoadedMsg{id: id, err: fmt.Errorf("questionnaire %s version %s is not installed here (fieldsurvey questionnaire add)",
				a.Meta.Questionnaire, a.Meta.QuestionnaireVersion)}
		}
		states, err := st.InterviewsOf(ctx, q.ID)
		if err != nil {
			return assessLoadedMsg{id: id, err: fmt.Errorf("read the interviews of %s: %w", q.ID, err)}
		}
		rep, err := report.BuildAssessment(q, a, states, report.AssessmentOptions{Lang: lang, Include: include})
		if err != nil {
			return assessLoadedMsg{id: id, err: err}
		}
		return assessLoadedMsg{id: id, a: a, q: q, rep: rep}
	}
}

func (v *assessScreen) Title() string {
	if v.a == nil {
		return v.c.t("Team assessment", "Đánh giá của nhóm")
	}
	return v.c.t("Team assessment", "Đánh giá của nhóm") + " · " + v.a.Meta.Title
}

func (v *assessScreen) Typing() bool { return v.field != fieldNone || v.form != nil }

func (v *assessScreen) Help() keys.Help {
	k := v.c.keys
	if v.field != fieldNone {
		return keys.Help{Short: []key.Binding{k.SaveLeave}, Full: [][]key.Binding{{k.SaveLeave}}}
	}
	if v.form != nil {
		next := key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", v.c.t("next field", "ô sau")))
		save := key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", v.c.t("next/save", "ô sau/lưu")))
		return keys.Help{Short: []key.Binding{next, save, k.Cancel}, Full: [][]key.Binding{{next, save, k.Cancel}}}
	}
	if v.view != viewSections {
		return keys.Help{Short: []key.Binding{k.EvAdd, k.EvEdit, k.EvDelete, k.EvMoveUp, k.EvMoveDown, k.Views, k.Back},
			Full: [][]key.Binding{{k.Up, k.Down, k.EvAdd, k.EvEdit, k.EvDelete, k.EvMoveUp, k.EvMoveDown}, {k.Views, k.Back}}}
	}
	rate := k.Rate
	if sc := v.scale(); sc != nil {
		rate = scaleHelp(v.c, sc)
	}
	return keys.Help{Short: []key.Binding{rate, k.Remarks, k.Overall, k.Analysis, k.Sections, k.Views, k.Back},
		Full: [][]key.Binding{{k.Up, k.Down, k.PrevSection, k.NextSection, k.Include}, {rate, k.Remarks, k.Overall, k.Analysis, k.Views, k.Back}}}
}

// scaleHelp is the help of the rating keys of sc: "1-5 rate" and its uncounted steps.
func scaleHelp(c *shared, sc *survey.Scale) key.Binding {
	n := min(9, len(sc.Counted()))
	ks := []string{}
	help := fmt.Sprintf("1-%d", n)
	for i := 1; i <= n; i++ {
		ks = append(ks, fmt.Sprint(i))
	}
	for _, st := range sc.Uncounted() {
		if k := scalekeys.Key(sc, st); k != "" {
			ks = append(ks, k)
			help += "," + k
		}
	}
	return key.NewBinding(key.WithKeys(ks...), key.WithHelp(help, c.t("team rating", "đánh giá của nhóm")))
}

func (v *assessScreen) section() *report.AssessmentSection {
	if v.rep == nil || v.sec >= len(v.rep.Sections) {
		return nil
	}
	return &v.rep.Sections[v.sec]
}

// rowCount is the number of rows of section sec: its rated questions, then the overall row
// unless the section has none (overall: false, a plain survey section).
func rowCount(sec *report.AssessmentSection) int {
	if sec.Overall == nil {
		return len(sec.Rows)
	}
	return len(sec.Rows) + 1
}

// selected reports whether a row is selected: a plain section with no rated question has
// none (only its analysis).
func (v *assessScreen) selected() bool {
	sec := v.section()
	return sec != nil && v.cursor < rowCount(sec)
}

// overall reports whether the overall row is selected.
func (v *assessScreen) overall() bool {
	sec := v.section()
	return sec != nil && sec.Overall != nil && v.cursor >= len(sec.Rows)
}

// scale is the scale of the selected row (a question's, or the section's for the overall
// row).
func (v *assessScreen) scale() *survey.Scale {
	sec := v.section()
	if !v.selected() || v.q == nil {
		return nil
	}
	if v.overall() {
		if qs, ok := v.q.Section(sec.ID); ok {
			return v.q.SectionScale(qs)
		}
		return nil
	}
	if qu, ok := v.q.Question(sec.Rows[v.cursor].Question); ok {
		return v.q.ScaleOf(qu)
	}
	return nil
}

// rowTarget is the target the selected row's rating and remarks are.
func (v *assessScreen) rowTarget() survey.Target {
	sec := v.section()
	if v.overall() {
		return survey.Target{Interview: v.id, Kind: survey.KindSection, Key: sec.ID}
	}
	return survey.Target{Interview: v.id, Kind: survey.KindAnswer, Key: sec.Rows[v.cursor].Question}
}

func (v *assessScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch m := msg.(type) {
	case tea.WindowSizeMsg:
		v.ta.SetWidth(max(20, v.c.width-4))
		v.ta.SetHeight(3)
		return v, nil
	case assessLoadedMsg:
		if m.id != v.id {
			return v, nil
		}
		v.loaded, v.err = true, m.err
		if m.err == nil {
			v.a, v.q, v.rep = m.a, m.q, m.rep
			v.sec = min(v.sec, max(0, len(v.rep.Sections)-1))
			if sec := v.section(); sec != nil {
				v.cursor = max(0, min(v.cursor, rowCount(sec)-1))
			}
		}
		return v, nil
	case tea.KeyMsg:
		return v, v.key(m)
	}
	return v, nil
}

func (v *assessScreen) key(m tea.KeyMsg) tea.Cmd {
	k := v.c.keys
	if v.field != fieldNone {
		if key.Matches(m, k.SaveLeave) {
			return v.leave()
		}
		var cmd tea.Cmd
		old := v.ta.Value()
		v.ta, cmd = v.ta.Update(m)
		if p := v.c.opts.SavePause; p > 0 && v.ta.Value() != old {
			v.gen++
			id, gen := v.id, v.gen
			return tea.Batch(cmd, tea.Tick(p, func(time.Time) tea.Msg { return pauseMsg{id: id, gen: gen} }))
		}
		return cmd
	}
	if v.a == nil {
		if key.Matches(m, k.Back) {
			return v.c.post(BackMsg{})
		}
		return nil
	}
	if v.form != nil {
		return v.formKey(m)
	}
	if v.view != viewSections {
		return v.tableKey(m)
	}
	sec := v.section()
	switch {
	case key.Matches(m, k.Back):
		return v.c.post(BackMsg{})
	case key.Matches(m, k.Views):
		v.view, v.tcur, v.ttop = viewPlan, 0, 0
	case key.Matches(m, k.Include):
		v.submitted = !v.submitted
		return v.Init()
	case sec == nil:
		return nil
	case key.Matches(m, k.NextSection):
		if v.sec+1 < len(v.rep.Sections) {
			v.sec++
			v.cursor, v.top = 0, 0
		}
	case key.Matches(m, k.PrevSection):
		if v.sec > 0 {
			v.sec--
			v.cursor, v.top = 0, 0
		}
	case key.Matches(m, k.Up):
		v.cursor = max(0, v.cursor-1)
	case key.Matches(m, k.Down):
		v.cursor = max(0, min(rowCount(sec)-1, v.cursor+1))
	case key.Matches(m, k.Overall):
		if sec.Overall != nil {
			v.cursor = len(sec.Rows)
		}
	case key.Matches(m, k.Remarks):
		if !v.selected() {
			return nil
		}
		remarks := v.rowRating().Remarks
		return v.edit(fieldRemarks, v.rowTarget(), remarks)
	case key.Matches(m, k.Analysis):
		t := survey.Target{Interview: v.id, Kind: survey.KindText, Key: survey.AnalysisKey(sec.ID)}
		return v.edit(fieldAnalysis, t, v.a.Texts[t.Key])
	case m.Type == tea.KeyRunes && len(m.Runes) == 1:
		sc := v.scale()
		if sc == nil {
			return nil
		}
		code := scalekeys.ForKey(sc, string(m.Runes))
		if code == "" {
			return nil
		}
		return v.rate(code)
	}
	return nil
}

// rowRating is the team's rating and remarks of the selected row (none when no row is).
func (v *assessScreen) rowRating() report.TeamRating {
	sec := v.section()
	if !v.selected() {
		return report.TeamRating{}
	}
	if v.overall() {
		return *sec.Overall
	}
	return sec.Rows[v.cursor].TeamRating
}

// conflicted reports whether target t has two competing versions.
func (v *assessScreen) conflicted(t survey.Target) bool {
	for _, c := range v.a.Conflicts {
		if c.Target == t {
			return true
		}
	}
	return false
}

// refusal says why target t is not edited here, or nil when it may be.
func (v *assessScreen) refusal(t survey.Target) survey.Text {
	if ro := v.c.opts.ReadOnly; ro != nil {
		return survey.T("Read-only: "+ro.Get(survey.LangEN), "Chỉ xem: "+ro.Get(survey.LangVI))
	}
	if v.conflicted(t) {
		return conflictRefusal(v.id, targetArg(t), false)
	}
	return nil
}

// conflictRefusal says that target what of assessment id has two versions to settle before
// it can be changed (arrived: they arrived while the screen was open).
func conflictRefusal(id, what string, arrived bool) survey.Text {
	en, vi := "has", "có"
	if arrived {
		en, vi = "now has", "vừa có"
	}
	return survey.T(
		fmt.Sprintf("%s %s two competing versions: settle them first with fieldsurvey conflicts settle %s %s --take N (fieldsurvey conflicts lists them; nothing was changed)", what, en, shortID(id), what),
		fmt.Sprintf("%s %s hai phiên bản xung đột: hãy giải quyết trước bằng fieldsurvey conflicts settle %s %s --take N (fieldsurvey conflicts liệt kê chúng; chưa thay đổi gì)", what, vi, shortID(id), what))
}

// targetArg writes t as 'conflicts settle' takes it.
func targetArg(t survey.Target) string {
	switch t.Kind {
	case survey.KindAnswer:
		return t.Key
	case survey.KindSection:
		return "section:" + t.Key
	}
	return string(t.Kind) + ":" + t.Key
}

// edit opens a text field on target t holding text.
func (v *assessScreen) edit(f assessField, t survey.Target, text string) tea.Cmd {
	if r := v.refusal(t); r != nil {
		return notice(r, true)
	}
	v.field, v.target, v.original = f, t, text
	v.ta.SetValue(text)
	return v.ta.Focus()
}

// leave closes the text field and saves what it holds when it changed.
func (v *assessScreen) leave() tea.Cmd {
	text := survey.NFC(strings.TrimSpace(v.ta.Value()))
	t, changed := v.target, text != strings.TrimSpace(v.original)
	v.field = fieldNone
	v.ta.Blur()
	if !changed {
		return nil
	}
	return v.save(t, text)
}

// save writes text as the analysis or the remarks of t.
func (v *assessScreen) save(t survey.Target, text string) tea.Cmd {
	if t.Kind == survey.KindText {
		return v.write(t, func(*survey.Assessment) []survey.Change { return []survey.Change{survey.SetText(v.id, t.Key, text)} })
	}
	return v.write(t, func(a *survey.Assessment) []survey.Change { return []survey.Change{withRemarks(a, t, text)} })
}

// paused saves the open text field when nothing was typed since the key of m.gen; the
// field stays open.
func (v *assessScreen) paused(m pauseMsg) tea.Cmd {
	if v.field == fieldNone || m.gen != v.gen {
		return nil
	}
	text := survey.NFC(strings.TrimSpace(v.ta.Value()))
	if text == strings.TrimSpace(v.original) {
		return nil
	}
	v.original = text
	return v.save(v.target, text)
}

// rate sets the team's rating of the selected row, keeping its remarks.
func (v *assessScreen) rate(code survey.Code) tea.Cmd {
	t := v.rowTarget()
	if r := v.refusal(t); r != nil {
		return notice(r, true)
	}
	return v.write(t, func(a *survey.Assessment) []survey.Change { return []survey.Change{withRating(a, t, code)} })
}

// withRating is the change that sets the rating of t (a question or a section), keeping the
// remarks a holds.
func withRating(a *survey.Assessment, t survey.Target, code survey.Code) survey.Change {
	if t.Kind == survey.KindSection {
		return survey.SectionRating(a.ID, t.Key, code, a.Sections[t.Key].Comment)
	}
	return survey.TeamRating(a.ID, t.Key, code, a.Ratings[t.Key].Comment)
}

// withRemarks is the change that sets the remarks of t, keeping the rating a holds.
func withRemarks(a *survey.Assessment, t survey.Target, text string) survey.Change {
	if t.Kind == survey.KindSection {
		return survey.SectionRating(a.ID, t.Key, a.Sections[t.Key].Rating, text)
	}
	return survey.TeamRating(a.ID, t.Key, a.Ratings[t.Key].Rating, text)
}

// write reads the assessment again (another change may have arrived since it was drawn),
// refuses a target that now has two versions, and writes the change build makes from what
// is stored: one revision per change (one for a rating or a text; a reordering writes the
// rows whose place changed), by the home's device and principal, in one commit.
func (v *assessScreen) write(t survey.Target, build func(*survey.Assessment) []survey.Change) tea.Cmd {
	if ro := v.c.opts.ReadOnly; ro != nil {
		return notice(survey.T("Read-only: "+ro.Get(survey.LangEN), "Chỉ xem: "+ro.Get(survey.LangVI)), true)
	}
	v.c.writing++
	st, ctx, id := v.c.store, v.c.ctx, v.id
	by := session.Author{Device: v.c.opts.Device, Principal: v.c.opts.Principal}
	what := targetArg(t)
	return func() tea.Msg {
		s, err := st.Interview(ctx, id)
		if err != nil {
			return assessSavedMsg{id: id, what: what, err: fmt.Errorf("read assessment %s: %w", id, err)}
		}
		a, ok := s.Assessment()
		if !ok {
			return assessSavedMsg{id: id, what: what, err: fmt.Errorf("%s is not an assessment", id)}
		}
		for _, c := range a.Conflicts {
			if c.Target == t {
				return assessSavedMsg{id: id, what: what, refused: conflictRefusal(id, what, true)}
			}
		}
		changes := build(a)
		if len(changes) == 0 {
			return assessSavedMsg{id: id, what: what}
		}
		if _, err := st.Put(ctx, by, changes...); err != nil {
			return assessSavedMsg{id: id, what: what, err: fmt.Errorf("save %s: %w", what, err)}
		}
		return assessSavedMsg{id: id, what: what}
	}
}

// saved ends a write: the notice, and the assessment read again.
func (v *assessScreen) saved(m assessSavedMsg) tea.Cmd {
	switch {
	case m.err != nil:
		return tea.Batch(notice(survey.T("not saved: "+m.err.Error(), "chưa lưu: "+m.err.Error()), true), v.Init())
	case m.refused != nil:
		return tea.Batch(notice(m.refused, true), v.Init())
	}
	next := survey.T("waiting for a batch (fieldsurvey batch create)", "chờ đóng lô (fieldsurvey batch create)")
	if v.c.opts.Sync != nil {
		next = survey.T("waiting to sync (ctrl+s sends now)", "chờ đồng bộ (ctrl+s để gửi ngay)")
	}
	return tea.Batch(notice(survey.T("✓ saved "+m.what+", "+next.Get(survey.LangEN), "✓ đã lưu "+m.what+", "+next.Get(survey.LangVI)), false), v.Init())
}

func (v *assessScreen) View() string {
	c, s := v.c, v.c.sty
	w := c.width
	switch {
	case v.err != nil:
		return strings.Join(wrap(c.t("Could not open the assessment: ", "Không mở được bản đánh giá: ")+v.err.Error(), w), "\n")
	case !v.loaded:
		return s.Subtle.Render(c.t("Loading…", "Đang tải…"))
	}
	sec := v.section()
	scope := v.rep.ScopeLabel
	if v.view != viewSections {
		head := s.Subtle.Render(cut(fmt.Sprintf("%s %s · %s", v.a.Meta.Questionnaire, v.a.Meta.QuestionnaireVersion, scope), w))
		return strings.Join(append([]string{head}, v.tableView(c.bodyHeight()-1)...), "\n")
	}
	counted := c.t("approved", "đã duyệt")
	if v.submitted {
		counted = c.t("approved or submitted", "đã duyệt hoặc đã nộp")
	}
	out := []string{s.Subtle.Render(cut(fmt.Sprintf(c.t("%s %s · %s · %s counted (%s, i) · conflicts: %d", "%s %s · %s · %s được tính (%s, i) · xung đột: %d"),
		v.a.Meta.Questionnaire, v.a.Meta.QuestionnaireVersion, scope, c.interviews(len(v.rep.Interviews)), counted, len(v.a.Conflicts)), w))}
	if sec == nil {
		return strings.Join(out, "\n")
	}
	out = append(out, s.Title.Render(cut(fmt.Sprintf(c.t("Section %d/%d · %s", "Phần %d/%d · %s"), v.sec+1, len(v.rep.Sections), sec.Title), w)))
	anKey := survey.AnalysisKey(sec.ID)
	an := c.t("Analysis (n): ", "Phân tích (n): ")
	switch {
	case v.conflicted(survey.Target{Interview: v.id, Kind: survey.KindText, Key: anKey}):
		an = s.Warning.Render(an + "⚠ " + c.t("two versions", "hai phiên bản") + " · " + oneLine(sec.Analysis))
	case sec.Analysis == "":
		an = s.Faint.Render(an + c.t("not written yet", "chưa viết"))
	default:
		an = s.Subtle.Render(an + oneLine(sec.Analysis))
	}
	out = append(out, cut(an, w))
	// Below the rows: the selected row's remarks and what the interviews suggest, and the
	// text field when one is open.
	foot := v.footer()
	h := max(2, c.bodyHeight()-len(out)-len(foot))
	per := max(1, h/2)
	n := rowCount(sec)
	if n == 0 {
		out = append(out, s.Faint.Render(cut(c.t("No rated question and no overall rating in this section: only its analysis (n).",
			"Phần này không có câu đánh giá và không có đánh giá chung: chỉ có phân tích (n)."), w)))
	}
	v.top = window(v.cursor, n, per, v.top)
	for i := v.top; i < n && i < v.top+per; i++ {
		out = append(out, v.rowLines(i)...)
	}
	return strings.Join(append(out, foot...), "\n")
}

// rowLines draws row i (len(rows): the overall row) in two lines: the question, then the
// team's rating beside the interviews' distribution and suggested median.
func (v *assessScreen) rowLines(i int) []string {
	c, s := v.c, v.c.sty
	w := c.width
	sec := v.section()
	var id, text string
	var tr report.TeamRating
	var sp report.Spread
	if i < len(sec.Rows) {
		r := sec.Rows[i]
		id, text, tr, sp = r.Question, oneLine(r.Text), r.TeamRating, r.Interviews
	} else {
		id, text, tr, sp = c.t("Overall", "Chung"), c.t("the section's overall rating (o)", "đánh giá chung của phần (o)"), *sec.Overall, sec.OverallSpread()
	}
	team := s.Faint.Render(c.t("not rated", "chưa đánh giá"))
	if tr.Rating != "" {
		team = s.RatingCode(v.rowScale(i), tr.Rating, c.lang)
	}
	if tr.Conflict {
		team = s.Warning.Render("⚠ "+c.t("two versions", "hai phiên bản")+" ") + team
	}
	if strings.TrimSpace(tr.Remarks) != "" {
		team += s.Subtle.Render(" ✎")
	}
	line1 := " " + id + " " + text
	line2 := "     " + c.t("Team: ", "Nhóm: ") + team + s.Subtle.Render("  │ ") + v.spreadText(sp)
	if i == v.cursor {
		line1 = s.Selected.Render(pad("▸"+id+" "+text, w))
	}
	return []string{cut(line1, w), cut(line2, w)}
}

func (v *assessScreen) rowScale(i int) *survey.Scale {
	sec := v.section()
	if i < len(sec.Rows) {
		if qu, ok := v.q.Question(sec.Rows[i].Question); ok {
			return v.q.ScaleOf(qu)
		}
	} else if qs, ok := v.q.Section(sec.ID); ok {
		return v.q.SectionScale(qs)
	}
	return v.q.ScaleOf(&survey.Question{})
}

// spreadText is a distribution as a bar over the counted steps (one cell per step, its
// height the step's share, · for none), their counts by rating key, the uncounted steps and
// the median the interviews suggest.
func (v *assessScreen) spreadText(sp report.Spread) string {
	c, s := v.c, v.c.sty
	if sp.Rated == 0 && sp.Uncounted == 0 {
		return s.Faint.Render(c.t("no interview rated it", "chưa phỏng vấn nào đánh giá"))
	}
	most := 0
	for _, st := range sp.Steps {
		if !st.Uncounted {
			most = max(most, st.Count)
		}
	}
	bars := []rune("▁▂▃▄▅▆▇█")
	var bar strings.Builder
	var cnt, other []string
	for _, st := range sp.Steps {
		if st.Uncounted {
			if st.Count > 0 {
				other = append(other, fmt.Sprintf("%s %d", strings.ToLower(st.Label), st.Count))
			}
			continue
		}
		switch {
		case st.Count == 0:
			bar.WriteRune('·')
		default:
			bar.WriteRune(bars[(st.Count*len(bars)-1)/most])
		}
		cnt = append(cnt, fmt.Sprint(st.Count))
	}
	out := bar.String() + " " + strings.Join(cnt, "/")
	if len(other) > 0 {
		out += " + " + strings.Join(other, ", ")
	}
	if sp.Suggested != "" {
		med := c.t("median ", "trung vị ")
		if sp.Half {
			med += "≈"
		}
		out += " · " + med + sp.SuggestedSymbol + " " + sp.SuggestedLabel + c.t(" (suggestion)", " (gợi ý)")
	}
	return out
}

// footer is the selected row's remarks and what its median means, or the open text field.
func (v *assessScreen) footer() []string {
	c, s := v.c, v.c.sty
	w := c.width
	out := []string{s.Faint.Render(strings.Repeat("─", w))}
	if v.field != fieldNone {
		label := c.t("Remarks of "+targetArg(v.target)+" (esc saves and leaves)", "Nhận xét của "+targetArg(v.target)+" (esc để lưu và thoát)")
		if v.field == fieldAnalysis {
			label = c.t("Analysis of the section (esc saves and leaves)", "Phân tích của phần (esc để lưu và thoát)")
		}
		return append(append(out, s.Heading.Render(cut(label, w))), lines(v.ta.View())...)
	}
	if v.selected() {
		tr := v.rowRating()
		remarks := s.Faint.Render(c.t("Remarks (r): none yet", "Nhận xét (r): chưa có"))
		if r := oneLine(tr.Remarks); r != "" {
			remarks = c.t("Remarks (r): ", "Nhận xét (r): ") + r
		}
		out = append(out, cut(remarks, w))
	}
	note := c.t("The interviews' median is only a suggestion (≈: halfway, taken toward the middle); the rating is the team's judgement.",
		"Trung vị của phỏng vấn chỉ là gợi ý (≈: giữa hai mức, lấy mức gần giữa); mức đánh giá là nhận định của nhóm.")
	if w < 120 {
		note = c.t("The median is only a suggestion (≈: halfway); the team's judgement rates.",
			"Trung vị chỉ là gợi ý (≈: giữa hai mức); mức đánh giá là nhận định của nhóm.")
	}
	for _, l := range wrap(note, w) {
		out = append(out, s.Faint.Render(l))
	}
	return out
}
