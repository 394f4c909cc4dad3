package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/sync/batch"
	"github.com/fieldsurvey/fieldsurvey/sync/server"
	"github.com/fieldsurvey/fieldsurvey/sync/server/servertest"
	"github.com/fieldsurvey/fieldsurvey/sync/wire"
)

// twoNodes starts two servers on one PostgreSQL database with the same key (the same data
// folder: the key file is all they share beside the database).
func twoNodes(t *testing.T) (*servertest.Env, *servertest.Env) {
	drv := servertest.Postgres(t)
	dir := t.TempDir()
	return servertest.StartOn(t, drv, dir, nil), servertest.StartOn(t, drv, dir, nil)
}

// TestTwoNodesSameBatchAtOnce: the same batch sent to two nodes at the same moment, many
// times over, is stored once, and every answer is the same signed receipt, byte for byte.
func TestTwoNodesSameBatchAtOnce(t *testing.T) {
	a, b := twoNodes(t)
	q := servertest.DGRA(t)
	const n = 12
	devs := make([]*servertest.Device, n)
	datas := make([][]byte, n)
	for i := range devs {
		devs[i] = servertest.NewDevice(t, fmt.Sprintf("laptop-%02d", i), fmt.Sprintf("a%d@example.org", i))
		a.Enroll(devs[i])
		datas[i], _ = devs[i].Batch(t, devs[i].Interview(t, q, fmt.Sprintf("0193a5b2-7c1e-7000-8000-%012d", i), t0, rnd()))
	}
	type answer struct {
		status int
		body   []byte
	}
	answers := make([][2]answer, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range devs {
		for k, e := range []*servertest.Env{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				resp, body, err := servertest.Post(http.DefaultClient, e.URL, devs[i], datas[i])
				if err != nil {
					t.Error(err)
					return
				}
				answers[i][k] = answer{resp.StatusCode, body}
			}()
		}
	}
	close(start)
	wg.Wait()
	for i, ans := range answers {
		// One node may answer that the device already has an upload in flight (409,
		// retry later) when both requests hold the same device at the same time on one
		// node; across nodes both must succeed.
		if ans[0].status != 200 || ans[1].status != 200 {
			t.Fatalf("device %d: node a %d %s, node b %d %s", i, ans[0].status, ans[0].body, ans[1].status, ans[1].body)
		}
		var ra, rb wire.SignedReceipt
		if err := json.Unmarshal(ans[0].body, &ra); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(ans[1].body, &rb); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(ra.Receipt, rb.Receipt) || ra.Signature != rb.Signature {
			t.Errorf("device %d: the two nodes signed different receipts:\n%s\n%s", i, ra.Receipt, rb.Receipt)
		}
		if ra.Replay == rb.Replay {
			t.Errorf("device %d: replay a=%v b=%v, want exactly one first store", i, ra.Replay, rb.Replay)
		}
	}
	h := holdings(t, a)
	perInterview := len(devs[0].Interview(t, q, "0193a5b2-7c1e-7000-8000-000000000000", t0, rnd())) + 1 // and "submitted"
	if h.batches != n || h.revisions != n*perInterview {
		t.Errorf("the database holds %d revisions in %d batches, want %d in %d", h.revisions, h.batches, n*perInterview, n)
	}
}

