package tui

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/tui/keys"
)

// A roster question (survey.TypeRoster) is a table of rows with typed columns. The question
// screen shows it as a table (rosterView) and edits one row at a time in a form (rowForm).
// Each row is its own revision target (survey.KindRow): a committed form, a deletion or a
// move is one change queued for the store at once, and the header says saved only once the
// Put returned. A row is checked (columns, then the row constraint) before it is queued:
// nothing invalid is saved, and the form keeps what was typed with the messages beside the
// fields.
//
// Speed: a keystroke never does work in proportion to the number of rows. The rows are the
// fold's sorted slice (survey.Roster.Rows, sorted again only after a change); the table
// draws the visible rows only, and checks only those.

// rowTarget is the target of row rowID of roster question qid.
func (iv *interview) rowTarget(qid, rowID string) survey.Target {
	return survey.Target{Interview: iv.st.ID, Kind: survey.KindRow, Key: survey.RowKey(qid, rowID)}
}

// rows returns the rows of roster question qid, in order (shared: do not modify).
func (iv *interview) rows(qid string) []survey.Row { return iv.st.Rows(qid) }

// putRow records value v of row rowID of roster qid in the in-memory state (an empty v
// deletes the row), as a Put of it will leave the fold (survey.InterviewState.SetRow), and
// refreshes what depends on the roster. The row's heads are left as they were: the
// saver's Put reports the new one.
func (iv *interview) putRow(qid, rowID string, v survey.RosterRow) {
	iv.st.SetRow(qid, survey.Row{ID: rowID, Pos: v.Pos, Cells: v.Cells})
	iv.rowsChanged(qid)
}

// rowsChanged refreshes the state of roster qid and of the questions whose relevance or
// constraint reads it (count_rows and the like), and the progress counts.
func (iv *interview) rowsChanged(qid string) {
	if i, ok := iv.index[qid]; ok {
		iv.recheck(i)
	}
	for _, i := range iv.dependents[qid] {
		iv.relevant[i] = iv.q.Relevant(iv.order[i], iv.st.Answers)
		iv.recheck(i)
	}
	for _, i := range iv.checkDeps[qid] {
		iv.recheck(i)
	}
	iv.count()
}

// rowConflict reports whether row rowID of roster qid has versions that disagree.
func (iv *interview) rowConflict(qid, rowID string) (survey.Conflict, bool) {
	return iv.conflict(iv.rowTarget(qid, rowID))
}

// rosterView is the table of a roster question: the selected row, the scroll position, the
// form of the row being edited, and the column layout for the current width.
type rosterView struct {
	c  *shared
	iv *interview
	qu *survey.Question
	// k is the roster's keys in klang (built again when ctrl+l switches the language).
	k     *keys.RosterMap
	klang string

	cur, top   int
	lastPage   int // rows the table showed last: a page for PgUp/PgDn
	confirmDel bool
	form       *rowForm

	// Layout cache: columns shown and their widths for (layW, layLang, layDigits).
	layW, layDigits int
	layLang         string
	lay             []colLay
	hidden          int
}

type colLay struct {
	col *survey.Column
	w   int
}

func newRosterView(c *shared, iv *interview, qu *survey.Question) *rosterView {
	return &rosterView{c: c, iv: iv, qu: qu, k: keys.Roster(c.lang), klang: c.lang}
}

// keys returns the roster's bindings with help in the current language.
func (r *rosterView) keys() *keys.RosterMap {
	if r.klang != r.c.lang {
		r.k, r.klang = keys.Roster(r.c.lang), r.c.lang
	}
	return r.k
}

func (r *rosterView) rows() []survey.Row { return r.iv.rows(r.qu.ID) }

// clampCur keeps the selection on a row (after a deletion, a row arriving elsewhere).
func (r *rosterView) clampCur() {
	n := len(r.rows())
	r.cur = max(0, min(r.cur, n-1))
}

// tableRows is the number of rows the table shows at the current size.
func (r *rosterView) tableRows(chrome int) int { return max(3, r.height()-chrome) }

// height is the body's height this frame: a notice of more than one line takes from it,
// and the position line under the table must stay in view.
func (r *rosterView) height() int { return max(1, r.c.bodyHeight()-r.c.statusExtra) }

