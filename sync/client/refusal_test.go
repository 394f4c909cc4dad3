package client_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hiddeco/sshsig"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/sync/batch"
	"github.com/fieldsurvey/fieldsurvey/sync/client"
	"github.com/fieldsurvey/fieldsurvey/sync/keys"
	"github.com/fieldsurvey/fieldsurvey/sync/server"
	"github.com/fieldsurvey/fieldsurvey/sync/server/servertest"
	"github.com/fieldsurvey/fieldsurvey/sync/wire"
)

const (
	ivA = "0193a5b2-7c1e-7000-8000-00000000000a"
	ivB = "0193a5b2-7c1e-7000-8000-00000000000b"
)

func newRand(n uint64) *mrand.Rand { return mrand.New(mrand.NewPCG(n, n)) }

// approveOwn makes the laptop approve its own interview, as a tampered import would.
func approveOwn(t *testing.T, d *device, iv string) survey.Revision {
	t.Helper()
	revs, err := d.st.Put(context.Background(), d.author(), survey.Change{Target: survey.Target{Interview: iv, Kind: survey.KindStatus},
		Value: survey.StatusChange{Status: survey.StatusApproved}})
	if err != nil {
		t.Fatal(err)
	}
	return revs[0]
}

// TestSignedRefusalMovesTheBatchAside: a batch the server refuses for its content (an
// assessor's laptop approving its own interview) comes back with a signed refusal; the
// batch moves to outbox/refused with the refusal beside it, its revisions stay in the local
// store (not pending again), the sync succeeds and the next one too; the batches after it
// still go; the status and the batch list say it.
func TestSignedRefusalMovesTheBatchAside(t *testing.T) {
	ctx := context.Background()
	e := servertest.Start(t, "", nil)
	d := newDevice(t, "laptop-an", "an@example.org")
	d.enroll(t, e, e.URL)
	q := dgra(t)
	rnd := newRand(4)
	d.interview(t, q, ivA, rnd)
	approved := approveOwn(t, d, ivA)
	if _, err := d.pack(ctx); err != nil { // batch 1: refused
		t.Fatal(err)
	}
	d.interview(t, q, ivB, rnd) // batch 2: fine
	var events []client.Event
	o := d.opts(nil)
	o.Progress = func(ev client.Event) { events = append(events, ev) }
	res, err := client.Sync(ctx, o)
	if err != nil {
		t.Fatalf("sync with a refused batch: %v", err)
	}
	if len(res.Refused) != 1 || res.Refused[0].Seq != 1 || res.Refused[0].Code != string(wire.CodeDecisionNotAllowed) ||
		res.Refused[0].Reason != "decision by an assessor's key" || res.Refused[0].ReasonVI == "" || !strings.Contains(res.Refused[0].Message, "only a supervisor") {
		t.Fatalf("refused: %+v", res.Refused)
	}
	if len(res.Sent) != 1 || res.Sent[0].Seq != 2 || res.Waiting != 0 {
		t.Fatalf("result %+v", res)
	}
	refusedEvents := 0
	for _, ev := range events {
		if ev.Kind == client.EventRefused {
			refusedEvents++
		}
	}
	if refusedEvents != 1 {
		t.Fatalf("%d refusal events", refusedEvents)
	}
	// The batch and its signed refusal, side by side; the refusal verifies with the pinned key.
	files, _ := filepath.Glob(filepath.Join(d.home, client.RefusedDir, "000001-*"+batch.Ext))
	if len(files) != 1 || res.Refused[0].Path != files[0] {
		t.Fatalf("outbox/refused: %v (result says %s)", files, res.Refused[0].Path)
	}
	raw, err := os.ReadFile(files[0] + client.RefusalSuffix)
	if err != nil {
		t.Fatal(err)
	}
	var sr wire.SignedRefusal
	if err := json.Unmarshal(raw, &sr); err != nil {
		t.Fatal(err)
	}
	sig, _ := sshsig.Unarmor([]byte(sr.Signature))
	if err := sshsig.Verify(bytes.NewReader(sr.Refusal), sig, e.Key.PublicKey(), sshsig.HashSHA512, wire.NamespaceRefusal); err != nil {
		t.Fatalf("kept refusal: %v", err)
	}
	// The revisions stay, in the history; nothing is pending again.
	if h, err := d.st.History(ctx, survey.Target{Interview: ivA, Kind: survey.KindStatus}); err != nil || !containsID(h, approved.ID) {
		t.Fatalf("the refused approval left the local history: %v", err)
	}
	if p, _ := d.st.Pending(ctx); len(p) != 0 {
		t.Fatalf("%d revisions pending after the refusal", len(p))
	}
	// Later syncs succeed, and say nothing new.
	res, err = client.Sync(ctx, d.opts(nil))
	if err != nil || len(res.Refused) != 0 || len(res.Sent) != 0 {
		t.Fatalf("next sync: %+v %v", res, err)
	}
	st, err := client.Status(d.home)
	if err != nil || st.Refused != 1 || st.LastRefused == nil || st.LastRefused.Seq != 1 ||
		st.LastRefused.Reason.Get(survey.LangVI) != "quyết định được ký bằng khoá của người đánh giá" || st.LastError != "" || st.Waiting != 0 {
		t.Fatalf("status %+v %v", st, err)
	}
	list, err := client.Batches(d.home)
	if err != nil || len(list) != 2 {
		t.Fatalf("batches: %+v %v", list, err)
	}
	if b := list[0]; b.Seq != 1 || b.State != client.BatchRefused || b.Refusal == nil || b.Refusal.Code != string(wire.CodeDecisionNotAllowed) || b.Problem != "" {
		t.Fatalf("batch 1: %+v", b)
	}
	if b := list[1]; b.Seq != 2 || b.State != client.BatchSent || b.Received.IsZero() || b.Revisions == 0 || b.Interviews != 1 {
		t.Fatalf("batch 2: %+v", b)
	}
	// The server lists it refused, not missing.
	devs, _ := e.Store.Devices(ctx)
	if len(devs) != 1 || len(devs[0].Missing) != 0 || len(devs[0].Refused) != 1 {
		t.Fatalf("server devices: %+v", devs)
	}
}

