package deskstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
	"github.com/fieldsurvey/fieldsurvey/tui/desk"
	"github.com/fieldsurvey/fieldsurvey/tui/session"
)

// Reader is a store the desk reads and never writes: a server's PostgreSQL database read
// with `review --db postgres://…` (sync/server.PostgresReader), whose Queue and Facets
// give what the SQLite store's do.
type Reader interface {
	store.ReadStore
	queuer
}

// queuer reads the supervisor's queue: a home's store (*store.Store) or a Reader.
type queuer interface {
	Queue(ctx context.Context, o store.QueueOptions) ([]store.QueueRow, int, error)
	Facets(ctx context.Context) (store.QueueFacets, error)
}

// queue reads one page of the queue from r, as the desk asks for it.
func queue(ctx context.Context, r queuer, q desk.Query) ([]desk.Row, int, error) {
	rows, total, err := r.Queue(ctx, store.QueueOptions{Statuses: q.Statuses, Province: q.Province, Assessor: q.Assessor,
		Questionnaire: q.Questionnaire, Search: q.Search, Sort: store.QueueSort(q.Sort), Desc: q.Desc, Limit: q.Limit, Offset: q.Offset})
	if err != nil {
		return nil, 0, err
	}
	out := make([]desk.Row, len(rows))
	for i, r := range rows {
		out[i] = desk.Row{Summary: r.Summary, Principal: r.Principal}
	}
	return out, total, nil
}

// facets reads what the queue's filters choose from.
func facets(ctx context.Context, r queuer) (desk.Facets, error) {
	f, err := r.Facets(ctx)
	return desk.Facets{Statuses: f.Statuses, Provinces: f.Provinces, Assessors: f.Assessors, Questionnaires: f.Questionnaires}, err
}

// ReadOnly is a Reader seen as the desk's store. The desk opened on it must be read-only
// (desk.Options.ReadOnly, which refuses every decision first); Put refuses all the same,
// and nothing waits for a batch (Pending is 0).
type ReadOnly struct {
	R Reader
}

var _ desk.Store = ReadOnly{}

// ErrReadOnly is Put's refusal.
var ErrReadOnly = errors.New("this database is read here: decisions are written to your home's store")

// Queue returns one page of the queue (Reader.Queue).
func (d ReadOnly) Queue(ctx context.Context, q desk.Query) ([]desk.Row, int, error) {
	return queue(ctx, d.R, q)
}

// Facets returns what the queue's filters choose from (Reader.Facets).
func (d ReadOnly) Facets(ctx context.Context) (desk.Facets, error) { return facets(ctx, d.R) }

// Interview returns the state of interview id.
func (d ReadOnly) Interview(ctx context.Context, id string) (*survey.InterviewState, error) {
	st, err := d.R.Interview(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%w: %w", session.ErrNotFound, err)
	}
	return st, err
}

// Revisions returns every revision of interview id.
func (d ReadOnly) Revisions(ctx context.Context, id string) ([]survey.Revision, error) {
	return d.R.Revisions(ctx, id)
}

// Put refuses: nothing is written to a database read here.
func (d ReadOnly) Put(context.Context, session.Author, ...survey.Change) ([]survey.Revision, error) {
	return nil, ErrReadOnly
}

// Pending is 0: this home's decisions are not in a database read here.
func (d ReadOnly) Pending(context.Context) (int, error) { return 0, nil }

// Assessments lists the team's assessments, most recently changed first.
func (d ReadOnly) Assessments(ctx context.Context) ([]survey.Summary, error) {
	return d.R.List(ctx, store.ListOptions{Record: survey.RecordAssessment})
}

// InterviewsOf returns the state of every interview of questionnaire qn whose creation is
// held.
func (d ReadOnly) InterviewsOf(ctx context.Context, qn string) ([]*survey.InterviewState, error) {
	return d.R.InterviewsOf(ctx, qn)
}
