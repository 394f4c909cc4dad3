package tui

import (
	"fmt"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/tui/keys"
	"github.com/fieldsurvey/fieldsurvey/tui/session"
)

// homeScreen lists the interviews on this device. From a store that counts them
// (session.Counter) it reads the summaries a page at a time, the next page when the cursor
// comes near the end of those read (each page one indexed query), so that the first screen
// costs the same with ten or ten thousand interviews; from another store, all at once. It
// loads the full state only of the rows on screen, for their progress.
type homeScreen struct {
	c     *shared
	items []session.Summary // the first pages of the list
	// total is how many interviews the list holds (len(items) once every page is read);
	// fetching says a page is being read; toBottom, that the cursor goes to the last row
	// when it arrives.
	total     int
	fetching  bool
	toBottom  bool
	details   map[string]detailMsg
	loading   map[string]bool
	cursor    int
	top       int
	search    textinput.Model
	searching bool
	filter    int // index into homeFilters
	seq       int
	err       error
	loaded    bool
}

var homeFilters = []survey.Status{"", survey.StatusDraft, survey.StatusReturned, survey.StatusCompleted,
	survey.StatusResubmitted, survey.StatusSubmitted, survey.StatusApproved}

func newHomeScreen(c *shared) *homeScreen {
	ti := textinput.New()
	ti.Prompt = ""
	ti.CharLimit = 100
	ti.Cursor.SetMode(cursor.CursorStatic)
	return &homeScreen{c: c, search: ti, details: map[string]detailMsg{}, loading: map[string]bool{}}
}

func (h *homeScreen) Init() tea.Cmd { return h.reload() }

// homePage is how many summaries the home screen reads at a time.
const homePage = 200

// listOptions is what the list shows: the current search and filter.
func (h *homeScreen) listOptions() session.ListOptions {
	return session.ListOptions{Status: homeFilters[h.filter], Search: strings.TrimSpace(h.search.Value())}
}

// reload lists the interviews with the current search and filter, in a command: the
// counts and the first page.
func (h *homeScreen) reload() tea.Cmd {
	h.seq++
	h.fetching, h.toBottom = false, false
	seq, st, ctx := h.seq, h.c.store, h.c.ctx
	o := h.listOptions()
	all := o.Status == "" && o.Search == ""
	// As many rows as were read, so that the cursor keeps its place after a reload.
	limit := max(homePage, len(h.items))
	return func() tea.Msg {
		c, ok := st.(session.Counter)
		if !ok {
			items, err := st.List(ctx, o)
			counts := map[survey.Status]int{}
			for _, s := range items {
				counts[s.Status]++
			}
			return listedMsg{seq: seq, items: items, counts: counts, all: all, err: err}
		}
		counts, err := c.CountByStatus(ctx, o)
		if err != nil {
			return listedMsg{seq: seq, all: all, err: err}
		}
		o.Limit = limit
		items, err := st.List(ctx, o)
		return listedMsg{seq: seq, items: items, counts: counts, all: all, err: err}
	}
}

// more reads the next page when the cursor is within a screen of the end of the rows
// read, or every remaining row when toBottom is set.
func (h *homeScreen) more() tea.Cmd {
	if h.fetching || len(h.items) >= h.total || (!h.toBottom && h.cursor+2*h.rows() < len(h.items)) {
		return nil
	}
	h.fetching = true
	seq, st, ctx := h.seq, h.c.store, h.c.ctx
	o := h.listOptions()
	o.Offset = len(h.items)
	if !h.toBottom {
		o.Limit = homePage
	}
	return func() tea.Msg {
		items, err := st.List(ctx, o)
		return pageMsg{seq: seq, offset: o.Offset, items: items, err: err}
	}
}

func (h *homeScreen) Typing() bool           { return h.searching }
func (h *homeScreen) Dirty() bool            { return false }
func (h *homeScreen) Flush() []survey.Change { return nil }

func (h *homeScreen) Help() keys.Help {
	k := h.c.keys
	if h.searching {
		return keys.Help{Short: []key.Binding{k.Done, k.Open}}
	}
	short := []key.Binding{k.Open, k.New, k.Search, k.Filter}
	full := []key.Binding{k.Open, k.New, k.Search, k.Filter, k.Settings}
	if h.c.opts.Sync != nil {
		short = append(short, k.SyncNow)
	}
	return keys.Help{
		Short: slices.Concat(short, []key.Binding{k.Lang2, k.Quit}),
		Full:  [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}, full},
	}
}

