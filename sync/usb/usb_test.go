package usb

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
	"github.com/fieldsurvey/fieldsurvey/sync/batch"
	"github.com/fieldsurvey/fieldsurvey/sync/hub"
	"github.com/fieldsurvey/fieldsurvey/sync/keys"
)

var t0 = time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)

// device is a test device: id, principal, key, counter and batch number.
type device struct {
	id, principal string
	key           ssh.Signer
	counter, seq  uint64
}

func newDevice(t *testing.T, id string, seed byte, principal string) *device {
	t.Helper()
	s, err := ssh.NewSignerFromKey(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize)))
	if err != nil {
		t.Fatal(err)
	}
	return &device{id: id, principal: principal, key: s}
}

func (d *device) line() string {
	return keys.SignerLine(d.principal, d.key.PublicKey(), batch.Namespace)
}

func (d *device) rev(t *testing.T, tg survey.Target, v any, replaces ...survey.Revision) survey.Revision {
	t.Helper()
	d.counter++
	ids := make([]string, len(replaces))
	for i, r := range replaces {
		ids[i] = r.ID
	}
	r, err := survey.NewRevision(tg, v, d.id, d.counter, t0.Add(time.Duration(d.counter)*time.Minute), d.principal, ids)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// interview is a small completed interview recorded by d; the last revision is the status.
func (d *device) interview(t *testing.T, id string) []survey.Revision {
	return []survey.Revision{
		d.rev(t, survey.Target{Interview: id, Kind: survey.KindInterview}, survey.InterviewMeta{Questionnaire: "example", QuestionnaireVersion: "1", Assessor: d.principal, Device: d.id}),
		d.rev(t, survey.Target{Interview: id, Kind: survey.KindAnswer, Key: "1.1"}, survey.Answer{Rating: "amber", Comment: "Đã có quy chế"}),
		d.rev(t, survey.Target{Interview: id, Kind: survey.KindStatus}, survey.StatusChange{Status: survey.StatusCompleted}),
	}
}

func (d *device) pack(t *testing.T, revs ...survey.Revision) *batch.Batch {
	t.Helper()
	d.seq++
	data, _, err := batch.Create(revs, batch.Options{Device: d.id, Signer: d.key, Principal: d.principal, Sequence: d.seq})
	if err != nil {
		t.Fatal(err)
	}
	b, err := batch.Read(bytes.NewReader(data), batch.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func signers(t *testing.T, devs ...*device) *keys.AllowedSigners {
	t.Helper()
	var lines []string
	for _, d := range devs {
		lines = append(lines, d.line())
	}
	as, err := keys.ParseAllowedSigners(strings.NewReader(strings.Join(lines, "\n")))
	if err != nil {
		t.Fatal(err)
	}
	return as
}

func known(q batch.QuestionnaireRef) bool {
	return q == batch.QuestionnaireRef{ID: "example", Version: "1"}
}

func openHub(t *testing.T) *hub.Hub {
	t.Helper()
	h, err := hub.Open(filepath.Join(t.TempDir(), "fieldsurvey.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

func merge(t *testing.T, p Policy, h *hub.Hub, b *batch.Batch) hub.Result {
	t.Helper()
	res, err := p.Merge(context.Background(), h, b)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// dump is every revision id of h, sorted, and its batch records: what a refusal must leave
// unchanged.
func dump(t *testing.T, h *hub.Hub) string {
	t.Helper()
	var b strings.Builder
	if err := h.Store().AllRevisions(context.Background(), func(r survey.Revision) error {
		fmt.Fprintln(&b, r.ID)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	bs, err := h.Batches(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range bs {
		fmt.Fprintln(&b, r.ID, r.Device, r.Sequence)
	}
	return b.String()
}

func record(t *testing.T, h *hub.Hub, id string) string {
	t.Helper()
	st, err := h.Store().Interview(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	line, err := st.Record().MarshalLine()
	if err != nil {
		t.Fatal(err)
	}
	return string(line)
}

func status(t *testing.T, h *hub.Hub, id string) survey.StatusChange {
	t.Helper()
	st, err := h.Store().Interview(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return st.Status
}

const (
	iv1 = "0193a5b2-7c1e-7000-8000-000000000001"
	iv2 = "0193a5b2-7c1e-7000-8000-000000000002"
)

// TestBothWays: a laptop's batch reaches the supervisor's desk, the supervisor's return
// reaches the laptop, the fix goes up, the approval comes down, and both homes end with the
// same interview. Each home holds every revision once, and neither sends the other's on.
func TestBothWays(t *testing.T) {
	an := newDevice(t, "laptop-an", 1, "an@example.org")
	lan := newDevice(t, "desk-lan", 2, "lan@example.org")
	laptop, desk := openHub(t), openHub(t)
	onLaptop := Policy{Role: survey.RoleAssessor, Device: an.id, Supervisors: signers(t, lan), Known: known}
	onDesk := Policy{Role: survey.RoleSupervisor, Device: lan.id, Devices: signers(t, an), Known: known}
	ctx := context.Background()
	by := func(d *device) store.Author { return store.Author{Device: d.id, Principal: d.principal} }

	// The laptop records (its own revisions, as batch create packs them).
	revs := an.interview(t, iv1)
	if _, err := laptop.Store().Append(ctx, revs...); err != nil {
		t.Fatal(err)
	}
	if res := merge(t, onDesk, desk, an.pack(t, revs...)); res.Rejected != nil || res.Added != 3 {
		t.Fatalf("laptop → desk: %+v", res)
	}
	// The supervisor returns it: a revision of the desk, written as `interview return` does.
	ret, err := desk.Store().Put(ctx, by(lan), survey.Change{Target: survey.Target{Interview: iv1, Kind: survey.KindStatus},
		Value: survey.StatusChange{Status: survey.StatusReturned, Reason: "1.1 thiếu bằng chứng"}})
	if err != nil {
		t.Fatal(err)
	}
	if res := merge(t, onLaptop, laptop, lan.pack(t, ret...)); res.Rejected != nil || res.Added != 1 {
		t.Fatalf("desk → laptop: %+v", res)
	}
	if s := status(t, laptop, iv1); s.Status != survey.StatusReturned || s.Reason != "1.1 thiếu bằng chứng" {
		t.Fatalf("on the laptop after the return: %+v", s)
	}
	// The assessor fixes and completes; up again; approved; down again.
	fix, err := laptop.Store().Put(ctx, by(an),
		survey.Change{Target: survey.Target{Interview: iv1, Kind: survey.KindAnswer, Key: "1.1"}, Value: survey.Answer{Rating: "amber", Comment: "Đã có quy chế", Evidence: []survey.Evidence{{Polarity: survey.Plus, Text: "Quyết định 12/QĐ"}}}},
		survey.Change{Target: survey.Target{Interview: iv1, Kind: survey.KindStatus}, Value: survey.StatusChange{Status: survey.StatusCompleted}})
	if err != nil {
		t.Fatal(err)
	}
	if res := merge(t, onDesk, desk, an.pack(t, fix...)); res.Rejected != nil || res.Added != 2 {
		t.Fatalf("fix → desk: %+v", res)
	}
	ok, err := desk.Store().Put(ctx, by(lan), survey.Change{Target: survey.Target{Interview: iv1, Kind: survey.KindStatus}, Value: survey.StatusChange{Status: survey.StatusApproved}})
	if err != nil {
		t.Fatal(err)
	}
	if res := merge(t, onLaptop, laptop, lan.pack(t, ok...)); res.Rejected != nil || res.Added != 1 {
		t.Fatalf("approval → laptop: %+v", res)
	}
	if a, b := record(t, laptop, iv1), record(t, desk, iv1); a != b || !strings.Contains(a, `"status":"approved"`) {
		t.Fatalf("the homes differ:\n%s%s", a, b)
	}
	// Merged revisions are not pending anywhere: neither home sends the other's on.
	for h, own := range map[*hub.Hub]string{laptop: an.id, desk: lan.id} {
		pending, err := h.Store().Pending(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range pending {
			if r.Device != own {
				t.Errorf("home of %s: revision %s of %s is pending", own, r.ID, r.Device)
			}
		}
	}
}

// TestRefusals: each refusal has its own reason, and adds nothing.
func TestRefusals(t *testing.T) {
	an := newDevice(t, "laptop-an", 1, "an@example.org")
	binh := newDevice(t, "laptop-binh", 3, "binh@example.org")
	lan := newDevice(t, "desk-lan", 2, "lan@example.org")
	minh := newDevice(t, "desk-minh", 4, "minh@example.org")
	laptop, desk := openHub(t), openHub(t)
	onLaptop := Policy{Role: survey.RoleAssessor, Device: an.id, Supervisors: signers(t, lan), Known: known}
	onDesk := Policy{Role: survey.RoleSupervisor, Device: lan.id, Devices: signers(t, an, binh), Supervisors: signers(t, minh), Known: known}
	revs := an.interview(t, iv1)
	if res := merge(t, onDesk, desk, an.pack(t, revs...)); res.Rejected != nil {
		t.Fatal(res.Rejected)
	}
	completed := revs[len(revs)-1]
	st := survey.Target{Interview: iv1, Kind: survey.KindStatus}
	approve := func(d *device) *batch.Batch {
		return d.pack(t, d.rev(t, st, survey.StatusChange{Status: survey.StatusApproved}, completed))
	}

	for _, c := range []struct {
		name   string
		p      Policy
		h      *hub.Hub
		b      *batch.Batch
		class  error
		reason string
		detail string
	}{
		{"the laptop's own batch", onLaptop, laptop, an.pack(t, an.rev(t, survey.Target{Interview: iv2, Kind: survey.KindAnswer, Key: "1.1"}, survey.Answer{Rating: "red"})),
			ErrOwnBatch, "this device's own batch", "was made on this device (laptop-an)"},
		{"another laptop's batch on a laptop", onLaptop, laptop, binh.pack(t, binh.interview(t, iv2)...),
			ErrNotTrusted, "not a trusted supervisor", `"binh@example.org" (key SHA256:`},
		{"a supervisor the laptop does not trust", onLaptop, laptop, approve(minh),
			batch.ErrUnknownSigner, "not a trusted supervisor", "'fieldsurvey trust add LINE'"},
		{"an assessor's approval on the desk", onDesk, desk, approve(binh),
			hub.ErrDecisionNotAllowed, "decision by an assessor's key", "only a supervisor approves"},
		{"a laptop relaying another's revision", onDesk, desk, binh.pack(t, an.rev(t, survey.Target{Interview: iv1, Kind: survey.KindAnswer, Key: "1.2"}, survey.Answer{Rating: "red"})),
			hub.ErrForeignRevision, "revision of another device", "only its own revisions are accepted"},
		{"the desk's own batch", onDesk, desk, approve(lan),
			ErrOwnBatch, "this device's own batch", "was made on this device (desk-lan)"},
		{"an unknown key on the desk", onDesk, desk, newDevice(t, "laptop-x", 9, "x@example.org").pack(t, an.rev(t, st, survey.StatusChange{Status: survey.StatusCompleted})),
			batch.ErrUnknownSigner, "unknown signer", "is not in the allowed signers file"},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := dump(t, c.h)
			res := merge(t, c.p, c.h, c.b)
			if !errors.Is(res.Rejected, c.class) {
				t.Fatalf("rejected %v, want %v", res.Rejected, c.class)
			}
			reason, detail := Explain(res.Rejected)
			if reason.Get(survey.LangEN) != c.reason || !strings.Contains(detail.Get(survey.LangEN), c.detail) {
				t.Errorf("explained as %q: %q", reason.Get(survey.LangEN), detail.Get(survey.LangEN))
			}
			if reason.Get(survey.LangVI) == "" || detail.Get(survey.LangVI) == "" {
				t.Errorf("no Vietnamese: %q %q", reason.Get(survey.LangVI), detail.Get(survey.LangVI))
			}
			if dump(t, c.h) != before {
				t.Error("a refused batch changed the home")
			}
		})
	}
	// Another supervisor decides on the desk.
	if res := merge(t, onDesk, desk, approve(minh)); res.Rejected != nil {
		t.Fatalf("the other supervisor's approval: %v", res.Rejected)
	}
}

// TestRevoked: a supervisor whose batches a laptop merged, then removed from its
// trusted_supervisors, is refused as revoked, not as a stranger.
func TestRevoked(t *testing.T) {
	an := newDevice(t, "laptop-an", 1, "an@example.org")
	lan := newDevice(t, "desk-lan", 2, "lan@example.org")
	laptop := openHub(t)
	p := Policy{Role: survey.RoleAssessor, Device: an.id, Supervisors: signers(t, lan), Known: known}
	st := survey.Target{Interview: iv1, Kind: survey.KindStatus}
	if res := merge(t, p, laptop, lan.pack(t, lan.rev(t, st, survey.StatusChange{Status: survey.StatusReturned, Reason: "thiếu"}))); res.Rejected != nil {
		t.Fatal(res.Rejected)
	}
	p.Supervisors = &keys.AllowedSigners{}
	before := dump(t, laptop)
	res := merge(t, p, laptop, lan.pack(t, lan.rev(t, st, survey.StatusChange{Status: survey.StatusApproved})))
	if !errors.Is(res.Rejected, ErrRevoked) || !errors.Is(res.Rejected, batch.ErrUnknownSigner) {
		t.Fatalf("rejected %v, want revoked", res.Rejected)
	}
	if _, d := Explain(res.Rejected); !strings.Contains(d.Get(survey.LangEN), "merged 1 batches of it before (device desk-lan") {
		t.Errorf("detail: %s", d.Get(survey.LangEN))
	}
	if dump(t, laptop) != before {
		t.Error("the revoked supervisor's batch changed the laptop")
	}
}

// TestDecisionBeforeInterview: a supervisor's decision on an interview the laptop does not
// hold is kept, listed as waiting, and takes effect when the interview arrives; the laptop
// ends equal to a laptop that took the two in the other order.
func TestDecisionBeforeInterview(t *testing.T) {
	an := newDevice(t, "laptop-an", 1, "an@example.org")
	binh := newDevice(t, "laptop-binh", 3, "binh@example.org")
	lan := newDevice(t, "desk-lan", 2, "lan@example.org")
	ctx := context.Background()
	revs := binh.interview(t, iv2)
	returned := lan.rev(t, survey.Target{Interview: iv2, Kind: survey.KindStatus}, survey.StatusChange{Status: survey.StatusReturned, Reason: "thiếu bằng chứng"}, revs[len(revs)-1])
	decision := lan.pack(t, returned)
	// A laptop takes batches of supervisors only: binh's interview reaches an's laptop
	// another way (relayed by the server when it is assigned to an: Append here).
	first, later := openHub(t), openHub(t)
	p := Policy{Role: survey.RoleAssessor, Device: an.id, Supervisors: signers(t, lan), Known: known}
	if res := merge(t, p, first, decision); res.Rejected != nil || res.Added != 1 {
		t.Fatalf("decision first: %+v", res)
	}
	waiting, err := first.Store().List(ctx, store.ListOptions{Waiting: true})
	if err != nil || len(waiting) != 1 || waiting[0].ID != iv2 {
		t.Fatalf("waiting: %+v %v", waiting, err)
	}
	if _, err := first.Store().Append(ctx, revs...); err != nil {
		t.Fatal(err)
	}
	if _, err := later.Store().Append(ctx, revs...); err != nil {
		t.Fatal(err)
	}
	if res := merge(t, p, later, decision); res.Rejected != nil || res.Added != 1 {
		t.Fatalf("decision later: %+v", res)
	}
	if a, b := record(t, first, iv2), record(t, later, iv2); a != b || !strings.Contains(a, `"status":"returned"`) {
		t.Fatalf("orders differ:\n%s%s", a, b)
	}
	if waiting, _ := first.Store().List(ctx, store.ListOptions{Waiting: true}); len(waiting) != 0 {
		t.Errorf("still waiting: %+v", waiting)
	}
}
