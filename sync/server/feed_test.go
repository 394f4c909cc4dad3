package server_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hiddeco/sshsig"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
	"github.com/fieldsurvey/fieldsurvey/sync/batch"
	"github.com/fieldsurvey/fieldsurvey/sync/hub"
	"github.com/fieldsurvey/fieldsurvey/sync/keys"
	"github.com/fieldsurvey/fieldsurvey/sync/server"
	"github.com/fieldsurvey/fieldsurvey/sync/server/servertest"
	"github.com/fieldsurvey/fieldsurvey/sync/wire"
)

// Interview ids of these tests (UUIDs, as batches carry them).
const (
	ivDaNang = "0193a5b2-7c1e-7000-8000-000000000001"
	ivHue    = "0193a5b2-7c1e-7000-8000-000000000002"
	ivNone   = "0193a5b2-7c1e-7000-8000-0000000000ff"
)

// inboxAll reads d's inbox after cursor to its end and returns what came, with the last page.
func inboxAll(t *testing.T, e *servertest.Env, d *servertest.Device, after int64) ([]survey.Revision, wire.Inbox) {
	t.Helper()
	var out []survey.Revision
	for {
		in, werr := getInbox(t, e, inboxRequest(t, e.URL, d, after, time.Now()))
		if werr != nil {
			t.Fatalf("inbox of %s: %v", d.ID, werr)
		}
		for _, raw := range in.Revisions {
			var r survey.Revision
			if err := json.Unmarshal(raw, &r); err != nil {
				t.Fatal(err)
			}
			if err := r.Verify(); err != nil {
				t.Fatal(err)
			}
			out = append(out, r)
		}
		if !in.More {
			return out, in
		}
		if in.Cursor <= after {
			t.Fatalf("inbox of %s: more, but the cursor did not move from %d", d.ID, after)
		}
		after = in.Cursor
	}
}

// idSet is the set of ids of revs that satisfy keep (all when keep is nil).
func idSet(revs []survey.Revision, keep func(survey.Revision) bool) map[string]bool {
	out := map[string]bool{}
	for _, r := range revs {
		if keep == nil || keep(r) {
			out[r.ID] = true
		}
	}
	return out
}

