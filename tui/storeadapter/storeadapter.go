// Package storeadapter gives the assessor's screens the SQLite store: it makes a
// *store.Store a session.Store. The screens themselves (package tui) never import the store,
// so that no SQL reaches them; cmd and the benchmarks that need a real database use this.
//
// It converts types only: every call is the store's own, with its guarantees (one durable
// transaction per Put, no-op changes skipped), and store.ErrNotFound also matches
// session.ErrNotFound.
package storeadapter

import (
	"context"
	"errors"
	"fmt"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
	"github.com/fieldsurvey/fieldsurvey/tui/session"
)

// Store is a *store.Store seen as a session.Store.
type Store struct{ S *store.Store }

var _ session.Store = Store{}

// New wraps s.
func New(s *store.Store) Store { return Store{S: s} }

// Put writes changes in one durable transaction.
func (a Store) Put(ctx context.Context, by session.Author, changes ...survey.Change) ([]survey.Revision, error) {
	return a.S.Put(ctx, store.Author{Device: by.Device, Principal: by.Principal}, changes...)
}

// Interview returns the state of interview id.
func (a Store) Interview(ctx context.Context, id string) (*survey.InterviewState, error) {
	st, err := a.S.Interview(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%w: %w", session.ErrNotFound, err)
	}
	return st, err
}

// List returns the summaries that match o.
func (a Store) List(ctx context.Context, o session.ListOptions) ([]session.Summary, error) {
	// An interview held without its creation (a decision that came before it) is not listed:
	// it has nothing to show or open yet.
	return a.S.List(ctx, listOptions(o))
}

func listOptions(o session.ListOptions) store.ListOptions {
	return store.ListOptions{Questionnaire: o.Questionnaire, Status: o.Status, Search: o.Search, Limit: o.Limit, Offset: o.Offset, Created: true}
}

// CountByStatus counts, by status, the interviews List(o) returns (session.Counter).
func (a Store) CountByStatus(ctx context.Context, o session.ListOptions) (map[survey.Status]int, error) {
	return a.S.CountByStatus(ctx, listOptions(o))
}

// Agencies returns the agencies used on this device.
func (a Store) Agencies(ctx context.Context) ([]string, error) { return a.S.Agencies(ctx) }

// Provinces returns the provinces and ministries used on this device.
func (a Store) Provinces(ctx context.Context) ([]string, error) { return a.S.Provinces(ctx) }

// GetMeta reads a small setting.
func (a Store) GetMeta(ctx context.Context, key string) (string, bool, error) {
	return a.S.GetMeta(ctx, key)
}

// Settle settles the conflict of t (store.Store.Settle); its refusals also match
// session.ErrNoConflict and session.ErrStaleConflict, and keep their text in every
// language.
func (a Store) Settle(ctx context.Context, by session.Author, t survey.Target, value any, seen []string) (survey.Revision, error) {
	r, err := a.S.Settle(ctx, store.Author{Device: by.Device, Principal: by.Principal}, t, value, seen)
	switch {
	case errors.Is(err, store.ErrNoConflict):
		return r, &settleError{err: err, kind: session.ErrNoConflict}
	case errors.Is(err, store.ErrStaleConflict):
		return r, &settleError{err: err, kind: session.ErrStaleConflict}
	}
	return r, err
}

// settleError is a store refusal that also matches the session's sentinel.
type settleError struct {
	err  error // *store.SettleError
	kind error
}

func (e *settleError) Error() string   { return e.err.Error() }
func (e *settleError) Unwrap() []error { return []error{e.err, e.kind} }

// Text returns the message in every language.
func (e *settleError) Text() survey.Text {
	var se *store.SettleError
	if errors.As(e.err, &se) {
		return se.Text()
	}
	return survey.T(e.err.Error(), e.err.Error())
}

// History returns every revision of target t.
func (a Store) History(ctx context.Context, t survey.Target) ([]survey.Revision, error) {
	return a.S.History(ctx, t)
}

// SetMeta writes a small setting.
func (a Store) SetMeta(ctx context.Context, key, value string) error {
	return a.S.SetMeta(ctx, key, value)
}

// Creator returns the principal that created interview id (the author of its creation
// revision), or "" when its creation has not arrived.
func (a Store) Creator(ctx context.Context, id string) (string, error) {
	revs, err := a.S.History(ctx, survey.Target{Interview: id, Kind: survey.KindInterview})
	if err != nil || len(revs) == 0 {
		return "", err
	}
	return revs[0].Author, nil
}
