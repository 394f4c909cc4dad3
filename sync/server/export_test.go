package server

import (
	"time"

	"github.com/fieldsurvey/fieldsurvey/survey/store"
)

// SetCPUSlots lets a test check more uploads at once than the processors (several server
// nodes in one test process would otherwise share one slot and never write at the same
// time); it returns the function that restores the old bound. Only while no upload runs.
func SetCPUSlots(n int) (restore func()) {
	old := cpuSlots
	cpuSlots = make(chan struct{}, n)
	return func() { cpuSlots = old }
}

// Folded is how many interviews r's lists folded because interview_summaries lacked their
// summary or progress (or held them for fewer revisions).
func (r *PostgresReader) Folded() int64 { return r.folded.Load() }

// CommitGroups stores uploads as the group commit does (commitGroup), n batches a
// transaction in the order given, after making the store's checks of every upload (not
// measured), and returns what measure (a clock: wall or CPU time) says the commits took.
// It runs on the calling goroutine, so that a per-thread clock sees the one writer.
func (s *SQLite) CommitGroups(uploads []Upload, n int, measure func() time.Duration) (time.Duration, error) {
	jobs := make([]*ingestJob, len(uploads))
	for i, u := range uploads {
		revs, err := store.VerifyBatchRevisions(u.Revisions...)
		if err != nil {
			return 0, err
		}
		jobs[i] = &ingestJob{u: u, revs: revs, done: make(chan struct{})}
	}
	t0 := measure()
	for len(jobs) > 0 {
		k := min(n, len(jobs))
		if err := s.commitGroup(jobs[:k]); err != nil {
			return 0, err
		}
		for _, j := range jobs[:k] {
			if j.err != nil {
				return 0, j.err
			}
		}
		jobs = jobs[k:]
	}
	return measure() - t0, nil
}
