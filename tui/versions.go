package tui

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/tui/keys"
)

// The messages of the versions and history views. Screens send them upward; the root opens
// the views, writes the settlement and goes back.
type (
	// VersionsMsg asks the root to show the versions of conflicted target T side by side.
	VersionsMsg struct{ Target survey.Target }
	// HistoryMsg asks the root to show the history of target T.
	HistoryMsg struct{ Target survey.Target }
	// SettleMsg asks the root to settle target T by taking Side (from 1) of the versions
	// shown, whose ids are Seen.
	SettleMsg struct {
		Target survey.Target
		Side   int
		Value  json.RawMessage
		Seen   []string
	}
	// EditFromMsg asks the root to open the editor of target T with Value (the version
	// Side) as a new answer: saving it settles the conflict.
	EditFromMsg struct {
		Target survey.Target
		Side   int
		Value  json.RawMessage
	}
	// BackMsg closes the versions or history view.
	BackMsg struct{}
)

// minSideWidth is the narrowest column a version is shown in side by side; narrower, the
// versions are shown one above the other.
const minSideWidth = 34

// versionsScreen shows every version (head) of a conflicted answer or section summary:
// author, device, time, rating, comment and evidence, side by side when they fit (two at 80
// columns), otherwise one above the other, scrolled with ↑/↓. 1–9 take a version as it is,
// enter the selected one, e starts a new answer from the selected one in the usual editor;
// when this home's role may not settle the interview, the view is read-only and says why.
type versionsScreen struct {
	c      *shared
	iv     *interview
	t      survey.Target
	heads  []survey.Revision
	cur    int
	scroll int
	deny   error // why this home may not settle it (nil: it may)
}

func newVersionsScreen(c *shared, iv *interview, cf survey.Conflict) *versionsScreen {
	v := &versionsScreen{c: c, iv: iv, t: cf.Target, heads: cf.Heads}
	v.deny = survey.CheckSettle(iv.role, iv.st.Status.Status, cf.Target.Kind)
	return v
}

func (v *versionsScreen) Init() tea.Cmd          { return nil }
func (v *versionsScreen) Typing() bool           { return false }
func (v *versionsScreen) Dirty() bool            { return false }
func (v *versionsScreen) Flush() []survey.Change { return nil }

func (v *versionsScreen) Help() keys.Help {
	k := v.c.keys
	scroll := []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown}
	if v.deny != nil {
		return keys.Help{Short: []key.Binding{k.SideNext, k.Up, k.Down, k.History, k.Back},
			Full: [][]key.Binding{{k.SidePrev, k.SideNext, k.History}, scroll}}
	}
	take := key.NewBinding(key.WithKeys(k.TakeSide.Keys()...), key.WithHelp(fmt.Sprintf("1-%d", len(v.heads)), k.TakeSide.Help().Desc))
	return keys.Help{Short: []key.Binding{take, k.EditSide, k.SideNext, k.History, k.Back},
		Full: [][]key.Binding{{take, k.TakeSelected, k.EditSide}, {k.SidePrev, k.SideNext, k.History}, scroll}}
}

func (v *versionsScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if m, ok := msg.(tea.KeyMsg); ok {
		return v, v.key(m)
	}
	return v, nil
}

func (v *versionsScreen) key(m tea.KeyMsg) tea.Cmd {
	k := v.c.keys
	n := len(v.heads)
	switch {
	case key.Matches(m, k.Back):
		return v.c.post(BackMsg{})
	case key.Matches(m, k.SideNext):
		v.cur = (v.cur + 1) % n
		v.reveal()
	case key.Matches(m, k.SidePrev):
		v.cur = (v.cur - 1 + n) % n
		v.reveal()
	case key.Matches(m, k.Up):
		v.scroll = max(0, v.scroll-1)
	case key.Matches(m, k.Down):
		v.scroll++
	case key.Matches(m, k.PageUp):
		v.scroll = max(0, v.scroll-v.bodyRows())
	case key.Matches(m, k.PageDown):
		v.scroll += v.bodyRows()
	case key.Matches(m, k.History):
		t := v.t
		return v.c.post(HistoryMsg{Target: t})
	case key.Matches(m, k.TakeSelected):
		return v.take(v.cur + 1)
	case key.Matches(m, k.EditSide):
		if v.deny != nil {
			return v.denied()
		}
		side, t, val := v.cur+1, v.t, v.heads[v.cur].Value
		return v.c.post(EditFromMsg{Target: t, Side: side, Value: val})
	default:
		if d := keys.RatingDigit(m.String()); d > 0 {
			if d > n {
				return notice(survey.T(fmt.Sprintf("There is no version %d: there are %d.", d, n),
					fmt.Sprintf("Không có phiên bản %d: chỉ có %d.", d, n)), true)
			}
			return v.take(d)
		}
	}
	return nil
}

