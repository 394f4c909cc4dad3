package tui

import (
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"golang.org/x/text/unicode/norm"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/tui/keys"
	"github.com/fieldsurvey/fieldsurvey/tui/session"
)

// The fields of the new-interview form, in order.
const (
	fQuestionnaire = iota
	fAgency
	fProvince
	fRole
	fCategory
	fDate
	fPlace
	fConsent
	fCreate
	nFields
)

// newScreen is the new-interview form: questionnaire, respondent block, consent.
type newScreen struct {
	c        *shared
	focus    int
	qs       []*survey.Questionnaire
	qi       int
	cat      int // index into the questionnaire's categories; -1 none
	inputs   map[int]*textinput.Model
	consent  bool
	problems map[string]survey.Text
	err      error
	creating bool
	escOnce  bool

	agencies, provinces []string
	matches             []string
	sel                 int
	// planned is the id of the planned interview whose respondent block the form completes
	// (its questionnaire fixed); empty for a new interview.
	planned string
}

// startPlannedMsg asks for the form of a planned interview not started yet.
type startPlannedMsg struct {
	id         string
	meta       survey.InterviewMeta
	respondent survey.Respondent
}

// newPlannedScreen is the form that starts a planned interview: its questionnaire fixed,
// its respondent block as the supervisor filled it (agency, province), consent to record.
// ok is false when the questionnaire is not installed.
func newPlannedScreen(c *shared, m startPlannedMsg) (*newScreen, bool) {
	if c.cat == nil {
		return nil, false
	}
	q, ok := session.Find(c.cat, m.meta.Questionnaire, m.meta.QuestionnaireVersion)
	if !ok {
		return nil, false
	}
	n := newNewScreen(c)
	n.planned, n.qs, n.qi = m.id, []*survey.Questionnaire{q}, 0
	r := m.respondent
	for f, v := range map[int]string{fAgency: r.Agency, fProvince: r.Province, fRole: r.Role, fPlace: r.Place} {
		n.inputs[f].SetValue(v)
	}
	if r.Date != "" {
		n.inputs[fDate].SetValue(r.Date)
	}
	for i, cat := range q.Categories() {
		if cat.Code == r.Category {
			n.cat = i
		}
	}
	n.consent = r.Consent
	n.focus = fRole
	n.focusField()
	return n, true
}

func newNewScreen(c *shared) *newScreen {
	n := &newScreen{c: c, cat: -1, inputs: map[int]*textinput.Model{}, problems: map[string]survey.Text{}}
	// One entry per questionnaire id: its latest version.
	seen := map[string]int{}
	if c.cat != nil {
		for _, q := range c.cat.List() {
			if i, ok := seen[q.ID]; ok {
				n.qs[i] = q
				continue
			}
			seen[q.ID] = len(n.qs)
			n.qs = append(n.qs, q)
		}
	}
	if i, ok := seen[c.opts.DefaultQuestionnaire]; ok {
		n.qi = i
	}
	for _, f := range []int{fAgency, fProvince, fRole, fDate, fPlace} {
		ti := textinput.New()
		ti.Prompt = ""
		ti.CharLimit = 200
		ti.Cursor.SetMode(cursor.CursorStatic)
		n.inputs[f] = &ti
	}
	n.inputs[fDate].SetValue(c.now().Format(time.DateOnly))
	n.inputs[fDate].CharLimit = 10
	// The default questionnaire is preselected: start on the agency.
	n.focus = fAgency
	if len(n.qs) > 1 && c.opts.DefaultQuestionnaire == "" {
		n.focus = fQuestionnaire
	}
	n.focusField()
	return n
}

// Init loads the agencies and provinces already used on this device, for suggestions.
func (n *newScreen) Init() tea.Cmd {
	st, ctx := n.c.store, n.c.ctx
	return func() tea.Msg {
		a, _ := st.Agencies(ctx)
		p, _ := st.Provinces(ctx)
		return suggestionsMsg{agencies: a, provinces: p}
	}
}

func (n *newScreen) q() *survey.Questionnaire {
	if n.qi < len(n.qs) {
		return n.qs[n.qi]
	}
	return nil
}