func sameSet(a, b map[string]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

// onServer returns the server's revisions of interview iv.
func onServer(t *testing.T, e *servertest.Env, iv string) []survey.Revision {
	t.Helper()
	revs, err := e.Holds.InterviewRevisions(context.Background(), iv)
	if err != nil {
		t.Fatal(err)
	}
	return revs
}

func notBy(device string) func(survey.Revision) bool {
	return func(r survey.Revision) bool { return r.Device != device }
}

// postRefused uploads data as d and returns the signed refusal the server answers.
func postRefused(t *testing.T, e *servertest.Env, d *servertest.Device, data []byte, code wire.Code) (*wire.SignedRefusal, []byte) {
	t.Helper()
	device := d.ID
	resp, body, err := servertest.Post(http.DefaultClient, e.URL, d, data)
	if err != nil {
		t.Fatal(err)
	}
	we := decodeError(t, resp.StatusCode, body)
	if we.Code != code {
		t.Fatalf("upload of %s: %s (%s), want %s", device, we.Code, we.Message, code)
	}
	rf := wire.FromResponse(resp.StatusCode, body).Refusal
	if rf == nil {
		t.Fatalf("upload of %s: refused without a signed refusal: %s", device, body)
	}
	return rf, body
}

// TestFeedEveryDeviceGetsWhatOthersMade: a device that sends revisions of an interview gets
// every revision of it that it does not hold (a backfill of what came before, then each
// batch), never its own; a device assigned an interview (Follow) gets it the same way.
func TestFeedEveryDeviceGetsWhatOthersMade(t *testing.T) {
	servertest.ForEachStore(t, testFeedEveryDeviceGetsWhatOthersMade)
}

func testFeedEveryDeviceGetsWhatOthersMade(t *testing.T, drv servertest.Driver) {
	e := servertest.StartOn(t, drv, "", nil)
	ctx := context.Background()
	q := servertest.DGRA(t)
	a := servertest.NewDevice(t, "laptop-a", "a@example.org")
	b := servertest.NewDevice(t, "laptop-b", "b@example.org")
	c := servertest.NewDevice(t, "laptop-c", "c@example.org")
	for _, d := range []*servertest.Device{a, b, c} {
		e.Enroll(d)
	}
	data, _ := a.Batch(t, a.Interview(t, q, ivDaNang, t0, rnd()))
	post(t, e, a, data)
	// a gets only the server's "submitted".
	got, ina := inboxAll(t, e, a, 0)
	if len(got) != 1 || got[0].Device != server.ServerDevice(e.Key.PublicKey()) {
		t.Fatalf("a's inbox: %d revisions", len(got))
	}
	// b edits the same answer: it gets everything but its own.
	edit := b.Revision(t, survey.Target{Interview: ivDaNang, Kind: survey.KindAnswer, Key: "1.1"}, survey.Answer{Rating: survey.Amber}, t0)
	bd, _ := b.Batch(t, []survey.Revision{edit})
	post(t, e, b, bd)
	got, inb := inboxAll(t, e, b, 0)
	if want := idSet(onServer(t, e, ivDaNang), notBy(b.ID)); !sameSet(idSet(got, nil), want) {
		t.Fatalf("b's inbox: %d revisions, want the %d of the server not b's", len(got), len(want))
	}
	// a gets b's edit, once.
	got, ina = inboxAll(t, e, a, ina.Cursor)
	if len(got) != 1 || got[0].ID != edit.ID {
		t.Fatalf("a after b's edit: %d revisions", len(got))
	}
	// c is assigned the interview: a backfill of all of it; then a's next edit reaches b and c.
	if err := e.St.Follow(ctx, c.ID, ivDaNang); err != nil {
		t.Fatal(err)
	}
	if err := e.St.Follow(ctx, c.ID, ivDaNang); err != nil { // again: nothing more
		t.Fatal(err)
	}
	got, inc := inboxAll(t, e, c, 0)
	if want := idSet(onServer(t, e, ivDaNang), nil); !sameSet(idSet(got, nil), want) {
		t.Fatalf("c's backfill: %d revisions, want %d", len(got), len(want))
	}
	fix := a.Revision(t, survey.Target{Interview: ivDaNang, Kind: survey.KindAnswer, Key: "1.1"}, survey.Answer{Rating: survey.Green}, t0, edit.ID)
	fd, _ := a.Batch(t, []survey.Revision{fix})
	post(t, e, a, fd)
	for _, x := range []struct {
		d     *servertest.Device
		after int64
	}{{b, inb.Cursor}, {c, inc.Cursor}} {
		if got, _ := inboxAll(t, e, x.d, x.after); len(got) != 1 || got[0].ID != fix.ID {
			t.Fatalf("%s after a's fix: %d revisions", x.d.ID, len(got))
		}
	}
	if got, _ := inboxAll(t, e, a, ina.Cursor); len(got) != 0 {
		t.Fatalf("a got %d of its own revisions back", len(got))
	}
	if err := e.St.Follow(ctx, "no-such-device", ivDaNang); !errors.Is(err, wire.ErrDeviceUnknown) {
		t.Fatalf("follow by an unknown device: %v", err)
	}
}

// TestFeedPagesAreWholeRows: a page ends between feed rows, never inside one, so a row
// larger than the limit comes whole; the pages together hold everything once.
func TestFeedPagesAreWholeRows(t *testing.T) { servertest.ForEachStore(t, testFeedPagesAreWholeRows) }

func testFeedPagesAreWholeRows(t *testing.T, drv servertest.Driver) {
	e, q, a, b := twoLaptops(t, drv, func(c *server.Config) { c.InboxLimit = 50 })
	ids := []string{ivDaNang, ivHue, "0193a5b2-7c1e-7000-8000-000000000003"}
	for _, iv := range ids {
		data, _ := a.Batch(t, a.Interview(t, q, iv, t0, rnd()))
		post(t, e, a, data)
	}
	if err := e.St.Follow(context.Background(), b.ID, ids...); err != nil {
		t.Fatal(err)
	}
	var all []survey.Revision
	var after int64
	pages := 0
	for {
		in, werr := getInbox(t, e, inboxRequest(t, e.URL, b, after, time.Now()))
		if werr != nil {
			t.Fatal(werr)
		}
		pages++
		ivs := map[string]bool{}
		for _, raw := range in.Revisions {
			var r survey.Revision
			json.Unmarshal(raw, &r)
			all = append(all, r)
			ivs[r.Interview] = true
		}
		// Each backfill row is one interview, larger than the limit: one a page.
		if in.More && len(ivs) != 1 {
			t.Fatalf("page %d holds %d interviews", pages, len(ivs))
		}
		if !in.More {
			break
		}
		after = in.Cursor
	}
	want := map[string]bool{}
	for _, iv := range ids {
		for id := range idSet(onServer(t, e, iv), nil) {
			want[id] = true
		}
	}
	if got := idSet(all, nil); len(all) != len(want) || !sameSet(got, want) {
		t.Fatalf("%d pages brought %d revisions (%d distinct), want %d", pages, len(all), len(got), len(want))
	}
	if pages != 3 {
		t.Fatalf("%d pages, want 3 (one a backfill)", pages)
	}
}

// TestSupervisorScope: a supervisor's device receives the interviews of its provinces
// (those that came before it enrolled too), decides on them, and is refused a decision
// outside them with a signed refusal of its own code; an assessor's device cannot decide;
// a revoked supervisor can neither send nor receive, and drops out of the devices' list of
// trusted supervisors.
func TestSupervisorScope(t *testing.T) { servertest.ForEachStore(t, testSupervisorScope) }

func testSupervisorScope(t *testing.T, drv servertest.Driver) {
	e := servertest.StartOn(t, drv, "", nil)
	q := servertest.DGRA(t)
	a := servertest.NewDevice(t, "laptop-a", "a@example.org")
	c := servertest.NewDevice(t, "laptop-c", "c@example.org")
	c.Province = "Thừa Thiên Huế"
	early := servertest.NewDevice(t, "sup-danang", "binh@example.org") // enrolled before any interview
	late := servertest.NewDevice(t, "sup-all", "chi@example.org")      // enrolled after, unscoped
	e.Enroll(a)
	e.Enroll(c)
	e.EnrollAs(early, survey.RoleSupervisor, " đà  NẴNG ")
	data, _ := a.Batch(t, a.Interview(t, q, ivDaNang, t0, rnd()))
	post(t, e, a, data)
	data, _ = c.Batch(t, c.Interview(t, q, ivHue, t0, rnd()))
	post(t, e, c, data)
	e.EnrollAs(late, survey.RoleSupervisor)

	got, inEarly := inboxAll(t, e, early, 0)
	if !sameSet(idSet(got, nil), idSet(onServer(t, e, ivDaNang), nil)) {
		t.Fatalf("the Đà Nẵng supervisor got %d revisions, want all %d of the Đà Nẵng interview", len(got), len(onServer(t, e, ivDaNang)))
	}
	got, inLate := inboxAll(t, e, late, 0)
	if want := len(onServer(t, e, ivDaNang)) + len(onServer(t, e, ivHue)); len(idSet(got, nil)) != want {
		t.Fatalf("the supervisor of every province got %d revisions, want %d", len(got), want)
	}
	// The laptops trust both supervisors' keys.
	_, ina := inboxAll(t, e, a, 0)
	lines := map[string]bool{}
	for _, l := range ina.Supervisors {
		lines[l] = true
	}
	if len(ina.Supervisors) != 2 || !lines[keys.SignerLine(early.Principal, early.Signer.PublicKey(), batch.Namespace)] ||
		!lines[keys.SignerLine(late.Principal, late.Signer.PublicKey(), batch.Namespace)] {
		t.Fatalf("supervisors listed to a laptop: %q", ina.Supervisors)
	}
	if _, in := inboxAll(t, e, early, inEarly.Cursor); len(in.Supervisors) != 1 {
		t.Fatalf("a supervisor is listed its own key: %q", in.Supervisors)
	}

	// The Đà Nẵng supervisor approves its interview: stored, and the assessor's laptop gets it.
	sub := statusOnServer(t, e, ivDaNang)[0]
	approve := early.Revision(t, survey.Target{Interview: ivDaNang, Kind: survey.KindStatus}, survey.StatusChange{Status: survey.StatusApproved}, t0, sub.ID)
	ad, _ := early.Batch(t, []survey.Revision{approve})
	post(t, e, early, ad)
	if got, _ := inboxAll(t, e, a, ina.Cursor); len(got) != 1 || got[0].ID != approve.ID {
		t.Fatalf("a after the approval: %d revisions", len(got))
	}
	if got, _ := inboxAll(t, e, late, inLate.Cursor); len(got) != 1 || got[0].ID != approve.ID {
		t.Fatalf("the other supervisor after the approval: %d revisions", len(got))
	}
	// Outside its scope, and on an interview the server does not hold: refused, signed.
	before := holdings(t, e)
	subHue := statusOnServer(t, e, ivHue)[0]
	outside := early.Revision(t, survey.Target{Interview: ivHue, Kind: survey.KindStatus}, survey.StatusChange{Status: survey.StatusReturned, Reason: "thiếu"}, t0, subHue.ID)
	od, _ := early.Batch(t, []survey.Revision{outside})
	rf, _ := postRefused(t, e, early, od, wire.CodeOutOfScope)
	r := checkRefusal(t, e, rf, early.ID, 2, wire.CodeOutOfScope)
	if !strings.Contains(r.Message, `is in "Thừa Thiên Huế", outside this supervisor's provinces (đà NẴNG)`) {
		t.Fatalf("out of scope: %s", r.Message)
	}
	unknown := early.Revision(t, survey.Target{Interview: ivNone, Kind: survey.KindStatus}, survey.StatusChange{Status: survey.StatusApproved}, t0)
	ud, _ := early.Batch(t, []survey.Revision{unknown})
	rf, _ = postRefused(t, e, early, ud, wire.CodeOutOfScope)
	if r := checkRefusal(t, e, rf, early.ID, 3, wire.CodeOutOfScope); !strings.Contains(r.Message, "does not hold interview "+ivNone+" yet") {
		t.Fatalf("unknown interview: %s", r.Message)
	}
	// A supervisor without a scope may decide there.
	ret := late.Revision(t, survey.Target{Interview: ivHue, Kind: survey.KindStatus}, survey.StatusChange{Status: survey.StatusReturned, Reason: "Thiếu bằng chứng 7.1"}, t0, subHue.ID)
	rd, _ := late.Batch(t, []survey.Revision{ret})
	if after := holdings(t, e); after != before {
		t.Fatalf("refusals changed the server: %+v -> %+v", before, after)
	}
	post(t, e, late, rd)

	// Revoked: no uploads, no downloads, and the laptops stop trusting it.
	if _, err := e.St.Revoke(context.Background(), early.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, body, _ := servertest.Post(http.DefaultClient, e.URL, early, od)
	if we := decodeError(t, resp.StatusCode, body); we.Code != wire.CodeDeviceRevoked {
		t.Fatalf("revoked supervisor's upload: %s", we.Code)
	}
	if _, werr := getInbox(t, e, inboxRequest(t, e.URL, early, 0, time.Now())); werr == nil || werr.Code != wire.CodeDeviceRevoked {
		t.Fatalf("revoked supervisor's inbox: %v", werr)
	}
	if _, in := inboxAll(t, e, a, 0); len(in.Supervisors) != 1 || !strings.HasPrefix(in.Supervisors[0], late.Principal+" ") {
		t.Fatalf("supervisors after the revocation: %q", in.Supervisors)
	}
	// The devices list says who is what, and what was refused.
	devs, err := e.St.Devices(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range devs {
		if d.ID == early.ID && (d.Role != survey.RoleSupervisor || !slices.Equal(d.Scope, []string{"đà NẴNG"}) || len(d.Refused) != 2 || len(d.Missing) != 0 || d.LastSeq != 1) {
			t.Fatalf("supervisor in the devices list: %+v", d)
		}
	}
}

// TestRefusalIsRecorded: a batch refused for its content gets a signed refusal; sent
// again, the very same bytes; its sequence number is refused, not missing; a batch that
// reuses a number gets its own refusal.
func TestRefusalIsRecorded(t *testing.T) { servertest.ForEachStore(t, testRefusalIsRecorded) }

func testRefusalIsRecorded(t *testing.T, drv servertest.Driver) {
	e := servertest.StartOn(t, drv, "", nil)
	q := servertest.DGRA(t)
	a := servertest.NewDevice(t, "laptop-a", "a@example.org")
	e.Enroll(a)
	revs := a.Interview(t, q, ivDaNang, t0, rnd())
	approve := a.Revision(t, survey.Target{Interview: ivDaNang, Kind: survey.KindStatus}, survey.StatusChange{Status: survey.StatusApproved}, t0, revs[len(revs)-1].ID)
	bad, m := a.Batch(t, append(revs, approve)) // sequence 1
	rf1, body1 := postRefused(t, e, a, bad, wire.CodeDecisionNotAllowed)
	r := checkRefusal(t, e, rf1, a.ID, 1, wire.CodeDecisionNotAllowed)
	if r.Batch != m.ID || r.Reason != "decision by an assessor's key" {
		t.Fatalf("refusal %+v", r)
	}
	_, body2 := postRefused(t, e, a, bad, wire.CodeDecisionNotAllowed)
	if !bytes.Equal(body1, body2) {
		t.Fatalf("the same batch got another answer:\n%s\n%s", body1, body2)
	}
	// The device goes on: batch 2 is stored, and 1 is not a gap.
	good, _ := a.Batch(t, revs)
	post(t, e, a, good)
	devs, _ := e.St.Devices(context.Background())
	if len(devs) != 1 || len(devs[0].Missing) != 0 || len(devs[0].Refused) != 1 || devs[0].Refused[0].Seq != 1 ||
		devs[0].Refused[0].Reason.Get(survey.LangVI) != "quyết định được ký bằng khoá của người đánh giá" {
		t.Fatalf("devices: %+v", devs)
	}
	// Number 2 again, with other content.
	a.Seq = 1
	other, _ := a.Batch(t, []survey.Revision{a.Revision(t, survey.Target{Interview: ivDaNang, Kind: survey.KindAnswer, Key: "1.1"}, survey.Answer{Rating: survey.Red}, t0)})
	rf, _ := postRefused(t, e, a, other, wire.CodeBatchConflict)
	if r := checkRefusal(t, e, rf, a.ID, 2, wire.CodeBatchConflict); r.Reason != "sequence number reused" {
		t.Fatalf("reused number: %+v", r)
	}
	// A damaged copy of a refused batch is not its refusal's: it fails its own check.
	flipped := bytes.Clone(bad)
	at := bytes.Index(flipped, []byte(`"signer":"a@`)) + 10
	flipped[at] ^= 0x20
	resp, body, _ := servertest.Post(http.DefaultClient, e.URL, a, flipped)
	if we := wire.FromResponse(resp.StatusCode, body); we.Code != wire.CodeBadSignature || we.Refusal != nil {
		t.Fatalf("damaged copy: %s, refusal %v", we.Code, we.Refusal != nil)
	}
}

// TestInboxGzip: the inbox is compressed when the device accepts it; the signature covers
// the JSON either way.
func TestInboxGzip(t *testing.T) { servertest.ForEachStore(t, testInboxGzip) }

func testInboxGzip(t *testing.T, drv servertest.Driver) {
	e, q, a, b := twoLaptops(t, drv, nil)
	data, _ := a.Batch(t, a.Interview(t, q, ivDaNang, t0, rnd()))
	post(t, e, a, data)
	if err := e.St.Follow(context.Background(), b.ID, ivDaNang); err != nil {
		t.Fatal(err)
	}
	var sizes [2]int
	var bodies [2][]byte
	for i, gz := range []bool{false, true} {
		r := inboxRequest(t, e.URL, b, 0, time.Now())
		if gz {
			r.Header.Set("Accept-Encoding", "gzip")
		}
		resp, err := (&http.Client{Transport: &http.Transport{DisableCompression: true}}).Do(r)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		sizes[i] = len(raw)
		if got := resp.Header.Get("Content-Encoding") == "gzip"; got != gz {
			t.Fatalf("gzip asked %v, answered %v", gz, got)
		}
		body := raw
		if gz {
			zr, err := gzip.NewReader(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			body, _ = io.ReadAll(zr)
		}
		sig, _ := base64.StdEncoding.DecodeString(resp.Header.Get(wire.SignatureHeader))
		s, err := sshsig.ParseSignature(sig)
		if err != nil {
			t.Fatal(err)
		}
		verifySig(t, e, body, s, wire.NamespaceInbox)
		bodies[i] = body
	}
	var plain, unzipped wire.Inbox
	json.Unmarshal(bodies[0], &plain)
	json.Unmarshal(bodies[1], &unzipped)
	if len(plain.Revisions) == 0 || len(plain.Revisions) != len(unzipped.Revisions) {
		t.Fatalf("%d and %d revisions", len(plain.Revisions), len(unzipped.Revisions))
	}
	if sizes[1]*4 > sizes[0] {
		t.Fatalf("compressed %d bytes, plain %d: less than 4 times smaller", sizes[1], sizes[0])
	}
	t.Logf("inbox of one DGRA interview (%d revisions): %d bytes, %d gzip-compressed", len(plain.Revisions), sizes[0], sizes[1])
}

// TestMigrationKeepsWhatWasQueued: a server store made before the feed (decisions and
// questionnaires queued per device in server_inbox) is migrated so that nothing queued is
// lost: a device reading the feed from the start, or from its old cursor, gets it all.
func TestMigrationKeepsWhatWasQueued(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	q := servertest.DGRA(t)
	a := servertest.NewDevice(t, "laptop-a", "a@example.org")
	b := servertest.NewDevice(t, "laptop-b", "b@example.org")
	old, err := hub.Open(filepath.Join(dir, server.DBFile), store.WithMigrations(server.Component, server.Migrations()[:1]))
	if err != nil {
		t.Fatal(err)
	}
	data, _ := a.Batch(t, a.Interview(t, q, ivDaNang, t0, rnd()))
	bt, err := batch.Read(bytes.NewReader(data), batch.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	revs, err := bt.Revisions()
	if err != nil {
		t.Fatal(err)
	}
	if res, err := old.Add(ctx, bt, revs); err != nil || res.Rejected != nil {
		t.Fatalf("old store: %v %v", err, res.Rejected)
	}
	srvDev := "server-0123456789ab"
	src := []byte(strings.Replace(string(mustBundled(t)), `version: "2018.1"`, `version: "2018.2"`, 1))
	var returned survey.Revision
	// What the server of that version wrote: devices, a decision queued for a, a
	// questionnaire queued for both.
	err = old.Store().Update(ctx, func(tx *store.Tx) error {
		for _, d := range []*servertest.Device{a, b} {
			if _, err := tx.ExecContext(ctx, `INSERT INTO server_devices (id, principal, assessor, public_key, enrolled) VALUES (?, ?, ?, ?, ?)`,
				d.ID, d.Principal, d.Principal, d.PublicKey(), t0.UnixMilli()); err != nil {
				return err
			}
		}
		out, err := tx.Put(store.Author{Device: srvDev, Principal: "Trần Giám sát"}, survey.Change{Target: survey.Target{Interview: ivDaNang, Kind: survey.KindStatus},
			Value: survey.StatusChange{Status: survey.StatusReturned, Reason: "thiếu bằng chứng"}})
		if err != nil {
			return err
		}
		returned = out[0]
		js, _ := returned.MarshalJSON()
		if _, err := tx.ExecContext(ctx, `INSERT INTO server_decisions (seq, interview, revision, created) VALUES (1, ?, ?, ?)`, ivDaNang, js, t0.UnixMilli()); err != nil {
			return err
		}
		if err := tx.MarkBatched("server:1", []string{returned.ID}); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO server_questionnaires (id, version, source, signature, published) VALUES ('dgra-2018', '2018.2', ?, 'sig', ?)`, src, t0.UnixMilli()); err != nil {
			return err
		}
		for _, stmt := range []string{
			`INSERT INTO server_inbox (seq, device, qid, qversion) VALUES (5, 'laptop-a', 'dgra-2018', '2018.2')`,
			`INSERT INTO server_inbox (seq, device, qid, qversion) VALUES (6, 'laptop-b', 'dgra-2018', '2018.2')`,
			`INSERT INTO server_inbox (seq, device, decision) VALUES (7, 'laptop-a', 1)`,
		} {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	old.Close()

	st, err := server.OpenSQLite(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Revisions().Check(ctx); err != nil {
		t.Fatal(err)
	}
	// a: its decision and the questionnaire, from the start or from its old cursor (7).
	for _, after := range []int64{0, 7} {
		page, err := st.Inbox(ctx, a.ID, after, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Revisions) != 1 || page.Revisions[0].ID != returned.ID || len(page.Questionnaires) != 1 ||
			page.Questionnaires[0].Version != "2018.2" || page.Cursor <= 7 || page.More {
			t.Fatalf("a after %d: %d revisions, %d questionnaires, cursor %d", after, len(page.Revisions), len(page.Questionnaires), page.Cursor)
		}
	}
	// b: the questionnaire only; once it sends revisions of the interview, the rest.
	page, err := st.Inbox(ctx, b.ID, 0, 100)
	if err != nil || len(page.Revisions) != 0 || len(page.Questionnaires) != 1 {
		t.Fatalf("b: %+v %v", page, err)
	}
	if err := st.Follow(ctx, b.ID, ivDaNang); err != nil {
		t.Fatal(err)
	}
	page, err = st.Inbox(ctx, b.ID, page.Cursor, 1000)
	if err != nil || len(page.Revisions) != len(revs)+1 {
		t.Fatalf("b after following: %d revisions, want %d: %v", len(page.Revisions), len(revs)+1, err)
	}
}

// twoLaptops starts a server on drv (tweak as servertest.StartOn takes it) with two
// assessors' laptops a and b enrolled, and gives the DGRA questionnaire they answer.
func twoLaptops(t *testing.T, drv servertest.Driver, tweak func(*server.Config)) (*servertest.Env, *survey.Questionnaire, *servertest.Device, *servertest.Device) {
	t.Helper()
	e := servertest.StartOn(t, drv, "", tweak)
	a := servertest.NewDevice(t, "laptop-a", "a@example.org")
	b := servertest.NewDevice(t, "laptop-b", "b@example.org")
	e.Enroll(a)
	e.Enroll(b)
	return e, servertest.DGRA(t), a, b
}

// TestFollowedBeforeItArrives: devices that follow an interview the server holds no
// revision of yet (Store.Follow), the one that then sends it among them, go on following
// it: the other receives every revision of the first batch that brings it, each once, and
// following it again changes nothing.
func TestFollowedBeforeItArrives(t *testing.T) {
	servertest.ForEachStore(t, testFollowedBeforeItArrives)
}

func testFollowedBeforeItArrives(t *testing.T, drv servertest.Driver) {
	e, q, a, b := twoLaptops(t, drv, nil)
	ctx := context.Background()
	for _, d := range []*servertest.Device{a, b} {
		if err := e.St.Follow(ctx, d.ID, ivDaNang); err != nil {
			t.Fatal(err)
		}
	}
	revs := a.Interview(t, q, ivDaNang, t0, rnd())
	data, _ := a.Batch(t, revs)
	post(t, e, a, data)
	if err := e.St.Follow(ctx, b.ID, ivDaNang); err != nil {
		t.Fatal(err)
	}
	page, err := e.St.Inbox(ctx, b.ID, 0, 100000)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, r := range page.Revisions {
		got[r.ID]++
	}
	for _, r := range revs {
		if got[r.ID] != 1 {
			t.Fatalf("revision %.12s of the interview b followed came %d times in b's inbox", r.ID, got[r.ID])
		}
	}
	if len(page.Revisions) != len(revs)+1 || page.More { // and the server's "submitted"
		t.Fatalf("b's inbox: %d revisions (more %v), want the batch's %d and the server's submitted", len(page.Revisions), page.More, len(revs))
	}
}
