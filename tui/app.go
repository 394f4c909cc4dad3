package tui

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/tui/internal/posted"
	"github.com/fieldsurvey/fieldsurvey/tui/keys"
	"github.com/fieldsurvey/fieldsurvey/tui/session"
	"github.com/fieldsurvey/fieldsurvey/tui/styles"
)

// shared is what every screen reads: styles, keys, language, size, clock and data sources.
// The root owns it; screens hold a pointer and never change it.
type shared struct {
	ctx    context.Context
	opts   Options
	sty    *styles.Styles
	keys   *keys.Map
	lang   string
	width  int
	height int
	store  Store
	cat    Catalog
	writer *session.Writer
	// escArmed is set by a first esc on an interview screen; a second one goes home.
	escArmed bool
	// statusExtra is how many lines a notice takes from the body this frame (a notice
	// wraps onto up to three lines): a screen that keeps its last line in view (the
	// roster's position) draws that much shorter.
	statusExtra int
	// neutral is how the open interview's questionnaire marks neutral or mixed evidence
	// ("0", or "o" for ODRA): every screen of the interview draws evidence with it.
	neutral string
	// posted are the messages screens posted (post): the app handles them before it reads
	// the next.
	posted posted.Box
}

// post has the app handle msg (a change of screen: GotoMsg, HistoryMsg, HomeMsg…) right
// after the message being handled, before any key typed after this one (package posted).
func (c *shared) post(msg tea.Msg) tea.Cmd { return c.posted.Post(msg) }

// polarity draws an evidence sign as the open interview's questionnaire marks it.
func (c *shared) polarity(p survey.Polarity) string { return c.sty.PolarityMark(p, c.neutral) }

// leave handles esc on an interview screen: the first press says what a second will do,
// so that an esc too many (after leaving a text field) does not throw the assessor out of
// the interview.
func (c *shared) leave() tea.Cmd {
	if c.escArmed {
		c.escArmed = false
		return c.post(HomeMsg{})
	}
	c.escArmed = true
	return notice(survey.T("Press esc again to go back to the list of interviews (everything is saved).",
		"Nhấn esc lần nữa để về danh sách phỏng vấn (mọi thứ đã được lưu)."), false)
}

func (c *shared) t(en, vi string) string { return tr(c.lang, en, vi) }
func (c *shared) get(t survey.Text) string {
	return t.Get(c.lang)
}
func (c *shared) now() time.Time { return c.opts.Now() }

// bodyHeight is the height left for a screen between the header and the two footer lines.
func (c *shared) bodyHeight() int { return max(1, c.height-3) }

// screen is one Bubble Tea model of the TUI. Update and View follow tea.Model; the other
// methods let the root decide about global keys, saving and help.
type screen interface {
	tea.Model
	// Typing reports whether a text field has focus (single-letter global keys are inert).
	Typing() bool
	// Dirty reports whether typed text is not yet queued for saving.
	Dirty() bool
	// Flush queues typed text: it returns the changes to write (and updates the in-memory
	// state); the root writes them.
	Flush() []survey.Change
	// Help returns the bindings of the focused element.
	Help() keys.Help
}

type screenID int

const (
	scrHome screenID = iota
	scrNew
	scrQuestion
	scrSections
	scrSummary
	scrReview
	scrVersions // over a question or section summary: the versions of a conflict
	scrHistory  // over a question, a section summary or the versions: a history
	scrSettings
	scrUpgrade // over an interview: what moving it to a newer questionnaire version changes
)

// App is the root model.
type App struct {
	// quitArmed is set by a first ctrl+c on a screen holding input that is not saved (see
	// unsavedInput): a second one quits and drops it.
	quitArmed bool
	c         *shared
	saver     saver
	help      help.Model
	showAll   bool // the help overlay

	active   screenID
	home     *homeScreen
	newForm  *newScreen
	iv       *interview
	question *questionScreen
	sections *sectionsScreen
	summary  *summaryScreen
	review   *reviewScreen
	versions *versionsScreen
	history  *historyScreen
	// stack holds the screens under the versions and history views (esc goes back).
	stack    []screenID
	settings *settingsScreen
	// offer is an upgrade the open interview is offered, shown as upgrade at the next place
	// (tui/upgrade.go); declined remembers, by interview, the version answered "later".
	offer    *upgradeOffer
	upgrade  *upgradeScreen
	declined map[string]string

	unsent   int
	sync     *SyncInfo // the last sync state known; nil before the first (or without a server)
	syncing  bool      // a SyncNow started here has not answered yet
	notice   survey.Text
	noticeEr bool
	quitting bool
	forced   bool
	opening  string
	// locks are the edit locks this window holds, by interview: the open one, and those
	// it left while their last writes were still on the way.
	locks map[string]func()
	place session.Place // the place shown in the open interview
	// syncEvery is how often the outbox figures are asked for (the sync itself decides
	// whether its interval has passed).
	syncEvery time.Duration
}

