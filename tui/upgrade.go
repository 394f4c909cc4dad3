package tui

import (
	"errors"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/tui/keys"
	"github.com/fieldsurvey/fieldsurvey/tui/session"
)

// A newer version of the open interview's questionnaire (issue 12.3). When a draft (or a
// returned or reopened interview) is opened and the catalog holds a version it can move
// to (one whose migrates_from chain reaches the interview's), or when background sync
// installs such a version while the interview is open, the root keeps an offer. The offer
// is shown as a screen of what will change the next time the assessor goes to a place
// (opening, or leaving the current question): never while they type. Accepting writes the
// upgrade (survey.Upgrade.Changes, planned again from the interview as stored, in one Put)
// and reopens the interview on the new version; "later" keeps the version, and the offer
// comes back the next time the interview is opened.

// upgradeOffer is an upgrade the open interview is offered.
type upgradeOffer struct {
	id   string
	plan *survey.Upgrade
}

type (
	// upgradeOfferMsg carries an upgrade found for interview id after a sync installed a
	// questionnaire (nil plan: none).
	upgradeOfferMsg struct {
		id   string
		plan *survey.Upgrade
	}
	upgradeAcceptMsg struct{}
	upgradeLaterMsg  struct{}
	// upgradedMsg is the outcome of writing the upgrade.
	upgradedMsg struct {
		id, to string
		place  session.Place
		err    error
	}
)

// findUpgrade plans moving interview st to the newest version of its questionnaire in cat
// that it can reach (survey.FindUpgrade); nil when there is none, or when st may not move.
func findUpgrade(cat Catalog, st *survey.InterviewState) *survey.Upgrade {
	if cat == nil {
		return nil
	}
	return survey.FindUpgrade(cat.List(), st)
}

// upgradeUpdate handles the messages of the upgrade offer; ok is false for any other.
func (a *App) upgradeUpdate(msg tea.Msg) (tea.Cmd, bool) {
	switch m := msg.(type) {
	case upgradeOfferMsg:
		if m.plan == nil || a.iv == nil || a.iv.st.ID != m.id || a.declined[m.id] == m.plan.To {
			return nil, true
		}
		a.offer = &upgradeOffer{id: m.id, plan: m.plan}
		if a.active != scrUpgrade {
			a.setNotice(survey.T(
				fmt.Sprintf("Version %s of this questionnaire has arrived: what it changes is shown when you leave this question.", m.plan.To),
				fmt.Sprintf("Đã nhận phiên bản %s của bảng hỏi này: những gì thay đổi sẽ hiện khi bạn rời câu hỏi này.", m.plan.To)), false)
		}
		return nil, true
	case upgradeLaterMsg:
		if a.upgrade == nil {
			return nil, true
		}
		then := a.upgrade.then
		if a.offer != nil {
			a.declined[a.offer.id] = a.offer.plan.To
		}
		a.offer, a.upgrade = nil, nil
		return a.gotoPlace(then), true
	case upgradeAcceptMsg:
		return a.acceptUpgrade(), true
	case upgradedMsg:
		if a.upgrade != nil {
			a.upgrade.busy = false
		}
		if m.err != nil {
			if a.upgrade != nil {
				a.upgrade.err = m.err
			}
			return nil, true
		}
		a.offer, a.upgrade = nil, nil
		a.setNotice(survey.T(fmt.Sprintf("The interview is now on version %s of the questionnaire.", m.to),
			fmt.Sprintf("Phỏng vấn nay dùng phiên bản %s của bảng hỏi.", m.to)), false)
		return tea.Batch(a.open(m.id, m.place), a.home.reload()), true
	}
	return nil, false
}

// offerAt shows the upgrade offer instead of going to p, when there is one for the open
// interview; ok is false when there is none.
func (a *App) offerAt(p session.Place) (tea.Cmd, bool) {
	if a.offer == nil || a.iv == nil || a.offer.id != a.iv.st.ID || a.active == scrUpgrade {
		return nil, false
	}
	flush := a.flushCmd()
	a.versions, a.history, a.stack = nil, nil, nil
	a.upgrade = &upgradeScreen{c: a.c, offer: a.offer, then: p, title: a.iv.q.Title}
	a.active = scrUpgrade
	return flush, true
}

// acceptUpgrade writes the upgrade once everything typed is saved: planned again from the
// interview as stored (what the write replaces), in one Put by this device.
func (a *App) acceptUpgrade() tea.Cmd {
	u := a.upgrade
	if u == nil || u.busy {
		return nil
	}
	if a.saver.busy() {
		a.setNotice(survey.T("Still saving the last answer: press enter again in a moment.",
			"Đang lưu câu trả lời vừa nhập: hãy nhấn enter lại sau giây lát."), false)
		return nil
	}
	u.busy, u.err = true, nil
	st, cat, ctx, w := a.c.store, a.c.cat, a.c.ctx, a.c.writer
	id, to, place := u.offer.id, u.offer.plan.To, u.then
	return func() tea.Msg {
		s, err := st.Interview(ctx, id)
		if err != nil {
			return upgradedMsg{id: id, err: err}
		}
		plan := findUpgrade(cat, s)
		if plan == nil || plan.To != to {
			return upgradedMsg{id: id, err: errors.New("the interview can no longer move to this version (its status or the catalog changed): go back and open it again")}
		}
		if _, err := w.PutRevisions(ctx, plan.Changes()...); err != nil {
			return upgradedMsg{id: id, err: err}
		}
		return upgradedMsg{id: id, to: to, place: place}
	}
}