func (v *versionsScreen) denied() tea.Cmd {
	var re *survey.RuleError
	msg := survey.T(v.deny.Error(), v.deny.Error())
	if errors.As(v.deny, &re) {
		msg = re.Text()
	}
	return notice(survey.T("Read only: "+msg.Get(survey.LangEN), "Chỉ đọc: "+msg.Get(survey.LangVI)), true)
}

// take asks the root to settle the conflict with version side as it is.
func (v *versionsScreen) take(side int) tea.Cmd {
	if v.deny != nil {
		return v.denied()
	}
	seen := make([]string, len(v.heads))
	for i, h := range v.heads {
		seen[i] = h.ID
	}
	t, val := v.t, v.heads[side-1].Value
	return func() tea.Msg { return SettleMsg{Target: t, Side: side, Value: val, Seen: seen} }
}

// what names the target: "answer 7.1 — …" or "overall rating of section 7 — …".
func (v *versionsScreen) what() string {
	return v.c.get(survey.TargetText(v.iv.q, v.t))
}

// header is the title, the rule and what may be done.
func (v *versionsScreen) header() []string {
	c, s := v.c, v.c.sty
	w := c.width
	count := fmt.Sprintf(c.t("%d versions", "%d phiên bản"), len(v.heads))
	title := c.t("Versions of ", "Các phiên bản của ") + v.what()
	out := []string{
		pad(s.Heading.Render(cut(title, w-width(count)-2)), w-width(count)-1) + " " + s.Subtle.Render(count),
		s.Rule.Render(strings.Repeat("─", w)),
	}
	warn := c.t("! Made independently on different devices. Nothing is lost: every version stays in the history (h).",
		"! Được sửa độc lập trên các máy khác nhau. Không mất gì: mọi phiên bản vẫn còn trong lịch sử (h).")
	for _, l := range wrap(warn, w) {
		out = append(out, s.Warning.Render(l))
	}
	if v.deny != nil {
		var re *survey.RuleError
		reason := v.deny.Error()
		if errors.As(v.deny, &re) {
			reason = c.get(re.Text())
		}
		for _, l := range wrapPrefixed(c.t("Read only: ", "Chỉ đọc: "), reason, w) {
			out = append(out, s.Error.Render(l))
		}
	} else {
		how := fmt.Sprintf(c.t("1–%d or enter take a version as it is; e starts a new answer from the selected one (saving it settles the conflict).",
			"1–%d hoặc enter chọn nguyên một phiên bản; e bắt đầu câu trả lời mới từ phiên bản đang chọn (lưu lại là giải quyết xung đột)."), len(v.heads))
		for _, l := range wrap(how, w) {
			out = append(out, s.Subtle.Render(l))
		}
	}
	return out
}

func (v *versionsScreen) bodyRows() int { return max(1, v.c.bodyHeight()-len(v.header())) }

// sideBySide reports whether the versions fit side by side, and the column width.
func (v *versionsScreen) sideBySide() (bool, int) {
	n := len(v.heads)
	cw := (v.c.width - 3*(n-1)) / n
	return cw >= minSideWidth, cw
}

// reveal scrolls so that the selected version's heading is in view (stacked layout).
func (v *versionsScreen) reveal() {
	if ok, _ := v.sideBySide(); ok {
		return
	}
	_, starts := v.stacked()
	top := starts[v.cur]
	if top < v.scroll || top >= v.scroll+v.bodyRows() {
		v.scroll = top
	}
}

