package server_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fieldsurvey/fieldsurvey/sync/batch"
	"github.com/fieldsurvey/fieldsurvey/sync/hub"
	"github.com/fieldsurvey/fieldsurvey/sync/keys"
	"github.com/fieldsurvey/fieldsurvey/sync/server"
	"github.com/fieldsurvey/fieldsurvey/sync/server/servertest"
)

// rawIngest is the least work any server must do for the same batches: read each batch,
// verify its signature against its device's key, decode and check its revisions, and
// store them (hub.Add: the revisions and the batch record in one durable transaction),
// with the same number of concurrent workers, into a fresh store.
func rawIngest(b *testing.B, f *fleet, dir string) time.Duration {
	b.Helper()
	h, err := hub.Open(filepath.Join(dir, "raw.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	signers := make([]*keys.AllowedSigners, len(f.devices))
	for i, d := range f.devices {
		signers[i], err = keys.ParseAllowedSigners(strings.NewReader(keys.SignerLine(d.Principal, d.Signer.PublicKey(), batch.Namespace)))
		if err != nil {
			b.Fatal(err)
		}
	}
	known, _ := server.BundledKnown()
	var wg sync.WaitGroup
	t0 := time.Now()
	for i := range f.devices {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, data := range f.batches[i] {
				bt, err := batch.Read(bytes.NewReader(data), batch.Limits{})
				if err != nil {
					b.Error(err)
					return
				}
				revs, err := hub.Check(bt, hub.Options{Signers: signers[i], Known: known})
				if err != nil {
					b.Error(err)
					return
				}
				if res, err := h.Add(context.Background(), bt, revs); err != nil || res.Rejected != nil {
					b.Error(err, res.Rejected)
					return
				}
			}
		}()
	}
	wg.Wait()
	return time.Since(t0)
}

// BenchmarkIngest measures the server taking in the batches of many devices at once over
// HTTP on loopback (enrolled devices, receipts signed and stored), next to the raw cost of
// the same batches in the same run (rawIngest), and reports both per batch and per
// interview, their ratio, and the bytes a device sends per completed DGRA interview.
// FIELDSURVEY_BENCH_DEVICES sets the number of devices (default 32).
func BenchmarkIngest(b *testing.B) {
	n := 32
	if v := os.Getenv("FIELDSURVEY_BENCH_DEVICES"); v != "" {
		if _, err := fmtSscan(v, &n); err != nil {
			b.Fatal(err)
		}
	}
	const perDevice, ivPerBatch = 3, 2
	f := makeFleet(b, n, perDevice, ivPerBatch)
	batches := n * perDevice
	var httpTime, rawTime time.Duration
	var sent int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		e := servertest.Start(b, "", nil)
		for _, d := range f.devices {
			e.Enroll(d)
		}
		b.StartTimer()
		d, s := f.upload(b, e.URL)
		b.StopTimer()
		e.Stop()
		httpTime += d
		sent += s
		rawTime += rawIngest(b, f, b.TempDir())
		b.StartTimer()
	}
	b.StopTimer()
	per := func(d time.Duration, k int) float64 { return float64(d.Nanoseconds()) / float64(b.N*k) }
	b.ReportMetric(per(httpTime, batches), "server-ns/batch")
	b.ReportMetric(per(rawTime, batches), "raw-ns/batch")
	b.ReportMetric(float64(httpTime)/float64(rawTime), "ratio")
	b.ReportMetric(float64(b.N*f.interviews)/httpTime.Seconds(), "server-interviews/s")
	b.ReportMetric(float64(b.N*f.interviews)/rawTime.Seconds(), "raw-interviews/s")
	b.ReportMetric(float64(sent)/float64(b.N*f.interviews), "bytes/interview")
	b.ReportMetric(0, "ns/op")
}
