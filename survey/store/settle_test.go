package store

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// conflictFixture stores an interview whose answer 1.1 two devices rated differently
// (two heads) and whose section 1 summary two devices confirmed differently.
func conflictFixture(t *testing.T) (*Store, survey.Target, survey.Target, []survey.Revision) {
	t.Helper()
	ctx := context.Background()
	s := openTest(t)
	iv := "0193a5b2-7c1e-7000-8000-000000000001"
	newInterview(t, s, Author{Device: "lap-a", Principal: "an@example.org"}, iv, "Sở Y tế", "Huế")
	ans := tgt(iv, survey.KindAnswer, "1.1")
	sec := tgt(iv, survey.KindSection, "1")
	base, err := s.Interview(ctx, iv)
	if err != nil {
		t.Fatal(err)
	}
	b := &otherDevice{name: "lap-b", now: t0.Add(time.Hour)}
	c := &otherDevice{name: "lap-c", now: t0.Add(2 * time.Hour)}
	baseAns := revByID(t, s, iv, base.Heads[ans][0])
	baseSec := revByID(t, s, iv, base.Heads[sec][0])
	sides := []survey.Revision{
		b.rev(t, ans, survey.Answer{Rating: survey.Green, Comment: "Lãnh đạo ủng hộ."}, baseAns),
		c.rev(t, ans, survey.Answer{Rating: survey.Red, Comment: "Chưa rõ ràng."}, baseAns),
		b.rev(t, sec, survey.SectionSummary{Rating: survey.Green, Comment: "tốt"}, baseSec),
		c.rev(t, sec, survey.SectionSummary{Rating: survey.Red, Comment: "yếu"}, baseSec),
	}
	if _, err := s.Append(ctx, sides...); err != nil {
		t.Fatal(err)
	}
	return s, ans, sec, sides
}

