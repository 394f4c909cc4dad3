package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// Checkpointing beside the writer (WithCheckpointer).
//
// In WAL mode a commit appends pages to the write-ahead log; a checkpoint copies them back
// into the database file. SQLite's own (wal_autocheckpoint) runs inside the COMMIT that
// passes the threshold, so the one writer, and every transaction queued behind it, waits
// while a log of hundreds of MB is copied. The checkpointer does that copy on a connection
// of its own while the writer goes on committing:
//
//   - After each commit the writer wakes it (a non-blocking signal). It looks at the log's
//     size on disk; past the threshold it runs PASSIVE checkpoints on its own connection
//     (which wait for nobody: readers and the writer go on), again and again while the
//     writer keeps adding to the log, until what the writer added during the last round is
//     small (residue pages).
//   - The log only starts again from its beginning when a writer begins a transaction
//     while the whole log has been copied (and no reader holds an older snapshot): under
//     steady load a checkpointer that chases the writer never sees that moment. So the
//     last step is taken on the writer's connection between two transactions (it waits
//     for the writer to be free, copies what is left, lets go): the writer's next
//     transaction then starts the log again (SQLite's walRestartLog). What is left is at
//     least the transaction the writer was running during the last round; to keep that
//     small, the checkpointer says the step is near (Store.CheckpointSoon: a writer that
//     groups work, as the server's group commit, keeps its transactions small
//     meanwhile), waits for the transaction under way to commit, copies it in one more
//     round, and only then takes the writer.
//   - journal_size_limit at the threshold makes SQLite cut the file back to that size
//     when the log starts again, so the file's size past the threshold says how far the
//     log runs past it.
//   - The writer's own wal_autocheckpoint stays, as a backstop (backstopFactor times the
//     threshold), for a checkpointer that cannot keep up; while the checkpointer holds
//     the checkpoint lock, the writer's attempt returns at once.
//
// Durability is unchanged: every commit is synced as before (synchronous=FULL); a
// checkpoint interrupted by a crash leaves the log whole (it is started again only after
// the database file was synced), and SQLite copies it again later, as always. A checkpoint
// that fails (a full disk) leaves the log as it was. A checkpoint after which the log did
// not start again (a reader held an older snapshot, or it failed) is tried again once the
// log grew by an eighth of the threshold.

// backstopFactor is how many times the checkpointer's threshold the writer's own
// wal_autocheckpoint is set to.
const backstopFactor = 4

// checkpointer runs the checkpoints of a store beside its writer.
type checkpointer struct {
	s     *Store
	db    *sql.DB // its own connection
	wal   string  // the write-ahead log's path
	limit int64   // the threshold, in bytes of log
	// residue is the number of log pages left by a round under which the last step is
	// taken on the writer's connection.
	residue int64
	wake    chan struct{}
	stop    chan struct{}
	done    sync.WaitGroup
	closed  sync.Once

	// soon is set while the last round runs (Store.CheckpointSoon).
	soon atomic.Bool

	mu    sync.Mutex
	stats CheckpointStats
}

// CheckpointStats are what a store's checkpointer did (Store.CheckpointStats), for
// benchmarks and tests.
type CheckpointStats struct {
	// Rounds is the number of PASSIVE checkpoints run on the checkpointer's connection,
	// Handoffs the last steps taken on the writer's connection, Failures the checkpoints
	// that returned an error.
	Rounds, Handoffs, Failures int
	// Background is the time spent in the rounds, Writer the time the last steps held the
	// writer's connection.
	Background, Writer time.Duration
	// PeakLog is the largest size of the log file seen (bytes).
	PeakLog int64
}

