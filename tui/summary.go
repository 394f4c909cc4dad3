package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/tui/keys"
	"github.com/fieldsurvey/fieldsurvey/tui/session"
)

// summaryScreen is the end of a section: the published-assessment table (question |
// rating | comment), the suggested overall rating, and the assessor's confirmed or
// overridden rating with an overall comment.
type summaryScreen struct {
	c       *shared
	iv      *interview
	si      int
	sec     *survey.Section
	draft   survey.SectionSummary
	focus   int // 0 rating, 1 comment
	editing bool
	comment textField
	dirty   bool
	editSeq int
	scroll  int
}

func newSummaryScreen(c *shared, iv *interview) *summaryScreen {
	s := &summaryScreen{c: c, iv: iv, comment: newTextField(c.sty)}
	s.comment.Placeholder = c.t("why this overall rating", "lý do của đánh giá chung")
	s.resize()
	return s
}

func (s *summaryScreen) Init() tea.Cmd { return nil }

func (s *summaryScreen) show(sid string) tea.Cmd {
	si, ok := s.iv.secIndex[sid]
	if !ok {
		return nil
	}
	s.si, s.sec = si, s.iv.q.Sections[si]
	s.draft = s.iv.st.Sections[sid]
	s.comment.SetValue(s.draft.Comment)
	s.comment.Blur()
	s.focus, s.editing, s.dirty, s.scroll = 0, false, false, 0
	return nil
}

func (s *summaryScreen) Typing() bool { return s.editing }
func (s *summaryScreen) Dirty() bool  { return s.dirty }

func (s *summaryScreen) Flush() []survey.Change {
	if !s.dirty || s.sec == nil {
		return nil
	}
	return []survey.Change{s.record()}
}

func (s *summaryScreen) record() survey.Change {
	s.draft.Comment = s.comment.Value()
	s.dirty = false
	ch := session.SectionChange(s.iv.st.ID, s.sec.ID, s.draft)
	sum := ch.Value.(survey.SectionSummary)
	if sum == (survey.SectionSummary{}) {
		delete(s.iv.st.Sections, s.sec.ID)
	} else {
		s.iv.st.Sections[s.sec.ID] = sum
	}
	// The change replaces every version: a conflict of the summary is settled by it.
	s.iv.settled(s.iv.sectionTarget(s.sec.ID), "")
	return ch
}

// editFrom starts a new overall rating and comment from version side of a conflict: marked
// unsaved, saved (settling the conflict) after the pause like typed text; the comment
// opens for typing.
func (s *summaryScreen) editFrom(sum survey.SectionSummary, side int) tea.Cmd {
	s.draft = sum
	s.comment.SetValue(sum.Comment)
	s.dirty = true
	s.editSeq++
	seq := s.editSeq
	tick := tea.Tick(s.c.opts.CommitDelay, func(time.Time) tea.Msg { return textIdleMsg{seq: seq} })
	return tea.Batch(tick, s.editComment(), notice(survey.T(
		fmt.Sprintf("A new overall rating from version %d: change what is needed; saving it settles the conflict.", side),
		fmt.Sprintf("Đánh giá chung mới từ phiên bản %d: sửa những gì cần sửa; khi lưu, xung đột được giải quyết.", side)), false))
}

func (s *summaryScreen) commit() tea.Cmd {
	ch := s.record()
	return func() tea.Msg { return SaveMsg{Changes: []survey.Change{ch}} }
}

func (s *summaryScreen) resize() {
	s.comment.SetWidth(s.c.width - 2)
	h := 3
	if s.c.height >= 40 {
		h = 5
	}
	s.comment.SetHeight(h)
}

