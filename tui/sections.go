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

// sectionsScreen lists the sections with their progress, the ratings so far and the
// confirmed overall rating; enter opens a section, o its summary.
type sectionsScreen struct {
	c      *shared
	iv     *interview
	cursor int
	top    int
	back   session.Place
}

func newSectionsScreen(c *shared, iv *interview) *sectionsScreen {
	return &sectionsScreen{c: c, iv: iv}
}

func (s *sectionsScreen) Init() tea.Cmd { return nil }

func (s *sectionsScreen) show() tea.Cmd { return nil }

func (s *sectionsScreen) Typing() bool           { return false }
func (s *sectionsScreen) Dirty() bool            { return false }
func (s *sectionsScreen) Flush() []survey.Change { return nil }

func (s *sectionsScreen) Help() keys.Help {
	k := s.c.keys
	open := key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", s.c.t("open section", "mở phần")))
	return keys.Help{Short: []key.Binding{k.Up, k.Down, open, k.Summary, k.Review, k.Back},
		Full: [][]key.Binding{{k.Up, k.Down, open, k.Summary, k.Jump}, {k.Review, k.Back}}}
}

func (s *sectionsScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	n := len(s.iv.q.Sections)
	switch m := msg.(type) {
	case tea.MouseMsg:
		switch m.Button {
		case tea.MouseButtonWheelUp:
			s.cursor = max(0, s.cursor-1)
		case tea.MouseButtonWheelDown:
			s.cursor = min(n-1, s.cursor+1)
		}
	case tea.KeyMsg:
		k := s.c.keys
		switch {
		case key.Matches(m, k.Up):
			s.cursor = (s.cursor - 1 + n) % n
		case key.Matches(m, k.Down):
			s.cursor = (s.cursor + 1) % n
		case key.Matches(m, k.Top):
			s.cursor = 0
		case key.Matches(m, k.Bottom):
			s.cursor = n - 1
		case key.Matches(m, k.Open):
			si := s.cursor
			i := -1
			for j := s.iv.secStart[si]; j < s.iv.secEnd[si]; j++ {
				if a, ok := s.iv.st.Answers[s.iv.order[j].ID]; s.iv.relevant[j] && (!ok || !a.HasValue()) {
					i = j
					break
				}
			}
			if i < 0 {
				i = s.iv.firstIn(si)
			}
			if i < 0 {
				return s, s.c.gotoS(s.iv.q.Sections[si].ID)
			}
			return s, s.c.gotoQ(s.iv.order[i].ID)
		case key.Matches(m, k.Summary):
			return s, s.c.gotoS(s.iv.q.Sections[s.cursor].ID)
		case key.Matches(m, k.Jump):
			return s, s.c.post(jumpMsg{})
		case key.Matches(m, k.Review):
			return s, s.c.post(GotoMsg{Place: session.Place{Review: true}})
		case key.Matches(m, k.Back), key.Matches(m, k.Sections):
			back := s.back
			if back == (session.Place{}) {
				return s, s.c.post(HomeMsg{})
			}
			return s, s.c.post(GotoMsg{Place: back})
		}
	}
	return s, nil
}

func (s *sectionsScreen) View() string {
	c, st := s.c, s.c.sty
	w := c.width
	iv := s.iv
	head := st.Heading.Render(c.t("Sections — ", "Các phần — ") + progressText(c, iv.answered, iv.attention, iv.total))
	if n := len(iv.st.Conflicts); n > 0 {
		head += st.Error.Render(fmt.Sprintf(c.t(" · ! %d with two versions (v on the question settles)", " · ! %d mục có hai phiên bản (v trên câu hỏi để giải quyết)"), n))
	}
	out := []string{cut(head, w), st.Rule.Render(strings.Repeat("─", w))}
	cr := 18 // overall rating
	cp := 7  // progress
	cq := min(24, max(8, w/5))
	ct := w - 2 - 3 - cp - cq - cr - 4
	out = append(out, st.TableHeader.Render(cut("  "+pad("#", 3)+pad(c.t("Section", "Phần"), ct)+" "+
		pad(c.t("Answered", "Đã trả lời"), cp)+" "+pad(c.t("Questions", "Các câu"), cq)+" "+c.t("Overall", "Đánh giá chung"), w)))
	rows := max(1, c.bodyHeight()-len(out))
	s.top = window(s.cursor, len(iv.q.Sections), rows, s.top)
	for si := s.top; si < min(len(iv.q.Sections), s.top+rows); si++ {
		sec := iv.q.Sections[si]
		mark := "  "
		if si == s.cursor {
			mark = st.FocusMark.Render("▸ ")
		}
		var strip strings.Builder
		n := 0
		for j := iv.secStart[si]; j < iv.secEnd[si] && n < cq; j++ {
			qu := iv.order[j]
			n++
			a, has := iv.st.Answers[qu.ID]
			_, conflicted := iv.conflict(iv.answerTarget(qu.ID))
			switch {
			case conflicted:
				strip.WriteString(st.Error.Render("!")) // two versions: settled on the question's screen
			case !iv.relevant[j]:
				strip.WriteString(st.Faint.Render(" "))
			case qu.Type == survey.TypeRating && a.Rating != "":
				strip.WriteString(st.Cell(iv.q.ScaleOf(qu), a.Rating))
			case has && a.HasValue():
				strip.WriteString(st.OK.Render("✓"))
			default:
				strip.WriteString(st.Faint.Render("·"))
			}
		}
		overall := st.Faint.Render(c.t("not confirmed", "chưa xác nhận"))
		if !sec.HasOverall() {
			overall = st.Faint.Render("—") // overall: false, nothing to confirm
		} else if sum, ok := iv.st.Sections[sec.ID]; ok && sum.Rating != "" {
			overall = st.RatingCode(iv.q.SectionScale(sec), sum.Rating, c.lang)
		}
		row := pad(fmt.Sprint(si+1), 3) + pad(c.get(sec.Title), ct) + " " +
			pad(leftPad(fmt.Sprintf("%d/%d", iv.secAns[si], iv.secTot[si]), cp), cp) + " " +
			strip.String() + strings.Repeat(" ", cq-n) + " " + overall
		if si == s.cursor {
			row = st.Selected.Render(cut(row, w-2))
		}
		out = append(out, mark+cut(row, w-2))
	}
	return strings.Join(out, "\n")
}
