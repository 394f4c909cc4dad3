package server

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
	"github.com/fieldsurvey/fieldsurvey/sync/hub"
	"github.com/fieldsurvey/fieldsurvey/sync/wire"
)

// The Store on PostgreSQL (issue 14): several `serve` nodes share one database. Each node
// keeps its own group commit (group.go); what the SQLite store gets from having one
// writer, this one gets from transaction-scoped advisory locks, always taken in the same
// order so that two nodes never deadlock:
//
//  1. lockDevices, shared by uploads, exclusive for enrolment, revocation and publishing:
//     a supervisor enrolling never misses an interview being stored at that moment, and a
//     token is redeemed by one node only;
//  2. per batch id, per device and per interview (sorted): the same batch sent to two
//     nodes at once is stored by the first, and the second, waiting for the lock, finds it
//     stored and answers the same receipt; an interview's state (its status, its
//     "submitted") is decided by one transaction at a time;
//  3. lockFeed, held from the moment a transaction gives its feed rows their positions
//     until it commits, so that positions become visible in increasing order (the rule
//     in Store's documentation): a reader that sees position n+1 sees n.
//
// Migrations are in migrations_postgres/, numbered like the SQLite ones, applied under
// an advisory lock so that nodes starting together apply them once.

//go:embed migrations_postgres/*.sql
var pgMigrationFS embed.FS

// PostgresMigrations returns the PostgreSQL store's schema steps, in order.
func PostgresMigrations() []store.Migration {
	ms, err := store.MigrationsIn(pgMigrationFS, "migrations_postgres")
	if err != nil {
		panic(err) // embedded at build time: a bad name is a programming error
	}
	return ms
}

// Advisory lock namespaces (the first key of pg_advisory_xact_lock(int, int)).
const (
	lockNSFeed      = 1
	lockNSDevices   = 2
	lockNSBatch     = 3
	lockNSDevice    = 4
	lockNSInterview = 5
	lockNSMigrate   = 6
)

// Postgres is the Store on PostgreSQL.
type Postgres struct {
	pool *pgxpool.Pool
	grp  *grouper
	url  string
	// progress counts the progress of the summaries cached for the reading commands.
	progress *pgProgress
	// nonceSwept is when UseNonce last deleted expired nonces (Unix milliseconds).
	nonceSwept atomic.Int64
}

var _ Store = (*Postgres)(nil)

// IsPostgresURL reports whether database names a PostgreSQL database (postgres:// or
// postgresql://) rather than a SQLite data folder.
func IsPostgresURL(database string) bool {
	return strings.HasPrefix(database, "postgres://") || strings.HasPrefix(database, "postgresql://")
}

// OpenPostgres connects to the database at url (postgres://…) and brings its schema up to
// date.
func OpenPostgres(ctx context.Context, url string) (*Postgres, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres database: %w", err)
	}
	if !strings.Contains(url, "pool_max_conns") && cfg.MaxConns < 16 {
		// Uploads are checked in parallel and inbox reads run beside the group commit: the
		// default (the processors, at least 4) queues them. ?pool_max_conns=N overrides it
		// (PostgreSQL's max_connections, 100 by default, must cover every node's pool).
		cfg.MaxConns = 16
	}
	if _, set := cfg.ConnConfig.RuntimeParams["jit"]; !set {
		// The store's statements are short; JIT compiling one whose estimate is large (a
		// group commit's lookups by LATERAL, estimated from a table without statistics)
		// took 0.7 s for a 1 ms query (auto_explain, load test). ?jit=on overrides it.
		cfg.ConnConfig.RuntimeParams["jit"] = "off"
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres database %s: %w", redactURL(url), err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres database %s: %w", redactURL(url), err)
	}
	p := &Postgres{pool: pool, url: url, progress: newPgProgress(pool)}
	if err := p.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	p.grp = newGrouper(p.commitGroup)
	return p, nil
}

// redactURL drops a password from a database URL, for messages (Redact: the password
// compared decoded with the URL's encoded text, as before, let a percent-encoded one
// through).
func redactURL(url string) string { return Redact(url) }

func (p *Postgres) migrate(ctx context.Context) error {
	conn, err := p.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	defer conn.Release()
	// A session lock: nodes starting together apply each step once.
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1, 0)`, lockNSMigrate); err != nil {
		return fmt.Errorf("postgres: lock for migrations: %w", err)
	}
	defer conn.Exec(context.Background(), `SELECT pg_advisory_unlock($1, 0)`, lockNSMigrate)
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		component TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL, applied BIGINT NOT NULL,
		PRIMARY KEY (component, version))`); err != nil {
		return fmt.Errorf("postgres: create schema_migrations: %w", err)
	}
	var current int
	if err := conn.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations WHERE component = $1`, Component).Scan(&current); err != nil {
		return fmt.Errorf("postgres: read schema version: %w", err)
	}
	migs := PostgresMigrations()
	if known := migs[len(migs)-1].Version; current > known {
		return fmt.Errorf("the database's schema is version %d, newer than this program knows (%d): update fieldsurvey on this node", current, known)
	}
	for _, m := range migs {
		if m.Version <= current {
			continue
		}
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (component, version, name, applied) VALUES ($1, $2, $3, $4)`,
				Component, m.Version, m.Name, time.Now().UnixMilli())
			return err
		})
		if err != nil {
			return fmt.Errorf("postgres: migration %04d_%s: %w", m.Version, m.Name, err)
		}
	}
	return nil
}

// Close waits for the uploads being stored, then closes the connections.
func (p *Postgres) Close() error {
	p.grp.close()
	p.pool.Close()
	return nil
}

// GroupCommits returns how many transactions stored uploaded batches and how many batches
// they held (on this node).
func (p *Postgres) GroupCommits() (transactions, batches int, busy time.Duration) {
	return p.grp.stats()
}

// Ping checks that the database answers (health).
func (p *Postgres) Ping(ctx context.Context) error { return p.pool.Ping(ctx) }

