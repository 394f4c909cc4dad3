package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// onWriter runs fn on the store's writer connection, between transactions (tests that look
// at or change the database beside the store's methods).
func onWriter(t testing.TB, s *Store, fn func(c *sql.Conn) error) {
	t.Helper()
	if err := s.withWriter(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

// writerExec runs a statement on the store's writer connection.
func writerExec(t testing.TB, s *Store, q string) {
	t.Helper()
	onWriter(t, s, func(c *sql.Conn) error {
		_, err := c.ExecContext(context.Background(), q)
		return err
	})
}

// writerInt reads one integer on the store's writer connection.
func writerInt(t testing.TB, s *Store, q string) (v int64) {
	t.Helper()
	onWriter(t, s, func(c *sql.Conn) error {
		return c.QueryRowContext(context.Background(), q).Scan(&v)
	})
	return v
}

// TestWriterConnectionBrokenIsReplaced: a writer connection that database/sql has
// discarded (the driver said driver.ErrBadConn) is replaced by a new one set up as at Open
// (its page cache); saves go on with the right counters.
func TestWriterConnectionBrokenIsReplaced(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, WithCacheSize(96<<10))
	by := Author{Device: "dev-a"}
	const iv = "0193a5b2-7c1e-7000-8000-000000000001"
	mustPut(t, s, by, answer(iv, "1", survey.Answer{Rating: survey.Red}))
	breakConn := func(c *sql.Conn) {
		c.Raw(func(any) error { return driver.ErrBadConn })
	}

	// Between transactions: the next save's BEGIN finds it broken and takes another.
	onWriter(t, s, func(c *sql.Conn) error { breakConn(c); return nil })
	if r := mustPut(t, s, by, answer(iv, "2", survey.Answer{Rating: survey.Green})); r[0].Counter != 2 {
		t.Errorf("counter %d after the connection was replaced, want 2", r[0].Counter)
	}
	if got := writerInt(t, s, "PRAGMA cache_size"); got != -(96 << 10) {
		t.Errorf("new writer connection's cache_size %d, want %d", got, -(96 << 10))
	}
	// Its own driver statements for an Append's rows and entries (writer.raw) are the new
	// connection's: an Append of many revisions goes through them.
	if len(s.wr.raw) != len(rawQueries()) {
		t.Errorf("new writer connection holds %d driver statements, want %d", len(s.wr.raw), len(rawQueries()))
	}
	onWriter(t, s, func(c *sql.Conn) error { breakConn(c); return nil })
	revs := tenK(t, 3)
	if n, err := s.Append(ctx, revs...); err != nil || n.Added != len(revs) {
		t.Fatalf("Append of %d revisions after the connection was replaced: %+v, %v", len(revs), n, err)
	}

	if err := s.Check(ctx); err != nil {
		t.Error(err)
	}
}

// TestFailedCommitLeavesStoreUsable: a COMMIT that SQLite refuses (a deferred foreign key
// left unsatisfied, after which SQLite keeps the transaction open) is reported, nothing of
// the transaction is kept, the device counter is not consumed, and the next save works.
func TestFailedCommitLeavesStoreUsable(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, WithMigrations("test", []Migration{{Version: 1, Name: "deferred", SQL: `
		CREATE TABLE parent (id INTEGER PRIMARY KEY);
		CREATE TABLE child (pid INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED);`}}))
	by := Author{Device: "dev-a"}
	const iv = "0193a5b2-7c1e-7000-8000-000000000002"
	err := s.Update(ctx, func(tx *Tx) error {
		if _, err := tx.Put(by, answer(iv, "1", survey.Answer{Rating: survey.Red})); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO child (pid) VALUES (7)")
		return err
	})
	if !errors.Is(err, ErrConstraint) || !strings.Contains(err.Error(), "commit") {
		t.Fatalf("Update whose COMMIT fails: %v, want a commit error wrapping ErrConstraint", err)
	}
	if list, _ := s.List(ctx, ListOptions{}); len(list) != 0 {
		t.Errorf("the Put of a failed commit is visible: %+v", list)
	}
	if r := mustPut(t, s, by, answer(iv, "1", survey.Answer{Rating: survey.Red})); r[0].Counter != 1 {
		t.Errorf("counter %d after a failed commit, want 1", r[0].Counter)
	}
	var children int64
	if err := s.View(ctx, func(tx *Tx) error {
		return tx.QueryRowContext(ctx, "SELECT count(*) FROM child").Scan(&children)
	}); err != nil || children != 0 {
		t.Errorf("rows of the failed commit: %d (%v)", children, err)
	}
	if err := s.Check(ctx); err != nil {
		t.Error(err)
	}
}

