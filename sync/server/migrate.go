package server

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/crypto/ssh"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
	"github.com/fieldsurvey/fieldsurvey/sync/keys"
)

// migTable is a table `server migrate` copies as it is, and its bytea columns.
type migTable struct {
	name  string
	cols  []string
	bytea map[string]bool
	order string
}

var migTables = []migTable{
	{name: "revisions", cols: []string{"id", "interview", "kind", "key", "device", "counter", "time", "author", "replaces", "batch", "value"},
		bytea: map[string]bool{"value": true}, order: "interview, id"},
	{name: "hub_devices", cols: []string{"device", "key", "signer", "first", "last"}, order: "device"},
	{name: "hub_batches", cols: []string{"id", "hash", "device", "sequence", "signer", "key", "created", "merged", "revisions", "added", "encrypted", "manifest", "signature"},
		bytea: map[string]bool{"manifest": true, "signature": true}, order: "id"},
	{name: "server_tokens", cols: []string{"hash", "assessor", "created", "expires", "used", "used_by", "role", "scope"}, order: "hash"},
	{name: "server_devices", cols: []string{"id", "principal", "assessor", "public_key", "enrolled", "revoked", "last_seen", "role", "scope"}, order: "id"},
	{name: "server_questionnaires", cols: []string{"id", "version", "source", "signature", "published"},
		bytea: map[string]bool{"source": true}, order: "id, version"},
	{name: "server_feed", cols: []string{"seq", "interview", "batch", "sender", "device", "qid", "qversion", "created"}, order: "seq"},
	{name: "server_interest", cols: []string{"device", "interview", "since"}, order: "device, interview"},
	{name: "server_refusals", cols: []string{"batch", "hash", "device", "sequence", "code", "reason_en", "reason_vi", "message_en", "message_vi", "refused", "manifest", "signature"},
		bytea: map[string]bool{"manifest": true, "signature": true}, order: "batch, hash"},
	{name: "server_nonces", cols: []string{"key", "expires"}, order: "key"},
}

// TableCount is a table's rows in the SQLite store and in the database it was copied to.
type TableCount struct {
	Table  string `json:"table"`
	Source int64  `json:"source"`
	Target int64  `json:"target"`
}

// MigrateReport is what `server migrate` did and what its verification found.
type MigrateReport struct {
	Tables []TableCount `json:"tables"`
	// Interviews is how many interviews (and assessments) were compared; Identical how many
	// had the same revisions and the same folded state on both sides.
	Interviews int `json:"interviews"`
	Identical  int `json:"identical"`
	// Batches, Devices and Questionnaires say whether the batch records (from which
	// receipts are made), the device reports and the published questionnaires are equal.
	Batches        bool          `json:"batches_equal"`
	Devices        bool          `json:"devices_equal"`
	Questionnaires bool          `json:"questionnaires_equal"`
	Copy           time.Duration `json:"copy_ns"`
	Verify         time.Duration `json:"verify_ns"`
}

// OK reports whether the verification found both stores the same.
func (r MigrateReport) OK() bool {
	for _, t := range r.Tables {
		if t.Source != t.Target {
			return false
		}
	}
	return r.Interviews == r.Identical && r.Batches && r.Devices && r.Questionnaires
}

// ErrTargetNotEmpty is returned by MigrateToPostgres for a database that already holds a
// server's data.
var ErrTargetNotEmpty = errors.New("the target database is not empty")

// MigrateServer is `server migrate`: it refuses a target that another server key's nodes
// already use (ErrOtherKey), copies and verifies the SQLite store into it
// (MigrateToPostgres, with key's device for the server's own revisions), and binds the
// database to key, so that only nodes with this key serve it.
func MigrateServer(ctx context.Context, src *SQLite, dst *Postgres, key ssh.PublicKey, progress func(string)) (MigrateReport, error) {
	fp := keys.Fingerprint(key)
	bound, err := dst.BoundKey(ctx)
	if err != nil {
		return MigrateReport{}, err
	}
	if bound != "" && bound != fp {
		return MigrateReport{}, fmt.Errorf("%w: it was made with server key %s, this server's key is %s", ErrOtherKey, bound, fp)
	}
	rep, err := MigrateToPostgres(ctx, src, dst, ServerDevice(key), progress)
	if err != nil {
		return rep, err
	}
	return rep, dst.BindKey(ctx, fp)
}