// Pool is the connection pool (tests and `server migrate`).
func (p *Postgres) Pool() *pgxpool.Pool { return p.pool }

// pgTx is a writing transaction with what it will add to the feed at its end (flush).
type pgTx struct {
	ctx context.Context
	tx  pgx.Tx
	// feed rows and interests waiting for their positions (see flush).
	feed       []*pendingFeed
	interests  []pendingInterest
	interested map[[2]string]bool
	// For a group commit (postgres_ingest.go): known holds the (device, interview) pairs
	// whose interest was read in advance (true: the device follows it); mem the group's
	// interviews, whose revisions follow reads from there; pre the group's writes, which
	// flush sends in its first round trip.
	known map[[2]string]bool
	mem   map[string]*memInterview
	pre   *pgx.Batch
	// progress counts the progress of the summaries written with the interviews' rows.
	progress *pgProgress
}

type pendingFeed struct {
	interview, batch, device, qid, qversion *string
	sender                                  string
	created                                 int64
	seq                                     int64 // set by flush
}

// pendingInterest is an interest whose since is the position of row, minus one when
// before; with no row, the last position given before it was made (rows to come).
type pendingInterest struct {
	device, interview string
	row               *pendingFeed
	before            bool
	after             int // rows: the number of this transaction's feed rows made before it
}

func strp(s string) *string { return &s }

// update runs fn in a writing transaction, then gives the feed rows their positions and
// commits. A serialization failure or deadlock (another node) is retried.
func (p *Postgres) update(ctx context.Context, fn func(t *pgTx) error) error {
	for attempt := 0; ; attempt++ {
		err := pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
			t := &pgTx{ctx: ctx, tx: tx, interested: map[[2]string]bool{}, progress: p.progress}
			if err := fn(t); err != nil {
				return err
			}
			return t.flush()
		})
		if attempt < 5 && retryable(err) {
			continue
		}
		return err
	}
}

// view runs fn in a read-only transaction that sees one snapshot.
func (p *Postgres) view(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return pgx.BeginTxFunc(ctx, p.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, fn)
}

func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

func isUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// lock takes the transaction-scoped advisory lock (ns, key).
func (t *pgTx) lock(ns int, key string) error {
	if _, err := t.tx.Exec(t.ctx, `SELECT pg_advisory_xact_lock($1, hashtext($2))`, ns, key); err != nil {
		return fmt.Errorf("lock: %w", err)
	}
	return nil
}

// lockDevices takes lockDevices, shared or exclusive.
func (t *pgTx) lockDevices(exclusive bool) error {
	q := `SELECT pg_advisory_xact_lock_shared($1, 0)`
	if exclusive {
		q = `SELECT pg_advisory_xact_lock($1, 0)`
	}
	if _, err := t.tx.Exec(t.ctx, q, lockNSDevices); err != nil {
		return fmt.Errorf("lock devices: %w", err)
	}
	return nil
}

// lockInterviews takes the locks of interviews, in order.
func (t *pgTx) lockInterviews(ivs []string) error {
	ivs = slices.Clone(ivs)
	slices.Sort(ivs)
	for _, iv := range slices.Compact(ivs) {
		if err := t.lock(lockNSInterview, iv); err != nil {
			return err
		}
	}
	return nil
}

// addFeed queues a feed row.
func (t *pgTx) addFeed(f *pendingFeed) *pendingFeed {
	t.feed = append(t.feed, f)
	return f
}

// flush gives the transaction's feed rows their positions under lockFeed (held until the
// commit that follows) and writes them and the interests that depend on them: two round
// trips, the first after the statements queued in pre.
func (t *pgTx) flush() error {
	b := t.pre
	if b == nil {
		b = &pgx.Batch{}
	}
	var last int64
	var seqs []int64
	if len(t.feed) > 0 || len(t.interests) > 0 {
		b.Queue(`SELECT pg_advisory_xact_lock($1, 0)`, lockNSFeed)
		b.Queue(`SELECT coalesce(max(seq), 0) FROM server_feed`).QueryRow(func(row pgx.Row) error { return row.Scan(&last) })
		if len(t.feed) > 0 {
			b.Queue(`SELECT nextval('server_feed_seq') FROM generate_series(1, $1)`, len(t.feed)).Query(func(rows pgx.Rows) error {
				var err error
				seqs, err = pgx.CollectRows(rows, pgx.RowTo[int64])
				return err
			})
		}
	}
	if b.Len() == 0 {
		return nil
	}
	if err := t.tx.SendBatch(t.ctx, b).Close(); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if len(t.feed) == 0 && len(t.interests) == 0 {
		return nil
	}
	if len(seqs) != len(t.feed) {
		return fmt.Errorf("feed: %d positions for %d rows", len(seqs), len(t.feed))
	}
	// Positions in the order the rows were made, whatever order the sequence gave them.
	slices.Sort(seqs)
	b = &pgx.Batch{}
	if n := len(t.feed); n > 0 {
		ivs, batches, devs, qids, qvs := make([]*string, n), make([]*string, n), make([]*string, n), make([]*string, n), make([]*string, n)
		senders, created := make([]string, n), make([]int64, n)
		for i, f := range t.feed {
			f.seq = seqs[i]
			ivs[i], batches[i], devs[i], qids[i], qvs[i] = f.interview, f.batch, f.device, f.qid, f.qversion
			senders[i], created[i] = f.sender, f.created
		}
		b.Queue(`INSERT INTO server_feed (seq, interview, batch, sender, device, qid, qversion, created)
			SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[])`,
			seqs, ivs, batches, senders, devs, qids, qvs, created)
	}
	if n := len(t.interests); n > 0 {
		devs, ivs, since := make([]string, n), make([]string, n), make([]int64, n)
		for i, in := range t.interests {
			s := last
			switch {
			case in.row != nil && in.before:
				s = in.row.seq - 1
			case in.row != nil:
				s = in.row.seq
			case in.after > 0:
				s = t.feed[in.after-1].seq
			}
			devs[i], ivs[i], since[i] = in.device, in.interview, s
		}
		b.Queue(`INSERT INTO server_interest (device, interview, since)
			SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[]) ON CONFLICT DO NOTHING`, devs, ivs, since)
	}
	if err := t.tx.SendBatch(t.ctx, b).Close(); err != nil {
		return fmt.Errorf("feed: %w", err)
	}
	return nil
}

