package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/fieldsurvey/fieldsurvey/sync/batch"
	"github.com/fieldsurvey/fieldsurvey/sync/server"
	"github.com/fieldsurvey/fieldsurvey/sync/server/servertest"
)

// TestMigrateLarge measures `server migrate` of a big hub: FIELDSURVEY_MIGRATE_N completed
// DGRA interviews (FIELDSURVEY_LOAD_EDITS=1: one revision per answer) from 100 devices in
// batches of 10, stored through the SQLite store's Ingest, then copied to PostgreSQL and
// verified. Skipped unless FIELDSURVEY_MIGRATE_N is set (and FIELDSURVEY_TEST_POSTGRES).
func TestMigrateLarge(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("FIELDSURVEY_MIGRATE_N"))
	if n <= 0 {
		t.Skip("set FIELDSURVEY_MIGRATE_N (interviews, a multiple of 1000) and FIELDSURVEY_TEST_POSTGRES to measure server migrate")
	}
	pg := servertest.Postgres(t)
	ctx := context.Background()
	const devices, perBatch = 100, 10
	start := time.Now()
	f := makeFleet(t, devices, max(1, n/devices/perBatch), perBatch)
	t.Logf("made %d interviews, %d revisions in %d batches in %s", f.interviews, f.revisions, devices*max(1, n/devices/perBatch), time.Since(start).Round(time.Second))

	dir := t.TempDir()
	sq, err := server.OpenSQLite(dir)
	if err != nil {
		t.Fatal(err)
	}
	key := servertest.NewDevice(t, "server", "server").Signer
	srvDev := server.ServerDevice(key.PublicKey())
	recs := make([]server.Device, devices)
	for i, d := range f.devices {
		tok, _, err := server.IssueToken(ctx, sq, key, d.Principal, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if recs[i], err = sq.Enroll(ctx, tok.Hash(), server.Device{ID: d.ID, Principal: d.Principal, PublicKey: d.PublicKey()}, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	start = time.Now()
	var wg sync.WaitGroup
	for i := range f.devices {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, data := range f.batches[i] {
				b, err := batch.Read(bytes.NewReader(data), batch.Limits{})
				if err != nil {
					t.Error(err)
					return
				}
				revs, err := b.Revisions()
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := sq.Ingest(ctx, server.Upload{Device: recs[i], Batch: b, Revisions: revs, Server: srvDev, Time: time.Now()}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	fi, _ := os.Stat(dir + "/" + server.DBFile)
	t.Logf("SQLite hub built in %s (%.0f MiB)", time.Since(start).Round(time.Second), float64(fi.Size())/(1<<20))

	st, err := pg.Open(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	dst := st.(*server.Postgres)
	defer dst.Close()
	start = time.Now()
	rep, err := server.MigrateToPostgres(ctx, sq, dst, srvDev, func(s string) { t.Logf("  %s (%s)", s, time.Since(start).Round(time.Second)) })
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.MarshalIndent(rep, "", "  ")
	t.Logf("server migrate of %d interviews: copy %s, verify %s, total %s\n%s", f.interviews,
		rep.Copy.Round(time.Millisecond), rep.Verify.Round(time.Millisecond), time.Since(start).Round(time.Millisecond), b)
	if !rep.OK() || rep.Interviews != f.interviews {
		t.Fatalf("verification failed")
	}
	sq.Close()
}
