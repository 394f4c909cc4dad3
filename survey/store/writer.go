package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// The writer's connection.
//
// A store writes through one SQLite connection, which it holds (a *sql.Conn taken from
// the writer pool, w, at Open) rather than borrowing it from the pool for every
// transaction: database/sql's BeginTx starts a goroutine that watches the transaction's
// context, and modernc prepares BEGIN and COMMIT afresh each time, and each statement of
// the store was bound to the transaction anew (Tx.StmtContext): together ~30 µs of CPU a
// durable save in a store of 10,000 interviews (BenchmarkDurableAppend/10k, interleaved
// with the pool's way, load 1.5-2.8: 116-145 µs against 150-173; median-put/raw 1.28-1.39
// against 1.27-1.58). On the held connection BEGIN IMMEDIATE, COMMIT
// and ROLLBACK are prepared once, as are the store's own statements, and a transaction is
// those statements run in turn. The writer's semaphore (sem) serializes whoever uses the
// connection: write transactions, the checkpointer's last step, Open's migrations; a
// writer waiting for it stops waiting when its context ends, as one waiting in BeginTx
// for the pool's one connection did.
//
// What database/sql's Tx did, the store does itself: a failed or panicking fn is rolled
// back; a context that ends stops a long statement (modernc interrupts it) and the
// transaction is rolled back, and one that ended before COMMIT rolls back rather than
// commits; a COMMIT that fails is followed by a ROLLBACK, as modernc's Tx.Commit does
// (SQLITE_BUSY can leave the transaction open), so the connection is out of any
// transaction afterwards. A connection that database/sql reports broken
// (driver.ErrBadConn, sql.ErrConnDone), or that may still be inside a transaction after
// a ROLLBACK failed, is let go (discarded, never returned to the pool) and the next
// transaction opens another, set up as at Open.

// writer holds the writer's connection and what is prepared on it.
type writer struct {
	// sem is held (one token) by whoever uses the connection.
	sem chan struct{}
	// conn is the held connection; nil until the first use, and after it was let go.
	conn *sql.Conn
	// begin, commit and rollback are BEGIN IMMEDIATE, COMMIT and ROLLBACK, prepared on conn.
	begin, commit, rollback *sql.Stmt
	// stmts are the statements prepared on conn: the hot ones at setup, and those a write
	// transaction prepared (the store's queries are constants: a bounded set), up to
	// maxWriterStmts.
	stmts map[string]*sql.Stmt
	// raw are the driver's own statements of the INSERTs that write an Append's rows and
	// entries many a statement (qRowsBy, qEntriesBy), prepared on conn's driver connection
	// at setup and run through execRaw: database/sql's Exec would allocate and convert a
	// value for each of up to 384 arguments every time. Closed with conn (closeStmts), and
	// used only under the lock, inside conn.Raw.
	raw map[string]driver.StmtExecContext
	// args is execRaw's buffer of arguments, reused from one statement to the next.
	args []driver.NamedValue
}

// maxWriterStmts bounds the statements kept prepared on the writer's connection; past it,
// a transaction's statements are closed when it ends.
const maxWriterStmts = 256

func newWriter() *writer { return &writer{sem: make(chan struct{}, 1)} }