// AddToken stores an issued token's hash.
func (p *Postgres) AddToken(ctx context.Context, t TokenRecord) error {
	role := t.Role
	if role == "" {
		role = survey.RoleAssessor
	}
	_, err := p.pool.Exec(ctx, `INSERT INTO server_tokens (hash, assessor, created, expires, role, scope) VALUES ($1, $2, $3, $4, $5, $6)`,
		t.Hash, t.Assessor, ms(t.Created), ms(t.Expires), string(role), joinScope(t.Scope))
	if err != nil {
		return fmt.Errorf("store token: %w", err)
	}
	return nil
}

type pgQuerier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func pgScanDevice(sc interface{ Scan(...any) error }, extra ...any) (Device, error) {
	var d Device
	var enrolled, revoked *int64
	var role, scope string
	if err := sc.Scan(append([]any{&d.ID, &d.Principal, &d.Assessor, &d.PublicKey, &enrolled, &revoked, &role, &scope}, extra...)...); err != nil {
		return Device{}, err
	}
	d.Enrolled, d.Revoked = fromMSp(enrolled), fromMSp(revoked)
	d.Role, d.Scope = survey.Role(role), splitScope(scope)
	return d, nil
}

func fromMSp(v *int64) time.Time {
	if v == nil {
		return time.Time{}
	}
	return time.UnixMilli(*v).UTC()
}