// startCheckpointer opens the checkpointer's connection and starts it, with a threshold
// of pages log pages (limit bytes); setupWriter sets the writer's journal_size_limit and
// wal_autocheckpoint.
func (s *Store) startCheckpointer(pages int, limit int64) error {
	db, err := sql.Open("sqlite", DSN(s.path))
	if err != nil {
		return fmt.Errorf("open survey database %s: %w", s.path, err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxIdleTime(0)
	db.SetConnMaxLifetime(0)
	c := &checkpointer{s: s, db: db, wal: s.path + "-wal", limit: limit,
		residue: max(int64(pages)/64, 64), wake: make(chan struct{}, 1), stop: make(chan struct{})}
	c.done.Add(1)
	go c.run()
	s.ckpt = c
	return nil
}

// committed tells the checkpointer (if any) that the writer committed.
func (c *checkpointer) committed() {
	if c == nil {
		return
	}
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// close stops the checkpointer (waiting for a checkpoint under way) and closes its
// connection. Closing again does nothing.
func (c *checkpointer) close() (err error) {
	if c == nil {
		return nil
	}
	c.closed.Do(func() {
		close(c.stop)
		c.done.Wait()
		err = c.db.Close()
	})
	return err
}

func (c *checkpointer) run() {
	defer c.done.Done()
	// next is the log size that starts the next checkpoint: the threshold, or, after a
	// checkpoint that did not get the log started again (a reader held an old snapshot,
	// or a round failed), a step further.
	next := c.limit
	for {
		select {
		case <-c.stop:
			return
		case <-c.wake:
		}
		size := c.logSize()
		if size <= c.limit {
			next = c.limit
			continue
		}
		if size < next {
			continue
		}
		c.checkpoint()
		next = c.logSize() + c.limit/8
	}
}

// logSize is the log file's size (0 when there is none).
func (c *checkpointer) logSize() int64 {
	fi, err := os.Stat(c.wal)
	if err != nil {
		return 0
	}
	c.mu.Lock()
	c.stats.PeakLog = max(c.stats.PeakLog, fi.Size())
	c.mu.Unlock()
	return fi.Size()
}

// checkpoint copies the log into the database: rounds on the checkpointer's connection
// until the writer added little during one, then the rest on the writer's connection.
func (c *checkpointer) checkpoint() {
	ctx := context.Background()
	// A PASSIVE checkpoint copies the log as it was when it began and reports that size:
	// what the writer added meanwhile is found by the next round. Rounds go on until one
	// finds little new (so it was short, and the writer added little during it).
	prev := int64(-1)
	for range 16 {
		busy, log, err := c.round(ctx, c.db, false)
		if err != nil || busy != 0 {
			return
		}
		if prev >= 0 && log >= prev && log-prev <= c.residue {
			break
		}
		prev = log
		select {
		case <-c.stop:
			return
		default:
		}
	}
	// The last step copies what the writer committed since the last round began: at
	// least the transaction it was running then. Say the step is near (a writer that
	// groups work then keeps its transactions small: CheckpointSoon), wait for that
	// transaction to commit (not longer than lastWait: an idle writer commits nothing),
	// copy it in one more round while the writer runs a small one, then take the writer.
	c.soon.Store(true)
	defer c.soon.Store(false)
	select {
	case <-c.wake: // a commit since the last round (or before it, at worst)
	default:
	}
	select {
	case <-c.wake:
		c.round(ctx, c.db, false)
	case <-time.After(lastWait):
	case <-c.stop:
		return
	}
	c.s.withWriter(ctx, func(conn *sql.Conn) error {
		_, _, err := c.round(ctx, conn, true)
		return err
	})
}

// round runs one PASSIVE checkpoint on q (the writer's connection when onWriter) and counts
// it in the stats; a failure is counted there too (the log stays as it was, to be copied
// by a later checkpoint).
func (c *checkpointer) round(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, onWriter bool) (busy, log int64, err error) {
	t0 := time.Now()
	busy, log, _, err = passive(ctx, q)
	took := time.Since(t0)
	c.mu.Lock()
	defer c.mu.Unlock()
	if onWriter {
		c.stats.Handoffs++
		c.stats.Writer += took
	} else {
		c.stats.Rounds++
		c.stats.Background += took
	}
	if err != nil {
		c.stats.Failures++
	}
	return busy, log, err
}

// lastWait is how long the checkpointer waits for the writer's transaction under way to
// commit before its last step.
const lastWait = 2 * time.Second

// CheckpointSoon reports whether the store's checkpointer is about to take the writer's
// connection for the last step of a checkpoint, which copies what the writer's
// transactions wrote meanwhile: a writer that groups work (the server's group commit)
// keeps its transactions small while it is true, so that the step is short.
func (s *Store) CheckpointSoon() bool { return s.ckpt != nil && s.ckpt.soon.Load() }

// passive runs one PASSIVE checkpoint: busy is 1 when it could not run at all (another
// checkpoint under way), log the frames in the log, copied those in the database file.
func passive(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (busy, log, copied int64, err error) {
	err = q.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &log, &copied)
	return busy, log, copied, err
}

// CheckpointStats returns what the store's checkpointer did (zero without one).
func (s *Store) CheckpointStats() CheckpointStats {
	if s.ckpt == nil {
		return CheckpointStats{}
	}
	s.ckpt.mu.Lock()
	defer s.ckpt.mu.Unlock()
	return s.ckpt.stats
}