func (n *newScreen) Typing() bool {
	_, ok := n.inputs[n.focus]
	return ok
}
func (n *newScreen) Dirty() bool            { return false }
func (n *newScreen) Flush() []survey.Change { return nil }

func (n *newScreen) Help() keys.Help {
	k := n.c.keys
	short := []key.Binding{k.NextField, k.PrevField}
	switch n.focus {
	case fQuestionnaire, fCategory:
		short = append(short, key.NewBinding(key.WithKeys("left", "right"), key.WithHelp("←/→", n.c.t("choose", "chọn"))))
	case fConsent:
		short = append(short, k.Toggle)
	case fCreate:
		short = append(short, k.Submit)
	case fAgency, fProvince:
		if len(n.matches) > 0 {
			short = append(short, k.Accept)
		}
	}
	short = append(short, key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", n.c.t("cancel", "huỷ"))))
	return keys.Help{Short: short}
}

func (n *newScreen) focusField() {
	for f, in := range n.inputs {
		if f == n.focus {
			in.Focus()
			in.CursorEnd()
		} else {
			in.Blur()
		}
	}
	n.updateMatches()
}

func (n *newScreen) move(d int) {
	n.focus = (n.focus + d + nFields) % nFields
	n.focusField()
}

func (n *newScreen) createFailed(err error) {
	n.creating = false
	n.err = err
}

func (n *newScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch m := msg.(type) {
	case suggestionsMsg:
		n.agencies, n.provinces = m.agencies, m.provinces
		n.updateMatches()
	case tea.KeyMsg:
		return n, n.key(m)
	}
	return n, nil
}

// unsaved warns of a filled form that is not an interview yet (unsavedInput).
func (n *newScreen) unsaved() survey.Text {
	if n == nil || !n.filled() {
		return nil
	}
	return survey.T("This new interview is not created yet (press enter on Create to save it). Press ctrl+c again to quit and discard it.",
		"Phỏng vấn mới này chưa được tạo (nhấn enter ở nút Tạo để lưu). Nhấn ctrl+c lần nữa để thoát và bỏ nó.")
}

func (n *newScreen) key(m tea.KeyMsg) tea.Cmd {
	k := n.c.keys
	if m.Type != tea.KeyEsc {
		n.escOnce = false
	}
	switch {
	case m.Type == tea.KeyEsc:
		if n.filled() && !n.escOnce {
			n.escOnce = true
			return notice(survey.T("press esc again to discard this form", "nhấn esc lần nữa để bỏ biểu mẫu này"), false)
		}
		return n.c.post(HomeMsg{})
	case key.Matches(m, k.Accept) && len(n.matches) > 0 && (n.focus == fAgency || n.focus == fProvince):
		// A suggestion is taken only with its own key, never by tab (which moves on with
		// what was typed, even nothing).
		n.inputs[n.focus].SetValue(n.matches[n.sel])
		n.inputs[n.focus].CursorEnd()
		n.move(1)
		return nil
	case key.Matches(m, k.NextField):
		n.move(1)
		return nil
	case key.Matches(m, k.PrevField):
		n.move(-1)
		return nil
	case m.Type == tea.KeyDown && len(n.matches) > 0:
		n.sel = (n.sel + 1) % len(n.matches)
		return nil
	case m.Type == tea.KeyUp && len(n.matches) > 0:
		n.sel = (n.sel - 1 + len(n.matches)) % len(n.matches)
		return nil
	case m.Type == tea.KeyDown:
		n.move(1)
		return nil
	case m.Type == tea.KeyUp:
		n.move(-1)
		return nil
	case m.Type == tea.KeyEnter:
		if n.focus == fCreate {
			return n.create()
		}
		n.move(1)
		return nil
	}
	switch n.focus {
	case fQuestionnaire:
		if n.planned != "" {
			return nil // the supervisor chose it
		}
		switch m.String() {
		case "left", "h":
			n.qi = (n.qi - 1 + len(n.qs)) % max(1, len(n.qs))
			n.cat = -1
		case "right", "l", " ":
			n.qi = (n.qi + 1) % max(1, len(n.qs))
			n.cat = -1
		}
	case fCategory:
		cats := n.categories()
		switch m.String() {
		case "left", "h":
			n.cat--
			if n.cat < -1 {
				n.cat = len(cats) - 1
			}
		case "right", "l", " ":
			n.cat++
			if n.cat >= len(cats) {
				n.cat = -1
			}
		}
	case fConsent:
		switch m.String() {
		case " ", "x", "y", "c":
			n.consent = !n.consent
			delete(n.problems, "consent")
		}
	case fCreate:
	default:
		in := n.inputs[n.focus]
		var cmd tea.Cmd
		*in, cmd = in.Update(m)
		n.updateMatches()
		delete(n.problems, fieldName(n.focus))
		return cmd
	}
	return nil
}

func notice(t survey.Text, isErr bool) tea.Cmd {
	return func() tea.Msg { return NoticeMsg{Text: t, Err: isErr} }
}

func (n *newScreen) filled() bool {
	for f, in := range n.inputs {
		if f != fDate && strings.TrimSpace(in.Value()) != "" {
			return true
		}
	}
	return n.consent
}

func (n *newScreen) categories() []survey.Option {
	if q := n.q(); q != nil {
		return q.Categories()
	}
	return nil
}

func fieldName(f int) string {
	switch f {
	case fAgency:
		return "agency"
	case fProvince:
		return "province"
	case fRole:
		return "role"
	case fCategory:
		return "category"
	case fDate:
		return "date"
	case fPlace:
		return "place"
	case fConsent:
		return "consent"
	}
	return ""
}

// respondent is the block as typed.
func (n *newScreen) respondent() survey.Respondent {
	r := survey.Respondent{
		Agency: n.inputs[fAgency].Value(), Province: n.inputs[fProvince].Value(),
		Role: n.inputs[fRole].Value(), Date: n.inputs[fDate].Value(), Place: n.inputs[fPlace].Value(),
		Consent: n.consent,
	}
	if cats := n.categories(); n.cat >= 0 && n.cat < len(cats) {
		r.Category = cats[n.cat].Code
	}
	return r.Normalized()
}

// create checks the form and creates the interview in a command.
func (n *newScreen) create() tea.Cmd {
	q := n.q()
	if q == nil || n.creating {
		return nil
	}
	r := n.respondent()
	n.problems = map[string]survey.Text{}
	probs := session.CheckRespondent(q, r)
	if len(probs) > 0 {
		for _, p := range probs {
			n.problems[p.Field] = p.Msg
		}
		// Put the cursor on the first field with a problem.
		for f := 0; f < nFields; f++ {
			if _, bad := n.problems[fieldName(f)]; bad {
				n.focus = f
				n.focusField()
				break
			}
		}
		return nil
	}
	n.creating = true
	n.err = nil
	w, ctx := n.c.writer, n.c.ctx
	if id := n.planned; id != "" {
		return func() tea.Msg {
			return createdMsg{id: id, err: w.Put(ctx, session.RespondentChange(id, r))}
		}
	}
	return func() tea.Msg {
		id, err := w.Create(ctx, q, r)
		return createdMsg{id: id, err: err}
	}
}

// updateMatches recomputes the suggestions of the focused agency or province field:
// earlier entries that contain what is typed, ignoring case and accents.
func (n *newScreen) updateMatches() {
	n.matches, n.sel = nil, 0
	var pool []string
	switch n.focus {
	case fAgency:
		pool = n.agencies
	case fProvince:
		pool = n.provinces
	default:
		return
	}
	typed := foldText(n.inputs[n.focus].Value())
	for _, s := range pool {
		if s == n.inputs[n.focus].Value() {
			continue
		}
		if typed == "" || strings.Contains(foldText(s), typed) {
			n.matches = append(n.matches, s)
		}
		if len(n.matches) == 4 {
			break
		}
	}
}

// foldText lowers s and strips Vietnamese accents ("Đà Nẵng" → "da nang").
func foldText(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == 'đ':
			b.WriteRune('d')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func (n *newScreen) View() string {
	c, s := n.c, n.c.sty
	w := c.width
	lw := 25 // label column
	fw := max(10, w-lw-4)
	var out []string
	title := c.t("New interview", "Phỏng vấn mới")
	if n.planned != "" {
		title = c.t("Planned interview: check the respondent and record consent", "Phỏng vấn theo kế hoạch: kiểm tra thông tin người trả lời và ghi nhận đồng ý")
	}
	out = append(out, s.Title.Render(title), "")
	label := func(f int, en, vi string) string {
		l := c.t(en, vi)
		if n.focus == f {
			return s.FocusMark.Render("▸ ") + s.Focused.Render(pad(l, lw-2))
		}
		return "  " + pad(l, lw-2)
	}
	problem := func(f int) {
		if p, ok := n.problems[fieldName(f)]; ok {
			out = append(out, strings.Repeat(" ", lw)+s.Error.Render("✗ "+c.get(p)))
		}
	}
	text := func(f int, en, vi string) {
		in := n.inputs[f]
		in.Width = fw
		v := in.View()
		if n.focus != f {
			v = in.Value()
			if v == "" {
				v = s.Faint.Render("—")
			}
		} else {
			v = "[" + v + "]"
		}
		out = append(out, label(f, en, vi)+v)
		if n.focus == f && len(n.matches) > 0 {
			for i, m := range n.matches {
				mark := "  "
				if i == n.sel {
					mark = "› "
					m = s.Selected.Render(m)
				}
				out = append(out, strings.Repeat(" ", lw)+s.Subtle.Render(mark)+m)
			}
			out = append(out, strings.Repeat(" ", lw)+s.Faint.Render(c.t("↑/↓ choose, ctrl+e to take it", "↑/↓ chọn, ctrl+e để dùng")))
		}
		problem(f)
	}

	qname := c.t("(no questionnaire installed)", "(chưa cài bảng hỏi nào)")
	if q := n.q(); q != nil {
		qname = fmt.Sprintf("%s %s — %s", q.ID, q.Version, c.get(q.Title))
	}
	if len(n.qs) > 1 {
		qname = "‹ " + qname + " ›"
	}
	out = append(out, label(fQuestionnaire, "Questionnaire", "Bảng hỏi")+cut(qname, fw))
	text(fAgency, "Agency", "Cơ quan")
	text(fProvince, "Province or ministry", "Tỉnh hoặc bộ")
	text(fRole, "Respondent's role", "Chức vụ người trả lời")
	catName := s.Faint.Render("—")
	if cats := n.categories(); n.cat >= 0 && n.cat < len(cats) {
		catName = c.get(cats[n.cat].Label)
	}
	out = append(out, label(fCategory, "Stakeholder group", "Nhóm đối tượng")+"‹ "+catName+" ›")
	problem(fCategory)
	text(fDate, "Date (YYYY-MM-DD)", "Ngày (YYYY-MM-DD)")
	text(fPlace, "Place", "Địa điểm")
	box := "[ ]"
	if n.consent {
		box = "[x]"
	}
	// The consent the respondent gives is read out whole: wrapped, never cut.
	for i, l := range wrapPrefixed(box+" ", c.t("The respondent agrees to the interview and to notes being taken",
		"Người trả lời đồng ý phỏng vấn và đồng ý cho ghi chép"), fw) {
		if i == 0 {
			out = append(out, label(fConsent, "Consent", "Đồng ý")+l)
		} else {
			out = append(out, strings.Repeat(" ", lw)+l)
		}
	}
	problem(fConsent)
	out = append(out, "")
	btn := "[ " + c.t("Start the interview", "Bắt đầu phỏng vấn") + " ]"
	if n.focus == fCreate {
		out = append(out, s.FocusMark.Render("▸ ")+s.Selected.Render(btn))
	} else {
		out = append(out, "  "+btn)
	}
	switch {
	case n.creating:
		out = append(out, s.Subtle.Render("  "+c.t("Creating…", "Đang tạo…")))
	case n.err != nil:
		out = append(out, s.Error.Render(cut("  "+c.t("Could not create the interview: ", "Không tạo được phỏng vấn: ")+n.err.Error(), w)))
	}
	return strings.Join(out, "\n")
}
