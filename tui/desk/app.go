package desk

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/tui"
	"github.com/fieldsurvey/fieldsurvey/tui/keys"
	"github.com/fieldsurvey/fieldsurvey/tui/session"
	"github.com/fieldsurvey/fieldsurvey/tui/styles"
)

// screen is one Bubble Tea model of the desk.
type screen interface {
	tea.Model
	// Typing reports whether a text field has focus (single-letter keys are text then).
	Typing() bool
	Help() keys.Help
	Title() string
}

type screenID int

const (
	scrQueue screenID = iota
	scrInterview
	scrDecide
	scrOverview
	scrAssign
	scrAssessList
	scrAssessment
)

// Messages between the screens and the root.
type (
	// OpenMsg asks the root to open an interview.
	OpenMsg struct{ ID string }
	// DecideMsg asks the root to start a decision on an interview (the form follows when
	// the rules allow it).
	DecideMsg struct {
		ID string
		To survey.Status
	}
	// SettleMsg asks for the settlement of a conflicted target (Options.Settle).
	SettleMsg struct {
		Interview string
		Target    survey.Target
	}
	// SettledMsg is what Options.Settle's command should end with: the desk reloads.
	SettledMsg struct{ Interview string }
	// FilterMsg shows the queue filtered to a province and a questionnaire (from the
	// overview).
	FilterMsg struct{ Province, Questionnaire string }
	// BackMsg leaves the active screen for the one below it.
	BackMsg struct{}

	noticeMsg struct {
		text survey.Text
		err  bool
	}
	submitMsg struct {
		id     string
		to     survey.Status
		reason string
	}
	checkedMsg struct {
		id  string
		to  survey.Status
		st  *survey.InterviewState
		err error
	}
	decidedMsg struct {
		id     string
		agency string
		to     survey.Status
		err    error
	}
	pendingMsg struct {
		n   int
		err error
	}
	syncStateMsg struct {
		info tui.SyncInfo
		err  error
	}
	syncDoneMsg struct {
		res tui.SyncResult
		err error
	}
	syncTickMsg struct{}
)

func notice(t survey.Text, isErr bool) tea.Cmd {
	return func() tea.Msg { return noticeMsg{text: t, err: isErr} }
}

// App is the root model of the desk.
type App struct {
	c       *shared
	help    help.Model
	showAll bool

	active screenID
	below  screenID // where the decide form goes back to
	queue  *queueScreen
	iv     *interviewScreen
	form   *decideScreen
	over   *overviewScreen
	// assign is the assign form (assign.go), opened from the overview.
	assign      *assignScreen
	assignBelow screenID
	alist       *assessListScreen
	as          *assessScreen

	notice   survey.Text
	noticeEr bool
	pending  int
	decided  int // decisions saved in this session
	sync     *tui.SyncInfo
	syncing  bool
	// writing counts decisions being written; quitting waits for them.
	writing  int
	quitting bool
	// quitArmed is set by a first ctrl+c on a form with something typed (a reason, an
	// assignment).
	quitArmed bool
}

// New builds the root model; Run uses it and tests drive it directly.
func New(ctx context.Context, opts Options, st Store, cat session.Catalog, sty *styles.Styles) *App {
	opts.defaults()
	if sty == nil {
		sty = tui.NewStyles(tui.Options{Color: opts.Color, Monochrome: opts.Monochrome, Background: opts.Background,
			Getenv: opts.Getenv, Output: opts.Output})
	}
	c := &shared{ctx: ctx, opts: opts, sty: sty, keys: NewKeys(opts.Lang), lang: opts.Lang, width: 80, height: 24,
		store: st, cat: cat}
	if opts.ReadOnly != nil {
		c.readOnlyLine = 1
	}
	a := &App{c: c, help: help.New()}
	s := sty
	a.help.Styles = help.Styles{Ellipsis: s.HelpSep, ShortKey: s.HelpKey, ShortDesc: s.HelpDesc,
		ShortSeparator: s.HelpSep, FullKey: s.HelpKey, FullDesc: s.HelpDesc, FullSeparator: s.HelpSep}
	a.help.ShortSeparator = " · "
	a.queue = newQueueScreen(c)
	a.over = newOverviewScreen(c)
	return a
}