// New builds the root model. Run uses it; tests drive it directly.
func New(ctx context.Context, opts Options, st Store, cat Catalog, sty *styles.Styles) *App {
	opts.defaults()
	if sty == nil {
		sty = NewStyles(opts)
	}
	c := &shared{ctx: ctx, opts: opts, sty: sty, keys: keys.New(opts.Lang), lang: opts.Lang,
		width: 80, height: 24, store: st, cat: cat}
	c.writer = &session.Writer{Store: st, Author: session.Author{Device: opts.Device, Principal: opts.Principal},
		Assessor: opts.AssessorName}
	a := &App{c: c, help: help.New(), syncEvery: 30 * time.Second, locks: map[string]func(){}, declined: map[string]string{}}
	a.saver = newSaver(ctx, c.writer, opts.Now)
	a.saver.base, a.saver.saw = a.headsSeen, a.sawRevisions
	a.styleHelp()
	a.home = newHomeScreen(c)
	return a
}

func (a *App) styleHelp() {
	s := a.c.sty
	a.help.Styles = help.Styles{Ellipsis: s.HelpSep, ShortKey: s.HelpKey, ShortDesc: s.HelpDesc,
		ShortSeparator: s.HelpSep, FullKey: s.HelpKey, FullDesc: s.HelpDesc, FullSeparator: s.HelpSep}
	a.help.ShortSeparator = " · "
}

// Init loads the list of interviews (and opens one if asked).
func (a *App) Init() tea.Cmd {
	cmds := []tea.Cmd{a.home.Init(), a.syncCmd()}
	if o := a.c.opts; o.AssessorName == "" && o.OnName != nil && o.Interview == "" {
		// First run without a name: ask for it once (skipping counts as an answer).
		st, ctx := a.c.store, a.c.ctx
		cmds = append(cmds, func() tea.Msg {
			_, asked, err := st.GetMeta(ctx, NameAskedKey)
			return nameNeededMsg{ask: err == nil && !asked}
		})
	}
	if a.c.opts.Interview != "" {
		id, at := a.c.opts.Interview, a.c.opts.At
		cmds = append(cmds, func() tea.Msg { return OpenInterviewMsg{ID: id, At: at} })
	}
	return tea.Batch(cmds...)
}

func (a *App) current() screen {
	switch a.active {
	case scrNew:
		return a.newForm
	case scrQuestion:
		return a.question
	case scrSections:
		return a.sections
	case scrSummary:
		return a.summary
	case scrReview:
		return a.review
	case scrVersions:
		return a.versions
	case scrHistory:
		return a.history
	case scrSettings:
		if a.settings != nil {
			return a.settings
		}
	case scrUpgrade:
		if a.upgrade != nil {
			return a.upgrade
		}
	}
	return a.home
}

func (a *App) screens() []screen {
	out := []screen{a.home}
	for _, s := range []screen{a.newForm, a.question, a.sections, a.summary, a.review, a.versions, a.history, a.settings, a.upgrade} {
		if s != nil && !isNil(s) {
			out = append(out, s)
		}
	}
	return out
}

func isNil(s screen) bool {
	switch x := s.(type) {
	case *newScreen:
		return x == nil
	case *questionScreen:
		return x == nil
	case *sectionsScreen:
		return x == nil
	case *summaryScreen:
		return x == nil
	case *reviewScreen:
		return x == nil
	case *homeScreen:
		return x == nil
	case *versionsScreen:
		return x == nil
	case *historyScreen:
		return x == nil
	case *settingsScreen:
		return x == nil
	case *upgradeScreen:
		return x == nil
	}
	return false
}

// Update routes msg: sizes to every screen, then the root's own messages, then global keys,
// then the active screen.
func (a *App) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, cmd := a.update(msg)
	return a, tea.Batch(cmd, a.handlePosted())
}

// handlePosted handles the messages the screens posted (shared.post), and those these post.
func (a *App) handlePosted() tea.Cmd {
	return a.c.posted.Handle(func(m tea.Msg) tea.Cmd { _, cmd := a.update(m); return cmd })
}

