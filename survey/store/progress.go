package store

import (
	"context"
	"fmt"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// Progress is an interview's skip-aware progress: of the Total questions its questionnaire
// asks given its answers, how many are Answered (survey.Questionnaire.Progress).
type Progress struct{ Answered, Total int }

// Listed is one interview of ListProgress: its summary and its progress, nil when the
// questionnaire is not known (the ProgressFunc gave none).
type Listed struct {
	Summary
	Progress *Progress
	// stored is the progress kept in the summary row, counted when the interview had
	// storedAt revisions (-1: never) with the questionnaire content storedOf.
	stored   Progress
	storedAt int
	storedOf string
}

// ProgressCounter counts the progress of interviews of one questionnaire.
type ProgressCounter struct {
	// Of names the questionnaire's content (a fingerprint): progress stored after counting
	// with other content (a questionnaire changed without a new version) is counted again.
	Of string
	// Count returns how many of the relevant questions are answered, of how many
	// (survey.Questionnaire.Progress).
	Count func(survey.Answers) (answered, total int)
}

// ProgressFunc returns the counter of the progress of interviews of questionnaire qn at
// version, or nil when there is none (the questionnaire is unknown).
type ProgressFunc func(qn, version string) *ProgressCounter

// Memo returns pf asked once per questionnaire version, its answers kept: a list asks for
// the counter of every row.
func (pf ProgressFunc) Memo() ProgressFunc {
	counters := map[[2]string]*ProgressCounter{}
	return func(qn, version string) *ProgressCounter {
		k := [2]string{qn, version}
		c, ok := counters[k]
		if !ok {
			c = pf(qn, version)
			counters[k] = c
		}
		return c
	}
}

// ListProgress returns the interviews of List(o) with their progress, without reading the
// interviews whose progress is known. Skip-aware progress needs the questionnaire, which
// the store does not have when it writes, so the summary row keeps it as a cache: the
// progress computed when the interview had a given number of revisions, valid while it
// still has that many (every write adds revisions) and its questionnaire the same content
// (ProgressCounter.Of). An interview without a valid one is
// folded from its heads (all of them in one snapshot, as EachInterview reads) and counted
// with pf; what was counted is then stored for the next list, in one transaction, unless
// a write changed the interview meanwhile. A store opened read-only, or a write that fails
// (the database busy), leaves the cache as it is: the list is the same, only the next one
// counts again.
func (s *Store) ListProgress(ctx context.Context, o ListOptions, pf ProgressFunc) ([]Listed, error) {
	var out []Listed
	var stale []int
	counter := pf.Memo()
	err := s.eachListed(ctx, o, func(l Listed) error {
		if c := counter(l.Questionnaire, l.Version); c != nil {
			if l.storedAt == l.Revisions && l.storedOf == c.Of {
				p := l.stored
				l.Progress = &p
			} else {
				stale = append(stale, len(out))
			}
		}
		out = append(out, l)
		return nil
	})
	if err != nil || len(stale) == 0 {
		return out, err
	}
	ids := make([]string, len(stale))
	for i, j := range stale {
		ids[i] = out[j].ID
	}
	type counted struct {
		id, of    string
		p         Progress
		revisions int
	}
	fresh := make([]counted, 0, len(stale))
	i := 0
	err = s.EachInterview(ctx, ids, func(st *survey.InterviewState) error {
		l := &out[stale[i]]
		i++
		c := counter(l.Questionnaire, l.Version)
		a, t := c.Count(st.Answers)
		l.Progress = &Progress{Answered: a, Total: t}
		fresh = append(fresh, counted{st.ID, c.Of, *l.Progress, st.Revisions})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("count progress: %w", err)
	}
	if s.readOnly == "" {
		_ = s.Update(ctx, func(tx *Tx) error {
			for _, c := range fresh {
				if _, err := tx.exec(qStoreProgress, c.p.Answered, c.p.Total, c.revisions, c.of, c.id, c.revisions); err != nil {
					return err
				}
			}
			return nil
		})
	}
	return out, nil
}

// qStoreProgress stores a counted progress, unless the interview changed since.
const qStoreProgress = `UPDATE interviews SET progress_answered = ?, progress_total = ?, progress_at = ?, progress_of = ?
	WHERE id = ? AND revisions = ?`