func (s *summaryScreen) Help() keys.Help {
	k := s.c.keys
	if s.editing {
		return keys.Help{Short: []key.Binding{k.Done, k.NextField, k.Next, k.Prev, k.Lang2}}
	}
	// The keys of this section's scale (1-3 and U on ODRA 3.1.1), as the question screen
	// names them, not the DGRA's 1-5.
	if !s.sec.HasOverall() {
		// A plain section (overall: false): its answers only, nothing to rate.
		nav := []key.Binding{k.Next, k.Prev, k.Jump, k.Sections, k.Review, k.Up, k.Down, k.Leave}
		return keys.Help{Short: []key.Binding{k.NextArrow, k.PrevArrow, k.Review, k.Sections},
			Full: [][]key.Binding{nav, {k.History}}}
	}
	rate := []key.Binding{k.AcceptSuggestion}
	for _, b := range scaleKeys(s.c, s.iv.q.SectionScale(s.sec)) {
		if ks := b.Keys(); len(ks) == 1 && ks[0] == "0" {
			b = k.NotAssessed // "0/n": n clears the overall rating here too
		}
		rate = append(rate, b)
	}
	rate = append(rate, k.Comment)
	nav := []key.Binding{k.Next, k.Prev, k.Jump, k.Sections, k.Review, k.Up, k.Down, k.Leave}
	short := append([]key.Binding{}, rate...)
	if s.focus == 1 {
		short = []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", s.c.t("edit", "sửa"))), k.FocusNext}
	}
	if _, ok := s.iv.conflict(s.iv.sectionTarget(s.sec.ID)); ok {
		short = append([]key.Binding{k.Versions}, short...)
	}
	short = append(short, k.NextArrow, k.PrevArrow, k.Review)
	return keys.Help{Short: short, Full: [][]key.Binding{rate, nav, {k.FocusNext, k.FocusPrev, k.Versions, k.History}}}
}

func (s *summaryScreen) suggestion() (survey.Suggestion, bool) {
	return s.iv.q.Suggest(s.sec, s.iv.st.Answers)
}

func (s *summaryScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch m := msg.(type) {
	case tea.WindowSizeMsg:
		s.resize()
	case textIdleMsg:
		if m.seq == s.editSeq && s.dirty {
			return s, s.commit()
		}
	case tea.KeyMsg:
		return s, s.key(m)
	}
	return s, nil
}

func (s *summaryScreen) next() tea.Cmd {
	for si := s.si + 1; si < len(s.iv.q.Sections); si++ {
		if i := s.iv.firstIn(si); i >= 0 {
			return s.c.gotoQ(s.iv.order[i].ID)
		}
		return s.c.gotoS(s.iv.q.Sections[si].ID)
	}
	return s.c.post(GotoMsg{Place: session.Place{Review: true}})
}

func (s *summaryScreen) prev() tea.Cmd {
	if i := s.iv.lastIn(s.si); i >= 0 {
		return s.c.gotoQ(s.iv.order[i].ID)
	}
	if s.si > 0 {
		return s.c.gotoS(s.iv.q.Sections[s.si-1].ID)
	}
	return nil
}

func (s *summaryScreen) stopEditing() tea.Cmd {
	s.editing = false
	s.comment.Blur()
	if s.dirty {
		return s.commit()
	}
	return nil
}

func (s *summaryScreen) editComment() tea.Cmd {
	if !s.iv.editable() {
		return s.readOnly()
	}
	s.focus, s.editing = 1, true
	return s.comment.Focus()
}

func (s *summaryScreen) readOnly() tea.Cmd {
	return notice(survey.T("This interview is "+string(s.iv.st.Status.Status)+": to change it, open the review (r) and reopen it (R).",
		"Phỏng vấn này "+s.iv.st.Status.Status.Label().Get(survey.LangVI)+": để sửa, mở phần xem lại (r) và mở lại (R)."), false)
}

