package server_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
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

// floorIngest is an independent floor for the server's ingest of the same batches, built
// without the store's or the hub's code: each batch's container is read and its signature
// and payload hash verified (batch.Read, batch.Verify: the wire format's own checks), the
// payload gunzipped, every line hashed with SHA-256, and every line inserted with that
// hash as its id into a rowid table with a unique index on the id, with the store's
// durability (WAL, synchronous=FULL), the server's checkpointing (beside the writer past
// the same log size, the last step on the writer's connection: see the lines below) and
// the server's group commit (one writer storing whatever checked batches wait, in one
// transaction).
// Checks run at most GOMAXPROCS-1 at a time, each device's batches in order, as in
// rawIngest. It does less than any real server can: no revision is decoded, no head or
// summary kept, no batch record or receipt written.
func floorIngest(b testing.TB, f *fleet, dir string) (took, cpu time.Duration) {
	b.Helper()
	db, err := sql.Open("sqlite", store.DSN(filepath.Join(dir, "floor.db")))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, q := range []string{"PRAGMA journal_size_limit = 204800000", "PRAGMA wal_autocheckpoint = 200000", "PRAGMA cache_size = -32768",
		"CREATE TABLE lines (seq INTEGER PRIMARY KEY, id BLOB NOT NULL, device TEXT NOT NULL, line BLOB NOT NULL)",
		"CREATE UNIQUE INDEX lines_id ON lines (id)"} {
		if _, err := db.Exec(q); err != nil {
			b.Fatal(err)
		}
	}
	ins, err := db.Prepare("INSERT INTO lines (id, device, line) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
	if err != nil {
		b.Fatal(err)
	}
	signers := make([]*keys.AllowedSigners, len(f.devices))
	for i, d := range f.devices {
		signers[i], err = keys.ParseAllowedSigners(strings.NewReader(keys.SignerLine(d.Principal, d.Signer.PublicKey(), batch.Namespace)))
		if err != nil {
			b.Fatal(err)
		}
	}
	type line struct {
		id   [32]byte
		data []byte
	}
	type job struct {
		device string
		lines  []line
		done   chan error
	}
	// The server's checkpointing (store.WithCheckpointer), in its own few lines: after a
	// commit leaves more than 50,000 pages of log (journal_size_limit cuts the file back to
	// that when the log starts again), PASSIVE checkpoints on a second connection while the
	// writer goes on, until a round finds little new; then, while groups are kept small
	// (16 batches, ~3,800 revisions, as the server's smallGroupRevisions), one more round
	// after the next commit, and the writer copies the rest itself before its next
	// transaction, which starts the log again. Its own wal_autocheckpoint is a backstop at
	// four times that.
	ck, err := sql.Open("sqlite", store.DSN(filepath.Join(dir, "floor.db")))
	if err != nil {
		b.Fatal(err)
	}
	defer ck.Close()
	ck.SetMaxOpenConns(1)
	wake, caughtUp := make(chan struct{}, 1), make(chan struct{}, 1)
	var soon atomic.Bool
	var ckDone sync.WaitGroup
	ckDone.Add(1)
	go func() {
		defer ckDone.Done()
		for range wake {
			if fi, err := os.Stat(filepath.Join(dir, "floor.db-wal")); err != nil || fi.Size() <= 204800000 || len(caughtUp) > 0 {
				continue
			}
			prev := int64(-1)
			for range 16 {
				var busy, log, done int64
				if err := ck.QueryRow("PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &log, &done); err != nil || busy != 0 {
					break
				}
				if prev >= 0 && log-prev <= 50000/64 {
					break
				}
				prev = log
			}
			soon.Store(true)
			select {
			case <-wake:
			default:
			}
			select {
			case _, ok := <-wake:
				if !ok {
					return
				}
				var busy, log, done int64
				if err := ck.QueryRow("PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &log, &done); err != nil {
					b.Error(err)
				}
			case <-time.After(2 * time.Second):
			}
			caughtUp <- struct{}{}
		}
	}()
	queue := make(chan job, len(f.devices))
	var writer sync.WaitGroup
	writer.Add(1)
	go func() {
		defer writer.Done()
		defer func() { close(wake); ckDone.Wait() }()
		for j := range queue {
			select {
			case <-caughtUp:
				if _, err := db.Exec("PRAGMA wal_checkpoint(PASSIVE)"); err != nil {
					b.Error(err)
				}
				soon.Store(false)
			default:
			}
			group, limit := []job{j}, 256
			if soon.Load() {
				limit = 16
			}
		more:
			for len(group) < limit {
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
			err := func() error {
				tx, err := db.Begin()
				if err != nil {
					return err
				}
				defer tx.Rollback()
				st := tx.Stmt(ins)
				for _, j := range group {
					for _, l := range j.lines {
						if _, err := st.Exec(l.id[:], j.device, l.data); err != nil {
							return err
						}
					}
				}
				return tx.Commit()
			}()
			select {
			case wake <- struct{}{}:
			default:
			}
			for _, j := range group {
				j.done <- err
			}
		}
	}()
	slots := make(chan struct{}, max(1, runtime.GOMAXPROCS(0)-1))
	var wg sync.WaitGroup
	t0, c0 := time.Now(), cpuTime()
	for i := range f.devices {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, data := range f.batches[i] {
				slots <- struct{}{}
				var lines []line
				bt, err := batch.Read(bytes.NewReader(data), batch.Limits{})
				if err == nil {
					err = batch.Verify(bt, signers[i])
				}
				if err == nil {
					var zr *gzip.Reader
					if zr, err = gzip.NewReader(bytes.NewReader(bt.Payload)); err == nil {
						var plain []byte
						if plain, err = io.ReadAll(zr); err == nil {
							for l := range bytes.SplitSeq(bytes.TrimSpace(plain), []byte("\n")) {
								lines = append(lines, line{sha256.Sum256(l), l})
							}
						}
					}
				}
				<-slots
				if err != nil {
					b.Error(err)
					return
				}
				done := make(chan error, 1)
				queue <- job{bt.Manifest.Device, lines, done}
				if err := <-done; err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	took, cpu = time.Since(t0), cpuTime()-c0
	close(queue)
	writer.Wait()
	var n int
	if err := db.QueryRow("SELECT count(*) FROM lines").Scan(&n); err != nil || n != f.revisions {
		b.Fatalf("floor stored %d lines of %d (%v)", n, f.revisions, err)
	}
	return took, cpu
}

// BenchmarkIngest measures the server taking in the batches of many devices at once over
// HTTP on loopback (enrolled devices, receipts signed, group commit, interviews marked
// submitted), next to the raw cost of the same batches in the same run (rawIngest: the
// same checks and the same store path, grouped the same way, and also one transaction per
// batch), and reports both per batch and per interview, their ratios (ratio: server over
// raw grouped, the target ≤ 1.5; ratio-1tx: server over raw with a transaction a batch),
// and the bytes a device sends per completed DGRA interview. FIELDSURVEY_BENCH_DEVICES sets
// the number of devices (default 32), each sending 3 batches of 2 interviews. The same
// figure against a real `fieldsurvey serve` process, with that process's own CPU time and
// the floor beside it: TestLoad with FIELDSURVEY_LOAD=1 FIELDSURVEY_LOAD_SERVE=build.
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
	var httpTime, rawTime, raw1Time, floorTime, httpCPU, floorCPU time.Duration
	var sent int64
	var ck store.CheckpointStats
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		e := servertest.Start(b, "", nil)
		for _, d := range f.devices {
			e.Enroll(d)
		}
		settleDisk()
		b.StartTimer()
		d, s := f.upload(b, e.URL)
		b.StopTimer()
		if e.Store != nil {
			c := e.Store.Revisions().CheckpointStats()
			ck.Rounds, ck.Handoffs, ck.Background, ck.Writer = ck.Rounds+c.Rounds, ck.Handoffs+c.Handoffs, ck.Background+c.Background, ck.Writer+c.Writer
			ck.PeakLog = max(ck.PeakLog, c.PeakLog)
		}
		e.Stop()
		httpTime += d
		httpCPU += f.cpu
		sent += s
		settleDisk()
		rawTime += rawIngest(b, f, b.TempDir(), true)
		settleDisk()
		raw1Time += rawIngest(b, f, b.TempDir(), false)
		settleDisk()
		ft, fc := floorIngest(b, f, b.TempDir())
		floorTime += ft
		floorCPU += fc
		b.StartTimer()
	}
	b.StopTimer()
	per := func(d time.Duration, k int) float64 { return float64(d.Nanoseconds()) / float64(b.N*k) }
	rate := func(d time.Duration) float64 { return float64(b.N*f.interviews) / d.Seconds() }
	b.ReportMetric(per(httpTime, batches), "server-ns/batch")
	b.ReportMetric(per(rawTime, batches), "raw-ns/batch")
	b.ReportMetric(per(raw1Time, batches), "raw1tx-ns/batch")
	b.ReportMetric(per(floorTime, batches), "floor-ns/batch")
	b.ReportMetric(float64(httpTime)/float64(floorTime), "ratio-floor")
	b.ReportMetric(rate(floorTime), "floor-interviews/s")
	if httpCPU > 0 && floorCPU > 0 {
		// CPU time (the devices' side of HTTP included for the server): on a shared
		// machine, the fairer comparison.
		b.ReportMetric(per(httpCPU, f.interviews)/1e6, "server-cpu-ms/interview")
		b.ReportMetric(per(floorCPU, f.interviews)/1e6, "floor-cpu-ms/interview")
		b.ReportMetric(float64(httpCPU)/float64(floorCPU), "cpu-ratio-floor")
	}
	b.ReportMetric(float64(httpTime)/float64(rawTime), "ratio")
	b.ReportMetric(float64(httpTime)/float64(raw1Time), "ratio-1tx")
	b.ReportMetric(rate(httpTime), "server-interviews/s")
	b.ReportMetric(rate(rawTime), "raw-interviews/s")
	b.ReportMetric(rate(raw1Time), "raw1tx-interviews/s")
	b.ReportMetric(float64(sent)/float64(b.N*f.interviews), "bytes/interview")
	// The server's checkpointer (store.WithCheckpointer): the time its rounds took beside
	// the writer, the time its last steps held the writer, and the log's peak size.
	b.ReportMetric(float64(ck.Background.Milliseconds())/float64(b.N), "ckpt-background-ms")
	b.ReportMetric(float64(ck.Writer.Milliseconds())/float64(b.N), "ckpt-writer-ms")
	b.ReportMetric(float64(ck.Rounds)/float64(b.N), "ckpt-rounds")
	b.ReportMetric(float64(ck.PeakLog)/(1<<20), "wal-peak-MiB")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkWriter measures the group commit's one writer alone: the batches of
// FIELDSURVEY_BENCH_DEVICES devices (default 100; 3 batches of 2 complete DGRA interviews
// each), read and checked beforehand as the server does, stored by commitGroup
// FIELDSURVEY_BENCH_GROUP batches a transaction (default 64) in a store opened as the server
// opens its own, every interview marked submitted. It reports the writer's CPU time (its
// thread's) and wall time per interview, and the load average at the end: the writer is
// the server's bottleneck (issue 13), and its CPU per interview is the figure a shared
// machine disturbs least.
func BenchmarkWriter(b *testing.B) {
	n, group := 100, 64
	if v := os.Getenv("FIELDSURVEY_BENCH_DEVICES"); v != "" {
		if _, err := fmtSscan(v, &n); err != nil {
			b.Fatal(err)
		}
	}
	if v := os.Getenv("FIELDSURVEY_BENCH_GROUP"); v != "" {
		if _, err := fmtSscan(v, &group); err != nil {
			b.Fatal(err)
		}
	}
	const perDevice, ivPerBatch = 3, 2
	f := makeFleet(b, n, perDevice, ivPerBatch)
	known, _ := server.BundledKnown()
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	var uploads []server.Upload
	for k := range perDevice {
		for i, d := range f.devices {
			signers, err := keys.ParseAllowedSigners(strings.NewReader(keys.SignerLine(d.Principal, d.Signer.PublicKey(), batch.Namespace)))
			if err != nil {
				b.Fatal(err)
			}
			bt, err := batch.Read(bytes.NewReader(f.batches[i][k]), batch.Limits{})
			if err != nil {
				b.Fatal(err)
			}
			revs, err := hub.Check(bt, hub.Options{Signers: signers, Known: known})
			if err != nil {
				b.Fatal(err)
			}
			uploads = append(uploads, server.Upload{Device: server.Device{ID: d.ID, Principal: d.Principal, Role: survey.RoleAssessor},
				Batch: bt, Revisions: revs, Server: "server-bench", Time: now})
		}
	}
	var cpu, wall time.Duration
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		st, err := server.OpenSQLite(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		for i, u := range uploads[:len(f.devices)] {
			tok := fmt.Sprintf("token-%d", i)
			if err := st.AddToken(context.Background(), server.TokenRecord{Hash: tok, Assessor: u.Device.Principal, Created: now, Expires: now.Add(time.Hour)}); err != nil {
				b.Fatal(err)
			}
			dev := u.Device
			dev.PublicKey = server.AuthorizedKey(f.devices[i].Signer.PublicKey())
			if _, err := st.Enroll(context.Background(), tok, dev, now); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			t0 := time.Now()
			c, err := st.CommitGroups(uploads, group, threadCPU)
			if err != nil {
				b.Fatal(err)
			}
			cpu, wall = cpu+c, wall+time.Since(t0)
		}()
		b.StopTimer()
		var submitted int
		if err := st.Revisions().View(context.Background(), func(tx *store.Tx) error {
			return tx.QueryRowContext(context.Background(), `SELECT count(*) FROM revisions WHERE device = 'server-bench'`).Scan(&submitted)
		}); err != nil {
			b.Fatal(err)
		}
		if submitted != f.interviews {
			b.Fatalf("%d interviews marked submitted, want %d", submitted, f.interviews)
		}
		if err := st.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.StopTimer()
	per := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 / float64(b.N*f.interviews) }
	b.ReportMetric(per(cpu), "writer-cpu-µs/interview")
	b.ReportMetric(per(wall), "writer-µs/interview")
	b.ReportMetric(loadAverage(), "load")
	b.ReportMetric(0, "ns/op")
}
