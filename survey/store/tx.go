package store

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// Tx is a transaction of Update (read-write) or View (read-only). It is valid only inside
// the function it was given to, and is not safe for concurrent use.
type Tx struct {
	s *Store
	// q runs the transaction's statements: the writer's connection (Update, see
	// writer.go) or a read-only *sql.Tx (View).
	q        querier
	w        *writer
	ctx      context.Context
	readOnly bool
	// stmts are the statements a View prepared; own those an Update prepared beyond what
	// the writer keeps (both closed when the transaction ends).
	stmts map[string]*sql.Stmt
	own   []*sql.Stmt
	// rows are the result sets an Update's QueryContext opened (other components' code):
	// closed before it commits or rolls back, as database/sql's Tx closed them (one left
	// open would keep a statement active on the writer's connection). The store's own
	// queries (query) close theirs, and are not kept here: an Append runs one a target.
	rows []*sql.Rows
	// put is what the transaction's Puts learnt of the device counters (Store.put applies
	// it when the transaction commits); appended says it stored revisions received (the
	// device counters it holds are then read again).
	put      putCounters
	appended bool
	// names are the numbers of the names (revision_names) the transaction looked up or
	// added: valid while it lasts (a name is never renumbered; one it added goes with it).
	names map[string]int64
	// putNames are the interviews, devices and authors of its Puts: their numbers join
	// Store.names when it commits.
	putNames []string
}

// querier is what a transaction runs its statements on: *sql.Tx or *sql.Conn.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// Update runs fn in one write transaction (BEGIN IMMEDIATE … COMMIT). If fn returns an
// error or panics, everything it did is rolled back (a panic is re-raised after the
// rollback). fn must not call the Store's own writing methods (Put, Append, SetMeta,
// Update): use tx's; the store has one writer and would wait for itself.
func (s *Store) Update(ctx context.Context, fn func(tx *Tx) error) error {
	if s.readOnly != "" {
		return s.readOnlyError()
	}
	return s.update(ctx, fn)
}

// View runs fn in a read-only transaction: every read inside sees one consistent
// snapshot of the database, whatever writers do meanwhile.
func (s *Store) View(ctx context.Context, fn func(tx *Tx) error) error {
	stx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	tx := &Tx{s: s, q: stx, ctx: ctx, readOnly: true}
	defer func() {
		if p := recover(); p != nil {
			stx.Rollback()
			panic(p)
		}
	}()
	if err := fn(tx); err != nil {
		if rbErr := stx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
			return errors.Join(err, fmt.Errorf("roll back: %w", rbErr))
		}
		return err
	}
	return stx.Rollback()
}

// ExecContext runs a statement in the transaction (for other components' tables).
// Constraint errors wrap ErrDuplicate or ErrConstraint.
func (tx *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if tx.readOnly {
		return nil, fmt.Errorf("exec: %w", ErrReadOnly)
	}
	if st := tx.cached(query); st != nil {
		res, err := st.ExecContext(ctx, args...)
		return res, mapErr(err)
	}
	res, err := tx.q.ExecContext(ctx, query, args...)
	return res, mapErr(err)
}

// cached returns, in an Update, the writer's prepared statement of query (Tx.stmt), so
// that other components' statements run once a transaction after the first are not
// parsed and planned again; nil in a View, for a script of several statements (a
// migration's), or if query does not prepare (the caller's own call then reports why).
func (tx *Tx) cached(query string) *sql.Stmt {
	if tx.readOnly || strings.Contains(query, ";") {
		return nil
	}
	st, err := tx.stmt(query)
	if err != nil {
		return nil
	}
	return st
}

// QueryContext runs a query in the transaction.
func (tx *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := tx.cached(query); st != nil {
		return tx.opened(st.QueryContext(ctx, args...))
	}
	return tx.opened(tx.q.QueryContext(ctx, query, args...))
}

// opened notes rows an Update opened (closeRows closes them when it ends).
func (tx *Tx) opened(rows *sql.Rows, err error) (*sql.Rows, error) {
	if err == nil && !tx.readOnly {
		tx.rows = append(tx.rows, rows)
	}
	return rows, err
}

// closeRows closes the rows an Update opened (closing rows again does nothing).
func (tx *Tx) closeRows() {
	for _, r := range tx.rows {
		r.Close()
	}
	tx.rows = nil
}

