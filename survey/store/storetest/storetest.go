// Package storetest opens throw-away survey stores for the tests of other packages.
//
// Every store it opens lives in the test's temporary folder, is a real SQLite database
// with the real schema (no fake), and is closed when the test ends.
package storetest

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/fieldsurvey/fieldsurvey/survey/store"
)

// Open opens a new, empty store in t's temporary folder, closed at the end of the test.
// Without a WithClock option its clock starts at Start and advances one second per
// call, so revision times are reproducible.
func Open(t testing.TB, opts ...store.Option) *store.Store {
	t.Helper()
	opts = append([]store.Option{store.WithClock(Clock(Start, time.Second))}, opts...)
	s, err := store.Open(filepath.Join(t.TempDir(), "survey.db"), opts...)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("storetest: close: %v", err)
		}
	})
	return s
}

// Start is the time the default test clock starts at.
var Start = time.Date(2026, 11, 22, 8, 30, 0, 0, time.UTC)

// Clock returns a clock that returns start, then start+step, start+2·step, … It is safe
// for concurrent use only through the store (which calls it inside its write lock).
func Clock(start time.Time, step time.Duration) func() time.Time {
	t := start
	return func() time.Time {
		now := t
		t = t.Add(step)
		return now
	}
}
