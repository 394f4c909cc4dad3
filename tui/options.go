package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/mattn/go-isatty"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/tui/internal/noprobe"
	"github.com/fieldsurvey/fieldsurvey/tui/session"
	"github.com/fieldsurvey/fieldsurvey/tui/styles"
)

func init() {
	// Bubble Tea's own init has run by now (this package imports it): give the environment
	// back as it was. See package noprobe.
	noprobe.Restore()
}

// Store is what the screens need of the survey store (see session.Store; tui/storeadapter
// wraps the SQLite store).
type Store = session.Store

// CreatorReader is what a Store may also do: name the principal that created an
// interview (the author of its creation revision). Lists show it for interviews that
// record no assessor name (made before a name was set). tui/storeadapter implements it.
type CreatorReader interface {
	Creator(ctx context.Context, id string) (string, error)
}

// Catalog lists the questionnaires; *questionnaires.Catalog satisfies it.
type Catalog = session.Catalog

// Options configure the assessor's TUI. cmd fills them from config and flags; the TUI never
// reads configuration itself.
type Options struct {
	// Lang is the interface language, "vi" or "en" (default "vi").
	Lang string
	// AssessorName is recorded in new interviews and shown in the status line.
	AssessorName string
	// Principal (the signer identity) and Device author every revision.
	Principal, Device string
	// Role is the home's role (config key role): it decides, with survey.CheckEdit and
	// survey.CheckSettle, who may change and settle an interview in each status. Default:
	// assessor.
	Role survey.Role
	// IsServer recognises the central server's device in histories; nil: none is.
	IsServer func(device string) bool
	// Color is "auto", "always" or "never"; Monochrome drops colour but keeps bold and
	// reverse video. NO_COLOR is honoured under "auto".
	Color      string
	Monochrome bool
	// Background is "auto" (COLORFGBG, else dark), "dark" or "light". The terminal is never
	// queried.
	Background string
	// DefaultQuestionnaire is preselected for new interviews (an id, e.g. "dgra-2018").
	DefaultQuestionnaire string
	// Interview, when set, opens that interview at once (where it was left, or at At).
	Interview string
	// At is where Interview opens (a question or a section summary); zero: where it was
	// left.
	At session.Place
	// Now is the clock (default time.Now).
	Now func() time.Time
	// OnLanguage is called (in a command, off the UI loop) when the assessor switches
	// language, so that cmd can save the choice in the config file. Nil: session only.
	OnLanguage func(lang string) error
	// OnName is called (in a command) with the name the assessor gives on first run or in
	// the settings, so that cmd can save it in the config file (assessor.name). With no
	// AssessorName and an OnName, the first run asks for the name (once; it can be
	// skipped). Nil: the settings change the name for this session only.
	OnName func(name string) error
	// Sync reports the outbox in the status line; nil shows nothing.
	Sync SyncStatus
	// Mouse turns on mouse support (wheel scrolls lists).
	Mouse bool
	// CommitDelay is the pause after which typed text is saved (default one second).
	CommitDelay time.Duration
	// Getenv reads the environment for colour decisions (default os.Getenv).
	Getenv func(string) string
	// Input and Output default to stdin and stdout.
	Input  io.Reader
	Output io.Writer
	// Lock takes the edit lock of an interview before the screen opens it, so that two
	// windows never edit one interview (one would overwrite the other's saved text). It
	// returns the function that releases it, or an error saying who holds it (an error
	// with a Text() survey.Text method is shown in the user's language). Nil: no locking.
	Lock func(id string) (release func(), err error)
}

// SyncStatus is the optional background sync (issue 5): the status line says what it
// reports, and the sync-now key asks it to sync. The screen calls it only from commands,
// never on its UI loop, and starts at most one SyncNow at a time.
type SyncStatus interface {
	// SyncStatus returns the sync state without syncing (no network, cheap): the screen
	// asks every half minute, and starts a sync when the state says one is due.
	SyncStatus(ctx context.Context) (SyncInfo, error)
	// SyncNow syncs at once and returns what the sync did, with the state after it. It
	// returns ErrSyncBusy (and the state) when a sync is already running.
	SyncNow(ctx context.Context) (SyncResult, error)
}