// checkUpgrade, after a sync that installed questionnaires, reads the catalog's folder
// again and looks for an upgrade of the open interview.
func (a *App) checkUpgrade(res SyncResult) tea.Cmd {
	if len(res.Questionnaires) == 0 || a.iv == nil {
		return nil
	}
	st, cat, ctx, id := a.c.store, a.c.cat, a.c.ctx, a.iv.st.ID
	return func() tea.Msg {
		if r, ok := cat.(interface{ Refresh() error }); ok {
			_ = r.Refresh() // a file it cannot read is reported by the catalog's problems
		}
		s, err := st.Interview(ctx, id)
		if err != nil {
			return nil
		}
		return upgradeOfferMsg{id: id, plan: findUpgrade(cat, s)}
	}
}

// upgradeScreen shows what moving the open interview to a newer questionnaire version
// changes, with accept and later.
type upgradeScreen struct {
	c     *shared
	offer *upgradeOffer
	title survey.Text
	then  session.Place // where the assessor was going
	busy  bool          // the write is on its way
	err   error
}

func (s *upgradeScreen) Init() tea.Cmd          { return nil }
func (s *upgradeScreen) Typing() bool           { return false }
func (s *upgradeScreen) Dirty() bool            { return false }
func (s *upgradeScreen) Flush() []survey.Change { return nil }

func (s *upgradeScreen) bindings() (accept, later key.Binding) {
	accept = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", s.c.t("move to the new version", "chuyển sang phiên bản mới")))
	later = key.NewBinding(key.WithKeys("esc", "l"), key.WithHelp("esc/l", s.c.t("later", "để sau")))
	return accept, later
}

func (s *upgradeScreen) Help() keys.Help {
	accept, later := s.bindings()
	return keys.Help{Short: []key.Binding{accept, later}}
}

func (s *upgradeScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m, ok := msg.(tea.KeyMsg)
	if !ok || s.busy {
		return s, nil
	}
	accept, later := s.bindings()
	switch {
	case key.Matches(m, accept):
		return s, s.c.post(upgradeAcceptMsg{})
	case key.Matches(m, later):
		return s, s.c.post(upgradeLaterMsg{})
	}
	return s, nil
}

func (s *upgradeScreen) View() string {
	c, sty, u := s.c, s.c.sty, s.offer.plan
	w := c.width
	out := []string{sty.Title.Render(cut(c.t("A new version of the questionnaire", "Phiên bản mới của bảng hỏi"), w)), ""}
	out = append(out, wrap(fmt.Sprintf("%s: %s", c.get(s.title), c.t(
		fmt.Sprintf("version %s → %s", u.From, u.To), fmt.Sprintf("phiên bản %s → %s", u.From, u.To))), w)...)
	out = append(out, "", sty.Heading.Render(c.t("What will change", "Những gì sẽ thay đổi")))
	lines := u.Describe()[1:] // the first line is the versions, said above
	for _, l := range lines {
		for i, wl := range wrap(c.get(l), max(10, w-2)) {
			if i == 0 {
				out = append(out, "• "+wl)
			} else {
				out = append(out, "  "+wl)
			}
		}
	}
	out = append(out, "")
	for _, l := range wrap(c.t("Nothing is deleted: an answer whose question is no longer asked stays in the interview and its history. The change is saved like any answer and sent with the next sync.",
		"Không có gì bị xoá: câu trả lời của câu hỏi không còn hỏi vẫn được giữ trong phỏng vấn và lịch sử. Thay đổi được lưu như mọi câu trả lời và gửi đi ở lần đồng bộ tiếp theo."), w) {
		out = append(out, sty.Subtle.Render(l))
	}
	out = append(out, "")
	for _, l := range wrap(c.t("enter moves the interview to the new version; esc keeps this version for now (you are asked again the next time you open it).",
		"enter để chuyển phỏng vấn sang phiên bản mới; esc để tạm giữ phiên bản này (sẽ được hỏi lại lần mở sau)."), w) {
		out = append(out, sty.Subtle.Render(l))
	}
	switch {
	case s.busy:
		out = append(out, "", c.t("Saving…", "Đang lưu…"))
	case s.err != nil:
		out = append(out, "", sty.Error.Render(cut(c.t("Not moved: ", "Chưa chuyển được: ")+s.err.Error(), w)))
	}
	return strings.Join(out, "\n")
}
