package store

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// simDevice is a device in a simulated field season: it edits what it knows and
// sometimes learns what another device wrote (a sync or a USB stick).
type simDevice struct {
	name    string
	counter uint64
	clock   time.Time
	known   map[string]survey.Revision
}

// simulate generates revisions of a few interviews made by three devices with skewed
// clocks that edit the same answers concurrently and exchange revisions now and then:
// conflicts, settled conflicts, replaced revisions that are newer than their replacement,
// equal times, cleared answers.
func simulate(t *testing.T, rng *rand.Rand, steps int) []survey.Revision {
	t.Helper()
	var devs []*simDevice
	for i, skew := range []time.Duration{0, -90 * time.Second, 40 * time.Second} {
		devs = append(devs, &simDevice{name: fmt.Sprintf("dev-%d", i), clock: t0.Add(skew), known: map[string]survey.Revision{}})
	}
	ivs := []string{"0190-aaaa", "0190-bbbb", "0190-cccc"}
	kinds := []struct {
		kind survey.Kind
		keys []string
	}{
		{survey.KindInterview, []string{""}}, {survey.KindRespondent, []string{""}}, {survey.KindStatus, []string{""}},
		{survey.KindAnswer, []string{"1.1", "1.2", "2.1"}}, {survey.KindSection, []string{"1", "2"}},
	}
	codes := []survey.Code{survey.Red, survey.AmberRed, survey.Amber, survey.AmberGreen, survey.Green, survey.DontKnow}
	pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }
	value := func(k survey.Kind) any {
		switch k {
		case survey.KindInterview:
			return survey.InterviewMeta{Questionnaire: "example", QuestionnaireVersion: pick([]string{"1", "2"}), Assessor: pick([]string{"lan", "minh"})}
		case survey.KindRespondent:
			return survey.Respondent{Agency: pick([]string{"Sở Y tế", "Bộ Tài chính", ""}), Province: pick([]string{"Huế", "Đà Nẵng"}), Role: "Phó giám đốc"}
		case survey.KindStatus:
			return survey.StatusChange{Status: survey.Statuses[rng.IntN(len(survey.Statuses))], Reason: pick([]string{"", "thiếu bằng chứng"})}
		case survey.KindAnswer:
			switch rng.IntN(4) {
			case 0:
				return survey.Answer{} // cleared
			case 1:
				return survey.Answer{Comment: "đang chờ tài liệu"}
			}
			return survey.Answer{Rating: codes[rng.IntN(len(codes))], Evidence: []survey.Evidence{{Polarity: survey.Plus, Text: "Có quyết định", InScope: rng.IntN(2) == 0}}}
		default:
			if rng.IntN(4) == 0 {
				return survey.SectionSummary{}
			}
			return survey.SectionSummary{Rating: codes[rng.IntN(len(codes))], Comment: pick([]string{"", "ổn"})}
		}
	}
	var all []survey.Revision
	for range steps {
		d := devs[rng.IntN(len(devs))]
		if rng.IntN(6) == 0 {
			from := devs[rng.IntN(len(devs))]
			for id, r := range from.known {
				d.known[id] = r
			}
			continue
		}
		k := kinds[rng.IntN(len(kinds))]
		target := survey.Target{Interview: pick(ivs), Kind: k.kind, Key: pick(k.keys)}
		var v any
		if cs := knownConflicts(d); len(cs) > 0 && rng.IntN(3) == 0 {
			// A settlement, as `conflicts settle` or the screen makes one: take one side as
			// it was, or write a new value; either replaces every head the device knows.
			c := cs[rng.IntN(len(cs))]
			target = c.Target
			k.kind = target.Kind
			if rng.IntN(2) == 0 {
				v = c.Heads[rng.IntN(len(c.Heads))].Value
			}
		}
		if v == nil {
			v = value(k.kind)
		}
		var mine []survey.Revision
		for _, r := range d.known {
			if r.Target() == target {
				mine = append(mine, r)
			}
		}
		var replaces []string
		for _, h := range survey.Heads(mine) {
			replaces = append(replaces, h.ID)
		}
		d.counter++
		d.clock = d.clock.Add(time.Duration(rng.IntN(3)) * time.Second) // sometimes the same instant
		r, err := survey.NewRevision(target, v, d.name, d.counter, d.clock, d.name, replaces)
		if err != nil {
			t.Fatal(err)
		}
		d.known[r.ID] = r
		all = append(all, r)
	}
	return all
}