func (a *App) update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if cmd, ok := a.upgradeUpdate(msg); ok {
		return a, cmd
	}
	switch m := msg.(type) {
	case tea.WindowSizeMsg:
		if m.Width <= 0 || m.Height <= 0 {
			// A terminal that does not know its size (a fresh pseudo-terminal): keep 80×24.
			return a, nil
		}
		a.c.width, a.c.height = m.Width, m.Height
		a.help.Width = m.Width
		var cmds []tea.Cmd
		for _, s := range a.screens() {
			_, cmd := s.Update(m)
			cmds = append(cmds, cmd)
		}
		return a, tea.Batch(cmds...)

	case SaveMsg:
		cmd := a.saver.add(m.Changes)
		var se *survey.SizeError
		if err := a.saver.takeNotice(); errors.As(err, &se) {
			a.setNotice(se.Text(), true)
		}
		return a, cmd
	case savedMsg:
		cmd := a.saver.done(m)
		a.releaseLocks(false)
		if a.quitting && !a.saver.busy() {
			return a, tea.Quit
		}
		if a.quitting && a.saver.err != nil {
			a.quitting, a.forced = false, true
			a.setNotice(survey.T("could not save: "+a.saver.err.Error()+"; retrying. Press ctrl+c again to quit anyway.",
				"không lưu được: "+a.saver.err.Error()+"; đang thử lại. Nhấn ctrl+c lần nữa để vẫn thoát."), true)
		}
		return a, cmd
	case retryMsg:
		return a, a.saver.start()
	case NoticeMsg:
		a.setNotice(m.Text, m.Err)
		return a, nil
	case langSavedMsg:
		if m.err != nil {
			a.setNotice(survey.T("language not saved in the configuration: "+m.err.Error(),
				"chưa lưu được ngôn ngữ vào cấu hình: "+m.err.Error()), true)
		}
		return a, nil
	case syncMsg:
		return a, a.syncState(m)
	case syncDoneMsg:
		return a, a.syncDone(m)
	case syncTickMsg:
		return a, a.syncCmd()

	case NewInterviewMsg:
		a.flushActive()
		a.newForm = newNewScreen(a.c)
		a.active = scrNew
		_, cmd := a.newForm.Update(tea.WindowSizeMsg{Width: a.c.width, Height: a.c.height})
		return a, tea.Batch(cmd, a.newForm.Init())
	case startPlannedMsg:
		a.flushActive()
		f, ok := newPlannedScreen(a.c, m)
		if !ok {
			// Its questionnaire is not installed: opening it says so.
			return a, a.open(m.id, session.Place{})
		}
		a.newForm = f
		a.active = scrNew
		_, cmd := a.newForm.Update(tea.WindowSizeMsg{Width: a.c.width, Height: a.c.height})
		return a, tea.Batch(cmd, a.newForm.Init())
	case createdMsg:
		if m.err != nil {
			a.newForm.createFailed(m.err)
			return a, nil
		}
		a.saver.last = a.c.now()
		// The list (and the count of interviews not yet sent) now includes the new one.
		return a, tea.Batch(a.open(m.id, session.Place{}), a.home.reload())
	case hangupMsg:
		// The terminal is gone: write everything and stop.
		a.quitting = true
		a.flushCmd()
		return a, tea.Quit
	case OpenInterviewMsg:
		cmd := a.flushCmd()
		return a, tea.Batch(cmd, a.open(m.ID, m.At))
	case openedMsg:
		return a, a.opened(m)
	case SettingsMsg:
		a.openSettings(false)
		return a, nil
	case nameNeededMsg:
		if m.ask && a.active == scrHome {
			a.openSettings(true)
		}
		return a, nil
	case nameSavedMsg:
		if m.err != nil {
			if a.settings != nil {
				a.settings.err = m.err
			}
			return a, nil
		}
		a.c.opts.AssessorName = m.name
		a.c.writer.Assessor = m.name
		a.settings, a.active = nil, scrHome
		a.setNotice(survey.T("Name saved: new interviews record it.", "Đã lưu tên: các phỏng vấn mới sẽ ghi tên này."), false)
		return a, a.home.reload()
	case HomeMsg:
		cmd := a.flushCmd()
		a.settings = nil
		a.active = scrHome
		a.iv, a.question, a.sections, a.summary, a.review = nil, nil, nil, nil, nil
		a.versions, a.history, a.stack = nil, nil, nil
		a.offer, a.upgrade = nil, nil
		a.releaseLocks(false)
		a.newForm = nil
		return a, tea.Batch(cmd, a.home.reload())
	case GotoMsg:
		return a, a.gotoPlace(m.Place)
	case jumpMsg:
		if a.question == nil {
			return a, nil
		}
		flush := a.flushCmd()
		a.active = scrQuestion
		a.question.jumping = true
		a.question.jump.SetValue("")
		return a, tea.Batch(flush, a.question.jump.Focus())
	case VersionsMsg:
		return a, a.openVersions(m.Target)
	case HistoryMsg:
		return a, a.openHistory(m.Target)
	case historyLoadedMsg:
		if a.history != nil {
			a.history.Update(m)
		}
		return a, nil
	case BackMsg:
		a.back()
		return a, nil
	case SettleMsg:
		return a, a.settle(m)
	case settledMsg:
		return a, a.settled(m)
	case EditFromMsg:
		return a, a.editFrom(m)
	case listedMsg:
		if m.all && m.err == nil {
			a.unsent = 0
			for st, n := range m.counts {
				if st != survey.StatusSubmitted && st != survey.StatusApproved {
					a.unsent += n
				}
			}
		}
		_, cmd := a.home.Update(m)
		return a, cmd
	case pageMsg:
		_, cmd := a.home.Update(m)
		return a, cmd
	case detailMsg:
		_, cmd := a.home.Update(m)
		return a, cmd
	case suggestionsMsg:
		if a.newForm != nil {
			_, cmd := a.newForm.Update(m)
			return a, cmd
		}
		return a, nil

	case tea.KeyMsg:
		// Each key of a burst after what the one before it posted (a change of screen).
		return a, keys.Dispatch(m, func(k tea.KeyMsg) tea.Cmd { return tea.Batch(a.key(k), a.handlePosted()) })
	case tea.MouseMsg:
		if a.showAll {
			return a, nil
		}
	}
	_, cmd := a.current().Update(msg)
	return a, cmd
}