// MigrateToPostgres copies everything the SQLite store holds into dst, an empty PostgreSQL
// store, in one transaction (a failure leaves dst empty), then verifies the copy: the rows
// of every table, and every interview's revisions and folded state, the batch records,
// device reports and published questionnaires compared. serverDevice is the server's device
// id (ServerDevice): the counter of its own revisions continues after the copied ones. The
// source is read in one snapshot; stop serve first so that nothing arrives after it.
func MigrateToPostgres(ctx context.Context, src *SQLite, dst *Postgres, serverDevice string, progress func(string)) (MigrateReport, error) {
	var rep MigrateReport
	if progress == nil {
		progress = func(string) {}
	}
	start := time.Now()
	err := pgx.BeginFunc(ctx, dst.pool, func(ptx pgx.Tx) error {
		var used bool
		if err := ptx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM revisions) OR EXISTS (SELECT 1 FROM server_devices)
			OR EXISTS (SELECT 1 FROM server_tokens) OR EXISTS (SELECT 1 FROM hub_batches) OR EXISTS (SELECT 1 FROM server_questionnaires)`).Scan(&used); err != nil {
			return err
		}
		if used {
			return ErrTargetNotEmpty
		}
		return src.st.View(ctx, func(stx *store.Tx) error {
			for _, t := range migTables {
				n, err := copyTable(ctx, stx, ptx, t)
				if err != nil {
					return fmt.Errorf("copy %s: %w", t.name, err)
				}
				progress(fmt.Sprintf("%s: %d rows", t.name, n))
			}
			return nil
		})
	})
	if err != nil {
		return rep, err
	}
	// The planner's statistics of the copied tables: without them it reads every revision
	// for each chunk of interviews below (a sequential scan, minutes on a big hub).
	if _, err := dst.pool.Exec(ctx, `ANALYZE`); err != nil {
		return rep, fmt.Errorf("analyze: %w", err)
	}
	// The interviews' rows, folded from the copied revisions, a chunk at a time.
	err = pgx.BeginFunc(ctx, dst.pool, func(ptx pgx.Tx) error {
		rows, err := ptx.Query(ctx, `SELECT DISTINCT interview FROM revisions ORDER BY interview`)
		if err != nil {
			return err
		}
		ivs, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		for i := 0; i < len(ivs); i += 500 {
			if _, err := refreshInterviews(ctx, ptx, ivs[i:min(i+500, len(ivs))], dst.progress); err != nil {
				return err
			}
		}
		progress(fmt.Sprintf("interviews: %d folded", len(ivs)))
		if _, err := ptx.Exec(ctx, `ANALYZE interviews`); err != nil {
			return err
		}
		if _, err := ptx.Exec(ctx, `SELECT setval('server_feed_seq', greatest(1, (SELECT coalesce(max(seq), 0) FROM server_feed)), (SELECT count(*) > 0 FROM server_feed))`); err != nil {
			return err
		}
		_, err = ptx.Exec(ctx, `SELECT setval('server_counter_seq', greatest(1, (SELECT coalesce(max(counter), 0) FROM revisions WHERE device = $1)),
			(SELECT count(*) > 0 FROM revisions WHERE device = $1))`, serverDevice)
		return err
	})
	if err != nil {
		return rep, fmt.Errorf("fold interviews: %w", err)
	}
	rep.Copy = time.Since(start)
	start = time.Now()
	if err := verifyMigration(ctx, src, dst, &rep, progress); err != nil {
		return rep, fmt.Errorf("verify: %w", err)
	}
	rep.Verify = time.Since(start)
	return rep, nil
}

// copyTable copies one table from the SQLite transaction to the PostgreSQL one.
func copyTable(ctx context.Context, stx *store.Tx, ptx pgx.Tx, t migTable) (int64, error) {
	rows, err := stx.QueryContext(ctx, `SELECT `+strings.Join(t.cols, ", ")+` FROM `+t.name+` ORDER BY `+t.order)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	return ptx.CopyFrom(ctx, pgx.Identifier{t.name}, t.cols, &sqlRowsSource{rows: rows, t: t})
}

// sqlRowsSource feeds SQLite rows to CopyFrom, with bytea columns as bytes and text
// columns as strings whatever SQLite's storage class.
type sqlRowsSource struct {
	rows *sql.Rows
	t    migTable
	vals []any
	err  error
}

func (s *sqlRowsSource) Next() bool {
	if !s.rows.Next() {
		return false
	}
	vals := make([]any, len(s.t.cols))
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if s.err = s.rows.Scan(ptrs...); s.err != nil {
		return false
	}
	for i, c := range s.t.cols {
		switch v := vals[i].(type) {
		case string:
			if s.t.bytea[c] {
				vals[i] = []byte(v)
			}
		case []byte:
			if !s.t.bytea[c] {
				vals[i] = string(v)
			}
		}
	}
	s.vals = vals
	return true
}

func (s *sqlRowsSource) Values() ([]any, error) { return s.vals, nil }

func (s *sqlRowsSource) Err() error {
	if s.err != nil {
		return s.err
	}
	return s.rows.Err()
}

// verifyMigration compares the two stores (see MigrateToPostgres).
func verifyMigration(ctx context.Context, src *SQLite, dst *Postgres, rep *MigrateReport, progress func(string)) error {
	var ids []string
	err := src.st.View(ctx, func(stx *store.Tx) error {
		for _, t := range append(migTables, migTable{name: "interviews"}) {
			tc := TableCount{Table: t.name}
			if err := stx.QueryRowContext(ctx, `SELECT count(*) FROM `+t.name).Scan(&tc.Source); err != nil {
				return err
			}
			if err := dst.pool.QueryRow(ctx, `SELECT count(*) FROM `+t.name).Scan(&tc.Target); err != nil {
				return err
			}
			rep.Tables = append(rep.Tables, tc)
		}
		rows, err := stx.QueryContext(ctx, `SELECT id FROM interviews ORDER BY id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return rows.Err()
	})
	if err != nil {
		return err
	}
	const chunk = 500
	for i := 0; i < len(ids); i += chunk {
		part := ids[i:min(i+chunk, len(ids))]
		lo, hi := part[0], part[len(part)-1]
		var a []survey.Revision
		err := src.st.View(ctx, func(stx *store.Tx) error {
			var err error
			a, err = readRevisions(ctx, stx, `interview >= ? AND interview <= ?`, lo, hi)
			return err
		})
		if err != nil {
			return err
		}
		b, err := pgRevisions(ctx, dst.pool, `interview >= $1 AND interview <= $2`, lo, hi)
		if err != nil {
			return err
		}
		fa, err := foldJSON(a)
		if err != nil {
			return err
		}
		fb, err := foldJSON(b)
		if err != nil {
			return err
		}
		rep.Interviews += len(part)
		for _, id := range part {
			if fa[id] != "" && fa[id] == fb[id] {
				rep.Identical++
			}
		}
		if i/chunk%20 == 19 {
			progress(fmt.Sprintf("verified %d of %d interviews", rep.Interviews, len(ids)))
		}
	}
	ba, err := src.Batches(ctx)
	if err != nil {
		return err
	}
	bb, err := dst.Batches(ctx)
	if err != nil {
		return err
	}
	rep.Batches = sameList(ba, bb)
	da, err := src.Devices(ctx)
	if err != nil {
		return err
	}
	db, err := dst.Devices(ctx)
	if err != nil {
		return err
	}
	rep.Devices = sameList(da, db)
	qa, err := src.Questionnaires(ctx)
	if err != nil {
		return err
	}
	qb, err := dst.Questionnaires(ctx)
	if err != nil {
		return err
	}
	rep.Questionnaires = sameList(qa, qb)
	return nil
}

