package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/tui/keys"
	"github.com/fieldsurvey/fieldsurvey/tui/session"
)

// reviewScreen lists what is missing or invalid, with a jump to each, and marks the
// interview complete (or reopens a completed one: a new status revision).
type reviewScreen struct {
	c        *shared
	iv       *interview
	blockers []session.Blocker
	cursor   int
	top      int
}

func newReviewScreen(c *shared, iv *interview) *reviewScreen {
	return &reviewScreen{c: c, iv: iv}
}

func (r *reviewScreen) Init() tea.Cmd { return nil }

func (r *reviewScreen) show() tea.Cmd {
	r.refresh()
	r.cursor = min(r.cursor, max(0, len(r.blockers)-1))
	return nil
}

func (r *reviewScreen) refresh() { r.blockers = session.Blockers(r.iv.q, r.iv.st) }

func (r *reviewScreen) Typing() bool           { return false }
func (r *reviewScreen) Dirty() bool            { return false }
func (r *reviewScreen) Flush() []survey.Change { return nil }

func (r *reviewScreen) Help() keys.Help {
	k := r.c.keys
	open := key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", r.c.t("go to it", "đến mục này")))
	short := []key.Binding{k.Up, k.Down, open}
	switch st := r.iv.st.Status.Status; {
	case session.CanReopen(st):
		short = append(short, k.Reopen)
	case session.Editable(st) && len(r.blockers) == 0:
		short = append(short, k.Complete)
	}
	short = append(short, k.Sections, k.Leave)
	return keys.Help{Short: short, Full: [][]key.Binding{{k.Up, k.Down, open}, {k.Complete, k.Reopen, k.Sections, k.Leave}}}
}

func (r *reviewScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m, ok := msg.(tea.KeyMsg)
	if !ok {
		return r, nil
	}
	k := r.c.keys
	n := len(r.blockers)
	switch {
	case key.Matches(m, k.Up):
		if n > 0 {
			r.cursor = (r.cursor - 1 + n) % n
		}
	case key.Matches(m, k.Down):
		if n > 0 {
			r.cursor = (r.cursor + 1) % n
		}
	case key.Matches(m, k.Open):
		if r.cursor < n {
			b := r.blockers[r.cursor]
			if b.Question != "" {
				return r, r.c.gotoQ(b.Question)
			}
			if b.Section != "" {
				return r, r.c.gotoS(b.Section)
			}
		}
	case key.Matches(m, k.Complete):
		return r, r.complete()
	case key.Matches(m, k.Reopen):
		return r, r.reopen()
	case key.Matches(m, k.Sections):
		return r, r.c.post(GotoMsg{Place: session.Place{Section: sectionsList}})
	case key.Matches(m, k.Prev), key.Matches(m, k.PrevArrow):
		last := len(r.iv.q.Sections) - 1
		return r, r.c.gotoS(r.iv.q.Sections[last].ID)
	case key.Matches(m, k.Back):
		return r, r.c.leave()
	}
	return r, nil
}

func (r *reviewScreen) setStatus(st survey.StatusChange) tea.Cmd {
	r.iv.st.Status = st
	ch := session.StatusChange(r.iv.st.ID, st)
	return func() tea.Msg { return SaveMsg{Changes: []survey.Change{ch}} }
}

func (r *reviewScreen) complete() tea.Cmd {
	r.refresh()
	st := r.iv.st.Status.Status
	switch {
	case session.CanReopen(st):
		return notice(survey.T("This interview is already complete.", "Phỏng vấn này đã hoàn thành."), false)
	case !session.Editable(st):
		return notice(survey.T("A "+string(st)+" interview cannot be completed again from this device.",
			"Phỏng vấn "+st.Label().Get(survey.LangVI)+" không thể hoàn thành lại từ máy này."), true)
	case len(r.blockers) > 0:
		return notice(survey.T(fmt.Sprintf("%d problems remain: fix them first (enter goes to each).", len(r.blockers)),
			fmt.Sprintf("Còn %d vấn đề: cần xử lý trước (enter để đến từng mục).", len(r.blockers))), true)
	}
	return tea.Batch(r.setStatus(survey.StatusChange{Status: session.CompletedStatus(r.iv.st.Status)}),
		notice(survey.T("Interview marked complete. It will be sent with the next sync.",
			"Đã đánh dấu hoàn thành. Phỏng vấn sẽ được gửi trong lần đồng bộ tới."), false))
}

func (r *reviewScreen) reopen() tea.Cmd {
	to, err := session.ReopenedStatus(r.iv.st.Status)
	if err != nil {
		return notice(survey.T("Only a completed interview can be reopened.", "Chỉ có thể mở lại phỏng vấn đã hoàn thành."), false)
	}
	return tea.Batch(r.setStatus(to),
		notice(survey.T("Interview reopened as a draft (the completed version stays in the history).",
			"Đã mở lại phỏng vấn dưới dạng nháp (bản đã hoàn thành vẫn lưu trong lịch sử)."), false))
}

