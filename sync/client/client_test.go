package client_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hiddeco/sshsig"
	"golang.org/x/crypto/ssh"

	"github.com/fieldsurvey/fieldsurvey/questionnaires"
	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
	"github.com/fieldsurvey/fieldsurvey/sync/batch"
	"github.com/fieldsurvey/fieldsurvey/sync/client"
	"github.com/fieldsurvey/fieldsurvey/sync/keys"
	"github.com/fieldsurvey/fieldsurvey/sync/server"
	"github.com/fieldsurvey/fieldsurvey/sync/server/faultproxy"
	"github.com/fieldsurvey/fieldsurvey/sync/server/servertest"
	"github.com/fieldsurvey/fieldsurvey/sync/wire"
)

// device is an assessor's laptop (or a supervisor's device): a home folder with a key, a
// store and an enrolment.
type device struct {
	home, id, principal string
	signer              ssh.Signer
	st                  *store.Store
	role                survey.Role  // "": assessor
	scope               []string     // a supervisor's provinces
	http                *http.Client // nil: the default
}

func newDevice(t testing.TB, id, principal string) *device {
	t.Helper()
	home := t.TempDir()
	p, _, err := keys.CreateDeviceKey(home, principal)
	if err != nil {
		t.Fatal(err)
	}
	s, err := keys.LoadSigner(p)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(filepath.Join(home, "fieldsurvey.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &device{home: home, id: id, principal: principal, signer: s, st: st}
}

func (d *device) enroll(t testing.TB, e *servertest.Env, url string) {
	t.Helper()
	tok, _, err := server.IssueTokenFor(context.Background(), e.Store, e.Key, server.TokenSpec{Assessor: d.principal, Role: d.role, Scope: d.scope, Lifetime: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.Enroll(context.Background(), client.EnrollOptions{Home: d.home, URL: url, Token: tok.String(),
		Device: d.id, Principal: d.principal, Signer: d.signer, Role: d.role}); err != nil {
		t.Fatal(err)
	}
}

// pack makes batches of the pending revisions into the outbox with CreateBatch, as `batch
// create` and `sync` do.
func (d *device) pack(ctx context.Context) (*client.Packed, error) {
	res, err := client.CreateBatch(ctx, d.st, client.CreateOptions{Home: d.home, Device: d.id, Signer: d.signer, Principal: d.principal})
	return res.Packed(), err
}

func (d *device) opts(cat client.Catalog) client.Options {
	return client.Options{Home: d.home, Store: d.st, Signer: d.signer, Pack: d.pack, Catalog: cat, HTTP: d.http,
		Retry: client.Retry{Attempts: 8, Base: 5 * time.Millisecond, Max: 50 * time.Millisecond}}
}

func (d *device) author() store.Author { return store.Author{Device: d.id, Principal: d.principal} }

// interview writes a whole DGRA interview on the device, as the screens would.
func (d *device) interview(t *testing.T, q *survey.Questionnaire, id string, rnd *mrand.Rand) {
	t.Helper()
	ctx := context.Background()
	tg := func(k survey.Kind, key string) survey.Target { return survey.Target{Interview: id, Kind: k, Key: key} }
	put := func(ch ...survey.Change) {
		if _, err := d.st.Put(ctx, d.author(), ch...); err != nil {
			t.Fatal(err)
		}
	}
	put(survey.Change{Target: tg(survey.KindInterview, ""), Value: survey.InterviewMeta{Questionnaire: q.ID, QuestionnaireVersion: q.Version, Assessor: d.principal, Device: d.id}},
		survey.Change{Target: tg(survey.KindRespondent, ""), Value: survey.Respondent{Agency: "Sở Thông tin và Truyền thông", Province: "Huế", Role: "Giám đốc", Category: "provincial-government", Date: "2026-11-20", Consent: true}},
		survey.Change{Target: tg(survey.KindStatus, ""), Value: survey.StatusChange{Status: survey.StatusDraft}})
	codes := []survey.Code{survey.Red, survey.AmberRed, survey.Amber, survey.AmberGreen, survey.Green}
	for _, qu := range q.Questions() {
		a := survey.Answer{Rating: codes[rnd.IntN(5)]}
		put(survey.Change{Target: tg(survey.KindAnswer, qu.ID), Value: a})
		a.Comment = "Có văn bản chỉ đạo; triển khai chậm."
		a.Evidence = []survey.Evidence{{Polarity: survey.Plus, Text: "Kế hoạch số 12/KH-UBND", InScope: true}}
		put(survey.Change{Target: tg(survey.KindAnswer, qu.ID), Value: a})
	}
	for _, s := range q.Sections {
		put(survey.Change{Target: tg(survey.KindSection, s.ID), Value: survey.SectionSummary{Rating: survey.Amber}})
	}
	put(survey.Change{Target: tg(survey.KindStatus, ""), Value: survey.StatusChange{Status: survey.StatusCompleted}})
}

func count(t *testing.T, st *store.Store) int {
	t.Helper()
	n := 0
	if err := st.AllRevisions(context.Background(), func(survey.Revision) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

// assertAllThereOnce checks that every revision of the device is on the server exactly once
// (revision ids are content hashes: a set), the server holds nothing else from it, every
// batch was recorded once, and the outbox is empty with a receipt for each sent batch.
func assertAllThereOnce(t *testing.T, d *device, e *servertest.Env, batches int) {
	t.Helper()
	assertAllOnce(t, d, e.Store, batches)
}

func assertAllOnce(t *testing.T, d *device, srv *server.SQLite, batches int) {
	t.Helper()
	ctx := context.Background()
	local := map[string]bool{}
	d.st.AllRevisions(ctx, func(r survey.Revision) error {
		if r.Device == d.id {
			local[r.ID] = true
		}
		return nil
	})
	remote := map[string]int{}
	srv.Revisions().AllRevisions(ctx, func(r survey.Revision) error {
		if r.Device == d.id {
			remote[r.ID]++
		}
		return nil
	})
	if len(remote) != len(local) {
		t.Fatalf("server holds %d revisions of the device, the device has %d", len(remote), len(local))
	}
	for id := range local {
		if remote[id] != 1 {
			t.Fatalf("revision %.12s is on the server %d times", id, remote[id])
		}
	}
	recs, err := srv.Hub().Batches(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != batches {
		t.Fatalf("server recorded %d batches, want %d", len(recs), batches)
	}
	st, err := client.Status(d.home)
	if err != nil {
		t.Fatal(err)
	}
	if st.Waiting != 0 {
		t.Fatalf("%d batches still in the outbox", st.Waiting)
	}
	sent, _ := filepath.Glob(filepath.Join(d.home, client.SentDir, "*"+batch.Ext))
	receipts, _ := filepath.Glob(filepath.Join(d.home, client.SentDir, "*.receipt.json"))
	if len(sent) != batches || len(receipts) != batches {
		t.Fatalf("sent/ holds %d batches and %d receipts, want %d", len(sent), len(receipts), batches)
	}
}

func dgra(t *testing.T) *survey.Questionnaire { return servertest.DGRA(t) }

func TestSyncRoundTrip(t *testing.T) {
	ctx := context.Background()
	e := servertest.Start(t, "", nil)
	d := newDevice(t, "laptop-an", "an@example.org")
	if _, err := client.Sync(ctx, d.opts(nil)); !errors.Is(err, client.ErrNotEnrolled) {
		t.Fatalf("sync before enrolment: %v", err)
	}
	d.enroll(t, e, e.URL)
	q := dgra(t)
	d.interview(t, q, "0193a5b2-7c1e-7000-8000-000000000001", mrand.New(mrand.NewPCG(1, 1)))

	res, err := client.Sync(ctx, d.opts(nil))
	if err != nil {
		t.Fatal(err)
	}
	if res.Packed == nil || len(res.Sent) != 1 || res.Sent[0].Added != res.Packed.Revisions || res.Waiting != 0 {
		t.Fatalf("first sync: %+v", res)
	}
	// The server marked the completed interview submitted; the same sync brought that down.
	if iv, err := d.st.Interview(ctx, "0193a5b2-7c1e-7000-8000-000000000001"); err != nil || iv.Status.Status != survey.StatusSubmitted || res.Downloaded != 1 {
		t.Fatalf("after the first sync: %+v %v, %d downloaded", iv.Status, err, res.Downloaded)
	}
	assertAllThereOnce(t, d, e, 1)
	// Nothing new: nothing sent.
	if res, err := client.Sync(ctx, d.opts(nil)); err != nil || res.Packed != nil || len(res.Sent) != 0 {
		t.Fatalf("idle sync: %+v %v", res, err)
	}

	// The supervisor returns the interview with a reason; the next sync reopens it.
	dev := server.ServerDevice(e.Key.PublicKey())
	reason := "Câu 7.1 thiếu bằng chứng / 7.1 lacks evidence"
	if _, err := e.Store.Decide(ctx, server.Decision{Interview: "0193a5b2-7c1e-7000-8000-000000000001", Status: survey.StatusReturned, Reason: reason, Device: dev, Time: time.Now()}); err != nil {
		t.Fatal(err)
	}
	res, err = client.Sync(ctx, d.opts(nil))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Returned) != 1 || res.Returned[0].Reason != reason || res.Returned[0].Interview != "0193a5b2-7c1e-7000-8000-000000000001" || res.Downloaded != 1 {
		t.Fatalf("returned: %+v", res)
	}
	iv, err := d.st.Interview(ctx, "0193a5b2-7c1e-7000-8000-000000000001")
	if err != nil {
		t.Fatal(err)
	}
	if iv.Status.Status != survey.StatusReturned || iv.Status.Reason != reason {
		t.Fatalf("local status %+v", iv.Status)
	}
	if p, _ := d.st.Pending(ctx); len(p) != 0 {
		t.Fatalf("the downloaded decision is pending again: %d", len(p))
	}
	// The assessor answers and completes again; the supervisor approves.
	a := iv.Answers["7.1"]
	a.Evidence = append(a.Evidence, survey.Evidence{Polarity: survey.Plus, Text: "Nghị quyết 52-NQ/TW", InScope: true})
	if _, err := d.st.Put(ctx, d.author(), survey.Change{Target: survey.Target{Interview: "0193a5b2-7c1e-7000-8000-000000000001", Kind: survey.KindAnswer, Key: "7.1"}, Value: a},
		survey.Change{Target: survey.Target{Interview: "0193a5b2-7c1e-7000-8000-000000000001", Kind: survey.KindStatus}, Value: survey.StatusChange{Status: survey.StatusCompleted}}); err != nil {
		t.Fatal(err)
	}
	if res, err = client.Sync(ctx, d.opts(nil)); err != nil || len(res.Sent) != 1 {
		t.Fatalf("resend: %+v %v", res, err)
	}
	onServer, err := e.Store.Revisions().Interview(ctx, "0193a5b2-7c1e-7000-8000-000000000001")
	if err != nil {
		t.Fatal(err)
	}
	if onServer.Status.Status != survey.StatusSubmitted || len(onServer.Answers["7.1"].Evidence) != 2 || len(onServer.Conflicts) != 0 {
		t.Fatalf("server state: %+v conflicts %d", onServer.Status, len(onServer.Conflicts))
	}
	if _, err := e.Store.Decide(ctx, server.Decision{Interview: "0193a5b2-7c1e-7000-8000-000000000001", Status: survey.StatusApproved, Device: dev, Time: time.Now()}); err != nil {
		t.Fatal(err)
	}
	// A new questionnaire version is published too.
	src, _ := questionnaires.BundledSource("dgra-2018")
	src = []byte(strings.Replace(string(src), `version: "2018.1"`, `version: "2018.2"`, 1))
	if _, err := server.Publish(ctx, e.Store, e.Key, "dgra.yaml", src); err != nil {
		t.Fatal(err)
	}
	cat, err := questionnaires.OpenCatalog(filepath.Join(d.home, "questionnaires"))
	if err != nil {
		t.Fatal(err)
	}
	res, err = client.Sync(ctx, d.opts(cat))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Approved) != 1 || len(res.Questionnaires) != 1 || res.Questionnaires[0] != "dgra-2018@2018.2" {
		t.Fatalf("approve + publish: %+v", res)
	}
	if _, err := cat.Get("dgra-2018", "2018.2"); err != nil {
		t.Fatal(err)
	}
	if iv, _ := d.st.Interview(ctx, "0193a5b2-7c1e-7000-8000-000000000001"); iv.Status.Status != survey.StatusApproved {
		t.Fatalf("local status %+v", iv.Status)
	}
	assertAllThereOnce(t, d, e, 2)
	st, err := client.Status(d.home)
	if err != nil || !st.Enrolled || st.LastSent.IsZero() || st.LastSync.IsZero() || st.LastError != "" || st.Server != e.URL {
		t.Fatalf("status %+v %v", st, err)
	}
}

func TestEnrollPinsTheTokensServer(t *testing.T) {
	a := servertest.Start(t, "", nil)
	b := servertest.Start(t, "", nil)
	d := newDevice(t, "laptop-an", "an@example.org")
	tok, _, err := server.IssueToken(context.Background(), a.Store, a.Key, "An", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	// A token of server a presented to server b: b refuses it (another key).
	_, err = client.Enroll(context.Background(), client.EnrollOptions{Home: d.home, URL: b.URL, Token: tok.String(), Device: d.id, Principal: d.principal, Signer: d.signer})
	if !errors.Is(err, &wire.Error{Code: wire.CodeTokenUnknown}) {
		t.Fatalf("token of another server: %v", err)
	}
	if _, err := client.LoadEnrolment(d.home); !errors.Is(err, client.ErrNotEnrolled) {
		t.Fatalf("enrolment saved after a refusal: %v", err)
	}
	// Something else answers at the URL (a man in the middle): with its own key, or
	// claiming a's key but unable to sign with it. The device catches both and saves nothing.
	other := servertest.NewDevice(t, "x", "x")
	for _, c := range []struct {
		name      string
		serverKey string
		want      string
	}{
		{"own key", server.AuthorizedKey(other.Signer.PublicKey()), "not the server that issued the token"},
		{"claims the token's key", server.AuthorizedKey(a.Key.PublicKey()), "not signed by the pinned server key"},
	} {
		fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := json.Marshal(wire.EnrollResponse{Protocol: 1, Device: d.id, Principal: d.principal, PublicKey: server.AuthorizedKey(d.signer.PublicKey()),
				ServerKey: c.serverKey, Fingerprint: tok.Fingerprint})
			sig, _ := sshsig.Sign(bytes.NewReader(body), other.Signer, sshsig.HashSHA512, wire.NamespaceEnroll)
			w.Header().Set(wire.SignatureHeader, base64.StdEncoding.EncodeToString(sig.Marshal()))
			w.Write(body)
		}))
		_, err = client.Enroll(context.Background(), client.EnrollOptions{Home: d.home, URL: fake.URL, Token: tok.String(), Device: d.id, Principal: d.principal, Signer: d.signer})
		fake.Close()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Fatalf("%s: %v", c.name, err)
		}
		if _, err := client.LoadEnrolment(d.home); !errors.Is(err, client.ErrNotEnrolled) {
			t.Fatalf("%s: enrolment saved", c.name)
		}
	}
	// And the real server enrols it.
	if _, err := client.Enroll(context.Background(), client.EnrollOptions{Home: d.home, URL: a.URL, Token: tok.String(), Device: d.id, Principal: d.principal, Signer: d.signer}); err != nil {
		t.Fatal(err)
	}
	if e, err := client.LoadEnrolment(d.home); err != nil || e.Fingerprint != a.Srv.Fingerprint() {
		t.Fatalf("enrolment %+v %v", e, err)
	}
}

func TestRefusalKeepsTheOutbox(t *testing.T) {
	ctx := context.Background()
	e := servertest.Start(t, "", nil)
	d := newDevice(t, "laptop-an", "an@example.org")
	d.enroll(t, e, e.URL)
	d.interview(t, dgra(t), "0193a5b2-7c1e-7000-8000-000000000001", mrand.New(mrand.NewPCG(1, 1)))
	if _, err := e.Store.Revoke(ctx, d.id, time.Now()); err != nil {
		t.Fatal(err)
	}
	res, err := client.Sync(ctx, d.opts(nil))
	if !errors.Is(err, wire.ErrDeviceRevoked) {
		t.Fatalf("revoked: %v", err)
	}
	if res.Waiting != 1 || len(res.Sent) != 0 {
		t.Fatalf("result %+v", res)
	}
	st, _ := client.Status(d.home)
	if st.Waiting != 1 || st.Offline || !strings.Contains(st.LastError, "revoked") {
		t.Fatalf("status %+v", st)
	}
}

func TestForgedReceiptKeepsTheBatch(t *testing.T) {
	ctx := context.Background()
	real := servertest.Start(t, "", nil)
	fake := servertest.Start(t, "", nil)
	d := newDevice(t, "laptop-an", "an@example.org")
	d.enroll(t, real, real.URL)
	fake.Enroll(&servertest.Device{ID: d.id, Principal: d.principal, Signer: d.signer})
	d.interview(t, dgra(t), "0193a5b2-7c1e-7000-8000-000000000001", mrand.New(mrand.NewPCG(1, 1)))
	o := d.opts(nil)
	o.URL = fake.URL // another server, with another key, answers
	_, err := client.Sync(ctx, o)
	if err == nil || !strings.Contains(err.Error(), "not signed by the pinned server key") {
		t.Fatalf("forged receipt: %v", err)
	}
	if st, _ := client.Status(d.home); st.Waiting != 1 {
		t.Fatalf("the batch left the outbox on a forged receipt: %+v", st)
	}
	// The real server then gets it.
	if _, err := client.Sync(ctx, d.opts(nil)); err != nil {
		t.Fatal(err)
	}
	assertAllThereOnce(t, d, real, 1)
}

// TestFaults sends batches through a proxy that cuts connections mid-request and
// mid-response, delays them and answers 5xx, while the server is killed and restarted in
// the middle: afterwards every revision is on the server exactly once and the outbox is
// empty.
func TestFaults(t *testing.T) {
	ctx := context.Background()
	e := servertest.Start(t, "", nil)
	plan := []faultproxy.Fault{
		{Kind: faultproxy.CutRequest, Bytes: 300},
		{Kind: faultproxy.Status, Status: 503},
		{Kind: faultproxy.CutResponse, Bytes: 20},
		{Kind: faultproxy.Delay, Delay: 30 * time.Millisecond},
		{Kind: faultproxy.Status, Status: 502},
		{Kind: faultproxy.CutRequest, Bytes: 5000},
		{Kind: faultproxy.Refuse},
		{Kind: faultproxy.CutResponse, Bytes: 200},
		{Kind: faultproxy.Pass},
	}
	rnd := mrand.New(mrand.NewPCG(7, 7))
	var mu sync.Mutex
	p, err := faultproxy.New(e.Addr, func(n int) faultproxy.Fault {
		mu.Lock()
		defer mu.Unlock()
		if n < len(plan) {
			return plan[n]
		}
		return plan[rnd.IntN(len(plan))]
	})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	d := newDevice(t, "laptop-an", "an@example.org")
	d.enroll(t, e, e.URL)
	q := dgra(t)
	const batches = 5
	for i := range batches {
		d.interview(t, q, fmt.Sprintf("0193a5b2-7c1e-7000-8000-%012d", i), rnd)
		if _, err := d.pack(ctx); err != nil {
			t.Fatal(err)
		}
	}
	o := d.opts(nil)
	o.URL = p.URL()
	o.HTTP = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}
	o.Retry = client.Retry{Attempts: 3, Base: time.Millisecond, Max: 5 * time.Millisecond}
	// Restart the server while batches are going up.
	var retries int
	restarted := false
	o.Progress = func(ev client.Event) {
		if ev.Kind == client.EventRetry {
			retries++
		}
		if ev.Kind == client.EventSent && ev.N == 2 && !restarted {
			restarted = true
			e.Restart()
		}
	}
	var lastErr error
	for run := 0; run < 20; run++ {
		_, lastErr = client.Sync(ctx, o)
		if lastErr == nil {
			break
		}
	}
	if lastErr != nil {
		t.Fatalf("sync never succeeded: %v", lastErr)
	}
	if !restarted || retries == 0 {
		t.Fatalf("the faults did not happen: restarted=%v retries=%d", restarted, retries)
	}
	c := p.Counts()
	for _, k := range []faultproxy.Kind{faultproxy.CutRequest, faultproxy.CutResponse, faultproxy.Status, faultproxy.Delay} {
		if c[k] == 0 {
			t.Errorf("no connection got %s", k)
		}
	}
	t.Logf("connections by fault: %v, retries %d", c, retries)
	assertAllThereOnce(t, d, e, batches)
}

// TestInterrupted cancels syncs at random moments; a last sync then completes, and every
// revision is on the server exactly once.
func TestInterrupted(t *testing.T) {
	e := servertest.Start(t, "", nil)
	d := newDevice(t, "laptop-an", "an@example.org")
	d.enroll(t, e, e.URL)
	q := dgra(t)
	rnd := mrand.New(mrand.NewPCG(3, 3))
	const batches = 4
	for i := range batches {
		d.interview(t, q, fmt.Sprintf("0193a5b2-7c1e-7000-8000-%012d", i), rnd)
		if _, err := d.pack(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 8; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), time.Duration(1+rnd.IntN(15))*time.Millisecond)
		client.Sync(ctx, d.opts(nil))
		cancel()
	}
	if _, err := client.Sync(context.Background(), d.opts(nil)); err != nil {
		t.Fatal(err)
	}
	assertAllThereOnce(t, d, e, batches)
}

