package server_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/fieldsurvey/fieldsurvey/sync/batch"
	"github.com/fieldsurvey/fieldsurvey/sync/server"
	"github.com/fieldsurvey/fieldsurvey/sync/server/servertest"
	"github.com/fieldsurvey/fieldsurvey/sync/wire"
)

// TestUploadRequestReplay: an upload's signed request, whose nonce is recorded with its
// batch (Upload.Nonce), cannot be used again: sent again after it was stored, and after a
// restart, it is refused at once (before its body is read) and stores nothing; a request whose batch was refused
// (damaged on the way) cannot be used again either, while the device's new request with
// the intact batch goes through.
func TestUploadRequestReplay(t *testing.T) { servertest.ForEachStore(t, testUploadRequestReplay) }

func testUploadRequestReplay(t *testing.T, drv servertest.Driver) {
	e := servertest.StartOn(t, drv, "", nil)
	d := servertest.NewDevice(t, "laptop-a", "a@example.org")
	e.Enroll(d)
	q := servertest.DGRA(t)
	data, _ := d.Batch(t, d.Interview(t, q, "0193a5b2-7c1e-7000-8000-0000000000a1", t0, rnd()))

	send := func(req *http.Request, body []byte) (int, []byte) {
		t.Helper()
		r := req.Clone(context.Background())
		r.Body = io.NopCloser(bytes.NewReader(body))
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	replayed := func(name string, code int, body []byte) {
		t.Helper()
		if we := decodeError(t, code, body); we.Code != wire.CodeAuthFailed || !bytes.Contains(body, []byte("already used")) {
			t.Errorf("%s: %d %s, want %s (already used)", name, code, body, wire.CodeAuthFailed)
		}
	}

	req, err := d.UploadRequest(e.URL, bytes.NewReader(data), int64(len(data)), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if code, body := send(req, data); code != http.StatusOK {
		t.Fatalf("upload: %d %s", code, body)
	}
	stored := holdings(t, e)
	code, body := send(req, data)
	replayed("the same request again", code, body)
	e.Restart()
	code, body = send(req, data)
	replayed("the same request after a restart", code, body)
	// Refused before its body is read: a body that never comes does not hold the answer.
	// (The body is cut after 5 s, so that a server waiting for it fails the test.)
	pr, pw := io.Pipe()
	cut := time.AfterFunc(5*time.Second, func() { pw.CloseWithError(errors.New("the body was never sent")) })
	defer cut.Stop()
	defer pw.Close()
	stalled := req.Clone(context.Background())
	stalled.Body = pr
	if resp, err := http.DefaultClient.Do(stalled); err != nil {
		t.Errorf("the same request with a body that never comes: %v (want an answer at once)", err)
	} else {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		replayed("the same request with a body that never comes", resp.StatusCode, b)
	}
	if h := holdings(t, e); h != stored {
		t.Errorf("replays changed the server: %+v -> %+v", stored, h)
	}

	// A damaged copy is refused (not recorded: an intact copy must get through), and its
	// request cannot be used again, not even with the intact bytes.
	other, _ := d.Batch(t, d.Interview(t, q, "0193a5b2-7c1e-7000-8000-0000000000a2", t0, rnd()))
	bad := bytes.Clone(other)
	bad[len(bad)/2] ^= 0xff
	req2, err := d.UploadRequest(e.URL, bytes.NewReader(bad), int64(len(bad)), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if code, body := send(req2, bad); code == http.StatusOK {
		t.Fatalf("damaged batch accepted: %s", body)
	}
	code, body = send(req2, other)
	replayed("the damaged batch's request with the intact batch", code, body)
	if resp, body, err := servertest.Post(http.DefaultClient, e.URL, d, other); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("the intact batch in a new request: %v %s", err, body)
	}
}

// TestIngestNonceWithBatch: a store records an upload's nonce with its batch; a second
// upload carrying the same nonce (the same request sent twice at once, both past the
// server's first look) is refused with ErrReplayed and nothing of its batch is stored.
func TestIngestNonceWithBatch(t *testing.T) { servertest.ForEachStore(t, testIngestNonceWithBatch) }

func testIngestNonceWithBatch(t *testing.T, drv servertest.Driver) {
	ctx := context.Background()
	d := servertest.NewDevice(t, "laptop-a", "a@example.org")
	st, _ := openEnrolled(t, drv, []*servertest.Device{d})
	dev, err := st.Device(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	q := servertest.DGRA(t)
	upload := func(iv string, n *server.Nonce) (server.Upload, string) {
		data, m := d.Batch(t, d.Interview(t, q, iv, t0, rnd()))
		b, err := batch.Read(bytes.NewReader(data), batch.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		revs, err := b.Revisions()
		if err != nil {
			t.Fatal(err)
		}
		return server.Upload{Device: dev, Batch: b, Revisions: revs, Time: t0, Nonce: n}, m.ID
	}
	n := &server.Nonce{Key: d.ID + "/n1", Now: time.Now(), Keep: 10 * time.Minute}
	if used, err := st.NonceUsed(ctx, n.Key, n.Now); err != nil || used {
		t.Fatalf("NonceUsed before: %v, %v", used, err)
	}
	first, _ := upload("0193a5b2-7c1e-7000-8000-0000000000b1", n)
	if _, err := st.Ingest(ctx, first); err != nil {
		t.Fatal(err)
	}
	if used, err := st.NonceUsed(ctx, n.Key, n.Now.Add(time.Minute)); err != nil || !used {
		t.Fatalf("NonceUsed after the upload: %v, %v", used, err)
	}
	second, id := upload("0193a5b2-7c1e-7000-8000-0000000000b2", n)
	if _, err := st.Ingest(ctx, second); !errors.Is(err, server.ErrReplayed) {
		t.Fatalf("the same nonce with another batch: %v, want ErrReplayed", err)
	}
	if _, err := st.Receipt(ctx, id); !errors.Is(err, server.ErrNotFound) {
		t.Errorf("the refused upload's batch is held: %v", err)
	}
	// Expired, the key is fresh again.
	later := &server.Nonce{Key: n.Key, Now: n.Now.Add(11 * time.Minute), Keep: 10 * time.Minute}
	third, _ := upload("0193a5b2-7c1e-7000-8000-0000000000b3", later)
	if _, err := st.Ingest(ctx, third); err != nil {
		t.Errorf("the same key once expired: %v", err)
	}
}