type (
	syncTickMsg struct{}
	hangupMsg   struct{}
)

// finish writes what is still unsaved once the program has stopped, however it stopped
// (quit, SIGTERM, a closed terminal): the active screen's typed text, the queue, and a Put
// that was still running.
func (a *App) finish() error {
	err := a.saver.drain(a.current().Flush(), 5*time.Second)
	a.releaseLocks(true)
	return err
}

func (a *App) setNotice(t survey.Text, isErr bool) {
	a.notice, a.noticeEr = t, isErr
}

// unsavedInput is a screen holding input that a quit would lose (a new interview's form not
// created yet, a roster row that cannot be saved as it is): unsaved says what, or nil when
// nothing would be lost. The supervisor's desk has the same rule.
type unsavedInput interface {
	unsaved() survey.Text
}

func unsavedOf(s screen) survey.Text {
	if u, ok := s.(unsavedInput); ok {
		return u.unsaved()
	}
	return nil
}

// key handles global keys, then hands the key to the active screen.
func (a *App) key(m tea.KeyMsg) tea.Cmd {
	k := a.c.keys
	cur := a.current()
	typing := cur.Typing()
	a.notice = nil
	if !key.Matches(m, k.Back) || typing {
		a.c.escArmed = false
	}
	if !key.Matches(m, k.ForceQuit) {
		a.quitArmed = false
	}
	switch {
	case key.Matches(m, k.ForceQuit) && !a.quitArmed && unsavedOf(cur) != nil:
		// What is typed cannot be saved as it is: quitting would lose it. Say so once; a
		// second ctrl+c quits.
		a.quitArmed = true
		a.setNotice(unsavedOf(cur), true)
		return nil
	case key.Matches(m, k.ForceQuit):
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

// quit writes everything first, then stops. When writing fails, the first ctrl+c says so
// and a second one stops anyway (Run reports what could not be saved).
func (a *App) quit() tea.Cmd {
	if a.quitting {
		return tea.Quit
	}
	if a.saver.failed() {
		if a.forced {
			return tea.Quit
		}
		a.forced = true
		a.setNotice(survey.T("could not save: "+a.saver.err.Error()+"; retrying. Press ctrl+c again to quit anyway.",
			"không lưu được: "+a.saver.err.Error()+"; đang thử lại. Nhấn ctrl+c lần nữa để vẫn thoát."), true)
		return nil
	}
	a.quitting = true
	cmd := a.flushCmd()
	if !a.saver.busy() {
		return tea.Quit
	}
	return cmd
}

func (a *App) switchLang() tea.Cmd {
	if a.c.lang == survey.LangVI {
		a.c.lang = survey.LangEN
	} else {
		a.c.lang = survey.LangVI
	}
	a.c.keys = keys.New(a.c.lang)
	for _, s := range a.screens() {
		if l, ok := s.(interface{ langChanged() }); ok {
			l.langChanged()
		}
	}
	if a.c.opts.OnLanguage == nil {
		return nil
	}
	f, lang := a.c.opts.OnLanguage, a.c.lang
	return func() tea.Msg { return langSavedMsg{err: f(lang)} }
}

// openSettings shows the settings (firstRun: the first-run question for the name).
func (a *App) openSettings(firstRun bool) {
	a.settings = newSettingsScreen(a.c, firstRun)
	a.settings.Update(tea.WindowSizeMsg{Width: a.c.width, Height: a.c.height})
	a.active = scrSettings
}

// flushActive queues the active screen's typed text.
func (a *App) flushActive() tea.Cmd { return a.flushCmd() }

func (a *App) flushCmd() tea.Cmd {
	ch := a.current().Flush()
	if len(ch) == 0 {
		return nil
	}
	return a.saver.add(ch)
}

// open loads an interview and where it was left, in a command, after taking its edit
// lock (Options.Lock) unless this window holds it already.
func (a *App) open(id string, at session.Place) tea.Cmd {
	a.opening = id
	st, cat, ctx, lock := a.c.store, a.c.cat, a.c.ctx, a.c.opts.Lock
	if _, ok := a.locks[id]; ok {
		lock = nil
	}
	return func() tea.Msg {
		var release func()
		if lock != nil {
			r, err := lock(id)
			if err != nil {
				return openedMsg{err: err}
			}
			release = r
		}
		msg := openIn(ctx, st, cat, id, at)
		if msg.err != nil && release != nil {
			release()
			release = nil
		}
		msg.release = release
		return msg
	}
}

// headsSeen returns the heads of target t that the open interview's screens were showing
// (what a change of t is made from), when t is the open interview's.
func (a *App) headsSeen(t survey.Target) ([]string, bool) {
	if a.iv == nil || t.Interview != a.iv.st.ID {
		return nil, false
	}
	return a.iv.st.Heads[t], true
}

// sawRevisions records the revisions a Put wrote as the heads of their targets in the
// open interview: the next change of a target is made from them.
func (a *App) sawRevisions(revs []survey.Revision) {
	for _, r := range revs {
		if a.iv != nil && r.Interview == a.iv.st.ID {
			a.iv.st.Heads[r.Target()] = []string{r.ID}
		}
	}
}

// releaseLocks gives back the edit locks of the interviews this window has left, once
// everything it wrote is saved: another window must not read an interview while this one
// still has writes of it on the way.
func (a *App) releaseLocks(all bool) {
	if a.saver.busy() && !all {
		return
	}
	for id, release := range a.locks {
		if all || a.iv == nil || a.iv.st.ID != id {
			release()
			delete(a.locks, id)
		}
	}
}

func openIn(ctx context.Context, st Store, cat Catalog, id string, at session.Place) openedMsg {
	s, err := st.Interview(ctx, id)
	if err != nil {
		return openedMsg{err: fmt.Errorf("open interview %s: %w", id, err)}
	}
	q, ok := session.Find(cat, s.Meta.Questionnaire, s.Meta.QuestionnaireVersion)
	if !ok {
		return openedMsg{err: fmt.Errorf("open interview %s: questionnaire %s version %s is not installed on this device",
			id, s.Meta.Questionnaire, s.Meta.QuestionnaireVersion)}
	}
	place := at
	if place == (session.Place{}) {
		if v, ok, err := st.GetMeta(ctx, session.ResumeKey(id)); err == nil && ok {
			place = session.ParsePlace(v)
		}
	}
	return openedMsg{st: s, q: q, place: place, upgrade: findUpgrade(cat, s)}
}

func (a *App) opened(m openedMsg) tea.Cmd {
	if m.err != nil {
		var hint survey.Text
		var tx interface{ Text() survey.Text }
		switch {
		case errors.Is(m.err, session.ErrNotFound):
			hint = survey.T("interview not found", "không tìm thấy phỏng vấn")
		case errors.As(m.err, &tx):
			hint = tx.Text()
		default:
			hint = survey.T(m.err.Error(), m.err.Error())
		}
		a.setNotice(hint, true)
		return nil
	}
	a.opening = ""
	if m.release != nil {
		a.locks[m.st.ID] = m.release
	}
	a.versions, a.history, a.stack = nil, nil, nil
	a.offer, a.upgrade = nil, nil
	if m.upgrade != nil {
		a.offer = &upgradeOffer{id: m.st.ID, plan: m.upgrade}
	}
	a.iv = newInterview(m.q, m.st, a.c.opts.Role)
	a.c.neutral = m.q.NeutralMark()
	a.question = newQuestionScreen(a.c, a.iv)
	a.sections = newSectionsScreen(a.c, a.iv)
	a.summary = newSummaryScreen(a.c, a.iv)
	a.review = newReviewScreen(a.c, a.iv)
	size := tea.WindowSizeMsg{Width: a.c.width, Height: a.c.height}
	for _, s := range []screen{a.question, a.sections, a.summary, a.review} {
		s.Update(size)
	}
	place := m.place
	if !a.valid(place) {
		place = a.firstPlace()
	}
	return a.gotoPlace(place)
}

func (a *App) valid(p session.Place) bool {
	switch {
	case p.Review:
		return true
	case p.Question != "":
		_, ok := a.iv.index[p.Question]
		return ok
	case p.Section != "":
		_, ok := a.iv.secIndex[p.Section]
		return ok
	}
	return false
}

// firstPlace is where a fresh interview starts: the first unanswered relevant question.
func (a *App) firstPlace() session.Place {
	if i := a.iv.nextUnanswered(len(a.iv.order) - 1); i >= 0 {
		return session.Place{Question: a.iv.order[i].ID}
	}
	return session.Place{Review: true}
}

// gotoPlace shows p, queuing typed text first and remembering p for resuming.
func (a *App) gotoPlace(p session.Place) tea.Cmd {
	if a.iv == nil {
		return nil
	}
	if cmd, ok := a.offerAt(p); ok {
		return cmd
	}
	flush := a.flushCmd()
	a.versions, a.history, a.stack = nil, nil, nil
	var cmd tea.Cmd
	switch {
	case p.Review:
		a.active = scrReview
		cmd = a.review.show()
	case p.Question != "":
		a.active = scrQuestion
		cmd = a.question.show(p.Question)
	case p.Section != "":
		if p.Section == sectionsList {
			a.active = scrSections
			if a.place.Section != sectionsList {
				a.sections.back = a.place
			}
			a.place = p
			cmd = a.sections.show()
			break
		}
		a.active = scrSummary
		cmd = a.summary.show(p.Section)
	}
	a.place = p
	st, ctx, id := a.c.store, a.c.ctx, a.iv.st.ID
	val := p.String()
	remember := func() tea.Msg {
		if err := st.SetMeta(ctx, session.ResumeKey(id), val); err != nil {
			return NoticeMsg{Text: survey.T("could not remember the place: "+err.Error(), "không ghi nhớ được vị trí: "+err.Error()), Err: true}
		}
		return nil
	}
	if p.Section == sectionsList {
		remember = nil
	}
	return tea.Batch(flush, cmd, remember)
}

// sectionsList is the pseudo section id of the list of sections.
const sectionsList = "\x00sections"

// View draws the header, the active screen (or the help overlay), the help line and the
// status line.
func (a *App) View() string {
	c := a.c
	w := c.width
	var b strings.Builder
	b.WriteString(a.header())
	b.WriteString("\n")
	status := a.statusLines()
	h := max(1, c.bodyHeight()-(len(status)-1))
	c.statusExtra = len(status) - 1
	cur := a.current()
	var body []string
	if a.showAll {
		body = a.helpOverlay(cur, h)
	} else {
		body = lines(cur.View())
	}
	body = fit(body, h)
	for _, l := range body {
		b.WriteString(cut(l, w))
		b.WriteString("\n")
	}
	a.help.Width = w
	b.WriteString(cut(a.help.ShortHelpView(a.shortHelp(cur)), w))
	b.WriteString("\n")
	b.WriteString(strings.Join(status, "\n"))
	return b.String()
}

// statusLines is the status line, or a notice: a notice too long for one line (an error
// saying what to do) wraps onto up to three lines, taken from the body, so that it is
// read whole.
func (a *App) statusLines() []string {
	if a.notice == nil {
		return []string{a.statusLine()}
	}
	c, s := a.c, a.c.sty
	st := s.Warning
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

func (a *App) shortHelp(cur screen) []key.Binding {
	out := cur.Help().Short
	if !cur.Typing() {
		out = append(out, a.c.keys.Help)
	} else {
		out = append(out, a.c.keys.HelpAlways)
	}
	return out
}

// header is the title on the left and the saved mark on the right.
func (a *App) header() string {
	c := a.c
	s := c.sty
	left := s.HeaderTitle.Render("fieldsurvey")
	if a.iv != nil && a.active != scrHome && a.active != scrNew {
		left += s.Subtle.Render(" · " + c.get(a.iv.q.Title))
		if ag := a.iv.st.Respondent.Agency; ag != "" {
			left += s.Subtle.Render(" · " + ag)
		}
	} else if a.active == scrNew {
		left += s.Subtle.Render(" · " + c.t("New interview", "Phỏng vấn mới"))
	} else if a.active == scrSettings {
		left += s.Subtle.Render(" · " + c.t("Settings", "Cài đặt"))
	} else {
		left += s.Subtle.Render(" · " + c.t("Interviews", "Các cuộc phỏng vấn"))
	}
	right := a.savedMark()
	gap := c.width - width(right) - 1
	return pad(cut(left, gap-1), gap) + " " + right
}

// savedMark is the quiet save indicator: unsaved text, saving, not saved (error), saved.
func (a *App) savedMark() string {
	c, s := a.c, a.c.sty
	switch {
	case a.saver.err != nil && a.saver.busy():
		return s.Error.Render("✗ " + c.t("NOT SAVED, retrying", "CHƯA LƯU ĐƯỢC, đang thử lại"))
	case len(a.saver.refused) > 0:
		return s.Error.Render("✗ " + c.t("NOT SAVED: too large", "CHƯA LƯU: quá lớn"))
	case a.current().Dirty():
		return s.Unsaved.Render("● " + c.t("unsaved", "chưa lưu"))
	case a.saver.busy():
		return s.Saving.Render("… " + c.t("saving", "đang lưu"))
	case !a.saver.last.IsZero():
		return s.Saved.Render("✓ " + c.t("saved", "đã lưu") + " " + a.saver.last.Local().Format("15:04:05"))
	}
	return ""
}

// statusLine shows the assessor, the interviews not yet sent (without a server) or the
// sync's state (sending, offline, failed, last sent, batches waiting), and the language;
// a notice (an error, a confirmation) takes its place until the next key (statusLines).
func (a *App) statusLine() string {
	c, s := a.c, a.c.sty
	name := c.opts.AssessorName
	if name == "" {
		name = c.t("(no name: s on the list sets it)", "(chưa đặt tên: phím s ở danh sách)")
	}
	right := "VI|EN"
	if c.lang == survey.LangVI {
		right = "[VI] EN"
	} else {
		right = "VI [EN]"
	}
	gap := c.width - width(right) - 1
	room := gap - 1
	who := c.t("Assessor: ", "Người đánh giá: ") + name
	// Without a server: the interviews not yet sent. With one, what is true of sending is
	// the sync's state (an interview that reached the server keeps its status on this
	// device, so that count would go on calling it unsent).
	var what string
	if c.opts.Sync == nil {
		what = fmt.Sprintf(c.t("%d not yet sent", "%d chưa gửi"), a.unsent)
	} else {
		what = a.syncStatus(0)
	}
	left := who
	switch {
	case what == "":
	case width(who)+3+width(what) <= room:
		left = who + " · " + what
	default:
		// Too narrow: the state matters more than the assessor's name (which the list
		// shows too).
		left = what
		if c.opts.Sync != nil {
			left = a.syncStatus(room)
		}
	}
	return s.StatusLine.Render(pad(cut(left, gap-1), gap) + " " + right)
}

// helpOverlay is the full help of the focused screen and the global keys, boxed.
func (a *App) helpOverlay(cur screen, h int) []string {
	c := a.c
	groups := cur.Help().FullHelp()
	typing := cur.Typing()
	groups = append(groups, c.keys.Global(c.opts.Sync != nil, typing))
	hm := a.help
	hm.ShowAll = true
	hm.Width = 0
	inner := max(20, c.width-6)
	// One block per group, flowed into rows as wide as the box allows (the help bubble
	// would drop the columns that do not fit).
	var rows []string
	var row []string
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
	if typing {
		// In a text field ? and q are letters: they neither open nor close the help.
		closeKeys = c.t("esc or F1 to close; q and ? are typed as text here", "esc hoặc F1 để đóng; q và ? ở đây được gõ như chữ")
	}
	title := c.sty.Title.Render(c.t("Keys", "Phím tắt")) + c.sty.Subtle.Render("  ("+closeKeys+")")
	body := title + "\n\n" + strings.Join(rows, "\n\n") + "\n\n" + c.sty.Subtle.Render(c.t(
		"Every change is saved as you make it; typed text after a one-second pause. There is no save key.",
		"Mọi thay đổi được lưu ngay; văn bản đang gõ được lưu sau một giây tạm dừng. Không cần phím lưu."))
	box := c.sty.Overlay.Width(max(20, c.width-4)).Render(body)
	return clip(lines(box), h)
}

// Quitting reports whether the app is writing its last changes before quitting.
func (a *App) Quitting() bool { return a.quitting }

// Lang returns the interface language in use.
func (a *App) Lang() string { return a.c.lang }

// push shows screen id over the active one; back returns to it.
func (a *App) push(id screenID) {
	a.stack = append(a.stack, a.active)
	a.active = id
}

// back closes the versions or history view.
func (a *App) back() {
	if n := len(a.stack); n > 0 {
		a.active = a.stack[n-1]
		a.stack = a.stack[:n-1]
	}
	switch a.active {
	case scrVersions:
		a.history = nil
	case scrQuestion, scrSummary:
		a.versions, a.history = nil, nil
	}
}

// base returns to the screen under every view (the question or the section summary).
func (a *App) base() {
	if len(a.stack) > 0 {
		a.active = a.stack[0]
	}
	a.stack, a.versions, a.history = nil, nil, nil
}

// openVersions shows the versions of target t, after queuing typed text (which, for t
// itself, settles the conflict as an edit: then there is nothing left to compare).
func (a *App) openVersions(t survey.Target) tea.Cmd {
	if a.iv == nil {
		return nil
	}
	flush := a.flushCmd()
	cf, ok := a.iv.conflict(t)
	if !ok {
		return tea.Batch(flush, notice(survey.T("This has one version: there is nothing to compare (h shows its history).",
			"Mục này chỉ có một phiên bản: không có gì để so sánh (h để xem lịch sử)."), false))
	}
	a.versions = newVersionsScreen(a.c, a.iv, cf)
	a.push(scrVersions)
	return flush
}

// openHistory shows the history of target t and reads it.
func (a *App) openHistory(t survey.Target) tea.Cmd {
	if a.iv == nil {
		return nil
	}
	flush := a.flushCmd()
	a.history = newHistoryScreen(a.c, a.iv, t)
	a.push(scrHistory)
	return tea.Batch(flush, a.history.load())
}

// settledMsg is the outcome of a SettleMsg.
type settledMsg struct {
	SettleMsg
	rev survey.Revision
	err error
}

// settle writes the settlement at once, in a command; it is not queued behind the saver:
// the target has no queued change (queuing one settles it as an edit).
func (a *App) settle(m SettleMsg) tea.Cmd {
	st, ctx, by := a.c.store, context.WithoutCancel(a.c.ctx), a.c.writer.Author
	return func() tea.Msg {
		rev, err := st.Settle(ctx, by, m.Target, m.Value, m.Seen)
		return settledMsg{SettleMsg: m, rev: rev, err: err}
	}
}

// errText is err's message in every language when it carries one.
func errText(err error) survey.Text {
	var tx interface{ Text() survey.Text }
	if errors.As(err, &tx) {
		if t := tx.Text(); !t.Empty() {
			return t
		}
	}
	return survey.T(err.Error(), err.Error())
}

func (a *App) settled(m settledMsg) tea.Cmd {
	if a.iv == nil || m.Target.Interview != a.iv.st.ID {
		return nil
	}
	if m.err != nil {
		msg := errText(m.err)
		a.setNotice(survey.T("Not settled: "+msg.Get(survey.LangEN), "Chưa giải quyết: "+msg.Get(survey.LangVI)), true)
		if errors.Is(m.err, session.ErrStaleConflict) || errors.Is(m.err, session.ErrNoConflict) {
			// The screen shows an old state: read the interview again, where it is.
			return a.open(a.iv.st.ID, a.place)
		}
		return nil
	}
	switch m.Target.Kind {
	case survey.KindAnswer:
		var ans survey.Answer
		if err := json.Unmarshal(m.Value, &ans); err == nil {
			a.iv.setAnswer(m.Target.Key, ans)
		}
	case survey.KindRow:
		var row survey.RosterRow
		if qid, rowID, ok := survey.SplitRowKey(m.Target.Key); ok && json.Unmarshal(m.Value, &row) == nil {
			a.iv.putRow(qid, rowID, row)
		}
	case survey.KindSection:
		var sum survey.SectionSummary
		if err := json.Unmarshal(m.Value, &sum); err == nil {
			if sum == (survey.SectionSummary{}) {
				delete(a.iv.st.Sections, m.Target.Key)
			} else {
				a.iv.st.Sections[m.Target.Key] = sum
			}
		}
	}
	a.iv.settled(m.Target, m.rev.ID)
	a.saver.last = a.c.now()
	a.base()
	cmd := a.refresh(m.Target)
	a.setNotice(survey.T(fmt.Sprintf("✓ Saved: version %d taken as it was; the conflict is settled (h shows the history).", m.Side),
		fmt.Sprintf("✓ Đã lưu: chọn nguyên phiên bản %d; xung đột đã được giải quyết (h để xem lịch sử).", m.Side)), false)
	return cmd
}

// refresh shows target t's current value on its screen.
func (a *App) refresh(t survey.Target) tea.Cmd {
	switch {
	case t.Kind == survey.KindAnswer && a.active == scrQuestion && a.question.qu != nil && a.question.qu.ID == t.Key:
		return a.question.show(t.Key)
	case t.Kind == survey.KindSection && a.active == scrSummary && a.summary.sec != nil && a.summary.sec.ID == t.Key:
		return a.summary.show(t.Key)
	}
	return nil
}

// editFrom opens the editor of the target with one version as a new answer.
func (a *App) editFrom(m EditFromMsg) tea.Cmd {
	if a.iv == nil {
		return nil
	}
	a.base()
	switch m.Target.Kind {
	case survey.KindAnswer:
		var ans survey.Answer
		if err := json.Unmarshal(m.Value, &ans); err != nil || a.active != scrQuestion || a.question.qu == nil || a.question.qu.ID != m.Target.Key {
			return nil
		}
		return a.question.editFrom(ans, m.Side)
	case survey.KindSection:
		var sum survey.SectionSummary
		if err := json.Unmarshal(m.Value, &sum); err != nil || a.active != scrSummary || a.summary.sec == nil || a.summary.sec.ID != m.Target.Key {
			return nil
		}
		return a.summary.editFrom(sum, m.Side)
	case survey.KindRow:
		var row survey.RosterRow
		qid, rowID, ok := survey.SplitRowKey(m.Target.Key)
		if !ok || json.Unmarshal(m.Value, &row) != nil || a.active != scrQuestion || a.question.ro == nil || a.question.qu.ID != qid {
			return nil
		}
		return a.question.ro.editFrom(rowID, row, m.Side)
	}
	return nil
}