// key handles a key on the table (the form, when open, has it first).
func (r *rosterView) key(q *questionScreen, m tea.KeyMsg) tea.Cmd {
	if r.form != nil {
		return r.formKey(q, m)
	}
	k, rk := r.c.keys, r.keys()
	rows := r.rows()
	n := len(rows)
	if r.confirmDel {
		r.confirmDel = false
		if (key.Matches(m, rk.RowConfirm) || key.Matches(m, rk.RowDelete)) && n > 0 {
			return r.delete()
		}
		return notice(survey.T("Not deleted.", "Không xoá."), false)
	}
	page := max(1, r.lastPage)
	switch {
	case key.Matches(m, k.Up):
		r.cur = max(0, r.cur-1)
	case key.Matches(m, k.Down):
		r.cur = max(0, min(n-1, r.cur+1))
	case key.Matches(m, k.PageUp):
		r.cur = max(0, r.cur-page)
		r.top = max(0, r.top-page)
	case key.Matches(m, k.PageDown):
		r.cur = max(0, min(n-1, r.cur+page))
		r.top = max(0, min(n-page, r.top+page))
	case key.Matches(m, k.Top):
		r.cur = 0
	case key.Matches(m, k.Bottom):
		r.cur = max(0, n-1)
	case key.Matches(m, rk.RowAdd):
		if !r.iv.editable() {
			return q.readOnly()
		}
		if err := r.qu.CheckAddRow(n); err != nil {
			if fe, ok := err.(*survey.RosterFullError); ok {
				return notice(fe.Text(), true)
			}
			return notice(survey.T(err.Error(), err.Error()), true)
		}
		r.form = newRowForm(r, "", survey.NextPos(rows), nil, false)
		return r.form.focusCmd()
	case key.Matches(m, rk.RowEdit):
		if n == 0 {
			return notice(survey.T("No rows yet: a adds one.", "Chưa có dòng nào: a để thêm."), false)
		}
		row := rows[r.cur]
		_, conflicted := r.iv.rowConflict(r.qu.ID, row.ID)
		ro := !r.iv.editable() || conflicted
		r.form = newRowForm(r, row.ID, row.Pos, row.Cells, ro)
		if conflicted {
			return notice(survey.T("This row has versions made on different devices: v compares them and settles; until then it cannot be edited.",
				"Dòng này có các phiên bản từ các máy khác nhau: v để so sánh và giải quyết; trước đó không sửa được."), true)
		}
		if ro {
			return q.readOnly()
		}
		return r.form.focusCmd()
	case key.Matches(m, rk.RowDelete):
		if n == 0 {
			return nil
		}
		if !r.iv.editable() {
			return q.readOnly()
		}
		if _, c := r.iv.rowConflict(r.qu.ID, rows[r.cur].ID); c {
			return r.conflictNotice()
		}
		r.confirmDel = true
	case key.Matches(m, rk.RowMoveUp):
		return r.move(q, -1)
	case key.Matches(m, rk.RowMoveDown):
		return r.move(q, 1)
	case key.Matches(m, rk.RowVersions):
		if n == 0 {
			return nil
		}
		t := r.iv.rowTarget(r.qu.ID, rows[r.cur].ID)
		return q.c.post(VersionsMsg{Target: t})
	case key.Matches(m, rk.DeletedVersions):
		gone := r.deletedConflicts()
		if len(gone) == 0 {
			return nil
		}
		t := gone[0].Target
		return q.c.post(VersionsMsg{Target: t})
	case key.Matches(m, rk.RowHistory):
		if n == 0 {
			return nil
		}
		t := r.iv.rowTarget(r.qu.ID, rows[r.cur].ID)
		return q.c.post(HistoryMsg{Target: t})
	default:
		return nil
	}
	return nil
}

// deletedConflicts returns the conflicts of the roster's rows whose newest version deletes
// the row: the table cannot show such a row (the fold drops it), so the screen says so
// apart and V opens its versions. It reads the interview's conflicts, never the rows.
func (r *rosterView) deletedConflicts() []survey.Conflict {
	var out []survey.Conflict
	for _, cf := range r.iv.st.Conflicts {
		if cf.Target.Kind != survey.KindRow || len(cf.Heads) == 0 {
			continue
		}
		if qid, _, ok := survey.SplitRowKey(cf.Target.Key); !ok || qid != r.qu.ID {
			continue
		}
		var row survey.RosterRow
		if json.Unmarshal(cf.Heads[0].Value, &row) == nil && row.Normalized().IsEmpty() {
			out = append(out, cf)
		}
	}
	return out
}

func (r *rosterView) conflictNotice() tea.Cmd {
	return notice(survey.T("This row has versions made on different devices: v compares them and settles it first.",
		"Dòng này có các phiên bản từ các máy khác nhau: v để so sánh và giải quyết trước."), true)
}

// delete queues the deletion of the selected row (a revision whose value is empty: the
// row's history keeps what it held).
func (r *rosterView) delete() tea.Cmd {
	rows := r.rows()
	row := rows[r.cur]
	r.iv.putRow(r.qu.ID, row.ID, survey.RosterRow{})
	r.clampCur()
	ch := survey.Change{Target: r.iv.rowTarget(r.qu.ID, row.ID), Value: survey.RosterRow{}}
	left := len(r.rows())
	return tea.Batch(func() tea.Msg { return SaveMsg{Changes: []survey.Change{ch}} },
		notice(survey.T(fmt.Sprintf("Row deleted; %d rows left (the interview's history keeps what it held).", left),
			fmt.Sprintf("Đã xoá dòng; còn %d dòng (lịch sử của phỏng vấn vẫn giữ nội dung cũ).", left)), false))
}

// move moves the selected row one place up (d = -1) or down (d = 1): one revision of the
// moved row with a position between its new neighbours, or, when no distinct position is
// left between them, every row renumbered in one Put.
func (r *rosterView) move(q *questionScreen, d int) tea.Cmd {
	rows := r.rows()
	n := len(rows)
	i, j := r.cur, r.cur+d
	if n == 0 || j < 0 || j >= n {
		return nil
	}
	if !r.iv.editable() {
		return q.readOnly()
	}
	for _, x := range []int{i, j} {
		if _, c := r.iv.rowConflict(r.qu.ID, rows[x].ID); c {
			return r.conflictNotice()
		}
	}
	// The new neighbours of the moved row: rows[j] on one side, rows[j+d] (or a step
	// beyond the end) on the other.
	var lo, hi float64
	if d < 0 {
		hi = rows[j].Pos
		if j-1 >= 0 {
			lo = rows[j-1].Pos
		} else {
			lo = hi - 1
		}
	} else {
		lo = rows[j].Pos
		if j+1 < n {
			hi = rows[j+1].Pos
		} else {
			hi = lo + 1
		}
	}
	moved := rows[i]
	pos, ok := survey.PosBetween(lo, hi)
	var changes []survey.Change
	if ok && pos != 0 && pos != lo && pos != hi {
		v := survey.RosterRow{Pos: pos, Cells: moved.Cells}
		r.iv.putRow(r.qu.ID, moved.ID, v)
		changes = append(changes, survey.Change{Target: r.iv.rowTarget(r.qu.ID, moved.ID), Value: v})
	} else {
		order := make([]survey.Row, 0, n)
		order = append(order, rows...)
		order[i], order[j] = order[j], order[i]
		for _, row := range survey.Renumber(order) {
			v := survey.RosterRow{Pos: row.Pos, Cells: row.Cells}
			r.iv.putRow(r.qu.ID, row.ID, v)
			changes = append(changes, survey.Change{Target: r.iv.rowTarget(r.qu.ID, row.ID), Value: v})
		}
	}
	r.cur = j
	return func() tea.Msg { return SaveMsg{Changes: changes} }
}

