package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
)

// PostgresReader reads the interviews and assessments of a server's PostgreSQL database as
// the reading commands read a SQLite store (`fieldsurvey --db postgres://… interview list`,
// report, conflicts, history…): store.ReadStore, with the same results as the SQLite
// store holding the same revisions (TestPostgresReaderConformance).
//
// States are folded from the revisions with survey.Fold, as the server folds them. What
// lists show beyond the interviews table (role, category, answers counted, section
// ratings…) is kept in interview_summaries (0003_summaries.sql), valid while the interview
// has the same number of revisions: the server writes it with each interview's row (the
// group commit, server migrate), so that lists after uploads fold nothing; a list folds
// and caches what is missing or stale (a database written by an older server), when it may
// write. The skip-aware progress, which needs the questionnaires the server does not read,
// is counted by the first list that asks and cached the same way. Opening creates and
// migrates nothing.
type PostgresReader struct {
	pool *pgxpool.Pool
	// cache says whether interview_summaries exists (a database migrated to 0003).
	cache bool
	// folded counts the interviews lists folded because the cache lacked their summary or
	// their progress.
	folded atomic.Int64
}

var _ store.ReadStore = (*PostgresReader)(nil)

// ErrNotServerDB is returned by OpenPostgresReader for a database that holds no
// fieldsurvey server.
var ErrNotServerDB = errors.New("not a fieldsurvey server database")

// ErrNewerServerDB is returned by OpenPostgresReader for a database whose schema is newer
// than this program knows.
var ErrNewerServerDB = errors.New("the database's schema is newer than this program knows")

// OpenPostgresReader connects to the server database at url (postgres://…) to read it. It
// refuses, changing nothing, a database that is not a fieldsurvey server's (ErrNotServerDB)
// or whose schema is newer than this program (ErrNewerServerDB).
func OpenPostgresReader(ctx context.Context, url string) (*PostgresReader, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres database %s: %w", Redact(url), err)
	}
	cfg.MaxConns = 4
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres database %s: %w", Redact(url), err)
	}
	r := &PostgresReader{pool: pool}
	if err := r.check(ctx, url); err != nil {
		pool.Close()
		return nil, err
	}
	return r, nil
}

