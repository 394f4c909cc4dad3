package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/sync/server"
	"github.com/fieldsurvey/fieldsurvey/sync/server/servertest"
	"github.com/fieldsurvey/fieldsurvey/sync/wire"
)

// fleet is a set of simulated devices with their batches made in advance.
type fleet struct {
	devices    []*servertest.Device
	batches    [][][]byte // per device, in sequence order
	revisions  int
	interviews int
	bytes      int64
	// cpu is the CPU time the process (server and devices) used during the last upload.
	cpu time.Duration
	// written is what the process wrote to storage during the last upload (Linux only).
	written int64
}

// makeFleet makes n devices, each with perDevice batches of ivPerBatch completed DGRA
// interviews (FIELDSURVEY_LOAD_EDITS=1: one revision per answer instead of three).
func makeFleet(t testing.TB, n, perDevice, ivPerBatch int) *fleet {
	t.Helper()
	edits := 3
	if os.Getenv("FIELDSURVEY_LOAD_EDITS") == "1" {
		edits = 1
	}
	q := servertest.DGRA(t)
	f := &fleet{}
	now := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	var wg sync.WaitGroup
	f.devices = make([]*servertest.Device, n)
	f.batches = make([][][]byte, n)
	sem := make(chan struct{}, 4)
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			d := servertest.NewDevice(t, fmt.Sprintf("dev-%04d", i), fmt.Sprintf("assessor%d@example.org", i))
			d.Edits = edits
			rnd := mrand.New(mrand.NewPCG(uint64(i), 42))
			var bs [][]byte
			revs, ivs := 0, 0
			var size int64
			for k := range perDevice {
				var all []survey.Revision
				for j := range ivPerBatch {
					all = append(all, d.Interview(t, q, fmt.Sprintf("0193a5b2-7c1e-7000-%04d-%02d%02d00000000", i, k, j), now, rnd)...)
					ivs++
				}
				data, _ := d.Batch(t, all)
				bs = append(bs, data)
				revs += len(all)
				size += int64(len(data))
			}
			f.devices[i], f.batches[i] = d, bs
			mu.Lock()
			f.revisions += revs
			f.interviews += ivs
			f.bytes += size
			mu.Unlock()
		}()
	}
	wg.Wait()
	return f
}

// countingConn counts the bytes a client writes.
type countingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c countingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.n.Add(int64(n))
	return n, err
}

// upload sends every device's batches, all devices at once, each device its batches in
// order over its own connection, and checks every receipt. It returns the time taken and
// the bytes the devices wrote.
func (f *fleet) upload(t testing.TB, urls ...string) (time.Duration, int64) {
	t.Helper()
	var sent atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, len(f.devices))
	start := make(chan struct{})
	for i, d := range f.devices {
		tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return countingConn{c, &sent}, nil
		}, MaxIdleConnsPerHost: 1}
		hc := &http.Client{Transport: tr}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer tr.CloseIdleConnections()
			<-start
			url := urls[i%len(urls)] // several nodes: the devices spread over them
			for k, data := range f.batches[i] {
				resp, body, err := servertest.Post(hc, url, d, data)
				if err != nil {
					errs <- fmt.Errorf("device %s batch %d: %v", d.ID, k+1, err)
					return
				}
				if resp.StatusCode != 200 {
					errs <- fmt.Errorf("device %s batch %d: %d %s", d.ID, k+1, resp.StatusCode, body)
					return
				}
				var sr wire.SignedReceipt
				if err := json.Unmarshal(body, &sr); err != nil || sr.Replay {
					errs <- fmt.Errorf("device %s batch %d: receipt %s", d.ID, k+1, body)
					return
				}
			}
		}()
	}
	t0, c0, w0 := time.Now(), cpuTime(), writtenBytes()
	close(start)
	wg.Wait()
	d := time.Since(t0)
	f.cpu, f.written = cpuTime()-c0, writtenBytes()-w0
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	return d, sent.Load()
}

