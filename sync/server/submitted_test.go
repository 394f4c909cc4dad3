package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/sync/batch"
	"github.com/fieldsurvey/fieldsurvey/sync/hub"
	"github.com/fieldsurvey/fieldsurvey/sync/keys"
	"github.com/fieldsurvey/fieldsurvey/sync/server"
	"github.com/fieldsurvey/fieldsurvey/sync/server/servertest"
	"github.com/fieldsurvey/fieldsurvey/sync/wire"
)

// post uploads data as d and fails the test unless the server answers 200.
func post(t *testing.T, e *servertest.Env, d *servertest.Device, data []byte) wire.SignedReceipt {
	t.Helper()
	resp, body, err := servertest.Post(http.DefaultClient, e.URL, d, data)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("upload of %s: %v %v %s", d.ID, err, resp, body)
	}
	var sr wire.SignedReceipt
	if err := json.Unmarshal(body, &sr); err != nil {
		t.Fatal(err)
	}
	return sr
}

// statusOnServer returns the status heads of an interview on the server.
func statusOnServer(t *testing.T, e *servertest.Env, iv string) []survey.Revision {
	t.Helper()
	all, err := e.Holds.InterviewRevisions(context.Background(), iv)
	if err != nil {
		t.Fatal(err)
	}
	var revs []survey.Revision
	for _, r := range all {
		if r.Kind == survey.KindStatus {
			revs = append(revs, r)
		}
	}
	return survey.Heads(revs)
}

func statusOf(t *testing.T, r survey.Revision) survey.StatusChange {
	t.Helper()
	var st survey.StatusChange
	if err := json.Unmarshal(r.Value, &st); err != nil {
		t.Fatal(err)
	}
	return st
}

// TestSubmittedWhenCompletedReachesTheServer: a batch that completes an interview makes
// the server mark it submitted (a status revision of the server's own, replacing the
// completed one) in the same transaction, and the device finds it in its inbox. Drafts,
// replays and conflicting statuses are left alone; an interview completed again after a
// return is submitted again, and a submitted interview can be approved.
func TestSubmittedWhenCompletedReachesTheServer(t *testing.T) {
	servertest.ForEachStore(t, testSubmittedWhenCompletedReachesTheServer)
}

