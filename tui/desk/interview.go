package desk

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/report"
	"github.com/fieldsurvey/fieldsurvey/tui/keys"
	"github.com/fieldsurvey/fieldsurvey/tui/session"
)

type openedMsg struct {
	id   string
	st   *survey.InterviewState
	q    *survey.Questionnaire
	revs []survey.Revision
	err  error
}

// interviewScreen shows one interview read-only, a section at a time, as the report's
// tables (report.Build), with its conflicts marked; c switches to what changed since the
// last return.
type interviewScreen struct {
	c       *shared
	id      string
	st      *survey.InterviewState
	q       *survey.Questionnaire
	revs    []survey.Revision
	rep     report.Interview
	err     error
	loaded  bool
	sec     int
	cursor  int
	top     int
	changes bool
}

func newInterviewScreen(c *shared, id string) *interviewScreen {
	return &interviewScreen{c: c, id: id}
}

// Init reads the interview, its questionnaire and its revisions.
func (v *interviewScreen) Init() tea.Cmd {
	st, cat, ctx, id := v.c.store, v.c.cat, v.c.ctx, v.id
	return func() tea.Msg {
		s, err := st.Interview(ctx, id)
		if err != nil {
			return openedMsg{id: id, err: fmt.Errorf("read interview %s: %w", id, err)}
		}
		q, ok := session.Find(cat, s.Meta.Questionnaire, s.Meta.QuestionnaireVersion)
		if !ok {
			return openedMsg{id: id, err: fmt.Errorf("questionnaire %s version %s is not installed here (fieldsurvey questionnaire add)",
				s.Meta.Questionnaire, s.Meta.QuestionnaireVersion)}
		}
		revs, err := st.Revisions(ctx, id)
		if err != nil {
			return openedMsg{id: id, err: err}
		}
		return openedMsg{id: id, st: s, q: q, revs: revs}
	}
}

func (v *interviewScreen) Title() string {
	if v.st == nil {
		return v.c.t("Interview", "Phỏng vấn")
	}
	return v.c.t("Interview", "Phỏng vấn") + " " + shortID(v.id) + " · " + v.st.Respondent.Agency
}

func (v *interviewScreen) Typing() bool { return false }

func (v *interviewScreen) langChanged() { v.build() }

func (v *interviewScreen) build() {
	if v.st == nil {
		return
	}
	rep, err := report.Build(v.q, []*survey.InterviewState{v.st}, report.Options{Lang: v.c.lang, Interviews: []string{v.id}})
	if err != nil {
		v.err = err
		return
	}
	if len(rep.Interviews) == 1 {
		v.rep = rep.Interviews[0]
	}
	v.sec = min(v.sec, max(0, len(v.rep.Sections)-1))
}

func (v *interviewScreen) Help() keys.Help {
	k := v.c.keys
	short := []key.Binding{k.Approve, k.Return, k.Reopen, k.Changes, k.Sections, k.Back}
	if r, ok := v.row(); ok && r.Conflict {
		short = append([]key.Binding{k.Settle}, short...)
	}
	return keys.Help{Short: short, Full: [][]key.Binding{
		{k.Up, k.Down, k.PrevSection, k.NextSection, k.PageUp, k.PageDown, k.Settle, k.Changes},
		{k.Approve, k.Return, k.Reopen, k.Back},
	}}
}

func (v *interviewScreen) row() (report.Row, bool) {
	if v.changes || v.sec >= len(v.rep.Sections) {
		return report.Row{}, false
	}
	rows := v.rep.Sections[v.sec].Rows
	if v.cursor < len(rows) {
		return rows[v.cursor], true
	}
	return report.Row{}, false
}

func (v *interviewScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch m := msg.(type) {
	case openedMsg:
		if m.id != v.id {
			return v, nil
		}
		v.loaded, v.err = true, m.err
		if m.err == nil {
			v.st, v.q, v.revs = m.st, m.q, m.revs
			v.build()
		}
		return v, nil
	case tea.KeyMsg:
		return v, v.key(m)
	}
	return v, nil
}