// lock takes the writer's connection, waiting at most until ctx ends.
func (w *writer) lock(ctx context.Context) error {
	select {
	case w.sem <- struct{}{}:
		return nil
	default:
	}
	select {
	case w.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (w *writer) unlock() { <-w.sem }

// acquire makes sure the writer holds a connection set up for writing (lock held):
// after the connection was let go, another is opened and set up as at Open.
func (s *Store) acquire(ctx context.Context) error {
	w := s.wr
	if w.conn != nil {
		err := w.usable(ctx)
		if err == nil {
			return nil
		}
		if !broken(err) && !errors.Is(err, errUnusable) {
			return err
		}
		w.letGo()
	}
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return err
	}
	w.conn = conn
	if _, err := s.setupWriter(ctx); err != nil {
		w.letGo()
		return err
	}
	return nil
}

// setupWriter sets the writer connection's pragmas (page cache, checkpointing) and
// prepares the writer's statements (lock held, w.conn open, schema migrated). It returns
// the checkpointer's threshold in bytes of log (0 without one).
func (s *Store) setupWriter(ctx context.Context) (limit int64, err error) {
	w := s.wr
	fail := func(err error) (int64, error) {
		return 0, fmt.Errorf("open survey database %s: %w", s.path, err)
	}
	// A larger page cache for the writer keeps a big Append (a merge of many batches)
	// from spilling to the log before it commits.
	cache := defaultCacheKiB
	if s.cacheKiB > 0 {
		cache = s.cacheKiB
	}
	pragmas := []string{fmt.Sprintf("PRAGMA cache_size = -%d", cache)}
	switch {
	case s.background > 0:
		var pageSize int64
		if err := w.conn.QueryRowContext(ctx, "PRAGMA page_size").Scan(&pageSize); err != nil {
			return fail(err)
		}
		limit = int64(s.background) * pageSize
		pragmas = append(pragmas,
			fmt.Sprintf("PRAGMA journal_size_limit = %d", limit),
			fmt.Sprintf("PRAGMA wal_autocheckpoint = %d", backstopFactor*s.background))
	case s.checkpoint > 0:
		pragmas = append(pragmas, fmt.Sprintf("PRAGMA wal_autocheckpoint = %d", s.checkpoint))
	}
	for _, q := range pragmas {
		if _, err := w.conn.ExecContext(ctx, q); err != nil {
			return fail(err)
		}
	}
	w.stmts = map[string]*sql.Stmt{}
	for _, p := range []struct {
		st **sql.Stmt
		q  string
	}{{&w.begin, "BEGIN IMMEDIATE"}, {&w.commit, "COMMIT"}, {&w.rollback, "ROLLBACK"}} {
		st, err := w.conn.PrepareContext(ctx, p.q)
		if err != nil {
			return fail(fmt.Errorf("prepare: %w", err))
		}
		*p.st = st
	}
	for _, q := range append(slices.Collect(maps.Values(qRowsBy)), hot...) {
		if _, ok := w.stmts[q]; ok {
			continue
		}
		st, err := w.conn.PrepareContext(ctx, q)
		if err != nil {
			return fail(fmt.Errorf("prepare: %w", err))
		}
		w.stmts[q] = st
	}
	w.raw = map[string]driver.StmtExecContext{}
	err = w.conn.Raw(func(dc any) error {
		cp, ok := dc.(driver.ConnPrepareContext)
		if !ok {
			return nil // database/sql's statements do it all (execRaw falls back to them)
		}
		for _, q := range rawQueries() {
			st, err := cp.PrepareContext(ctx, q)
			if err != nil {
				return err
			}
			se, ok := st.(driver.StmtExecContext)
			if !ok {
				st.Close()
				return nil
			}
			w.raw[q] = se
		}
		return nil
	})
	if err != nil {
		return fail(fmt.Errorf("prepare: %w", err))
	}
	return limit, nil
}

// rawQueries are the statements the writer runs through the driver itself (writer.raw).
func rawQueries() []string {
	return append(slices.Collect(maps.Values(qRowsBy)), slices.Collect(maps.Values(qEntriesBy))...)
}

// execRaw runs query with args on the writer's connection (lock held), through the
// driver's own statement when the writer has one (writer.raw), else as exec does.
func (tx *Tx) execRaw(query string, args []any) error {
	w := tx.w
	st := w.raw[query]
	if st == nil {
		_, err := tx.exec(query, args...)
		return err
	}
	w.args = w.args[:0]
	for i, v := range args {
		w.args = append(w.args, driver.NamedValue{Ordinal: i + 1, Value: v})
	}
	err := w.conn.Raw(func(any) error {
		_, err := st.ExecContext(tx.ctx, w.args)
		return err
	})
	clear(w.args) // keep no value past the statement
	return mapErr(err)
}

// letGo discards the writer's connection (lock held): its statements are closed and the
// connection is closed rather than returned to the pool, so whatever state it was in (a
// transaction left open, an interrupt pending) goes with it; the next transaction opens
// another. A connection database/sql has already closed (sql.ErrConnDone: the driver
// reported driver.ErrBadConn) is only dropped: database/sql does not close a Conn's
// statements with it, and modernc cannot close them once it is closed, so they are left
// to the process's end (it happens only if the driver says a connection is bad while the
// store holds it, which modernc does not: it reports that only to the pool).
func (w *writer) letGo() {
	if w.conn == nil {
		return
	}
	if w.conn.Raw(func(any) error { return nil }) == nil {
		w.closeStmts()
		// Raw returning driver.ErrBadConn makes database/sql close the driver connection
		// instead of keeping it in the pool; Close then only releases the Conn.
		w.conn.Raw(func(any) error { return driver.ErrBadConn })
	}
	w.stmts, w.raw, w.begin, w.commit, w.rollback = nil, nil, nil, nil, nil
	w.conn.Close()
	w.conn = nil
}

// errUnusable is what usable's check returns for a connection the driver says is bad.
var errUnusable = errors.New("writer connection unusable")

// usable asks the driver, as database/sql's pool does before it hands a connection out
// again (ResetSession, IsValid: modernc says no for a connection with an interrupt still
// pending), whether the writer's connection can run the next transaction.
func (w *writer) usable(ctx context.Context) error {
	return w.conn.Raw(func(dc any) error {
		if r, ok := dc.(driver.SessionResetter); ok && r.ResetSession(ctx) != nil {
			return errUnusable
		}
		if v, ok := dc.(driver.Validator); ok && !v.IsValid() {
			return errUnusable
		}
		return nil
	})
}

// closeStmts closes the statements prepared on the writer's connection.
func (w *writer) closeStmts() {
	if len(w.raw) > 0 {
		// Inside Raw: the driver's statements are closed on the driver connection, before
		// it is closed or returned to the pool.
		w.conn.Raw(func(any) error {
			for _, st := range w.raw {
				if c, ok := st.(driver.Stmt); ok {
					c.Close()
				}
			}
			return nil
		})
	}
	w.raw = nil
	for _, st := range w.stmts {
		st.Close()
	}
	for _, st := range []*sql.Stmt{w.begin, w.commit, w.rollback} {
		if st != nil {
			st.Close()
		}
	}
	w.stmts, w.begin, w.commit, w.rollback = nil, nil, nil, nil
}

// close closes the writer's connection, returning it to the pool (Store.Close closes the
// pool), once whoever holds it has let go.
func (w *writer) close() error {
	w.sem <- struct{}{}
	defer w.unlock()
	if w.conn == nil {
		return nil
	}
	w.closeStmts()
	err := w.conn.Close()
	w.conn = nil
	return err
}

// broken reports whether err says the writer's connection can no longer be used.
func broken(err error) bool {
	return errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone)
}