func containsID(revs []survey.Revision, id string) bool {
	for _, r := range revs {
		if r.ID == id {
			return true
		}
	}
	return false
}

// TestForgedRefusalKeepsTheBatch: a refusal not signed by the pinned server key (something
// else answering at the server's address) is not trusted: the batch stays in the outbox
// and the sync fails saying so.
func TestForgedRefusalKeepsTheBatch(t *testing.T) {
	ctx := context.Background()
	e := servertest.Start(t, "", nil)
	d := newDevice(t, "laptop-an", "an@example.org")
	d.enroll(t, e, e.URL)
	d.interview(t, dgra(t), ivA, newRand(5))
	impostor := servertest.NewDevice(t, "x", "x")
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, _ := io.ReadAll(r.Body)
		b, err := batch.Read(bytes.NewReader(data), batch.Limits{})
		if err != nil {
			t.Errorf("fake server: %v", err)
			return
		}
		rf := wire.Refusal{Format: wire.RefusalFormat, Batch: b.Manifest.ID, Hash: b.Hash(), Device: b.Manifest.Device, Seq: b.Manifest.Sequence,
			Code: wire.CodeBadBatch, Reason: "malformed revision", ReasonVI: "x", Message: "no", MessageVI: "không", Refused: wire.FormatTime(time.Now())}
		sig, _ := sshsig.Sign(bytes.NewReader(rf.Canonical()), impostor.Signer, sshsig.HashSHA512, wire.NamespaceRefusal)
		we := wire.NewError(wire.CodeBadBatch, "")
		we.Refusal = &wire.SignedRefusal{Refusal: rf.Canonical(), Signature: string(sshsig.Armor(sig))}
		w.Header().Set("Content-Type", wire.ContentTypeJSON)
		w.WriteHeader(we.Status)
		w.Write(we.Body())
	}))
	defer fake.Close()
	o := d.opts(nil)
	o.URL = fake.URL
	res, err := client.Sync(ctx, o)
	if err == nil || !strings.Contains(err.Error(), "its refusal is not signed by the pinned server key") {
		t.Fatalf("forged refusal: %v", err)
	}
	if res.Waiting != 1 || len(res.Refused) != 0 {
		t.Fatalf("result %+v", res)
	}
	if files, _ := filepath.Glob(filepath.Join(d.home, client.RefusedDir, "*")); len(files) != 0 {
		t.Fatalf("outbox/refused after a forged refusal: %v", files)
	}
	// The real server takes it.
	if _, err := client.Sync(ctx, d.opts(nil)); err != nil {
		t.Fatal(err)
	}
	assertAllThereOnce(t, d, e, 1)
}

