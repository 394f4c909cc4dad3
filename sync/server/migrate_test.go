package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/sync/keys"
	"github.com/fieldsurvey/fieldsurvey/sync/server"
	"github.com/fieldsurvey/fieldsurvey/sync/server/servertest"
	"github.com/fieldsurvey/fieldsurvey/sync/wire"
)

// TestMigrateToPostgres: a SQLite server with devices, batches, a refusal, a decision, a
// published questionnaire and cursors is copied to PostgreSQL; the verification finds both
// the same; a node on the copy answers a batch sent again with the same receipt, byte for
// byte, and a device's inbox goes on from its cursor; a target that is not empty is refused.
func TestMigrateToPostgres(t *testing.T) {
	pg := servertest.Postgres(t)
	ctx := context.Background()
	dir := t.TempDir()
	e := servertest.Start(t, dir, nil)
	q := servertest.DGRA(t)
	sup := servertest.NewDevice(t, "supervisor", "sup@example.org")
	e.EnrollAs(sup, survey.RoleSupervisor)
	var datas [][]byte
	var devs []*servertest.Device
	var receipts []wire.SignedReceipt
	for i := range 4 {
		d := servertest.NewDevice(t, fmt.Sprintf("laptop-%d", i), fmt.Sprintf("a%d@example.org", i))
		e.Enroll(d)
		data, _ := d.Batch(t, d.Interview(t, q, fmt.Sprintf("0193a5b2-7c1e-7000-8000-%012d", 500+i), t0, rnd()))
		receipts = append(receipts, post(t, e, d, data))
		datas, devs = append(datas, data), append(devs, d)
	}
	// A refused batch (a decision by an assessor's key), a decision, a publication.
	revs := devs[0].Interview(t, q, "0193a5b2-7c1e-7000-8000-000000000600", t0, rnd())
	approve := devs[0].Revision(t, survey.Target{Interview: "0193a5b2-7c1e-7000-8000-000000000600", Kind: survey.KindStatus}, survey.StatusChange{Status: survey.StatusApproved}, t0, revs[len(revs)-1].ID)
	bad, _ := devs[0].Batch(t, append(revs, approve))
	postRefused(t, e, devs[0], bad, wire.CodeDecisionNotAllowed)
	srvDev := server.ServerDevice(e.Key.PublicKey())
	if _, err := e.St.Decide(ctx, server.Decision{Interview: "0193a5b2-7c1e-7000-8000-000000000501", Status: survey.StatusReturned, Reason: "thiếu bằng chứng", Device: srvDev, Time: t0}); err != nil {
		t.Fatal(err)
	}
	src, _ := questionnairesSource("dgra-2018")
	if _, err := server.Publish(ctx, e.St, e.Key, "dgra-2018.2.yaml", bytes.Replace(src, []byte("version: "), []byte("version: 9"), 1)); err != nil {
		t.Fatal(err)
	}
	_, inSQLite := inboxAll(t, e, sup, 0)
	e.Stop()

	sq, err := server.OpenSQLite(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer sq.Close()
	st, err := pg.Open(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	dst := st.(*server.Postgres)
	// A database another server's nodes use is refused before anything is copied.
	if err := dst.BindKey(ctx, "SHA256:another-server"); err != nil {
		t.Fatal(err)
	}
	if _, err := server.MigrateServer(ctx, sq, dst, e.Key.PublicKey(), nil); !errors.Is(err, server.ErrOtherKey) {
		t.Fatalf("migration into another server's database: %v, want ErrOtherKey", err)
	}
	var held int
	if err := dst.Pool().QueryRow(ctx, `SELECT count(*) FROM revisions`).Scan(&held); err != nil || held != 0 {
		t.Fatalf("refused migration left %d revisions (%v)", held, err)
	}
	if _, err := dst.Pool().Exec(ctx, `DELETE FROM server_meta WHERE key = 'server_key'`); err != nil {
		t.Fatal(err)
	}
	rep, err := server.MigrateServer(ctx, sq, dst, e.Key.PublicKey(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if fp, err := dst.BoundKey(ctx); err != nil || fp != keys.Fingerprint(e.Key.PublicKey()) {
		t.Fatalf("the copy is bound to %q (%v), want this server's key", fp, err)
	}
	if !rep.OK() || rep.Interviews != 4 /* the refused batch stored nothing */ {
		b, _ := json.MarshalIndent(rep, "", "  ")
		t.Fatalf("verification: %s", b)
	}
	for _, tc := range rep.Tables {
		if tc.Source == 0 && tc.Table != "server_nonces" {
			t.Errorf("table %s: nothing copied: the test should fill it", tc.Table)
		}
	}
	// Again into the same database: refused, nothing changed.
	if _, err := server.MigrateToPostgres(ctx, sq, dst, srvDev, nil); !errors.Is(err, server.ErrTargetNotEmpty) {
		t.Fatalf("second migration: %v, want ErrTargetNotEmpty", err)
	}
	dst.Close()

	// A node on the copy, with the same key.
	os.Rename(filepath.Join(dir, server.DBFile), filepath.Join(dir, "old.db"))
	n := servertest.StartOn(t, pg, dir, nil)
	for i, d := range devs {
		again := post(t, n, d, datas[i])
		if !again.Replay || !bytes.Equal(again.Receipt, receipts[i].Receipt) || again.Signature != receipts[i].Signature {
			t.Errorf("device %d: the copy answers another receipt:\n%s\n%s", i, again.Receipt, receipts[i].Receipt)
		}
	}
	_, inPG := inboxAll(t, n, sup, 0)
	if inPG.Cursor != inSQLite.Cursor || len(inPG.Revisions) != len(inSQLite.Revisions) {
		t.Errorf("the supervisor's inbox: cursor %d, %d revisions on the copy; %d, %d before", inPG.Cursor, len(inPG.Revisions), inSQLite.Cursor, len(inSQLite.Revisions))
	}
	// What comes next gets positions after the copied ones, and the server's own counter
	// goes on after its copied revisions.
	ret, err := n.St.Decide(ctx, server.Decision{Interview: "0193a5b2-7c1e-7000-8000-000000000502", Status: survey.StatusReturned, Reason: "x", Device: srvDev, Time: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	more, in2 := inboxAll(t, n, sup, inSQLite.Cursor)
	if len(more) != 1 || more[0].ID != ret.ID || in2.Cursor <= inSQLite.Cursor {
		t.Fatalf("after the copy's cursor: %d revisions, cursor %d", len(more), in2.Cursor)
	}
	all, err := n.Holds.InterviewRevisions(ctx, "0193a5b2-7c1e-7000-8000-000000000501")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range all {
		if r.Device == srvDev && r.Counter >= ret.Counter && r.ID != ret.ID {
			t.Errorf("the server's counter %d was given again after the copy (revision %.12s has %d)", ret.Counter, r.ID, r.Counter)
		}
	}
}