// Init reads the first page of the queue, its filters and what waits to be sent.
func (a *App) Init() tea.Cmd {
	return tea.Batch(a.queue.Init(), a.pendingCmd(), a.syncStateCmd())
}

func (a *App) current() screen {
	switch a.active {
	case scrInterview:
		if a.iv != nil {
			return a.iv
		}
	case scrDecide:
		if a.form != nil {
			return a.form
		}
	case scrOverview:
		return a.over
	case scrAssign:
		if a.assign != nil {
			return a.assign
		}
	case scrAssessList:
		if a.alist != nil {
			return a.alist
		}
	case scrAssessment:
		if a.as != nil {
			return a.as
		}
	}
	return a.queue
}

// Update routes msg: sizes to every screen, the root's messages, global keys, then the
// active screen.
func (a *App) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, cmd := a.update(msg)
	return a, tea.Batch(cmd, a.handlePosted())
}

// handlePosted handles the messages the screens posted (shared.post), and those these post.
func (a *App) handlePosted() tea.Cmd {
	return a.c.posted.Handle(func(m tea.Msg) tea.Cmd { _, cmd := a.update(m); return cmd })
}

func (a *App) update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch m := msg.(type) {
	case tea.WindowSizeMsg:
		if m.Width <= 0 || m.Height <= 0 {
			return a, nil
		}
		a.c.width, a.c.height = m.Width, m.Height
		a.help.Width = m.Width
		var cmds []tea.Cmd
		for _, s := range []screen{a.queue, a.over} {
			_, cmd := s.Update(m)
			cmds = append(cmds, cmd)
		}
		if a.iv != nil {
			a.iv.Update(m)
		}
		if a.form != nil {
			a.form.Update(m)
		}
		if a.assign != nil {
			a.assign.Update(m)
		}
		if a.as != nil {
			a.as.Update(m)
		}
		return a, tea.Batch(cmds...)
	case noticeMsg:
		a.notice, a.noticeEr = m.text, m.err
		return a, nil
	case OpenMsg:
		a.iv = newInterviewScreen(a.c, m.ID)
		a.iv.Update(tea.WindowSizeMsg{Width: a.c.width, Height: a.c.height})
		a.active = scrInterview
		return a, a.iv.Init()
	case BackMsg:
		switch a.active {
		case scrDecide:
			a.form, a.active = nil, a.below
		case scrInterview:
			a.iv, a.active = nil, scrQueue
		case scrOverview:
			a.active = scrQueue
		case scrAssign:
			a.assign, a.active = nil, a.assignBelow
		case scrAssessment:
			a.as, a.active = nil, scrAssessList
			if a.alist != nil {
				return a, a.alist.Init()
			}
		case scrAssessList:
			a.alist, a.active = nil, scrQueue
		}
		return a, nil
	case showAssessmentsMsg:
		a.alist = newAssessListScreen(a.c)
		a.active = scrAssessList
		return a, a.alist.Init()
	case OpenAssessmentMsg:
		a.as = newAssessScreen(a.c, m.ID)
		a.as.Update(tea.WindowSizeMsg{Width: a.c.width, Height: a.c.height})
		a.active = scrAssessment
		return a, a.as.Init()
	case assessListMsg:
		if a.alist != nil {
			a.alist.Update(m)
		}
		return a, nil
	case assessLoadedMsg:
		if a.as != nil {
			a.as.Update(m)
		}
		return a, nil
	case pauseMsg:
		if a.as != nil && a.as.id == m.id {
			return a, a.as.paused(m)
		}
		return a, nil
	case assessSavedMsg:
		a.c.writing = max(0, a.c.writing-1)
		if a.quitting && a.c.writing == 0 && a.writing == 0 {
			return a, tea.Quit
		}
		cmds := []tea.Cmd{a.pendingCmd()}
		if a.as != nil && a.as.id == m.id {
			cmds = append(cmds, a.as.saved(m))
		}
		return a, tea.Batch(cmds...)
	case showOverviewMsg:
		a.active = scrOverview
		return a, a.over.load(a.over.qn)
	case FilterMsg:
		a.active = scrQueue
		return a, a.queue.filterTo(m.Province, m.Questionnaire)
	case AssignMsg:
		return a, a.openAssign(m)
	case assignSubmitMsg:
		return a, a.writeAssignment(m)
	case assignedMsg:
		return a, a.assigned(m)
	case assessorsMsg:
		if a.assign != nil {
			a.assign.Update(m)
		}
		return a, nil
	case DecideMsg:
		return a, a.check(m)
	case checkedMsg:
		return a, a.checked(m)
	case submitMsg:
		return a, a.write(m)
	case decidedMsg:
		return a, a.decidedMsg(m)
	case SettleMsg:
		if a.c.opts.Settle == nil {
			return a, notice(survey.T(
				fmt.Sprintf("Settle %s with: fieldsurvey conflicts settle %s %s", m.Target.Key, shortID(m.Interview), m.Target.Key),
				fmt.Sprintf("Giải quyết %s bằng lệnh: fieldsurvey conflicts settle %s %s", m.Target.Key, shortID(m.Interview), m.Target.Key)), false)
		}
		return a, a.c.opts.Settle(m.Interview, m.Target)
	case SettledMsg:
		var cmds []tea.Cmd
		if a.iv != nil && a.iv.id == m.Interview {
			cmds = append(cmds, a.iv.Init())
		}
		return a, tea.Batch(append(cmds, a.queue.reload(), a.pendingCmd())...)
	case pendingMsg:
		if m.err == nil {
			a.pending = m.n
		}
		return a, nil
	case syncStateMsg:
		if m.err == nil {
			info := m.info
			a.sync = &info
		}
		return a, nil
	case syncDoneMsg:
		return a, a.syncDone(m)
	case queueMsg, facetsMsg:
		_, cmd := a.queue.Update(m)
		return a, cmd
	case overviewMsg:
		_, cmd := a.over.Update(m)
		return a, cmd
	case openedMsg:
		if a.iv != nil {
			_, cmd := a.iv.Update(m)
			return a, cmd
		}
		return a, nil
	case tea.KeyMsg:
		// Each key of a burst after what the one before it posted (a change of screen).
		return a, keys.Dispatch(m, func(k tea.KeyMsg) tea.Cmd { return tea.Batch(a.key(k), a.handlePosted()) })
	}
	_, cmd := a.current().Update(msg)
	return a, cmd
}