// QueryRowContext runs a query that returns at most one row in the transaction.
func (tx *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := tx.cached(query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return tx.q.QueryRowContext(ctx, query, args...)
}

// stmt returns a prepared statement of the transaction: in an Update, one prepared on the
// writer's connection (at setup, or by an earlier transaction); in a View, one prepared in
// it.
func (tx *Tx) stmt(query string) (*sql.Stmt, error) {
	if !tx.readOnly {
		if st, ok := tx.w.stmts[query]; ok {
			return st, nil
		}
	} else if st, ok := tx.stmts[query]; ok {
		return st, nil
	}
	st, err := tx.q.PrepareContext(tx.ctx, query)
	if err != nil {
		return nil, err
	}
	switch {
	case tx.readOnly:
		if tx.stmts == nil {
			tx.stmts = map[string]*sql.Stmt{}
		}
		tx.stmts[query] = st
	case len(tx.w.stmts) < maxWriterStmts:
		tx.w.stmts[query] = st
	default:
		tx.own = append(tx.own, st)
	}
	return st, nil
}

// end closes, once fn has returned and before the COMMIT or ROLLBACK, the rows an Update
// opened and the statements it prepared that the writer does not keep (before the
// connection could be let go: modernc cannot close a statement after its connection).
func (tx *Tx) end() {
	tx.closeRows()
	for _, st := range tx.own {
		st.Close()
	}
	tx.own = nil
}

func (tx *Tx) exec(query string, args ...any) (sql.Result, error) {
	st, err := tx.stmt(query)
	if err != nil {
		return nil, err
	}
	res, err := st.ExecContext(tx.ctx, args...)
	return res, mapErr(err)
}

func (tx *Tx) query(query string, args ...any) (*sql.Rows, error) {
	st, err := tx.stmt(query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(tx.ctx, args...) // the store's own code closes them
}

func (tx *Tx) queryRow(query string, args ...any) *sql.Row {
	st, err := tx.stmt(query)
	if err != nil {
		// A Row carrying the error: QueryRowContext reports it on Scan.
		return tx.q.QueryRowContext(tx.ctx, query, args...)
	}
	return st.QueryRowContext(tx.ctx, args...)
}

// qPendingRows lists the pending revisions (batch IS NULL) by their rows: the tail of
// revision_rows from low, and the rows revision_pending lists below it (0006).
// The device is given by name (revision_names, 0008), the id from the row's entry.
const qPendingRows = `SELECT r.seq AS seq, t.id AS id, nd.name AS device, r.counter AS counter
		FROM revision_rows r CROSS JOIN revision_targets t
			ON t.interview = r.interview AND t.kind = r.kind AND t.key = r.key AND t.head IN (0, 1) AND t.seq = r.seq
		CROSS JOIN revision_names nd ON nd.n = r.device
		WHERE r.seq >= (SELECT low FROM revision_pending_low) AND r.batch IS NULL
	UNION ALL SELECT r.seq, t.id, nd.name, r.counter FROM revision_pending p CROSS JOIN revision_rows r ON r.seq = p.seq
		CROSS JOIN revision_targets t
			ON t.interview = r.interview AND t.kind = r.kind AND t.key = r.key AND t.head IN (0, 1) AND t.seq = r.seq
		CROSS JOIN revision_names nd ON nd.n = r.device
		WHERE p.seq < (SELECT low FROM revision_pending_low) AND r.batch IS NULL`

// qReadCounter reads the last counter a device used: the device's revisions are never
// deleted, so their highest counter is the device's counter. Those in batches from the
// end of the device's last run (0007), the pending ones from qPendingRows (the revisions
// made or received since the last batch).
const qReadCounter = `SELECT max(
	coalesce((SELECT max(hi) FROM revision_counters WHERE device = ?1), 0),
	coalesce((SELECT max(counter) FROM (` + qPendingRows + `) WHERE device = ?1), 0))`

// qPutStart is what a Put reads first, in one statement: the last row of revision_rows (as
// qLastSeq) and the numbers of the interview (?1), the device (?4) and the author (?5) in
// revision_names (NULL: none yet), the first row; and the heads of the first change's
// target (as qHeads: the rows after it). (A UNION ALL: ~2 µs less than the same in a LEFT
// JOIN, BenchmarkPutParts.) The device's last counter comes from Store.put while no
// revision has been stored since the Store's own last Put.
const qPutStart = `SELECT (SELECT coalesce(max(seq), 0) FROM revision_rows), (SELECT n FROM revision_names WHERE name = ?1),
		(SELECT n FROM revision_names WHERE name = ?4), (SELECT n FROM revision_names WHERE name = ?5),
		NULL, NULL, NULL, NULL, NULL
	UNION ALL SELECT NULL, NULL, NULL, NULL, r.seq, t.id, r.time, na.name, r.value
		FROM revision_targets t JOIN revision_rows r ON r.seq = t.seq JOIN revision_names na ON na.n = r.author
		WHERE t.interview = (SELECT n FROM revision_names WHERE name = ?1) AND t.kind = ?2 AND t.key = ?3 AND t.head = 1`

// qPutStartKnown is qPutStart for a Put whose interview, device and author numbers the
// Store knows (putNames): they are given (?1, ?4, ?5) and returned as qPutStart returns
// them, and the heads read by number.
const qPutStartKnown = `SELECT coalesce(max(seq), 0), ?1, ?4, ?5, NULL, NULL, NULL, NULL, NULL FROM revision_rows
	UNION ALL SELECT NULL, NULL, NULL, NULL, r.seq, t.id, r.time, na.name, r.value
		FROM revision_targets t JOIN revision_rows r ON r.seq = t.seq JOIN revision_names na ON na.n = r.author
		WHERE t.interview = ?1 AND t.kind = ?2 AND t.key = ?3 AND t.head = 1`

// putNames remembers the numbers (revision_names) of the interviews, devices and authors
// of the Puts the Store committed: a name is never renumbered or removed, so a number once
// committed holds for good, whoever writes the file. A Put whose three numbers it knows
// reads no name (qPutStartKnown). It keeps at most maxPutNames, and starts again when full.
type putNames struct {
	mu sync.Mutex
	m  map[string]int64
}

const maxPutNames = 256

// get returns the numbers of interview, device and author if all three are known.
func (p *putNames) get(interview, device, author string) (iv, dev, auth int64, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if iv, dev, auth = p.m[interview], p.m[device], p.m[author]; iv != 0 && dev != 0 && auth != 0 {
		return iv, dev, auth, true
	}
	return 0, 0, 0, false
}

// committed takes in the numbers of the names of tx's Puts, once it has committed.
func (p *putNames) committed(tx *Tx) {
	if len(tx.putNames) == 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, name := range tx.putNames {
		n := tx.names[name]
		if n == 0 || p.m[name] == n {
			continue
		}
		if p.m == nil || len(p.m) >= maxPutNames {
			p.m = map[string]int64{}
		}
		p.m[name] = n
	}
}

// putCounters remembers the last counter of the devices that made Puts through this Store,
// valid while the last row of revision_rows is last: a revision stored by anyone (another
// Store handle, another process, an Append) adds a row after it, and the counters are
// read again then. A Put reads the last row anyway (qPutStart): the check costs nothing,
// and rows are never deleted, so an unchanged last row means no revision was stored.
type putCounters struct {
	mu       sync.Mutex
	last     int64 // the last row after the last commit that stored revisions only by Put
	counters map[string]int64
	// in a transaction (Tx.put): valid says the Store's counters were valid when its
	// first Put read the last row.
	valid bool
}

// counter returns the last counter of device if known for a store whose last row is last.
func (p *putCounters) counter(device string, last int64) (int64, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.counters == nil || p.last != last {
		return 0, false
	}
	c, ok := p.counters[device]
	return c, ok
}

// lastIs reports whether the counters are those of a store whose last row is last.
func (p *putCounters) lastIs(last int64) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.counters != nil && p.last == last
}

// lastOf returns the last row the counters are valid for.
func (p *putCounters) lastOf() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.last
}