func (v *interviewScreen) key(m tea.KeyMsg) tea.Cmd {
	k := v.c.keys
	nrows := 0
	if v.sec < len(v.rep.Sections) {
		nrows = len(v.rep.Sections[v.sec].Rows)
	}
	switch {
	case key.Matches(m, k.Back):
		if v.changes {
			v.changes = false
			return nil
		}
		return v.c.post(BackMsg{})
	case key.Matches(m, k.Changes):
		v.changes = !v.changes
		v.top = 0
	case key.Matches(m, k.NextSection), key.Matches(m, k.PageDown):
		if v.sec+1 < len(v.rep.Sections) {
			v.sec++
			v.cursor, v.top = 0, 0
		}
	case key.Matches(m, k.PrevSection), key.Matches(m, k.PageUp):
		if v.sec > 0 {
			v.sec--
			v.cursor, v.top = 0, 0
		}
	case key.Matches(m, k.Up):
		if v.changes {
			v.top = max(0, v.top-1)
		} else {
			v.cursor = max(0, v.cursor-1)
		}
	case key.Matches(m, k.Down):
		if v.changes {
			v.top++
		} else {
			v.cursor = max(0, min(nrows-1, v.cursor+1))
		}
	case key.Matches(m, k.Settle):
		if r, ok := v.row(); ok && r.Conflict {
			t := survey.Target{Interview: v.id, Kind: survey.KindAnswer, Key: r.Question}
			return v.c.post(SettleMsg{Interview: v.id, Target: t})
		}
	case key.Matches(m, k.Approve), key.Matches(m, k.Return), key.Matches(m, k.Reopen):
		if v.st != nil {
			to, id := decisionOf(k, m), v.id
			return v.c.post(DecideMsg{ID: id, To: to})
		}
	}
	return nil
}

func (v *interviewScreen) View() string {
	c, s := v.c, v.c.sty
	w := c.width
	switch {
	case v.err != nil:
		return s.Error.Render(cut(c.t("Could not open the interview: ", "Không mở được phỏng vấn: ")+v.err.Error(), w))
	case !v.loaded:
		return s.Subtle.Render(c.t("Loading…", "Đang tải…"))
	}
	st := v.st
	r := st.Respondent
	who := st.Meta.Assessor
	if who == "" {
		who = v.creator()
	}
	status := c.status(st.Status.Status)
	line1 := r.Agency + " · " + r.Province
	if r.Role != "" {
		line1 += " · " + r.Role
	}
	out := []string{
		pad(s.Heading.Render(cut(line1, w-width(status)-2)), w-width(status)-1) + " " + status,
		s.Subtle.Render(cut(fmt.Sprintf(c.t("%s %s · assessor %s · %s · %d revisions", "%s %s · người đánh giá %s · %s · %d bản sửa"),
			st.Meta.Questionnaire, st.Meta.QuestionnaireVersion, who, r.Date, st.Revisions), w)),
	}
	var note string
	switch {
	case len(st.Conflicts) > 0:
		en, vi := conflictNames(st.Conflicts)
		note = s.Warning.Render(cut(c.t("⚠ Conflicts: "+en+" (enter on one to settle it)", "⚠ Xung đột: "+vi+" (enter để giải quyết)"), w))
	case st.Status.Reason != "":
		note = s.Subtle.Render(cut(c.get(st.Status.Status.Label())+": "+oneLine(st.Status.Reason), w))
	}
	out = append(out, note)
	h := c.bodyHeight() - len(out)
	if v.changes {
		return strings.Join(append(out, v.changesView(h)...), "\n")
	}
	return strings.Join(append(out, v.sectionView(h)...), "\n")
}

// creator is the principal of the revision that created the interview.
func (v *interviewScreen) creator() string {
	for _, r := range v.revs {
		if r.Kind == survey.KindInterview {
			return r.Author
		}
	}
	return ""
}

