package server

import (
	"errors"
	"runtime"
	"sync"
	"time"

	"github.com/fieldsurvey/fieldsurvey/survey/store"
)

// Group commit: uploads that arrive while the store is busy committing are stored
// together, in one transaction (one write to the disk and one fsync for all of them).
// Every batch is checked and its revisions verified (store.Verify) before it queues, in
// its own request's goroutine, so the one writer does nothing but store. A batch the hub
// refuses in the transaction (a replayed id with other content, a reused sequence number)
// is refused before anything of it is written and leaves the others alone. If the
// transaction itself fails, each batch of the group is tried again alone, so one bad
// batch (or a disk error that one batch provokes) cannot fail the others. No request is
// answered before the transaction holding its batch is durable.
//
// The signed requests' nonces (SQLite.UseNonce) are recorded the same way: a nonce queues
// like a batch and is answered once the transaction holding it is durable.
//
// The group is whatever queued while the last transaction was being stored (up to the
// limits below): no timer, so a lone upload is stored at once, and under load the groups
// grow by themselves.

// Group limits: a group holds at most this many batches, and no more revisions than
// groupRevisions unless it is a single batch; no more than smallGroupRevisions while the
// store's checkpointer is about to take the writer for the last step of a checkpoint
// (store.CheckpointSoon), which copies what the groups stored meanwhile.
const (
	groupBatches        = 256
	groupRevisions      = 60000
	smallGroupRevisions = groupRevisions / 16
)

// cpuSlots bounds the uploads being checked and verified at once (Server.check, the
// store.Verify of SQLite.Ingest) to one less than the processors Go uses, so that the one
// writer storing the groups, which every upload waits for, always finds a processor free.
var cpuSlots = make(chan struct{}, max(1, runtime.GOMAXPROCS(0)-1))

// errStoreClosed is returned by Ingest after Close.
var errStoreClosed = errors.New("the server's store is closed")

// ingestJob is one upload waiting for its group's commit, or (nonce set) one signed
// request's nonce to record (SQLite.UseNonce), so that recording it shares the group's
// fsync instead of taking a transaction of its own.
type ingestJob struct {
	u     Upload
	revs  store.Verified
	nonce *nonceJob
	// out and err are the outcome, valid once done is closed: err is the batch's refusal
	// (a *wire.Error) or a failure of the store.
	out  Ingested
	err  error
	done chan struct{}
}

// settle records what storing the job's batch gave: its receipt, or its refusal (a
// refusal value, the batch's own fault: the group goes on without it). Any other error is
// returned: it fails the whole group's transaction.
func (j *ingestJob) settle(out Ingested, err error) error {
	var rf refusal
	switch {
	case errors.As(err, &rf):
		j.out, j.err = Ingested{}, rf.err
	case err != nil:
		return err
	default:
		j.out, j.err = out, nil
	}
	return nil
}

// grouper queues jobs and runs one committing goroutine while there are any.
type grouper struct {
	// commit stores jobs in one transaction, setting each one's outcome; an error means
	// the transaction failed and nothing of it was stored.
	commit func(jobs []*ingestJob) error
	// small, if set, says when to keep groups small (smallGroupRevisions).
	small func() bool

	mu      sync.Mutex
	queue   []*ingestJob
	running bool
	closed  bool
	idle    *sync.Cond

	// stats, for tests and metrics: transactions committed and the batches in them (not
	// counting nonces).
	groups, batches int
	busy            time.Duration
}

func newGrouper(commit func([]*ingestJob) error) *grouper {
	g := &grouper{commit: commit}
	g.idle = sync.NewCond(&g.mu)
	return g
}

// submit queues j; its outcome is set and j.done closed once its group is committed (or
// failed).
func (g *grouper) submit(j *ingestJob) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return errStoreClosed
	}
	g.queue = append(g.queue, j)
	if !g.running {
		g.running = true
		go g.run()
	}
	return nil
}

// run commits groups until the queue is empty.
func (g *grouper) run() {
	for {
		g.mu.Lock()
		if len(g.queue) == 0 {
			g.running = false
			g.idle.Broadcast()
			g.mu.Unlock()
			return
		}
		n, revs, limit := 0, 0, groupRevisions
		if g.small != nil && g.small() {
			limit = smallGroupRevisions
		}
		for n < len(g.queue) && n < groupBatches {
			k := g.queue[n].revs.Len()
			if n > 0 && revs+k > limit {
				break
			}
			revs += k
			n++
		}
		jobs := make([]*ingestJob, n)
		copy(jobs, g.queue)
		g.queue = append(g.queue[:0], g.queue[n:]...)
		g.groups++
		for _, j := range jobs {
			if j.nonce == nil {
				g.batches++
			}
		}
		g.mu.Unlock()
		t0 := time.Now()
		g.store(jobs)
		g.mu.Lock()
		g.busy += time.Since(t0)
		g.mu.Unlock()
		for _, j := range jobs {
			close(j.done)
		}
	}
}

// store commits jobs as one group; if that fails and there are several, each alone.
func (g *grouper) store(jobs []*ingestJob) {
	err := g.commit(jobs)
	if err == nil {
		return
	}
	if len(jobs) == 1 {
		jobs[0].out, jobs[0].err = Ingested{}, err
		return
	}
	for _, j := range jobs {
		if err := g.commit([]*ingestJob{j}); err != nil {
			j.out, j.err = Ingested{}, err
		}
	}
}

// close refuses new jobs and waits until the queued ones are committed.
func (g *grouper) close() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.closed = true
	for g.running {
		g.idle.Wait()
	}
}

// stats returns the groups committed and the batches in them.
func (g *grouper) stats() (groups, batches int, busy time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.groups, g.batches, g.busy
}
