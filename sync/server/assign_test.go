package server_test

import (
	"strings"
	"testing"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/assign"
	"github.com/fieldsurvey/fieldsurvey/sync/server/servertest"
	"github.com/fieldsurvey/fieldsurvey/sync/wire"
)

// TestAssignmentReachesTheAssignee: a supervisor's batch creating a planned interview makes
// the devices of its assignee follow it, so that the assessor's laptop receives it on its
// next sync; nobody else's laptop does, and an assessor's batch naming an assignee makes
// no one follow.
func TestAssignmentReachesTheAssignee(t *testing.T) {
	servertest.ForEachStore(t, testAssignmentReachesTheAssignee)
}

func testAssignmentReachesTheAssignee(t *testing.T, drv servertest.Driver) {
	e := servertest.StartOn(t, drv, "", nil)
	q := servertest.DGRA(t)
	a := servertest.NewDevice(t, "laptop-a", "a@example.org")
	a2 := servertest.NewDevice(t, "tablet-a", "a@example.org") // the same assessor's second device
	b := servertest.NewDevice(t, "laptop-b", "b@example.org")
	sup := servertest.NewDevice(t, "sup", "lan@example.org")
	e.Enroll(a)
	e.Enroll(a2)
	e.Enroll(b)
	e.EnrollAs(sup, survey.RoleSupervisor)
	_, ina := inboxAll(t, e, a, 0)
	_, ina2 := inboxAll(t, e, a2, 0)
	_, inb := inboxAll(t, e, b, 0)

	const planned = "0193a5b2-7c1e-7000-8000-0000000000a1"
	plan := assign.Assignment{Questionnaire: q.ID, Version: q.Version, Agency: "Sở Tài chính", Province: "Đà Nẵng",
		Assignee: "a@example.org", Due: "2026-12-20", Note: "gặp chị Hoa"}
	var revs []survey.Revision
	for _, c := range assign.Changes(planned, plan, sup.ID) {
		revs = append(revs, sup.Revision(t, c.Target, c.Value, t0))
	}
	data, _ := sup.Batch(t, revs)
	post(t, e, sup, data)

	for _, c := range []struct {
		d     *servertest.Device
		after int64
	}{{a, ina.Cursor}, {a2, ina2.Cursor}} {
		got, _ := inboxAll(t, e, c.d, c.after)
		if !sameSet(idSet(got, nil), idSet(revs, nil)) {
			t.Fatalf("%s received %d revisions, want the %d of the planned interview", c.d.ID, len(got), len(revs))
		}
		states, err := survey.Fold(got)
		if err != nil {
			t.Fatal(err)
		}
		if m := states[planned].Meta; m.Assignee != "a@example.org" || m.Due != "2026-12-20" || m.Note != "gặp chị Hoa" {
			t.Fatalf("%s: planned interview meta %+v", c.d.ID, m)
		}
	}
	got, inb2 := inboxAll(t, e, b, inb.Cursor)
	if len(got) != 0 {
		t.Fatalf("laptop-b, not the assignee, received %d revisions", len(got))
	}

	// An assessor's batch that names an assignee makes no one else follow its interview.
	const own = "0193a5b2-7c1e-7000-8000-0000000000a2"
	plan.Assignee = "b@example.org"
	revs = nil
	for _, c := range assign.Changes(own, plan, a.ID) {
		revs = append(revs, a.Revision(t, c.Target, c.Value, t0))
	}
	data, _ = a.Batch(t, revs)
	post(t, e, a, data)
	if got, _ := inboxAll(t, e, b, inb2.Cursor); len(got) != 0 {
		t.Fatalf("an assessor's assignment reached laptop-b: %d revisions", len(got))
	}

	// A device of the assignee enrolled after the assignment receives it all the same; one
	// of b's (named only by the assessor's batch) does not receive that interview.
	a3 := servertest.NewDevice(t, "phone-a", "a@example.org")
	e.Enroll(a3)
	got, _ = inboxAll(t, e, a3, 0)
	if !sameSet(idSet(got, func(r survey.Revision) bool { return r.Interview == planned }), idSet(onServer(t, e, planned), nil)) {
		t.Fatalf("a device enrolled later received %d revisions of the planned interview, want %d", len(got), len(onServer(t, e, planned)))
	}
	b2 := servertest.NewDevice(t, "phone-b", "b@example.org")
	e.Enroll(b2)
	if got, _ := inboxAll(t, e, b2, 0); len(got) != 0 {
		t.Fatalf("a device of b enrolled later received %d revisions", len(got))
	}
}

