package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync"
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

// gateStore is a store whose device look-up, once armed, waits until the request is
// cancelled and fails as a database call does then.
type gateStore struct {
	server.Store
	armed   *atomic.Bool
	entered chan struct{}
}

func (s gateStore) Device(ctx context.Context, id string) (server.Device, error) {
	if s.armed.Load() {
		s.entered <- struct{}{}
		<-ctx.Done()
		return server.Device{}, fmt.Errorf("begin transaction: %w", ctx.Err())
	}
	return s.Store.Device(ctx, id)
}

// syncBuffer is a log output written by the server's goroutines and read by the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// TestClientGoneIsNotAFault: a device that hangs up while the server waits for the
// database is logged as gone, counted, and not taken for a fault of the server (no 500, no
// error in the log). Before, the cancelled look-up was answered 500 "internal" and logged
// as an error, as the load test's uploads on a cancelled connection were.
func TestClientGoneIsNotAFault(t *testing.T) {
	var logs syncBuffer
	armed := new(atomic.Bool)
	entered := make(chan struct{}, 1)
	e := servertest.Start(t, "", func(c *server.Config) {
		c.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
		c.Store = gateStore{Store: c.Store, armed: armed, entered: entered}
	})
	d := servertest.NewDevice(t, "dev-gone", "assessor@example.org")
	e.Enroll(d)
	armed.Store(true)
	ctx, cancel := context.WithCancel(context.Background())
	req := inboxRequest(t, e.URL, d, 0, time.Now()).WithContext(ctx)
	errc := make(chan error, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	<-entered // the server waits for the database
	cancel()  // the device hangs up
	if err := <-errc; err == nil {
		t.Fatal("the cancelled request got an answer")
	}
	// The server logs the request once the handler is done.
	var line map[string]any
	for deadline := time.Now().Add(20 * time.Second); line == nil; {
		for _, l := range strings.Split(logs.String(), "\n") {
			var m map[string]any
			if json.Unmarshal([]byte(l), &m) == nil && m["msg"] == "request" && m["route"] == "inbox" {
				line = m
			}
		}
		if line == nil {
			if time.Now().After(deadline) {
				t.Fatalf("no request line logged:\n%s", logs.String())
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	if line["status"] != float64(http.StatusServiceUnavailable) || line["code"] != string(wire.CodeUnavailable) {
		t.Errorf("the request of the device that hung up was logged as %v %v, want 503 unavailable", line["status"], line["code"])
	}
	out := logs.String()
	if strings.Contains(out, `"level":"ERROR"`) {
		t.Errorf("a device hanging up was logged as an error:\n%s", out)
	}
	if !strings.Contains(out, "the client went away") {
		t.Errorf("the log does not say the client went away:\n%s", out)
	}
}