// sameList reports whether two lists hold equal elements (an empty list and nil alike).
func sameList[T any](a, b []T) bool {
	if len(a) == 0 && len(b) == 0 {
		return true
	}
	return reflect.DeepEqual(a, b)
}

// foldJSON folds revs and returns each interview's state as JSON (its export record, its
// summary, its conflicts, an assessment's parts) with the ids of its revisions, so that two
// stores compare by their bytes.
func foldJSON(revs []survey.Revision) (map[string]string, error) {
	states, err := survey.Fold(revs)
	if err != nil {
		return nil, err
	}
	ids := map[string][]string{}
	for _, r := range revs {
		ids[r.Interview] = append(ids[r.Interview], r.ID)
	}
	out := map[string]string{}
	for id, st := range states {
		rs := ids[id]
		slices.Sort(rs)
		b, err := json.Marshal(struct {
			Record    survey.Record // what `interview export` writes
			Summary   survey.Summary
			Conflicts []survey.Conflict
			Assess    *survey.AssessmentParts
			Revisions []string
		}{st.Record(), st.Summary(), st.Conflicts, st.Assess, rs})
		if err != nil {
			return nil, err
		}
		out[id] = string(b)
	}
	return out, nil
}

// BackupReport is what `server backup` wrote and found in the copy.
type BackupReport struct {
	File      string `json:"file"`
	Bytes     int64  `json:"bytes"`
	Revisions int64  `json:"revisions"`
	Batches   int64  `json:"batches"`
	Devices   int64  `json:"devices"`
	Integrity string `json:"integrity"`
}