func (s *summaryScreen) key(m tea.KeyMsg) tea.Cmd {
	k := s.c.keys
	if !s.sec.HasOverall() {
		return s.plainKey(m)
	}
	switch {
	case key.Matches(m, k.Next):
		return tea.Batch(s.stopEditing(), s.next())
	case key.Matches(m, k.Prev):
		return tea.Batch(s.stopEditing(), s.prev())
	case key.Matches(m, k.FocusNext), key.Matches(m, k.FocusPrev):
		if s.focus == 1 {
			s.focus = 0
			return s.stopEditing()
		}
		return s.editComment()
	}
	if s.editing {
		if m.Type == tea.KeyEsc {
			return s.stopEditing()
		}
		before := s.comment.Value()
		var cmd tea.Cmd
		s.comment, cmd = s.comment.Update(m)
		if s.comment.Value() != before {
			s.dirty = true
			s.editSeq++
			seq := s.editSeq
			return tea.Batch(cmd, tea.Tick(s.c.opts.CommitDelay, func(time.Time) tea.Msg { return textIdleMsg{seq: seq} }))
		}
		return cmd
	}
	switch {
	case key.Matches(m, k.NextArrow):
		return s.next()
	case key.Matches(m, k.PrevArrow):
		return s.prev()
	case key.Matches(m, k.Back):
		return s.c.leave()
	case key.Matches(m, k.Sections):
		return s.c.post(GotoMsg{Place: session.Place{Section: sectionsList}})
	case key.Matches(m, k.Review):
		return s.c.post(GotoMsg{Place: session.Place{Review: true}})
	case key.Matches(m, k.NextUnanswered):
		if n := s.iv.nextUnanswered(max(0, s.iv.secEnd[s.si]-1)); n >= 0 {
			return s.c.gotoQ(s.iv.order[n].ID)
		}
		return nil
	case key.Matches(m, k.Comment):
		return s.editComment()
	case key.Matches(m, k.Jump):
		return s.c.post(jumpMsg{})
	case key.Matches(m, k.Versions):
		t := s.iv.sectionTarget(s.sec.ID)
		return s.c.post(VersionsMsg{Target: t})
	case key.Matches(m, k.History):
		t := s.iv.sectionTarget(s.sec.ID)
		return s.c.post(HistoryMsg{Target: t})
	case key.Matches(m, k.Up):
		s.scroll = max(0, s.scroll-1)
		return nil
	case key.Matches(m, k.Down):
		s.scroll++
		return nil
	case s.focus == 1 && m.Type == tea.KeyEnter:
		return s.editComment()
	case key.Matches(m, k.AcceptSuggestion):
		sg, ok := s.suggestion()
		if !ok {
			return notice(survey.T("No suggestion: no question of this section has a counted rating yet. Choose a rating with 1–5, 0 or d.",
				"Chưa có gợi ý: chưa câu nào trong phần này có mức đánh giá được tính. Chọn mức bằng 1–5, 0 hoặc d."), false)
		}
		return s.rate(sg.Rating)
	case key.Matches(m, k.ClearRating):
		return s.rate("")
	}
	if code := ratingForKey(s.iv.q.SectionScale(s.sec), m.String()); code != "" {
		return s.rate(code)
	}
	return nil
}

// plainKey handles a key on the summary of a section with overall: false: moving on and
// scrolling; there is no rating or comment to set.
func (s *summaryScreen) plainKey(m tea.KeyMsg) tea.Cmd {
	k := s.c.keys
	switch {
	case key.Matches(m, k.Next), key.Matches(m, k.NextArrow):
		return s.next()
	case key.Matches(m, k.Prev), key.Matches(m, k.PrevArrow):
		return s.prev()
	case key.Matches(m, k.Back):
		return s.c.leave()
	case key.Matches(m, k.Sections):
		return s.c.post(GotoMsg{Place: session.Place{Section: sectionsList}})
	case key.Matches(m, k.Review):
		return s.c.post(GotoMsg{Place: session.Place{Review: true}})
	case key.Matches(m, k.NextUnanswered):
		if n := s.iv.nextUnanswered(max(0, s.iv.secEnd[s.si]-1)); n >= 0 {
			return s.c.gotoQ(s.iv.order[n].ID)
		}
	case key.Matches(m, k.Jump):
		return s.c.post(jumpMsg{})
	case key.Matches(m, k.Up):
		s.scroll = max(0, s.scroll-1)
	case key.Matches(m, k.Down):
		s.scroll++
	}
	return nil
}

func (s *summaryScreen) rate(code survey.Code) tea.Cmd {
	if !s.iv.editable() {
		return s.readOnly()
	}
	if s.draft.Rating == code {
		return nil
	}
	s.draft.Rating = code
	s.focus = 0
	cmd := s.commit()
	if code != "" && strings.TrimSpace(s.comment.Value()) == "" {
		// The methodology wants every overall rating explained: go to the comment.
		return tea.Batch(cmd, s.editComment())
	}
	return cmd
}

