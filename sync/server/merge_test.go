package server_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/sync/batch"
	"github.com/fieldsurvey/fieldsurvey/sync/hub"
	"github.com/fieldsurvey/fieldsurvey/sync/keys"
	"github.com/fieldsurvey/fieldsurvey/sync/server"
	"github.com/fieldsurvey/fieldsurvey/sync/server/servertest"
	"github.com/fieldsurvey/fieldsurvey/sync/wire"
)

// signersOf is an allowed_signers list of the devices' keys.
func signersOf(t *testing.T, devs ...*servertest.Device) *keys.AllowedSigners {
	t.Helper()
	var lines []string
	for _, d := range devs {
		lines = append(lines, keys.SignerLine(d.Principal, d.Signer.PublicKey(), batch.Namespace))
	}
	as, err := keys.ParseAllowedSigners(strings.NewReader(strings.Join(lines, "\n") + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	return as
}

// writeBatch writes data as a batch file in dir and returns its path.
func writeBatch(t *testing.T, dir string, m *batch.Manifest, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, fmt.Sprintf("%06d-%s.fsbatch", m.Sequence, m.ID))
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// mergeFiles merges files into st with the devices' keys trusted and returns a result per
// file.
func mergeFiles(t *testing.T, st server.Store, files []string, trusted ...*servertest.Device) []hub.Result {
	t.Helper()
	ctx := context.Background()
	known, err := server.KnownQuestionnaires(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]hub.Result, len(files))
	fm := server.FileMerge{Store: st, Options: hub.Options{Signers: signersOf(t, trusted...), Known: known}}
	if err := fm.Merge(ctx, files, func(i int, file string, res hub.Result) {
		if file != files[i] {
			t.Errorf("result %d is for %s, not %s", i, file, files[i])
		}
		out[i] = res
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestFileMergeFeedsTheServer: batch files merged into a server's store reach the
// supervisors (an unenrolled laptop's as well as an enrolled one's), and the enrolled
// laptop receives what happens to its interview afterwards; merging again is a replay.
func TestFileMergeFeedsTheServer(t *testing.T) {
	servertest.ForEachStore(t, testFileMergeFeedsTheServer)
}

func testFileMergeFeedsTheServer(t *testing.T, drv servertest.Driver) {
	ctx := context.Background()
	e := servertest.StartOn(t, drv, "", nil)
	q := servertest.DGRA(t)
	sup := servertest.NewDevice(t, "sup-1", "sup@example.org")
	e.EnrollAs(sup, survey.RoleSupervisor)
	enrolled := servertest.NewDevice(t, "laptop-enrolled", "an@example.org")
	e.Enroll(enrolled)
	stranger := servertest.NewDevice(t, "laptop-usb-only", "binh@example.org")
	const ivE, ivS = "0193a5b2-7c1e-7000-8000-0000000e0001", "0193a5b2-7c1e-7000-8000-0000000e0002"
	revsE := enrolled.Interview(t, q, ivE, t0, rnd())
	revsS := stranger.Interview(t, q, ivS, t0, rnd())
	dir := t.TempDir()
	dataE, mE := enrolled.Batch(t, revsE)
	dataS, mS := stranger.Batch(t, revsS)
	files := []string{writeBatch(t, dir, mE, dataE), writeBatch(t, dir, mS, dataS)}

	res := mergeFiles(t, e.St, files, enrolled, stranger)
	for i, want := range []int{len(revsE), len(revsS)} {
		if r := res[i]; r.Rejected != nil || r.Added != want || r.Present != 0 || r.Replay {
			t.Fatalf("file %d: %+v (want %d added)", i, r, want)
		}
	}
	// The supervisor receives both interviews, as if uploaded; no "submitted" is made.
	page, err := e.St.Inbox(ctx, sup.ID, 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(page.Revisions), len(revsE)+len(revsS); got != want {
		t.Fatalf("supervisor's inbox: %d revisions, want %d", got, want)
	}
	for _, iv := range []string{ivE, ivS} {
		held, err := e.Holds.InterviewRevisions(ctx, iv)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range held {
			if r.Device != enrolled.ID && r.Device != stranger.ID {
				t.Fatalf("interview %s: a revision of %s (%s): a merge makes none of its own", iv, r.Device, r.Kind)
			}
		}
	}
	// The enrolled laptop follows its interview: the administrator's decision reaches it.
	if _, err := e.St.Decide(ctx, server.Decision{Interview: ivE, Status: survey.StatusReturned, Reason: "Thiếu bằng chứng",
		Device: server.ServerDevice(e.Key.PublicKey()), Time: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	page, err = e.St.Inbox(ctx, enrolled.ID, 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Revisions) != 1 || page.Revisions[0].Kind != survey.KindStatus {
		t.Fatalf("the enrolled laptop's inbox: %d revisions, want its interview's return", len(page.Revisions))
	}
	// Again: replays, nothing added.
	res = mergeFiles(t, e.St, files, enrolled, stranger)
	for i, want := range []int{len(revsE), len(revsS)} {
		if r := res[i]; r.Rejected != nil || !r.Replay || r.Present != want || r.Added != 0 {
			t.Fatalf("again, file %d: %+v", i, r)
		}
	}
	recs, err := e.Holds.Batches(ctx)
	if err != nil || len(recs) != 2 {
		t.Fatalf("batch records %d %v", len(recs), err)
	}
	held, err := server.Held(ctx, e.St)
	if err != nil || len(held.Gaps) != 0 || held.Conflicts != 0 || len(held.Waiting) != 0 {
		t.Fatalf("held %+v %v", held, err)
	}
}

// TestFileMergeRefusals: what the server's records refuse of a batch file (a device
// enrolled with another key, a revoked device), with nothing stored; a decision, as into a
// hub file; a gap is reported.
func TestFileMergeRefusals(t *testing.T) {
	servertest.ForEachStore(t, testFileMergeRefusals)
}

func testFileMergeRefusals(t *testing.T, drv servertest.Driver) {
	ctx := context.Background()
	e := servertest.StartOn(t, drv, "", nil)
	q := servertest.DGRA(t)
	dir := t.TempDir()
	a := servertest.NewDevice(t, "laptop-a", "an@example.org")
	e.Enroll(a)
	// The same device id and principal, another key (a copied home, a forged laptop).
	impostor := servertest.NewDevice(t, a.ID, a.Principal)
	lost := servertest.NewDevice(t, "laptop-lost", "lost@example.org")
	e.Enroll(lost)
	if _, err := e.St.Revoke(ctx, lost.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	sup := servertest.NewDevice(t, "sup-usb", "sup@example.org") // a supervisor's key, on a stick
	gappy := servertest.NewDevice(t, "laptop-gappy", "gap@example.org")

	ivs := []string{"0193a5b2-7c1e-7000-8000-0000000f0001", "0193a5b2-7c1e-7000-8000-0000000f0002", "0193a5b2-7c1e-7000-8000-0000000f0003"}
	d1, m1 := impostor.Batch(t, impostor.Interview(t, q, ivs[0], t0, rnd()))
	d2, m2 := lost.Batch(t, lost.Interview(t, q, ivs[1], t0, rnd()))
	decision := sup.Revision(t, survey.Target{Interview: ivs[2], Kind: survey.KindStatus}, survey.StatusChange{Status: survey.StatusApproved}, t0)
	d3, m3 := sup.Batch(t, []survey.Revision{decision})
	gappy.Seq = 2 // its batches 1 and 2 are still on another stick
	d4, m4 := gappy.Batch(t, gappy.Interview(t, q, ivs[2], t0, rnd()))
	files := []string{writeBatch(t, dir, m1, d1), writeBatch(t, dir, m2, d2), writeBatch(t, dir, m3, d3), writeBatch(t, dir, m4, d4)}

	res := mergeFiles(t, e.St, files, impostor, lost, sup, gappy)
	checks := []struct {
		is     error
		reason string
	}{
		{hub.ErrDeviceKey, "device signed by another key"},
		{server.ErrDeviceRevoked, "device revoked on the server"},
		{hub.ErrDecisionNotAllowed, "decision by an assessor's key"},
	}
	for i, c := range checks {
		r := res[i]
		if !errors.Is(r.Rejected, c.is) {
			t.Fatalf("file %d: rejected %v, want %v", i, r.Rejected, c.is)
		}
		reason, detail := server.ExplainMerge(r.Rejected)
		if reason.Get(survey.LangEN) != c.reason || reason.Get(survey.LangVI) == "" || detail.Get(survey.LangEN) == "" {
			t.Fatalf("file %d: explained %q / %q", i, reason.Get(survey.LangEN), detail.Get(survey.LangEN))
		}
	}
	if r := res[3]; r.Rejected != nil || r.Added == 0 {
		t.Fatalf("the gappy laptop's batch: %+v", r)
	}
	for _, iv := range ivs[:2] {
		held, err := e.Holds.InterviewRevisions(ctx, iv)
		if err != nil || len(held) != 0 {
			t.Fatalf("interview %s of a refused batch: %d revisions held (%v)", iv, len(held), err)
		}
	}
	recs, err := e.Holds.Batches(ctx)
	if err != nil || len(recs) != 1 || recs[0].Device != gappy.ID {
		t.Fatalf("batch records %+v %v", recs, err)
	}
	held, err := server.Held(ctx, e.St)
	if err != nil {
		t.Fatal(err)
	}
	if len(held.Gaps) != 1 || held.Gaps[0] != (hub.Gap{Device: gappy.ID, From: 1, To: 2}) {
		t.Fatalf("gaps %+v", held.Gaps)
	}
	// A batch refused by the store itself: another batch under a sequence number used.
	other, mo, err := batch.Create(gappy.Interview(t, q, ivs[2], t0.Add(time.Hour), rnd())[:3],
		batch.Options{Device: gappy.ID, Signer: gappy.Signer, Principal: gappy.Principal, Sequence: 3})
	if err != nil {
		t.Fatal(err)
	}
	res = mergeFiles(t, e.St, []string{writeBatch(t, t.TempDir(), mo, other)}, gappy)
	if !errors.Is(res[0].Rejected, wire.ErrBatchConflict) {
		t.Fatalf("sequence number reused: %v", res[0].Rejected)
	}
	want := fmt.Sprintf("device %s already sent batch %s as number 3; this is batch %s", gappy.ID, m4.ID, mo.ID)
	wantVI := fmt.Sprintf("thiết bị %s đã gửi lô %s với số thứ tự 3; lô này là %s", gappy.ID, m4.ID, mo.ID)
	if reason, detail := server.ExplainMerge(res[0].Rejected); reason.Get(survey.LangEN) != "sequence number reused" ||
		detail.Get(survey.LangEN) != want || detail.Get(survey.LangVI) != wantVI {
		t.Fatalf("explained %q / %q / %q", reason.Get(survey.LangEN), detail.Get(survey.LangEN), detail.Get(survey.LangVI))
	}
	recs, err = e.Holds.Batches(ctx)
	if err != nil || len(recs) != 1 {
		t.Fatalf("batch records %+v %v", recs, err)
	}
}

// TestFileMergeBesideUploads: the same batch merged from a file by several merges and
// uploaded through the server at the same moment is stored once; every merge says added or
// already present, every upload gets the receipt.
func TestFileMergeBesideUploads(t *testing.T) {
	servertest.ForEachStore(t, testFileMergeBesideUploads)
}

func testFileMergeBesideUploads(t *testing.T, drv servertest.Driver) {
	ctx := context.Background()
	e := servertest.StartOn(t, drv, "", nil)
	q := servertest.DGRA(t)
	dir := t.TempDir()
	// A second store on the same database (another process's merge): on PostgreSQL the
	// same database, on SQLite the same file.
	other, err := drv.Open(t, e.Dir)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	var devs []*servertest.Device
	var files []string
	var datas [][]byte
	for i := range 4 {
		d := servertest.NewDevice(t, fmt.Sprintf("laptop-%d", i), fmt.Sprintf("a%d@example.org", i))
		e.Enroll(d)
		data, m := d.Batch(t, d.Interview(t, q, fmt.Sprintf("0193a5b2-7c1e-7000-8000-0000001000%02d", i), t0, rnd()))
		devs, files, datas = append(devs, d), append(files, writeBatch(t, dir, m, data)), append(datas, data)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	added := map[string]int{}
	for k, st := range []server.Store{e.St, other, other} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			known, err := server.KnownQuestionnaires(ctx, st)
			if err != nil {
				t.Error(err)
				return
			}
			fm := server.FileMerge{Store: st, Options: hub.Options{Signers: signersOf(t, devs...), Known: known}}
			err = fm.Merge(ctx, files, func(i int, file string, res hub.Result) {
				if res.Rejected != nil {
					t.Errorf("merge %d, file %d: %v", k, i, res.Rejected)
				}
				mu.Lock()
				added[res.ID] += res.Added
				mu.Unlock()
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	for i, d := range devs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, body, err := servertest.Post(http.DefaultClient, e.URL, d, datas[i])
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Errorf("upload %d: %v %v %s", i, err, resp, body)
			}
		}()
	}
	wg.Wait()
	recs, err := e.Holds.Batches(ctx)
	if err != nil || len(recs) != len(devs) {
		t.Fatalf("batch records: %d for %d batches (%v)", len(recs), len(devs), err)
	}
	for _, rec := range recs {
		// Added by one merge at most (or by the upload), never twice.
		if added[rec.ID] != 0 && added[rec.ID] != rec.Revisions {
			t.Fatalf("batch %s: merges added %d of its %d revisions", rec.ID, added[rec.ID], rec.Revisions)
		}
	}
}
