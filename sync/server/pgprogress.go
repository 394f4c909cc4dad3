package server

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fieldsurvey/fieldsurvey/questionnaires"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
)

// pgProgress finds the progress counter of an interview's questionnaire for the summaries
// the PostgreSQL store caches for the reading commands (interview_summaries): the
// questionnaires bundled in the binary and those the server published, each named by its
// content (questionnaires.ContentOf) as `interview list` names the ones of its catalog, so
// that a list whose catalog has the same content counts nothing again. A questionnaire the
// server does not know gets no counter (the list counts its progress), looked for again
// after pgProgressRetry, since another node may publish it meanwhile.
type pgProgress struct {
	pool *pgxpool.Pool
	mu   sync.Mutex
	// known holds the counters found; missed when a questionnaire was not found.
	known  map[[2]string]*store.ProgressCounter
	missed map[[2]string]time.Time
}

const pgProgressRetry = time.Minute

func newPgProgress(pool *pgxpool.Pool) *pgProgress {
	return &pgProgress{pool: pool, known: map[[2]string]*store.ProgressCounter{}, missed: map[[2]string]time.Time{}}
}

// counter returns the counter of questionnaire qn at version, or nil when the server does
// not know it (or p is nil).
func (p *pgProgress) counter(ctx context.Context, qn, version string) *store.ProgressCounter {
	if p == nil || qn == "" {
		return nil
	}
	k := [2]string{qn, version}
	p.mu.Lock()
	defer p.mu.Unlock()
	if c, ok := p.known[k]; ok {
		return c
	}
	if at, ok := p.missed[k]; ok && time.Since(at) < pgProgressRetry {
		return nil
	}
	c := p.find(ctx, qn, version)
	if c == nil {
		p.missed[k] = time.Now()
		return nil
	}
	delete(p.missed, k)
	p.known[k] = c
	return c
}

// find loads the questionnaire: bundled, else published (a published version never
// changes).
func (p *pgProgress) find(ctx context.Context, qn, version string) *store.ProgressCounter {
	bundled, err := questionnaires.Bundled()
	if err != nil {
		return nil
	}
	for _, q := range bundled {
		if q.ID == qn && q.Version == version {
			of, err := questionnaires.ContentOf(q)
			if err != nil {
				return nil
			}
			return &store.ProgressCounter{Of: of, Count: q.Progress}
		}
	}
	var src []byte
	err = p.pool.QueryRow(ctx, `SELECT source FROM server_questionnaires WHERE id = $1 AND version = $2`, qn, version).Scan(&src)
	if errors.Is(err, pgx.ErrNoRows) || err != nil {
		return nil
	}
	q, err := questionnaires.Parse(qn+".yaml", src)
	if err != nil || q.ID != qn || q.Version != version {
		return nil
	}
	of, err := questionnaires.ContentOf(q)
	if err != nil {
		return nil
	}
	return &store.ProgressCounter{Of: of, Count: q.Progress}
}
