package server

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/fieldsurvey/fieldsurvey/sync/wire"
)

// fakeCommits records the groups a grouper commits; a group holding a job named in fail
// fails whole, as a transaction does.
type fakeCommits struct {
	mu     sync.Mutex
	groups [][]string
	fail   map[string]bool
	// started, when set, hears of each commit as it starts; gate, when set, holds it
	// until a value comes.
	started chan []string
	gate    chan struct{}
}

func (f *fakeCommits) commit(jobs []*ingestJob) error {
	var names []string
	for _, j := range jobs {
		names = append(names, j.u.Device.ID)
	}
	if f.started != nil {
		f.started <- names
	}
	if f.gate != nil {
		<-f.gate
	}
	f.mu.Lock()
	f.groups = append(f.groups, names)
	f.mu.Unlock()
	for _, n := range names {
		if f.fail[n] {
			return fmt.Errorf("disk full while storing %s", n)
		}
	}
	for _, j := range jobs {
		j.out, j.err = Ingested{Receipt: wire.Receipt{Device: j.u.Device.ID}}, nil
	}
	return nil
}

func job(name string) *ingestJob {
	return &ingestJob{u: Upload{Device: Device{ID: name}}, done: make(chan struct{})}
}

// TestGrouperGroupsWhatQueuedMeanwhile: while one group is being committed, the uploads
// that arrive queue and go together in the next transaction; nobody's outcome is known
// before its own commit.
func TestGrouperGroupsWhatQueuedMeanwhile(t *testing.T) {
	f := &fakeCommits{started: make(chan []string, 10), gate: make(chan struct{})}
	g := newGrouper(f.commit)
	first := job("a")
	if err := g.submit(first); err != nil {
		t.Fatal(err)
	}
	<-f.started // the committer took "a" and waits at the gate
	rest := []*ingestJob{job("b"), job("c"), job("d")}
	for _, j := range rest {
		if err := g.submit(j); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-rest[0].done:
		t.Fatal("an upload was answered before its transaction")
	default:
	}
	f.gate <- struct{}{}
	<-first.done
	f.gate <- struct{}{}
	for _, j := range rest {
		<-j.done
		if j.err != nil || j.out.Receipt.Device != j.u.Device.ID {
			t.Errorf("%s: %+v %v", j.u.Device.ID, j.out, j.err)
		}
	}
	want := [][]string{{"a"}, {"b", "c", "d"}}
	if !slices.EqualFunc(f.groups, want, slices.Equal) {
		t.Errorf("groups %v, want %v", f.groups, want)
	}
	g.close()
	if err := g.submit(job("late")); !errors.Is(err, errStoreClosed) {
		t.Errorf("submit after close: %v", err)
	}
	if txs, batches, _ := g.stats(); txs != 2 || batches != 4 {
		t.Errorf("stats %d transactions, %d batches", txs, batches)
	}
}

// TestGrouperRetriesAFailedGroupOneByOne: when a group's transaction fails, each of its
// batches is tried alone: the one that fails gets the error, the others are stored.
func TestGrouperRetriesAFailedGroupOneByOne(t *testing.T) {
	f := &fakeCommits{started: make(chan []string, 10), gate: make(chan struct{}, 100), fail: map[string]bool{"bad": true}}
	g := newGrouper(f.commit)
	blocker := job("first")
	g.submit(blocker)
	<-f.started
	jobs := []*ingestJob{job("x"), job("bad"), job("y")}
	for _, j := range jobs {
		g.submit(j)
	}
	for range 10 {
		f.gate <- struct{}{}
	}
	for _, j := range append(jobs, blocker) {
		<-j.done
	}
	for _, j := range jobs {
		failed := j.err != nil
		if failed != (j.u.Device.ID == "bad") {
			t.Errorf("%s: err %v", j.u.Device.ID, j.err)
		}
	}
	want := [][]string{{"first"}, {"x", "bad", "y"}, {"x"}, {"bad"}, {"y"}}
	if !slices.EqualFunc(f.groups, want, slices.Equal) {
		t.Errorf("commits %v, want %v", f.groups, want)
	}
}