func (s *summaryScreen) View() string {
	if s.sec == nil {
		return ""
	}
	c, st := s.c, s.c.sty
	w := c.width
	iv := s.iv
	sc := iv.q.SectionScale(s.sec)
	what := c.t("overall", "đánh giá chung")
	if !s.sec.HasOverall() {
		what = c.t("answers", "các câu trả lời")
	}
	title := fmt.Sprintf("%s %d/%d · %s — %s", c.t("Section", "Phần"), s.si+1, len(iv.q.Sections),
		c.get(s.sec.Title), what)
	prog := progressText(c, iv.secAns[s.si], iv.secAtt[s.si], iv.secTot[s.si])
	top := []string{
		pad(st.Heading.Render(cut(title, w-width(prog)-2)), w-width(prog)-1) + " " + st.Subtle.Render(prog),
		st.Rule.Render(strings.Repeat("─", w)),
	}

	// The table.
	cq := 6
	wide := w >= 110
	if wide {
		cq = 40
	}
	cr := 20
	cc := max(10, w-cq-cr-4)
	qh := c.t("No.", "Câu")
	if wide {
		qh = c.t("Question", "Câu hỏi")
	}
	rh := c.t("Rating", "Mức đánh giá")
	if !s.sec.HasOverall() {
		rh = c.t("Answer", "Câu trả lời") // a plain section: no ratings in it
	}
	head := "  " + pad(qh, cq) + " " + pad(rh, cr) + " " + c.t("Comment", "Nhận xét")
	var rows [][]string
	for j := iv.secStart[s.si]; j < iv.secEnd[s.si]; j++ {
		qu := iv.order[j]
		label := qu.ID
		if _, ok := iv.conflict(iv.answerTarget(qu.ID)); ok {
			label += " !" // two versions: settled on the question's screen
		}
		if wide {
			label += " " + c.get(qu.Text)
		}
		a := iv.st.Answers[qu.ID]
		var rating string
		switch {
		case !iv.relevant[j]:
			rating = st.Faint.Render(c.t("(skipped)", "(bỏ qua)"))
		case qu.Type == survey.TypeRating:
			rating = st.RatingCode(iv.q.ScaleOf(qu), a.Rating, c.lang)
		case a.HasValue():
			rating = valueSummary(c, qu, a.Value)
		default:
			rating = st.Faint.Render("·")
		}
		com := strings.ReplaceAll(a.Comment, "\n", " ")
		rows = append(rows, []string{pad(label, cq), pad(rating, cr), com})
	}

	// Below the table: suggestion, rating, rubric, comment.
	var below []string
	if !s.sec.HasOverall() {
		for _, l := range wrapPrefixed("  ", c.t("This section has no overall rating. ctrl+n goes on.",
			"Phần này không có đánh giá chung. ctrl+n để đi tiếp."), w) {
			below = append(below, st.Subtle.Render(l))
		}
	} else if sg, ok := s.suggestion(); ok {
		step, _ := sc.Step(sg.Rating)
		of := c.t(" — importance-weighted mean %.2f of %d rated questions (enter accepts it)", " — trung bình có trọng số %.2f của %d câu đã đánh giá (enter để chấp nhận)")
		if sg.Rated == 1 {
			of = c.t(" — importance-weighted mean %.2f of %d rated question (enter accepts it)", of)
		}
		// Wrapped: how the suggestion was made is read whole, even at 80 columns.
		sugg := wrapPrefixed("  "+c.t("Suggested: ", "Gợi ý: ")+st.Rating(step, c.lang), fmt.Sprintf(of, sg.Mean, sg.Rated), w)
		for i := range sugg {
			sugg[i] = st.Subtle.Render(sugg[i])
		}
		below = append(below, sugg...)
	} else {
		below = append(below, "  "+st.Subtle.Render(c.t("No suggestion yet: no counted rating in this section.", "Chưa có gợi ý: phần này chưa có mức đánh giá được tính.")))
	}
	if cf, ok := iv.conflict(iv.sectionTarget(s.sec.ID)); ok {
		for _, l := range wrapPrefixed("  ! ", fmt.Sprintf(c.t("CONFLICT: %d versions of this overall rating, made on different devices; the newest is shown. v compares them and settles.",
			"XUNG ĐỘT: đánh giá chung có %d phiên bản từ các máy khác nhau; đang hiện bản mới nhất. v để so sánh và giải quyết."), len(cf.Heads)), w) {
			below = append(below, st.Error.Render(l))
		}
	}
	for _, qu := range s.sec.Questions {
		if _, ok := iv.conflict(iv.answerTarget(qu.ID)); ok {
			below = append(below, st.Error.Render(cut("  "+c.t("! marks an answer with two versions: open the question and press v.",
				"! là câu trả lời có hai phiên bản: mở câu hỏi rồi nhấn v."), w)))
			break
		}
	}
	if s.sec.HasOverall() {
		below = s.overallFields(below, sc, w)
	}
	return s.layout(top, below, head, rows, cq, cr, cc)
}

