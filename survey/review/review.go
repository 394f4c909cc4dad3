// Package review writes a supervisor's decisions on interviews (approve, return, reopen)
// into a store: the rules of survey.CheckDecision, checked against the store's current state
// in the same transaction as the revision that records the decision, so that no merge or
// edit can slip in between the check and the write.
//
// A decision is an ordinary status revision by the deciding device (its id and its
// principal, the signer of its batches): it replaces every current head of the interview's
// status, stays pending in the store, and travels in the device's next batch (sync, or
// batch create for a USB stick), signed by its key. Whoever receives it checks that key's
// right to decide (sync/hub Options.Role).
package review

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
)

// ErrWaiting: the store holds revisions of the interview but not the one that creates it
// (a decision that came before the interview); there is nothing to decide on yet.
var ErrWaiting = errors.New("interview not here yet")

// Decision is what a supervisor decides.
type Decision struct {
	Interview string
	To        survey.Status // approved, returned or reopened
	Reason    string        // required to return or reopen: the assessor reads it
}

// Decide checks d against the interview's current status and conflicts in st with the
// rules for role (survey.CheckDecision) and, when they allow it, writes it as one status
// revision by by. A refusal by the rules is a *survey.RuleError (errors.Is
// survey.ErrNotAllowed); an unknown interview is store.ErrNotFound; one held without its
// creation is ErrWaiting. Nothing is written unless Decide returns a revision.
func Decide(ctx context.Context, st *store.Store, role survey.Role, by store.Author, d Decision) (survey.Revision, error) {
	reason := survey.NFC(strings.TrimSpace(d.Reason))
	var out survey.Revision
	err := st.Update(ctx, func(tx *store.Tx) error {
		cur, err := tx.Interview(d.Interview)
		if err != nil {
			return err
		}
		if !cur.HasMeta() {
			return fmt.Errorf("%w: %d revisions of interview %s are here, not the one that creates it", ErrWaiting, cur.Revisions, d.Interview)
		}
		if err := survey.CheckDecision(role, cur.Status.Status, len(cur.Conflicts), d.To, reason); err != nil {
			return err
		}
		revs, err := tx.Put(by, survey.Change{
			Target: survey.Target{Interview: d.Interview, Kind: survey.KindStatus},
			Value:  survey.StatusChange{Status: d.To, Reason: reason},
		})
		if err != nil {
			return err
		}
		if len(revs) != 1 {
			return fmt.Errorf("decide %s on %s: %d revisions written, expected 1", d.To, d.Interview, len(revs))
		}
		out = revs[0]
		return nil
	})
	if err != nil {
		return survey.Revision{}, err
	}
	return out, nil
}
