package desk

import (
	"fmt"
	"sort"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/tui/keys"
	"github.com/fieldsurvey/fieldsurvey/tui/session"
	"github.com/fieldsurvey/fieldsurvey/tui/styles"
)

type overviewMsg struct {
	seq  int
	qn   string
	rows []Row
	f    Facets
	err  error
}

// cell is one province × section: the confirmed overall ratings of its interviews.
type cell struct {
	counts map[survey.Code]int
	rated  int // interviews with a confirmed rating that counts
	median survey.Code
}

// overviewScreen is the province × section grid of one questionnaire (its sections with an
// overall rating; a plain section, overall: false, has no column): in each cell the
// median of the confirmed overall ratings (symbol and colour; the symbol reads without
// colour) and how many interviews rated it; per province the interviews and their
// statuses. It is computed once when read; moving over it costs nothing more.
type overviewScreen struct {
	c         *shared
	seq       int
	loaded    bool
	err       error
	qns       []string
	qn        string
	q         *survey.Questionnaire
	secs      []*survey.Section // the grid's columns: q's sections with an overall rating
	provinces []string
	cells     [][]cell // [province][section]
	perProv   []map[survey.Status]int
	totals    map[survey.Status]int
	count     int
	row, col  int
	top       int
	// cellCache holds the drawn cells for one cell width (cacheCW); moving the cursor
	// redraws only the selected one.
	cellCache [][]string
	cacheCW   int
}

func newOverviewScreen(c *shared) *overviewScreen { return &overviewScreen{c: c} }

func (o *overviewScreen) Init() tea.Cmd { return o.load(o.qn) }

func (o *overviewScreen) Title() string { return o.c.t("Overview", "Tổng quan") }

func (o *overviewScreen) Typing() bool { return false }

func (o *overviewScreen) reloadIfLoaded() tea.Cmd {
	if !o.loaded {
		return nil
	}
	return o.load(o.qn)
}

// load reads the summaries of one questionnaire's interviews (the first questionnaire
// when qn is empty).
func (o *overviewScreen) load(qn string) tea.Cmd {
	o.seq++
	seq, st, ctx := o.seq, o.c.store, o.c.ctx
	return func() tea.Msg {
		f, err := st.Facets(ctx)
		if err != nil {
			return overviewMsg{seq: seq, err: err}
		}
		if qn == "" && len(f.Questionnaires) > 0 {
			qn = f.Questionnaires[0]
		}
		if qn == "" {
			return overviewMsg{seq: seq, f: f}
		}
		rows, _, err := st.Queue(ctx, Query{Questionnaire: qn, Sort: SortProvince})
		return overviewMsg{seq: seq, qn: qn, rows: rows, f: f, err: err}
	}
}

func (o *overviewScreen) Help() keys.Help {
	k := o.c.keys
	open := key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", o.c.t("its interviews", "các phỏng vấn")))
	return keys.Help{
		Short: []key.Binding{open, k.Sections, k.Questionnaire, k.Queue},
		Full:  [][]key.Binding{{k.Up, k.Down, k.PrevSection, k.NextSection, k.PageUp, k.PageDown}, {open, assignKey(o.c), k.Questionnaire, k.Queue, k.Back}},
	}
}

func (o *overviewScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch m := msg.(type) {
	case overviewMsg:
		if m.seq != o.seq {
			return o, nil
		}
		o.loaded, o.err = true, m.err
		o.qns = m.f.Questionnaires
		if m.err == nil {
			o.compute(m.qn, m.rows)
		}
		return o, nil
	case tea.KeyMsg:
		return o, o.key(m)
	}
	return o, nil
}

// compute builds the grid from the summaries.
func (o *overviewScreen) compute(qn string, rows []Row) {
	o.qn = qn
	o.q, o.secs = nil, nil
	if q, ok := session.Latest(o.c.cat, qn); ok {
		o.q = q
		// A plain section (overall: false) has no overall rating to count: no column.
		for _, s := range q.Sections {
			if s.HasOverall() {
				o.secs = append(o.secs, s)
			}
		}
	}
	o.provinces, o.cells, o.perProv, o.cellCache = nil, nil, nil, nil
	o.totals = map[survey.Status]int{}
	o.count = len(rows)
	if o.q == nil {
		return
	}
	idx := map[string]int{}
	for _, r := range rows {
		p := r.Province
		if _, ok := idx[p]; !ok {
			idx[p] = len(o.provinces)
			o.provinces = append(o.provinces, p)
		}
	}
	collate.New(language.Vietnamese).SortStrings(o.provinces)
	for i, p := range o.provinces {
		idx[p] = i
	}
	secs := o.secs
	o.cells = make([][]cell, len(o.provinces))
	o.perProv = make([]map[survey.Status]int, len(o.provinces))
	for i := range o.cells {
		o.cells[i] = make([]cell, len(secs))
		for j := range o.cells[i] {
			o.cells[i][j].counts = map[survey.Code]int{}
		}
		o.perProv[i] = map[survey.Status]int{}
	}
	for _, r := range rows {
		i := idx[r.Province]
		o.perProv[i][r.Status]++
		o.totals[r.Status]++
		for j, s := range secs {
			if code := r.Sections[s.ID]; code != "" {
				o.cells[i][j].counts[code]++
			}
		}
	}
	for i := range o.cells {
		for j, s := range secs {
			o.cells[i][j].finish(o.q.SectionScale(s))
		}
	}
	o.row = min(o.row, max(0, len(o.provinces)-1))
	o.col = min(o.col, max(0, len(secs)-1))
}