// overallFields adds the overall rating (with its rubric) and comment fields to below.
func (s *summaryScreen) overallFields(below []string, sc *survey.Scale, w int) []string {
	c, st := s.c, s.c.sty
	rf := s.focus == 0
	label := func(t string, f bool) string {
		if f {
			return st.FocusMark.Render("▸ ") + st.Focused.Render(t)
		}
		return "  " + st.Heading.Render(t)
	}
	below = append(below, label(c.t("Overall rating (confirm or override)", "Đánh giá chung (xác nhận hoặc điều chỉnh)"), rf))
	for _, l := range ratingBlock(c, sc, s.draft.Rating, rf, w-2) {
		below = append(below, "  "+l)
	}
	if r, ok := s.sec.Rubric[s.draft.Rating]; ok && s.draft.Rating != "" {
		below = append(below, clip(wrapPrefixed("  "+c.t("Rubric: ", "Tiêu chí: "), c.get(r), w), 2)...)
	}
	cf := s.focus == 1
	below = append(below, label(c.t("Overall comment, required (c)", "Nhận xét chung, bắt buộc (c)"), cf))
	if s.editing {
		below = append(below, lines(s.comment.View())...)
	} else if v := s.comment.Value(); v != "" {
		below = append(below, clip(wrapPrefixed("  ", v, w), 2)...)
	} else if s.draft.Rating != "" {
		below = append(below, "  "+st.Warning.Render(c.t("an overall comment is needed", "cần có nhận xét chung")))
	} else {
		below = append(below, "  "+st.Faint.Render("—"))
	}
	return below
}

// layout puts the title, the table (what room is left, scrolled) and below together.
func (s *summaryScreen) layout(top, below []string, head string, rows [][]string, cq, cr, cc int) string {
	c, st := s.c, s.c.sty
	w := c.width
	// The table gets what is left, comments wrapped onto more lines when there is room.
	avail := c.bodyHeight() - len(top) - len(below) - 1
	perRow := 1
	if len(rows) > 0 && avail/len(rows) >= 2 {
		perRow = min(3, avail/len(rows))
	}
	var table []string
	for _, r := range rows {
		cl := wrap(r[2], cc)
		if len(cl) == 0 {
			cl = []string{""}
		}
		cl = clip(cl, perRow)
		for i, l := range cl {
			if i == 0 {
				table = append(table, "  "+r[0]+" "+r[1]+" "+l)
			} else {
				table = append(table, "  "+strings.Repeat(" ", cq+1+cr+1)+l)
			}
		}
	}
	tableRows := max(1, avail)
	if len(table) > tableRows {
		s.scroll = min(s.scroll, len(table)-tableRows)
		table = table[s.scroll : s.scroll+tableRows]
		table[len(table)-1] = st.Faint.Render(cut("  "+c.t("… ↑/↓ scrolls the table", "… ↑/↓ để cuộn bảng"), w))
	} else {
		s.scroll = 0
	}
	out := append(top, st.TableHeader.Render(cut(head, w)))
	out = append(out, table...)
	out = append(out, below...)
	return strings.Join(clip(out, c.bodyHeight()), "\n")
}

// valueSummary shows a non-rating answer in a table cell.
func valueSummary(c *shared, qu *survey.Question, v any) string {
	label := func(code string) string {
		for _, o := range qu.Options {
			if o.Code == code {
				return c.get(o.Label)
			}
		}
		return code
	}
	switch x := v.(type) {
	case bool:
		if x {
			return c.t("Yes", "Có")
		}
		return c.t("No", "Không")
	case string:
		if qu.Type == survey.TypeSingle {
			return label(x)
		}
		return strings.ReplaceAll(x, "\n", " ")
	case []string:
		var parts []string
		for _, s := range x {
			parts = append(parts, label(s))
		}
		return strings.Join(parts, ", ")
	case *survey.Roster:
		if n := x.Len(); n != 1 {
			return fmt.Sprintf(c.t("%d rows", "%d dòng"), n)
		}
		return c.t("1 row", "1 dòng")
	}
	return valueText(v)
}