// TestEnrolRoles: a token of another role than the home's is refused, nothing is written
// and the token stays usable; a supervisor's enrolment records its role and scope; every
// device trusts the active supervisors (trusted_supervisors), and a revoked one drops out
// at the next sync.
func TestEnrolRoles(t *testing.T) {
	ctx := context.Background()
	e := servertest.Start(t, "", nil)
	sup := newDevice(t, "sup-binh", "binh@example.org")
	sup.role, sup.scope = survey.RoleSupervisor, []string{"Huế"}
	lap := newDevice(t, "laptop-an", "an@example.org")
	tok, _, err := server.IssueTokenFor(ctx, e.Store, e.Key, server.TokenSpec{Assessor: "Trần Thị Bình", Role: survey.RoleSupervisor, Scope: sup.scope, Lifetime: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	// The assessor's laptop with the supervisor's token: refused, nothing written.
	_, err = client.Enroll(ctx, client.EnrollOptions{Home: lap.home, URL: e.URL, Token: tok.String(), Device: lap.id, Principal: lap.principal, Signer: lap.signer})
	if !errors.Is(err, client.ErrRoleMismatch) || !errors.Is(err, &wire.Error{Code: wire.CodeRoleMismatch}) {
		t.Fatalf("assessor home, supervisor token: %v", err)
	}
	for _, f := range []string{client.EnrolmentFile, keys.TrustedSupervisorsFile} {
		if _, err := os.Stat(filepath.Join(lap.home, f)); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("%s written after a refusal: %v", f, err)
		}
	}
	// The token was not used: the supervisor's home enrols with it.
	en, err := client.Enroll(ctx, client.EnrollOptions{Home: sup.home, URL: e.URL, Token: tok.String(), Device: sup.id, Principal: sup.principal, Signer: sup.signer, Role: survey.RoleSupervisor})
	if err != nil || en.Role != survey.RoleSupervisor || len(en.Scope) != 1 || en.Scope[0] != "Huế" {
		t.Fatalf("supervisor enrolment: %+v %v", en, err)
	}
	if back, err := client.LoadEnrolment(sup.home); err != nil || back.Role != survey.RoleSupervisor {
		t.Fatalf("saved enrolment: %+v %v", back, err)
	}
	// The laptop enrols (as an assessor) and trusts the supervisor for USB batches.
	lap.enroll(t, e, e.URL)
	trusted := filepath.Join(lap.home, keys.TrustedSupervisorsFile)
	as, err := keys.LoadAllowedSignersFile(trusted)
	if err != nil || len(as.Signers) != 1 || as.Signers[0].Principals[0] != sup.principal {
		t.Fatalf("trusted supervisors after enrolment: %+v %v", as, err)
	}
	// A hand-added line stays; the revoked supervisor goes at the next sync.
	hand := keys.SignerLine("other@example.org", servertest.NewDevice(t, "o", "o").Signer.PublicKey(), batch.Namespace)
	if _, err := keys.AddSignerLine(trusted, hand); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Store.Revoke(ctx, sup.id, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := client.Sync(ctx, lap.opts(nil)); err != nil {
		t.Fatal(err)
	}
	as, err = keys.LoadAllowedSignersFile(trusted)
	if err != nil || len(as.Signers) != 1 || as.Signers[0].Principals[0] != "other@example.org" {
		t.Fatalf("trusted supervisors after the revocation: %+v %v", as, err)
	}
}

// TestOnlyCurrentDecisionsAreReported: a device catching up on an interview gets its whole
// history, old decisions included; only the decision that is the interview's status now is
// reported.
func TestOnlyCurrentDecisionsAreReported(t *testing.T) {
	ctx := context.Background()
	e := servertest.Start(t, "", nil)
	a := newDevice(t, "laptop-a", "a@example.org")
	b := newDevice(t, "laptop-b", "b@example.org")
	a.enroll(t, e, e.URL)
	b.enroll(t, e, e.URL)
	a.interview(t, dgra(t), ivA, newRand(6))
	if _, err := client.Sync(ctx, a.opts(nil)); err != nil {
		t.Fatal(err)
	}
	dev := server.ServerDevice(e.Key.PublicKey())
	if _, err := e.Store.Decide(ctx, server.Decision{Interview: ivA, Status: survey.StatusReturned, Reason: "thiếu", Device: dev, Time: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if res, err := client.Sync(ctx, a.opts(nil)); err != nil || len(res.Returned) != 1 {
		t.Fatalf("a: %+v %v", res, err)
	}
	if _, err := a.st.Put(ctx, a.author(), survey.Change{Target: survey.Target{Interview: ivA, Kind: survey.KindStatus}, Value: survey.StatusChange{Status: survey.StatusCompleted}}); err != nil {
		t.Fatal(err)
	}
	if res, err := client.Sync(ctx, a.opts(nil)); err != nil || len(res.Sent) != 1 {
		t.Fatalf("a: %+v %v", res, err)
	}
	if _, err := e.Store.Decide(ctx, server.Decision{Interview: ivA, Status: survey.StatusApproved, Device: dev, Time: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := e.Store.Follow(ctx, b.id, ivA); err != nil {
		t.Fatal(err)
	}
	res, err := client.Sync(ctx, b.opts(nil))
	if err != nil || len(res.Returned) != 0 || len(res.Approved) != 1 || res.Approved[0].By != dev {
		t.Fatalf("b catching up: %+v %v", res, err)
	}
	if iv, _ := b.st.Interview(ctx, ivA); iv.Status.Status != survey.StatusApproved {
		t.Fatalf("b: %+v", iv.Status)
	}
}