func testSubmittedWhenCompletedReachesTheServer(t *testing.T, drv servertest.Driver) {
	ctx := context.Background()
	e := servertest.StartOn(t, drv, "", nil)
	q := servertest.DGRA(t)
	a := servertest.NewDevice(t, "laptop-a", "a@example.org")
	b := servertest.NewDevice(t, "laptop-b", "b@example.org")
	e.Enroll(a)
	e.Enroll(b)
	srvDev := server.ServerDevice(e.Key.PublicKey())

	revs := a.Interview(t, q, "0193a5b2-7c1e-7000-8000-000000000001", t0, rnd())
	completed := revs[len(revs)-1]
	data, _ := a.Batch(t, revs)
	sr := post(t, e, a, data)
	heads := statusOnServer(t, e, "0193a5b2-7c1e-7000-8000-000000000001")
	if len(heads) != 1 {
		t.Fatalf("status heads %d", len(heads))
	}
	sub := heads[0]
	if st := statusOf(t, sub); st.Status != survey.StatusSubmitted || sub.Device != srvDev || sub.Author != srvDev ||
		len(sub.Replaces) != 1 || sub.Replaces[0] != completed.ID {
		t.Fatalf("status on the server: %+v by %s/%s replacing %v", st, sub.Device, sub.Author, sub.Replaces)
	}
	if e.Store != nil { // the survey store's list (SQLite)
		list, err := e.Store.Revisions().List(ctx, storeListAll())
		if err != nil || len(list) != 1 || list[0].Status != survey.StatusSubmitted {
			t.Fatalf("list %+v %v", list, err)
		}
	}
	// It waits in the device's inbox, like a supervisor's decision.
	in, werr := getInbox(t, e, inboxRequest(t, e.URL, a, 0, time.Now()))
	if werr != nil {
		t.Fatal(werr)
	}
	if len(in.Revisions) != 1 {
		t.Fatalf("inbox of a: %d revisions", len(in.Revisions))
	}
	var got survey.Revision
	if err := json.Unmarshal(in.Revisions[0], &got); err != nil || got.ID != sub.ID || got.Verify() != nil {
		t.Fatalf("inbox revision %+v %v", got, err)
	}
	// The same batch again: the same receipt, and no second "submitted".
	if again := post(t, e, a, data); !again.Replay || !bytes.Equal(again.Receipt, sr.Receipt) {
		t.Fatalf("replay: %+v", again)
	}
	if h := statusOnServer(t, e, "0193a5b2-7c1e-7000-8000-000000000001"); len(h) != 1 || h[0].ID != sub.ID {
		t.Fatalf("after the replay: %v", h)
	}

	// A draft (no status yet) stays a draft.
	draft := a.Interview(t, q, "0193a5b2-7c1e-7000-8000-0000000000d0", t0, rnd())
	draft = draft[:len(draft)-1]
	data, _ = a.Batch(t, draft)
	post(t, e, a, data)
	if h := statusOnServer(t, e, "0193a5b2-7c1e-7000-8000-0000000000d0"); len(h) != 0 {
		t.Fatalf("a draft got a status: %v", h)
	}

	// Two devices complete the same interview independently: they agree it is complete, so
	// the server marks it submitted once more, replacing both (nothing for a person to
	// settle; a status conflict of any other kind stays one).
	shared := a.Interview(t, q, "0193a5b2-7c1e-7000-8000-0000000000e2", t0, rnd())
	data, _ = a.Batch(t, shared[:len(shared)-1])
	post(t, e, a, data)
	tg := survey.Target{Interview: "0193a5b2-7c1e-7000-8000-0000000000e2", Kind: survey.KindStatus}
	ca, _ := survey.NewRevision(tg, survey.StatusChange{Status: survey.StatusCompleted}, a.ID, 900, t0.Add(time.Hour), a.Principal, nil)
	cb, _ := survey.NewRevision(tg, survey.StatusChange{Status: survey.StatusCompleted, Reason: "lần hai"}, b.ID, 1, t0.Add(time.Hour), b.Principal, nil)
	da, _ := a.Batch(t, []survey.Revision{ca})
	db, _ := b.Batch(t, []survey.Revision{cb})
	post(t, e, a, da) // one completed head: submitted
	post(t, e, b, db) // b's completed beside a's submitted: both replaced by submitted
	h := statusOnServer(t, e, "0193a5b2-7c1e-7000-8000-0000000000e2")
	if len(h) != 1 || !strings.Contains(string(h[0].Value), `"submitted"`) || !slices.Contains(h[0].Replaces, cb.ID) {
		t.Fatalf("shared interview: status heads %+v, want one submitted replacing b's completed", h)
	}

	// Returned, completed again on the device: submitted again; then approved.
	ret, err := e.St.Decide(ctx, server.Decision{Interview: "0193a5b2-7c1e-7000-8000-000000000001", Status: survey.StatusReturned, Reason: "thiếu bằng chứng", Device: srvDev, Time: t0})
	if err != nil {
		t.Fatal(err)
	}
	again, _ := survey.NewRevision(survey.Target{Interview: "0193a5b2-7c1e-7000-8000-000000000001", Kind: survey.KindStatus}, survey.StatusChange{Status: survey.StatusCompleted}, a.ID, 1000, t0.Add(2*time.Hour), a.Principal, []string{ret.ID})
	data, _ = a.Batch(t, []survey.Revision{again})
	post(t, e, a, data)
	if h := statusOnServer(t, e, "0193a5b2-7c1e-7000-8000-000000000001"); len(h) != 1 || statusOf(t, h[0]).Status != survey.StatusSubmitted {
		t.Fatalf("completed again: %v", h)
	}
	if _, err := e.St.Decide(ctx, server.Decision{Interview: "0193a5b2-7c1e-7000-8000-000000000001", Status: survey.StatusApproved, Device: srvDev, Time: t0}); err != nil {
		t.Fatalf("approve a submitted interview: %v", err)
	}
	if e.Store == nil {
	} else if err := e.Store.Revisions().Check(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestConcurrentUploadsGroupCommit: many devices upload at once, among them a batch with
// the id of a stored batch and other content, and the stored batch again. Every good batch
// is stored once with its receipt, the impostor is refused with batch_conflict and spoils
// none of the batches committed with it, the replay gets the first receipt.
func TestConcurrentUploadsGroupCommit(t *testing.T) {
	servertest.ForEachStore(t, testConcurrentUploadsGroupCommit)
}

func testConcurrentUploadsGroupCommit(t *testing.T, drv servertest.Driver) {
	e := servertest.StartOn(t, drv, "", nil)
	q := servertest.DGRA(t)
	first := servertest.NewDevice(t, "laptop-first", "f@example.org")
	e.Enroll(first)
	firstRevs := first.Interview(t, q, "0193a5b2-7c1e-7000-8000-0000000000f0", t0, rnd())
	firstData, _ := first.Batch(t, firstRevs)
	firstReceipt := post(t, e, first, firstData)
	// The same id (device, sequence 1) with other content.
	other, _, err := batch.Create(firstRevs[:len(firstRevs)-1], batch.Options{Device: first.ID, Signer: first.Signer, Principal: first.Principal, Sequence: 1})
	if err != nil {
		t.Fatal(err)
	}

	const n = 24
	devs := make([]*servertest.Device, n)
	datas := make([][]byte, n)
	for i := range devs {
		devs[i] = servertest.NewDevice(t, fmt.Sprintf("laptop-%02d", i), fmt.Sprintf("a%d@example.org", i))
		e.Enroll(devs[i])
		datas[i], _ = devs[i].Batch(t, devs[i].Interview(t, q, fmt.Sprintf("0193a5b2-7c1e-7000-8000-%012d", i), t0, rnd()))
	}
	type outcome struct {
		status int
		body   []byte
	}
	var wg sync.WaitGroup
	results := make([]outcome, n+2)
	start := make(chan struct{})
	send := func(k int, d *servertest.Device, data []byte) {
		defer wg.Done()
		<-start
		resp, body, err := servertest.Post(http.DefaultClient, e.URL, d, data)
		if err != nil {
			t.Error(err)
			return
		}
		results[k] = outcome{resp.StatusCode, body}
	}
	wg.Add(n + 2)
	for i := range devs {
		go send(i, devs[i], datas[i])
	}
	go send(n, first, other)
	go send(n+1, first, firstData)
	close(start)
	wg.Wait()
	for i := range n {
		if results[i].status != 200 {
			t.Errorf("device %d: %d %s", i, results[i].status, results[i].body)
		}
	}
	if we := decodeError(t, results[n].status, results[n].body); we.Code != wire.CodeBatchConflict {
		t.Errorf("same id, other content: %s", we.Code)
	}
	var sr wire.SignedReceipt
	if err := json.Unmarshal(results[n+1].body, &sr); err != nil || !sr.Replay || !bytes.Equal(sr.Receipt, firstReceipt.Receipt) {
		t.Errorf("replay: %d %s", results[n+1].status, results[n+1].body)
	}
	h := holdings(t, e)
	perInterview := len(firstRevs) + 1 // and the server's "submitted"
	if h.batches != n+1 || h.revisions != (n+1)*perInterview {
		t.Errorf("server holds %d revisions in %d batches, want %d in %d", h.revisions, h.batches, (n+1)*perInterview, n+1)
	}
	if e.Store == nil {
	} else if err := e.Store.Revisions().Check(context.Background()); err != nil {
		t.Error(err)
	}
	txs, batches, _ := e.St.(interface {
		GroupCommits() (int, int, time.Duration)
	}).GroupCommits()
	t.Logf("%d uploads stored in %d transactions", batches, txs)
}

// TestSubmittedInAGroupAsOneByOne: batches stored together in one group commit mark their
// interviews submitted as the same batches stored one by one do, also when a later batch
// of the group touches an interview an earlier one completed (there, the interview is
// completed again after the server marked it: two "submitted", as one by one).
func TestSubmittedInAGroupAsOneByOne(t *testing.T) {
	ctx := context.Background()
	q := servertest.DGRA(t)
	known, _ := server.BundledKnown()
	a := servertest.NewDevice(t, "laptop-a", "a@example.org")
	b := servertest.NewDevice(t, "laptop-b", "b@example.org")
	const x, y, z = "0193a5b2-7c1e-7000-8000-0000000000c1", "0193a5b2-7c1e-7000-8000-0000000000c2", "0193a5b2-7c1e-7000-8000-0000000000c3"
	ax := a.Interview(t, q, x, t0, rnd())
	az := a.Interview(t, q, z, t0, rnd())
	by := b.Interview(t, q, y, t0, rnd())
	completedX := ax[len(ax)-1]
	again := a.Revision(t, completedX.Target(), survey.StatusChange{Status: survey.StatusCompleted}, t0.Add(time.Hour), completedX.ID)
	var uploads []server.Upload
	for _, up := range []struct {
		d    *servertest.Device
		revs []survey.Revision
	}{{a, ax}, {b, by}, {a, append(az, again)}} {
		data, _ := up.d.Batch(t, up.revs)
		bt, err := batch.Read(bytes.NewReader(data), batch.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		signers, err := keys.ParseAllowedSigners(strings.NewReader(keys.SignerLine(up.d.Principal, up.d.Signer.PublicKey(), batch.Namespace)))
		if err != nil {
			t.Fatal(err)
		}
		revs, err := hub.Check(bt, hub.Options{Signers: signers, Known: known})
		if err != nil {
			t.Fatal(err)
		}
		uploads = append(uploads, server.Upload{Device: server.Device{ID: up.d.ID, Principal: up.d.Principal, Role: survey.RoleAssessor},
			Batch: bt, Revisions: revs, Server: "server-x", Time: t0})
	}
	held := func(group int) string {
		t.Helper()
		st, err := server.OpenSQLite(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		for i, d := range []*servertest.Device{a, b} {
			tok := fmt.Sprint("token-", i)
			if err := st.AddToken(ctx, server.TokenRecord{Hash: tok, Assessor: d.Principal, Created: t0, Expires: t0.Add(time.Hour)}); err != nil {
				t.Fatal(err)
			}
			if _, err := st.Enroll(ctx, tok, server.Device{ID: d.ID, Principal: d.Principal, PublicKey: d.PublicKey(), Role: survey.RoleAssessor}, t0); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := st.CommitGroups(uploads, group, func() time.Duration { return 0 }); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, iv := range []string{x, y, z} {
			all, err := st.InterviewRevisions(ctx, iv)
			if err != nil {
				t.Fatal(err)
			}
			var status []survey.Revision
			byServer := 0
			for _, r := range all {
				if r.Kind == survey.KindStatus {
					status = append(status, r)
					if r.Device == "server-x" {
						byServer++
					}
				}
			}
			heads := survey.Heads(status)
			out = append(out, fmt.Sprintf("%s: %d submitted by the server, %d heads, %s", iv[len(iv)-2:], byServer, len(heads), statusOf(t, heads[0]).Status))
		}
		return strings.Join(out, "; ")
	}
	one, all := held(1), held(len(uploads))
	if want := "c1: 2 submitted by the server, 1 heads, submitted; c2: 1 submitted by the server, 1 heads, submitted; c3: 1 submitted by the server, 1 heads, submitted"; one != want {
		t.Errorf("one by one: %s\nwant %s", one, want)
	}
	if all != one {
		t.Errorf("in one group: %s\none by one: %s", all, one)
	}
}
