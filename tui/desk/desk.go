package desk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/tui"
	"github.com/fieldsurvey/fieldsurvey/tui/internal/posted"
	"github.com/fieldsurvey/fieldsurvey/tui/session"
	"github.com/fieldsurvey/fieldsurvey/tui/styles"
)

// Sort is the column the queue is ordered by (the names of survey/store's QueueSort).
type Sort string

// The queue's orders, in the order the sort key cycles through them.
const (
	SortStatus        Sort = ""
	SortUpdated       Sort = "updated"
	SortAssessor      Sort = "assessor"
	SortAgency        Sort = "agency"
	SortProvince      Sort = "province"
	SortQuestionnaire Sort = "questionnaire"
	SortProgress      Sort = "progress"
	SortConflicts     Sort = "conflicts"
)

// Query asks the store for a page of the queue. Zero values do not filter.
type Query struct {
	Statuses                                  []survey.Status
	Province, Assessor, Questionnaire, Search string
	Sort                                      Sort
	Desc                                      bool
	Limit, Offset                             int
}

// Row is one interview of the queue: its summary and the principal that created it.
type Row struct {
	survey.Summary
	Principal string
}

// Who is the assessor as the desk shows it: the recorded name, else the creator's principal.
func (r Row) Who() string {
	if r.Assessor != "" {
		return r.Assessor
	}
	return r.Principal
}

// Facets are what the queue's filters choose from.
type Facets struct {
	Statuses                             map[survey.Status]int
	Provinces, Assessors, Questionnaires []string
}

// Store is what the desk reads and writes. The SQLite store is one through
// tui/storeadapter (Desk); tests may use any other.
type Store interface {
	// Queue returns one page of the interviews that match q, and how many match in all;
	// interviews whose creation has not arrived are never in it.
	Queue(ctx context.Context, q Query) ([]Row, int, error)
	Facets(ctx context.Context) (Facets, error)
	Interview(ctx context.Context, id string) (*survey.InterviewState, error)
	Revisions(ctx context.Context, id string) ([]survey.Revision, error)
	// Put writes changes as revisions by author in one durable commit.
	Put(ctx context.Context, by session.Author, changes ...survey.Change) ([]survey.Revision, error)
	// Pending counts the revisions made by this home's device that no batch carries yet
	// (its decisions waiting for batch create or a sync).
	Pending(ctx context.Context) (int, error)
	// Assessments lists the team's assessments held here, most recently changed first.
	Assessments(ctx context.Context) ([]survey.Summary, error)
	// InterviewsOf returns the state of every interview of a questionnaire (the evidence
	// beside an assessment's ratings).
	InterviewsOf(ctx context.Context, questionnaire string) ([]*survey.InterviewState, error)
}

// Options configure the desk. cmd fills them from the home's config and flags.
type Options struct {
	// Lang is "vi" or "en" (default "vi").
	Lang string
	// Role is the home's role; only a role that decides (survey.Role.Decides) may approve,
	// return or reopen.
	Role survey.Role
	// Principal and Device author every decision (the home's key and device id).
	Principal, Device string
	// ReadOnly, when set, says why nothing can be decided here (a hub read with --db, an
	// assessor's home); the desk shows it and refuses every decision with it.
	ReadOnly survey.Text
	// Color, Monochrome and Background as for the assessor's screens (tui.Options).
	Color      string
	Monochrome bool
	Background string
	Now        func() time.Time
	// OnLanguage saves the language the supervisor switches to (nil: session only).
	OnLanguage func(lang string) error
	// Sync is the home's sync when it is enrolled with a server (ctrl+s syncs); nil shows
	// what waits for a batch instead.
	Sync tui.SyncStatus
	// Settle opens the settlement of a conflicted answer (the side-by-side view of another
	// screen) and returns the command that runs it; the desk reloads the interview when
	// that command's message arrives. Nil: the desk says how to settle it on the command
	// line.
	Settle func(interview string, t survey.Target) tea.Cmd
	// SavePause is how long typing in a text field of the team's assessment pauses before
	// what is typed is saved (the field stays open); 0 saves only on leaving the field.
	SavePause time.Duration
	// PageSize is how many queue rows are read at a time (default 200).
	PageSize int
	Getenv   func(string) string
	Input    io.Reader
	Output   io.Writer
}

