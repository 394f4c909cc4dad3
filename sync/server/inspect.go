package server

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/sync/hub"
)

// Inspector reads what a store holds, whatever its database: the conformance tests and
// `server migrate`'s verification compare stores through it.
type Inspector interface {
	// AllRevisions calls fn with every revision held, in no particular order.
	AllRevisions(ctx context.Context, fn func(survey.Revision) error) error
	// InterviewRevisions returns the revisions of one interview.
	InterviewRevisions(ctx context.Context, interview string) ([]survey.Revision, error)
	// Batches lists the batch records, by device and sequence number.
	Batches(ctx context.Context) ([]hub.BatchRecord, error)
}

var (
	_ Inspector = (*SQLite)(nil)
	_ Inspector = (*Postgres)(nil)
)

// AllRevisions calls fn with every revision held.
func (s *SQLite) AllRevisions(ctx context.Context, fn func(survey.Revision) error) error {
	return s.st.AllRevisions(ctx, fn)
}

// InterviewRevisions returns the revisions of one interview.
func (s *SQLite) InterviewRevisions(ctx context.Context, interview string) ([]survey.Revision, error) {
	return s.st.Revisions(ctx, interview)
}

// Batches lists the batch records.
func (s *SQLite) Batches(ctx context.Context) ([]hub.BatchRecord, error) { return s.hub.Batches(ctx) }

// AllRevisions calls fn with every revision held.
func (p *Postgres) AllRevisions(ctx context.Context, fn func(survey.Revision) error) error {
	return p.view(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+pgRevCols+` FROM revisions`)
		if err != nil {
			return fmt.Errorf("read revisions: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			r, err := pgScanRevision(rows)
			if err != nil {
				return fmt.Errorf("read revisions: %w", err)
			}
			if err := fn(r); err != nil {
				return err
			}
		}
		return rows.Err()
	})
}

// InterviewRevisions returns the revisions of one interview.
func (p *Postgres) InterviewRevisions(ctx context.Context, interview string) ([]survey.Revision, error) {
	return pgRevisions(ctx, p.pool, `interview = $1`, interview)
}

// Batches lists the batch records.
func (p *Postgres) Batches(ctx context.Context) ([]hub.BatchRecord, error) {
	rows, err := p.pool.Query(ctx, `SELECT id, hash, device, signer, key, sequence, created, merged, revisions, added, encrypted
		FROM hub_batches ORDER BY device, sequence`)
	if err != nil {
		return nil, fmt.Errorf("list batches: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (hub.BatchRecord, error) {
		var b hub.BatchRecord
		var seq, created, merged int64
		var enc int
		err := r.Scan(&b.ID, &b.Hash, &b.Device, &b.Signer, &b.Key, &seq, &created, &merged, &b.Revisions, &b.Added, &enc)
		b.Sequence, b.Encrypted = uint64(seq), enc != 0
		b.Created, b.Merged = fromMSp(&created), fromMSp(&merged)
		return b, err
	})
	if err != nil {
		return nil, fmt.Errorf("list batches: %w", err)
	}
	return out, nil
}
