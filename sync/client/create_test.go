package client_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
	"github.com/fieldsurvey/fieldsurvey/sync/batch"
	"github.com/fieldsurvey/fieldsurvey/sync/client"
	"github.com/fieldsurvey/fieldsurvey/sync/keys"
)

// packHome is a device home for CreateBatch: a key, a store, the options.
type packHome struct {
	dir string
	st  *store.Store
	o   client.CreateOptions
}

const storeName = "fieldsurvey.db"

func newPackHome(t *testing.T, device string) *packHome {
	t.Helper()
	dir := t.TempDir()
	p, _, err := keys.CreateDeviceKey(dir, device+"@example.org")
	if err != nil {
		t.Fatal(err)
	}
	s, err := keys.LoadSigner(p)
	if err != nil {
		t.Fatal(err)
	}
	h := &packHome{dir: dir, o: client.CreateOptions{Home: dir, Device: device, Signer: s, Principal: device + "@example.org"}}
	h.open(t)
	return h
}

func (h *packHome) open(t *testing.T) {
	t.Helper()
	st, err := store.Open(filepath.Join(h.dir, storeName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h.st = st
}

// put records an interview with one rated answer (and comment), as the screens would.
func (h *packHome) put(t *testing.T, interview string, rating survey.Code, comment ...string) {
	t.Helper()
	tg := func(k survey.Kind, key string) survey.Target {
		return survey.Target{Interview: interview, Kind: k, Key: key}
	}
	_, err := h.st.Put(context.Background(), store.Author{Device: h.o.Device, Principal: h.o.Principal},
		survey.Change{Target: tg(survey.KindInterview, ""), Value: survey.InterviewMeta{Questionnaire: "mini", QuestionnaireVersion: "1.0"}},
		survey.Change{Target: tg(survey.KindAnswer, "1.1"), Value: survey.Answer{Rating: rating, Comment: strings.Join(comment, "")}})
	if err != nil {
		t.Fatal(err)
	}
}

func (h *packHome) create(t *testing.T) client.CreateResult {
	t.Helper()
	res, err := client.CreateBatch(context.Background(), h.st, h.o)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// crashCopy returns a copy of h as it is now (its store, key and outbox), for a run that
// stops after writing the outbox file and before recording it: make the batch in h, then
// put the file into the copy's outbox.
func (h *packHome) crashCopy(t *testing.T) *packHome {
	t.Helper()
	if err := h.st.Close(); err != nil {
		t.Fatal(err)
	}
	c := *h
	c.dir = t.TempDir()
	c.o.Home = c.dir
	if err := os.CopyFS(c.dir, os.DirFS(h.dir)); err != nil {
		t.Fatal(err)
	}
	h.open(t)
	c.open(t)
	return &c
}

func outboxFiles(t *testing.T, home string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(home, client.OutboxDir, "*"+batch.Ext))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

const (
	iv1 = "0193a5b2-7c1e-7000-8000-000000000001"
	iv2 = "0193a5b2-7c1e-7000-8000-000000000002"
	iv9 = "0193a5b2-7c1e-7000-8000-000000000009"
)

func TestCreateBatchNumbersInOrder(t *testing.T) {
	h := newPackHome(t, "laptop-1")
	h.put(t, iv1, survey.Red)
	h.put(t, iv2, survey.Green)
	res := h.create(t)
	if len(res.Made) != 1 || res.Made[0].Adopted || len(res.Staying) != 0 || len(res.Quarantined) != 0 {
		t.Fatalf("first run: %+v", res)
	}
	m := res.Made[0].Manifest
	if m.Sequence != 1 || m.Revisions != 4 || m.Interviews != 2 || m.Device != "laptop-1" ||
		res.Made[0].Path != filepath.Join(h.dir, client.OutboxDir, client.OutboxName(m)) {
		t.Fatalf("first batch %s: %+v", res.Made[0].Path, m)
	}
	if len(m.Questionnaires) != 1 || m.Questionnaires[0] != (batch.QuestionnaireRef{ID: "mini", Version: "1.0"}) {
		t.Errorf("questionnaires %v", m.Questionnaires)
	}
	// Only what is new goes into the next batch, numbered next: the changed answer (the
	// interview record is unchanged).
	h.put(t, iv1, survey.Amber)
	res = h.create(t)
	if len(res.Made) != 1 || res.Made[0].Manifest.Sequence != 2 || res.Made[0].Manifest.Revisions != 1 {
		t.Fatalf("second run: %+v", res.Made)
	}
	if p, err := h.st.Pending(context.Background()); err != nil || len(p) != 0 {
		t.Errorf("pending after create: %d %v", len(p), err)
	}
}

// Nothing pending: no file, nothing recorded, no error.
func TestCreateBatchNothingPending(t *testing.T) {
	h := newPackHome(t, "laptop-1")
	res := h.create(t)
	if len(res.Made) != 0 || len(outboxFiles(t, h.dir)) != 0 {
		t.Fatalf("empty store: %+v, outbox %v", res, outboxFiles(t, h.dir))
	}
	h.put(t, iv1, survey.Red)
	h.create(t)
	if res := h.create(t); len(res.Made) != 0 || len(outboxFiles(t, h.dir)) != 1 {
		t.Fatalf("second run: %+v, outbox %v", res, outboxFiles(t, h.dir))
	}
	if _, ok, _ := h.st.GetMeta(context.Background(), "batch.sequence"); !ok {
		t.Error("no sequence recorded")
	}
}

// A crash between writing the outbox file and recording it: the next run adopts the file
// (same number, same bytes), it does not make another batch under that number; what came
// after goes into the next number. An encrypted batch cannot be made again with the same
// bytes (age draws a new key each time): the leftover is recorded as it is.
func TestCreateBatchAdoptsTheFileOfACrash(t *testing.T) {
	for _, encrypted := range []bool{false, true} {
		t.Run(map[bool]string{false: "plain", true: "encrypted"}[encrypted], func(t *testing.T) {
			h := newPackHome(t, "laptop-1")
			if encrypted {
				id, err := age.GenerateX25519Identity()
				if err != nil {
					t.Fatal(err)
				}
				h.o.Recipients = []age.Recipient{id.Recipient()}
			}
			h.put(t, iv1, survey.Red)
			crashed := h.crashCopy(t)
			written := h.create(t).Made[0]
			if written.Manifest.Payload.Encrypted != encrypted {
				t.Fatalf("encrypted %v", written.Manifest.Payload.Encrypted)
			}
			data := readFile(t, written.Path)
			name := filepath.Base(written.Path)
			if err := os.MkdirAll(filepath.Join(crashed.dir, client.OutboxDir), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(crashed.dir, client.OutboxDir, name), data, 0o600); err != nil {
				t.Fatal(err)
			}
			// A change made after the crash, before the next run.
			crashed.put(t, iv2, survey.Green)

			res := crashed.create(t)
			if len(res.Made) != 2 || len(res.Quarantined) != 0 {
				t.Fatalf("after the crash: %+v", res)
			}
			a, b := res.Made[0], res.Made[1]
			if !a.Adopted || filepath.Base(a.Path) != name || a.Manifest.Sequence != 1 || a.Manifest.ID != written.Manifest.ID {
				t.Fatalf("the leftover was not adopted: %+v %+v", a, a.Manifest)
			}
			if !bytes.Equal(readFile(t, a.Path), data) {
				t.Error("the leftover's bytes changed")
			}
			if b.Adopted || b.Manifest.Sequence != 2 || b.Manifest.Revisions != 2 {
				t.Errorf("the new batch: %+v", b.Manifest)
			}
			if files := outboxFiles(t, crashed.dir); len(files) != 2 {
				t.Errorf("outbox %v", files)
			}
			if _, err := os.Stat(filepath.Join(crashed.dir, client.UncommittedDir)); err == nil {
				t.Error("something was moved aside")
			}
			if res := crashed.create(t); len(res.Made) != 0 {
				t.Errorf("the leftover's revisions are still pending: %+v", res.Made)
			}
		})
	}
}

// A leftover that is not the batch the run makes (another device's file, a damaged one) is
// kept aside in outbox/uncommitted, byte for byte, and its number goes to the new batch.
func TestCreateBatchQuarantinesLeftovers(t *testing.T) {
	h := newPackHome(t, "laptop-1")
	other := newPackHome(t, "laptop-2")
	other.put(t, iv9, survey.Red)
	foreign := other.create(t).Made[0]
	data := readFile(t, foreign.Path)
	outbox := filepath.Join(h.dir, client.OutboxDir)
	if err := os.MkdirAll(outbox, 0o700); err != nil {
		t.Fatal(err)
	}
	name := filepath.Base(foreign.Path)
	// A damaged file numbered 2, and a file numbered 0 (at or below the last recorded: not a
	// leftover, left alone).
	damaged := "000002-" + strings.Repeat("ab", 16) + batch.Ext
	old := "000000-" + strings.Repeat("cd", 16) + batch.Ext
	for n, d := range map[string][]byte{name: data, damaged: data[:len(data)/2], old: []byte("old")} {
		if err := os.WriteFile(filepath.Join(outbox, n), d, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	h.put(t, iv1, survey.Red)
	res := h.create(t)
	if len(res.Quarantined) != 2 || res.Quarantined[0] != name || res.Quarantined[1] != damaged {
		t.Fatalf("quarantined %v", res.Quarantined)
	}
	if got := readFile(t, filepath.Join(h.dir, client.UncommittedDir, name)); !bytes.Equal(got, data) {
		t.Error("the foreign leftover was not kept as it was")
	}
	if _, err := os.Stat(filepath.Join(h.dir, client.UncommittedDir, damaged)); err != nil {
		t.Error(err)
	}
	if string(readFile(t, filepath.Join(outbox, old))) != "old" {
		t.Error("a file below the last number was touched")
	}
	if len(res.Made) != 1 || res.Made[0].Adopted || res.Made[0].Manifest.Sequence != 1 || res.Made[0].Manifest.Device != "laptop-1" {
		t.Fatalf("made %+v", res.Made)
	}
}

// Revisions no receiver would take (an interview id that is not a UUID, made before the
// checks) stay, counted per interview; the rest travel. Only those: no file.
func TestCreateBatchLeavesWhatCannotTravel(t *testing.T) {
	h := newPackHome(t, "laptop-1")
	h.put(t, "iv-1", survey.Red)
	res := h.create(t)
	if len(res.Made) != 0 || len(outboxFiles(t, h.dir)) != 0 {
		t.Fatalf("made %+v", res.Made)
	}
	if len(res.Staying) != 1 || res.Staying[0].Interview != "iv-1" || res.Staying[0].Revisions != 2 ||
		!strings.Contains(res.Staying[0].Err.Error(), `interview id "iv-1" is not a UUID`) {
		t.Fatalf("staying %+v", res.Staying)
	}
	h.put(t, iv1, survey.Red)
	res = h.create(t)
	if len(res.Made) != 1 || res.Made[0].Manifest.Revisions != 2 || len(res.Staying) != 1 {
		t.Fatalf("second run: %+v", res)
	}
	if p, _ := h.st.Pending(context.Background()); len(p) != 2 {
		t.Errorf("%d pending, want the 2 that stay", len(p))
	}
}

// CopyOutbox copies what no earlier call copied, never overwrites another file, and after a
// failed copy copies it the next time.
func TestCopyOutbox(t *testing.T) {
	ctx := context.Background()
	h := newPackHome(t, "laptop-1")
	stick, other := t.TempDir(), t.TempDir()
	h.put(t, iv1, survey.Red)
	first := h.create(t).Made[0].Path
	if got, err := client.CopyOutbox(ctx, h.st, h.dir, stick); err != nil || len(got) != 1 || got[0] != filepath.Join(stick, filepath.Base(first)) {
		t.Fatalf("first copy: %v %v", got, err)
	}
	h.put(t, iv2, survey.Red)
	second := h.create(t).Made[0].Path
	blocker := filepath.Join(other, filepath.Base(second))
	if err := os.WriteFile(blocker, []byte("not the batch"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := client.CopyOutbox(ctx, h.st, h.dir, other)
	var ce *client.CopyError
	if !errors.As(err, &ce) || ce.From != second || ce.Dir != other || len(got) != 0 || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("copy over another file: %v %v", got, err)
	}
	if string(readFile(t, blocker)) != "not the batch" {
		t.Fatal("a file on the stick was overwritten")
	}
	os.Remove(blocker)
	if got, err := client.CopyOutbox(ctx, h.st, h.dir, other); err != nil || len(got) != 1 || got[0] != blocker {
		t.Fatalf("copy again: %v %v", got, err)
	}
	if !bytes.Equal(readFile(t, blocker), readFile(t, second)) {
		t.Error("the copy differs")
	}
	if got, err := client.CopyOutbox(ctx, h.st, h.dir, other); err != nil || len(got) != 0 {
		t.Errorf("copied again: %v %v", got, err)
	}
}

// bulky is n bytes of varied text (it compresses poorly).
func bulky(n int, seed uint32) string {
	var b strings.Builder
	for b.Len() < n {
		seed = seed*1664525 + 1013904223
		b.WriteByte("abcdefghijklmnopqrstuvwxyz0123456789 "[seed>>27])
	}
	return b.String()
}

// Pending changes larger than one batch go into several that each fit what receivers
// accept, numbered in order, keeping the revisions' order; together they hold every
// revision once, and the next batch continues the numbering.
func TestCreateBatchSplits(t *testing.T) {
	h := newPackHome(t, "laptop-1")
	h.o.Limits = batch.Limits{MaxSize: 300_000}
	for i := range 6 {
		h.put(t, fmt.Sprintf("0193a5b2-7c1e-7000-8000-%012d", i+1), survey.Red, bulky(120_000, uint32(i)))
	}
	res := h.create(t)
	if len(res.Made) < 3 {
		t.Fatalf("%d batches for 720 KB in 300 KB batches", len(res.Made))
	}
	var got []survey.Revision
	for i, made := range res.Made {
		data := readFile(t, made.Path)
		if len(data) > int(h.o.Limits.MaxSize) {
			t.Errorf("%s: %d bytes, over %d", made.Path, len(data), h.o.Limits.MaxSize)
		}
		b, err := batch.Read(bytes.NewReader(data), h.o.Limits)
		if err != nil {
			t.Fatalf("%s: %v", made.Path, err)
		}
		if b.Manifest.Sequence != uint64(i+1) || b.Manifest.ID != made.Manifest.ID {
			t.Errorf("%s: sequence %d, id %s", made.Path, b.Manifest.Sequence, b.Manifest.ID)
		}
		revs, err := b.Revisions()
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, revs...)
	}
	if len(got) != 12 {
		t.Fatalf("%d revisions in the batches, want 12", len(got))
	}
	if !slices.IsSortedFunc(got, func(a, b survey.Revision) int { return int(a.Counter) - int(b.Counter) }) {
		t.Error("the order of the revisions is not kept across batches")
	}
	if p, err := h.st.Pending(context.Background()); err != nil || len(p) != 0 {
		t.Errorf("still pending: %d %v", len(p), err)
	}
	h.put(t, iv1, survey.Green)
	if res2 := h.create(t); len(res2.Made) != 1 || res2.Made[0].Manifest.Sequence != uint64(len(res.Made)+1) {
		t.Errorf("next batch: %+v", res2.Made)
	}
}

// What a sync reports of batches made: the last one, with the revisions of all.
func TestCreateResultPacked(t *testing.T) {
	if p := (client.CreateResult{}).Packed(); p != nil {
		t.Errorf("nothing made: %+v", p)
	}
	res := client.CreateResult{Made: []client.Made{
		{Path: "a", Manifest: &batch.Manifest{ID: "1", Sequence: 4, Revisions: 3}},
		{Path: "b", Manifest: &batch.Manifest{ID: "2", Sequence: 5, Revisions: 2}},
	}}
	if p := res.Packed(); p == nil || *p != (client.Packed{Seq: 5, Batch: "2", Revisions: 5, Path: "b"}) {
		t.Errorf("got %+v", p)
	}
}