// unsavedInput is a screen holding typed input that is not saved yet (a reason not yet a
// decision, a form not yet an assignment): unsaved says what a first ctrl+c would drop, or
// nil when nothing would be. A second ctrl+c quits.
type unsavedInput interface {
	unsaved() survey.Text
}

// key handles the global keys, then gives the key to the active screen.
func (a *App) key(m tea.KeyMsg) tea.Cmd {
	k := a.c.keys
	cur := a.current()
	typing := cur.Typing()
	a.notice = nil
	if !key.Matches(m, k.ForceQuit) {
		a.quitArmed = false
	}
	switch {
	case key.Matches(m, k.ForceQuit):
		if u, ok := cur.(unsavedInput); ok && !a.quitArmed {
			if w := u.unsaved(); w != nil {
				// What is typed is not saved yet: quitting would drop it. Say so once.
				a.quitArmed = true
				a.notice, a.noticeEr = w, true
				return nil
			}
		}
		return a.quit()
	case key.Matches(m, k.Lang2):
		return a.switchLang()
	case key.Matches(m, k.SyncNow):
		return a.syncNow()
	case key.Matches(m, k.HelpAlways), !typing && key.Matches(m, k.Help):
		a.showAll = !a.showAll
		return nil
	case a.showAll:
		if key.Matches(m, k.Back) || (!typing && key.Matches(m, k.Quit)) {
			a.showAll = false
		}
		return nil
	case !typing && key.Matches(m, k.Quit):
		return a.quit()
	}
	_, cmd := cur.Update(m)
	return cmd
}