func TestBackground(t *testing.T) {
	e := servertest.Start(t, "", nil)
	d := newDevice(t, "laptop-an", "an@example.org")
	d.enroll(t, e, e.URL)
	q := dgra(t)
	rnd := mrand.New(mrand.NewPCG(5, 5))
	now := time.Now()
	gate := make(chan struct{})
	var gated bool
	bg := &client.Background{Home: d.home, Interval: time.Hour, Now: func() time.Time { return now },
		Prepare: func(ctx context.Context) (client.Options, func(), error) {
			if gated {
				<-gate
			}
			return d.opts(nil), func() {}, nil
		}}
	d.interview(t, q, "0193a5b2-7c1e-7000-8000-000000000001", rnd)
	st, err := bg.Tick(context.Background()) // never synced: due
	if err != nil || st.Waiting != 0 || st.LastSent.IsZero() || len(st.Last.Sent) != 1 || st.Sending {
		t.Fatalf("first tick: %+v %v", st, err)
	}
	d.interview(t, q, "0193a5b2-7c1e-7000-8000-000000000002", rnd)
	if st, _ := bg.Tick(context.Background()); len(st.Last.Sent) != 1 || st.Last.Sent[0].Seq != 1 {
		t.Fatalf("a tick before the interval synced: %+v", st.Last)
	}
	now = now.Add(2 * time.Hour)
	if st, _ := bg.Tick(context.Background()); len(st.Last.Sent) != 1 || st.Last.Sent[0].Seq != 2 {
		t.Fatalf("a tick after the interval did not sync: %+v", st.Last)
	}
	assertAllThereOnce(t, d, e, 2)
	// One sync at a time.
	gated = true
	done := make(chan error, 1)
	go func() { _, err := bg.Run(context.Background()); done <- err }()
	for {
		if s, _ := bg.State(); s.Sending {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if _, err := bg.Run(context.Background()); !errors.Is(err, client.ErrBusy) {
		t.Fatalf("second run: %v", err)
	}
	close(gate)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestInboxPages brings down an inbox longer than one page: every decision and
// questionnaire arrives, in order, over several requests.
func TestInboxPages(t *testing.T) {
	ctx := context.Background()
	e := servertest.Start(t, "", func(c *server.Config) { c.InboxLimit = 2 })
	d := newDevice(t, "laptop-an", "an@example.org")
	d.enroll(t, e, e.URL)
	q := dgra(t)
	rnd := mrand.New(mrand.NewPCG(9, 9))
	for i := range 3 {
		d.interview(t, q, fmt.Sprintf("0193a5b2-7c1e-7000-8000-%012d", i), rnd)
	}
	if _, err := client.Sync(ctx, d.opts(nil)); err != nil {
		t.Fatal(err)
	}
	dev := server.ServerDevice(e.Key.PublicKey())
	for i := range 3 {
		if _, err := e.Store.Decide(ctx, server.Decision{Interview: fmt.Sprintf("0193a5b2-7c1e-7000-8000-%012d", i), Status: survey.StatusReturned,
			Reason: fmt.Sprintf("lý do %d", i), Device: dev, Time: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	src, _ := questionnaires.BundledSource("dgra-2018")
	for _, v := range []string{"2018.2", "2018.3"} {
		if _, err := server.Publish(ctx, e.Store, e.Key, "dgra.yaml", []byte(strings.Replace(string(src), `version: "2018.1"`, `version: "`+v+`"`, 1))); err != nil {
			t.Fatal(err)
		}
	}
	cat, err := questionnaires.OpenCatalog(filepath.Join(d.home, "questionnaires"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := client.Sync(ctx, d.opts(cat))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Returned) != 3 || len(res.Questionnaires) != 2 || res.Returned[2].Reason != "lý do 2" {
		t.Fatalf("paged inbox: %+v", res)
	}
	for i := range 3 {
		iv, err := d.st.Interview(ctx, fmt.Sprintf("0193a5b2-7c1e-7000-8000-%012d", i))
		if err != nil || iv.Status.Status != survey.StatusReturned {
			t.Fatalf("interview %d: %+v %v", i, iv.Status, err)
		}
	}
	// Nothing comes twice.
	if res, err := client.Sync(ctx, d.opts(cat)); err != nil || res.Downloaded != 0 || len(res.Questionnaires) != 0 {
		t.Fatalf("second sync: %+v %v", res, err)
	}
}

// TestRefusedBatchDoesNotBlockOthers: a batch the server refuses for its content (a
// questionnaire version the server does not know) stays in the outbox with its reason,
// and the batches after it still go.
func TestRefusedBatchDoesNotBlockOthers(t *testing.T) {
	ctx := context.Background()
	e := servertest.Start(t, "", nil)
	d := newDevice(t, "laptop-an", "an@example.org")
	d.enroll(t, e, e.URL)
	q := *dgra(t)
	q.Version = "local-draft"
	rnd := mrand.New(mrand.NewPCG(2, 2))
	d.interview(t, &q, "0193a5b2-7c1e-7000-8000-0000000000e3", rnd)
	if _, err := d.pack(ctx); err != nil {
		t.Fatal(err)
	}
	d.interview(t, dgra(t), "0193a5b2-7c1e-7000-8000-0000000000c0", rnd)
	res, err := client.Sync(ctx, d.opts(nil))
	if !errors.Is(err, &wire.Error{Code: wire.CodeUnknownQuestionnaire}) {
		t.Fatalf("sync: %v", err)
	}
	if len(res.Sent) != 1 || res.Sent[0].Seq != 2 || res.Waiting != 1 || len(res.Warnings) != 0 {
		t.Fatalf("result %+v", res)
	}
	devs, _ := e.Store.Devices(ctx)
	if len(devs) != 1 || len(devs[0].Missing) != 1 || devs[0].Missing[0].From != 1 {
		t.Fatalf("devices: %+v", devs)
	}
}