// finish computes the median of the counted ratings (the lower middle for an even count).
func (c *cell) finish(sc *survey.Scale) {
	var vals []survey.Step
	for code, n := range c.counts {
		st, ok := sc.Step(code)
		if !ok || st.Uncounted {
			continue
		}
		for range n {
			vals = append(vals, st)
		}
	}
	c.rated = len(vals)
	if len(vals) == 0 {
		return
	}
	sort.Slice(vals, func(i, j int) bool { return vals[i].Value < vals[j].Value })
	c.median = vals[(len(vals)-1)/2].Code
}

func (o *overviewScreen) key(m tea.KeyMsg) tea.Cmd {
	k := o.c.keys
	nsec := 0
	if o.q != nil {
		nsec = len(o.secs)
	}
	switch {
	case key.Matches(m, k.Back), key.Matches(m, k.Queue):
		return o.c.post(BackMsg{})
	case key.Matches(m, k.Up):
		o.row = max(0, o.row-1)
	case key.Matches(m, k.Down):
		o.row = max(0, min(len(o.provinces)-1, o.row+1))
	case key.Matches(m, k.PageUp):
		o.row = max(0, o.row-o.rowsShown())
	case key.Matches(m, k.PageDown):
		o.row = max(0, min(len(o.provinces)-1, o.row+o.rowsShown()))
	case key.Matches(m, k.PrevSection):
		o.col = max(0, o.col-1)
	case key.Matches(m, k.NextSection):
		o.col = max(0, min(nsec-1, o.col+1))
	case key.Matches(m, k.Questionnaire):
		next := cycle(o.qns, o.qn)
		if next == "" && len(o.qns) > 0 {
			next = o.qns[0]
		}
		o.row, o.col, o.top = 0, 0, 0
		return o.load(next)
	case key.Matches(m, assignKey(o.c)):
		p, qn := "", o.qn
		if o.row < len(o.provinces) {
			p = o.provinces[o.row]
		}
		return o.c.post(AssignMsg{Province: p, Questionnaire: qn})
	case key.Matches(m, k.Open):
		if o.row < len(o.provinces) {
			p, qn := o.provinces[o.row], o.qn
			return o.c.post(FilterMsg{Province: p, Questionnaire: qn})
		}
	}
	return nil
}

func (o *overviewScreen) rowsShown() int { return max(1, o.c.bodyHeight()-7) }

// statusCounts is "3 completed · 1 returned" in life order.
func statusCounts(c *shared, m map[survey.Status]int) string {
	var parts []string
	for _, st := range survey.Statuses {
		if n := m[st]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, c.get(st.Label())))
		}
	}
	return strings.Join(parts, " · ")
}