// differs reports, per field, whether the versions disagree on it.
func (v *versionsScreen) differs() map[string]bool {
	vals := map[string][]string{}
	if v.t.Kind == survey.KindRow {
		// A roster row: cell by cell (keyed "cell:COLUMN"), and whether it is deleted.
		for _, h := range v.heads {
			var row survey.RosterRow
			_ = json.Unmarshal(h.Value, &row)
			row = row.Normalized()
			vals["deleted"] = append(vals["deleted"], strconv.FormatBool(row.IsEmpty()))
			for _, c := range v.rowColumns() {
				vals["cell:"+c.ID] = append(vals["cell:"+c.ID], survey.CellString(row.Cells[c.ID]))
			}
		}
	}
	for _, h := range v.heads {
		var m map[string]json.RawMessage
		_ = json.Unmarshal(h.Value, &m)
		for _, f := range []string{"rating", "value", "comment", "evidence", "probes"} {
			vals[f] = append(vals[f], string(m[f]))
		}
	}
	out := map[string]bool{}
	for f, vs := range vals {
		out[f] = slices.ContainsFunc(vs, func(x string) bool { return x != vs[0] })
	}
	return out
}

// side draws version i in a column w wide.
func (v *versionsScreen) side(i, w int, diff map[string]bool) []string {
	c, s := v.c, v.c.sty
	h := v.heads[i]
	who := h.Author
	if who == "" {
		who = "–"
	}
	head := fmt.Sprintf("[%d] %s", i+1, who)
	if i == v.cur {
		head = s.FocusMark.Render("▸ ") + s.Selected.Render(cut(head, w-2))
	} else {
		head = "  " + s.Heading.Render(cut(head, w-2))
	}
	device := c.t("device ", "thiết bị ") + h.Device
	if c.opts.IsServer != nil && c.opts.IsServer(h.Device) {
		device = c.t("the server ", "máy chủ ") + h.Device
	}
	out := []string{head, "  " + s.Subtle.Render(cut(device, w-2)), "  " + s.Subtle.Render(h.Time.Local().Format("02/01/2006 15:04"))}
	label := func(field, en, vi string) string {
		mark := "  "
		if diff[field] {
			mark = s.Warning.Render("≠ ")
		}
		return mark + s.Heading.Render(c.t(en, vi))
	}
	text := func(t string) []string {
		if strings.TrimSpace(t) == "" {
			return []string{"    " + s.Faint.Render("—")}
		}
		return wrapPrefixed("    ", t, w)
	}
	switch v.t.Kind {
	case survey.KindAnswer:
		var a survey.Answer
		if err := json.Unmarshal(h.Value, &a); err != nil {
			return append(out, s.Error.Render(cut(err.Error(), w)))
		}
		qu, _ := v.iv.q.Question(v.t.Key)
		if qu == nil || qu.Type == survey.TypeRating {
			sc := survey.ReadinessScale()
			if qu != nil {
				sc = v.iv.q.ScaleOf(qu)
			}
			out = append(out, label("rating", "Rating: ", "Mức đánh giá: ")+s.RatingCode(sc, a.Rating, c.lang))
		} else {
			val := s.Faint.Render("—")
			if a.HasValue() {
				val = valueSummary(c, qu, a.Value)
			}
			out = append(out, cut(label("value", "Answer: ", "Trả lời: ")+val, w))
		}
		out = append(out, label("comment", "Comment:", "Nhận xét:"))
		out = append(out, text(a.Comment)...)
		if qu == nil || qu.Type == survey.TypeRating {
			out = append(out, label("evidence", fmt.Sprintf("Evidence (%d):", len(a.Evidence)), fmt.Sprintf("Bằng chứng (%d):", len(a.Evidence))))
			for _, e := range a.Evidence {
				out = append(out, evidenceLines(c, e, w)...)
			}
		}
		if len(a.Probes) > 0 {
			out = append(out, cut(label("probes", "Probes asked: ", "Câu gợi ý đã hỏi: ")+strings.Join(a.Probes, ", "), w))
		}
	case survey.KindRow:
		var row survey.RosterRow
		if err := json.Unmarshal(h.Value, &row); err != nil {
			return append(out, s.Error.Render(cut(err.Error(), w)))
		}
		if row = row.Normalized(); row.IsEmpty() {
			out = append(out, label("deleted", "Row deleted", "Dòng đã bị xoá"))
			break
		}
		for _, col := range v.rowColumns() {
			val := col.CellText(row.Cells[col.ID], c.lang)
			if val == "" {
				val = s.Faint.Render("—")
			}
			out = append(out, cut(label("cell:"+col.ID, c.get(col.Label)+": ", c.get(col.Label)+": ")+val, w))
		}
	case survey.KindSection:
		var sum survey.SectionSummary
		if err := json.Unmarshal(h.Value, &sum); err != nil {
			return append(out, s.Error.Render(cut(err.Error(), w)))
		}
		sc := survey.ReadinessScale()
		if sec, ok := v.iv.q.Section(v.t.Key); ok {
			sc = v.iv.q.SectionScale(sec)
		}
		out = append(out, label("rating", "Overall rating: ", "Đánh giá chung: ")+s.RatingCode(sc, sum.Rating, c.lang))
		out = append(out, label("comment", "Overall comment:", "Nhận xét chung:"))
		out = append(out, text(sum.Comment)...)
	}
	for j := range out {
		out[j] = cut(out[j], w)
	}
	return out
}

