package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/tui/keys"
)

// historyLoadedMsg carries the history of a target, read in a command.
type historyLoadedMsg struct {
	t       survey.Target
	entries []survey.HistoryEntry
	err     error
}

// historyScreen shows the history of one question's answer or one section's summary: the
// same entries as `fieldsurvey interview history` (survey.BuildHistory), oldest first,
// opened at the newest entry's first line, scrolled with ↑/↓; esc (or h) goes back.
type historyScreen struct {
	c       *shared
	iv      *interview
	t       survey.Target
	entries []survey.HistoryEntry
	err     error
	loaded  bool
	scroll  int
	atEnd   bool // show the newest entry on the next draw
}

func newHistoryScreen(c *shared, iv *interview, t survey.Target) *historyScreen {
	return &historyScreen{c: c, iv: iv, t: t, atEnd: true}
}

// load reads the target's revisions and builds the history, in a command.
func (h *historyScreen) load() tea.Cmd {
	st, ctx, t, q, isServer := h.c.store, h.c.ctx, h.t, h.iv.q, h.c.opts.IsServer
	return func() tea.Msg {
		revs, err := st.History(ctx, t)
		if err != nil {
			return historyLoadedMsg{t: t, err: err}
		}
		entries, err := survey.BuildHistory(q, revs, survey.HistoryOptions{IsServer: isServer})
		return historyLoadedMsg{t: t, entries: entries, err: err}
	}
}

func (h *historyScreen) Init() tea.Cmd          { return nil }
func (h *historyScreen) Typing() bool           { return false }
func (h *historyScreen) Dirty() bool            { return false }
func (h *historyScreen) Flush() []survey.Change { return nil }

func (h *historyScreen) Help() keys.Help {
	k := h.c.keys
	return keys.Help{Short: []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Back},
		Full: [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}}}
}

func (h *historyScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch m := msg.(type) {
	case historyLoadedMsg:
		if m.t == h.t {
			h.entries, h.err, h.loaded, h.atEnd = m.entries, m.err, true, true
		}
	case tea.KeyMsg:
		k := h.c.keys
		rows := h.rows()
		switch {
		case key.Matches(m, k.Back), key.Matches(m, k.History):
			return h, h.c.post(BackMsg{})
		case key.Matches(m, k.Up):
			h.scroll = max(0, h.scroll-1)
		case key.Matches(m, k.Down):
			h.scroll++
		case key.Matches(m, k.PageUp):
			h.scroll = max(0, h.scroll-rows)
		case key.Matches(m, k.PageDown):
			h.scroll += rows
		case key.Matches(m, k.Top):
			h.scroll = 0
		case key.Matches(m, k.Bottom):
			h.scroll = 1 << 30 // clamped when drawn
		}
	}
	return h, nil
}

func (h *historyScreen) header() []string {
	c, s := h.c, h.c.sty
	w := c.width
	count := ""
	if h.loaded && h.err == nil {
		count = fmt.Sprintf(c.t("%d changes", "%d thay đổi"), len(h.entries))
		if len(h.entries) == 1 {
			count = c.t("1 change", "1 thay đổi")
		}
	}
	title := c.t("History of ", "Lịch sử của ") + c.get(survey.TargetText(h.iv.q, h.t))
	return []string{
		pad(s.Heading.Render(cut(title, w-width(count)-2)), w-width(count)-1) + " " + s.Subtle.Render(count),
		s.Rule.Render(strings.Repeat("─", w)),
	}
}

func (h *historyScreen) rows() int { return max(1, h.c.bodyHeight()-len(h.header())) }

// body draws every entry, styled and wrapped to the width, with a blank line between; last
// is where the newest entry begins.
func (h *historyScreen) body() (out []string, last int) {
	c, s := h.c, h.c.sty
	w := c.width
	switch {
	case !h.loaded:
		return []string{s.Subtle.Render(c.t("Reading the history…", "Đang đọc lịch sử…"))}, 0
	case h.err != nil:
		return wrap(s.Error.Render(c.t("The history cannot be read: ", "Không đọc được lịch sử: ")+h.err.Error()), w), 0
	case len(h.entries) == 0:
		return []string{s.Subtle.Render(c.t("No change recorded yet.", "Chưa có thay đổi nào."))}, 0
	}
	o := survey.RenderOptions{Lang: c.lang, NoTarget: true, Time: func(t time.Time) string { return t.Local().Format("02/01/2006 15:04") }}
	sc := h.scale()
	for i, e := range h.entries {
		if i > 0 {
			out = append(out, "")
		}
		last = len(out)
		for _, l := range e.Lines(o) {
			// Wrapped between words (never inside a [-…-] mark), continuing two spaces in.
			for _, wl := range l.Wrap(w, width) {
				var b strings.Builder
				b.WriteString(strings.Repeat(" ", wl.Indent))
				for _, sp := range wl.Spans {
					b.WriteString(h.paint(sp, sc))
				}
				out = append(out, b.String())
			}
		}
	}
	return out, last
}

// scale is the rating scale of the target, to colour ratings.
func (h *historyScreen) scale() *survey.Scale {
	q := h.iv.q
	switch h.t.Kind {
	case survey.KindAnswer:
		if qu, ok := q.Question(h.t.Key); ok {
			return q.ScaleOf(qu)
		}
	case survey.KindSection:
		if sec, ok := q.Section(h.t.Key); ok {
			return q.SectionScale(sec)
		}
	}
	return survey.ReadinessScale()
}

func (h *historyScreen) paint(sp survey.Span, sc *survey.Scale) string {
	s := h.c.sty
	switch sp.Kind {
	case survey.SpanMeta:
		return s.Subtle.Render(sp.Text)
	case survey.SpanWhat:
		return s.Heading.Render(sp.Text)
	case survey.SpanDeleted:
		return s.Minus.Render(sp.Text)
	case survey.SpanInserted:
		return s.Plus.Render(sp.Text)
	case survey.SpanSettle:
		return s.Warning.Render(sp.Text)
	case survey.SpanRating:
		if st, ok := sc.Step(sp.Code); ok {
			return s.Rating(st, h.c.lang)
		}
	}
	return sp.Text
}

func (h *historyScreen) View() string {
	c, s := h.c, h.c.sty
	out := h.header()
	body, last := h.body()
	room := h.rows()
	if len(body) <= room {
		h.scroll = 0
		return strings.Join(append(out, body...), "\n")
	}
	if h.atEnd {
		// The newest entry from its first line (the line above says there is more).
		h.scroll, h.atEnd = min(max(0, last-1), len(body)-room), false
	}
	h.scroll = max(0, min(h.scroll, len(body)-room))
	shown := append([]string(nil), body[h.scroll:h.scroll+room]...)
	more := c.t("↑/↓ scroll", "↑/↓ để cuộn")
	if h.scroll > 0 {
		shown[0] = s.Faint.Render(cut(fmt.Sprintf(c.t("… %d earlier lines (%s)", "… %d dòng trước đó (%s)"), h.scroll+1, more), c.width))
	}
	if h.scroll+room < len(body) {
		shown[room-1] = s.Faint.Render(cut(fmt.Sprintf(c.t("… %d more lines (%s)", "… còn %d dòng (%s)"), len(body)-h.scroll-room+1, more), c.width))
	}
	return strings.Join(append(out, shown...), "\n")
}