func (o *overviewScreen) View() string {
	c, s := o.c, o.c.sty
	w := c.width
	switch {
	case o.err != nil:
		return s.Error.Render(cut(c.t("Could not read the overview: ", "Không đọc được tổng quan: ")+o.err.Error(), w))
	case !o.loaded:
		return s.Subtle.Render(c.t("Loading…", "Đang tải…"))
	case o.qn == "":
		return s.Subtle.Render(c.t("No interviews yet: merge or sync some first.", "Chưa có phỏng vấn: hãy gộp hoặc đồng bộ trước."))
	case o.q == nil:
		return s.Error.Render(cut(fmt.Sprintf(c.t("Questionnaire %s is not installed here.", "Bảng hỏi %s chưa được cài ở đây."), o.qn), w))
	}
	secs := o.secs
	// Cell width: the full symbol when it fits, else the step's value on its colour.
	const provMin, nW = 14, 4
	full := w-provMin-nW-2 >= len(secs)*9
	cw := 6
	if full {
		cw = 9
	}
	title := c.get(o.q.Title) + " · " + c.interviews(o.count)
	legend := c.t("Each cell: the median of the confirmed overall ratings and how many rated (t: questionnaire)",
		"Mỗi ô: trung vị các đánh giá chung đã xác nhận và số phỏng vấn đã đánh giá (t: bảng hỏi)")
	if !full {
		legend = c.t("Cells: median overall rating (1 red … 5 green), then how many rated",
			"Ô: trung vị đánh giá chung (1 đỏ … 5 xanh), rồi số đã đánh giá")
	}
	out := []string{s.Title.Render(cut(title, w)), s.Subtle.Render(cut(legend, w))}
	pw := max(8, min(24, w-nW-2-len(secs)*(cw+1)))
	head := pad(c.t("Province", "Tỉnh/Bộ"), pw) + " " + rpad("n", nW) + " "
	for j, sec := range secs {
		h := sec.ID
		if j == o.col {
			h = "[" + h + "]"
		}
		head += pad(h, cw) + " "
	}
	out = append(out, s.TableHeader.Render(cut(head, w)))
	n := o.rowsShown()
	o.top = window(o.row, len(o.provinces), n, o.top)
	for i := o.top; i < min(len(o.provinces), o.top+n); i++ {
		total := 0
		for _, v := range o.perProv[i] {
			total += v
		}
		name := o.provinces[i]
		if name == "" {
			name = c.t("(none)", "(không có)")
		}
		line := pad(name, pw) + " " + rpad(fmt.Sprint(total), nW) + " "
		if i == o.row {
			line = s.Bold.Render(pad(name, pw)) + " " + rpad(fmt.Sprint(total), nW) + " "
		}
		for j := range secs {
			txt := o.cached(i, j, full, cw)
			if i == o.row && j == o.col {
				txt = s.Selected.Render("▸") + txt[len(" "):]
			}
			line += txt + " "
		}
		out = append(out, cut(line, w))
	}
	out = fit(out, c.bodyHeight()-3)
	// The selected cell and row in words.
	if o.row < len(o.provinces) && o.col < len(secs) {
		sec := secs[o.col]
		sc := o.q.SectionScale(sec)
		cl := o.cells[o.row][o.col]
		var dist []string
		for _, st := range sc.Steps {
			if n := cl.counts[st.Code]; n > 0 {
				dist = append(dist, s.Rating(st, c.lang)+fmt.Sprintf(" %d", n))
			}
		}
		d := c.t("none confirmed", "chưa có xác nhận")
		if len(dist) > 0 {
			d = strings.Join(dist, " · ")
		}
		out = append(out, cut(s.Heading.Render(o.provinces[o.row]+" · "+sec.ID+" "+c.get(sec.Title))+": "+d, w))
		out = append(out, s.Subtle.Render(cut(statusCounts(c, o.perProv[o.row])+c.t("  (enter lists them · a assigns one)", "  (enter để xem · a để giao việc)"), w)))
	}
	out = append(out, s.Subtle.Render(cut(c.t("All: ", "Tất cả: ")+statusCounts(c, o.totals), w)))
	return strings.Join(out, "\n")
}

// cached returns the drawn cell (i, j), drawing the grid's cells once per cell width.
func (o *overviewScreen) cached(i, j int, full bool, cw int) string {
	if o.cellCache == nil || o.cacheCW != cw {
		o.cellCache = make([][]string, len(o.provinces))
		o.cacheCW = cw
	}
	if o.cellCache[i] == nil {
		o.cellCache[i] = make([]string, len(o.secs))
		for jj, sc := range o.secs {
			o.cellCache[i][jj] = o.cellText(o.cells[i][jj], o.q.SectionScale(sc), o.c.sty, full, cw)
		}
	}
	return o.cellCache[i][j]
}

// cellText is " ●●●○○ 3" (full) or " 3 ×3" (narrow), always starting with a space, cw wide.
func (o *overviewScreen) cellText(cl cell, sc *survey.Scale, s *styles.Styles, full bool, cw int) string {
	if cl.rated == 0 {
		uncounted := 0
		for _, n := range cl.counts {
			uncounted += n
		}
		if uncounted > 0 {
			return pad(" –", cw)
		}
		return pad(" "+s.Faint.Render("·"), cw)
	}
	st, _ := sc.Step(cl.median)
	cnt := fmt.Sprintf("%d", cl.rated)
	if full {
		return pad(" "+s.StepStyle(st).Render(styles.Symbol(st))+" "+cnt, cw)
	}
	return pad(" "+s.Cell(sc, cl.median)+" "+cnt, cw)
}