// evidenceLines draws one evidence item whole, wrapped, with its sign in front.
func evidenceLines(c *shared, e survey.Evidence, w int) []string {
	txt := e.Text
	if e.Source != "" {
		txt += " — " + e.Source
	}
	if !e.InScope {
		note := c.t("out of scope", "ngoài phạm vi")
		if e.Note != "" {
			note += ": " + e.Note
		}
		txt += " (" + note + ")"
	}
	ls := wrapPrefixed("    ", txt, w)
	ls[0] = "  " + c.polarity(e.Polarity) + " " + strings.TrimPrefix(ls[0], "    ")
	return ls
}

// stacked draws the versions one above the other and returns where each begins.
func (v *versionsScreen) stacked() ([]string, []int) {
	diff := v.differs()
	var out []string
	var starts []int
	for i := range v.heads {
		if i > 0 {
			out = append(out, v.c.sty.Rule.Render(strings.Repeat("┄", v.c.width)))
		}
		starts = append(starts, len(out))
		out = append(out, v.side(i, v.c.width, diff)...)
	}
	return out, starts
}

func (v *versionsScreen) View() string {
	c, s := v.c, v.c.sty
	out := v.header()
	var body []string
	if ok, cw := v.sideBySide(); ok {
		diff := v.differs()
		cols := make([][]string, len(v.heads))
		rows := 0
		for i := range v.heads {
			cols[i] = v.side(i, cw, diff)
			rows = max(rows, len(cols[i]))
		}
		sep := s.Rule.Render(" │ ")
		for r := range rows {
			var line strings.Builder
			for i, col := range cols {
				cell := ""
				if r < len(col) {
					cell = col[r]
				}
				if i > 0 {
					line.WriteString(sep)
				}
				if i < len(cols)-1 {
					cell = pad(cell, cw)
				}
				line.WriteString(cell)
			}
			body = append(body, strings.TrimRight(line.String(), " "))
		}
	} else {
		body, _ = v.stacked()
	}
	room := v.bodyRows()
	if len(body) <= room {
		v.scroll = 0
		return strings.Join(append(out, body...), "\n")
	}
	v.scroll = max(0, min(v.scroll, len(body)-room))
	shown := slices.Clone(body[v.scroll : v.scroll+room])
	more := c.t("↑/↓ scroll", "↑/↓ để cuộn")
	if v.scroll+room < len(body) {
		shown[room-1] = s.Faint.Render(cut(fmt.Sprintf(c.t("… %d more lines below (%s)", "… còn %d dòng bên dưới (%s)"), len(body)-v.scroll-room+1, more), c.width))
	} else if v.scroll > 0 {
		shown[0] = s.Faint.Render(cut(fmt.Sprintf(c.t("… %d lines above (%s)", "… %d dòng phía trên (%s)"), v.scroll+1, more), c.width))
	}
	return strings.Join(append(out, shown...), "\n")
}

// rowColumns returns the columns of the roster a row target belongs to (none when the
// questionnaire has no such roster).
func (v *versionsScreen) rowColumns() []survey.Column {
	qid, _, ok := survey.SplitRowKey(v.t.Key)
	if !ok {
		return nil
	}
	qu, ok := v.iv.q.Question(qid)
	if !ok {
		return nil
	}
	return qu.Columns
}
