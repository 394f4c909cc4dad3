package survey

import (
	"maps"
	"reflect"
	"testing"
	"time"
)

// SetRow leaves the state as folding a Put of the row does (cells normalized, the row
// out of conflict), without touching heads or counts.
func TestSetRowMatchesTheFoldOfItsPut(t *testing.T) {
	q := rosterQ(t)
	a := rowRev(t, "4.K", "aaaa", RosterRow{Pos: 1, Cells: map[string]any{"agency": "GSO"}}, "d1", 1, t0)
	b := rowRev(t, "4.K", "bbbb", RosterRow{Pos: 2, Cells: map[string]any{"agency": "MONRE"}}, "d1", 2, t0)
	st := fold1(t, a, b)
	heads, revs := maps.Clone(st.Heads), st.Revisions

	cells := map[string]any{"agency": "  Cục Thống kê ", "openness": 4, "url": "", "public": true}
	st.SetRow("4.K", Row{ID: "cccc", Pos: 1.5, Cells: cells})
	put := rowRev(t, "4.K", "cccc", RosterRow{Pos: 1.5, Cells: cells}, "d1", 3, t0.Add(time.Minute))
	want := fold1(t, a, b, put)
	if !reflect.DeepEqual(st.Rows("4.K"), want.Rows("4.K")) {
		t.Fatalf("SetRow:\n got %+v\nwant %+v", st.Rows("4.K"), want.Rows("4.K"))
	}
	if got := rowIDs(st.Rows("4.K")); got != "aaaa,cccc,bbbb" {
		t.Fatalf("order: %s", got)
	}
	if !reflect.DeepEqual(st.Heads, heads) || st.Revisions != revs {
		t.Fatal("SetRow changed heads or the revision count")
	}
	if n, _ := q.Progress(st.Answers); n != 1 {
		t.Fatalf("answered after SetRow: %d", n)
	}
	// The cells given are not kept: changing them afterwards changes nothing.
	cells["agency"] = "changed"
	if got := st.Rows("4.K")[1].Cells["agency"]; got != "Cục Thống kê" {
		t.Fatalf("stored cell follows the caller's map: %v", got)
	}

	// Editing a row: position and cells replaced.
	st.SetRow("4.K", Row{ID: "aaaa", Pos: 3, Cells: map[string]any{"agency": "GSO (Tổng cục Thống kê)"}})
	if got := rowIDs(st.Rows("4.K")); got != "cccc,bbbb,aaaa" {
		t.Fatalf("after moving aaaa last: %s", got)
	}
	// DeleteRow, and SetRow of an empty row, delete; the last row gone, so is the answer.
	st.DeleteRow("4.K", "bbbb")
	st.SetRow("4.K", Row{ID: "cccc"})
	st.DeleteRow("4.K", "nope")
	if got := rowIDs(st.Rows("4.K")); got != "aaaa" {
		t.Fatalf("after deleting: %s", got)
	}
	st.DeleteRow("4.K", "aaaa")
	if _, ok := st.Answers["4.K"]; ok {
		t.Fatal("a roster without rows is still an answer")
	}
	if n, _ := q.Progress(st.Answers); n != 0 {
		t.Fatalf("answered after deleting every row: %d", n)
	}
}

// A row in conflict that is set again is out of conflict, as after its Put.
func TestSetRowClearsTheRowConflict(t *testing.T) {
	a := rowRev(t, "4.K", "aaaa", RosterRow{Pos: 1, Cells: map[string]any{"agency": "GSO"}}, "d1", 1, t0)
	x := rowRev(t, "4.K", "aaaa", RosterRow{Pos: 1, Cells: map[string]any{"agency": "GSO 1"}}, "d1", 2, t0.Add(time.Minute), a.ID)
	y := rowRev(t, "4.K", "aaaa", RosterRow{Pos: 1, Cells: map[string]any{"agency": "GSO 2"}}, "d2", 1, t0.Add(2*time.Minute), a.ID)
	st := fold1(t, a, x, y)
	if !st.Rows("4.K")[0].Conflict {
		t.Fatal("no conflict to start from")
	}
	st.SetRow("4.K", Row{ID: "aaaa", Pos: 1, Cells: map[string]any{"agency": "GSO 1 và 2"}})
	if r := st.Rows("4.K")[0]; r.Conflict || r.Cells["agency"] != "GSO 1 và 2" {
		t.Fatalf("row after SetRow: %+v", r)
	}
}

// Two copies of a state (Answers cloned) never share a change to a roster: before, the
// fold changed the shared *Roster in place, so a row added to one copy appeared in the
// other, and a row deleted in one vanished from both.
func TestRosterCopyOnWrite(t *testing.T) {
	a := rowRev(t, "4.K", "aaaa", RosterRow{Pos: 1, Cells: map[string]any{"agency": "GSO"}}, "d1", 1, t0)
	b := rowRev(t, "4.K", "bbbb", RosterRow{Pos: 2, Cells: map[string]any{"agency": "MONRE"}}, "d1", 2, t0)
	st := fold1(t, a, b)
	q := rosterQ(t)
	q.Progress(st.Answers) // the roster remembers its rows' checks

	cp := *st
	cp.Answers = maps.Clone(st.Answers)
	cp.Heads = maps.Clone(st.Heads)
	c := rowRev(t, "4.K", "cccc", RosterRow{Pos: 3, Cells: map[string]any{"agency": "MOF"}}, "d1", 3, t0.Add(time.Minute))
	if err := cp.ApplyHeads(c.Target(), []Revision{c}); err != nil {
		t.Fatal(err)
	}
	cp.DeleteRow("4.K", "aaaa")
	if got := rowIDs(st.Rows("4.K")); got != "aaaa,bbbb" {
		t.Fatalf("the original's rows changed with its copy's: %s", got)
	}
	if got := rowIDs(cp.Rows("4.K")); got != "bbbb,cccc" {
		t.Fatalf("the copy's rows: %s", got)
	}
	// And the other way: the original changes, the copy keeps its rows.
	st.SetRow("4.K", Row{ID: "bbbb", Pos: 2, Cells: map[string]any{"agency": "Bộ TN&MT"}})
	if got := cp.Rows("4.K")[0].Cells["agency"]; got != "MONRE" {
		t.Fatalf("the copy's row changed with the original's: %v", got)
	}
	if n, _ := q.Progress(st.Answers); n != 1 {
		t.Fatalf("answered in the original: %d", n)
	}
	// A copy whose last row goes leaves the original answered.
	cp.DeleteRow("4.K", "bbbb")
	cp.DeleteRow("4.K", "cccc")
	if _, ok := cp.Answers["4.K"]; ok {
		t.Fatal("the copy's emptied roster is still an answer")
	}
	if st.Answers["4.K"].Value.(*Roster).Len() != 2 {
		t.Fatal("emptying the copy emptied the original")
	}
}
