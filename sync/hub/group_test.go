package hub

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/fieldsurvey/fieldsurvey/sync/batch"
)

// Merge stores a group of batches in one transaction: what it stores and reports is what
// merging them one by one (MergeOne) in the same order gives, rejections, replays and
// sequence numbers reused inside the group included.
func TestMergeGroupEqualsOneByOne(t *testing.T) {
	a := newDevice("dev-a", 1, "a@example.org")
	b := newDevice("dev-b", 2, "b@example.org")
	stranger := newDevice("dev-x", 3, "x@example.org")
	opts := Options{Signers: allowedFor(t, a, b), Known: knownExample}
	a1 := a.pack(t, a.interview(t, "0193a5b2-7c1e-7000-8000-000000000001", 3, 0))
	b1 := b.pack(t, b.interview(t, "0193a5b2-7c1e-7000-8000-000000000002", 2, 1))
	a2 := a.pack(t, a.interview(t, "0193a5b2-7c1e-7000-8000-000000000003", 2, 2))
	x1 := stranger.pack(t, stranger.interview(t, "0193a5b2-7c1e-7000-8000-000000000004", 1, 3))
	reused := a.packAs(t, 2, a.interview(t, "0193a5b2-7c1e-7000-8000-000000000005", 1, 4))
	files := [][]byte{a1, b1, a2, x1, a1, reused, b1}
	read := func() []*batch.Batch {
		out := make([]*batch.Batch, len(files))
		for i, data := range files {
			var err error
			if out[i], err = batch.Read(bytes.NewReader(data), batch.Limits{}); err != nil {
				t.Fatal(err)
			}
		}
		return out
	}
	ctx := context.Background()
	one := openTemp(t)
	var want []Result
	for _, bt := range read() {
		res, err := one.MergeOne(ctx, bt, opts)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, res)
	}
	grouped := openTemp(t)
	got, err := grouped.Merge(ctx, read(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d results for %d batches", len(got), len(want))
	}
	for i := range want {
		w, g := want[i], got[i]
		if (w.Rejected == nil) != (g.Rejected == nil) || w.Added != g.Added || w.Present != g.Present || w.Replay != g.Replay || w.ID != g.ID {
			t.Errorf("batch %d: grouped %+v, one by one %+v", i+1, g, w)
		}
	}
	if !errors.Is(got[3].Rejected, batch.ErrUnknownSigner) || !errors.Is(got[5].Rejected, ErrSequenceReused) || !got[4].Replay || got[0].Added == 0 {
		t.Errorf("results: %+v", got)
	}
	if s1, s2 := snapshot(t, one), snapshot(t, grouped); s1 != s2 {
		t.Errorf("grouped merge holds\n%s\none by one\n%s", s2, s1)
	}
	if err := grouped.Store().Check(ctx); err != nil {
		t.Fatal(err)
	}
	// A failure of the hub itself (here a cancelled context) merges none of the group.
	empty := openTemp(t)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := empty.Merge(cctx, read(), opts); err == nil {
		t.Fatal("a cancelled merge succeeded")
	}
	if s := snapshot(t, empty); s != "" {
		t.Errorf("a failed group left\n%s", s)
	}
}
