package store

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// Two stores on one file (as the TUI and a command in another process) and several
// goroutines each put concurrently as one device: no "database is locked", no counter
// used twice, nothing lost.
func TestConcurrentWritersShareOneCounter(t *testing.T) {
	ctx := context.Background()
	s1 := openTest(t)
	s2, err := Open(s1.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	by := Author{Device: "dev-a"}
	const perWriter = 15
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 6 {
		s := s1
		if w%2 == 1 {
			s = s2
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWriter {
				if _, err := s.Put(ctx, by, answer("iv", fmt.Sprintf("w%d-%d", w, i), survey.Answer{Rating: survey.Green})); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	revs, err := s1.Revisions(ctx, "iv")
	if err != nil {
		t.Fatal(err)
	}
	if len(revs) != 6*perWriter {
		t.Fatalf("%d revisions, want %d", len(revs), 6*perWriter)
	}
	for i, r := range revs { // ordered by (device, counter)
		if r.Counter != uint64(i+1) {
			t.Fatalf("counters are not 1..%d without gaps or repeats: position %d has %d", len(revs), i, r.Counter)
		}
	}
	if err := s1.Check(ctx); err != nil {
		t.Fatal(err)
	}
}

// A View sees one snapshot even while a writer commits.
func TestViewIsASnapshot(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	by := Author{Device: "dev-a"}
	newInterview(t, s, by, "iv1", "Sở Y tế", "Huế")
	err := s.View(ctx, func(tx *Tx) error {
		before, err := tx.Interview("iv1")
		if err != nil {
			return err
		}
		done := make(chan error)
		go func() {
			_, err := s.Put(ctx, by, answer("iv1", "1.1", survey.Answer{Rating: survey.Green}))
			done <- err
		}()
		if err := <-done; err != nil {
			return err
		}
		after, err := tx.Interview("iv1")
		if err != nil {
			return err
		}
		if after.Answers["1.1"].Rating != before.Answers["1.1"].Rating {
			t.Errorf("a commit during View changed what View reads")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	st, err := s.Interview(ctx, "iv1")
	if err != nil {
		t.Fatal(err)
	}
	if st.Answers["1.1"].Rating != survey.Green {
		t.Errorf("the commit is not visible after View")
	}
}