// ErrSyncBusy is returned by SyncStatus.SyncNow when a sync is already running.
var ErrSyncBusy = errors.New("a sync is already running")

// SyncInfo is what the status line shows of the sync: one of sending, offline, failed, or
// when a batch was last sent, with the batches still waiting.
type SyncInfo struct {
	// Waiting counts batches written but not yet acknowledged by the server.
	Waiting int
	// LastSent is when a batch was last acknowledged; zero if never.
	LastSent time.Time
	// LastAttempt is when a sync last ran, whatever its outcome; zero if never.
	LastAttempt time.Time
	// Offline: the last attempt could not reach the server (no network, no answer), as
	// opposed to a refusal.
	Offline bool
	// Sending: a sync is running now.
	Sending bool
	// LastError is a short sentence, in both languages, of why the last sync failed when
	// it was not for want of a network (device revoked, server refused batch 3: …); empty
	// when it succeeded.
	LastError survey.Text
	// Due: sync.interval has passed since the last attempt, so the screen starts a sync.
	Due bool
	// Refused is a short sentence, in both languages, of the batch the server refused for
	// good (batch 3 refused: decision by an assessor's key); empty when none was.
	Refused survey.Text
}

// SyncResult is what one sync did, and the state after it.
type SyncResult struct {
	Info SyncInfo
	// Sent counts the batches the server acknowledged in this sync.
	Sent int
	// Returned and Approved are the supervisor's decisions that came down.
	Returned, Approved []SyncDecision
	// Questionnaires names the questionnaires ("id@version") this sync installed: the open
	// interview may be offered a newer version.
	Questionnaires []string
}

// SyncDecision is a supervisor's decision on one interview.
type SyncDecision struct {
	Interview, Reason, By string
}

func (o *Options) defaults() {
	if o.Lang != survey.LangEN {
		o.Lang = survey.LangVI
	}
	if o.Role == "" {
		o.Role = survey.RoleAssessor
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.CommitDelay <= 0 {
		o.CommitDelay = time.Second
	}
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	if o.Input == nil {
		o.Input = os.Stdin
	}
	if o.Output == nil {
		o.Output = os.Stdout
	}
	if o.Color == "" {
		o.Color = "auto"
	}
}

// isTTY reports whether w is a terminal.
func isTTY(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

// NewStyles decides the styles for opts without querying the terminal.
func NewStyles(opts Options) *styles.Styles {
	opts.defaults()
	mode, profile, dark := styles.Detect(styles.Config{Color: opts.Color, Monochrome: opts.Monochrome,
		Background: opts.Background, TTY: isTTY(opts.Output), Getenv: opts.Getenv})
	return styles.New(opts.Output, mode, profile, dark)
}

// Run runs the assessor's TUI until the assessor quits. Everything shown as saved is in the
// store when it returns; a save that failed is reported as an error.
func Run(ctx context.Context, opts Options, st Store, cat Catalog) error {
	opts.defaults()
	sty := NewStyles(opts)
	// The bubbles components (cursor, help) style themselves on the default renderer: pin
	// its profile and background so that it never asks the terminal either.
	lipgloss.SetColorProfile(sty.Profile)
	lipgloss.SetHasDarkBackground(sty.Dark)

	app := New(ctx, opts, st, cat, sty)
	popts := []tea.ProgramOption{tea.WithContext(ctx), tea.WithInput(opts.Input), tea.WithOutput(opts.Output),
		tea.WithAltScreen()}
	if opts.Mouse {
		popts = append(popts, tea.WithMouseCellMotion())
	}
	p := tea.NewProgram(app, popts...)
	// A closed terminal sends SIGHUP, whose default is to end the process at once: turn it
	// into "save and stop".
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go func() {
		if _, ok := <-hup; ok {
			p.Send(hangupMsg{})
		}
	}()
	_, err := p.Run()
	// Whatever stopped the program, write what is left. Update has returned for good, so the
	// model is ours again.
	if ferr := app.finish(); ferr != nil {
		return fmt.Errorf("some changes could not be saved: %w", ferr)
	}
	if err != nil && !errors.Is(err, tea.ErrProgramKilled) && !errors.Is(err, tea.ErrInterrupted) {
		return fmt.Errorf("interview screens stopped: %w", err)
	}
	return nil
}