func pgDevice(ctx context.Context, q pgQuerier, id string) (Device, error) {
	d, err := pgScanDevice(q.QueryRow(ctx, `SELECT `+deviceCols+` FROM server_devices WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return Device{}, wire.Errorf(wire.CodeDeviceUnknown, "device %s", id)
	}
	if err != nil {
		return Device{}, fmt.Errorf("read device %s: %w", id, err)
	}
	return d, nil
}

// Enroll redeems a token and enrols a device (see Store).
func (p *Postgres) Enroll(ctx context.Context, tokenHash string, d Device, now time.Time) (Device, error) {
	want := d.Role
	if want == "" {
		want = survey.RoleAssessor
	}
	var out Device
	err := p.update(ctx, func(t *pgTx) error {
		if err := t.lockDevices(true); err != nil {
			return err
		}
		tx := t.tx
		var assessor, role, scope string
		var expires int64
		var used *int64
		err := tx.QueryRow(ctx, `SELECT assessor, expires, used, role, scope FROM server_tokens WHERE hash = $1 FOR UPDATE`, tokenHash).Scan(&assessor, &expires, &used, &role, &scope)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return wire.NewError(wire.CodeTokenUnknown, "")
		case err != nil:
			return fmt.Errorf("read token: %w", err)
		case used != nil:
			return wire.Errorf(wire.CodeTokenUsed, "used %s", fromMSp(used).Format(time.RFC3339))
		case ms(now) > expires:
			return wire.Errorf(wire.CodeTokenExpired, "expired %s", time.UnixMilli(expires).UTC().Format(time.RFC3339))
		case survey.Role(role) != want:
			return wire.Errorf(wire.CodeRoleMismatch, "the token is for %s's device; this device's home is %s's", aRole(survey.Role(role)), aRole(want))
		}
		old, err := pgDevice(ctx, tx, d.ID)
		isNew := errors.Is(err, wire.ErrDeviceUnknown)
		switch {
		case isNew:
		case err != nil:
			return err
		case old.IsRevoked():
			return wire.Errorf(wire.CodeDeviceRevoked, "device %s was revoked %s; a revoked device id cannot be enrolled again: run `fieldsurvey init` in a new home folder", d.ID, old.Revoked.Format(time.RFC3339))
		case old.PublicKey != d.PublicKey:
			return wire.Errorf(wire.CodeDeviceExists, "device %s", d.ID)
		}
		if _, err := tx.Exec(ctx, `UPDATE server_tokens SET used = $1, used_by = $2 WHERE hash = $3`, ms(now), d.ID, tokenHash); err != nil {
			return fmt.Errorf("use token: %w", err)
		}
		if isNew {
			_, err = tx.Exec(ctx, `INSERT INTO server_devices (id, principal, assessor, public_key, enrolled, last_seen, role, scope) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
				d.ID, d.Principal, assessor, d.PublicKey, ms(now), ms(now), role, scope)
			if err == nil {
				// Every published questionnaire waits for a new device.
				var qs [][2]string
				qs, err = p.publishedIDs(ctx, tx)
				for _, q := range qs {
					t.addFeed(&pendingFeed{device: strp(d.ID), qid: strp(q[0]), qversion: strp(q[1]), created: ms(now)})
				}
			}
		} else {
			_, err = tx.Exec(ctx, `UPDATE server_devices SET principal = $1, assessor = $2, last_seen = $3, role = $4, scope = $5 WHERE id = $6`,
				d.Principal, assessor, ms(now), role, scope, d.ID)
		}
		if err != nil {
			return fmt.Errorf("store device: %w", err)
		}
		out, err = pgDevice(ctx, tx, d.ID)
		if err != nil {
			return err
		}
		var ivs []string
		if out.Role == survey.RoleSupervisor {
			ivs, err = p.scopeInterviews(ctx, tx, out)
		} else {
			ivs, err = p.assignedInterviews(ctx, tx, out)
		}
		if err != nil {
			return err
		}
		for _, iv := range ivs {
			if err := t.follow(out.ID, iv, "", nil, now); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

func (p *Postgres) publishedIDs(ctx context.Context, tx pgx.Tx) ([][2]string, error) {
	rows, err := tx.Query(ctx, `SELECT id, version FROM server_questionnaires ORDER BY published, id, version`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) ([2]string, error) {
		var q [2]string
		err := r.Scan(&q[0], &q[1])
		return q, err
	})
}

// scopeInterviews lists the interviews a supervisor's device covers.
func (p *Postgres) scopeInterviews(ctx context.Context, tx pgx.Tx, d Device) ([]string, error) {
	rows, err := tx.Query(ctx, `SELECT id, province FROM interviews ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list interviews: %w", err)
	}
	var ivs []string
	var id, province string
	_, err = pgx.ForEachRow(rows, []any{&id, &province}, func() error {
		if d.Covers(province) {
			ivs = append(ivs, id)
		}
		return nil
	})
	return ivs, err
}

// assignedInterviews lists the planned interviews supervisors assigned to d's principal.
func (p *Postgres) assignedInterviews(ctx context.Context, tx pgx.Tx, d Device) ([]string, error) {
	// kind is written out, not a parameter: the partial index revisions_created (0002)
	// serves only a query that says kind = 'interview' itself.
	rows, err := tx.Query(ctx, `SELECT r.interview, r.value FROM server_devices s
		JOIN revisions r ON r.device = s.id WHERE s.role = $1 AND r.kind = '`+string(survey.KindInterview)+`' ORDER BY r.interview`,
		string(survey.RoleSupervisor))
	if err != nil {
		return nil, fmt.Errorf("list planned interviews: %w", err)
	}
	var ivs []string
	var iv string
	var value []byte
	_, err = pgx.ForEachRow(rows, []any{&iv, &value}, func() error {
		var meta survey.InterviewMeta
		if json.Unmarshal(value, &meta) == nil && meta.Assignee != "" && meta.Assignee == d.Principal {
			ivs = append(ivs, iv)
		}
		return nil
	})
	return ivs, err
}

// Device returns an enrolled device.
func (p *Postgres) Device(ctx context.Context, id string) (Device, error) {
	return pgDevice(ctx, p.pool, id)
}

// Supervisors lists the active supervisor devices, by id.
func (p *Postgres) Supervisors(ctx context.Context) ([]Device, error) {
	out, err := pgSupervisors(ctx, p.pool)
	if err != nil {
		return nil, fmt.Errorf("list supervisors: %w", err)
	}
	return out, nil
}

func pgSupervisors(ctx context.Context, q pgQuerier) ([]Device, error) {
	rows, err := q.Query(ctx, `SELECT `+deviceCols+` FROM server_devices WHERE role = $1 AND revoked IS NULL ORDER BY id`, string(survey.RoleSupervisor))
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Device, error) { return pgScanDevice(r) })
}

// Devices lists the enrolled devices with what they sent and what was refused.
func (p *Postgres) Devices(ctx context.Context) ([]DeviceReport, error) {
	var out []DeviceReport
	err := p.view(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+deviceCols+`, last_seen FROM server_devices ORDER BY id`)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (DeviceReport, error) {
			var dr DeviceReport
			var seen *int64
			var err error
			dr.Device, err = pgScanDevice(r, &seen)
			dr.LastSync = fromMSp(seen)
			return dr, err
		})
		if err != nil {
			return err
		}
		byID := map[string]*DeviceReport{}
		for i := range out {
			byID[out[i].ID] = &out[i]
		}
		rows, err = tx.Query(ctx, `SELECT `+refusalCols+` FROM server_refusals ORDER BY device, sequence, refused, batch`)
		if err != nil {
			return err
		}
		rfs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (RefusalRecord, error) { return scanRefusal(r, false) })
		if err != nil {
			return err
		}
		for _, rf := range rfs {
			if d := byID[rf.Device]; d != nil {
				d.Refused = append(d.Refused, rf)
			}
		}
		rows, err = tx.Query(ctx, `SELECT d.device, d.last, b.sequence FROM hub_devices d JOIN hub_batches b ON b.device = d.device ORDER BY d.device, b.sequence`)
		if err != nil {
			return err
		}
		var dev string
		var last, seq int64
		missing := map[string][]hub.Gap{}
		_, err = pgx.ForEachRow(rows, []any{&dev, &last, &seq}, func() error {
			d := byID[dev]
			if d == nil {
				return nil
			}
			if s := uint64(seq); s > d.LastSeq+1 {
				missing[dev] = append(missing[dev], hub.Gap{Device: dev, From: d.LastSeq + 1, To: s - 1})
			}
			d.LastSeq = max(d.LastSeq, uint64(seq))
			d.Batches++
			if l := time.UnixMilli(last).UTC(); l.After(d.LastSync) {
				d.LastSync = l
			}
			return nil
		})
		if err != nil {
			return err
		}
		for id, d := range byID {
			if d.Batches > 0 {
				d.Missing = withoutRefused(missing[id], d.Refused)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list devices: %w", err)
	}
	return out, nil
}

// Revoke revokes a device; revoking it again changes nothing.
func (p *Postgres) Revoke(ctx context.Context, id string, now time.Time) (Device, error) {
	var d Device
	err := p.update(ctx, func(t *pgTx) error {
		if err := t.lockDevices(true); err != nil {
			return err
		}
		if _, err := t.tx.Exec(ctx, `UPDATE server_devices SET revoked = $1 WHERE id = $2 AND revoked IS NULL`, ms(now), id); err != nil {
			return fmt.Errorf("revoke device %s: %w", id, err)
		}
		var err error
		d, err = pgDevice(ctx, t.tx, id)
		return err
	})
	return d, err
}

// Seen records that a device was heard from.
func (p *Postgres) Seen(ctx context.Context, id string, now time.Time) error {
	_, err := p.pool.Exec(ctx, `UPDATE server_devices SET last_seen = greatest(coalesce(last_seen, 0), $1) WHERE id = $2`, ms(now), id)
	return err
}

func pgReceipt(ctx context.Context, q pgQuerier, batchID string) (wire.Receipt, string, error) {
	var hash, device string
	var seq, merged int64
	var revisions, added int
	var manifest []byte
	err := q.QueryRow(ctx, `SELECT hash, device, sequence, merged, revisions, added, manifest FROM hub_batches WHERE id = $1`, batchID).
		Scan(&hash, &device, &seq, &merged, &revisions, &added, &manifest)
	if errors.Is(err, pgx.ErrNoRows) {
		return wire.Receipt{}, "", fmt.Errorf("batch %s: %w", batchID, ErrNotFound)
	}
	if err != nil {
		return wire.Receipt{}, "", fmt.Errorf("read the record of batch %s: %w", batchID, err)
	}
	rc, err := receiptOfRow(batchID, hash, device, seq, merged, revisions, added, manifest)
	return rc, hash, err
}

// receiptOfRow is the receipt of a batch from its record in hub_batches.
func receiptOfRow(batchID, hash, device string, seq, merged int64, revisions, added int, manifest []byte) (wire.Receipt, error) {
	var m struct {
		Payload struct {
			SHA256 string `json:"sha256"`
		} `json:"payload"`
	}
	if err := json.Unmarshal(manifest, &m); err != nil {
		return wire.Receipt{}, fmt.Errorf("read the manifest of batch %s: %w", batchID, err)
	}
	return wire.Receipt{Format: wire.ReceiptFormat, Batch: batchID, Hash: hash, PayloadHash: m.Payload.SHA256,
		Device: device, Seq: uint64(seq), Received: wire.FormatTime(time.UnixMilli(merged)), Revisions: revisions,
		Added: added, Present: revisions - added}, nil
}

// Receipt returns the receipt of a stored batch.
func (p *Postgres) Receipt(ctx context.Context, batchID string) (wire.Receipt, error) {
	rc, _, err := pgReceipt(ctx, p.pool, batchID)
	return rc, err
}

// Ingest stores a verified batch (see Store): the same checks as the SQLite store's, then
// this node's group commit.
func (p *Postgres) Ingest(ctx context.Context, u Upload) (Ingested, error) {
	if err := p.checkForeign(ctx, u); err != nil {
		return Ingested{}, err
	}
	if n := u.Nonce; n != nil {
		// Recorded before the batch's transaction, in its own statement (as UseNonce).
		fresh, err := p.UseNonce(ctx, n.Key, n.Now, n.Keep)
		if err != nil {
			return Ingested{}, err
		}
		if !fresh {
			return Ingested{}, ErrReplayed
		}
	}
	return p.grp.ingest(ctx, u)
}

func (p *Postgres) checkForeign(ctx context.Context, u Upload) error {
	var foreign []survey.Revision
	for _, r := range u.Revisions {
		if r.Device != u.Device.ID {
			foreign = append(foreign, r)
		}
	}
	if len(foreign) == 0 {
		return nil
	}
	ids := make([]string, len(foreign))
	for i, r := range foreign {
		ids[i] = r.ID
	}
	rows, err := p.pool.Query(ctx, `SELECT id FROM revisions WHERE id = ANY($1)`, ids)
	if err != nil {
		return fmt.Errorf("look up revision: %w", err)
	}
	held, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("look up revision: %w", err)
	}
	for _, r := range foreign {
		if !slices.Contains(held, r.ID) {
			return contentError(wire.CodeBadBatch, hub.Reason(hub.ErrForeignRevision), survey.T(
				fmt.Sprintf("revision %.12s was made by device %s, not by the device that sent the batch, and the server does not hold it", r.ID, clip(r.Device, 64)),
				fmt.Sprintf("bản ghi thay đổi %.12s do thiết bị %s tạo, không phải thiết bị gửi lô, và máy chủ không có bản ghi này", r.ID, clip(r.Device, 64))))
		}
	}
	return nil
}

// statusHeads returns the heads of an interview's status as the fold found them.
func statusHeads(st *interviewFold) []survey.Revision {
	return st.heads[survey.Target{Interview: st.ID, Kind: survey.KindStatus}]
}

// insertRevisions stores revs (verified) with their batch, keeping those already held,
// and returns how many were new.
func insertRevisions(ctx context.Context, tx pgx.Tx, revs []survey.Revision, batch string) (int, error) {
	n := len(revs)
	ids, ivs, kinds, ks, devs, auths, reps, vals := make([]string, n), make([]string, n), make([]string, n), make([]string, n),
		make([]string, n), make([]string, n), make([]string, n), make([][]byte, n)
	counters, times := make([]int64, n), make([]int64, n)
	for i, r := range revs {
		ids[i], ivs[i], kinds[i], ks[i], devs[i], auths[i] = r.ID, r.Interview, string(r.Kind), r.Key, r.Device, r.Author
		reps[i], vals[i] = strings.Join(r.Replaces, " "), r.Value
		counters[i], times[i] = int64(r.Counter), r.Time.UnixMilli()
	}
	tag, err := tx.Exec(ctx, `INSERT INTO revisions (id, interview, kind, key, device, counter, time, author, replaces, batch, value)
		SELECT id, interview, kind, key, device, counter, time, author, replaces, $11, value
		FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::text[], $9::text[], $10::bytea[])
			AS r(id, interview, kind, key, device, counter, time, author, replaces, value)
		ON CONFLICT (id) DO NOTHING`,
		ids, ivs, kinds, ks, devs, counters, times, auths, reps, vals, batch)
	if err != nil {
		return 0, fmt.Errorf("store revisions: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// interviewFold is an interview's state with the heads of each target.
type interviewFold struct {
	*survey.InterviewState
	heads map[survey.Target][]survey.Revision
}

const pgRevCols = "id, interview, kind, key, value, device, counter, time, author, replaces"

func pgScanRevision(r interface{ Scan(...any) error }, extra ...any) (survey.Revision, error) {
	var rv survey.Revision
	var kind, replaces string
	var counter, tm int64
	var value []byte
	if err := r.Scan(append([]any{&rv.ID, &rv.Interview, &kind, &rv.Key, &value, &rv.Device, &counter, &tm, &rv.Author, &replaces}, extra...)...); err != nil {
		return rv, err
	}
	rv.Kind, rv.Value, rv.Counter, rv.Time = survey.Kind(kind), json.RawMessage(value), uint64(counter), time.UnixMilli(tm).UTC()
	if replaces != "" {
		rv.Replaces = splitIDs(replaces)
	}
	return rv, nil
}

func pgRevisions(ctx context.Context, q pgQuerier, cond string, args ...any) ([]survey.Revision, error) {
	rows, err := q.Query(ctx, `SELECT `+pgRevCols+` FROM revisions WHERE `+cond+` ORDER BY device, counter, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("read revisions: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (survey.Revision, error) { return pgScanRevision(r) })
}

// foldInterviews reads the revisions of ivs and folds them (survey.Fold).
func foldInterviews(ctx context.Context, q pgQuerier, ivs []string) (map[string]*interviewFold, error) {
	revs, err := pgRevisions(ctx, q, `interview = ANY($1)`, ivs)
	if err != nil {
		return nil, err
	}
	states, err := survey.Fold(revs)
	if err != nil {
		return nil, err
	}
	byTarget := map[survey.Target][]survey.Revision{}
	for _, r := range revs {
		byTarget[r.Target()] = append(byTarget[r.Target()], r)
	}
	out := map[string]*interviewFold{}
	for id, st := range states {
		out[id] = &interviewFold{InterviewState: st, heads: map[survey.Target][]survey.Revision{}}
	}
	for t, rs := range byTarget {
		if f := out[t.Interview]; f != nil {
			f.heads[t] = survey.Heads(rs)
		}
	}
	return out, nil
}

// refreshInterviews folds ivs and writes their rows in interviews and interview_summaries,
// with the progress pp counts (the caller holds their locks).
func refreshInterviews(ctx context.Context, tx pgx.Tx, ivs []string, pp *pgProgress) (map[string]*interviewFold, error) {
	states, err := foldInterviews(ctx, tx, ivs)
	if err != nil {
		return nil, err
	}
	b := &pgx.Batch{}
	var cache summaryRows
	for _, iv := range ivs {
		st := states[iv]
		if st == nil {
			continue
		}
		sm := st.Summary()
		cache.addCounted(ctx, sm, st.Answers, pp)
		b.Queue(`INSERT INTO interviews (id, questionnaire, version, status, reason, agency, province, assessor, conflicts, revisions, updated)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
			ON CONFLICT (id) DO UPDATE SET questionnaire = excluded.questionnaire, version = excluded.version, status = excluded.status,
				reason = excluded.reason, agency = excluded.agency, province = excluded.province, assessor = excluded.assessor,
				conflicts = excluded.conflicts, revisions = excluded.revisions, updated = excluded.updated`,
			iv, sm.Questionnaire, sm.Version, string(sm.Status), sm.Reason, sm.Agency, sm.Province, sm.Assessor, sm.Conflicts, sm.Revisions, ms(sm.Updated))
	}
	if cache.len() > 0 {
		cache.queue(b, true) // the readers' cache, as the group commit writes it
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, fmt.Errorf("update interviews: %w", err)
	}
	return states, nil
}

// put stores a revision the server makes (device server) of target with value v, replacing
// heads, and refreshes the interview's row. The interview's lock is held.
func (t *pgTx) put(server string, target survey.Target, v survey.StatusChange, heads []survey.Revision) (survey.Revision, error) {
	var counter int64
	if err := t.tx.QueryRow(t.ctx, `SELECT nextval('server_counter_seq')`).Scan(&counter); err != nil {
		return survey.Revision{}, fmt.Errorf("server counter: %w", err)
	}
	replaces := make([]string, len(heads))
	for i, h := range heads {
		replaces[i] = h.ID
	}
	r, err := survey.NewRevision(target, v, server, uint64(counter), time.Now(), server, replaces)
	if err != nil {
		return survey.Revision{}, err
	}
	if _, err := insertRevisions(t.ctx, t.tx, []survey.Revision{r}, serverBatch(r)); err != nil {
		return survey.Revision{}, err
	}
	if _, err := refreshInterviews(t.ctx, t.tx, []string{target.Interview}, t.progress); err != nil {
		return survey.Revision{}, err
	}
	return r, nil
}

// pgAssignees is assigneesTx on PostgreSQL.
func pgAssignees(ctx context.Context, tx pgx.Tx, u Upload, revs []survey.Revision) (map[string][]string, error) {
	if !u.Device.Role.Decides() {
		return nil, nil
	}
	out := map[string][]string{}
	devices := map[string][]string{}
	for _, r := range revs {
		if r.Kind != survey.KindInterview {
			continue
		}
		var meta survey.InterviewMeta
		if err := json.Unmarshal(r.Value, &meta); err != nil || meta.Assignee == "" {
			continue
		}
		devs, ok := devices[meta.Assignee]
		if !ok {
			rows, err := tx.Query(ctx, `SELECT id FROM server_devices WHERE principal = $1 AND revoked IS NULL AND id != $2 ORDER BY id`, meta.Assignee, u.Device.ID)
			if err != nil {
				return nil, fmt.Errorf("devices of %s: %w", meta.Assignee, err)
			}
			if devs, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
				return nil, fmt.Errorf("devices of %s: %w", meta.Assignee, err)
			}
			devices[meta.Assignee] = devs
		}
		out[r.Interview] = append(out[r.Interview], devs...)
	}
	return out, nil
}

// follow is followTx (feed.go) with positions given at flush: the device receives the
// interview from a backfill row when the interview has revisions it does not hold and no
// later row will bring, else from row (the row of the batch being stored) on, else the
// rows to come.
func (t *pgTx) follow(device, interview, batch string, row *pendingFeed, now time.Time) error {
	k := [2]string{device, interview}
	if t.interested[k] {
		return nil
	}
	var one int
	follows, known := t.known[k]
	if !known {
		err := t.tx.QueryRow(t.ctx, `SELECT 1 FROM server_interest WHERE device = $1 AND interview = $2`, device, interview).Scan(&one)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("read interest: %w", err)
		}
		follows = err == nil
	}
	if follows {
		t.interested[k] = true
		return nil
	}
	in := pendingInterest{device: device, interview: interview}
	var other bool
	if m := t.mem[interview]; m != nil {
		other = m.otherThan(device, batch)
	} else {
		err := t.tx.QueryRow(t.ctx, `SELECT 1 FROM revisions WHERE interview = $1 AND device != $2 AND (batch IS NULL OR batch != $3) LIMIT 1`,
			interview, device, batch).Scan(&one)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("feed: %w", err)
		}
		other = err == nil
	}
	switch {
	case other:
		in.row = t.addFeed(&pendingFeed{interview: strp(interview), device: strp(device), created: ms(now)})
	case row != nil:
		in.row, in.before = row, true
	default:
		in.after = len(t.feed)
	}
	t.interests = append(t.interests, in)
	t.interested[k] = true
	return nil
}