func (h *homeScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch m := msg.(type) {
	case listedMsg:
		if m.seq != h.seq {
			return h, nil
		}
		h.loaded = true
		h.err = m.err
		if m.err == nil {
			h.items = m.items
			h.total = 0
			for _, n := range m.counts {
				h.total += n
			}
			h.total = max(h.total, len(h.items))
		}
		h.cursor = min(h.cursor, max(0, len(h.items)-1))
		return h, h.loadVisible()
	case pageMsg:
		if m.seq != h.seq || m.offset != len(h.items) {
			return h, nil
		}
		h.fetching = false
		if m.err != nil {
			h.err = m.err
			return h, nil
		}
		h.items = append(h.items, m.items...)
		if len(m.items) == 0 || (h.toBottom && len(h.items) < h.total) {
			h.total = len(h.items) // fewer than counted: some changed meanwhile
		}
		if h.toBottom {
			h.toBottom = false
			h.move(len(h.items))
		}
		return h, h.loadVisible()
	case detailMsg:
		delete(h.loading, m.id)
		h.details[m.id] = m
		return h, nil
	case tea.MouseMsg:
		switch m.Button {
		case tea.MouseButtonWheelUp:
			h.move(-1)
		case tea.MouseButtonWheelDown:
			h.move(1)
		}
		return h, h.loadVisible()
	case tea.KeyMsg:
		return h, h.key(m)
	}
	return h, nil
}

func (h *homeScreen) key(m tea.KeyMsg) tea.Cmd {
	k := h.c.keys
	if h.searching {
		switch {
		case key.Matches(m, k.Back):
			h.searching = false
			h.search.Blur()
			h.search.SetValue("")
			return h.reload()
		case m.Type == tea.KeyEnter:
			h.searching = false
			h.search.Blur()
			return nil
		case m.Type == tea.KeyUp:
			h.move(-1)
			return h.loadVisible()
		case m.Type == tea.KeyDown:
			h.move(1)
			return h.loadVisible()
		}
		before := h.search.Value()
		var cmd tea.Cmd
		h.search, cmd = h.search.Update(m)
		if h.search.Value() != before {
			h.cursor, h.top = 0, 0
			return tea.Batch(cmd, h.reload())
		}
		return cmd
	}
	switch {
	case key.Matches(m, k.Up):
		h.move(-1)
	case key.Matches(m, k.Down):
		h.move(1)
	case key.Matches(m, k.PageUp):
		h.move(-h.rows())
	case key.Matches(m, k.PageDown):
		h.move(h.rows())
	case key.Matches(m, k.Top):
		h.move(-len(h.items))
	case key.Matches(m, k.Bottom):
		h.move(len(h.items))
		if len(h.items) < h.total {
			h.toBottom = true
		}
	case key.Matches(m, k.Open):
		if h.cursor < len(h.items) {
			sm := h.items[h.cursor]
			if d, ok := h.details[sm.ID]; ok && d.err == nil && d.meta.Assigned() && !d.respondent.Consent && survey.AssessorEditable(sm.Status) {
				// A planned interview not started: the assessor first completes its
				// respondent block and records consent, as for a new interview.
				m := startPlannedMsg{id: sm.ID, meta: d.meta, respondent: d.respondent}
				return func() tea.Msg { return m }
			}
			id := sm.ID
			return h.c.post(OpenInterviewMsg{ID: id})
		}
	case key.Matches(m, k.New):
		return h.c.post(NewInterviewMsg{})
	case key.Matches(m, k.Settings):
		return h.c.post(SettingsMsg{})
	case key.Matches(m, k.Search):
		h.searching = true
		return h.search.Focus()
	case key.Matches(m, k.Filter):
		h.filter = (h.filter + 1) % len(homeFilters)
		h.cursor, h.top = 0, 0
		return h.reload()
	case key.Matches(m, k.Back):
		if h.search.Value() != "" || h.filter != 0 {
			h.search.SetValue("")
			h.filter = 0
			return h.reload()
		}
	}
	return h.loadVisible()
}

func (h *homeScreen) move(d int) {
	h.cursor = max(0, min(len(h.items)-1, h.cursor+d))
}

// rows is how many interview rows fit: the body less the search line, the column titles
// and the two detail lines.
func (h *homeScreen) rows() int { return max(1, h.c.bodyHeight()-5) }