// check finds the server's schema and whether it has the summaries table.
func (r *PostgresReader) check(ctx context.Context, url string) error {
	var migs, sums *string
	if err := r.pool.QueryRow(ctx, `SELECT to_regclass('schema_migrations')::text, to_regclass('interview_summaries')::text`).Scan(&migs, &sums); err != nil {
		return fmt.Errorf("postgres database %s: %w", Redact(url), err)
	}
	version := 0
	if migs != nil {
		if err := r.pool.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations WHERE component = $1`, Component).Scan(&version); err != nil {
			return fmt.Errorf("postgres database %s: read schema version: %w", Redact(url), err)
		}
	}
	if version == 0 {
		return fmt.Errorf("%s: %w", Redact(url), ErrNotServerDB)
	}
	migrations := PostgresMigrations()
	if known := migrations[len(migrations)-1].Version; version > known {
		return fmt.Errorf("%s: %w (version %d, this program knows %d)", Redact(url), ErrNewerServerDB, version, known)
	}
	r.cache = sums != nil
	return nil
}

// Close closes the connections.
func (r *PostgresReader) Close() error {
	r.pool.Close()
	return nil
}

// view runs fn in a read-only transaction that sees one snapshot.
func (r *PostgresReader) view(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return pgx.BeginTxFunc(ctx, r.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, fn)
}

// Byte order for text, as SQLite compares it (the database's collation may be another).
const qRevOrder = ` ORDER BY device COLLATE "C", counter, id COLLATE "C"`

func (r *PostgresReader) revisions(ctx context.Context, q pgQuerier, cond, order string, args ...any) ([]survey.Revision, error) {
	rows, err := q.Query(ctx, `SELECT `+pgRevCols+` FROM revisions WHERE `+cond+order, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (survey.Revision, error) { return pgScanRevision(r) })
}

// Interview returns the state of interview id folded from its revisions; an unknown id is
// store.ErrNotFound.
func (r *PostgresReader) Interview(ctx context.Context, id string) (*survey.InterviewState, error) {
	revs, err := r.revisions(ctx, r.pool, `interview = $1`, "", id)
	if err != nil {
		return nil, fmt.Errorf("read interview %s: %w", id, err)
	}
	if len(revs) == 0 {
		return nil, fmt.Errorf("interview %s: %w", id, store.ErrNotFound)
	}
	states, err := survey.Fold(revs)
	if err != nil {
		return nil, fmt.Errorf("read interview %s: %w", id, err)
	}
	return states[id], nil
}

// Revisions returns every revision of an interview, ordered by device and counter.
func (r *PostgresReader) Revisions(ctx context.Context, interviewID string) ([]survey.Revision, error) {
	revs, err := r.revisions(ctx, r.pool, `interview = $1`, qRevOrder, interviewID)
	if err != nil {
		return nil, fmt.Errorf("read revisions of %s: %w", interviewID, err)
	}
	return revs, nil
}

// AllRevisions calls fn with every revision, ordered by id, read as a stream from one
// snapshot. An error from fn stops the walk and is returned.
func (r *PostgresReader) AllRevisions(ctx context.Context, fn func(survey.Revision) error) error {
	return r.view(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+pgRevCols+` FROM revisions ORDER BY id COLLATE "C"`)
		if err != nil {
			return fmt.Errorf("read revisions: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			rv, err := pgScanRevision(rows)
			if err != nil {
				return fmt.Errorf("read revisions: %w", err)
			}
			if err := fn(rv); err != nil {
				return err
			}
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read revisions: %w", err)
		}
		return nil
	})
}

// History returns every revision of target t, oldest first (by time, then id).
func (r *PostgresReader) History(ctx context.Context, t survey.Target) ([]survey.Revision, error) {
	revs, err := r.revisions(ctx, r.pool, `interview = $1 AND kind = $2 AND key = $3`, ` ORDER BY time, id COLLATE "C"`,
		t.Interview, string(t.Kind), t.Key)
	if err != nil {
		return nil, fmt.Errorf("read history of %s: %w", t, err)
	}
	return revs, nil
}

// Conflicts returns every target with more than one head, with all its heads (newest
// first), ordered by interview, kind and key.
func (r *PostgresReader) Conflicts(ctx context.Context) ([]survey.Conflict, error) {
	var out []survey.Conflict
	err := r.view(ctx, func(tx pgx.Tx) error {
		revs, err := r.revisions(ctx, tx, `interview IN (SELECT id FROM interviews WHERE conflicts > 0)`, "")
		if err != nil {
			return err
		}
		byTarget := map[survey.Target][]survey.Revision{}
		for _, rv := range revs {
			byTarget[rv.Target()] = append(byTarget[rv.Target()], rv)
		}
		for t, rs := range byTarget {
			hs := survey.Heads(rs)
			if survey.Disagree(hs) {
				survey.SortNewestFirst(hs)
				out = append(out, survey.Conflict{Target: t, Heads: hs})
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read conflicts: %w", err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Target.String() < out[j].Target.String() })
	return out, nil
}

// Pending returns nothing: a server sends no batches of its own.
func (r *PostgresReader) Pending(ctx context.Context) ([]survey.Revision, error) { return nil, nil }

// GetMeta returns the server's setting key (server_meta), and whether there is one.
func (r *PostgresReader) GetMeta(ctx context.Context, key string) (string, bool, error) {
	var v string
	err := r.pool.QueryRow(ctx, `SELECT value FROM server_meta WHERE key = $1`, key).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("read setting %s: %w", key, err)
	}
	return v, true, nil
}

// Agencies returns the distinct agencies of the interviews, in Vietnamese alphabetical
// order.
func (r *PostgresReader) Agencies(ctx context.Context) ([]string, error) {
	return r.distinct(ctx, "agency", func(sm survey.Summary) string { return sm.Agency })
}

// Provinces returns the distinct provinces (or ministries) of the interviews, in
// Vietnamese alphabetical order.
func (r *PostgresReader) Provinces(ctx context.Context) ([]string, error) {
	return r.distinct(ctx, "province", func(sm survey.Summary) string { return sm.Province })
}

func (r *PostgresReader) distinct(ctx context.Context, what string, of func(survey.Summary) string) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	err := r.EachSummary(ctx, store.ListOptions{}, func(sm survey.Summary) error {
		if v := of(sm); v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read %s names: %w", what, err)
	}
	collate.New(language.Vietnamese).SortStrings(out)
	return out, nil
}

// List returns the summaries of the interviews that match o, most recently updated
// first, then by id.
func (r *PostgresReader) List(ctx context.Context, o store.ListOptions) ([]store.Summary, error) {
	var out []store.Summary
	err := r.EachSummary(ctx, o, func(sm store.Summary) error {
		out = append(out, sm)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// EachSummary calls fn with the summary of each interview that matches o, in List's order.
// An error from fn stops the walk and is returned.
func (r *PostgresReader) EachSummary(ctx context.Context, o store.ListOptions, fn func(store.Summary) error) error {
	ls, err := r.listed(ctx, o, nil)
	if err != nil {
		return err
	}
	for _, l := range ls {
		if err := fn(l.sm); err != nil {
			return err
		}
	}
	return nil
}

// summaryFormat is the encoding of interview_summaries.summary: a summary stored in
// another is folded again.
const summaryFormat = 1

// pgListed is one interview of a list: its summary and the progress cached beside it.
type pgListed struct {
	sm       survey.Summary
	stored   store.Progress
	storedAt int
	storedOf string
	// cached says whether interview_summaries holds sm (else it is written after the list).
	cached bool
	// progress is the progress counted with the counter of content of while sm was folded
	// (nil: not counted).
	progress *store.Progress
	of       string
}

// listed returns the interviews o lists with their summaries, in List's order: the
// interviews table gives the rows (those its columns can filter, by its order), the cache
// their summaries, a fold in the same snapshot those the cache lacks (counting their
// progress too, with counter when not nil); the rest of o is applied here. Summaries folded
// are then cached, when the database may be written.
func (r *PostgresReader) listed(ctx context.Context, o store.ListOptions, counter store.ProgressFunc) ([]pgListed, error) {
	where := []string{"true"}
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if o.Questionnaire != "" {
		where = append(where, "i.questionnaire = "+arg(o.Questionnaire))
	}
	if o.Created {
		where = append(where, "i.questionnaire <> ''")
	}
	if o.Waiting {
		where = append(where, "i.questionnaire = ''")
	}
	if o.Status != "" {
		where = append(where, "i.status = "+arg(string(o.Status)))
	}
	if len(o.Filter.Statuses) > 0 {
		sts := make([]string, len(o.Filter.Statuses))
		for i, s := range o.Filter.Statuses {
			sts[i] = string(s)
		}
		where = append(where, "i.status = ANY("+arg(sts)+")")
	}
	cacheCols, join := `NULL::int, NULL::int, NULL::bytea, 0, 0, -1, ''`, ""
	if r.cache {
		cacheCols = `s.revisions, s.format, s.summary, coalesce(s.progress_answered, 0), coalesce(s.progress_total, 0),
			coalesce(s.progress_at, -1), coalesce(s.progress_of, '')`
		join = ` LEFT JOIN interview_summaries s ON s.id = i.id`
	}
	q := `SELECT i.id, i.revisions, ` + cacheCols + ` FROM interviews i` + join + ` WHERE ` + strings.Join(where, " AND ") +
		` ORDER BY i.updated DESC, i.id COLLATE "C"`
	var out []pgListed
	err := r.view(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, q, args...)
		if err != nil {
			return err
		}
		var missing []int
		for rows.Next() {
			var l pgListed
			var id string
			var revisions int
			var at, format *int
			var sum []byte
			if err := rows.Scan(&id, &revisions, &at, &format, &sum, &l.stored.Answered, &l.stored.Total, &l.storedAt, &l.storedOf); err != nil {
				rows.Close()
				return err
			}
			if at != nil && *at == revisions && format != nil && *format == summaryFormat && json.Unmarshal(sum, &l.sm) == nil {
				l.cached = true
			} else {
				l.sm = survey.Summary{ID: id}
				l.storedAt = -1
				missing = append(missing, len(out))
			}
			out = append(out, l)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		r.folded.Add(int64(len(missing)))
		ids := make([]string, len(missing))
		for i, j := range missing {
			ids[i] = out[j].sm.ID
		}
		i := 0
		return eachFolded(ctx, r, tx, ids, func(st *survey.InterviewState) error {
			l := &out[missing[i]]
			i++
			l.sm = st.Summary()
			if counter != nil {
				if c := counter(l.sm.Questionnaire, l.sm.Version); c != nil {
					a, t := c.Count(st.Answers)
					l.progress, l.of = &store.Progress{Answered: a, Total: t}, c.Of
				}
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("list interviews: %w", err)
	}
	r.storeSummaries(ctx, out)
	return filterListed(out, o), nil
}

// filterListed keeps what o lists of ls that SQL did not choose: the kind of record, the
// search, the filter and the page.
func filterListed(ls []pgListed, o store.ListOptions) []pgListed {
	record := o.Record
	if record == "" {
		record = survey.RecordInterview
	}
	term := strings.TrimSpace(o.Search)
	folded, idPrefix := survey.FoldText(term), strings.ToLower(term)
	kept := ls[:0]
	skip := o.Offset
	for _, l := range ls {
		sm := l.sm
		if sm.Record != record || !o.Filter.Match(sm) {
			continue
		}
		if term != "" {
			key := survey.FoldText(sm.Agency) + "\x1f" + survey.FoldText(sm.Province) + "\x1f" + survey.FoldText(sm.Role)
			if !strings.Contains(key, folded) && !strings.HasPrefix(strings.ToLower(sm.ID), idPrefix) {
				continue
			}
		}
		if skip > 0 {
			skip--
			continue
		}
		if o.Limit > 0 && len(kept) >= o.Limit {
			break
		}
		kept = append(kept, l)
	}
	return kept
}

// storeSummaries caches the summaries ls lacked, with their progress when it was counted,
// in one statement, unless the interview changed meanwhile (its count of revisions in the
// cache is then higher). A database that cannot be written (a read-only role) keeps none:
// the next list folds them again.
func (r *PostgresReader) storeSummaries(ctx context.Context, ls []pgListed) {
	if !r.cache {
		return
	}
	var rows summaryRows
	for _, l := range ls {
		if !l.cached {
			rows.add(l.sm, l.progress, l.of)
		}
	}
	if rows.len() == 0 {
		return
	}
	b := &pgx.Batch{}
	rows.queue(b, false)
	_ = r.pool.SendBatch(ctx, b).Close()
}

// summaryRows are rows of interview_summaries to write in one statement: by a reader
// (storeSummaries) or by the server as it writes the interviews' rows (the group commit,
// refreshInterviews), so that the first list after uploads or a migration folds nothing.
type summaryRows struct {
	ids, ofs                  []string
	revs, answered, total, at []int64
	sums                      [][]byte
}

func (s *summaryRows) len() int { return len(s.ids) }

// add adds the summary sm, with its progress p counted with the questionnaire content of
// (nil: not counted, left to the reader, who has the questionnaires). Times are kept to
// the millisecond in UTC, as folded from the database's revisions.
func (s *summaryRows) add(sm survey.Summary, p *store.Progress, of string) {
	sm.Created, sm.Updated = time.UnixMilli(sm.Created.UnixMilli()).UTC(), time.UnixMilli(sm.Updated.UnixMilli()).UTC()
	js, err := json.Marshal(sm)
	if err != nil {
		return // not cached: the reader folds it
	}
	pr, pat := store.Progress{}, int64(-1)
	if p != nil {
		pr, pat = *p, int64(sm.Revisions)
	}
	s.ids, s.revs, s.sums = append(s.ids, sm.ID), append(s.revs, int64(sm.Revisions)), append(s.sums, js)
	s.answered, s.total, s.at, s.ofs = append(s.answered, int64(pr.Answered)), append(s.total, int64(pr.Total)), append(s.at, pat), append(s.ofs, of)
}

// addCounted adds the summary sm of an interview with answers, with its progress when pp
// knows its questionnaire (else left to the reader).
func (s *summaryRows) addCounted(ctx context.Context, sm survey.Summary, answers survey.Answers, pp *pgProgress) {
	if c := pp.counter(ctx, sm.Questionnaire, sm.Version); c != nil {
		a, t := c.Count(answers)
		s.add(sm, &store.Progress{Answered: a, Total: t}, c.Of)
		return
	}
	s.add(sm, nil, "")
}

// queue queues the statement writing the rows in b. A row replaces the cached one of an
// interview with fewer revisions (or in another format); a reader's (server false) also
// one with as many, which it has just folded (with its progress), while the server's
// leaves such a row and the progress a reader counted in it.
func (s *summaryRows) queue(b *pgx.Batch, server bool) {
	cond := `interview_summaries.revisions <= excluded.revisions`
	if server {
		cond = `interview_summaries.revisions < excluded.revisions OR interview_summaries.format <> excluded.format`
	}
	b.Queue(`INSERT INTO interview_summaries (id, revisions, format, summary, progress_answered, progress_total, progress_at, progress_of)
		SELECT id, revisions, $3, summary, answered, total, at, progress_of
		FROM unnest($1::text[], $2::bigint[], $4::bytea[], $5::bigint[], $6::bigint[], $7::bigint[], $8::text[])
			AS s(id, revisions, summary, answered, total, at, progress_of)
		ON CONFLICT (id) DO UPDATE SET revisions = excluded.revisions, format = excluded.format, summary = excluded.summary,
			progress_answered = excluded.progress_answered, progress_total = excluded.progress_total,
			progress_at = excluded.progress_at, progress_of = excluded.progress_of
		WHERE `+cond,
		s.ids, s.revs, summaryFormat, s.sums, s.answered, s.total, s.at, s.ofs)
}

// eachFolded calls fn with the state of each interview of ids, in that order, folded from
// its revisions read through q a chunk of interviews at a time. An id without revisions is
// store.ErrNotFound.
func eachFolded(ctx context.Context, r *PostgresReader, q pgQuerier, ids []string, fn func(*survey.InterviewState) error) error {
	const chunk = 200
	for i := 0; i < len(ids); i += chunk {
		part := ids[i:min(i+chunk, len(ids))]
		revs, err := r.revisions(ctx, q, `interview = ANY($1)`, "", part)
		if err != nil {
			return err
		}
		states, err := survey.Fold(revs)
		if err != nil {
			return err
		}
		for _, id := range part {
			st := states[id]
			if st == nil {
				return fmt.Errorf("interview %s: %w", id, store.ErrNotFound)
			}
			if err := fn(st); err != nil {
				return err
			}
		}
	}
	return nil
}

// EachInterview calls fn with the current state of each interview in ids, in that order,
// read from one snapshot a chunk at a time. An unknown id is store.ErrNotFound; an error
// from fn stops the walk and is returned.
func (r *PostgresReader) EachInterview(ctx context.Context, ids []string, fn func(*survey.InterviewState) error) error {
	return r.view(ctx, func(tx pgx.Tx) error { return eachFolded(ctx, r, tx, ids, fn) })
}

// InterviewsOf returns the state of every interview of questionnaire qn whose creation is
// held, in the order of List.
func (r *PostgresReader) InterviewsOf(ctx context.Context, qn string) ([]*survey.InterviewState, error) {
	sums, err := r.List(ctx, store.ListOptions{Questionnaire: qn, Created: true})
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(sums))
	for i, sm := range sums {
		ids[i] = sm.ID
	}
	out := make([]*survey.InterviewState, 0, len(ids))
	err = r.EachInterview(ctx, ids, func(st *survey.InterviewState) error {
		out = append(out, st)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ListProgress returns the interviews of List(o) with their progress counted by pf, as
// store.Store.ListProgress: the progress cached beside a summary is used while the
// interview and the questionnaire's content are the same, the others are folded and
// counted, and cached when the database may be written.
func (r *PostgresReader) ListProgress(ctx context.Context, o store.ListOptions, pf store.ProgressFunc) ([]store.Listed, error) {
	counter := pf.Memo()
	ls, err := r.listed(ctx, o, counter)
	if err != nil {
		return nil, err
	}
	out := make([]store.Listed, len(ls))
	var stale []int
	for i, l := range ls {
		out[i].Summary = l.sm
		switch c := counter(l.sm.Questionnaire, l.sm.Version); {
		case c == nil:
		case l.progress != nil: // counted as it was folded
			out[i].Progress = l.progress
		case l.storedAt == l.sm.Revisions && l.storedOf == c.Of:
			p := l.stored
			out[i].Progress = &p
		default:
			stale = append(stale, i)
		}
	}
	if len(stale) == 0 {
		return out, nil
	}
	r.folded.Add(int64(len(stale)))
	ids := make([]string, len(stale))
	for i, j := range stale {
		ids[i] = out[j].ID
	}
	var answered, total, at []int64
	var ofs []string
	i := 0
	err = r.EachInterview(ctx, ids, func(st *survey.InterviewState) error {
		l := &out[stale[i]]
		i++
		c := counter(l.Questionnaire, l.Version)
		a, t := c.Count(st.Answers)
		l.Progress = &store.Progress{Answered: a, Total: t}
		answered, total, at, ofs = append(answered, int64(a)), append(total, int64(t)), append(at, int64(st.Revisions)), append(ofs, c.Of)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("count progress: %w", err)
	}
	if r.cache {
		_, _ = r.pool.Exec(ctx, `UPDATE interview_summaries s SET progress_answered = u.answered, progress_total = u.total,
				progress_at = u.at, progress_of = u.progress_of
			FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::text[]) AS u(id, answered, total, at, progress_of)
			WHERE s.id = u.id AND s.revisions = u.at`, ids, answered, total, at, ofs)
	}
	return out, nil
}