// quit stops the program once the decisions being written are saved.
func (a *App) quit() tea.Cmd {
	var save tea.Cmd
	if a.as != nil && a.as.field != fieldNone {
		// What is typed in a text field is saved on leaving it: quitting leaves it.
		save = a.as.leave()
	}
	if (a.writing == 0 && a.c.writing == 0) || a.quitting {
		return tea.Quit
	}
	a.quitting = true
	a.notice, a.noticeEr = survey.T("Saving, then quitting…", "Đang lưu rồi thoát…"), false
	return save
}

func (a *App) switchLang() tea.Cmd {
	if a.c.lang == survey.LangVI {
		a.c.lang = survey.LangEN
	} else {
		a.c.lang = survey.LangVI
	}
	a.c.keys = NewKeys(a.c.lang)
	var reload tea.Cmd
	if a.iv != nil {
		a.iv.langChanged()
	}
	if a.as != nil {
		// The evidence is built in the interface language: build it again.
		reload = a.as.Init()
	}

	if a.c.opts.OnLanguage == nil {
		return reload
	}
	f, lang := a.c.opts.OnLanguage, a.c.lang
	return tea.Batch(reload, func() tea.Msg {
		if err := f(lang); err != nil {
			return noticeMsg{text: survey.T("language not saved in the configuration: "+err.Error(),
				"chưa lưu được ngôn ngữ vào cấu hình: "+err.Error()), err: true}
		}
		return nil
	})
}

// check reads the interview again and asks the rules whether the decision may start; the
// form opens only when they allow it (the reason is asked for there).
func (a *App) check(m DecideMsg) tea.Cmd {
	if a.c.opts.ReadOnly != nil {
		return notice(survey.T("Read-only: "+a.c.opts.ReadOnly.Get(survey.LangEN), "Chỉ xem: "+a.c.opts.ReadOnly.Get(survey.LangVI)), true)
	}
	st, ctx := a.c.store, a.c.ctx
	return func() tea.Msg {
		s, err := st.Interview(ctx, m.ID)
		return checkedMsg{id: m.ID, to: m.To, st: s, err: err}
	}
}

func (a *App) checked(m checkedMsg) tea.Cmd {
	if m.err != nil {
		return notice(survey.T("could not read the interview: "+m.err.Error(), "không đọc được phỏng vấn: "+m.err.Error()), true)
	}
	// The reason is asked for next: check everything else now, with a stand-in reason.
	if err := survey.CheckDecision(a.c.opts.Role, m.st.Status.Status, len(m.st.Conflicts), m.to, "-"); err != nil {
		return notice(ruleText(err, m.st), true)
	}
	if a.active != scrDecide {
		a.below = a.active
	}
	a.form = newDecideScreen(a.c, m.st, m.to)
	a.form.Update(tea.WindowSizeMsg{Width: a.c.width, Height: a.c.height})
	a.active = scrDecide
	return a.form.Init()
}

// ruleText is a refusal in both languages, naming the conflicts when they are why.
func ruleText(err error, st *survey.InterviewState) survey.Text {
	var re *survey.RuleError
	if !errors.As(err, &re) {
		return survey.T(err.Error(), err.Error())
	}
	t := re.Text()
	if st != nil && len(st.Conflicts) > 0 && strings.Contains(t.Get(survey.LangEN), "conflict") {
		en, vi := conflictNames(st.Conflicts)
		return survey.T(t.Get(survey.LangEN)+" — conflicts: "+en, t.Get(survey.LangVI)+" — xung đột: "+vi)
	}
	return t
}