// loadVisible loads the progress of the rows on screen that have none yet, and the next
// page of the list when the screen comes near the end of the rows read.
func (h *homeScreen) loadVisible() tea.Cmd {
	h.top = window(h.cursor, len(h.items), h.rows(), h.top)
	var cmds []tea.Cmd
	for i := h.top; i < min(len(h.items), h.top+h.rows()); i++ {
		sm := h.items[i]
		if d, ok := h.details[sm.ID]; (ok && d.answered == sm.Answered) || h.loading[sm.ID] {
			continue
		}
		h.loading[sm.ID] = true
		st, cat, ctx := h.c.store, h.c.cat, h.c.ctx
		cmds = append(cmds, func() tea.Msg {
			s, err := st.Interview(ctx, sm.ID)
			if err != nil {
				return detailMsg{id: sm.ID, err: err}
			}
			q, ok := session.Find(cat, sm.Questionnaire, sm.Version)
			if !ok {
				return detailMsg{id: sm.ID, err: fmt.Errorf("questionnaire %s %s not installed", sm.Questionnaire, sm.Version)}
			}
			a, t := q.Progress(s.Answers)
			d := detailMsg{id: sm.ID, answered: a, total: t, meta: s.Meta, respondent: s.Respondent}
			if cr, ok := st.(CreatorReader); ok && sm.Assessor == "" {
				d.creator, _ = cr.Creator(ctx, sm.ID)
			}
			return d
		})
	}
	return tea.Batch(append(cmds, h.more())...)
}

func (h *homeScreen) View() string {
	c, s := h.c, h.c.sty
	w := c.width
	var out []string

	// Search and filter line.
	var sl string
	if h.searching || h.search.Value() != "" {
		sl = s.Focused.Render(c.t("Search: ", "Tìm: ")) + h.search.View()
	} else {
		sl = s.Subtle.Render(c.t("/ to search", "/ để tìm"))
	}
	flt := c.t("all", "tất cả")
	if st := homeFilters[h.filter]; st != "" {
		flt = c.get(st.Label())
	}
	sl += s.Subtle.Render("   " + c.t("Status: ", "Trạng thái: ") + flt)
	count := fmt.Sprintf(c.t("%d interviews", "%d cuộc phỏng vấn"), h.total)
	if h.total == 1 {
		count = c.t("1 interview", "1 cuộc phỏng vấn")
	}
	out = append(out, pad(sl, w-width(count)-1)+" "+s.Subtle.Render(count))

	if h.err != nil {
		out = append(out, s.Error.Render(c.t("Could not list the interviews: ", "Không đọc được danh sách phỏng vấn: ")+h.err.Error()))
		return strings.Join(out, "\n")
	}
	if !h.loaded {
		out = append(out, s.Subtle.Render(c.t("Loading…", "Đang tải…")))
		return strings.Join(out, "\n")
	}
	if len(h.items) == 0 {
		out = append(out, "")
		if h.search.Value() != "" || h.filter != 0 {
			out = append(out, s.Subtle.Render(c.t("  No interview matches. esc clears the search and filter.",
				"  Không có phỏng vấn phù hợp. esc để xoá tìm kiếm và bộ lọc.")))
		} else {
			out = append(out, s.Text.Render(c.t("  No interviews yet. Press n to start one.",
				"  Chưa có cuộc phỏng vấn nào. Nhấn n để bắt đầu.")))
		}
		return strings.Join(out, "\n")
	}

	// Columns: questionnaire, agency, province, status, progress, sections, (updated).
	cq, cp, cs, cg, cstrip := 10, 14, 13, 7, 9
	showUpdated := w >= 110
	cu := 0
	if showUpdated {
		cu = 12
		cp = 20
	}
	ca := w - 2 - cq - cp - cs - cg - cstrip - cu - 6
	if ca < 10 {
		ca = 10
	}
	head := "  " + pad(c.t("Form", "Bảng hỏi"), cq) + " " + pad(c.t("Agency", "Cơ quan"), ca) + " " +
		pad(c.t("Province/ministry", "Tỉnh/Bộ"), cp) + " " + pad(c.t("Status", "Trạng thái"), cs) + " " +
		pad(c.t("Progress", "Tiến độ"), cg) + " " + pad(c.t("Sections", "Các phần"), cstrip)
	if showUpdated {
		head += " " + pad(c.t("Updated", "Cập nhật"), cu)
	}
	out = append(out, s.TableHeader.Render(cut(head, w)))

	rows := h.rows()
	h.top = window(h.cursor, len(h.items), rows, h.top)
	for i := h.top; i < min(len(h.items), h.top+rows); i++ {
		sm := h.items[i]
		mark := "  "
		if i == h.cursor {
			mark = s.FocusMark.Render("▸ ")
		}
		prog := fmt.Sprintf("%d/…", sm.Answered)
		if d, ok := h.details[sm.ID]; ok && d.err == nil {
			prog = fmt.Sprintf("%d/%d", d.answered, d.total)
		}
		status := c.get(sm.Status.Label())
		if h.toDo(sm) {
			status = c.t("to do", "cần làm")
		}
		if sm.Conflicts > 0 {
			status += " !"
		}
		row := pad(sm.Questionnaire, cq) + " " + pad(sm.Agency, ca) + " " + pad(sm.Province, cp) + " " +
			s.Status(sm.Status).Render(pad(status, cs)) + " " + pad(leftPad(prog, cg), cg) + " " + h.strip(sm, cstrip)
		if showUpdated {
			row += " " + pad(sm.Updated.Local().Format("02/01 15:04"), cu)
		}
		if i == h.cursor {
			row = s.Selected.Render(row)
		}
		out = append(out, mark+row)
	}
	out = fit(out, c.bodyHeight()-2)
	// Details of the selected interview.
	if h.cursor < len(h.items) {
		sm := h.items[h.cursor]
		d1 := "ID " + shortID(sm.ID)
		if sm.Role != "" {
			d1 += " · " + c.t("Role: ", "Chức vụ: ") + sm.Role
		}
		who := sm.Assessor
		if d, ok := h.details[sm.ID]; ok && who == "" {
			// An interview made before a name was set: the principal that created it.
			who = d.creator
		}
		if who != "" {
			d1 += " · " + c.t("Assessor: ", "Người đánh giá: ") + who
		}
		d1 += " · " + c.t("updated ", "cập nhật ") + sm.Updated.Local().Format("02/01/2006 15:04")
		out = append(out, s.Subtle.Render(cut(d1, w)))
		var d2 string
		switch {
		case sm.Status == survey.StatusReturned:
			reason := sm.Reason
			if reason == "" {
				reason = c.t("(no reason given)", "(không có lý do)")
			}
			d2 = s.Error.Render(cut(c.t("Returned: ", "Bị trả lại: ")+reason, w))
		case sm.Conflicts > 0:
			d2 = s.Warning.Render(cut(fmt.Sprintf(c.t("%d answers have two versions: open the interview to settle them",
				"%d câu trả lời có hai phiên bản: mở phỏng vấn để xử lý"), sm.Conflicts), w))
		case h.details[sm.ID].meta.Assigned():
			d2 = s.Warning.Render(cut(h.assignment(h.details[sm.ID].meta, h.toDo(sm)), w))
		}
		out = append(out, d2)
	}
	return strings.Join(out, "\n")
}