// TestContextEndsTransaction: a context that ends stops a long statement and rolls the
// transaction back; one that ends before the COMMIT rolls back rather than commits; a
// writer waiting for the writer's connection stops waiting when its context ends.
func TestContextEndsTransaction(t *testing.T) {
	s := openTest(t)
	by := Author{Device: "dev-a"}
	const iv = "0193a5b2-7c1e-7000-8000-000000000003"

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err := s.Update(ctx, func(tx *Tx) error {
		if _, err := tx.Put(by, answer(iv, "1", survey.Answer{Rating: survey.Red})); err != nil {
			return err
		}
		var n int64 // never ends unless interrupted
		return tx.QueryRowContext(ctx, "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c").Scan(&n)
	})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Update with a long statement past its deadline: %v", err)
	}

	ctx2, cancel2 := context.WithCancel(context.Background())
	err = s.Update(ctx2, func(tx *Tx) error {
		_, err := tx.Put(by, answer(iv, "2", survey.Answer{Rating: survey.Red}))
		cancel2()
		return err
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Update whose context ended before COMMIT: %v", err)
	}
	if list, _ := s.List(context.Background(), ListOptions{}); len(list) != 0 {
		t.Errorf("Puts of transactions whose context ended are visible: %+v", list)
	}
	if r := mustPut(t, s, by, answer(iv, "1", survey.Answer{Rating: survey.Red})); r[0].Counter != 1 {
		t.Errorf("counter %d after rolled back transactions, want 1", r[0].Counter)
	}

	// A writer waiting behind another stops waiting when its context ends.
	holding, release := make(chan struct{}), make(chan struct{})
	done := make(chan error)
	go func() {
		done <- s.Update(context.Background(), func(tx *Tx) error {
			close(holding)
			<-release
			return nil
		})
	}()
	<-holding
	ctx3, cancel3 := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel3()
	if _, err := s.Put(ctx3, by, answer(iv, "3", survey.Answer{Rating: survey.Red})); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Put waiting for the writer past its deadline: %v", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if r := mustPut(t, s, by, answer(iv, "3", survey.Answer{Rating: survey.Red})); r[0].Counter != 2 {
		t.Errorf("counter %d, want 2", r[0].Counter)
	}
}

// TestUpdateClosesRowsLeftOpen: rows fn leaves open are closed when the transaction ends,
// as database/sql's Tx closed them: the writer's connection holds no statement active
// afterwards (a checkpoint on it can copy and restart the whole log).
func TestUpdateClosesRowsLeftOpen(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	by := Author{Device: "dev-a"}
	const iv = "0193a5b2-7c1e-7000-8000-000000000004"
	for k := range 3 {
		mustPut(t, s, by, answer(iv, fmt.Sprint(k+1), survey.Answer{Rating: survey.Red}))
	}
	if err := s.Update(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, "SELECT seq FROM revision_rows")
		if err != nil {
			return err
		}
		rows.Next() // and left open
		_, err = tx.Put(by, answer(iv, "4", survey.Answer{Rating: survey.Green}))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var busy, log, copied int64
	onWriter(t, s, func(c *sql.Conn) error {
		return c.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &log, &copied)
	})
	if busy != 0 || log != 0 {
		t.Errorf("checkpoint on the writer after an Update left rows open: busy %d, log %d frames (want 0, 0)", busy, log)
	}
	if r := mustPut(t, s, by, answer(iv, "5", survey.Answer{Rating: survey.Red})); r[0].Counter != 5 {
		t.Errorf("counter %d, want 5", r[0].Counter)
	}
}

