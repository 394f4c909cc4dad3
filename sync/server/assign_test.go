package server_test

import (
	"testing"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/assign"
	"github.com/fieldsurvey/fieldsurvey/sync/server/servertest"
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