func (v *interviewScreen) sectionView(h int) []string {
	c, s := v.c, v.c.sty
	w := c.width
	if len(v.rep.Sections) == 0 {
		return nil
	}
	sec := v.rep.Sections[v.sec]
	qsec, _ := v.q.Section(sec.ID)
	title := fmt.Sprintf(c.t("Section %d/%d · %s", "Phần %d/%d · %s"), v.sec+1, len(v.rep.Sections), sec.Title)
	out := []string{s.Title.Render(cut(title, w))}
	// The overall line: confirmed or suggested rating, and the comment; a plain section
	// (overall: false) has none, only its answers.
	if ov := sec.Overall; ov == nil {
		out = append(out, s.Faint.Render(cut(c.t("No overall rating: this section records answers only.",
			"Không có đánh giá chung: phần này chỉ ghi câu trả lời."), w)))
	} else {
		out = append(out, v.overallLine(ov, qsec))
	}
	out = append(out, s.Rule.Render(strings.Repeat("─", w)))

	rows := sec.Rows
	n := max(1, h-len(out)-1)
	v.cursor = min(v.cursor, max(0, len(rows)-1))
	v.top = window(v.cursor, len(rows), n, v.top)
	rw := 20
	for i := v.top; i < min(len(rows), v.top+n); i++ {
		row := rows[i]
		mark := "  "
		if row.Conflict {
			mark = s.Warning.Render("⚠ ")
		}
		if i == v.cursor {
			mark = s.FocusMark.Render("▸ ")
			if row.Conflict {
				mark = s.Warning.Render("▸⚠")
			}
		}
		var val string
		qu, _ := v.q.Question(row.Question)
		switch {
		case row.Skipped:
			val = s.Faint.Render(c.t("(skipped)", "(bỏ qua)"))
		case row.Rating != "" && qu != nil:
			val = s.RatingCode(v.q.ScaleOf(qu), row.Rating, c.lang)
		case row.Value != "":
			val = oneLine(row.Value)
		default:
			val = s.Faint.Render("·")
		}
		// The comment (with the number of evidence items), else the question.
		rest := s.Subtle.Render(oneLine(row.Comment))
		if row.Comment == "" {
			rest = s.Faint.Render(oneLine(row.Text))
		}
		if len(row.Evidence) > 0 {
			rest = fmt.Sprintf(c.t("[%d ev] ", "[%d bc] "), len(row.Evidence)) + rest
		}
		text := pad(row.Question, 5) + " " + pad(val, rw) + " " + rest
		if i == v.cursor {
			text = pad(row.Question, 5) + " " + pad(val, rw) + " " + cut(oneLine(row.Text), max(0, w-2-5-rw-2))
		}
		out = append(out, mark+cut(text, w-2))
	}
	// The selected question below the table: the conflict, the comment and the evidence
	// (as the report lists them), in the lines the table leaves free (at least one).
	if r, ok := v.row(); ok {
		var detail []string
		if r.Conflict {
			detail = append(detail, s.Warning.Render(cut(c.t("Two versions of this answer: enter to settle it (the newest is shown).",
				"Câu trả lời có hai phiên bản: enter để giải quyết (hiện bản mới nhất)."), w)))
		}
		for _, l := range wrap(oneLine(r.Comment), w) {
			detail = append(detail, s.Subtle.Render(l))
		}
		for _, e := range r.Evidence {
			line := s.PolarityMark(e.Polarity, v.q.NeutralMark()) + " " + oneLine(e.Text)
			if e.Source != "" {
				line += s.Faint.Render(" (" + oneLine(e.Source) + ")")
			}
			if !e.InScope {
				line += s.Faint.Render(c.t(" [not in scope", " [ngoài phạm vi") + ifNote(e.Note) + "]")
			}
			detail = append(detail, cut(line, w))
		}
		room := max(1, h-3-(min(len(rows), v.top+n)-v.top))
		if len(detail) > room {
			detail = detail[:room]
		}
		out = fit(out, h-len(detail))
		out = append(out, detail...)
	}
	return out
}

func ifNote(n string) string {
	if n == "" {
		return ""
	}
	return ": " + oneLine(n)
}

// change is one line of "changes since return".
type change struct {
	rev      survey.Revision
	old, new string
}

// changesSince returns the revisions made after the last return or reopening, oldest
// first, each with the value it replaced; ok is false when the interview was never
// returned or reopened. (A small view: the full history is `fieldsurvey interview history`.)
func changesSince(q *survey.Questionnaire, revs []survey.Revision, lang string) (since survey.Revision, out []change, ok bool) {
	sorted := append([]survey.Revision(nil), revs...)
	sort.Slice(sorted, func(i, j int) bool {
		if !sorted[i].Time.Equal(sorted[j].Time) {
			return sorted[i].Time.Before(sorted[j].Time)
		}
		return sorted[i].ID < sorted[j].ID
	})
	byID := map[string]survey.Revision{}
	last := -1
	for i, r := range sorted {
		byID[r.ID] = r
		if r.Kind == survey.KindStatus {
			var sc survey.StatusChange
			if json.Unmarshal(r.Value, &sc) == nil && sc.Status.NeedsReason() {
				last = i
			}
		}
	}
	if last < 0 {
		return survey.Revision{}, nil, false
	}
	for _, r := range sorted[last+1:] {
		ch := change{rev: r, new: describe(q, r, lang)}
		if len(r.Replaces) > 0 {
			if old, ok := byID[r.Replaces[0]]; ok {
				ch.old = describe(q, old, lang)
			}
		}
		out = append(out, ch)
	}
	return sorted[last], out, true
}

