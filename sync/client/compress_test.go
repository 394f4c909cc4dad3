package client_test

import (
	"context"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/fieldsurvey/fieldsurvey/sync/client"
	"github.com/fieldsurvey/fieldsurvey/sync/server/servertest"
	"github.com/fieldsurvey/fieldsurvey/sync/wire"
)

// uploadLog records the uploads a device makes: their content coding and length.
type uploadLog struct {
	mu      sync.Mutex
	uploads []string // "gzip 1234" or " 5678"
	next    http.RoundTripper
}

func (l *uploadLog) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodPost && req.URL.Path == wire.PathBatches {
		l.mu.Lock()
		l.uploads = append(l.uploads, req.Header.Get("Content-Encoding")+" "+req.URL.Query().Get(wire.LengthParam))
		l.mu.Unlock()
	}
	return l.next.RoundTrip(req)
}

func (l *uploadLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.uploads
	l.uploads = nil
	return out
}

// TestCompressedUploads: a device sends its batches as they are until the server says it
// accepts compressed uploads, then gzip-compressed (smaller, and stored the same); a
// server that no longer says so (an older release put back) gets the batch as it is at
// once, and the device stops compressing.
func TestCompressedUploads(t *testing.T) {
	ctx := context.Background()
	e := servertest.Start(t, "", nil)
	d := newDevice(t, "laptop-an", "an@example.org")
	d.enroll(t, e, e.URL)
	log := &uploadLog{next: http.DefaultTransport}
	d.http = &http.Client{Transport: log}
	q := dgra(t)
	rnd := mrand.New(mrand.NewPCG(1, 2))

	d.interview(t, q, "0193a5b2-7c1e-7000-8000-000000000001", rnd)
	if res, err := client.Sync(ctx, d.opts(nil)); err != nil || len(res.Sent) != 1 {
		t.Fatalf("first sync: %+v %v", res, err)
	}
	if got := log.take(); len(got) != 1 || strings.HasPrefix(got[0], "gzip") {
		t.Fatalf("first upload %q: the device cannot know yet that the server accepts gzip", got)
	}
	d.interview(t, q, "0193a5b2-7c1e-7000-8000-000000000002", rnd)
	res, err := client.Sync(ctx, d.opts(nil))
	if err != nil || len(res.Sent) != 1 || res.Sent[0].Added == 0 {
		t.Fatalf("second sync: %+v %v", res, err)
	}
	got := log.take()
	if len(got) != 1 || !strings.HasPrefix(got[0], "gzip ") {
		t.Fatalf("second upload %q, want gzip", got)
	}
	if sent, _ := strconv.ParseInt(strings.TrimPrefix(got[0], "gzip "), 10, 64); sent <= 0 || sent >= res.Sent[0].Bytes {
		t.Errorf("compressed upload of %d bytes for a %d-byte batch", sent, res.Sent[0].Bytes)
	} else {
		t.Logf("compressed upload of %d bytes for a %d-byte batch", sent, res.Sent[0].Bytes)
	}
	assertAllThereOnce(t, d, e, 2)

	// An older server behind the same address: it does not say it accepts gzip, and reads
	// the body as a batch whatever its encoding.
	target, _ := url.Parse(e.URL)
	old := httputil.NewSingleHostReverseProxy(target)
	direct := old.Director
	old.Director = func(r *http.Request) {
		direct(r)
		r.Header.Del("Content-Encoding")
	}
	old.ModifyResponse = func(resp *http.Response) error {
		resp.Header.Del("Accept-Encoding")
		return nil
	}
	ps := httptest.NewServer(old)
	defer ps.Close()
	d.interview(t, q, "0193a5b2-7c1e-7000-8000-000000000003", rnd)
	o := d.opts(nil)
	o.URL = ps.URL
	res, err = client.Sync(ctx, o)
	if err != nil || len(res.Sent) != 1 || len(res.Refused) != 0 {
		t.Fatalf("sync through an older server: %+v %v", res, err)
	}
	if got := log.take(); len(got) != 2 || !strings.HasPrefix(got[0], "gzip ") || strings.HasPrefix(got[1], "gzip") {
		t.Fatalf("uploads %q, want one compressed (refused) then the same batch as it is", got)
	}
	assertAllThereOnce(t, d, e, 3)
	d.interview(t, q, "0193a5b2-7c1e-7000-8000-000000000004", rnd)
	if res, err := client.Sync(ctx, o); err != nil || len(res.Sent) != 1 {
		t.Fatalf("next sync through the older server: %+v %v", res, err)
	}
	if got := log.take(); len(got) != 1 || strings.HasPrefix(got[0], "gzip") {
		t.Fatalf("uploads %q: the device should have stopped compressing", got)
	}
}