// layout computes which columns are shown and their widths for the table w cells wide.
func (r *rosterView) layout(w, digits int) []colLay {
	if r.lay != nil && r.layW == w && r.layLang == r.c.lang && r.layDigits == digits {
		return r.lay
	}
	lang := r.c.lang
	avail := w - (2 + digits + 1) // marks, number, space
	type want struct {
		col       *survey.Column
		min, want int
		flex      bool
	}
	var ws []want
	for i := range r.qu.Columns {
		col := &r.qu.Columns[i]
		lw := width(col.Label.Get(lang))
		switch col.Type {
		case survey.ColumnYesNo:
			nw := max(width(survey.T("Yes", "Có").Get(lang)), width(survey.T("No", "Không").Get(lang)))
			ws = append(ws, want{col, max(6, nw), max(6, nw, min(lw, 12)), false})
		case survey.ColumnStars:
			ws = append(ws, want{col, 8, max(8, min(lw, 12)), false})
		case survey.ColumnNumber:
			ws = append(ws, want{col, 6, max(6, min(lw, 10)), false})
		case survey.ColumnChoice:
			ow := 0
			for _, o := range col.Options {
				ow = max(ow, width(o.Label.Get(lang)))
			}
			ws = append(ws, want{col, 10, max(10, min(max(ow, lw), 14)), false})
		default:
			ws = append(ws, want{col, 14, 0, true})
		}
	}
	// Keep the columns, left to right, whose minimum widths fit; the rest are read in the
	// row's form.
	shown, used := 0, 0
	for _, x := range ws {
		if shown > 0 && used+x.min+1 > avail {
			break
		}
		used += x.min + 1
		shown++
	}
	ws = ws[:shown]
	out := make([]colLay, len(ws))
	extra := avail - used
	for i, x := range ws {
		out[i] = colLay{x.col, x.min}
	}
	// The room left: the text columns up to 16 cells, the other columns up to their wanted
	// widths (a readable label), then the text columns share the rest.
	for grew := true; grew && extra > 0; {
		grew = false
		for i, x := range ws {
			if x.flex && out[i].w < 16 && extra > 0 {
				out[i].w++
				extra--
				grew = true
			}
		}
	}
	for i, x := range ws {
		if !x.flex && extra > 0 {
			add := min(extra, x.want-x.min)
			out[i].w += add
			extra -= add
		}
	}
	flex := 0
	for _, x := range ws {
		if x.flex {
			flex++
		}
	}
	for i := 0; extra > 0; i = (i + 1) % len(out) {
		if flex == 0 || ws[i].flex {
			out[i].w++
			extra--
		}
	}
	r.lay, r.layW, r.layLang, r.layDigits, r.hidden = out, w, lang, digits, len(r.qu.Columns)-shown
	return out
}

// cellText is a cell as the table shows it, on one line.
func cellText(c *shared, col *survey.Column, v any) string {
	s := col.CellText(v, c.lang)
	if strings.ContainsAny(s, "\n\r\t") {
		s = strings.Join(strings.Fields(s), " ")
	}
	return s
}