// write records the decision: the state read again, the rules asked again with the
// reason, then one status revision by the home's device and principal.
func (a *App) write(m submitMsg) tea.Cmd {
	if a.c.opts.ReadOnly != nil {
		return notice(a.c.opts.ReadOnly, true)
	}
	a.writing++
	st, ctx, role := a.c.store, a.c.ctx, a.c.opts.Role
	by := session.Author{Device: a.c.opts.Device, Principal: a.c.opts.Principal}
	reason := survey.NFC(strings.TrimSpace(m.reason))
	return func() tea.Msg {
		s, err := st.Interview(ctx, m.id)
		if err != nil {
			return decidedMsg{id: m.id, to: m.to, err: fmt.Errorf("read interview %s: %w", m.id, err)}
		}
		if err := survey.CheckDecision(role, s.Status.Status, len(s.Conflicts), m.to, reason); err != nil {
			return decidedMsg{id: m.id, to: m.to, err: &decisionError{err: err, st: s}}
		}
		if _, err := st.Put(ctx, by, session.StatusChange(m.id, survey.StatusChange{Status: m.to, Reason: reason})); err != nil {
			return decidedMsg{id: m.id, to: m.to, err: fmt.Errorf("save the decision: %w", err)}
		}
		return decidedMsg{id: m.id, agency: s.Respondent.Agency, to: m.to}
	}
}

// decisionError is a refusal by the rules at the moment of writing.
type decisionError struct {
	err error
	st  *survey.InterviewState
}

func (e *decisionError) Error() string { return e.err.Error() }
func (e *decisionError) Unwrap() error { return e.err }

func (a *App) decidedMsg(m decidedMsg) tea.Cmd {
	a.writing = max(0, a.writing-1)
	if a.quitting && a.writing == 0 {
		return tea.Quit
	}
	if m.err != nil {
		var de *decisionError
		if errors.As(m.err, &de) {
			if a.form != nil {
				a.form.refused(ruleText(de.err, de.st))
			}
			return nil
		}
		if a.form != nil {
			a.form.refused(survey.T(m.err.Error(), m.err.Error()))
		}
		return nil
	}
	a.decided++
	if a.form != nil {
		a.form, a.active = nil, a.below
	}
	what := m.to.Label()
	var cmds []tea.Cmd
	if a.iv != nil && a.iv.id == m.id {
		cmds = append(cmds, a.iv.Init())
	}
	next := survey.T("waiting for a batch (fieldsurvey batch create)", "chờ đóng lô (fieldsurvey batch create)")
	if a.c.opts.Sync != nil {
		next = survey.T("waiting to sync (ctrl+s sends now)", "chờ đồng bộ (ctrl+s để gửi ngay)")
	}
	name := shortID(m.id)
	if m.agency != "" {
		name = m.agency + " (" + name + ")"
	}
	a.notice = survey.T(fmt.Sprintf("%s %s · saved, %s", name, what.Get(survey.LangEN), next.Get(survey.LangEN)),
		fmt.Sprintf("%s %s · đã lưu, %s", name, what.Get(survey.LangVI), next.Get(survey.LangVI)))
	a.noticeEr = false
	return tea.Batch(append(cmds, a.queue.reload(), a.pendingCmd(), a.over.reloadIfLoaded())...)
}

func (a *App) pendingCmd() tea.Cmd {
	st, ctx := a.c.store, a.c.ctx
	return func() tea.Msg {
		n, err := st.Pending(ctx)
		return pendingMsg{n: n, err: err}
	}
}

func (a *App) syncStateCmd() tea.Cmd {
	s := a.c.opts.Sync
	if s == nil {
		return nil
	}
	ctx := a.c.ctx
	return func() tea.Msg {
		info, err := s.SyncStatus(ctx)
		return syncStateMsg{info: info, err: err}
	}
}

