package server_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
	"github.com/fieldsurvey/fieldsurvey/sync/batch"
	"github.com/fieldsurvey/fieldsurvey/sync/hub"
	"github.com/fieldsurvey/fieldsurvey/sync/keys"
	"github.com/fieldsurvey/fieldsurvey/sync/server"
	"github.com/fieldsurvey/fieldsurvey/sync/server/servertest"
)

// rawIngest is the least work any server must do for the same batches: read each batch,
// verify its signature against its device's key, decode and check its revisions (the batch
// reader's checks, then the store's: hub.Check and store.VerifyBatchRevisions, as the
// server does), and store them with their batch record (hub.AddTx) into a fresh store
// opened as the server opens its own. Each device's batches go in order from their own
// goroutine, the checks at most GOMAXPROCS-1 at a time, as in the server. With grouped,
// one writer stores whatever checked batches are waiting in one transaction (as the
// server's group commit does); without, every batch is its own transaction. No HTTP, no
// receipts, no "submitted" statuses, no inbox.
func rawIngest(b *testing.B, f *fleet, dir string, grouped bool) time.Duration {
	b.Helper()
	h, err := hub.Open(filepath.Join(dir, "raw.db"), store.WithWALCheckpoint(50000))
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
	ctx := context.Background()
	type job struct {
		b    *batch.Batch
		revs store.Verified
		done chan error
	}
	queue := make(chan job, len(f.devices))
	var writer sync.WaitGroup
	if grouped {
		writer.Add(1)
		go func() {
			defer writer.Done()
			for j := range queue {
				group := []job{j}
			more:
				for len(group) < 256 {
					select {
					case j, ok := <-queue:
						if !ok {
							break more
						}
						group = append(group, j)
					default:
						break more
					}
				}
				err := h.Store().Update(ctx, func(tx *store.Tx) error {
					for _, j := range group {
						if res, err := h.AddTx(ctx, tx, j.b, j.revs); err != nil || res.Rejected != nil {
							return errors.Join(err, res.Rejected)
						}
					}
					return nil
				})
				for _, j := range group {
					j.done <- err
				}
			}
		}()
	}
	slots := make(chan struct{}, max(1, runtime.GOMAXPROCS(0)-1))
	var wg sync.WaitGroup
	t0 := time.Now()
	for i := range f.devices {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, data := range f.batches[i] {
				slots <- struct{}{}
				bt, err := batch.Read(bytes.NewReader(data), batch.Limits{})
				var revs []survey.Revision
				if err == nil {
					revs, err = hub.Check(bt, hub.Options{Signers: signers[i], Known: known})
				}
				var v store.Verified
				if err == nil {
					v, err = store.VerifyBatchRevisions(revs...)
				}
				<-slots
				if err != nil {
					b.Error(err)
					return
				}
				if grouped {
					done := make(chan error, 1)
					queue <- job{bt, v, done}
					err = <-done
				} else {
					err = h.Store().Update(ctx, func(tx *store.Tx) error {
						res, err := h.AddTx(ctx, tx, bt, v)
						return errors.Join(err, res.Rejected)
					})
				}
				if err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	took := time.Since(t0)
	close(queue)
	writer.Wait()
	return took
}

// BenchmarkIngest measures the server taking in the batches of many devices at once over
// HTTP on loopback (enrolled devices, receipts signed, group commit, interviews marked
// submitted), next to the raw cost of the same batches in the same run (rawIngest: the
// same checks and the same store path, grouped the same way, and also one transaction per
// batch), and reports both per batch and per interview, their ratios (ratio: server over
// raw grouped, the target ≤ 1.5; ratio-1tx: server over raw with a transaction a batch),
// and the bytes a device sends per completed DGRA interview. FIELDSURVEY_BENCH_DEVICES sets
// the number of devices (default 32), each sending 3 batches of 2 interviews.
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
	var httpTime, rawTime, raw1Time time.Duration
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
		rawTime += rawIngest(b, f, b.TempDir(), true)
		raw1Time += rawIngest(b, f, b.TempDir(), false)
		b.StartTimer()
	}
	b.StopTimer()
	per := func(d time.Duration, k int) float64 { return float64(d.Nanoseconds()) / float64(b.N*k) }
	rate := func(d time.Duration) float64 { return float64(b.N*f.interviews) / d.Seconds() }
	b.ReportMetric(per(httpTime, batches), "server-ns/batch")
	b.ReportMetric(per(rawTime, batches), "raw-ns/batch")
	b.ReportMetric(per(raw1Time, batches), "raw1tx-ns/batch")
	b.ReportMetric(float64(httpTime)/float64(rawTime), "ratio")
	b.ReportMetric(float64(httpTime)/float64(raw1Time), "ratio-1tx")
	b.ReportMetric(rate(httpTime), "server-interviews/s")
	b.ReportMetric(rate(rawTime), "raw-interviews/s")
	b.ReportMetric(rate(raw1Time), "raw1tx-interviews/s")
	b.ReportMetric(float64(sent)/float64(b.N*f.interviews), "bytes/interview")
	b.ReportMetric(0, "ns/op")
}