// describe is the value of a revision in a few words: a rating by its label, a value, a
// comment's beginning, a status.
func describe(q *survey.Questionnaire, r survey.Revision, lang string) string {
	switch r.Kind {
	case survey.KindAnswer:
		var a survey.Answer
		if json.Unmarshal(r.Value, &a) != nil {
			return "?"
		}
		var parts []string
		if a.Rating != "" {
			label := string(a.Rating)
			if qu, ok := q.Question(r.Key); ok {
				if st, ok := q.ScaleOf(qu).Step(a.Rating); ok {
					label = st.Label.Get(lang)
				}
			}
			parts = append(parts, label)
		} else if a.Value != nil {
			parts = append(parts, fmt.Sprint(a.Value))
		}
		if len(a.Evidence) > 0 {
			parts = append(parts, fmt.Sprintf("%d ev", len(a.Evidence)))
		}
		if a.Comment != "" {
			parts = append(parts, "“"+oneLine(a.Comment)+"”")
		}
		if len(parts) == 0 {
			return "∅"
		}
		return strings.Join(parts, " · ")
	case survey.KindSection:
		var sm survey.SectionSummary
		if json.Unmarshal(r.Value, &sm) != nil {
			return "?"
		}
		label := string(sm.Rating)
		if sec, ok := q.Section(r.Key); ok {
			if st, ok := q.SectionScale(sec).Step(sm.Rating); ok {
				label = st.Label.Get(lang)
			}
		}
		if sm.Comment != "" {
			label += " · “" + oneLine(sm.Comment) + "”"
		}
		return label
	case survey.KindStatus:
		var sc survey.StatusChange
		if json.Unmarshal(r.Value, &sc) != nil {
			return "?"
		}
		return sc.Status.Label().Get(lang)
	case survey.KindRespondent:
		var rp survey.Respondent
		if json.Unmarshal(r.Value, &rp) != nil {
			return "?"
		}
		return rp.Agency + " · " + rp.Province
	}
	return string(r.Value)
}

func targetName(r survey.Revision, lang string) string {
	switch r.Kind {
	case survey.KindAnswer:
		return r.Key
	case survey.KindSection:
		return tr(lang, "section ", "phần ") + r.Key
	case survey.KindStatus:
		return tr(lang, "status", "trạng thái")
	case survey.KindRespondent:
		return tr(lang, "respondent", "người trả lời")
	}
	return string(r.Kind)
}

func (v *interviewScreen) changesView(h int) []string {
	c, s := v.c, v.c.sty
	w := c.width
	since, chs, ok := changesSince(v.q, v.revs, c.lang)
	if !ok {
		return []string{s.Title.Render(c.t("Changes since the last return", "Thay đổi từ lần trả lại gần nhất")), "",
			s.Subtle.Render(c.t("This interview was never returned or reopened.", "Phỏng vấn này chưa từng bị trả lại hoặc mở lại."))}
	}
	var sc survey.StatusChange
	_ = json.Unmarshal(since.Value, &sc)
	out := []string{
		s.Title.Render(cut(fmt.Sprintf(c.t("Changes since it was %s on %s by %s", "Thay đổi từ khi %s lúc %s bởi %s"),
			c.get(sc.Status.Label()), since.Time.Local().Format("02/01 15:04"), since.Author), w)),
		s.Subtle.Render(cut(c.t("Reason: ", "Lý do: ")+oneLine(sc.Reason), w)),
		s.Rule.Render(strings.Repeat("─", w)),
	}
	if len(chs) == 0 {
		return append(out, s.Subtle.Render(c.t("Nothing has changed since.", "Chưa có thay đổi nào.")))
	}
	var body []string
	for _, ch := range chs {
		meta := s.Faint.Render(fmt.Sprintf("%s %s", ch.rev.Time.Local().Format("02/01 15:04"), ch.rev.Author))
		old := ch.old
		if old == "" {
			old = "∅"
		}
		body = append(body, pad(s.Bold.Render(pad(targetName(ch.rev, c.lang), 10))+" "+old+" → "+ch.new, w-width(meta)-1)+" "+meta)
	}
	n := max(1, h-len(out))
	v.top = max(0, min(v.top, len(body)-n))
	end := min(len(body), v.top+n)
	return append(out, body[v.top:end]...)
}

// overallLine is the overall line of a section with an overall rating: the confirmed or
// suggested rating, and the comment.
func (v *interviewScreen) overallLine(ov *report.Overall, qsec *survey.Section) string {
	c, s := v.c, v.c.sty
	var ovs string
	switch {
	case ov.Rating == "":
		ovs = s.Faint.Render(c.t("no overall rating yet", "chưa có đánh giá chung"))
	case qsec != nil:
		ovs = s.RatingCode(v.q.SectionScale(qsec), ov.Rating, c.lang)
		if ov.Suggested {
			ovs += s.Subtle.Render(c.t(" (suggested, not confirmed)", " (gợi ý, chưa xác nhận)"))
		}
	}
	if ov.Conflict {
		ovs = s.Warning.Render("⚠ ") + ovs
	}
	return cut(c.t("Overall: ", "Đánh giá chung: ")+ovs+s.Subtle.Render("  "+oneLine(ov.Comment)), c.width)
}