func (o *Options) defaults() {
	if o.Lang != survey.LangEN {
		o.Lang = survey.LangVI
	}
	if o.Now == nil {
		o.Now = time.Now
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
	if o.PageSize <= 0 {
		o.PageSize = 200
	}
	if o.ReadOnly == nil && !o.Role.Decides() {
		o.ReadOnly = survey.T("this home is an assessor's: you can look, but deciding needs a supervisor's home (fieldsurvey init --role supervisor)",
			"đây là máy của người đánh giá: có thể xem, nhưng để quyết định cần máy của người giám sát (fieldsurvey init --role supervisor)")
	}
}

// shared is what every screen reads; the root owns it.
type shared struct {
	ctx           context.Context
	opts          Options
	sty           *styles.Styles
	keys          *Keys
	lang          string
	width, height int
	store         Store
	cat           session.Catalog
	// readOnlyLine is 1 when the read-only banner takes a line.
	readOnlyLine int
	// writing counts the assessment changes being written; quitting waits for them.
	writing int
	// posted are the messages screens posted (post): the root handles them before it reads
	// the next.
	posted posted.Box
}

// post has the root handle msg (a change of screen: OpenMsg, BackMsg, DecideMsg…) right
// after the message being handled, before any key typed after this one (package posted).
func (c *shared) post(msg tea.Msg) tea.Cmd { return c.posted.Post(msg) }

func (c *shared) t(en, vi string) string { return tr(c.lang, en, vi) }

// interviews counts n interviews in the user's language ("1 interview", "3 interviews",
// "3 phỏng vấn").
func (c *shared) interviews(n int) string {
	if n == 1 {
		return c.t("1 interview", "1 phỏng vấn")
	}
	return fmt.Sprintf(c.t("%d interviews", "%d phỏng vấn"), n)
}
func (c *shared) get(t survey.Text) string { return t.Get(c.lang) }
func (c *shared) bodyHeight() int          { return max(3, c.height-3-c.readOnlyLine) }
func (c *shared) status(s survey.Status) string {
	return c.sty.Status(s).Render(c.get(s.Label()))
}

// Run runs the desk until the supervisor quits.
func Run(ctx context.Context, opts Options, st Store, cat session.Catalog) error {
	opts.defaults()
	sty := tui.NewStyles(tui.Options{Color: opts.Color, Monochrome: opts.Monochrome, Background: opts.Background,
		Getenv: opts.Getenv, Output: opts.Output})
	lipgloss.SetColorProfile(sty.Profile)
	lipgloss.SetHasDarkBackground(sty.Dark)
	app := New(ctx, opts, st, cat, sty)
	p := tea.NewProgram(app, tea.WithContext(ctx), tea.WithInput(opts.Input), tea.WithOutput(opts.Output), tea.WithAltScreen())
	_, err := p.Run()
	if err != nil && !errors.Is(err, tea.ErrProgramKilled) && !errors.Is(err, tea.ErrInterrupted) {
		return fmt.Errorf("review screens stopped: %w", err)
	}
	return nil
}

// oneLineText flattens both languages of t.
func oneLineText(t survey.Text) survey.Text {
	out := survey.Text{}
	for k, v := range t {
		out[k] = oneLine(v)
	}
	return out
}

// conflictNames lists the targets of conflicts as a supervisor reads them: question ids,
// "section 7", "respondent", "status".
func conflictNames(cs []survey.Conflict) (en, vi string) {
	var e, v []string
	for _, c := range cs {
		switch c.Target.Kind {
		case survey.KindAnswer:
			e, v = append(e, c.Target.Key), append(v, c.Target.Key)
		case survey.KindSection:
			e, v = append(e, "section "+c.Target.Key), append(v, "phần "+c.Target.Key)
		case survey.KindRespondent:
			e, v = append(e, "respondent"), append(v, "người trả lời")
		case survey.KindStatus:
			e, v = append(e, "status"), append(v, "trạng thái")
		case survey.KindInterview:
			e, v = append(e, "interview details"), append(v, "thông tin phỏng vấn")
		case survey.KindRow:
			// As 'fieldsurvey conflicts' names it: the table and the row's short id.
			qid, row, ok := survey.SplitRowKey(c.Target.Key)
			if !ok {
				qid, row = c.Target.Key, ""
			}
			row = row[:min(len(row), 8)]
			e, v = append(e, qid+" row "+row), append(v, qid+" dòng "+row)
		default:
			e, v = append(e, string(c.Target.Kind)), append(v, string(c.Target.Kind))
		}
	}
	return strings.Join(e, ", "), strings.Join(v, ", ")
}