// view draws the question's table (or the form of the row being edited) in h lines.
func (r *rosterView) view(q *questionScreen, top []string) string {
	c, s := r.c, r.c.sty
	w := c.width
	rows := r.rows()
	n := len(rows)
	r.clampCur()

	qt := r.qu.ID + "  " + c.get(r.qu.Text)
	if r.qu.Required {
		qt += " *"
	}
	qlines := wrapPrefixed(r.qu.ID+"  ", strings.TrimPrefix(qt, r.qu.ID+"  "), w)
	qlines = clip(qlines, 2)
	for i := range qlines {
		qlines[i] = s.Heading.Render(qlines[i])
	}
	out := append(append([]string{}, top...), qlines...)
	if g := c.get(r.qu.Guidance); g != "" {
		// The guidance (ODRA's: what the openness stars mean) on a line, two on a tall
		// screen; the question's history (h on a row) and the printed instrument have it
		// whole.
		gl := wrapPrefixed(c.t("Guidance: ", "Hướng dẫn: "), g, w)
		n := 1
		if c.height >= 40 {
			n = 2
		}
		for _, l := range clip(gl, n) {
			out = append(out, s.Subtle.Render(l))
		}
	}
	if r.form != nil {
		return strings.Join(clip(append(out, r.form.view(r.height()-len(out))...), r.height()), "\n")
	}

	// Under the table: the scroll position and what the selected row needs.
	var foot []string
	if n == 0 {
		foot = append(foot, s.Faint.Render(cut(c.t("No rows yet: a adds the first one.", "Chưa có dòng nào: a để thêm dòng đầu tiên."), w)))
	}
	var msgs []string
	if r.confirmDel && n > 0 {
		msgs = append(msgs, s.Warning.Render(cut(fmt.Sprintf(c.t("Delete row %d (%s)? y deletes it, any other key keeps it.",
			"Xoá dòng %d (%s)? y để xoá, phím khác để giữ lại."), r.cur+1, r.rowLabel(rows[r.cur])), w)))
	} else if n > 0 {
		row := rows[r.cur]
		if cf, ok := r.iv.rowConflict(r.qu.ID, row.ID); ok {
			for _, l := range wrapPrefixed("! ", fmt.Sprintf(c.t("CONFLICT: row %d has %d versions, made on different devices; the newest is shown. v compares them and settles.",
				"XUNG ĐỘT: dòng %d có %d phiên bản từ các máy khác nhau; đang hiện bản mới nhất. v để so sánh và giải quyết."), r.cur+1, len(cf.Heads)), w) {
				msgs = append(msgs, s.Error.Render(l))
			}
		} else if is := r.iv.q.CheckRow(r.qu, row.Cells, r.iv.st.Answers); len(is) > 0 {
			for _, l := range wrapPrefixed("✗ ", fmt.Sprintf(c.t("row %d: ", "dòng %d: "), r.cur+1)+issueText(c, r.qu, is[0]), w) {
				msgs = append(msgs, s.Error.Render(l))
			}
		}
	}
	if gone := r.deletedConflicts(); len(gone) > 0 {
		msg := c.t("! A deleted row has versions that disagree (deleted on one device, changed on another): V compares them and settles.",
			"! Một dòng đã xoá có các phiên bản không khớp (bị xoá ở máy này, được sửa ở máy khác): V để so sánh và giải quyết.")
		if len(gone) > 1 {
			msg = fmt.Sprintf(c.t("! %d deleted rows have versions that disagree (deleted on one device, changed on another): V compares the first and settles.",
				"! %d dòng đã xoá có các phiên bản không khớp (bị xoá ở máy này, được sửa ở máy khác): V để so sánh dòng đầu và giải quyết."), len(gone))
		}
		for _, l := range wrap(msg, w) {
			msgs = append(msgs, s.Error.Render(l))
		}
	}
	if n > 0 && n < r.qu.MinRows {
		msgs = append(msgs, s.Warning.Render(cut(fmt.Sprintf(c.t("%d of the %d rows needed at least", "mới có %d trong ít nhất %d dòng cần có"), n, r.qu.MinRows), w)))
	}
	msgs = clip(msgs, 3)

	digits := max(2, len(strconv.Itoa(n)))
	lay := r.layout(w, digits)
	chrome := len(out) + 2 + 1 + len(foot) + len(msgs) // header, rule, position line
	h := r.tableRows(chrome)
	r.lastPage = h
	r.top = window(r.cur, n, h, r.top)

	// Header.
	hdr := strings.Repeat(" ", 2+digits) + " "
	for i, l := range headerLabels(c, lay) {
		if i > 0 {
			hdr += " "
		}
		hdr += pad(l, lay[i].w)
	}
	out = append(out, s.Heading.Render(cut(hdr, w)), s.Rule.Render(strings.Repeat("─", w)))

	// The visible rows only.
	end := min(n, r.top+h)
	for i := r.top; i < end; i++ {
		row := rows[i]
		mark := " "
		if _, ok := r.iv.rowConflict(r.qu.ID, row.ID); ok {
			mark = "!"
		} else if len(r.iv.q.CheckRow(r.qu, row.Cells, r.iv.st.Answers)) > 0 {
			mark = "✗"
		}
		cursor := " "
		if i == r.cur {
			cursor = "▸"
		}
		num := fmt.Sprintf("%*d", digits, i+1)
		line := num + " "
		for j, cl := range lay {
			if j > 0 {
				line += " "
			}
			line += pad(cellText(c, cl.col, row.Cells[cl.col.ID]), cl.w)
		}
		line = cut(line, w-2)
		switch {
		case i == r.cur:
			line = s.FocusMark.Render(cursor) + markStyle(c, mark) + s.Selected.Render(pad(line, w-2))
		default:
			line = cursor + markStyle(c, mark) + line
		}
		out = append(out, line)
	}
	for i := end - r.top; i < h && n > 0; i++ {
		out = append(out, "")
	}

	// Position: "rows 41–60 of 200".
	pos := c.t("no rows", "chưa có dòng")
	if n > 0 {
		pos = fmt.Sprintf(c.t("rows %d–%d of %d", "dòng %d–%d / %d"), r.top+1, end, n)
	}
	if r.qu.MaxRows > 0 {
		pos += fmt.Sprintf(c.t(" (at most %d)", " (tối đa %d)"), r.qu.MaxRows)
	}
	switch {
	case r.hidden == 1:
		pos += " · " + c.t("1 more column: enter shows the whole row", "thêm 1 cột: enter để xem cả dòng")
	case r.hidden > 1:
		pos += " · " + fmt.Sprintf(c.t("%d more columns: enter shows the whole row", "thêm %d cột: enter để xem cả dòng"), r.hidden)
	}
	out = append(out, s.Subtle.Render(cut(pos, w)))
	out = append(out, foot...)
	out = append(out, msgs...)
	return strings.Join(clip(out, r.height()), "\n")
}

// headerLabels returns the column labels of the table header, each to be cut to its
// column's width. Labels that would read the same once cut ("Quan trọng với công chúng",
// "Quan trọng cho dịch vụ công" in 6 cells) lose the words they share at the front, marked
// with "…", so that the columns can be told apart; the form shows every label whole.
func headerLabels(c *shared, lay []colLay) []string {
	full := make([]string, len(lay))
	for i, cl := range lay {
		full[i] = c.get(cl.col.Label)
		if cl.col.Required {
			full[i] += "*"
		}
	}
	out := slices.Clone(full)
	// shown is what a cut label still says: "Quan t…" says "Quan t".
	shown := func(j int) string {
		return strings.TrimSpace(strings.TrimSuffix(cut(full[j], lay[j].w), "…"))
	}
	for i := range lay {
		var group []int
		for j := range lay {
			// Two cut labels are ambiguous when what one still says starts what the other
			// says ("Quan t…" and "Quan …" in columns of different widths).
			a, b := shown(i), shown(j)
			if width(full[j]) > lay[j].w && width(full[i]) > lay[i].w && (strings.HasPrefix(a, b) || strings.HasPrefix(b, a)) {
				group = append(group, j)
			}
		}
		if len(group) < 2 {
			continue
		}
		// The words all of the group's labels start with.
		words := strings.Fields(full[group[0]])
		n := len(words)
		for _, j := range group[1:] {
			w := strings.Fields(full[j])
			k := 0
			for k < min(n, len(w)) && w[k] == words[k] {
				k++
			}
			n = k
		}
		if n == 0 {
			continue
		}
		for _, j := range group {
			out[j] = "…" + strings.Join(strings.Fields(full[j])[n:], " ")
		}
	}
	return out
}