// Refuse records a batch's refusal (see Store).
func (p *Postgres) Refuse(ctx context.Context, r RefusalRecord) (RefusalRecord, error) {
	out := r
	out.Time = time.UnixMilli(ms(r.Time)).UTC()
	tag, err := p.pool.Exec(ctx, `INSERT INTO server_refusals (`+refusalCols+`, manifest, signature) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
		ON CONFLICT (batch, hash) DO NOTHING`,
		r.Batch, r.Hash, r.Device, int64(r.Seq), string(r.Code), r.Reason.Get(survey.LangEN), r.Reason.Get(survey.LangVI),
		r.Message.Get(survey.LangEN), r.Message.Get(survey.LangVI), ms(r.Time), r.Manifest, r.Signature)
	if err != nil {
		return RefusalRecord{}, fmt.Errorf("record the refusal of batch %s: %w", r.Batch, err)
	}
	if tag.RowsAffected() == 1 {
		return out, nil
	}
	return p.Refusal(ctx, r.Batch, r.Hash)
}

// Refusal returns a recorded refusal (see Store).
func (p *Postgres) Refusal(ctx context.Context, batchID, hash string) (RefusalRecord, error) {
	out, err := scanRefusal(p.pool.QueryRow(ctx, `SELECT `+refusalCols+`, manifest, signature FROM server_refusals WHERE batch = $1 AND hash = $2`, batchID, hash), true)
	if errors.Is(err, pgx.ErrNoRows) {
		return RefusalRecord{}, fmt.Errorf("refusal of batch %s: %w", batchID, ErrNotFound)
	}
	if err != nil {
		return RefusalRecord{}, fmt.Errorf("read the refusal of batch %s: %w", batchID, err)
	}
	return out, nil
}

