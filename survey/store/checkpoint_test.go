package store

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// TestCheckpointerKeepsLogBounded writes without pause into a store whose checkpointer
// starts at 128 pages of log, while readers read, one of them holding its snapshot across
// several commits, both pausing between reads: the checkpoints must run beside the writer and get the log started
// again (its file stays under the writer's backstop, at four times the threshold, which
// it would reach if nothing but the backstop restarted it), CheckpointSoon says when the
// last step is near, every reader sees one
// consistent snapshot, and after Close every revision is there and the store checks.
func TestCheckpointerKeepsLogBounded(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "survey.db")
	const pages = 128
	s, err := Open(path, WithCheckpointer(pages))
	if err != nil {
		t.Fatal(err)
	}
	by := Author{Device: "dev-a", Principal: "lan@example.org"}
	stop := make(chan struct{})
	var readers sync.WaitGroup
	var readErr error
	var readMu sync.Mutex
	count := func(tx *Tx) (n int) {
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM revision_rows").Scan(&n); err != nil {
			panic(err)
		}
		return n
	}
	for r := range 2 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				err := s.View(ctx, func(tx *Tx) error {
					a := count(tx)
					if r == 0 {
						time.Sleep(5 * time.Millisecond) // the writer commits meanwhile
					}
					if b := count(tx); b != a {
						return fmt.Errorf("one snapshot counted %d revisions, then %d", a, b)
					}
					return nil
				})
				// Readers that never pause would always hold an older snapshot: SQLite
				// could then never start the log again, checkpointer or not.
				time.Sleep(10 * time.Millisecond)
				if err != nil {
					readMu.Lock()
					readErr = err
					readMu.Unlock()
					return
				}
			}
		}()
	}
	written, soon := 0, 0
	comment := strings.Repeat("ghi chú dài ", 200) // ~2.6 KB a revision: the log grows fast
	for i := range 400 {                           // ~20 MB of log: the threshold passed about 40 times
		iv := fmt.Sprintf("0193a5b2-7c1e-7000-8000-%012d", 1+i%50)
		revs := mustPut(t, s, by, answer(iv, fmt.Sprintf("1.%d", 1+i%7), survey.Answer{Comment: fmt.Sprintf("%s %d", comment, i)}))
		written += len(revs)
		if s.CheckpointSoon() {
			soon++
		}
	}
	close(stop)
	readers.Wait()
	if readErr != nil {
		t.Fatal(readErr)
	}
	st := s.CheckpointStats()
	t.Logf("%d revisions, checkpointer %+v", written, st)
	if st.Handoffs < 5 || st.Rounds < st.Handoffs || st.Failures != 0 {
		t.Errorf("checkpointer: %+v", st)
	}
	if soon == 0 {
		t.Errorf("CheckpointSoon never said the last step was near (a grouping writer would never keep its transactions small)")
	}
	// The log stays bounded: the checkpointer's last steps start it again (Handoffs above).
	// Its peak is ~1 MB here, under the writer's backstop (2 MB); on a machine too busy for
	// the checkpointer to keep up (the race detector beside other tests) a round under way
	// holds the checkpoint lock and the log runs past the backstop for a while, so the test
	// asks only that it stays far below the ~20 MB the saves wrote: a log never started
	// again would hold all of it.
	pageSize := writerInt(t, s, "PRAGMA page_size")
	if backstop := backstopFactor * pages * pageSize; st.PeakLog >= 4*backstop {
		t.Errorf("the log file reached %d bytes, 4× the writer's backstop (%d): nothing got it started again", st.PeakLog, backstop)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	var n int
	if err := s2.r.QueryRow("SELECT count(*) FROM revision_rows").Scan(&n); err != nil || n < written {
		t.Fatalf("after Close the store holds %d revisions of %d written (%v)", n, written, err)
	}
	if err := s2.Check(ctx); err != nil {
		t.Fatal(err)
	}
}
