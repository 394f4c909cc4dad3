package hub

import (
	"context"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// settleScenario: three laptops rate one answer three ways (a three-way conflict) and two
// of them confirm a section differently; a supervisor settles both (the answer by taking one
// side as it was, the section with a new value). Laptop c, which never saw the first
// settlement, edits the answer again from its own side: a new conflict between the
// settlement and c's edit, which the supervisor settles in turn. Every settlement travels in
// a batch of its own, so that in a shuffled order it often arrives before the sides it
// replaces.
func settleScenario(t testing.TB) ([][]byte, []*device, map[string]survey.Revision) {
	a := newDevice("dev-a", 1, "an@example.org")
	b := newDevice("dev-b", 2, "binh@example.org")
	c := newDevice("dev-c", 3, "Nguyễn Văn Cường")
	s := newDevice("dev-s", 4, "son@example.org")
	iv := "0193a5b2-7c1e-7000-8000-00000000e001"
	base := a.interview(t, iv, 2, 0)
	ans := survey.Target{Interview: iv, Kind: survey.KindAnswer, Key: "1.1"}
	sec := survey.Target{Interview: iv, Kind: survey.KindSection, Key: "1"}
	first := base[2].ID // a's answer 1.1
	fromA := a.rev(t, ans, survey.Answer{Rating: "green", Comment: "A: đã có kinh phí"}, 10, first)
	fromB := b.rev(t, ans, survey.Answer{Rating: "amber", Comment: "B: kinh phí một phần"}, 11, first)
	fromC := c.rev(t, ans, survey.Answer{Rating: "red", Comment: "C: chưa có kinh phí"}, 12, first)
	secA := a.rev(t, sec, survey.SectionSummary{Rating: "green", Comment: "tốt"}, 13)
	secB := b.rev(t, sec, survey.SectionSummary{Rating: "red", Comment: "yếu"}, 14)
	// The supervisor takes B's side as it was (three sides replaced), and writes a new
	// section value; its clock is behind: its revisions are "older" than their sides.
	settle1 := s.rev(t, ans, survey.Answer{Rating: "amber", Comment: "B: kinh phí một phần"}, 5, fromA.ID, fromB.ID, fromC.ID)
	settleSec := s.rev(t, sec, survey.SectionSummary{Rating: "amber", Comment: "tốt ở tỉnh, yếu ở huyện"}, 6, secA.ID, secB.ID)
	// C, offline, changes its own side again: a conflict with the settlement.
	againC := c.rev(t, ans, survey.Answer{Rating: "amber-red", Comment: "C: kinh phí chưa được duyệt"}, 30, fromC.ID)
	settle2 := s.rev(t, ans, survey.Answer{Rating: "amber-red", Comment: "Đã thống nhất: kinh phí chưa được duyệt"}, 40, settle1.ID, againC.ID)
	batches := [][]byte{
		a.pack(t, base),
		a.pack(t, []survey.Revision{fromA, secA}),
		b.pack(t, []survey.Revision{fromB, secB}),
		c.pack(t, []survey.Revision{fromC}),
		s.pack(t, []survey.Revision{settle1}),
		s.pack(t, []survey.Revision{settleSec}),
		c.pack(t, []survey.Revision{againC}),
		s.pack(t, []survey.Revision{settle2}),
	}
	named := map[string]survey.Revision{"settle1": settle1, "settle2": settle2, "settleSec": settleSec, "againC": againC}
	return batches, []*device{a, b, c, s}, named
}

// TestMergeOrderIndependentWithSettlements merges the settlement scenario's batches in
// many orders — settlements before, between and after the sides they replace — and checks
// that every order gives the same state, the state of the last settlements, no conflict
// left, and that every prefix in which a settlement's sides have all arrived shows no
// conflict on its target.
func TestMergeOrderIndependentWithSettlements(t *testing.T) {
	batches, devs, named := settleScenario(t)
	opts := Options{Signers: allowedFor(t, devs...), Known: knownExample}
	rng := rand.New(rand.NewPCG(7, 8))
	orders := 24
	if testing.Short() {
		orders = 6
	}
	// The batches holding the sides each settlement batch replaces.
	sidesOf := map[int][]int{4: {1, 2, 3}, 5: {1, 2}, 7: {4, 6}}
	var want string
	early := 0
	for i := range orders {
		order := rng.Perm(len(batches))
		if i == 0 {
			order = []int{0, 1, 2, 3, 4, 5, 6, 7}
		}
		h := openTemp(t)
		for step, j := range order {
			if res := mergeBytes(t, h, batches[j], opts); res.Rejected != nil {
				t.Fatalf("order %v: batch %d rejected: %v", order, j, res.Rejected)
			}
			// A settlement merged before a batch holding one of its sides.
			if slices.ContainsFunc(order[step+1:], func(k int) bool { return slices.Contains(sidesOf[j], k) }) {
				early++
			}
		}
		got := state(t, h)
		if i == 0 {
			want = got
			if !strings.Contains(got, "0 conflicts") {
				t.Fatalf("the settlements left conflicts:\n%s", got)
			}
			st, err := h.st.Interview(context.Background(), named["settle2"].Interview)
			if err != nil {
				t.Fatal(err)
			}
			if a := st.Answers["1.1"]; a.Rating != "amber-red" || a.Comment != "Đã thống nhất: kinh phí chưa được duyệt" {
				t.Fatalf("answer after the second settlement: %+v", a)
			}
			if s := st.Sections["1"]; s.Comment != "tốt ở tỉnh, yếu ở huyện" {
				t.Fatalf("section after its settlement: %+v", s)
			}
			if ids := st.Heads[named["settle2"].Target()]; len(ids) != 1 || ids[0] != named["settle2"].ID {
				t.Fatalf("heads of 1.1: %v, want only the second settlement", ids)
			}
			continue
		}
		if got != want {
			t.Fatalf("order %v gives another state:\n%s\nwant\n%s", order, got, want)
		}
	}
	t.Logf("%d orders; a settlement arrived before one of its sides %d times", orders, early)
	if early == 0 {
		t.Error("no order merged a settlement before its sides: the test tests too little")
	}
}

// TestSettlementsArrivingFirst: settlements merged before the sides they replace are
// heads at once, and every side that arrives later is already replaced: no conflict at any
// step. When the version the sides started from arrives before them, it is a head beside
// the settlement until a side that replaces it arrives — the hub cannot know yet that they
// are linked — and then the conflict is gone; the end state is the same either way.
func TestSettlementsArrivingFirst(t *testing.T) {
	batches, devs, _ := settleScenario(t)
	opts := Options{Signers: allowedFor(t, devs...), Known: knownExample}
	merge := func(h *Hub, j int) string {
		t.Helper()
		if res := mergeBytes(t, h, batches[j], opts); res.Rejected != nil {
			t.Fatalf("batch %d rejected: %v", j, res.Rejected)
		}
		return state(t, h)
	}
	h := openTemp(t)
	var end string
	for _, j := range []int{7, 5, 4, 3, 2, 1, 6, 0} {
		if end = merge(h, j); !strings.Contains(end, "\n0 conflicts") {
			t.Fatalf("after batch %d a settled target shows a conflict:\n%s", j, end)
		}
	}
	h2 := openTemp(t)
	for _, j := range []int{7, 5, 4} {
		merge(h2, j)
	}
	if got := merge(h2, 0); !strings.Contains(got, "\n1 conflicts") {
		t.Fatalf("the first version and the settlement, not yet linked, should be two heads:\n%s", got)
	}
	if got := merge(h2, 3); !strings.Contains(got, "\n0 conflicts") { // C's first side replaces the first version
		t.Fatalf("the first version is still a head once a side replacing it arrived:\n%s", got)
	}
	var got string
	for _, j := range []int{2, 1, 6} {
		got = merge(h2, j)
	}
	if got != end {
		t.Fatalf("the two orders end differently:\n%s\nwant\n%s", got, end)
	}
}