func revByID(t *testing.T, s *Store, iv, id string) survey.Revision {
	t.Helper()
	revs, err := s.Revisions(context.Background(), iv)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range revs {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("no revision %s", id)
	return survey.Revision{}
}

func headIDs(t *testing.T, s *Store, tg survey.Target) []string {
	t.Helper()
	var out []string
	err := s.View(context.Background(), func(tx *Tx) error {
		hs, err := tx.Heads(tg)
		for _, h := range hs {
			out = append(out, h.ID)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func conflictCount(t *testing.T, s *Store, iv string) int {
	t.Helper()
	sums, err := s.List(context.Background(), ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, sm := range sums {
		if sm.ID == iv {
			return sm.Conflicts
		}
	}
	t.Fatalf("no summary of %s", iv)
	return 0
}

func TestSettle(t *testing.T) {
	ctx := context.Background()
	s, ans, sec, sides := conflictFixture(t)
	iv := ans.Interview
	sup := Author{Device: "sup-1", Principal: "son@example.org"}
	if n := conflictCount(t, s, iv); n != 2 {
		t.Fatalf("%d conflicts before, want 2", n)
	}
	heads := headIDs(t, s, ans)
	if len(heads) != 2 {
		t.Fatalf("answer heads: %v", heads)
	}

	// Take side 2 (the red one) as it was.
	r, err := s.Settle(ctx, sup, ans, survey.Answer{Rating: survey.Red, Comment: "Chưa rõ ràng."}, heads)
	if err != nil {
		t.Fatal(err)
	}
	if want := slices.Sorted(slices.Values(heads)); !slices.Equal(r.Replaces, want) || r.Device != "sup-1" || r.Author != "son@example.org" {
		t.Fatalf("settlement %+v, want it to replace %v", r, want)
	}
	if got := headIDs(t, s, ans); !slices.Equal(got, []string{r.ID}) {
		t.Fatalf("heads after settling: %v, want only %s", got, r.ID[:8])
	}
	st, err := s.Interview(ctx, iv)
	if err != nil {
		t.Fatal(err)
	}
	if st.Answers["1.1"].Rating != survey.Red || len(st.Conflicts) != 1 || st.Conflicts[0].Target != sec {
		t.Fatalf("after settling the answer: %+v, conflicts %+v", st.Answers["1.1"], st.Conflicts)
	}
	if n := conflictCount(t, s, iv); n != 1 {
		t.Fatalf("%d conflicts in the summary, want 1", n)
	}

	// Settle the section with a new value seen in the other order: heads are a set.
	secHeads := headIDs(t, s, sec)
	slices.Reverse(secHeads)
	if _, err := s.Settle(ctx, sup, sec, survey.SectionSummary{Rating: survey.Amber, Comment: "tốt ở tỉnh, yếu ở huyện"}, secHeads); err != nil {
		t.Fatal(err)
	}
	if n := conflictCount(t, s, iv); n != 0 {
		t.Fatalf("%d conflicts in the summary after both settlements, want 0", n)
	}
	if cs, _ := s.Conflicts(ctx); len(cs) != 0 {
		t.Fatalf("conflicts left: %+v", cs)
	}
	if err := s.Check(ctx); err != nil {
		t.Fatal(err)
	}

	// Settled targets have nothing left to settle.
	_, err = s.Settle(ctx, sup, ans, survey.Answer{Rating: survey.Green}, []string{r.ID})
	var se *SettleError
	if !errors.Is(err, ErrNoConflict) || !errors.As(err, &se) || !strings.Contains(se.Text().Get(survey.LangVI), "không có xung đột") {
		t.Fatalf("settling a settled target: %v", err)
	}
	// History keeps both sides: nothing was lost.
	hist, err := s.History(ctx, ans)
	if err != nil {
		t.Fatal(err)
	}
	for _, side := range sides[:2] {
		if !slices.ContainsFunc(hist, func(h survey.Revision) bool { return h.ID == side.ID }) {
			t.Errorf("side %s is gone from the history", side.ID[:8])
		}
	}
}

func TestSettleRefusesAndWritesNothing(t *testing.T) {
	ctx := context.Background()
	s, ans, _, sides := conflictFixture(t)
	iv := ans.Interview
	sup := Author{Device: "sup-1", Principal: "son@example.org"}
	before := dump(t, s)
	heads := headIDs(t, s, ans)
	cases := []struct {
		name string
		tg   survey.Target
		seen []string
		want error
		msg  string
	}{
		{"a target with one version", tgt(iv, survey.KindRespondent, ""), nil, ErrNoConflict, "it has one version"},
		{"a target with no value", tgt(iv, survey.KindAnswer, "9.9"), nil, ErrNoConflict, "it has no value yet"},
		{"one side seen of two", ans, heads[:1], ErrStaleConflict, "changed since it was listed (it now has 2 versions)"},
		{"no side seen", ans, nil, ErrStaleConflict, "changed since it was listed"},
		{"a side that is not a head", ans, []string{heads[0], sides[2].ID}, ErrStaleConflict, "changed since it was listed"},
	}
	for _, c := range cases {
		_, err := s.Settle(ctx, sup, c.tg, survey.Answer{Rating: survey.Amber}, c.seen)
		if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: %v, want %v saying %q", c.name, err, c.want, c.msg)
		}
	}
	unchanged := func(when string) {
		t.Helper()
		if after := dump(t, s); after != before {
			t.Fatalf("%s: a refused settlement changed the store:\n%s\n---\n%s", when, after, before)
		}
	}
	unchanged("bad targets and sides")
	// A third version arrives after the conflict was listed: the two seen are stale.
	d := &otherDevice{name: "lap-d", now: t0.Add(3 * time.Hour)}
	third := d.rev(t, ans, survey.Answer{Rating: survey.Amber}, revByID(t, s, iv, sides[0].Replaces[0]))
	if _, err := s.Append(ctx, third); err != nil {
		t.Fatal(err)
	}
	before = dump(t, s)
	if _, err := s.Settle(ctx, sup, ans, survey.Answer{Rating: survey.Red}, heads); !errors.Is(err, ErrStaleConflict) || !strings.Contains(err.Error(), "now has 3 versions") {
		t.Fatalf("stale view: %v", err)
	}
	unchanged("a stale view")
	// Two heads that agree are not a conflict.
	e := &otherDevice{name: "lap-e", now: t0.Add(4 * time.Hour)}
	resp := tgt(iv, survey.KindRespondent, "")
	st, _ := s.Interview(ctx, iv)
	moved := survey.Respondent{Agency: "Sở Y tế", Province: "Thừa Thiên Huế", Role: "Giám đốc", Category: "gov", Date: "2026-11-22", Consent: true}
	same := e.rev(t, resp, moved, revByID(t, s, iv, st.Heads[resp][0]))
	f := &otherDevice{name: "lap-f", now: t0.Add(4 * time.Hour)}
	same2 := f.rev(t, resp, moved, revByID(t, s, iv, st.Heads[resp][0]))
	if _, err := s.Append(ctx, same, same2); err != nil {
		t.Fatal(err)
	}
	before = dump(t, s)
	if _, err := s.Settle(ctx, sup, resp, survey.Respondent{Agency: "x"}, []string{same.ID, same2.ID}); !errors.Is(err, ErrNoConflict) || !strings.Contains(err.Error(), "its 2 versions are the same") {
		t.Fatalf("agreeing heads: %v", err)
	}
	unchanged("agreeing heads")
	// Inside View it is refused as a write.
	err := s.View(ctx, func(tx *Tx) error {
		_, err := tx.Settle(sup, ans, survey.Answer{}, heads)
		return err
	})
	if !errors.Is(err, ErrReadOnly) {
		t.Fatalf("settle in View: %v", err)
	}
}
