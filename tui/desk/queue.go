package desk

import (
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

type (
	queueMsg struct {
		seq    int
		rows   []Row
		total  int
		offset int
		err    error
	}
	facetsMsg struct {
		f   Facets
		err error
	}
)

// statusFilter is one choice of the queue's status filter.
type statusFilter struct {
	statuses []survey.Status
	label    survey.Text
}

var statusFilters = []statusFilter{
	{nil, survey.T("all", "tất cả")},
	{[]survey.Status{survey.StatusCompleted, survey.StatusSubmitted, survey.StatusResubmitted}, survey.T("waiting for a decision", "chờ quyết định")},
	{[]survey.Status{survey.StatusResubmitted}, survey.StatusResubmitted.Label()},
	{[]survey.Status{survey.StatusReturned}, survey.StatusReturned.Label()},
	{[]survey.Status{survey.StatusApproved}, survey.StatusApproved.Label()},
	{[]survey.Status{survey.StatusReopened}, survey.StatusReopened.Label()},
	{[]survey.Status{survey.StatusDraft}, survey.StatusDraft.Label()},
}

var sorts = []struct {
	sort  Sort
	label survey.Text
}{
	{SortStatus, survey.T("status", "trạng thái")},
	{SortUpdated, survey.T("last change", "thay đổi cuối")},
	{SortAssessor, survey.T("assessor", "người đánh giá")},
	{SortAgency, survey.T("agency", "cơ quan")},
	{SortProvince, survey.T("province", "tỉnh")},
	{SortQuestionnaire, survey.T("questionnaire", "bảng hỏi")},
	{SortProgress, survey.T("progress", "tiến độ")},
	{SortConflicts, survey.T("conflicts", "xung đột")},
}

// queueScreen is the list of interviews, waiting ones first. It holds the pages read so
// far (Options.PageSize rows at a time) and reads the next when the cursor nears the end.
type queueScreen struct {
	c         *shared
	rows      []Row
	total     int
	loaded    bool
	loading   bool
	err       error
	seq       int
	cursor    int
	top       int
	facets    Facets
	status    int
	province  string
	assessor  string
	qn        string
	sort      int
	desc      bool
	search    textinput.Model
	searching bool
	// questions caches the number of questions of a questionnaire version.
	questions map[string]int
}

func newQueueScreen(c *shared) *queueScreen {
	ti := textinput.New()
	ti.Prompt = ""
	ti.CharLimit = 100
	ti.Cursor.SetMode(cursor.CursorStatic)
	return &queueScreen{c: c, search: ti, questions: map[string]int{}}
}

// Init reads the first page; the filters' choices are read once it is shown (on a large
// hub they would compete with it).
func (q *queueScreen) Init() tea.Cmd { return q.reload() }

func (q *queueScreen) Title() string { return q.c.t("Queue", "Hàng chờ") }

func (q *queueScreen) Typing() bool { return q.searching }

func (q *queueScreen) query(offset int) Query {
	return Query{Statuses: statusFilters[q.status].statuses, Province: q.province, Assessor: q.assessor,
		Questionnaire: q.qn, Search: strings.TrimSpace(q.search.Value()), Sort: sorts[q.sort].sort, Desc: q.desc,
		Limit: q.c.opts.PageSize, Offset: offset}
}

// reload reads the first page again (after a filter, a sort or a decision).
func (q *queueScreen) reload() tea.Cmd {
	q.seq++
	q.loading = true
	return q.fetch(q.seq, q.query(0))
}

func (q *queueScreen) fetch(seq int, o Query) tea.Cmd {
	st, ctx := q.c.store, q.c.ctx
	return func() tea.Msg {
		rows, total, err := st.Queue(ctx, o)
		return queueMsg{seq: seq, rows: rows, total: total, offset: o.Offset, err: err}
	}
}

func (q *queueScreen) loadFacets() tea.Cmd {
	st, ctx := q.c.store, q.c.ctx
	return func() tea.Msg {
		f, err := st.Facets(ctx)
		return facetsMsg{f: f, err: err}
	}
}

// more reads the next page when the cursor is near the end of what is loaded.
func (q *queueScreen) more() tea.Cmd {
	if q.loading || len(q.rows) >= q.total || q.cursor < len(q.rows)-q.rowsShown()-1 {
		return nil
	}
	q.loading = true
	return q.fetch(q.seq, q.query(len(q.rows)))
}

// filterTo shows the interviews of a province and questionnaire (from the overview).
func (q *queueScreen) filterTo(province, qn string) tea.Cmd {
	q.province, q.qn, q.status, q.assessor = province, qn, 0, ""
	q.search.SetValue("")
	q.cursor, q.top = 0, 0
	return q.reload()
}

func (q *queueScreen) Help() keys.Help {
	k := q.c.keys
	if q.searching {
		return keys.Help{Short: []key.Binding{k.Done, k.Open}}
	}
	return keys.Help{
		Short: []key.Binding{k.Open, k.Approve, k.Return, k.ByStatus, k.Search, k.Overview},
		Full: [][]key.Binding{
			{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom, k.Open},
			{k.Approve, k.Return, k.Reopen, k.Overview, k.Team},
			{k.Search, k.ByStatus, k.ByProvince, k.ByAssessor, k.ByQuestionnaire, k.Sort, k.SortReverse},
		},
	}
}

func (q *queueScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch m := msg.(type) {
	case queueMsg:
		if m.seq != q.seq {
			return q, nil
		}
		q.loading = false
		first := !q.loaded
		q.loaded = true
		q.err = m.err
		var facets tea.Cmd
		if first {
			facets = q.loadFacets()
		}
		if m.err != nil {
			return q, facets
		}
		if m.offset == 0 {
			q.rows = m.rows
		} else if m.offset == len(q.rows) {
			q.rows = append(q.rows, m.rows...)
		}
		q.total = max(m.total, len(q.rows))
		q.cursor = min(q.cursor, max(0, len(q.rows)-1))
		return q, facets
	case facetsMsg:
		if m.err == nil {
			q.facets = m.f
		}
		return q, nil
	case tea.KeyMsg:
		return q, q.key(m)
	}
	return q, nil
}

// cycle returns the value after cur in "" + list.
func cycle(list []string, cur string) string {
	if cur == "" {
		if len(list) > 0 {
			return list[0]
		}
		return ""
	}
	for i, v := range list {
		if v == cur && i+1 < len(list) {
			return list[i+1]
		}
	}
	return ""
}

func (q *queueScreen) key(m tea.KeyMsg) tea.Cmd {
	k := q.c.keys
	if q.searching {
		switch {
		case key.Matches(m, k.Back):
			q.searching = false
			q.search.Blur()
			q.search.SetValue("")
			return q.reload()
		case m.Type == tea.KeyEnter:
			q.searching = false
			q.search.Blur()
			return nil
		case m.Type == tea.KeyUp:
			q.move(-1)
			return q.more()
		case m.Type == tea.KeyDown:
			q.move(1)
			return q.more()
		}
		before := q.search.Value()
		var cmd tea.Cmd
		q.search, cmd = q.search.Update(m)
		if q.search.Value() != before {
			q.cursor, q.top = 0, 0
			return tea.Batch(cmd, q.reload())
		}
		return cmd
	}
	refilter := func() tea.Cmd {
		q.cursor, q.top = 0, 0
		return q.reload()
	}
	switch {
	case key.Matches(m, k.Up):
		q.move(-1)
	case key.Matches(m, k.Down):
		q.move(1)
	case key.Matches(m, k.PageUp):
		q.move(-q.rowsShown())
	case key.Matches(m, k.PageDown):
		q.move(q.rowsShown())
	case key.Matches(m, k.Top):
		q.move(-len(q.rows))
	case key.Matches(m, k.Bottom):
		q.move(len(q.rows))
	case key.Matches(m, k.Open):
		if r, ok := q.selected(); ok {
			return q.c.post(OpenMsg{ID: r.ID})
		}
	case key.Matches(m, k.Approve), key.Matches(m, k.Return), key.Matches(m, k.Reopen):
		if r, ok := q.selected(); ok {
			to := decisionOf(k, m)
			return q.c.post(DecideMsg{ID: r.ID, To: to})
		}
	case key.Matches(m, k.Overview):
		return q.c.post(showOverviewMsg{})
	case key.Matches(m, k.Team):
		return q.c.post(showAssessmentsMsg{})
	case key.Matches(m, k.Search):
		q.searching = true
		return q.search.Focus()
	case key.Matches(m, k.ByStatus):
		q.status = (q.status + 1) % len(statusFilters)
		return refilter()
	case key.Matches(m, k.ByProvince):
		q.province = cycle(q.facets.Provinces, q.province)
		return refilter()
	case key.Matches(m, k.ByAssessor):
		q.assessor = cycle(q.facets.Assessors, q.assessor)
		return refilter()
	case key.Matches(m, k.ByQuestionnaire):
		q.qn = cycle(q.facets.Questionnaires, q.qn)
		return refilter()
	case key.Matches(m, k.Sort):
		q.sort = (q.sort + 1) % len(sorts)
		q.desc = false
		return refilter()
	case key.Matches(m, k.SortReverse):
		q.desc = !q.desc
		return refilter()
	case key.Matches(m, k.Back):
		if q.status != 0 || q.province != "" || q.assessor != "" || q.qn != "" || q.search.Value() != "" {
			q.status, q.province, q.assessor, q.qn = 0, "", "", ""
			q.search.SetValue("")
			return refilter()
		}
	}
	return q.more()
}

// decisionOf maps a decision key to the status it sets.
func decisionOf(k *Keys, m tea.KeyMsg) survey.Status {
	switch {
	case key.Matches(m, k.Approve):
		return survey.StatusApproved
	case key.Matches(m, k.Return):
		return survey.StatusReturned
	}
	return survey.StatusReopened
}

func (q *queueScreen) selected() (Row, bool) {
	if q.cursor < len(q.rows) {
		return q.rows[q.cursor], true
	}
	return Row{}, false
}

func (q *queueScreen) move(d int) {
	q.cursor = max(0, min(len(q.rows)-1, q.cursor+d))
}

// rowsShown is how many rows fit: the body less the filter line, the column titles and
// the two detail lines.
func (q *queueScreen) rowsShown() int { return max(1, q.c.bodyHeight()-4) }

// questionCount is the number of questions of a questionnaire version (0 if unknown).
func (q *queueScreen) questionCount(id, version string) int {
	k := id + "\x00" + version
	if n, ok := q.questions[k]; ok {
		return n
	}
	n := 0
	if qq, ok := session.Find(q.c.cat, id, version); ok {
		for _, s := range qq.Sections {
			for _, qu := range s.Questions {
				// The queue's Answered (survey.Summary) never counts a roster: neither does
				// the total, or a complete ODRA 3.1.1 interview shows 43/44.
				if qu.Type != survey.TypeRoster {
					n++
				}
			}
		}
	}
	q.questions[k] = n
	return n
}

func (q *queueScreen) View() string {
	c, s := q.c, q.c.sty
	w := c.width
	var out []string

	// Filters and count.
	var fl string
	if q.searching || q.search.Value() != "" {
		fl = s.Focused.Render(c.t("Search: ", "Tìm: ")) + q.search.View() + "  "
	}
	// The status filter always; the others when set (p, w, t set them; esc clears all).
	fl += s.Subtle.Render(c.t("Status: ", "Trạng thái: ")) + c.get(statusFilters[q.status].label)
	for _, f := range []struct{ en, vi, v string }{
		{" · Province: ", " · Tỉnh: ", q.province},
		{" · Assessor: ", " · Người ĐG: ", q.assessor},
		{" · Form: ", " · Bảng hỏi: ", q.qn},
	} {
		if f.v != "" {
			fl += s.Subtle.Render(c.t(f.en, f.vi)) + f.v
		}
	}
	count := fmt.Sprintf(c.t("%d of %d", "%d/%d"), min(len(q.rows), q.total), q.total)
	if q.total == 1 || q.total == len(q.rows) {
		count = c.interviews(q.total)
	}
	out = append(out, pad(fl, w-width(count)-1)+" "+s.Subtle.Render(count))

	switch {
	case q.err != nil:
		out = append(out, s.Error.Render(c.t("Could not read the queue: ", "Không đọc được hàng chờ: ")+q.err.Error()))
		return strings.Join(out, "\n")
	case !q.loaded:
		out = append(out, s.Subtle.Render(c.t("Loading…", "Đang tải…")))
		return strings.Join(out, "\n")
	case len(q.rows) == 0:
		out = append(out, "", s.Subtle.Render(c.t("  No interview here. esc clears the filters; merged and synced interviews appear here.",
			"  Không có phỏng vấn nào. esc để xoá bộ lọc; phỏng vấn đã gộp và đồng bộ sẽ hiện ở đây.")))
		return strings.Join(out, "\n")
	}

	// Columns: assessor, agency, province, [questionnaire], progress, conflicts, last change, status.
	cw, cp, cg, cc, cu, cs, cq := 12, 11, 6, 2, 11, 13, 0
	if w >= 110 {
		cw, cp, cq, cs = 18, 16, 10, 13
	}
	seps := 7
	if cq > 0 {
		seps++
	}
	ca := max(8, w-2-cw-cp-cg-cc-cu-cs-cq-seps)
	sortMark := func(st Sort, label string) string {
		if sorts[q.sort].sort == st {
			if q.desc {
				return label + "↑"
			}
			return label + "↓"
		}
		return label
	}
	head := "  " + pad(sortMark(SortAssessor, c.t("Assessor", "Người ĐG")), cw) + " " + pad(sortMark(SortAgency, c.t("Agency", "Cơ quan")), ca) + " " +
		pad(sortMark(SortProvince, c.t("Province", "Tỉnh/Bộ")), cp) + " "
	if cq > 0 {
		head += pad(sortMark(SortQuestionnaire, c.t("Form", "Bảng hỏi")), cq) + " "
	}
	head += rpad(sortMark(SortProgress, c.t("Done", "Xong")), cg) + " " + pad(sortMark(SortConflicts, "!"), cc) + " " +
		pad(sortMark(SortUpdated, c.t("Changed", "Thay đổi")), cu) + " " + pad(sortMark(SortStatus, c.t("Status", "Trạng thái")), cs)
	out = append(out, s.TableHeader.Render(cut(head, w)))

	n := q.rowsShown()
	q.top = window(q.cursor, len(q.rows), n, q.top)
	for i := q.top; i < min(len(q.rows), q.top+n); i++ {
		r := q.rows[i]
		mark := "  "
		if i == q.cursor {
			mark = s.FocusMark.Render("▸ ")
		}
		prog := fmt.Sprintf("%d", r.Answered)
		if t := q.questionCount(r.Questionnaire, r.Version); t > 0 {
			prog = fmt.Sprintf("%d/%d", r.Answered, t)
		}
		conf := ""
		if r.Conflicts > 0 {
			conf = fmt.Sprintf("%d", r.Conflicts)
		}
		row := pad(r.Who(), cw) + " " + pad(r.Agency, ca) + " " + pad(r.Province, cp) + " "
		if cq > 0 {
			row += pad(r.Questionnaire, cq) + " "
		}
		row += rpad(prog, cg) + " " + s.Warning.Render(pad(conf, cc)) + " " + pad(r.Updated.Local().Format("02/01 15:04"), cu) + " " +
			s.Status(r.Status).Render(pad(c.get(r.Status.Label()), cs))
		if i == q.cursor {
			row = s.Selected.Render(row)
		}
		out = append(out, mark+row)
	}
	out = fit(out, c.bodyHeight()-2)

	// The selected interview in two lines.
	if r, ok := q.selected(); ok {
		d1 := "ID " + shortID(r.ID) + " · " + r.Questionnaire + " " + r.Version
		if r.Role != "" {
			d1 += " · " + r.Role
		}
		if r.Principal != "" && r.Principal != r.Who() {
			d1 += " · " + c.t("by ", "bởi ") + r.Principal
		}
		out = append(out, s.Subtle.Render(cut(d1, w)))
		var d2 string
		switch {
		case r.Conflicts > 0:
			msg := fmt.Sprintf(c.t("%d conflicts (answers or fields): settle them before approving (enter opens it)",
				"%d xung đột (câu trả lời hoặc thông tin): cần giải quyết trước khi duyệt (enter để mở)"), r.Conflicts)
			if r.Conflicts == 1 {
				msg = c.t("1 conflict: settle it before approving (enter opens the interview)",
					"1 xung đột: cần giải quyết trước khi duyệt (enter để mở)")
			}
			d2 = s.Warning.Render(cut(msg, w))
		case r.Reason != "" && r.Status.NeedsReason():
			d2 = s.Subtle.Render(cut(c.get(r.Status.Label())+": "+oneLine(r.Reason), w))
		case r.Status == survey.StatusResubmitted:
			d2 = s.Subtle.Render(cut(c.t("Completed again after a return: enter, then c shows what changed.",
				"Đã hoàn thành lại sau khi bị trả lại: enter rồi c để xem thay đổi."), w))
		}
		out = append(out, d2)
	}
	return strings.Join(out, "\n")
}

// showOverviewMsg switches to the overview.
type showOverviewMsg struct{}