// knownConflicts returns the targets whose heads, as device d knows them, disagree, in a
// fixed order.
func knownConflicts(d *simDevice) []survey.Conflict {
	byTarget := map[survey.Target][]survey.Revision{}
	for _, r := range d.known {
		byTarget[r.Target()] = append(byTarget[r.Target()], r)
	}
	var out []survey.Conflict
	for tg, revs := range byTarget {
		if hs := survey.Heads(revs); survey.Disagree(hs) {
			out = append(out, survey.Conflict{Target: tg, Heads: hs})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Target.String() < out[j].Target.String() })
	return out
}

// settlements returns the revisions of revs that replace two or more revisions that
// disagree: conflicts settled.
func settlements(revs []survey.Revision) []survey.Revision {
	byID := map[string]survey.Revision{}
	for _, r := range revs {
		byID[r.ID] = r
	}
	var out []survey.Revision
	for _, r := range revs {
		var sides []survey.Revision
		for _, p := range r.Replaces {
			sides = append(sides, byID[p])
		}
		if len(sides) > 1 && survey.Disagree(sides) {
			out = append(out, r)
		}
	}
	return out
}

// dump returns the derived tables of s as text, to compare stores byte for byte.
func dump(t *testing.T, s *Store) string {
	t.Helper()
	var b strings.Builder
	err := s.View(context.Background(), func(tx *Tx) error {
		for _, q := range []string{
			"SELECT interview, kind, key, id, head, device, counter, time, author, replaces, batch, value FROM revisions ORDER BY id",
			"SELECT id, questionnaire, version, status, reason, agency, province, role, category, assessor, answered, sections, conflicts, created, updated, revisions, search FROM interviews ORDER BY id",
		} {
			rows, err := tx.QueryContext(context.Background(), q)
			if err != nil {
				return err
			}
			cols, _ := rows.Columns()
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			for rows.Next() {
				if err := rows.Scan(ptrs...); err != nil {
					rows.Close()
					return err
				}
				for _, v := range vals {
					if bs, ok := v.([]byte); ok {
						v = string(bs)
					}
					fmt.Fprintf(&b, "%v|", v)
				}
				b.WriteByte('\n')
			}
			rows.Close()
		}
		return nil
	})
	if err != nil && err != sql.ErrNoRows {
		t.Fatal(err)
	}
	return b.String()
}

