package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// pendingTruth reads the pending revisions from the batch column itself (every row, no
// tail and no list): what Pending must return.
func pendingTruth(t *testing.T, s *Store) []string {
	t.Helper()
	rows, err := s.r.Query(`SELECT lower(hex(t.id)) FROM revision_rows r JOIN revision_names nd ON nd.n = r.device
		JOIN revision_targets t ON t.seq = r.seq WHERE r.batch IS NULL ORDER BY nd.name, r.counter, 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out = append(out, id)
	}
	return out
}

func pendingIDs(t *testing.T, s *Store) []string {
	t.Helper()
	p, err := s.Pending(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(p))
	for i, r := range p {
		out[i] = r.ID
	}
	return out
}

func lastCounter(t *testing.T, s *Store, device string) uint64 {
	t.Helper()
	var c uint64
	if err := s.r.QueryRow(`SELECT coalesce(max(counter), 0) FROM revision_rows WHERE device = (SELECT n FROM revision_names WHERE name = ?)`, device).Scan(&c); err != nil {
		t.Fatal(err)
	}
	return c
}

const ivPend = "0193a5b2-7c1e-7000-8000-000000000001"

// Saves by two Store handles on one file (some of them stored in a batch at once,
// PutBatched), revisions received with and without a batch, batch creations of some of the pending revisions, and saves rolled back, in random
// order: after every step Pending (and PendingOf) give exactly the revisions whose batch
// is empty, every save takes its device's next counter (whichever handle stored the last
// one), and Store.Check passes at the end.
func TestPendingTailAndCountersRandomSteps(t *testing.T) {
	ctx := context.Background()
	for seed := range uint64(4) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 6))
			s1, s2 := twoHandles(t)
			stores := []*Store{s1, s2}
			devices := []string{"dev-a", "dev-b"}
			remote := uint64(0) // the counter of dev-x, a device whose revisions arrive
			batches := 0
			for step := range 120 {
				s := stores[rng.IntN(2)]
				what := ""
				switch op := rng.IntN(10); {
				case op < 5:
					dev := devices[rng.IntN(2)]
					want := lastCounter(t, s, dev) + 1
					what = fmt.Sprintf("put by %s", dev)
					ch := answer(ivPend, fmt.Sprint(rng.IntN(8)), survey.Answer{Rating: survey.Green, Comment: fmt.Sprint(step)})
					var revs []survey.Revision
					var err error
					if op == 4 {
						what = fmt.Sprintf("put by %s in its own batch", dev)
						err = s.Update(ctx, func(tx *Tx) error {
							revs, err = tx.PutBatched(Author{Device: dev}, func(r survey.Revision) string { return "own:" + r.ID }, ch)
							return err
						})
					} else {
						revs, err = s.Put(ctx, Author{Device: dev}, ch)
					}
					if err != nil {
						t.Fatal(err)
					}
					if len(revs) == 1 && revs[0].Counter != want {
						t.Fatalf("step %d, %s: counter %d, want %d", step, what, revs[0].Counter, want)
					}
				case op == 5:
					dev := devices[rng.IntN(2)]
					what = fmt.Sprintf("put by %s rolled back", dev)
					boom := errors.New("boom")
					err := s.Update(ctx, func(tx *Tx) error {
						if _, err := tx.Put(Author{Device: dev}, answer(ivPend, "rb", survey.Answer{Rating: survey.Red, Comment: fmt.Sprint(step)})); err != nil {
							return err
						}
						return boom
					})
					if !errors.Is(err, boom) {
						t.Fatal(err)
					}
				case op < 8:
					remote++
					r, err := survey.NewRevision(tgt(ivPend, survey.KindAnswer, fmt.Sprintf("x%d", remote)), survey.Answer{Rating: survey.Amber},
						"dev-x", remote, t0.Add(time.Duration(step)*time.Minute), "binh", nil)
					if err != nil {
						t.Fatal(err)
					}
					if op == 6 {
						what = "append"
						_, err = s.Append(ctx, r)
					} else {
						what = "append batch"
						batches++
						v, verr := Verify(r)
						if verr != nil {
							t.Fatal(verr)
						}
						err = s.Update(ctx, func(tx *Tx) error {
							_, err := tx.AppendBatch(fmt.Sprintf("in-%d", batches), v)
							return err
						})
					}
					if err != nil {
						t.Fatal(err)
					}
				default:
					p := pendingIDs(t, s)
					var some []string
					for _, id := range p {
						if rng.IntN(3) > 0 {
							some = append(some, id)
						}
					}
					batches++
					what = fmt.Sprintf("mark %d of %d pending batched", len(some), len(p))
					if err := s.Update(ctx, func(tx *Tx) error { return tx.MarkBatched(fmt.Sprintf("out-%d", batches), some) }); err != nil {
						t.Fatal(err)
					}
				}
				want := pendingTruth(t, s1)
				for _, st := range stores {
					if got := pendingIDs(t, st); !slices.Equal(got, want) {
						t.Fatalf("step %d, after %s: pending %d revisions, want %d", step, what, len(got), len(want))
					}
				}
				for _, dev := range append(devices, "dev-x") {
					var n int
					if err := s1.r.QueryRow(`SELECT count(*) FROM revision_rows WHERE device = (SELECT n FROM revision_names WHERE name = ?) AND batch IS NULL`, dev).Scan(&n); err != nil {
						t.Fatal(err)
					}
					if got, err := s2.PendingOf(ctx, dev); err != nil || got != n {
						t.Fatalf("step %d, after %s: PendingOf(%s) = %d (%v), want %d", step, what, dev, got, err, n)
					}
				}
			}
			if err := s1.Check(ctx); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// A revision received with a counter its device already used is reported, whether the
// other revision is in the pending tail, listed below it, or in a batch; and a save after
// revisions of its own device arrived takes the counter after theirs.
func TestReusedCounterAmongPendingAndBatched(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	a, b := Author{Device: "dev-a"}, Author{Device: "dev-b"}
	ra, err := s.Put(ctx, a, answer(ivPend, "1", survey.Answer{Rating: survey.Green}))
	if err != nil {
		t.Fatal(err)
	}
	reused := func(counter uint64, key string) []string {
		t.Helper()
		r, err := survey.NewRevision(tgt(ivPend, survey.KindAnswer, key), survey.Answer{Rating: survey.Red}, "dev-a", counter, t0, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		res, err := s.Append(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Reused) > 0 && res.Reused[0] != r.ID {
			t.Fatalf("reused %v, want %s", res.Reused, r.ID)
		}
		return res.Reused
	}
	if got := reused(1, "tail"); len(got) != 1 {
		t.Errorf("counter 1 of a pending revision in the tail: reused %v", got)
	}
	// dev-b's revision goes in a batch, dev-a's stays pending: it is listed below the tail.
	rb, err := s.Put(ctx, b, answer(ivPend, "2", survey.Answer{Rating: survey.Green}))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx, func(tx *Tx) error { return tx.MarkBatched("out-1", []string{rb[0].ID}) }); err != nil {
		t.Fatal(err)
	}
	var listed int
	if err := s.r.QueryRow(`SELECT count(*) FROM revision_pending`).Scan(&listed); err != nil || listed != 2 {
		t.Fatalf("%d rows listed below the tail (%v), want dev-a's 2", listed, err)
	}
	if got := reused(1, "listed"); len(got) != 1 {
		t.Errorf("counter 1 of a pending revision listed below the tail: reused %v", got)
	}
	if err := s.Update(ctx, func(tx *Tx) error { return tx.MarkBatched("out-2", []string{ra[0].ID}) }); err != nil {
		t.Fatal(err)
	}
	if got := reused(1, "batched"); len(got) != 1 {
		t.Errorf("counter 1 of a revision in a batch: reused %v", got)
	}
	if got := reused(7, "new"); len(got) != 0 {
		t.Errorf("counter 7, unused: reused %v", got)
	}
	// dev-a's counter 7 arrived: its next save is 8.
	r, err := s.Put(ctx, a, answer(ivPend, "3", survey.Answer{Rating: survey.Green}))
	if err != nil {
		t.Fatal(err)
	}
	if r[0].Counter != 8 {
		t.Errorf("save after counter 7 arrived: counter %d, want 8", r[0].Counter)
	}
	if err := s.Check(ctx); err != nil {
		t.Fatal(err)
	}
}

// A 0005 store with pending revisions (its own saves, revisions received without a batch,
// some of them marked batched since) is upgraded by 0006 with the same pending revisions,
// passes Check, continues its devices' counters, and batch creation empties it.
func TestUpgradeFrom0005KeepsPending(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "survey.db")
	s, err := Open(path, WithClock(fakeClock(t0, time.Second)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(ctx, tenK(t, 30)...); err != nil { // pending: no batch
		t.Fatal(err)
	}
	a := Author{Device: "dev-a"}
	var mine []string
	for i := range 12 {
		r, err := s.Put(ctx, a, answer(ivPend, fmt.Sprint(i%5), survey.Answer{Rating: survey.Green, Comment: fmt.Sprint(i)}))
		if err != nil {
			t.Fatal(err)
		}
		mine = append(mine, r[0].ID)
	}
	if err := s.Update(ctx, func(tx *Tx) error { return tx.MarkBatched("out-1", mine[:4]) }); err != nil {
		t.Fatal(err)
	}
	s.Close()
	db := rawDB(t, path)
	rawExec(t, db, "BEGIN")
	downgrade5(t, db)
	rawExec(t, db, "COMMIT")
	var version int
	if err := db.QueryRow("SELECT max(version) FROM schema_migrations WHERE component = 'store'").Scan(&version); err != nil || version != 5 {
		t.Fatalf("downgraded to %d (%v)", version, err)
	}
	db.Close()

	s, err = Open(path, WithClock(fakeClock(t0.Add(time.Hour), time.Second)))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	want := pendingTruth(t, s)
	if len(want) != 30*14+8 {
		t.Fatalf("%d pending in the 0005 store, want %d", len(want), 30*14+8)
	}
	if got := pendingIDs(t, s); !slices.Equal(got, want) {
		t.Fatalf("pending after the upgrade: %d revisions, want %d", len(got), len(want))
	}
	if n, err := s.PendingOf(ctx, "dev-a"); err != nil || n != 8 {
		t.Errorf("PendingOf(dev-a) = %d (%v), want 8", n, err)
	}
	if err := s.Check(ctx); err != nil {
		t.Fatal(err)
	}
	r, err := s.Put(ctx, a, answer(ivPend, "9", survey.Answer{Rating: survey.Red}))
	if err != nil {
		t.Fatal(err)
	}
	if r[0].Counter != 13 {
		t.Errorf("first save after the upgrade: counter %d, want 13", r[0].Counter)
	}
	all := pendingIDs(t, s)
	if err := s.Update(ctx, func(tx *Tx) error { return tx.MarkBatched("out-2", all) }); err != nil {
		t.Fatal(err)
	}
	if got := pendingIDs(t, s); len(got) != 0 {
		t.Errorf("%d pending after marking all batched", len(got))
	}
	var listed int
	if err := s.r.QueryRow(`SELECT count(*) FROM revision_pending`).Scan(&listed); err != nil || listed != 0 {
		t.Errorf("%d rows still listed as pending (%v)", listed, err)
	}
	if err := s.Check(ctx); err != nil {
		t.Fatal(err)
	}
}

// twoHandles opens one new store file twice, as two processes would (their clocks an hour
// apart); both are closed when the test ends.
func twoHandles(t *testing.T) (s1, s2 *Store) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "survey.db")
	s1, err := Open(path, WithClock(fakeClock(t0, time.Second)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s1.Close() })
	s2, err = Open(path, WithClock(fakeClock(t0.Add(time.Hour), time.Second)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s2.Close() })
	return s1, s2
}

// PutBatched stores what Put then MarkBatched store (the batch column, the device's runs
// of counters), and moves the pending tail past its rows, so that reading the pending
// revisions does not go over them again.
func TestPutBatchedAsPutThenMarkBatched(t *testing.T) {
	ctx := context.Background()
	own := func(r survey.Revision) string { return "own:" + r.ID }
	state := func(s *Store) (rows, runs []string, low, last int64) {
		t.Helper()
		r, err := s.r.Query(`SELECT device, counter, coalesce(batch, '') FROM revisions ORDER BY device, counter`)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		for r.Next() {
			var dev, batch string
			var counter int64
			if err := r.Scan(&dev, &counter, &batch); err != nil {
				t.Fatal(err)
			}
			rows = append(rows, fmt.Sprint(dev, counter, batch != ""))
		}
		c, err := s.r.Query(`SELECT n.name, c.lo, c.hi FROM revision_counters c JOIN revision_names n ON n.n = c.device ORDER BY 1, 2`)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		for c.Next() {
			var dev string
			var lo, hi int64
			if err := c.Scan(&dev, &lo, &hi); err != nil {
				t.Fatal(err)
			}
			runs = append(runs, fmt.Sprint(dev, lo, hi))
		}
		if err := s.r.QueryRow(`SELECT low, (SELECT max(seq) FROM revision_rows) FROM revision_pending_low`).Scan(&low, &last); err != nil {
			t.Fatal(err)
		}
		return rows, runs, low, last
	}
	a, b := openTest(t), openTest(t)
	for i := range 3 {
		ch := answer(ivPend, fmt.Sprint(i), survey.Answer{Rating: survey.Green})
		// a: Put, then MarkBatched of the one just made.
		revs := mustPut(t, a, Author{Device: "srv"}, ch)
		if err := a.Update(ctx, func(tx *Tx) error { return tx.MarkBatched(own(revs[0]), []string{revs[0].ID}) }); err != nil {
			t.Fatal(err)
		}
		// b: PutBatched.
		var got []survey.Revision
		if err := b.Update(ctx, func(tx *Tx) (err error) {
			got, err = tx.PutBatched(Author{Device: "srv"}, own, ch)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Counter != revs[0].Counter {
			t.Fatalf("round %d: PutBatched made %v, Put made counter %d", i, got, revs[0].Counter)
		}
		var batch string
		if err := b.r.QueryRow(`SELECT batch FROM revisions WHERE id = ?`, got[0].ID).Scan(&batch); err != nil || batch != own(got[0]) {
			t.Fatalf("round %d: batch %q (%v), want %q", i, batch, err, own(got[0]))
		}
	}
	// One pending revision each, left as it is.
	mustPut(t, a, Author{Device: "dev-a"}, answer(ivPend, "p", survey.Answer{Rating: survey.Red}))
	mustPut(t, b, Author{Device: "dev-a"}, answer(ivPend, "p", survey.Answer{Rating: survey.Red}))
	ra, ca, _, _ := state(a)
	rb, cb, low, last := state(b)
	if !slices.Equal(ra, rb) || !slices.Equal(ca, cb) {
		t.Errorf("PutBatched stored rows %v, runs %v; Put and MarkBatched %v, %v", rb, cb, ra, ca)
	}
	if got := pendingIDs(t, b); len(got) != 1 {
		t.Errorf("pending after PutBatched: %v, want the one Put", got)
	}
	if low != last { // the tail starts at the last Put, past every PutBatched row
		t.Errorf("pending tail starts at row %d, want %d (the Put after the PutBatched ones)", low, last)
	}
	for _, s := range []*Store{a, b} {
		if err := s.Check(ctx); err != nil {
			t.Error(err)
		}
	}
}