func markStyle(c *shared, m string) string {
	switch m {
	case "!", "✗":
		return c.sty.Error.Render(m)
	}
	return m
}

// rowLabel names a row by its first cells, for the delete prompt.
func (r *rosterView) rowLabel(row survey.Row) string {
	var parts []string
	for i := range r.qu.Columns {
		col := &r.qu.Columns[i]
		if t := cellText(r.c, col, row.Cells[col.ID]); t != "" {
			parts = append(parts, t)
		}
		if len(parts) == 2 {
			break
		}
	}
	if len(parts) == 0 {
		return r.c.t("empty", "trống")
	}
	return cut(strings.Join(parts, " · "), 60)
}

// issueText is a cell issue in the user's language, naming the column by its label.
func issueText(c *shared, qu *survey.Question, is survey.CellIssue) string {
	if is.Column == "" {
		return c.get(is.Msg)
	}
	name := is.Column
	if col, ok := qu.Column(is.Column); ok {
		name = c.get(col.Label)
	}
	return name + ": " + c.get(is.Msg)
}

func (r *rosterView) help() keys.Help {
	k, rk := r.c.keys, r.keys()
	if r.form != nil {
		return r.form.help()
	}
	if r.confirmDel {
		return keys.Help{Short: []key.Binding{rk.RowConfirm, k.Back}}
	}
	short := []key.Binding{rk.RowAdd, rk.RowEdit, rk.RowDelete, rk.RowMoveUp, rk.RowMoveDown}
	if !r.iv.editable() {
		short = []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", r.c.t("view row", "xem dòng"))), rk.RowHistory}
	}
	if n := len(r.rows()); n > 0 {
		if _, ok := r.iv.rowConflict(r.qu.ID, r.rows()[r.cur].ID); ok {
			short = append([]key.Binding{rk.RowVersions}, short...)
		}
	}
	if len(r.deletedConflicts()) > 0 {
		short = append([]key.Binding{rk.DeletedVersions}, short...)
	}
	return keys.Help{Short: append(short, k.NextArrow, k.PrevArrow, k.Sections, k.Review),
		Full: [][]key.Binding{
			{rk.RowAdd, rk.RowEdit, rk.RowDelete, rk.RowMoveUp, rk.RowMoveDown, rk.RowVersions, rk.RowHistory, rk.DeletedVersions},
			{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
			{keyAlias("→/←", r.c.t("next/previous", "sau/trước"), "right", "left"),
				keyAlias("ctrl+n/p", r.c.t("next/previous question", "câu sau/trước"), "ctrl+n", "ctrl+p"),
				k.NextUnanswered, k.Jump, k.Sections, k.Summary, k.Review, k.Leave},
		}}
}

// keyAlias is a help entry for keys that the question screen binds elsewhere (on a roster
// PgUp/PgDn scroll the table, so only ctrl+n/ctrl+p change question).
func keyAlias(help, desc string, keys ...string) key.Binding {
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
}

// rowForm edits one row: one field per column, of the column's type.
type rowForm struct {
	r        *rosterView
	rowID    string // "" for a new row
	pos      float64
	readOnly bool
	cur      int
	top      int
	// vals holds the values of the choice, yes/no and stars fields; inputs the text of
	// the text, url and number fields (by column index).
	vals   []any
	inputs []textinput.Model
	orig   map[string]any
	issues []survey.CellIssue
	// changed: something differs from the row as it was opened; confirmDiscard: esc was
	// pressed once on a changed form.
	changed, confirmDiscard bool
	// settles: the form was started from one version of a conflicted row.
	settles bool
	// full is the refusal of a new row by max_rows.
	full *survey.RosterFullError
}

func isTextColumn(t survey.ColumnType) bool {
	return t == survey.ColumnText || t == survey.ColumnURL || t == survey.ColumnNumber
}

func newRowForm(r *rosterView, rowID string, pos float64, cells map[string]any, readOnly bool) *rowForm {
	f := &rowForm{r: r, rowID: rowID, pos: pos, readOnly: readOnly, orig: cells}
	cols := r.qu.Columns
	f.vals = make([]any, len(cols))
	f.inputs = make([]textinput.Model, len(cols))
	for i := range cols {
		col := &cols[i]
		v := cells[col.ID]
		if isTextColumn(col.Type) {
			in := newInput(r.c.sty, 0)
			in.Width = max(10, r.c.width/2)
			in.SetValue(survey.CellString(v))
			f.inputs[i] = in
		} else {
			f.vals[i] = v
		}
	}
	return f
}

func (f *rowForm) col() *survey.Column { return &f.r.qu.Columns[f.cur] }

// typing reports whether the focused field takes letters as text.
func (f *rowForm) typing() bool { return !f.readOnly && isTextColumn(f.col().Type) }

// focusCmd focuses the text input of the current field (blurring the others).
func (f *rowForm) focusCmd() tea.Cmd {
	for i := range f.inputs {
		f.inputs[i].Blur()
	}
	if f.typing() {
		return f.inputs[f.cur].Focus()
	}
	return nil
}

// cells returns the form's values as a row's cells (numbers parsed; text as typed: the
// checks report what is wrong, nothing is dropped).
func (f *rowForm) cells() map[string]any {
	out := map[string]any{}
	for i := range f.r.qu.Columns {
		col := &f.r.qu.Columns[i]
		var v any
		if isTextColumn(col.Type) {
			t := strings.TrimSpace(f.inputs[i].Value())
			switch {
			case t == "":
			case col.Type == survey.ColumnNumber:
				if x, err := strconv.ParseFloat(strings.ReplaceAll(t, ",", "."), 64); err == nil && !math.IsNaN(x) && !math.IsInf(x, 0) {
					v = x
				} else {
					v = t
				}
			default:
				v = t
			}
		} else {
			v = f.vals[i]
		}
		if v != nil {
			out[col.ID] = v
		}
	}
	return out
}

// issueOf returns the issue of column id, if any.
func (f *rowForm) issueOf(id string) (survey.CellIssue, bool) {
	for _, is := range f.issues {
		if is.Column == id {
			return is, true
		}
	}
	return survey.CellIssue{}, false
}

func (f *rowForm) help() keys.Help {
	k, rk := f.r.c.keys, f.r.keys()
	if f.readOnly {
		return keys.Help{Short: []key.Binding{rk.FormCancel, rk.FormNext, rk.RowVersions},
			Full: [][]key.Binding{{rk.FormCancel, rk.FormNext, rk.FormPrev, rk.RowVersions, rk.RowHistory}}}
	}
	var field []key.Binding
	switch f.col().Type {
	case survey.ColumnChoice:
		field = []key.Binding{rk.FormChoose, rk.FormClear}
	case survey.ColumnYesNo:
		field = []key.Binding{rk.FormYesNo, rk.FormClear}
	case survey.ColumnStars:
		field = []key.Binding{rk.FormStars, rk.FormClear}
	}
	short := append([]key.Binding{rk.FormSave, rk.FormCancel, rk.FormNext}, field...)
	return keys.Help{Short: append(short, k.Lang2),
		Full: [][]key.Binding{{rk.FormSave, rk.FormCancel, rk.FormNext, rk.FormPrev}, {rk.FormChoose, rk.FormYesNo, rk.FormStars, rk.FormClear}}}
}

// formKey handles a key in the row form.
func (r *rosterView) formKey(q *questionScreen, m tea.KeyMsg) tea.Cmd {
	f := r.form
	rk := r.keys()
	esc := m.Type == tea.KeyEsc
	if !esc {
		f.confirmDiscard = false
	}
	switch {
	case esc:
		if f.changed && !f.readOnly && !f.confirmDiscard {
			f.confirmDiscard = true
			return notice(survey.T("The row is not saved: enter saves it, esc again drops the changes.",
				"Dòng chưa được lưu: enter để lưu, esc lần nữa để bỏ các thay đổi."), true)
		}
		r.form = nil
		return nil
	case m.Type == tea.KeyTab || m.Type == tea.KeyDown:
		f.cur = (f.cur + 1) % len(f.inputs)
		return f.focusCmd()
	case m.Type == tea.KeyShiftTab || m.Type == tea.KeyUp:
		f.cur = (f.cur - 1 + len(f.inputs)) % len(f.inputs)
		return f.focusCmd()
	case f.readOnly && key.Matches(m, rk.RowVersions) && f.rowID != "":
		t := r.iv.rowTarget(r.qu.ID, f.rowID)
		r.form = nil
		return q.c.post(VersionsMsg{Target: t})
	case f.readOnly && key.Matches(m, rk.RowHistory) && f.rowID != "":
		t := r.iv.rowTarget(r.qu.ID, f.rowID)
		r.form = nil
		return q.c.post(HistoryMsg{Target: t})
	case f.readOnly:
		if _, ok := r.iv.rowConflict(r.qu.ID, f.rowID); ok {
			return r.conflictNotice()
		}
		return q.readOnly()
	case m.Type == tea.KeyEnter:
		return r.saveForm()
	}
	col := f.col()
	i := f.cur
	if isTextColumn(col.Type) {
		before := f.inputs[i].Value()
		var cmd tea.Cmd
		f.inputs[i], cmd = f.inputs[i].Update(m)
		if f.inputs[i].Value() != before {
			f.edited()
		}
		return cmd
	}
	ks := m.String()
	clear := m.Type == tea.KeyBackspace || m.Type == tea.KeyDelete
	var v any = f.vals[i]
	switch col.Type {
	case survey.ColumnChoice:
		no := len(col.Options)
		at := -1
		if s, ok := v.(string); ok {
			for j, o := range col.Options {
				if o.Code == s {
					at = j
				}
			}
		}
		switch {
		case clear:
			v = nil
		case keys.RatingDigit(ks) > 0 && keys.RatingDigit(ks) <= no:
			v = col.Options[keys.RatingDigit(ks)-1].Code
		case m.Type == tea.KeyRight || ks == " ":
			v = col.Options[(at+1)%no].Code
		case m.Type == tea.KeyLeft:
			if at <= 0 {
				at = no
			}
			v = col.Options[at-1].Code
		default:
			return nil
		}
	case survey.ColumnYesNo:
		switch {
		case clear:
			v = nil
		case ks == "y" || ks == "1" || ks == "c": // c: có
			v = true
		case ks == "n" || ks == "2" || ks == "k": // k: không
			v = false
		case ks == " " || m.Type == tea.KeyLeft || m.Type == tea.KeyRight:
			b, _ := v.(bool)
			v = !b
		default:
			return nil
		}
	case survey.ColumnStars:
		cur, _ := v.(float64)
		switch {
		case clear:
			v = nil
		case len(ks) == 1 && ks[0] >= '0' && ks[0] <= '5':
			v = float64(ks[0] - '0')
		case ks == "n" || ks == "/":
			v = survey.StarsNA
		case m.Type == tea.KeyRight:
			v = math.Min(survey.MaxStars, cur+1)
		case m.Type == tea.KeyLeft:
			v = math.Max(0, cur-1)
		default:
			return nil
		}
	}
	f.vals[i] = v
	f.edited()
	return nil
}

// edited marks the form changed and re-checks the field's issues that typing may fix.
func (f *rowForm) edited() {
	f.changed = true
	if len(f.issues) > 0 {
		// Re-check at once, so that a message goes away when its cause is fixed: one row,
		// never the whole roster.
		f.issues = f.r.iv.q.CheckRow(f.r.qu, f.cells(), f.r.iv.st.Answers)
	}
}

// saveForm checks the row and, when it is good, queues it as one change and closes the
// form. A bad row stays in the form with the messages beside its fields: nothing is saved.
func (r *rosterView) saveForm() tea.Cmd {
	f := r.form
	if f.rowID != "" && !f.changed {
		r.form = nil
		return nil
	}
	changes, ok := r.commitForm()
	if !ok {
		msg := survey.T("The row is empty: fill in at least one cell (esc cancels).",
			"Dòng đang trống: hãy nhập ít nhất một ô (esc để huỷ).")
		if n := len(f.issues); n > 0 {
			msg = survey.T(fmt.Sprintf("Not saved: %d problem(s) in this row, shown beside the fields.", n),
				fmt.Sprintf("Chưa lưu: dòng này có %d lỗi, hiện bên cạnh các ô.", n))
		} else if f.full != nil {
			msg = f.full.Text()
		}
		return tea.Batch(f.focusCmd(), notice(msg, true))
	}
	return func() tea.Msg { return SaveMsg{Changes: changes} }
}

// commitForm checks the form's row: when it is good, it records it in the interview,
// closes the form, selects the row and returns its change; when not (an empty row, a
// problem, a full roster), the form stays with its issues and ok is false.
func (r *rosterView) commitForm() (changes []survey.Change, ok bool) {
	f := r.form
	f.full = nil
	norm := survey.RosterRow{Pos: f.pos, Cells: f.cells()}.Normalized()
	if len(norm.Cells) == 0 {
		f.issues = nil
		return nil, false
	}
	f.issues = r.iv.q.CheckRow(r.qu, norm.Cells, r.iv.st.Answers)
	if len(f.issues) > 0 {
		for i := range r.qu.Columns {
			if _, bad := f.issueOf(r.qu.Columns[i].ID); bad {
				f.cur = i
				break
			}
		}
		return nil, false
	}
	rows := r.rows()
	id := f.rowID
	if id == "" {
		if err := r.qu.CheckAddRow(len(rows)); err != nil {
			f.full, _ = err.(*survey.RosterFullError)
			if f.full == nil {
				f.full = &survey.RosterFullError{Question: r.qu.ID, Max: r.qu.MaxRows}
			}
			return nil, false
		}
		id = survey.NewRowID()
		norm.Pos = survey.NextPos(rows)
	}
	t := r.iv.rowTarget(r.qu.ID, id)
	r.iv.putRow(r.qu.ID, id, norm)
	if f.settles {
		// A new row from one version of a conflict: saving it replaces every version.
		r.iv.settled(t, "")
	}
	r.form = nil
	for i, row := range r.rows() {
		if row.ID == id {
			r.cur = i
			break
		}
	}
	return []survey.Change{{Target: t, Value: norm}}, true
}

// view draws the form in at most h lines: a title, one line per field (its message beside
// it, or under it when there is no room), and the row constraint's message.
func (f *rowForm) view(h int) []string {
	c, s := f.r.c, f.r.c.sty
	w := c.width
	n := len(f.r.rows())
	var title string
	switch {
	case f.rowID == "":
		title = fmt.Sprintf(c.t("New row (%d)", "Dòng mới (%d)"), n+1)
	default:
		at := 0
		for i, row := range f.r.rows() {
			if row.ID == f.rowID {
				at = i + 1
				break
			}
		}
		title = fmt.Sprintf(c.t("Row %d of %d", "Dòng %d / %d"), at, n)
	}
	if f.readOnly {
		title += " · " + c.t("read only", "chỉ đọc")
	}
	out := []string{s.Rule.Render(strings.Repeat("─", w)), s.Focused.Render(cut(title, w))}
	lw := 0
	for i := range f.r.qu.Columns {
		lw = max(lw, width(c.get(f.r.qu.Columns[i].Label))+1)
	}
	lw = min(lw, max(10, w/3))
	var fields [][]string
	for i := range f.r.qu.Columns {
		fields = append(fields, f.fieldLines(i, lw, w))
	}
	var tail []string
	if is, ok := f.issueOf(""); ok {
		for _, l := range wrapPrefixed("✗ ", issueText(c, f.r.qu, is), w) {
			tail = append(tail, s.Error.Render(l))
		}
	}
	if f.confirmDiscard {
		tail = append(tail, s.Warning.Render(cut(c.t("esc again drops the changes; enter saves the row.", "esc lần nữa để bỏ thay đổi; enter để lưu dòng."), w)))
	}
	room := max(1, h-len(out)-len(tail))
	// Scroll the fields so that the focused one is in view.
	total := 0
	for _, fl := range fields {
		total += len(fl)
	}
	if total <= room {
		for _, fl := range fields {
			out = append(out, fl...)
		}
	} else {
		f.top = window(f.cur, len(fields), max(1, room/2), f.top)
		used := 0
		for i := f.top; i < len(fields) && used+len(fields[i]) <= room; i++ {
			out = append(out, fields[i]...)
			used += len(fields[i])
		}
	}
	return append(out, tail...)
}

// fieldLines draws field i: its label, its value and its message.
func (f *rowForm) fieldLines(i, lw, w int) []string {
	c, s := f.r.c, f.r.c.sty
	col := &f.r.qu.Columns[i]
	focused := i == f.cur
	label := c.get(col.Label)
	if col.Required {
		label += "*"
	}
	mark := "  "
	if focused {
		mark = s.FocusMark.Render("▸ ")
		label = s.Focused.Render(pad(label, lw))
	} else {
		label = s.Heading.Render(pad(label, lw))
	}
	var val string
	switch col.Type {
	case survey.ColumnText, survey.ColumnURL, survey.ColumnNumber:
		if focused && !f.readOnly {
			f.inputs[i].Width = max(10, w-lw-4-20)
			val = "[" + f.inputs[i].View() + "]"
		} else if v := f.inputs[i].Value(); v != "" {
			val = v
		} else {
			val = s.Faint.Render("—")
		}
		if col.Type == survey.ColumnNumber && (col.Min != nil || col.Max != nil) {
			var b []string
			if col.Min != nil {
				b = append(b, "≥ "+strconv.FormatFloat(*col.Min, 'f', -1, 64))
			}
			if col.Max != nil {
				b = append(b, "≤ "+strconv.FormatFloat(*col.Max, 'f', -1, 64))
			}
			val += s.Subtle.Render(" (" + strings.Join(b, ", ") + ")")
		}
		if col.Type == survey.ColumnURL && focused && f.inputs[i].Value() == "" {
			val += s.Subtle.Render(" (https://…)")
		}
	case survey.ColumnChoice:
		var parts []string
		for j, o := range col.Options {
			t := fmt.Sprintf("%d %s", j+1, c.get(o.Label))
			if code, ok := f.vals[i].(string); ok && code == o.Code {
				t = "[" + t + "]"
				if focused {
					t = s.Selected.Render(t)
				}
			} else {
				t = " " + t + " "
			}
			parts = append(parts, t)
		}
		val = strings.Join(parts, "")
	case survey.ColumnYesNo:
		yes, no := " "+c.t("Yes", "Có")+" ", " "+c.t("No", "Không")+" "
		if b, ok := f.vals[i].(bool); ok {
			if b {
				yes = "[" + c.t("Yes", "Có") + "]"
			} else {
				no = "[" + c.t("No", "Không") + "]"
			}
		}
		val = yes + " " + no
	case survey.ColumnStars:
		if f.vals[i] == nil {
			val = s.Faint.Render("— (0–5, n = N/A)")
		} else {
			val = survey.StarsText(f.vals[i])
		}
	}
	line := mark + label + " " + val
	is, bad := f.issueOf(col.ID)
	if !bad {
		return []string{cut(line, w)}
	}
	msg := "✗ " + c.get(is.Msg)
	if width(line)+2+width(msg) <= w {
		return []string{line + "  " + s.Error.Render(msg)}
	}
	out := []string{cut(line, w)}
	for _, l := range wrapPrefixed(strings.Repeat(" ", lw+3)+"✗ ", c.get(is.Msg), w) {
		out = append(out, s.Error.Render(l))
	}
	return out
}

// rosterKey routes a key of a roster question: the form and the delete prompt take every
// key; the table's keys (PgUp/PgDn scroll it rather than change question, v and h are the
// selected row's) go to the table; the keys of the elements a roster does not have
// (comment, evidence, probes, tab) do nothing. ok is false for the keys the question
// screen handles as on any question (→/←, ctrl+n/ctrl+p, u, g, s, o, r, esc).
func (q *questionScreen) rosterKey(m tea.KeyMsg) (tea.Cmd, bool) {
	r := q.ro
	k, rk := q.c.keys, r.keys()
	if r.form != nil || r.confirmDel {
		return r.key(q, m), true
	}
	for _, b := range []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom,
		rk.RowAdd, rk.RowEdit, rk.RowDelete, rk.RowMoveUp, rk.RowMoveDown, rk.RowVersions, rk.RowHistory, rk.DeletedVersions} {
		if key.Matches(m, b) {
			return r.key(q, m), true
		}
	}
	for _, b := range []key.Binding{k.Comment, k.Evidence, k.Probes, k.FocusNext, k.FocusPrev} {
		if key.Matches(m, b) {
			return nil, true
		}
	}
	return nil, false
}

