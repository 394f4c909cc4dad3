package batch

import (
	"bytes"
	"compress/gzip"
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/hiddeco/sshsig"
)

// bombPayload returns valid's content followed by zeros, gzip-compressed: a payload that
// decompresses to extra more bytes than the content declared in valid's manifest.
func bombPayload(t testing.TB, content []byte, extra int64) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	zw.Write(content)
	zeros := make([]byte, 1<<20)
	for n := int64(0); n < extra; n += int64(len(zeros)) {
		zw.Write(zeros[:min(int64(len(zeros)), extra-n)])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// signedWith returns a batch archive whose manifest is m with the given payload, declared
// and signed by the trusted test key: what a stolen (or buggy) device could send.
func signedWith(t testing.TB, m Manifest, payload []byte) []byte {
	t.Helper()
	m.Payload.Size, m.Payload.SHA256 = int64(len(payload)), sha256Hex(payload)
	mb, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	sig, err := sshsig.Sign(bytes.NewReader(mb), seedSigner(1), sshsig.HashSHA512, Namespace)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	p := parts{manifest: mb, signature: sshsig.Armor(sig), payloadName: NamePayload, payload: payload}
	if err := p.write(&buf, m.FormatVersion, testNow); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// allocated returns how many bytes f allocates on the heap.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// A signed batch whose payload decompresses to far more than the manifest declares (a gzip
// bomb) is refused as not the declared content, after reading no more than was declared:
// the memory it costs does not grow with what the payload would expand to.
func TestGzipBombBounded(t *testing.T) {
	valid := mustRead(t, mustCreate(t, testRevs(t, "dev-a", 0, 2, 2, exampleQ), testOptions(1)))
	content, err := gunzip(valid.Payload)
	if err != nil {
		t.Fatal(err)
	}
	const extra = 96 << 20 // 96 MiB of zeros: about 95 KB compressed
	payload := bombPayload(t, content, extra)
	b := mustRead(t, signedWith(t, valid.Manifest, payload))
	if err := verifyAt(b, testAllowed(t), testNow); err != nil {
		t.Fatalf("the bomb is signed by a trusted key and must pass Verify: %v", err)
	}
	var rerr error
	n := allocated(func() { _, rerr = b.Revisions() })
	if !errors.Is(rerr, ErrPayloadHash) || !strings.Contains(rerr.Error(), "more than the") {
		t.Errorf("err = %v, want a payload hash mismatch saying it decompresses to more than declared", rerr)
	}
	if strings.Contains(rerr.Error(), "smaller") {
		t.Errorf("a bomb is not a batch to make smaller: %v", rerr)
	}
	t.Logf("payload %d bytes, expands to %d; Revisions allocated %d bytes: %v", len(payload), int64(len(content))+extra, n, rerr)
	if n > 8<<20 {
		t.Errorf("Revisions allocated %d bytes for a payload declaring %d bytes of content", n, valid.Manifest.Content.Size)
	}

	// A manifest declaring more content than the limit is refused before decompressing.
	m := valid.Manifest
	m.Content.Size = 1 << 40
	b = mustRead(t, signedWith(t, m, payload))
	n = allocated(func() { _, rerr = b.Revisions() })
	if !errors.Is(rerr, ErrTooLarge) || !strings.Contains(rerr.Error(), "declares 1099511627776 bytes") {
		t.Errorf("err = %v", rerr)
	}
	if n > 1<<20 {
		t.Errorf("allocated %d bytes refusing a declared size", n)
	}
}

// BenchmarkGzipBomb reads a signed batch whose 1 MB payload expands to 1 GiB while its
// manifest declares a few kilobytes; B/op is the memory the refusal costs.
func BenchmarkGzipBomb(b *testing.B) {
	valid := mustRead(b, mustCreate(b, testRevs(b, "dev-a", 0, 2, 2, exampleQ), testOptions(1)))
	content, _ := gunzip(valid.Payload)
	payload := bombPayload(b, content, 1<<30)
	data := signedWith(b, valid.Manifest, payload)
	b.ReportMetric(float64(len(payload)), "payload-bytes")
	b.ReportAllocs()
	for b.Loop() {
		bt, err := Read(bytes.NewReader(data), Limits{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := bt.Revisions(); !errors.Is(err, ErrPayloadHash) && !errors.Is(err, ErrTooLarge) {
			b.Fatal(err)
		}
	}
}
