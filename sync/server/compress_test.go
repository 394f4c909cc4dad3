package server_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/fieldsurvey/fieldsurvey/sync/batch"
	"github.com/fieldsurvey/fieldsurvey/sync/client"
	"github.com/fieldsurvey/fieldsurvey/sync/server"
	"github.com/fieldsurvey/fieldsurvey/sync/server/servertest"
	"github.com/fieldsurvey/fieldsurvey/sync/wire"
)

func gz(t *testing.T, data []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(data)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestCompressedUpload: the server says it accepts gzip uploads, stores one as the batch it
// carries, and refuses (storing nothing) a compressed upload whose declared length is
// missing, too large or not what it decompresses to, and an encoding it does not know.
func TestCompressedUpload(t *testing.T) {
	e := servertest.Start(t, "", func(c *server.Config) { c.MaxBatchBytes = 256 << 10 })
	d := servertest.NewDevice(t, "laptop-1", "an@example.org")
	e.Enroll(d)
	data, m := d.Batch(t, d.Interview(t, servertest.DGRA(t), "0193a5b2-7c1e-7000-8000-000000000001", t0, rnd()))
	z := gz(t, data)
	post := func(target, encoding string, body []byte) (*http.Response, []byte) {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, e.URL+target, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", wire.ContentTypeBatch)
		req.Header.Set(wire.DeviceHeader, d.ID)
		if encoding != "" {
			req.Header.Set("Content-Encoding", encoding)
		}
		if _, err := client.SignRequest(req, d.ID, d.Signer, time.Now(), rand.Reader); err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	n, size := int64(len(z)), int64(len(data))
	for name, c := range map[string]struct {
		target, encoding string
		body             []byte
		code             wire.Code
	}{
		"no size":        {wire.UploadPath(n), "gzip", z, wire.CodeMalformed},
		"size too small": {wire.CompressedUploadPath(n, size-1), "gzip", z, wire.CodeMalformed},
		"size too large": {wire.CompressedUploadPath(n, size+1), "gzip", z, wire.CodeMalformed},
		"over the limit": {wire.CompressedUploadPath(n, 1<<20), "gzip", z, wire.CodeTooLarge},
		"not gzip":       {wire.CompressedUploadPath(size, size), "gzip", data, wire.CodeMalformed},
		"other encoding": {wire.CompressedUploadPath(n, size), "br", z, wire.CodeMalformed},
	} {
		resp, body := post(c.target, c.encoding, c.body)
		if resp.Header.Get("Accept-Encoding") != "gzip" {
			t.Errorf("%s: the answer does not say the server accepts gzip: %v", name, resp.Header)
		}
		we := wire.FromResponse(resp.StatusCode, body)
		if resp.StatusCode == http.StatusOK || we.Code != c.code {
			t.Errorf("%s: %d %s, want %s", name, resp.StatusCode, body, c.code)
		}
	}
	if _, err := e.Store.Receipt(context.Background(), m.ID); err == nil {
		t.Fatal("a refused upload was stored")
	}
	resp, body := post(wire.CompressedUploadPath(n, size), "gzip", z)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("compressed upload: %d %s", resp.StatusCode, body)
	}
	var sr wire.SignedReceipt
	if err := json.Unmarshal(body, &sr); err != nil {
		t.Fatal(err)
	}
	rc, err := e.Store.Receipt(context.Background(), m.ID)
	if err != nil || rc.Revisions != m.Revisions || rc.Added != m.Revisions {
		t.Fatalf("stored receipt %+v %v, want %d revisions added", rc, err, m.Revisions)
	}
	// The same batch as it is: a replay, the same receipt.
	resp, body = post(wire.UploadPath(size), "", data)
	if resp.StatusCode != http.StatusOK || !bytes.Contains(body, []byte(`"replay":true`)) {
		t.Fatalf("the same batch uncompressed: %d %s", resp.StatusCode, body)
	}
	t.Logf("%d-byte batch sent in %d bytes", size, n)
}

// TestFormat1StillAccepted: a version 1 batch (tar, ids on every line), as devices not yet
// updated send them and outboxes still hold them, is stored as before.
func TestFormat1StillAccepted(t *testing.T) {
	e := servertest.Start(t, "", nil)
	d := servertest.NewDevice(t, "laptop-1", "an@example.org")
	e.Enroll(d)
	revs := d.Interview(t, servertest.DGRA(t), "0193a5b2-7c1e-7000-8000-000000000001", t0, rnd())
	data, m, err := batch.Create(revs, batch.Options{Device: d.ID, Signer: d.Signer, Principal: d.Principal, Sequence: 1, FormatVersion: batch.FormatVersion1})
	if err != nil {
		t.Fatal(err)
	}
	if m.FormatVersion != 1 || !bytes.HasPrefix(data, []byte("manifest.json\x00")) {
		t.Fatalf("not a version 1 batch: %d % x", m.FormatVersion, data[:16])
	}
	resp, body, err := servertest.Post(http.DefaultClient, e.URL, d, data)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("upload: %v %s", err, body)
	}
	rc, err := e.Store.Receipt(context.Background(), m.ID)
	if err != nil || rc.Added != len(revs) {
		t.Fatalf("receipt %+v %v, want %d added", rc, err, len(revs))
	}
}
