// Package upgrade moves an interview to a newer version of its questionnaire: the flow of
// `fieldsurvey interview upgrade`. The plan is survey.PlanUpgrade (pure: what moves, what
// is recoded, what no longer has a question); applying it is one store.Put of the changes
// it lists, by the home's device and principal, so the upgrade travels in the next batch
// or sync like any edit. Only drafts and interviews returned or reopened upgrade
// (survey.CanUpgrade); completed, submitted and approved ones keep their version.
package upgrade

import (
	"context"
	"errors"
	"fmt"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
)

// Catalog finds the versions an interview passes through (*questionnaires.Catalog).
type Catalog interface {
	UpgradePath(id, from, to string) ([]*survey.Questionnaire, error)
}

// Plan reads interview id and works out what moving it to version to ("" for the newest
// the catalog can reach) changes, without writing anything.
func Plan(ctx context.Context, s store.Reader, cat Catalog, id, to string) (*survey.Upgrade, error) {
	st, err := s.Interview(ctx, id)
	if err != nil {
		return nil, err
	}
	return plan(cat, st, to)
}

func plan(cat Catalog, st *survey.InterviewState, to string) (*survey.Upgrade, error) {
	if st.Assess != nil {
		return nil, fmt.Errorf("%s is an assessment, not an interview: assessments keep their questionnaire version", st.ID)
	}
	if !st.HasMeta() {
		return nil, fmt.Errorf("interview %s: its creation has not arrived yet, so its questionnaire version is unknown", st.ID)
	}
	if err := survey.CanUpgrade(st); err != nil {
		return nil, err
	}
	path, err := cat.UpgradePath(st.Meta.Questionnaire, st.Meta.QuestionnaireVersion, to)
	if err != nil {
		return nil, err
	}
	return survey.PlanUpgrade(path, st)
}

// Apply plans the upgrade of interview id to version to ("" for the newest) and writes it,
// in one transaction: the plan is made from the state the write replaces. It returns the
// plan and the revisions written.
func Apply(ctx context.Context, s *store.Store, cat Catalog, by store.Author, id, to string) (*survey.Upgrade, []survey.Revision, error) {
	var u *survey.Upgrade
	var revs []survey.Revision
	err := s.Update(ctx, func(tx *store.Tx) error {
		st, err := tx.Interview(id)
		if err != nil {
			return err
		}
		if u, err = plan(cat, st, to); err != nil {
			return err
		}
		revs, err = tx.Put(by, u.Changes()...)
		return err
	})
	if err != nil {
		var re *survey.RuleError
		if errors.As(err, &re) || errors.Is(err, survey.ErrNoUpgrade) {
			return nil, nil, err
		}
		return nil, nil, fmt.Errorf("upgrade interview %s: %w", id, err)
	}
	return u, revs, nil
}