// TestWriterKeepsBoundedStatements: the statements Updates prepare stay prepared on the
// writer's connection up to maxWriterStmts; past that they are closed when the
// transaction ends, and the store goes on working.
func TestWriterKeepsBoundedStatements(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	for round := range 2 {
		if err := s.Update(ctx, func(tx *Tx) error {
			for i := range maxWriterStmts + 50 {
				var v int
				if err := tx.queryRow(fmt.Sprintf("SELECT %d", i)).Scan(&v); err != nil || v != i {
					return fmt.Errorf("SELECT %d: %d, %v", i, v, err)
				}
			}
			return nil
		}); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if n := len(s.wr.stmts); n > maxWriterStmts {
			t.Errorf("round %d: %d statements kept on the writer, want at most %d", round, n, maxWriterStmts)
		}
	}
	const iv = "0193a5b2-7c1e-7000-8000-000000000005"
	mustPut(t, s, Author{Device: "dev-a"}, answer(iv, "1", survey.Answer{Rating: survey.Red}))
	if err := s.Check(ctx); err != nil {
		t.Error(err)
	}
}

// TestOtherComponentsStatementsPrepareOnce: the statements another component runs in an
// Update (Tx.ExecContext, QueryContext, QueryRowContext: a server's feed and nonces) are
// prepared once on the writer's connection and reused by the next transactions; a script
// of several statements (a migration's) still runs whole and is not kept; a constraint
// error through a kept statement is still ErrDuplicate; a View prepares nothing on the
// writer.
func TestOtherComponentsStatementsPrepareOnce(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	const (
		script = `CREATE TABLE other (k TEXT PRIMARY KEY, v INTEGER); CREATE INDEX other_v ON other (v)`
		insert = `INSERT INTO other (k, v) VALUES (?, ?)`
		one    = `SELECT v FROM other WHERE k = ?`
		all    = `SELECT k FROM other ORDER BY k`
	)
	if err := s.Update(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, script)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.wr.stmts[script]; ok {
		t.Error("a script of two statements was kept prepared on the writer")
	}
	var kept map[string]*sql.Stmt
	for round := range 3 {
		if err := s.Update(ctx, func(tx *Tx) error {
			if _, err := tx.ExecContext(ctx, insert, fmt.Sprint("k", round), round); err != nil {
				return err
			}
			var v int
			if err := tx.QueryRowContext(ctx, one, fmt.Sprint("k", round)).Scan(&v); err != nil || v != round {
				return fmt.Errorf("read back: %d, %v", v, err)
			}
			rows, err := tx.QueryContext(ctx, all)
			if err != nil {
				return err
			}
			n := 0
			for rows.Next() {
				n++
			}
			if n != round+1 {
				return fmt.Errorf("%d rows, want %d", n, round+1)
			}
			return rows.Err()
		}); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		now := map[string]*sql.Stmt{insert: s.wr.stmts[insert], one: s.wr.stmts[one], all: s.wr.stmts[all]}
		for q, st := range now {
			if st == nil {
				t.Fatalf("round %d: %q not kept prepared on the writer", round, q)
			}
			if kept != nil && kept[q] != st {
				t.Errorf("round %d: %q prepared again", round, q)
			}
		}
		kept = now
	}
	err := s.Update(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, insert, "k0", 9)
		return err
	})
	if !errors.Is(err, ErrDuplicate) {
		t.Errorf("duplicate key through a kept statement: %v, want ErrDuplicate", err)
	}
	before := len(s.wr.stmts)
	if err := s.View(ctx, func(tx *Tx) error {
		var n int
		return tx.QueryRowContext(ctx, `SELECT count(*) FROM other WHERE v >= ?`, 0).Scan(&n)
	}); err != nil {
		t.Fatal(err)
	}
	if len(s.wr.stmts) != before {
		t.Error("a View's query was kept prepared on the writer")
	}
}