// TestAnyOrderSameState appends the same simulated revisions in shuffled orders, in
// chunks, with duplicates, and checks that every store equals survey.Fold of the set
// and that the stores are identical to each other.
func TestAnyOrderSameState(t *testing.T) {
	ctx := context.Background()
	var allSettled, settledEarly, settledLate int
	for seed := range uint64(6) {
		rng := rand.New(rand.NewPCG(seed, 0x5eed))
		revs := simulate(t, rng, 70)
		ref, err := survey.Fold(revs)
		if err != nil {
			t.Fatal(err)
		}
		var refConflicts []survey.Conflict
		for _, st := range ref {
			refConflicts = append(refConflicts, st.Conflicts...)
		}
		sort.Slice(refConflicts, func(i, j int) bool {
			return refConflicts[i].Target.String() < refConflicts[j].Target.String()
		})
		settled := settlements(revs)
		allSettled += len(settled)
		var firstDump string
		for order := range 3 {
			s := openTest(t)
			shuffled := append([]survey.Revision(nil), revs...)
			rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
			shuffled = append(shuffled, shuffled[:rng.IntN(10)]...) // some arrive twice
			// Count the settlements that arrive before one of the sides they replace, and
			// those that arrive after all of them: both must give the same state.
			seen := map[string]int{}
			for i, r := range shuffled {
				if _, ok := seen[r.ID]; !ok {
					seen[r.ID] = i
				}
			}
			for _, st := range settled {
				early := false
				for _, p := range st.Replaces {
					if seen[p] > seen[st.ID] {
						early = true
					}
				}
				if early {
					settledEarly++
				} else {
					settledLate++
				}
			}
			for len(shuffled) > 0 {
				n := min(len(shuffled), 1+rng.IntN(15))
				if _, err := s.Append(ctx, shuffled[:n]...); err != nil {
					t.Fatal(err)
				}
				shuffled = shuffled[n:]
			}
			where := fmt.Sprintf("seed %d order %d", seed, order)
			for id, want := range ref {
				got, err := s.Interview(ctx, id)
				if err != nil {
					t.Fatalf("%s: %v", where, err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("%s: interview %s differs from Fold:\n got %+v\nwant %+v", where, id, got, want)
				}
			}
			list, err := s.List(ctx, ListOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != len(ref) {
				t.Fatalf("%s: %d summaries for %d interviews", where, len(list), len(ref))
			}
			for _, sm := range list {
				if w := SummaryOf(ref[sm.ID]); !equalSummary(sm, w) {
					t.Fatalf("%s: summary\n got %+v\nwant %+v", where, sm, w)
				}
			}
			cs, err := s.Conflicts(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(cs, refConflicts) {
				t.Fatalf("%s: conflicts differ:\n got %v\nwant %v", where, cs, refConflicts)
			}
			if err := s.Check(ctx); err != nil {
				t.Fatalf("%s: %v", where, err)
			}
			d := dump(t, s)
			if order == 0 {
				firstDump = d
			} else if d != firstDump {
				t.Fatalf("%s: stored state differs from order 0:\n%s\n---\n%s", where, d, firstDump)
			}
		}
		if seed == 0 && len(refConflicts) == 0 {
			t.Errorf("the simulation made no conflict: it tests too little")
		}
	}
	t.Logf("%d settlements; %d arrived before a side they replace, %d after all of them", allSettled, settledEarly, settledLate)
	if settledEarly == 0 || settledLate == 0 {
		t.Errorf("settlements arrived %d times before a side and %d times after all: the simulation tests too little", settledEarly, settledLate)
	}
}

func TestSettlingRevisionArrivesFirst(t *testing.T) {
	ctx := context.Background()
	a := &otherDevice{name: "dev-a", now: t0}
	b := &otherDevice{name: "dev-b", now: t0}
	target := tgt("iv1", survey.KindAnswer, "1")
	base := a.rev(t, target, survey.Answer{Rating: survey.Amber})
	ra := a.rev(t, target, survey.Answer{Rating: survey.Green}, base)
	rb := b.rev(t, target, survey.Answer{Rating: survey.Red}, base)
	settle := b.rev(t, target, survey.Answer{Rating: survey.AmberGreen}, ra, rb)
	s := openTest(t)
	for _, r := range []survey.Revision{settle, rb, base, ra} {
		if _, err := s.Append(ctx, r); err != nil {
			t.Fatal(err)
		}
		if cs, _ := s.Conflicts(ctx); len(cs) != 0 {
			t.Fatalf("after %s: a settled target shows a conflict", shortID(r.ID))
		}
		st, err := s.Interview(ctx, "iv1")
		if err != nil {
			t.Fatal(err)
		}
		if st.Answers["1"].Rating != survey.AmberGreen {
			t.Fatalf("after %s: answer %+v, want the settling one", shortID(r.ID), st.Answers["1"])
		}
	}
	if err := s.Check(ctx); err != nil {
		t.Fatal(err)
	}
}