func (a *App) syncNow() tea.Cmd {
	s := a.c.opts.Sync
	if s == nil {
		a.notice = survey.T("This home is not enrolled with a server: fieldsurvey batch create --out DIR packs the decisions for a USB stick.",
			"Máy này chưa đăng ký với máy chủ: fieldsurvey batch create --out DIR đóng các quyết định thành lô để chép vào USB.")
		a.noticeEr = false
		return nil
	}
	if a.syncing {
		return nil
	}
	a.syncing = true
	ctx := a.c.ctx
	return func() tea.Msg {
		res, err := s.SyncNow(ctx)
		return syncDoneMsg{res: res, err: err}
	}
}

func (a *App) syncDone(m syncDoneMsg) tea.Cmd {
	a.syncing = false
	info := m.res.Info
	a.sync = &info
	switch {
	case errors.Is(m.err, tui.ErrSyncBusy):
	case m.err != nil:
		a.notice, a.noticeEr = survey.T("sync failed: "+m.err.Error(), "đồng bộ thất bại: "+m.err.Error()), true
	default:
		en := fmt.Sprintf("Synced: %d batches sent.", m.res.Sent)
		if m.res.Sent == 1 {
			en = "Synced: 1 batch sent."
		}
		a.notice, a.noticeEr = survey.T(en, fmt.Sprintf("Đã đồng bộ: gửi %d lô.", m.res.Sent)), false
	}
	return tea.Batch(a.pendingCmd(), a.queue.reload(), a.over.reloadIfLoaded())
}

// View draws the header, the read-only banner, the active screen (or the help), the help
// line and the status line.
func (a *App) View() string {
	c := a.c
	w := c.width
	var b strings.Builder
	b.WriteString(a.header())
	b.WriteString("\n")
	if ro := c.opts.ReadOnly; ro != nil {
		b.WriteString(c.sty.Warning.Render(cut(c.t("Read-only: ", "Chỉ xem: ")+c.get(ro), w)))
		b.WriteString("\n")
	}
	status := a.statusLines()
	h := max(1, c.bodyHeight()-(len(status)-1))
	cur := a.current()
	var body []string
	if a.showAll {
		body = a.helpOverlay(cur, h)
	} else {
		body = lines(cur.View())
	}
	for _, l := range fit(body, h) {
		b.WriteString(cut(l, w))
		b.WriteString("\n")
	}
	a.help.Width = w
	short := cur.Help().Short
	if cur.Typing() {
		short = append(short, c.keys.HelpAlways)
	} else {
		short = append(short, c.keys.Help)
	}
	b.WriteString(cut(a.help.ShortHelpView(short), w))
	b.WriteString("\n")
	b.WriteString(strings.Join(status, "\n"))
	return b.String()
}

func (a *App) header() string {
	c, s := a.c, a.c.sty
	left := s.HeaderTitle.Render("fieldsurvey") + s.Subtle.Render(" · "+c.t("review", "duyệt")+" · "+a.current().Title())
	right := s.Subtle.Render(c.get(c.opts.Role.Label()) + ": " + c.opts.Principal)
	if c.opts.Principal == "" {
		right = ""
	}
	gap := c.width - width(right) - 1
	return pad(cut(left, gap-1), gap) + " " + right
}

// statusLines is the notice (up to three lines), else the status line.
func (a *App) statusLines() []string {
	c, s := a.c, a.c.sty
	if a.notice == nil {
		return []string{a.statusLine()}
	}
	st := s.OK
	if a.noticeEr {
		st = s.Error
	}
	ls := wrap(c.get(a.notice), c.width)
	if len(ls) > 3 {
		ls = append(ls[:2], cut(strings.Join(ls[2:], " "), c.width))
	}
	for i, l := range ls {
		ls[i] = st.Render(l)
	}
	return ls
}