func (r *reviewScreen) View() string {
	c, s := r.c, r.c.sty
	w := c.width
	iv := r.iv
	r.refresh()
	r.cursor = min(r.cursor, max(0, len(r.blockers)-1))
	status := c.t("Status: ", "Trạng thái: ") + c.get(iv.st.Status.Status.Label())
	title := c.t("Review and complete", "Xem lại và hoàn thành")
	out := []string{
		pad(s.Heading.Render(title), w-width(status)-1) + " " + s.Status(iv.st.Status.Status).Render(status),
		s.Rule.Render(strings.Repeat("─", w)),
	}
	confirmed, rated := 0, 0 // sections with overall: false have nothing to confirm
	for _, sec := range iv.q.Sections {
		if !sec.HasOverall() {
			continue
		}
		rated++
		if iv.st.Sections[sec.ID].Rating != "" {
			confirmed++
		}
	}
	line := fmt.Sprintf(c.t("Answered %d of %d questions · %d of %d sections confirmed",
		"Đã trả lời %d/%d câu · đã xác nhận %d/%d phần"), iv.answered, iv.total, confirmed, rated)
	if iv.attention > 0 {
		line += " · " + s.Warning.Render(fmt.Sprintf(c.t("%d answers need attention", "%d câu trả lời cần xem lại"), iv.attention))
	}
	out = append(out, line)
	r1 := iv.st.Respondent
	out = append(out, s.Subtle.Render(cut(fmt.Sprintf("%s · %s · %s", r1.Agency, r1.Province, r1.Date), w)))
	if iv.st.Status.Status == survey.StatusReturned && iv.st.Status.Reason != "" {
		out = append(out, s.Error.Render(cut(c.t("Returned: ", "Bị trả lại: ")+iv.st.Status.Reason, w)))
	}
	out = append(out, "")

	// The closing lines depend on the state.
	var foot []string
	switch st := iv.st.Status.Status; {
	case session.CanReopen(st):
		foot = append(foot, s.OK.Render(c.t("✓ Complete.", "✓ Đã hoàn thành."))+" "+
			s.Subtle.Render(c.t("R reopens it as a draft (a new revision; nothing is overwritten).",
				"R để mở lại dưới dạng nháp (một bản sửa mới; không ghi đè).")))
	case !session.Editable(st):
		foot = append(foot, s.Subtle.Render(cut(c.t("This interview is with the supervisor: it cannot be changed here.",
			"Phỏng vấn này đang ở chỗ người giám sát: không thể sửa tại đây."), w)))
	case len(r.blockers) == 0:
		foot = append(foot, s.OK.Render(c.t("Nothing is missing.", "Không còn thiếu gì."))+" "+
			s.Focused.Render(c.t("Press C to mark the interview complete.", "Nhấn C để đánh dấu hoàn thành.")))
	default:
		foot = append(foot, s.Subtle.Render(cut(c.t("C marks the interview complete once nothing is listed above.",
			"C để đánh dấu hoàn thành khi không còn mục nào ở trên."), w)))
	}

	if len(r.blockers) > 0 {
		out = append(out, s.Heading.Render(fmt.Sprintf(c.t("To fix before completing (%d):", "Cần xử lý trước khi hoàn thành (%d):"), len(r.blockers))))
		rows := max(1, c.bodyHeight()-len(out)-len(foot)-1)
		r.top = window(r.cursor, len(r.blockers), rows, r.top)
		for i := r.top; i < min(len(r.blockers), r.top+rows); i++ {
			b := r.blockers[i]
			where := ""
			switch {
			case b.Question != "":
				where = c.t("Question ", "Câu ") + b.Question
			case b.Section != "":
				si := iv.secIndex[b.Section]
				where = fmt.Sprintf("%s %d", c.t("Section", "Phần"), si+1)
			default:
				where = c.t("Respondent", "Người trả lời")
			}
			mark := "  "
			line := pad(where, 14) + " " + c.get(b.Msg)
			if i == r.cursor {
				mark = s.FocusMark.Render("▸ ")
				line = s.Selected.Render(cut(line, w-2))
			} else if b.Kind != string(survey.IssueMissing) && b.Kind != "section" && b.Kind != "comment" {
				line = s.Error.Render(cut(line, w-2))
			}
			out = append(out, mark+cut(line, w-2))
		}
		out = append(out, "")
	}
	out = append(out, foot...)
	return strings.Join(clip(out, c.bodyHeight()), "\n")
}
