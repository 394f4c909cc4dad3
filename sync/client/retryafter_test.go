package client_test

import (
	"context"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fieldsurvey/fieldsurvey/sync/client"
	"github.com/fieldsurvey/fieldsurvey/sync/server/servertest"
	"github.com/fieldsurvey/fieldsurvey/sync/wire"
)

// TestRetryAfterIsHonoured: a busy server answers the first upload 503 with Retry-After:
// 1; the device waits at least that second (not its own much shorter backoff) before
// sending the batch again, and the batch then goes up.
func TestRetryAfterIsHonoured(t *testing.T) {
	ctx := context.Background()
	e := servertest.Start(t, "", nil)
	target, _ := url.Parse(e.URL)
	rp := httputil.NewSingleHostReverseProxy(target)
	var busy atomic.Int32
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, wire.PathBatches) && busy.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			w.Header().Set("Content-Type", wire.ContentTypeJSON)
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write(wire.NewError(wire.CodeUnavailable, "the server is busy receiving other batches").Body())
			return
		}
		rp.ServeHTTP(w, r)
	}))
	defer front.Close()
	d := newDevice(t, "laptop-an", "an@example.org")
	d.enroll(t, e, e.URL)
	d.interview(t, dgra(t), "0193a5b2-7c1e-7000-8000-000000000001", rand.New(rand.NewPCG(1, 1)))
	o := d.opts(nil)
	o.URL = front.URL
	o.Retry = client.Retry{Attempts: 3, Base: time.Millisecond, Max: 10 * time.Second}
	var waits []time.Duration
	o.Progress = func(ev client.Event) {
		if ev.Kind == client.EventRetry {
			waits = append(waits, ev.Wait)
		}
	}
	res, err := client.Sync(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Sent) != 1 || busy.Load() != 2 {
		t.Fatalf("sent %d batches in %d uploads, want 1 in 2", len(res.Sent), busy.Load())
	}
	if len(waits) != 1 || waits[0] < time.Second || waits[0] > 1250*time.Millisecond {
		t.Errorf("waits before retrying: %v, want one of 1 s to 1.25 s (Retry-After: 1)", waits)
	}
}