// Backup writes a consistent copy of the SQLite store in dir to out (VACUUM INTO: one read
// snapshot, while serve goes on writing), then checks the copy (integrity_check) and counts
// what it holds. An existing out is refused.
func Backup(ctx context.Context, dir, out string) (BackupReport, error) {
	rep := BackupReport{File: out}
	out, err := filepath.Abs(out)
	if err != nil {
		return rep, err
	}
	path, err := filepath.Abs(filepath.Join(dir, DBFile)) // store.DSN takes an absolute path
	if err != nil {
		return rep, err
	}
	if _, err := os.Stat(path); err != nil {
		return rep, fmt.Errorf("the server's store: %w", err)
	}
	if _, err := os.Stat(out); err == nil {
		return rep, fmt.Errorf("%s already exists: %w", rep.File, os.ErrExist)
	}
	db, err := sql.Open("sqlite", store.DSN(path))
	if err != nil {
		return rep, err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, out); err != nil {
		return rep, fmt.Errorf("copy the store: %w", err)
	}
	fi, err := os.Stat(out)
	if err != nil {
		return rep, err
	}
	rep.Bytes = fi.Size()
	uri := filepath.ToSlash(out)
	if !strings.HasPrefix(uri, "/") {
		uri = "/" + uri // file:/C:/x.db on Windows
	}
	cp, err := sql.Open("sqlite", "file:"+uri+"?mode=ro")
	if err != nil {
		return rep, err
	}
	defer cp.Close()
	if err := cp.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&rep.Integrity); err != nil {
		return rep, fmt.Errorf("check the copy: %w", err)
	}
	if rep.Integrity != "ok" {
		return rep, fmt.Errorf("the copy %s fails its integrity check: %s", out, rep.Integrity)
	}
	for _, c := range []struct {
		n *int64
		t string
	}{{&rep.Revisions, "revisions"}, {&rep.Batches, "hub_batches"}, {&rep.Devices, "server_devices"}} {
		if err := cp.QueryRowContext(ctx, `SELECT count(*) FROM `+c.t).Scan(c.n); err != nil {
			return rep, fmt.Errorf("read the copy: %w", err)
		}
	}
	return rep, nil
}
