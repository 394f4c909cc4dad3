package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// TestVerifyChecksAndCopies: Verify refuses what Append refuses, and what it returns does
// not change when the caller changes its own revisions afterwards.
func TestVerifyChecksAndCopies(t *testing.T) {
	ctx := context.Background()
	d := &otherDevice{name: "dev-b", now: t0}
	good := d.rev(t, tgt("iv1", survey.KindAnswer, "1"), survey.Answer{Rating: survey.Green, Comment: "Có quyết định"})
	tampered := d.rev(t, tgt("iv1", survey.KindAnswer, "2"), survey.Answer{Rating: survey.Red})
	tampered.Value = []byte(`{"rating":"green"}`)
	undecodable := d.rev(t, tgt("iv1", survey.KindSection, "1"), "not a section")
	badReplace, err := survey.NewRevision(tgt("iv1", survey.KindAnswer, "4"), survey.Answer{}, "dev-b", 99, t0, "", []string{"a b"})
	if err != nil {
		t.Fatal(err)
	}
	huge, err := survey.NewRevision(tgt("iv1", survey.KindAnswer, "5"), survey.Answer{}, "dev-b", 1<<63, t0, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	badRowKey := d.rev(t, tgt("iv1", survey.KindRow, "4.K"), survey.RosterRow{Pos: 1, Cells: map[string]any{"agency": "GSO"}})
	badRow := d.rev(t, tgt("iv1", survey.KindRow, survey.RowKey("4.K", "r1")), "not a row")
	for name, bad := range map[string]survey.Revision{"tampered": tampered, "undecodable": undecodable, "bad replaces": badReplace, "counter": huge,
		"row key": badRowKey, "row value": badRow} {
		v, err := Verify(good, bad)
		if err == nil {
			t.Errorf("%s: Verify accepted it", name)
			continue
		}
		if !errors.Is(err, survey.ErrBadRevision) && !errors.Is(err, survey.ErrBadRevisionID) {
			t.Errorf("%s: error %v does not wrap the domain's sentinel", name, err)
		}
		if !strings.Contains(err.Error(), "revision 2 of 2 ("+bad.ID[:12]+")") {
			t.Errorf("%s: error %q does not say which revision", name, err)
		}
		if v.Len() != 0 {
			t.Errorf("%s: a refused Verify returned %d revisions", name, v.Len())
		}
	}

	mine := []survey.Revision{good}
	v, err := Verify(mine...)
	if err != nil {
		t.Fatal(err)
	}
	// The caller scribbles over its revision after Verify: the stored one is the verified.
	copy(mine[0].Value, bytes.Repeat([]byte(" "), len(mine[0].Value)))
	mine[0].Interview = "iv-other"
	s := openTest(t)
	err = s.Update(ctx, func(tx *Tx) error {
		res, err := tx.AppendVerified(v)
		if err == nil && res.Added != 1 {
			t.Errorf("added %d", res.Added)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	st, err := s.Interview(ctx, "iv1")
	if err != nil {
		t.Fatal(err)
	}
	if a := st.Answers["1"]; a.Rating != survey.Green || a.Comment != "Có quyết định" {
		t.Errorf("stored answer %+v", a)
	}
	if got := v.Revisions(); len(got) != 1 || got[0].Verify() != nil {
		t.Errorf("Revisions() = %+v", got)
	}
	if err := s.Check(ctx); err != nil {
		t.Error(err)
	}
	// The zero Verified is empty: nothing can be smuggled in without Verify.
	err = s.Update(ctx, func(tx *Tx) error {
		res, err := tx.AppendVerified(Verified{})
		if res.Added+res.Present != 0 {
			t.Errorf("zero Verified stored %+v", res)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestAppendBatchRecordsTheBatch: AppendBatch records the batch of the revisions it adds;
// revisions already stored keep their first batch, pending ones get this one.
func TestAppendBatchRecordsTheBatch(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	d := &otherDevice{name: "dev-b", now: t0}
	r1 := d.rev(t, tgt("iv1", survey.KindInterview, ""), survey.InterviewMeta{Questionnaire: "example", QuestionnaireVersion: "1"})
	r2 := d.rev(t, tgt("iv1", survey.KindAnswer, "1"), survey.Answer{Rating: survey.Green})
	r3 := d.rev(t, tgt("iv1", survey.KindAnswer, "1"), survey.Answer{Rating: survey.Red}, r2)
	if _, err := s.Append(ctx, r1); err != nil { // pending: no batch
		t.Fatal(err)
	}
	appendBatch := func(id string, revs ...survey.Revision) AppendResult {
		t.Helper()
		v, err := Verify(revs...)
		if err != nil {
			t.Fatal(err)
		}
		var res AppendResult
		err = s.Update(ctx, func(tx *Tx) error {
			res, err = tx.AppendBatch(id, v)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	if res := appendBatch("batch-1", r1, r2); res.Added != 1 || res.Present != 1 {
		t.Errorf("batch-1: %+v", res)
	}
	if res := appendBatch("batch-2", r2, r3); res.Added != 1 || res.Present != 1 {
		t.Errorf("batch-2: %+v", res)
	}
	want := map[string]string{r1.ID: "batch-1", r2.ID: "batch-1", r3.ID: "batch-2"}
	for id, b := range want {
		var got string
		if err := s.r.QueryRow("SELECT batch FROM revisions WHERE id = ?", id).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != b {
			t.Errorf("revision %s in batch %q, want %q", shortID(id), got, b)
		}
	}
	if p, err := s.Pending(ctx); err != nil || len(p) != 0 {
		t.Errorf("pending %d %v", len(p), err)
	}
	err := s.Update(ctx, func(tx *Tx) error { _, err := tx.AppendBatch("", Verified{}); return err })
	if err == nil {
		t.Error("AppendBatch accepted an empty batch id")
	}
	if err := s.Check(ctx); err != nil {
		t.Error(err)
	}
}

// TestGroupedAppendSameState: the same simulated revisions appended as verified chunks,
// many chunks a transaction (as the server's group commit stores batches), some
// transactions failing and their chunks appended again later, give exactly the state of
// one Append of everything.
func TestGroupedAppendSameState(t *testing.T) {
	ctx := context.Background()
	for seed := range uint64(4) {
		rng := rand.New(rand.NewPCG(seed, 0x9e0))
		revs := simulate(t, rng, 70)
		ref := openTest(t)
		if _, err := ref.Append(ctx, revs...); err != nil {
			t.Fatal(err)
		}
		s := openTest(t)
		shuffled := append([]survey.Revision(nil), revs...)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		var chunks []Verified
		for len(shuffled) > 0 {
			n := min(len(shuffled), 1+rng.IntN(12))
			v, err := Verify(shuffled[:n]...)
			if err != nil {
				t.Fatal(err)
			}
			chunks = append(chunks, v)
			shuffled = shuffled[n:]
		}
		failed := errors.New("the group's transaction failed")
		for len(chunks) > 0 {
			group := chunks[:min(len(chunks), 1+rng.IntN(5))]
			chunks = chunks[len(group):]
			fail := rng.IntN(4) == 0
			err := s.Update(ctx, func(tx *Tx) error {
				for _, v := range group {
					if _, err := tx.AppendVerified(v); err != nil {
						return err
					}
				}
				if fail {
					return failed
				}
				return nil
			})
			switch {
			case errors.Is(err, failed):
				chunks = append(chunks, group...) // again later, maybe in other groups
			case err != nil:
				t.Fatal(err)
			}
		}
		where := fmt.Sprintf("seed %d", seed)
		if err := s.Check(ctx); err != nil {
			t.Fatalf("%s: %v", where, err)
		}
		if got, want := dump(t, s), dump(t, ref); got != want {
			t.Fatalf("%s: grouped state differs from one Append:\n%s\n---\n%s", where, got, want)
		}
	}
}

// TestHeads: the heads of one target, newest first; none for a target without revisions.
func TestHeads(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	a := &otherDevice{name: "dev-a", now: t0}
	b := &otherDevice{name: "dev-b", now: t0.Add(time.Hour)}
	target := tgt("iv1", survey.KindStatus, "")
	base := a.rev(t, target, survey.StatusChange{Status: survey.StatusDraft})
	ra := a.rev(t, target, survey.StatusChange{Status: survey.StatusCompleted}, base)
	rb := b.rev(t, target, survey.StatusChange{Status: survey.StatusCompleted, Reason: "lại"}, base)
	if _, err := s.Append(ctx, base, ra, rb); err != nil {
		t.Fatal(err)
	}
	err := s.View(ctx, func(tx *Tx) error {
		hs, err := tx.Heads(target)
		if err != nil {
			return err
		}
		if len(hs) != 2 || hs[0].ID != rb.ID || hs[1].ID != ra.ID {
			t.Errorf("heads %v, want rb then ra", hs)
		}
		hs, err = tx.Heads(tgt("iv1", survey.KindAnswer, "9"))
		if err != nil || len(hs) != 0 {
			t.Errorf("heads of an empty target: %v %v", hs, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestWALCheckpointOption: WithWALCheckpoint sets the writer's checkpoint threshold; the
// default is SQLite's.
func TestWALCheckpointOption(t *testing.T) {
	for _, c := range []struct {
		opts []Option
		want int
	}{{nil, 1000}, {[]Option{WithWALCheckpoint(50000)}, 50000}} {
		s := openTest(t, c.opts...)
		got := int(writerInt(t, s, "PRAGMA wal_autocheckpoint"))
		if got != c.want {
			t.Errorf("wal_autocheckpoint %d, want %d", got, c.want)
		}
	}
}

// TestCacheSizeOption: WithCacheSize sets the writer's page cache (KiB); the default is
// 64 MiB.
func TestCacheSizeOption(t *testing.T) {
	for _, c := range []struct {
		opts []Option
		want int
	}{{nil, -(64 << 10)}, {[]Option{WithCacheSize(256 << 10)}, -(256 << 10)}} {
		s := openTest(t, c.opts...)
		got := int(writerInt(t, s, "PRAGMA cache_size"))
		if got != c.want {
			t.Errorf("cache_size %d, want %d", got, c.want)
		}
	}
}

// TestVerifyBatchRevisions: what a batch reader returned is accepted and stored exactly as
// Verify would have it; every check but the id hash is made on every revision; ids are
// recomputed often enough that revisions which were never verified are caught.
func TestVerifyBatchRevisions(t *testing.T) {
	ctx := context.Background()
	d := &otherDevice{name: "dev-b", now: t0}
	var revs []survey.Revision
	for i := range 40 {
		revs = append(revs, d.rev(t, tgt("iv1", survey.KindAnswer, fmt.Sprint(i)), survey.Answer{Rating: survey.Amber}))
	}
	v, err := VerifyBatchRevisions(revs...)
	if err != nil {
		t.Fatal(err)
	}
	full, err := Verify(revs...)
	if err != nil {
		t.Fatal(err)
	}
	a, b := openTest(t), openTest(t)
	for s, v := range map[*Store]Verified{a: v, b: full} {
		if err := s.Update(ctx, func(tx *Tx) error { _, err := tx.AppendBatch("batch-1", v); return err }); err != nil {
			t.Fatal(err)
		}
	}
	if dump(t, a) != dump(t, b) {
		t.Error("VerifyBatchRevisions and Verify store different things")
	}

	bad := func(name string, i int, change func(*survey.Revision)) {
		t.Helper()
		rs := slices.Clone(revs)
		change(&rs[i])
		if _, err := VerifyBatchRevisions(rs...); !errors.Is(err, survey.ErrBadRevision) && !errors.Is(err, survey.ErrBadRevisionID) {
			t.Errorf("%s at %d: %v", name, i, err)
		}
	}
	for _, i := range []int{0, 7, 39} {
		bad("no device", i, func(r *survey.Revision) { r.Device = "" })
		bad("unsorted replaces", i, func(r *survey.Revision) { r.Replaces = []string{revs[2].ID, revs[1].ID} })
		bad("not an id", i, func(r *survey.Revision) { r.ID = "x" })
		bad("value of another kind", i, func(r *survey.Revision) { r.Value = []byte(`"text"`) })
		bad("bad replaces", i, func(r *survey.Revision) { r.Replaces = []string{"a b"} })
	}
	// Revisions that no reader verified (every id made up): caught by the ids recomputed.
	forged := slices.Clone(revs)
	for i := range forged {
		forged[i].Value = []byte(`{"rating":"green"}`)
	}
	if _, err := VerifyBatchRevisions(forged...); !errors.Is(err, survey.ErrBadRevisionID) {
		t.Errorf("forged revisions: %v", err)
	}
	if _, err := VerifyBatchRevisions(forged[16:17]...); !errors.Is(err, survey.ErrBadRevisionID) {
		t.Errorf("one forged revision alone: %v", err)
	}
}