// forget drops what is known (a commit that failed: the transaction's outcome is unknown).
func (p *putCounters) forget() {
	p.mu.Lock()
	p.counters, p.last = nil, 0
	p.mu.Unlock()
}

// committed takes in what the transaction tx learnt, once it has committed.
func (p *putCounters) committed(tx *Tx) {
	if tx.readOnly || (!tx.appended && tx.put.counters == nil) {
		return // stored no revision
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if tx.appended {
		p.counters, p.last = nil, 0
		return
	}
	if !tx.put.valid || p.counters == nil {
		p.counters = map[string]int64{}
	}
	for d, c := range tx.put.counters {
		p.counters[d] = c
	}
	p.last = tx.put.last
}

// Author says who makes local changes: the device (whose counter numbers them) and the
// signer principal (the assessor).
type Author struct {
	Device    string
	Principal string
}

// AppendResult says what Append did.
type AppendResult struct {
	Added   int // revisions new to this store
	Present int // revisions it already had
	// Reused lists added revisions whose (device, counter) another revision already has:
	// a bug on that device, kept (nothing is lost) and reported here.
	Reused []string
}

// Put turns changes into revisions made by author, each with the device's next counter,
// the time of the store's clock, and Replaces set to the target's current heads. A change
// whose value equals the target's single current head is skipped. All changes are written
// in one durable transaction; Put returns the revisions written. A change whose value is
// larger than survey.MaxValueSize once encoded (no receiver would take it) fails the call
// with a *survey.SizeError, and nothing is written.
func (s *Store) Put(ctx context.Context, by Author, changes ...survey.Change) ([]survey.Revision, error) {
	var out []survey.Revision
	err := s.Update(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.Put(by, changes...)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Append adds revisions made elsewhere (batches, merges). Every revision is verified
// first (id, form, and a value that decodes for its kind); if any fails, nothing is
// written. Revisions already present are counted, not duplicated. One durable
// transaction; calling Append again with the same revisions changes nothing.
func (s *Store) Append(ctx context.Context, revs ...survey.Revision) (AppendResult, error) {
	var res AppendResult
	err := s.Update(ctx, func(tx *Tx) error {
		var err error
		res, err = tx.Append(revs...)
		return err
	})
	if err != nil {
		return AppendResult{}, err
	}
	return res, nil
}

// Put is Store.Put inside tx.
func (tx *Tx) Put(by Author, changes ...survey.Change) ([]survey.Revision, error) {
	return tx.putIn(by, nil, changes)
}

// PutBatched is Put, with each revision it makes stored at once as travelling in the batch
// batchOf names for it (batchOf is given the revision, its id made): what Put followed by
// MarkBatched of each revision gives, without searching the pending revisions. For a
// component that sends what it makes by other means than batches (a server's own
// revisions go into its feed).
func (tx *Tx) PutBatched(by Author, batchOf func(survey.Revision) string, changes ...survey.Change) ([]survey.Revision, error) {
	if batchOf == nil {
		return nil, errors.New("put: no batch for the revisions")
	}
	return tx.putIn(by, batchOf, changes)
}

// putIn is Put, and PutBatched when batchOf is set.
func (tx *Tx) putIn(by Author, batchOf func(survey.Revision) string, changes []survey.Change) ([]survey.Revision, error) {
	if tx.readOnly {
		return nil, fmt.Errorf("put: %w", ErrReadOnly)
	}
	if by.Device == "" {
		return nil, errors.New("put: no device: the author of a change needs a device id")
	}
	if len(changes) == 0 {
		return nil, nil
	}
	now := tx.s.now()
	c := newCall(tx)
	last, err := c.start(changes[0].Target, by.Device, by.Principal)
	if err != nil {
		return nil, fmt.Errorf("put: %w", err)
	}
	known, err := tx.deviceCounter(by.Device, last)
	if err != nil {
		return nil, fmt.Errorf("put: %w", err)
	}
	counter := uint64(known)
	var out []survey.Revision
	for i, ch := range changes {
		t := ch.Target
		if err := checkTarget(t); err != nil {
			return nil, fmt.Errorf("put: change %d: %w", i+1, err)
		}
		val, err := encodeValue(t.Kind, ch.Value)
		if err != nil {
			return nil, fmt.Errorf("put: change %d (%s): %w", i+1, t, err)
		}
		if len(val) > survey.MaxValueSize {
			// No receiver would take it: refused here, at entry or import.
			return nil, fmt.Errorf("put: %s: %w", t, &survey.SizeError{Target: t, Size: len(val), Limit: survey.MaxValueSize})
		}
		ts, err := c.touch(t)
		if err != nil {
			return nil, fmt.Errorf("put: %s: %w", t, err)
		}
		if len(ts.cur) == 1 && sameJSON(ts.cur[0].value, val) && (ch.Base == nil || slices.Contains(ch.Base, ts.cur[0].id)) {
			continue
		}
		replaces := make([]string, len(ts.cur))
		for j, h := range ts.cur {
			replaces[j] = h.id
		}
		if ch.Base != nil {
			// Made from the heads in Base: those are what it replaces; a head that arrived
			// since stays, and the two are a conflict for a person to settle.
			replaces = ch.Base
		}
		counter++
		r, err := survey.NewRevision(t, val, by.Device, counter, now, by.Principal, replaces)
		if err != nil {
			return nil, fmt.Errorf("put: %s: %w", t, err)
		}
		if batchOf != nil {
			if c.batch = batchOf(r); c.batch == "" {
				return nil, fmt.Errorf("put: %s: no batch for revision %s", t, shortID(r.ID))
			}
		}
		if _, err := c.insert(r, true, nil); err != nil {
			return nil, fmt.Errorf("put: %s: %w", t, err)
		}
		out = append(out, r)
	}
	if err := c.finish(); err != nil {
		return nil, fmt.Errorf("put: %w", err)
	}
	if batchOf != nil && c.firstSeq > 0 {
		// Its rows are all in batches: the pending tail can start after them.
		if err := tx.advancePending(c.firstSeq); err != nil {
			return nil, fmt.Errorf("put: %w", err)
		}
	}
	if tx.put.counters == nil {
		tx.put.counters = map[string]int64{}
	}
	tx.put.counters[by.Device] = int64(counter)
	tx.put.last = c.lastSeq
	return out, nil
}

// deviceCounter returns the last counter of device, for a Put in a store whose last row is
// last: known in the transaction (an earlier Put of it, nothing stored since), known by
// the Store (nothing stored since its last commit of Puts), or read (qReadCounter).
func (tx *Tx) deviceCounter(device string, last int64) (int64, error) {
	switch {
	case tx.appended:
		// Revisions received in this transaction: read (committed forgets the counters).
	case tx.put.counters == nil:
		// The transaction's first Put: the Store's counters hold if nothing was stored
		// since its last commit of Puts.
		tx.put.valid = tx.s.put.lastIs(last)
		if c, ok := tx.s.put.counter(device, last); ok {
			return c, nil
		}
	case tx.put.last != last:
		// Something other than Put stored revisions since this transaction's last Put.
		tx.put.counters, tx.put.valid = map[string]int64{}, false
	default:
		if c, ok := tx.put.counters[device]; ok {
			return c, nil
		}
		if tx.put.valid {
			if c, ok := tx.s.put.counter(device, tx.s.put.lastOf()); ok {
				return c, nil
			}
		}
	}
	var c int64
	if err := tx.queryRow(qReadCounter, device).Scan(&c); err != nil {
		return 0, fmt.Errorf("read device counter: %w", err)
	}
	return c, nil
}

// Append is Store.Append inside tx: Verify, then AppendVerified.
func (tx *Tx) Append(revs ...survey.Revision) (AppendResult, error) {
	if tx.readOnly {
		return AppendResult{}, fmt.Errorf("append: %w", ErrReadOnly)
	}
	v, err := Verify(revs...)
	if err != nil {
		return AppendResult{}, fmt.Errorf("append: %w; nothing was stored", err)
	}
	return tx.AppendVerified(v)
}

// AppendVerified is Append of revisions that Verify has checked: it stores them without
// checking them again. Revisions already present are counted, not duplicated.
func (tx *Tx) AppendVerified(v Verified) (AppendResult, error) {
	res, err := tx.appendVerified(v, "")
	if err != nil {
		return AppendResult{}, fmt.Errorf("append: %w", err)
	}
	return res, nil
}

// AppendBatch is AppendVerified of the revisions that travelled in batch batchID, and
// records that (as MarkBatched does, in the same statements): a revision already stored
// keeps the first batch it was recorded in.
func (tx *Tx) AppendBatch(batchID string, v Verified) (AppendResult, error) {
	if batchID == "" {
		return AppendResult{}, errors.New("append batch: empty batch id")
	}
	res, err := tx.appendVerified(v, batchID)
	if err != nil {
		return AppendResult{}, fmt.Errorf("append batch %s: %w", batchID, err)
	}
	return res, nil
}

func (tx *Tx) appendVerified(v Verified, batch string) (AppendResult, error) {
	if tx.readOnly {
		return AppendResult{}, ErrReadOnly
	}
	revs := v.revs
	tx.appended = true
	c := newCall(tx)
	c.batch = batch
	// Sized for the call at once (each revision adds a row and an entry, kept until a
	// full statement's worth is written), not grown by doubling.
	c.rows = make([]any, 0, min(len(revs), rowsPerStatement)*rowArgs)
	c.entries = make([]entry, 0, min(len(revs)+1, entriesPerStatement))
	c.added = make(map[string]bool, len(revs))
	c.noteReplaced(revs)
	perInterview := map[string]int{}
	for _, r := range revs {
		perInterview[r.Interview]++
	}
	for _, r := range revs {
		if perInterview[r.Interview] > 2 {
			if err := c.preload(r.Interview); err != nil {
				return AppendResult{}, err
			}
		}
	}
	var res AppendResult
	for i, r := range revs {
		added, err := c.insert(r, false, &v.facts[i])
		if err != nil {
			return AppendResult{}, fmt.Errorf("revision %s: %w", shortID(r.ID), err)
		}
		if added {
			res.Added++
		} else {
			res.Present++
		}
	}
	if err := c.finish(); err != nil {
		return AppendResult{}, err
	}
	if batch != "" && c.firstSeq > 0 {
		// Its rows are all in a batch: the pending tail can start after them.
		if err := tx.advancePending(c.firstSeq); err != nil {
			return AppendResult{}, err
		}
	}
	res.Reused = c.reused
	return res, nil
}

// MarkBatched records that the given revisions travel in batch batchID. A revision
// already in a batch keeps its first batch. An unknown revision id is ErrNotFound.
// Revisions are found among the pending ones (those no batch carries yet, as Pending
// returns them: the tail of the revisions made or received since the last batch, and
// those listed as left out): a cost that grows with the pending revisions, not the store.
// An id that is not pending (already in a batch, or unknown) costs a scan of every
// revision, once per call. The pending tail then starts after the last revision.
func (tx *Tx) MarkBatched(batchID string, revisionIDs []string) error {
	if tx.readOnly {
		return fmt.Errorf("mark batched: %w", ErrReadOnly)
	}
	if batchID == "" {
		return errors.New("mark batched: empty batch id")
	}
	if len(revisionIDs) == 0 {
		return nil
	}
	want := make(map[string]bool, len(revisionIDs))
	for _, id := range revisionIDs {
		want[id] = true
	}
	rows, err := tx.query(qPendingRows)
	if err != nil {
		return fmt.Errorf("mark batched: %w", err)
	}
	var seqs []int64
	held := map[string][]int64{} // the counters that join their device's runs
	for rows.Next() {
		var seq, counter int64
		var id []byte
		var device string
		if err := rows.Scan(&seq, &id, &device, &counter); err != nil {
			rows.Close()
			return fmt.Errorf("mark batched: %w", err)
		}
		if h := hex.EncodeToString(id); want[h] {
			seqs = append(seqs, seq)
			held[device] = append(held[device], counter)
			delete(want, h)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("mark batched: %w", err)
	}
	if len(seqs) > 0 {
		nb, _, err := tx.num(batchID, true)
		if err != nil {
			return fmt.Errorf("mark batched: %w", err)
		}
		for _, seq := range seqs {
			if _, err := tx.exec(qMarkBatched, nb, seq); err != nil {
				return fmt.Errorf("mark batched: %w", err)
			}
		}
	}
	if err := tx.addRuns(held); err != nil {
		return fmt.Errorf("mark batched: %w", err)
	}
	if err := tx.advancePending(0); err != nil {
		return fmt.Errorf("mark batched: %w", err)
	}
	if len(want) == 0 {
		return nil
	}
	// Not pending: already in a batch (it keeps it), or unknown.
	rows, err = tx.query(`SELECT t.id FROM revision_targets t JOIN revision_rows r ON r.seq = t.seq WHERE r.batch IS NOT NULL`)
	if err != nil {
		return fmt.Errorf("mark batched: %w", err)
	}
	defer rows.Close()
	for rows.Next() && len(want) > 0 {
		var id []byte
		if err := rows.Scan(&id); err != nil {
			return fmt.Errorf("mark batched: %w", err)
		}
		delete(want, hex.EncodeToString(id))
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("mark batched: %w", err)
	}
	for _, id := range revisionIDs {
		if want[id] {
			return fmt.Errorf("mark batched: revision %s: %w", shortID(id), ErrNotFound)
		}
	}
	return nil
}

// advancePending moves the start of the pending tail (revision_pending_low) after the
// last revision, listing in revision_pending the pending rows it passes, and drops the
// entries of revision_pending whose rows are in a batch now. from (> 0) is the first of
// the rows a call has just stored, all in a batch, up to the last row: they are not read.
// Each row is read once however often it runs: what it passes it never reads again.
func (tx *Tx) advancePending(from int64) error {
	var low, last int64
	if err := tx.queryRow(qPendingLow).Scan(&low, &last); err != nil {
		return fmt.Errorf("read pending revisions: %w", err)
	}
	if from == 0 {
		from = last + 1
	}
	if low > last {
		return nil // nothing stored since it last moved
	}
	if low < from {
		// Pending rows before the call's: listed (made or received since low last moved,
		// and not in this batch).
		if _, err := tx.exec(`INSERT INTO revision_pending (seq)
			SELECT seq FROM revision_rows WHERE seq >= ?1 AND seq < ?2 AND batch IS NULL`, low, from); err != nil {
			return fmt.Errorf("list pending revisions: %w", err)
		}
		if _, err := tx.exec(`DELETE FROM revision_pending WHERE seq IN (SELECT p.seq FROM revision_pending p
			CROSS JOIN revision_rows r ON r.seq = p.seq WHERE r.batch IS NOT NULL)`); err != nil {
			return fmt.Errorf("list pending revisions: %w", err)
		}
	}
	if _, err := tx.exec(`UPDATE revision_pending_low SET low = ? WHERE one = 1`, last+1); err != nil {
		return fmt.Errorf("list pending revisions: %w", err)
	}
	return nil
}

// HasRevision reports whether the store holds the revision of target t with id (found
// through the target: ids are not indexed alone).
func (tx *Tx) HasRevision(t survey.Target, id string) (bool, error) {
	rid, err := idBytes(id)
	if err != nil {
		return false, nil // not a revision id: no revision has it
	}
	var one int
	err = tx.queryRow(`SELECT 1 FROM revision_targets WHERE interview = (SELECT n FROM revision_names WHERE name = ?)
		AND kind = ? AND key = ? AND id = ?`, t.Interview, kindNum(t.Kind), t.Key, rid).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("look up revision %s: %w", shortID(id), err)
	}
	return true, nil
}

const (
	qMarkBatched = `UPDATE revision_rows SET batch = ? WHERE seq = ? AND batch IS NULL`
	// qPendingLow reads where the pending tail starts, and the last row.
	qPendingLow = `SELECT (SELECT low FROM revision_pending_low), (SELECT coalesce(max(seq), 0) FROM revision_rows)`
)

func shortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	if id == "" {
		return "no id"
	}
	return id
}

// isRevID reports whether s has the form of a revision id (64 lowercase hex digits).
func isRevID(s string) bool {
	if len(s) != 64 {
		return false
	}
	var bad byte
	for i := 0; i < len(s); i++ {
		bad |= notLowerHex[s[i]]
	}
	return bad == 0
}

// notLowerHex is 1 for every byte that is not a lowercase hexadecimal digit: isRevID ORs
// the 64 lookups, without a branch a byte (it ran for every id and replaced id of every
// revision a server checks).
var notLowerHex = func() (t [256]byte) {
	for c := range t {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			t[c] = 1
		}
	}
	return t
}()

func checkTarget(t survey.Target) error {
	switch {
	case t.Interview == "":
		return errors.New("no interview id")
	case !t.Kind.Valid():
		return fmt.Errorf("unknown kind %q", t.Kind)
	case t.Kind.Keyed() && t.Key == "":
		return fmt.Errorf("%s change without key", t.Kind)
	case !t.Kind.Keyed() && t.Key != "":
		return fmt.Errorf("%s change with a key (%q)", t.Kind, t.Key)
	}
	return nil
}

// joinIDs and splitIDs store a sorted id list in one column.
func joinIDs(ids []string) string { return strings.Join(ids, " ") }

func splitIDs(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, " ")
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

// fromMS0 is fromMS with 0 meaning "no time" (an interview whose creation has not arrived).
func fromMS0(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return fromMS(v)
}
