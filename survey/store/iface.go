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