// flushForm queues the row being edited when it is good (leaving the screen, quitting),
// closing its form; a bad row stays in the form and nothing is returned.
func (r *rosterView) flushForm() []survey.Change {
	f := r.form
	if f == nil || !f.changed || f.readOnly {
		return nil
	}
	ch, ok := r.commitForm()
	if !ok {
		return nil
	}
	return ch
}

// unsaved warns of a roster row being edited that cannot be saved as it is (unsavedInput).
func (q *questionScreen) unsaved() survey.Text {
	if !q.unsavedRow() {
		return nil
	}
	return survey.T("The row being edited is not saved: it has problems (shown beside its fields). Fix them and press enter, or press ctrl+c again to quit and drop it.",
		"Dòng đang sửa chưa được lưu vì còn lỗi (hiện bên cạnh các ô). Sửa rồi nhấn enter, hoặc nhấn ctrl+c lần nữa để thoát và bỏ nó.")
}

// unsavedRow reports whether the roster's form holds changes that cannot be saved as they
// are (a bad row): quitting would drop them.
func (q *questionScreen) unsavedRow() bool {
	if q == nil || q.ro == nil || q.ro.form == nil {
		return false
	}
	f := q.ro.form
	if !f.changed || f.readOnly {
		return false
	}
	cells := survey.RosterRow{Pos: f.pos, Cells: f.cells()}.Normalized().Cells
	return len(cells) == 0 || len(q.iv.q.CheckRow(q.qu, cells, q.iv.st.Answers)) > 0
}

// editFrom opens the form of row rowID with the cells of one version of its conflict:
// saving it (enter, once it is good) writes a new row that replaces every version.
func (r *rosterView) editFrom(rowID string, v survey.RosterRow, side int) tea.Cmd {
	pos := v.Pos
	for i, row := range r.rows() {
		if row.ID == rowID {
			r.cur = i
			if pos == 0 {
				pos = row.Pos
			}
		}
	}
	if pos == 0 {
		pos = survey.NextPos(r.rows())
	}
	r.confirmDel = false
	r.form = newRowForm(r, rowID, pos, v.Cells, false)
	r.form.changed, r.form.settles = true, true
	return tea.Batch(r.form.focusCmd(), notice(survey.T(
		fmt.Sprintf("A new row from version %d: change what is needed; enter saves it and settles the conflict.", side),
		fmt.Sprintf("Dòng mới từ phiên bản %d: sửa những gì cần sửa; enter để lưu và giải quyết xung đột.", side)), false))
}
