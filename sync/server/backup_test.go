package server_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/sync/server"
	"github.com/fieldsurvey/fieldsurvey/sync/server/servertest"
)

// TestBackupWhileServing: a backup taken while uploads are being stored is a consistent
// store (integrity ok) that opens as a server store, holds whole batches only (every batch
// record with its revisions), and is refused over an existing file.
func TestBackupWhileServing(t *testing.T) {
	dir := t.TempDir()
	e := servertest.Start(t, dir, nil)
	q := servertest.DGRA(t)
	const n = 12
	devs := make([]*servertest.Device, n)
	datas := make([][]byte, n)
	for i := range devs {
		devs[i] = servertest.NewDevice(t, fmt.Sprintf("laptop-%02d", i), fmt.Sprintf("a%d@example.org", i))
		e.Enroll(devs[i])
		datas[i], _ = devs[i].Batch(t, devs[i].Interview(t, q, fmt.Sprintf("0193a5b2-7c1e-7000-8000-%012d", 700+i), t0, rnd()))
	}
	post(t, e, devs[0], datas[0])
	var wg sync.WaitGroup
	for i := 1; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if resp, body, err := servertest.Post(http.DefaultClient, e.URL, devs[i], datas[i]); err != nil || resp.StatusCode != 200 {
				t.Errorf("upload %d: %v %s", i, err, body)
			}
		}()
	}
	out := filepath.Join(t.TempDir(), "backup", server.DBFile)
	os.MkdirAll(filepath.Dir(out), 0o700)
	rep, err := server.Backup(context.Background(), dir, out)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if rep.Integrity != "ok" || rep.Batches < 1 || rep.Devices != n {
		t.Fatalf("backup %+v", rep)
	}
	// The copy is a server store: every batch it records is whole.
	cp, err := server.OpenSQLite(filepath.Dir(out))
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	recs, err := cp.Batches(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	revs := 0
	if err := cp.AllRevisions(context.Background(), func(r survey.Revision) error { revs++; return nil }); err != nil {
		t.Fatal(err)
	}
	perBatch := recs[0].Revisions + 1 // and the server's "submitted"
	if int64(len(recs)) != rep.Batches || revs != len(recs)*perBatch {
		t.Fatalf("the copy holds %d batch records and %d revisions, want %d each with %d", len(recs), revs, len(recs), perBatch)
	}
	if _, err := server.Backup(context.Background(), dir, out); !errors.Is(err, os.ErrExist) {
		t.Fatalf("backup over an existing file: %v", err)
	}
}