// noTransaction reports whether err is SQLite's answer to a ROLLBACK with no transaction
// open: SQLite already rolled the transaction back itself (an interrupted statement, a
// full disk, a failed COMMIT), which is what the ROLLBACK was for.
func noTransaction(err error) bool {
	return err != nil && strings.Contains(err.Error(), "no transaction is active")
}

// withWriter runs fn on the writer's connection between two transactions (the
// checkpointer's last step).
func (s *Store) withWriter(ctx context.Context, fn func(conn *sql.Conn) error) error {
	w := s.wr
	if err := w.lock(ctx); err != nil {
		return err
	}
	defer w.unlock()
	if err := s.acquire(ctx); err != nil {
		return err
	}
	err := fn(w.conn)
	if broken(err) {
		w.letGo()
	}
	return err
}

// update runs fn in a write transaction on the writer's connection (Update).
func (s *Store) update(ctx context.Context, fn func(tx *Tx) error) (err error) {
	w := s.wr
	if err := w.lock(ctx); err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer w.unlock()
	if err := s.acquire(ctx); err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	if err := s.begin(ctx); err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	tx := &Tx{s: s, q: w.conn, ctx: ctx, w: w}
	defer func() {
		if p := recover(); p != nil {
			tx.end()
			w.rollBack()
			panic(p)
		}
	}()
	err = fn(tx)
	tx.end()
	if err != nil {
		if rbErr := w.rollBack(); rbErr != nil {
			return errors.Join(err, fmt.Errorf("roll back: %w", rbErr))
		}
		return err
	}
	if err := ctx.Err(); err != nil {
		// As database/sql's Commit: a transaction whose context ended is rolled back.
		if rbErr := w.rollBack(); rbErr != nil {
			return errors.Join(err, fmt.Errorf("roll back: %w", rbErr))
		}
		return err
	}
	if _, err := w.commit.ExecContext(ctx); err != nil {
		// The outcome is unknown to the counters; the connection may still be inside the
		// transaction (SQLITE_BUSY): roll it back, as modernc's Tx.Commit does.
		s.put.forget()
		w.rollBack()
		return fmt.Errorf("commit: %w", mapErr(err))
	}
	s.put.committed(tx)
	s.names.committed(tx)
	s.ckpt.committed()
	return nil
}

// begin runs BEGIN IMMEDIATE (lock held, connection acquired). A connection found broken
// is let go and the BEGIN tried once more on a new one, as database/sql's BeginTx retries
// a bad connection: nothing had been done on it.
func (s *Store) begin(ctx context.Context) error {
	w := s.wr
	_, err := w.begin.ExecContext(ctx)
	if err == nil || !broken(err) {
		return err
	}
	w.letGo()
	if err := s.acquire(ctx); err != nil {
		return err
	}
	_, err = w.begin.ExecContext(ctx)
	if broken(err) {
		w.letGo()
	}
	return err
}

// rollBack rolls back the transaction under way (lock held). SQLite may have rolled it
// back already (noTransaction); a connection that may still be inside it, or is broken,
// is let go.
func (w *writer) rollBack() error {
	if w.conn == nil {
		return nil
	}
	_, err := w.rollback.ExecContext(context.Background())
	if err == nil || noTransaction(err) {
		return nil
	}
	w.letGo()
	return err
}
