package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/sync/server"
	"github.com/fieldsurvey/fieldsurvey/sync/server/servertest"
	"github.com/fieldsurvey/fieldsurvey/sync/wire"
)

// slowStore is a store whose writer takes hold long before storing a batch, as the one
// writer of a busy server does.
type slowStore struct {
	server.Store
	wait time.Duration
}

func (s slowStore) Ingest(ctx context.Context, u server.Upload) (server.Ingested, error) {
	time.Sleep(s.wait)
	return s.Store.Ingest(ctx, u)
}

// TestSlowWriterKeepsConnection: a device sends its batches one after the other over one
// kept-alive connection to a server whose writer keeps each upload waiting longer than the
// upload's read deadline (UploadGrace, meant for bodies that arrive slowly). The bodies
// arrive at once, so every batch must be stored and answered 200 with its receipt, over the
// same connection. Before the fix the read deadline, still set on the connection while the
// handler waited for the writer, fired in net/http's background read: that cancels the
// connection's context, so the next upload on the connection failed at once with 500
// "look up device: begin transaction: context canceled".
func TestSlowWriterKeepsConnection(t *testing.T) {
	e := servertest.Start(t, "", func(c *server.Config) {
		c.UploadGrace = 300 * time.Millisecond
		c.MinUploadRate = 1 << 30 // the deadline is the grace alone
		c.Store = slowStore{Store: c.Store, wait: 1500 * time.Millisecond}
	})
	d := servertest.NewDevice(t, "dev-slow", "assessor@example.org")
	e.Enroll(d)
	q := servertest.DGRA(t)
	tr := &http.Transport{MaxIdleConnsPerHost: 1, MaxConnsPerHost: 1}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr}
	var conns atomic.Int32
	trace := &httptrace.ClientTrace{GotConn: func(ci httptrace.GotConnInfo) {
		if !ci.Reused {
			conns.Add(1)
		}
	}}
	for k := range 3 {
		revs := d.Interview(t, q, fmt.Sprintf("0193a5b2-7c1e-7000-8000-00000000000%d", k+1), t0, rnd())
		data, _ := d.Batch(t, revs)
		req, err := d.UploadRequest(e.URL, bytes.NewReader(data), int64(len(data)), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		req = req.WithContext(httptrace.WithClientTrace(req.Context(), trace))
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatalf("batch %d: %v", k+1, err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatalf("batch %d: %v", k+1, err)
		}
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("batch %d: %d %s", k+1, resp.StatusCode, body)
		}
		var sr wire.SignedReceipt
		if err := json.Unmarshal(body, &sr); err != nil || sr.Replay {
			t.Fatalf("batch %d: receipt %s", k+1, body)
		}
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("the device's three uploads took %d connections, want one kept alive", n)
	}
	sums, err := e.Store.Revisions().List(context.Background(), storeListAll())
	if err != nil {
		t.Fatal(err)
	}
	if len(sums) != 3 {
		t.Fatalf("server lists %d interviews, the device sent 3", len(sums))
	}
	for _, s := range sums {
		if s.Status != survey.StatusSubmitted {
			t.Errorf("interview %s: %s, want submitted", s.ID, s.Status)
		}
	}
}
