package hub

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/sync/batch"
	"github.com/fieldsurvey/fieldsurvey/sync/keys"
)

var testNow = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

// seedSigner returns a reproducible Ed25519 signer (seed 1 is the key of the hostile
// fixtures of package batch).
func seedSigner(seed byte) ssh.Signer {
	s, err := ssh.NewSignerFromKey(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize)))
	if err != nil {
		panic(err)
	}
	return s
}

// device is a test device: its id, key and principal, and the next counter it uses.
type device struct {
	id, principal string
	key           ssh.Signer
	counter       uint64
	seq           uint64
}

func newDevice(id string, seed byte, principal string) *device {
	return &device{id: id, principal: principal, key: seedSigner(seed)}
}

// rev makes one revision of dev at minute min after testNow.
func (d *device) rev(t testing.TB, tg survey.Target, v any, min int, replaces ...string) survey.Revision {
	t.Helper()
	d.counter++
	r, err := survey.NewRevision(tg, v, d.id, d.counter, testNow.Add(time.Duration(min)*time.Minute), d.principal, replaces)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// interview makes the revisions of one complete interview: created, respondent, answers
// rated, completed.
func (d *device) interview(t testing.TB, id string, answers int, min int) []survey.Revision {
	codes := []survey.Code{"red", "amber-red", "amber", "amber-green", "green"}
	out := []survey.Revision{
		d.rev(t, survey.Target{Interview: id, Kind: survey.KindInterview},
			survey.InterviewMeta{Questionnaire: "example", QuestionnaireVersion: "1", Assessor: d.principal, Device: d.id}, min),
		d.rev(t, survey.Target{Interview: id, Kind: survey.KindRespondent},
			survey.Respondent{Agency: "Sở Tài chính", Province: "Huế", Role: "Phó giám đốc", Category: "government", Date: "2026-11-21", Consent: true}, min),
	}
	for a := range answers {
		out = append(out, d.rev(t, survey.Target{Interview: id, Kind: survey.KindAnswer, Key: fmt.Sprintf("%d.1", a+1)},
			survey.Answer{Rating: codes[(len(id)+a)%len(codes)], Comment: "Đã có quy chế"}, min+1))
	}
	out = append(out, d.rev(t, survey.Target{Interview: id, Kind: survey.KindStatus}, survey.StatusChange{Status: survey.StatusCompleted}, min+2))
	return out
}

// pack makes dev's next batch of revs.
func (d *device) pack(t testing.TB, revs []survey.Revision, recipients ...string) []byte {
	t.Helper()
	d.seq++
	return d.packAs(t, d.seq, revs, recipients...)
}

func (d *device) packAs(t testing.TB, seq uint64, revs []survey.Revision, recipients ...string) []byte {
	t.Helper()
	recs, err := keys.ParseRecipients(recipients)
	if err != nil {
		t.Fatal(err)
	}
	data, _, err := batch.Create(revs, batch.Options{Device: d.id, Signer: d.key, Principal: d.principal, Sequence: seq, Recipients: recs})
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func allowedFor(t testing.TB, devs ...*device) *keys.AllowedSigners {
	t.Helper()
	var lines []string
	for _, d := range devs {
		lines = append(lines, keys.SignerLine(d.principal, d.key.PublicKey(), batch.Namespace))
	}
	as, err := keys.ParseAllowedSigners(strings.NewReader(strings.Join(lines, "\n")))
	if err != nil {
		t.Fatal(err)
	}
	return as
}

func knownExample(q batch.QuestionnaireRef) bool {
	return q == batch.QuestionnaireRef{ID: "example", Version: "1"}
}

func openTemp(t testing.TB) *Hub {
	t.Helper()
	h, err := openWithNow(filepath.Join(t.TempDir(), "hub.db"), func() time.Time { return testNow })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

// mergeBytes reads and merges one batch file's bytes; a read failure is a rejection.
func mergeBytes(t testing.TB, h *Hub, data []byte, opts Options) Result {
	t.Helper()
	b, err := batch.Read(bytes.NewReader(data), batch.Limits{})
	if err != nil {
		return Result{Rejected: err}
	}
	res, err := h.MergeOne(context.Background(), b, opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// snapshot is everything a hub holds, in a comparable form: every revision (with the
// batch that brought it), the batch records and the devices.
func snapshot(t testing.TB, h *Hub) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	err := h.st.AllRevisions(ctx, func(r survey.Revision) error {
		fmt.Fprintf(&b, "rev %s\n", r.ID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	bs, err := h.Batches(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range bs {
		fmt.Fprintf(&b, "batch %+v\n", r)
	}
	devs, err := h.Devices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range devs {
		fmt.Fprintf(&b, "device %+v\n", d)
	}
	return b.String()
}

// state is the merged data as a report sees it: every interview's record and conflicts.
func state(t testing.TB, h *Hub) string {
	t.Helper()
	ctx := context.Background()
	var revs []survey.Revision
	if err := h.st.AllRevisions(ctx, func(r survey.Revision) error { revs = append(revs, r); return nil }); err != nil {
		t.Fatal(err)
	}
	states, err := survey.Fold(revs)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for id := range states {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var b strings.Builder
	for _, id := range ids {
		// The store's own view of the interview must agree with the fold.
		st, err := h.st.Interview(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		line, err := st.Record().MarshalLine()
		if err != nil {
			t.Fatal(err)
		}
		folded, _ := states[id].Record().MarshalLine()
		if !bytes.Equal(line, folded) {
			t.Fatalf("store and fold disagree on %s:\n%s%s", id, line, folded)
		}
		b.Write(line)
		for _, c := range st.Conflicts {
			fmt.Fprintf(&b, "conflict %s:", c.Target)
			for _, hd := range c.Heads {
				fmt.Fprintf(&b, " %s", hd.ID)
			}
			b.WriteString("\n")
		}
	}
	cs, err := h.st.Conflicts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "%d conflicts\n", len(cs))
	return b.String()
}