// Provinces returns the province of each interview of ids the server holds.
func (p *Postgres) Provinces(ctx context.Context, ids []string) (map[string]string, error) {
	rows, err := p.pool.Query(ctx, `SELECT id, province FROM interviews WHERE id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("read provinces: %w", err)
	}
	out := map[string]string{}
	var id, prov string
	if _, err := pgx.ForEachRow(rows, []any{&id, &prov}, func() error { out[id] = prov; return nil }); err != nil {
		return nil, fmt.Errorf("read provinces: %w", err)
	}
	return out, nil
}

// Follow makes a device interested in interviews (see Store).
func (p *Postgres) Follow(ctx context.Context, device string, interviews ...string) error {
	return p.update(ctx, func(t *pgTx) error {
		if err := t.lockDevices(false); err != nil {
			return err
		}
		if err := t.lockInterviews(interviews); err != nil {
			return err
		}
		if _, err := pgDevice(ctx, t.tx, device); err != nil {
			return err
		}
		now := time.Now()
		for _, iv := range interviews {
			if err := t.follow(device, iv, "", nil, now); err != nil {
				return err
			}
		}
		return nil
	})
}

// Inbox returns the feed rows after cursor that concern a device, expanded (see Store).
func (p *Postgres) Inbox(ctx context.Context, device string, after int64, limit int) (InboxPage, error) {
	pg := newInboxPager(after, limit)
	err := p.view(ctx, func(tx pgx.Tx) error {
		for {
			rows, err := tx.Query(ctx, `SELECT seq, interview, batch, qid, qversion FROM (
				SELECT f.seq, f.interview, f.batch, f.qid, f.qversion FROM server_interest i
					JOIN server_feed f ON f.interview = i.interview AND f.device IS NULL AND f.seq > i.since
					WHERE i.device = $1 AND f.seq > $2 AND f.sender != $1
				UNION ALL
				SELECT seq, interview, batch, qid, qversion FROM server_feed WHERE device = $1 AND seq > $2
			) AS f ORDER BY seq LIMIT $3`, device, pg.page.Cursor, feedChunk)
			if err != nil {
				return fmt.Errorf("read feed: %w", err)
			}
			frs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (pgFeedRow, error) {
				var fr pgFeedRow
				err := r.Scan(&fr.seq, &fr.interview, &fr.batch, &fr.qid, &fr.qversion)
				return fr, err
			})
			if err != nil {
				return fmt.Errorf("read feed: %w", err)
			}
			for _, fr := range frs {
				var revs []survey.Revision
				var q *Published
				switch {
				case fr.qid != nil:
					pb, err := pgPublished(ctx, tx, *fr.qid, *fr.qversion)
					if err != nil {
						return err
					}
					q = &pb
				case fr.batch != nil:
					revs, err = pgRevisions(ctx, tx, `interview = $1 AND batch = $2 AND device != $3`, *fr.interview, *fr.batch, device)
				default:
					revs, err = pgRevisions(ctx, tx, `interview = $1 AND device != $2`, *fr.interview, device)
				}
				if err != nil {
					return err
				}
				if !pg.add(fr.seq, revs, q) {
					return nil
				}
			}
			if pg.chunkRead(len(frs)) {
				return nil
			}
		}
	})
	if err != nil {
		return InboxPage{}, fmt.Errorf("read inbox of device %s: %w", device, err)
	}
	return pg.page, nil
}

type pgFeedRow struct {
	seq                             int64
	interview, batch, qid, qversion *string
}

func pgPublished(ctx context.Context, q pgQuerier, id, version string) (Published, error) {
	pb := Published{ID: id, Version: version}
	var pub int64
	err := q.QueryRow(ctx, `SELECT source, signature, published FROM server_questionnaires WHERE id = $1 AND version = $2`, id, version).
		Scan(&pb.Source, &pb.Signature, &pub)
	if err != nil {
		return Published{}, fmt.Errorf("read published questionnaire %s %s: %w", id, version, err)
	}
	pb.Published = time.UnixMilli(pub).UTC()
	return pb, nil
}

// Decide writes the administrator's decision (see Store).
func (p *Postgres) Decide(ctx context.Context, d Decision) (survey.Revision, error) {
	if d.Device == "" {
		return survey.Revision{}, errors.New("decision without the server's device id")
	}
	var out survey.Revision
	err := p.update(ctx, func(t *pgTx) error {
		if err := t.lockInterviews([]string{d.Interview}); err != nil {
			return err
		}
		states, err := foldInterviews(ctx, t.tx, []string{d.Interview})
		if err != nil {
			return err
		}
		st := states[d.Interview]
		if st == nil {
			return fmt.Errorf("interview %s: %w", d.Interview, ErrNotFound)
		}
		if err := survey.CheckDecision(survey.RoleServer, st.Status.Status, len(st.Conflicts), d.Status, d.Reason); err != nil {
			return fmt.Errorf("%w: interview %s: %w", ErrNotDecidable, d.Interview, err)
		}
		v := survey.StatusChange{Status: d.Status, Reason: survey.NFC(strings.TrimSpace(d.Reason))}
		heads := statusHeads(st)
		if len(heads) == 1 {
			if val, err := json.Marshal(v); err == nil && survey.SameValue(heads[0].Value, val) {
				return fmt.Errorf("interview %s is already %s with this reason: %w", d.Interview, d.Status, ErrUnchanged)
			}
		}
		out, err = t.put(d.Device, survey.Target{Interview: d.Interview, Kind: survey.KindStatus}, v, heads)
		if err != nil {
			return err
		}
		t.addFeed(&pendingFeed{interview: strp(d.Interview), batch: strp(serverBatch(out)), sender: out.Device, created: ms(d.Time)})
		return nil
	})
	return out, err
}

// Publish stores a questionnaire version (see Store).
func (p *Postgres) Publish(ctx context.Context, q Published) error {
	return p.update(ctx, func(t *pgTx) error {
		if err := t.lockDevices(true); err != nil {
			return err
		}
		var src []byte
		err := t.tx.QueryRow(ctx, `SELECT source FROM server_questionnaires WHERE id = $1 AND version = $2`, q.ID, q.Version).Scan(&src)
		if err == nil {
			if bytes.Equal(src, q.Source) {
				return fmt.Errorf("questionnaire %s version %s is already published: %w", q.ID, q.Version, ErrUnchanged)
			}
			return fmt.Errorf("questionnaire %s version %s is already published with other content; give the new file a new version", q.ID, q.Version)
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if _, err := t.tx.Exec(ctx, `INSERT INTO server_questionnaires (id, version, source, signature, published) VALUES ($1, $2, $3, $4, $5)`,
			q.ID, q.Version, q.Source, q.Signature, ms(q.Published)); err != nil {
			return fmt.Errorf("store questionnaire: %w", err)
		}
		rows, err := t.tx.Query(ctx, `SELECT id FROM server_devices WHERE revoked IS NULL ORDER BY id`)
		if err != nil {
			return fmt.Errorf("queue questionnaire: %w", err)
		}
		devs, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return fmt.Errorf("queue questionnaire: %w", err)
		}
		for _, dev := range devs {
			t.addFeed(&pendingFeed{device: strp(dev), qid: strp(q.ID), qversion: strp(q.Version), created: ms(q.Published)})
		}
		return nil
	})
}

// Questionnaires lists the published questionnaire versions by id and version.
func (p *Postgres) Questionnaires(ctx context.Context) ([]Published, error) {
	rows, err := p.pool.Query(ctx, `SELECT id, version, source, signature, published FROM server_questionnaires ORDER BY id, version`)
	if err != nil {
		return nil, fmt.Errorf("list published questionnaires: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Published, error) {
		var pb Published
		var pub int64
		err := r.Scan(&pb.ID, &pb.Version, &pb.Source, &pb.Signature, &pub)
		pb.Published = time.UnixMilli(pub).UTC()
		return pb, err
	})
	if err != nil {
		return nil, fmt.Errorf("list published questionnaires: %w", err)
	}
	return out, nil
}

// NonceUsed reports whether key is recorded and unexpired at now (see Store).
func (p *Postgres) NonceUsed(ctx context.Context, key string, now time.Time) (bool, error) {
	var used bool
	if err := p.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM server_nonces WHERE key = $1 AND expires >= $2)`, key, ms(now)).Scan(&used); err != nil {
		return false, fmt.Errorf("read nonce: %w", err)
	}
	return used, nil
}

// UseNonce records a request's nonce key until now+keep; a key still unexpired is a
// replay, on whichever node it was first seen.
func (p *Postgres) UseNonce(ctx context.Context, key string, now time.Time, keep time.Duration) (bool, error) {
	if last := p.nonceSwept.Load(); now.UnixMilli()-last >= nonceSweep.Milliseconds() || now.UnixMilli() < last {
		if _, err := p.pool.Exec(ctx, `DELETE FROM server_nonces WHERE expires < $1`, ms(now)); err != nil {
			return false, fmt.Errorf("forget expired nonces: %w", err)
		}
		p.nonceSwept.Store(now.UnixMilli())
	}
	tag, err := p.pool.Exec(ctx, `INSERT INTO server_nonces (key, expires) VALUES ($1, $2)
		ON CONFLICT (key) DO UPDATE SET expires = excluded.expires WHERE server_nonces.expires < $3`,
		key, ms(now.Add(keep)), ms(now))
	if err != nil {
		return false, fmt.Errorf("record nonce: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}