// toDo reports whether sm is a planned interview assigned to this device's principal that
// its assessor has not started yet (a draft without answers or the respondent's consent):
// the home shows it "to do".
func (h *homeScreen) toDo(sm session.Summary) bool {
	d, ok := h.details[sm.ID]
	return ok && d.meta.Assigned() && d.meta.Assignee == h.c.writer.Author.Principal &&
		sm.Status == survey.StatusDraft && sm.Answered == 0 && !d.respondent.Consent
}

// assignment is the details line of a planned interview: to do (or to whom), by when, and
// the supervisor's note.
func (h *homeScreen) assignment(m survey.InterviewMeta, todo bool) string {
	c := h.c
	line := fmt.Sprintf(c.t("Assigned to %s", "Giao cho %s"), m.Assignee)
	if todo {
		line = c.t("To do: assigned to you", "Cần làm: được giao cho bạn")
	}
	if m.Due != "" {
		line += " · " + c.t("due ", "hạn ") + m.Due
	}
	if note := strings.Join(strings.Fields(m.Note), " "); note != "" {
		line += " · " + note
	}
	return line
}

// strip is one cell per section: the confirmed overall rating's value on its colour.
func (h *homeScreen) strip(sm session.Summary, w int) string {
	var q *survey.Questionnaire
	if h.c.cat != nil {
		q, _ = session.Find(h.c.cat, sm.Questionnaire, sm.Version)
	}
	if q == nil {
		return pad("", w)
	}
	var b strings.Builder
	n := 0
	for _, sec := range q.Sections {
		if n == w {
			break
		}
		if !sec.HasOverall() {
			continue // overall: false: no rating to show
		}
		b.WriteString(h.c.sty.Cell(q.SectionScale(sec), sm.Sections[sec.ID]))
		n++
	}
	return b.String() + strings.Repeat(" ", w-n)
}

func leftPad(s string, w int) string {
	if n := width(s); n < w {
		return strings.Repeat(" ", w-n) + s
	}
	return s
}

func shortID(id string) string {
	if len(id) > 13 {
		return id[:13]
	}
	return id
}