// statusLine says what the decisions made here are waiting for: a batch or a sync, the
// sync's state, or that everything was sent.
func (a *App) statusLine() string {
	c, s := a.c, a.c.sty
	right := "VI [EN]"
	if c.lang == survey.LangVI {
		right = "[VI] EN"
	}
	var what string
	switch {
	case c.opts.ReadOnly != nil:
		what = c.t("read-only", "chỉ xem")
	case c.opts.Sync == nil && a.pending > 0:
		what = fmt.Sprintf(c.t("%d changes waiting for a batch (fieldsurvey batch create)", "%d thay đổi chờ đóng lô (fieldsurvey batch create)"), a.pending)
	case c.opts.Sync == nil:
		what = c.t("nothing waiting to be sent", "không có gì chờ gửi")
	case a.syncing || (a.sync != nil && a.sync.Sending):
		what = c.t("sending…", "đang gửi…")
	case a.sync != nil && a.sync.Offline:
		what = fmt.Sprintf(c.t("offline · %d changes, %d batches waiting", "ngoại tuyến · %d thay đổi, %d lô chờ gửi"), a.pending, a.sync.Waiting)
	case a.sync != nil && a.sync.LastError != nil:
		what = c.get(a.sync.LastError)
	case a.pending > 0 || (a.sync != nil && a.sync.Waiting > 0):
		waiting := 0
		if a.sync != nil {
			waiting = a.sync.Waiting
		}
		what = fmt.Sprintf(c.t("waiting to sync: %d changes, %d batches (ctrl+s)", "chờ đồng bộ: %d thay đổi, %d lô (ctrl+s)"), a.pending, waiting)
	case a.sync != nil && !a.sync.LastSent.IsZero():
		what = c.t("all sent, last at ", "đã gửi hết, lần cuối lúc ") + a.sync.LastSent.Local().Format("15:04")
	default:
		what = c.t("nothing waiting to be sent", "không có gì chờ gửi")
	}
	if a.decided > 0 {
		what = fmt.Sprintf(c.t("%d decided · ", "%d quyết định · "), a.decided) + what
	}
	gap := c.width - width(right) - 1
	return s.StatusLine.Render(pad(cut(what, gap-1), gap) + " " + right)
}

// helpOverlay is the full help of the active screen and the global keys, boxed.
func (a *App) helpOverlay(cur screen, h int) []string {
	c := a.c
	groups := cur.Help().FullHelp()
	groups = append(groups, c.keys.Global(c.opts.Sync != nil, cur.Typing()))
	hm := a.help
	hm.ShowAll = true
	hm.Width = 0
	inner := max(20, c.width-6)
	var rows, row []string
	rowW := 0
	for _, g := range groups {
		blk := hm.FullHelpView([][]key.Binding{g})
		if blk == "" {
			continue
		}
		bw := width(blk) + 3
		if rowW > 0 && rowW+bw > inner {
			rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, row...))
			row, rowW = nil, 0
		}
		row = append(row, blk+"   ")
		rowW += bw
	}
	if len(row) > 0 {
		rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, row...))
	}
	closeKeys := c.t("esc or ? to close", "esc hoặc ? để đóng")
	if cur.Typing() {
		closeKeys = c.t("esc or F1 to close; letters are typed as text here", "esc hoặc F1 để đóng; các chữ ở đây được gõ như văn bản")
	}
	title := c.sty.Title.Render(c.t("Keys", "Phím tắt")) + c.sty.Subtle.Render("  ("+closeKeys+")")
	body := title + "\n\n" + strings.Join(rows, "\n\n") + "\n\n" + c.sty.Subtle.Render(c.t(
		"A decision is a revision signed by this home's key when it is sent: approve needs no conflict, return and reopen need a reason.",
		"Mỗi quyết định là một bản sửa được ký bằng khoá của máy này khi gửi: duyệt khi không còn xung đột, trả lại và mở lại cần lý do."))
	box := c.sty.Overlay.Width(max(20, c.width-4)).Render(body)
	out := lines(box)
	if len(out) > h {
		out = out[:h]
	}
	return out
}

// Lang returns the interface language in use.
func (a *App) Lang() string { return a.c.lang }

// now is the desk's clock.
func (c *shared) now() time.Time { return c.opts.Now() }