// TestLoad uploads the batches of many devices at once to one server on loopback and
// checks that nothing is lost, nothing duplicated and no request failed. By default a
// small fleet (50 devices); FIELDSURVEY_LOAD=1 runs the 500 devices, each with 3
// batches of 2 completed DGRA interviews (FIELDSURVEY_LOAD_DEVICES overrides the count;
// FIELDSURVEY_LOAD_EDITS=1 makes interviews of final answers only).
// FIELDSURVEY_LOAD_STORE=postgres runs it on the PostgreSQL store (FIELDSURVEY_TEST_POSTGRES),
// with FIELDSURVEY_LOAD_NODES servers (default 1) on the one database, the devices spread
// over them.
// FIELDSURVEY_LOAD_SERVE=PATH (or =build: built from this module) runs the server as a real
// `fieldsurvey serve` process on the same data folder (SQLite, one node): the devices are
// enrolled in it first, the upload goes to that process, its own CPU time is reported
// (Linux), and the independent floor of the same batches (floorIngest) runs after it in
// this process, with the ratios. The dirty pages of what ran before are written out before
// each timed phase (settleDisk), so that neither pays for the other's writeback.
func TestLoad(t *testing.T) {
	n, per, ivs := 50, 2, 1
	if os.Getenv("FIELDSURVEY_LOAD") != "" {
		n, per, ivs = 500, 3, 2
		if v, err := strconv.Atoi(os.Getenv("FIELDSURVEY_LOAD_DEVICES")); err == nil && v > 0 {
			n = v
		}
	} else if testing.Short() {
		n = 10
	}
	drv, nodes := servertest.SQLite(), 1
	if os.Getenv("FIELDSURVEY_LOAD_STORE") == "postgres" {
		drv = servertest.Postgres(t)
		if v, err := strconv.Atoi(os.Getenv("FIELDSURVEY_LOAD_NODES")); err == nil && v > 0 {
			nodes = v
		}
	}
	f := makeFleet(t, n, per, ivs)
	dir := t.TempDir()
	var envs []*servertest.Env
	var urls []string
	for range nodes {
		e := servertest.StartOn(t, drv, dir, nil)
		envs, urls = append(envs, e), append(urls, e.URL)
	}
	e := envs[0]
	if nodes > 1 {
		// Both nodes in this process: let them check uploads at once, as separate machines would.
		defer server.SetCPUSlots(max(1, runtime.GOMAXPROCS(0)-1) * nodes)()
	}
	for _, d := range f.devices {
		e.Enroll(d)
	}
	pg, _ := e.St.(*server.Postgres)
	var proc *serveProc
	if v := os.Getenv("FIELDSURVEY_LOAD_SERVE"); v != "" {
		if pg != nil || nodes > 1 {
			t.Fatal("FIELDSURVEY_LOAD_SERVE runs one SQLite server; leave out FIELDSURVEY_LOAD_STORE and FIELDSURVEY_LOAD_NODES")
		}
		bin := serveBinary(t, v)
		e.Stop() // the devices are enrolled: the real server takes over the data folder
		proc = startServe(t, bin, dir)
		urls = []string{proc.url}
	}
	var pc0 time.Duration
	var pw0 int64
	if proc != nil {
		pc0, pw0 = procCPU(proc.cmd.Process.Pid), procWritten(proc.cmd.Process.Pid)
	}
	wal0, postmaster := walBytes(t, pg), postmasterPID(pg)
	pgCPU0 := processCPU(postmaster)
	// FIELDSURVEY_LOAD_FLOOR_FIRST=1 runs the floor before the upload too, to show that the
	// order of the two does not decide the ratio.
	var floorFirst time.Duration
	if proc != nil && os.Getenv("FIELDSURVEY_LOAD_FLOOR_FIRST") == "1" {
		settleDisk()
		floorFirst, _ = floorIngest(t, f, t.TempDir())
	}
	settleDisk()
	load0 := loadAverage()
	took, sent := f.upload(t, urls...)
	load1 := loadAverage()
	if t.Failed() {
		t.FailNow()
	}
	wal, pgCPU := walBytes(t, pg)-wal0, processCPU(postmaster)-pgCPU0
	var serveCPU time.Duration
	var servePeak int64
	if proc != nil {
		serveCPU, f.written = procCPU(proc.cmd.Process.Pid)-pc0, procWritten(proc.cmd.Process.Pid)-pw0
		servePeak = procPeakRSS(proc.cmd.Process.Pid)
		proc.stop(t)
		e.Restart() // to read what the real server stored
	}
	// What the devices sent, and the server's "submitted" on each completed interview.
	h := holdings(t, e)
	if h.revisions != f.revisions+f.interviews || h.batches != n*per {
		t.Fatalf("server holds %d revisions in %d batches, devices sent %d in %d (and %d interviews to mark submitted)",
			h.revisions, h.batches, f.revisions, n*per, f.interviews)
	}
	// Every interview complete on the server and submitted, none twice (revision ids are
	// content hashes: equal counts and no conflicts mean nothing lost and nothing doubled).
	if pg != nil {
		var all, submitted int
		if err := pg.Pool().QueryRow(context.Background(), `SELECT count(*), count(*) FILTER (WHERE status = 'submitted' AND conflicts = 0) FROM interviews`).Scan(&all, &submitted); err != nil {
			t.Fatal(err)
		}
		if all != f.interviews || submitted != all {
			t.Fatalf("server holds %d interviews, %d submitted without conflict; devices sent %d", all, submitted, f.interviews)
		}
	} else {
		sums, err := e.Store.Revisions().List(context.Background(), storeListAll())
		if err != nil {
			t.Fatal(err)
		}
		if len(sums) != f.interviews {
			t.Fatalf("server lists %d interviews, devices sent %d", len(sums), f.interviews)
		}
		for _, s := range sums {
			if s.Status != survey.StatusSubmitted || s.Conflicts != 0 {
				t.Fatalf("interview %s: %s, %d conflicts", s.ID, s.Status, s.Conflicts)
			}
		}
	}
	t.Logf("%s, %d node(s): %d devices × %d batches × %d DGRA interviews: %d interviews, %d revisions, %.1f MiB sent in %s",
		drv.Name, nodes, n, per, ivs, f.interviews, f.revisions, float64(sent)/(1<<20), took.Round(time.Millisecond))
	switch {
	case proc != nil && serveCPU > 0:
		t.Logf("CPU time of the fieldsurvey serve process during the upload: %s (%.3f ms per interview), %.2f cores busy on average (of %d); of this process (the devices): %s",
			serveCPU.Round(time.Millisecond), float64(serveCPU.Microseconds())/1e3/float64(f.interviews), serveCPU.Seconds()/took.Seconds(), runtime.NumCPU(), f.cpu.Round(time.Millisecond))
		if servePeak > 0 {
			t.Logf("peak resident memory of the fieldsurvey serve process: %.0f MiB", float64(servePeak)/(1<<20))
		}
	case proc != nil:
	case f.cpu > 0:
		t.Logf("CPU time of this process (servers and devices; not PostgreSQL's) during the upload: %s, %.2f cores busy on average (of %d)", f.cpu.Round(time.Millisecond), f.cpu.Seconds()/took.Seconds(), runtime.NumCPU())
	}
	if f.written > 0 && pg == nil {
		t.Logf("written to storage during the upload: %.0f MiB (%.1f KiB per revision)", float64(f.written)/(1<<20), float64(f.written)/1024/float64(f.revisions))
	}
	if pgCPU > 0 {
		t.Logf("CPU time of PostgreSQL (every process of its server) during the upload: %s, %.2f cores busy on average; with this process, %.2f of %d",
			pgCPU.Round(time.Millisecond), pgCPU.Seconds()/took.Seconds(), (pgCPU+f.cpu).Seconds()/took.Seconds(), runtime.NumCPU())
	}
	if pg != nil {
		t.Logf("PostgreSQL WAL written during the upload: %.0f MiB (%.1f KiB per revision)", float64(wal)/(1<<20), float64(wal)/1024/float64(f.revisions))
	}
	for k, e := range envs {
		if proc != nil {
			break // the store of the process that stored the batches is gone
		}
		groups, inGroups, busy := e.St.(interface {
			GroupCommits() (int, int, time.Duration)
		}).GroupCommits()
		t.Logf("node %d group commit: %d batches in %d transactions (%.1f a transaction), storing %s", k+1, inGroups, groups, float64(inGroups)/float64(max(groups, 1)), busy.Round(time.Millisecond))
	}
	t.Logf("%.0f interviews accepted per second (%.0f revisions/s, %.0f batches/s); %.0f bytes sent per interview; load average %.2f before, %.2f after",
		float64(f.interviews)/took.Seconds(), float64(f.revisions)/took.Seconds(), float64(n*per)/took.Seconds(), float64(sent)/float64(f.interviews), load0, load1)
	if proc != nil {
		settleDisk()
		fw0 := procWritten(os.Getpid())
		ft, fc := floorIngest(t, f, t.TempDir())
		fw := procWritten(os.Getpid()) - fw0
		t.Logf("independent floor of the same batches (floorIngest, in this process): %.0f interviews/s, %.3f CPU-ms per interview, %.1f KiB written per revision; serve over floor: %.2f× the time, %.2f× the CPU",
			float64(f.interviews)/ft.Seconds(), float64(fc.Microseconds())/1e3/float64(f.interviews), float64(fw)/1024/float64(f.revisions), took.Seconds()/ft.Seconds(), serveCPU.Seconds()/fc.Seconds())
		if floorFirst > 0 {
			t.Logf("the floor run before the upload: %.0f interviews/s; serve over it: %.2f× the time",
				float64(f.interviews)/floorFirst.Seconds(), took.Seconds()/floorFirst.Seconds())
		}
	}
}

// postmasterPID is the process id of the PostgreSQL server when it runs on this machine
// (the parent of this connection's backend), else 0.
func postmasterPID(pg *server.Postgres) int {
	if pg == nil {
		return 0
	}
	var backend int
	if err := pg.Pool().QueryRow(context.Background(), `SELECT pg_backend_pid()`).Scan(&backend); err != nil {
		return 0
	}
	return postgresParent(backend)
}

// walBytes is the PostgreSQL server's WAL position in bytes (0 without PostgreSQL).
func walBytes(t testing.TB, pg *server.Postgres) int64 {
	if pg == nil {
		return 0
	}
	var n int64
	if err := pg.Pool().QueryRow(context.Background(), `SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