// TestTwoNodesTokensNoncesAndFeed: a token works once across nodes; a signed request seen
// by one node is a replay on the other; what a device sends through one node and what the
// administrator decides reach another device syncing through the other.
func TestTwoNodesTokensNoncesAndFeed(t *testing.T) {
	a, b := twoNodes(t)
	ctx := context.Background()

	// One token, two devices enrolling at once, one through each node.
	tok, _, err := server.IssueToken(ctx, a.St, a.Key, "Nguyễn Văn An", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	d1 := servertest.NewDevice(t, "laptop-1", "an@example.org")
	d2 := servertest.NewDevice(t, "laptop-2", "an@example.org")
	codes := make([]int, 2)
	var wg sync.WaitGroup
	for k, pair := range []struct {
		e *servertest.Env
		d *servertest.Device
	}{{a, d1}, {b, d2}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, _ := enrollHTTP(t, pair.e, pair.d, tok.String())
			codes[k] = resp.StatusCode
		}()
	}
	wg.Wait()
	if (codes[0] == 200) == (codes[1] == 200) {
		t.Fatalf("one token enrolled through two nodes: statuses %v, want exactly one 200", codes)
	}

	// Nonces: a request answered by node a is refused by node b.
	c := servertest.NewDevice(t, "laptop-c", "c@example.org")
	a.Enroll(c)
	sup := servertest.NewDevice(t, "supervisor", "sup@example.org")
	b.EnrollAs(sup, survey.RoleSupervisor)
	r := inboxRequest(t, a.URL, c, 0, time.Now())
	captured := r.Clone(ctx)
	captured.URL.Host, captured.Host = b.Addr, b.Addr
	if _, werr := getInbox(t, a, r); werr != nil {
		t.Fatal(werr)
	}
	if _, werr := getInbox(t, b, captured); werr == nil || werr.Code != wire.CodeAuthFailed {
		t.Fatalf("the same request on the other node: got %v, want %s", werr, wire.CodeAuthFailed)
	}

	// c sends a completed interview through node a; the supervisor reads it through b.
	q := servertest.DGRA(t)
	iv := "0193a5b2-7c1e-7000-8000-0000000000c1"
	data, _ := c.Batch(t, c.Interview(t, q, iv, t0, rnd()))
	post(t, a, c, data)
	got, in := inboxAll(t, b, sup, 0)
	if len(got) == 0 {
		t.Fatalf("the supervisor, through node b, received nothing of what c sent through node a")
	}
	cursor := in.Cursor
	// The administrator returns it through node b's store; c receives it through a.
	srvDev := server.ServerDevice(b.Key.PublicKey())
	ret, err := b.St.Decide(ctx, server.Decision{Interview: iv, Status: survey.StatusReturned, Reason: "thiếu bằng chứng", Device: srvDev, Time: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	mine, _ := inboxAll(t, a, c, 0)
	if !idSet(mine, nil)[ret.ID] {
		t.Fatalf("the decision made on node b did not reach c through node a (%d revisions)", len(mine))
	}
	// The supervisor's cursor moves on through node a, and the decision comes after it.
	more, _ := inboxAll(t, a, sup, cursor)
	if !idSet(more, nil)[ret.ID] {
		t.Fatalf("after its cursor %d, the supervisor did not receive the decision through node a", cursor)
	}
}

// TestTwoNodesFeedPositionsUnderLoad: two stores on one database (two nodes) store
// batches at the same time, one small transaction after another, while a supervisor's
// device reads the feed after its cursor through either: it ends with every revision, so
// no position became visible before one below it (Store's feed rule).
func TestTwoNodesFeedPositionsUnderLoad(t *testing.T) {
	drv := servertest.Postgres(t)
	dir := t.TempDir()
	ctx := context.Background()
	var nodes [2]server.Store
	for k := range nodes {
		st, err := drv.Open(t, dir)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		nodes[k] = st
	}
	// Both nodes run in this process: let them verify batches at once, as two machines would.
	defer server.SetCPUSlots(16)()
	enroll := func(id, principal string, role survey.Role) (*servertest.Device, server.Device) {
		d := servertest.NewDevice(t, id, principal)
		tok, _, err := server.IssueTokenFor(ctx, nodes[0], servertest.NewDevice(t, "k", "k").Signer, server.TokenSpec{Assessor: principal, Role: role, Lifetime: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		rec, err := nodes[1].Enroll(ctx, tok.Hash(), server.Device{ID: d.ID, Principal: d.Principal, PublicKey: d.PublicKey(), Role: role}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return d, rec
	}
	sup, _ := enroll("supervisor", "sup@example.org", survey.RoleSupervisor)
	q := servertest.DGRA(t)
	const n = 60
	want := map[string]bool{}
	uploads := make([]server.Upload, n)
	for i := range uploads {
		d, rec := enroll(fmt.Sprintf("laptop-%02d", i), fmt.Sprintf("a%d@example.org", i), survey.RoleAssessor)
		revs := d.Interview(t, q, fmt.Sprintf("0193a5b2-7c1e-7000-8000-%012d", 100+i), t0, rnd())[:3]
		for _, r := range revs {
			want[r.ID] = true
		}
		data, _ := d.Batch(t, revs)
		b, err := batch.Read(bytes.NewReader(data), batch.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		uploads[i] = server.Upload{Device: rec, Batch: b, Revisions: revs, Time: time.Now()}
	}
	var wg sync.WaitGroup
	for i := range uploads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(time.Duration(i) * 3 * time.Millisecond)
			if _, err := nodes[i%2].Ingest(ctx, uploads[i]); err != nil {
				t.Error(err)
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	got := map[string]bool{}
	var cursor int64
	read := func(st server.Store) {
		for {
			page, err := st.Inbox(ctx, sup.ID, cursor, 1000)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range page.Revisions {
				got[r.ID] = true
			}
			cursor = page.Cursor
			if !page.More {
				return
			}
		}
	}
	for k := 0; ; k++ {
		select {
		case <-done:
			read(nodes[0])
			read(nodes[1])
			missing := 0
			for id := range want {
				if !got[id] {
					missing++
				}
			}
			if missing > 0 {
				t.Fatalf("the supervisor's cursor skipped %d of %d revisions", missing, len(want))
			}
			return
		default:
			read(nodes[k%2])
		}
	}
}