// TestAssignmentOutsideScope: a supervisor scoped to a province may assign interviews in
// it only, as it may decide only there: an assignment elsewhere (a new planned interview,
// or the reassignment of one the server holds), or one whose province neither the batch
// nor the server knows, is refused with a signed refusal, and its assignee receives
// nothing. The province is compared as the scope is: "Thừa Thiên Huế" is "Huế".
func TestAssignmentOutsideScope(t *testing.T) {
	e := servertest.Start(t, "", nil)
	q := servertest.DGRA(t)
	a := servertest.NewDevice(t, "laptop-a", "a@example.org")
	b := servertest.NewDevice(t, "laptop-b", "b@example.org")
	sup := servertest.NewDevice(t, "sup-hue", "lan@example.org")
	e.Enroll(a)
	e.Enroll(b)
	e.EnrollAs(sup, survey.RoleSupervisor, "Huế")
	data, _ := a.Batch(t, a.Interview(t, q, ivDaNang, t0, rnd()))
	post(t, e, a, data)
	_, inb := inboxAll(t, e, b, 0)

	assignBatch := func(id, province string) []byte {
		plan := assign.Assignment{Questionnaire: q.ID, Version: q.Version, Agency: "Sở Tài chính", Province: province, Assignee: "b@example.org"}
		var revs []survey.Revision
		for _, c := range assign.Changes(id, plan, sup.ID) {
			revs = append(revs, sup.Revision(t, c.Target, c.Value, t0))
		}
		data, _ := sup.Batch(t, revs)
		return data
	}
	refused := func(data []byte, seq uint64, want string) {
		t.Helper()
		before := holdings(t, e)
		rf, _ := postRefused(t, e, sup, data, wire.CodeOutOfScope)
		r := checkRefusal(t, e, rf, sup.ID, seq, wire.CodeOutOfScope)
		if r.Reason != "assignment outside the supervisor's provinces" || !strings.Contains(r.Message, want) {
			t.Fatalf("refusal %d: %s: %s, want %q", seq, r.Reason, r.Message, want)
		}
		if after := holdings(t, e); after != before {
			t.Fatalf("refusal %d changed the server: %+v -> %+v", seq, before, after)
		}
		if got, _ := inboxAll(t, e, b, inb.Cursor); len(got) != 0 {
			t.Fatalf("after refusal %d the assignee received %d revisions", seq, len(got))
		}
	}

	// A planned interview in Đà Nẵng: refused.
	const outside = "0193a5b2-7c1e-7000-8000-0000000000b1"
	refused(assignBatch(outside, "Đà Nẵng"), 1,
		`interview `+outside+`, assigned by this supervisor, is in "Đà Nẵng", outside its provinces (Huế)`)

	// The reassignment of the Đà Nẵng interview the server holds (its creation revised,
	// without a respondent): refused for the province the server holds.
	var meta survey.Revision
	for _, r := range onServer(t, e, ivDaNang) {
		if r.Kind == survey.KindInterview {
			meta = r
		}
	}
	m := survey.InterviewMeta{Questionnaire: q.ID, QuestionnaireVersion: q.Version, Assessor: a.Principal, Device: a.ID, Assignee: "b@example.org"}
	re, _ := sup.Batch(t, []survey.Revision{sup.Revision(t, meta.Target(), m, t0, meta.ID)})
	refused(re, 2, `interview `+ivDaNang+`, assigned by this supervisor, is in "Đà Nẵng", outside its provinces (Huế)`)

	// A planned interview the batch gives no province, that the server does not hold.
	const bare = "0193a5b2-7c1e-7000-8000-0000000000b2"
	m = survey.InterviewMeta{Questionnaire: q.ID, QuestionnaireVersion: q.Version, Assessor: "b@example.org", Device: sup.ID, Assignee: "b@example.org"}
	nb, _ := sup.Batch(t, []survey.Revision{sup.Revision(t, survey.Target{Interview: bare, Kind: survey.KindInterview}, m, t0)})
	refused(nb, 3, "the batch assigns interview "+bare+" without its province, and the server does not hold it")

	// In Thừa Thiên Huế, the old name of its province: stored, and the assignee gets it.
	const inside = "0193a5b2-7c1e-7000-8000-0000000000b3"
	post(t, e, sup, assignBatch(inside, "Thừa Thiên Huế"))
	got, _ := inboxAll(t, e, b, inb.Cursor)
	if !sameSet(idSet(got, nil), idSet(onServer(t, e, inside), nil)) || len(got) == 0 {
		t.Fatalf("the assignee received %d revisions, want the %d of the planned interview", len(got), len(onServer(t, e, inside)))
	}
}
