// Package deskstore gives the supervisor's desk (tui/desk) the SQLite store: it makes a
// *store.Store a desk.Store, converting types only (every call is the store's own, with its
// guarantees). It is apart from package storeadapter so that the assessor's screens' tests,
// which use storeadapter, do not depend on the desk.
package deskstore

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/google/uuid"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/assign"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
	"github.com/fieldsurvey/fieldsurvey/tui/desk"
	"github.com/fieldsurvey/fieldsurvey/tui/session"
	"github.com/fieldsurvey/fieldsurvey/tui/storeadapter"
)

// Desk is a *store.Store seen as the supervisor's desk's store (desk.Store). Device is the
// home's device id, whose revisions Pending counts.
//
// It is also a desk.Assigner: Known are the principals this home knows besides the authors
// of its revisions (its allowed_signers file, the signers of the devices it merged); an
// assignment to anyone else is refused. NewID makes interview ids (nil: UUIDv7).
type Desk struct {
	S      *store.Store
	Device string
	Known  []string
	NewID  func() (string, error)
}

var (
	_ desk.Store    = Desk{}
	_ desk.Assigner = Desk{}
)

// Queue returns one page of the queue (store.Queue).
func (d Desk) Queue(ctx context.Context, q desk.Query) ([]desk.Row, int, error) {
	return queue(ctx, d.S, q)
}

// Facets returns what the queue's filters choose from (store.Facets).
func (d Desk) Facets(ctx context.Context) (desk.Facets, error) { return facets(ctx, d.S) }

// Interview returns the state of interview id.
func (d Desk) Interview(ctx context.Context, id string) (*survey.InterviewState, error) {
	return storeadapter.Store{S: d.S}.Interview(ctx, id)
}

// Revisions returns every revision of interview id.
func (d Desk) Revisions(ctx context.Context, id string) ([]survey.Revision, error) {
	return d.S.Revisions(ctx, id)
}

// Put writes changes in one durable transaction.
func (d Desk) Put(ctx context.Context, by session.Author, changes ...survey.Change) ([]survey.Revision, error) {
	return d.S.Put(ctx, store.Author{Device: by.Device, Principal: by.Principal}, changes...)
}

// Pending counts the revisions made by the home's device that no batch carries yet.
func (d Desk) Pending(ctx context.Context) (int, error) { return d.S.PendingOf(ctx, d.Device) }

// Assessors returns the known principals, sorted: the suggestions of the assign form.
func (d Desk) Assessors(ctx context.Context) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	for _, p := range d.Known {
		if p != "" && !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out, nil
}

// Assign checks a with survey/assign's Checker (the questionnaire version the desk read
// from its catalogue, a principal in Known or the author of a revision here) and, when
// nothing is wrong, writes the planned interview with assign.Create in one transaction.
func (d Desk) Assign(ctx context.Context, by session.Author, a desk.Assignment) (string, []desk.AssignProblem, error) {
	known := map[string]bool{}
	for _, p := range d.Known {
		known[p] = true
	}
	var lookErr error
	c := assign.Checker{
		Questionnaire: func(id string) (string, error) {
			if a.Version == "" {
				return "", fmt.Errorf("questionnaire %s is not installed", id)
			}
			return a.Version, nil
		},
		Known: func(p string) bool {
			if known[p] {
				return true
			}
			ok, err := d.S.HasAuthor(ctx, p)
			if err != nil && lookErr == nil {
				lookErr = err
			}
			return ok
		},
	}
	checked, probs := c.Check(assign.Assignment{Questionnaire: a.Questionnaire, Version: a.Version, Agency: a.Agency,
		Province: a.Province, Assignee: a.Assignee, Due: a.Due, Note: a.Note})
	if lookErr != nil {
		return "", nil, fmt.Errorf("check the assessor: %w", lookErr)
	}
	if len(probs) > 0 {
		out := make([]desk.AssignProblem, len(probs))
		for i, p := range probs {
			out[i] = desk.AssignProblem{Column: p.Column, Msg: p.Msg}
		}
		return "", out, nil
	}
	if by.Device == "" || by.Principal == "" {
		return "", nil, errors.New("this home has no device id or principal: run fieldsurvey init")
	}
	newID := d.NewID
	if newID == nil {
		newID = func() (string, error) {
			u, err := uuid.NewV7()
			return u.String(), err
		}
	}
	made, err := assign.Create(ctx, d.S, store.Author{Device: by.Device, Principal: by.Principal}, []assign.Assignment{checked}, newID)
	if err != nil {
		return "", nil, err
	}
	return made[0].ID, nil, nil
}

// Assessments lists the assessments of the home, most recently changed first.
func (d Desk) Assessments(ctx context.Context) ([]survey.Summary, error) {
	return d.S.List(ctx, store.ListOptions{Record: survey.RecordAssessment})
}

// InterviewsOf returns the state of every interview of questionnaire qn whose creation is
// held (store.InterviewsOf).
func (d Desk) InterviewsOf(ctx context.Context, qn string) ([]*survey.InterviewState, error) {
	return d.S.InterviewsOf(ctx, qn)
}
