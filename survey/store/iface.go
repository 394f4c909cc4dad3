package store

import (
	"context"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// Reader is what screens and commands read from a store; fake it in their tests.
type Reader interface {
	Interview(ctx context.Context, id string) (*survey.InterviewState, error)
	Revisions(ctx context.Context, interviewID string) ([]survey.Revision, error)
	AllRevisions(ctx context.Context, fn func(survey.Revision) error) error
	History(ctx context.Context, t survey.Target) ([]survey.Revision, error)
	List(ctx context.Context, o ListOptions) ([]Summary, error)
	Conflicts(ctx context.Context) ([]survey.Conflict, error)
	Pending(ctx context.Context) ([]survey.Revision, error)
	GetMeta(ctx context.Context, key string) (string, bool, error)
	Agencies(ctx context.Context) ([]string, error)
	Provinces(ctx context.Context) ([]string, error)
}

// Writer is what screens and commands write to a store.
type Writer interface {
	Put(ctx context.Context, by Author, changes ...survey.Change) ([]survey.Revision, error)
	Append(ctx context.Context, revs ...survey.Revision) (AppendResult, error)
	Settle(ctx context.Context, by Author, t survey.Target, value any, seen []string) (survey.Revision, error)
	SetMeta(ctx context.Context, key, value string) error
}

// Interface is a whole store as the TUI and the CLI use it.
type Interface interface {
	Reader
	Writer
	Path() string
	Close() error
}

var _ Interface = (*Store)(nil)

// ReadStore is a whole store as the reading commands use it (interview list|show|export,
// report, conflicts, history, assessment list|show|export): a Reader, what lists, reports
// and exports read in bulk, and Close. The SQLite store is one; a server's PostgreSQL
// database, read with `--db postgres://…`, is another (sync/server.PostgresReader).
type ReadStore interface {
	Reader
	// EachSummary calls fn with each summary List(o) would return, in its order.
	EachSummary(ctx context.Context, o ListOptions, fn func(Summary) error) error
	// ListProgress is List(o) with each interview's skip-aware progress (see Store's).
	ListProgress(ctx context.Context, o ListOptions, pf ProgressFunc) ([]Listed, error)
	// EachInterview calls fn with the state of each interview of ids, in that order, from
	// one snapshot.
	EachInterview(ctx context.Context, ids []string, fn func(*survey.InterviewState) error) error
	// InterviewsOf returns the state of every created interview of questionnaire qn, in
	// List's order.
	InterviewsOf(ctx context.Context, qn string) ([]*survey.InterviewState, error)
	Close() error
}

var _ ReadStore = (*Store)(nil)
