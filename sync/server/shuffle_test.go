package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/sync/batch"
	"github.com/fieldsurvey/fieldsurvey/sync/server"
	"github.com/fieldsurvey/fieldsurvey/sync/server/servertest"
)

// The order/shuffle property of survey/store (TestAnyOrderSameState) on the server's
// stores: the same batches, ingested in shuffled orders, some twice, some at the same
// moment, give the same revisions and the same folded state of every interview, on each
// store and across the two.

// shuffleSim is a simulated field season: three devices with skewed clocks edit the same
// answers of a few interviews, now and then learn what another wrote (a sync, a stick)
// and settle the conflicts they see. Each device's own revisions go, in the order it made
// them, into its numbered batches (a batch carries only its device's revisions, as an
// outbox does).
type shuffleSim struct {
	devs    []*servertest.Device
	revs    []survey.Revision // every revision, in the order made
	batches []shuffleBatch
}

type shuffleBatch struct {
	dev  int
	data []byte
	id   string
}

func simulateSeason(t *testing.T, rng *rand.Rand, steps int) shuffleSim {
	t.Helper()
	var sim shuffleSim
	clocks := []time.Time{t0, t0.Add(-90 * time.Second), t0.Add(40 * time.Second)}
	known := make([]map[string]survey.Revision, len(clocks))
	own := make([][]survey.Revision, len(clocks))
	for i := range clocks {
		sim.devs = append(sim.devs, servertest.NewDevice(t, fmt.Sprintf("sim-dev-%d", i), fmt.Sprintf("dev%d@example.org", i)))
		known[i] = map[string]survey.Revision{}
	}
	ivs := []string{"0193a5b2-7c1e-7000-8000-00000000aaaa", "0193a5b2-7c1e-7000-8000-00000000bbbb", "0193a5b2-7c1e-7000-8000-00000000cccc"}
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
			return survey.InterviewMeta{Questionnaire: "dgra-2018", QuestionnaireVersion: pick([]string{"2018.1", "2018.2"}), Assessor: pick([]string{"lan", "minh"})}
		case survey.KindRespondent:
			return survey.Respondent{Agency: pick([]string{"Sở Y tế", "Bộ Tài chính", ""}), Province: pick([]string{"Huế", "Đà Nẵng"}), Role: "Phó giám đốc"}
		case survey.KindStatus:
			// An assessor's statuses: decisions are a supervisor's (and checked before a
			// store sees a batch).
			return survey.StatusChange{Status: []survey.Status{survey.StatusDraft, survey.StatusCompleted}[rng.IntN(2)]}
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
	for range steps {
		i := rng.IntN(len(sim.devs))
		if rng.IntN(6) == 0 {
			for id, r := range known[rng.IntN(len(sim.devs))] {
				known[i][id] = r
			}
			continue
		}
		k := kinds[rng.IntN(len(kinds))]
		target := survey.Target{Interview: pick(ivs), Kind: k.kind, Key: pick(k.keys)}
		var v any
		if cs := conflictsKnown(known[i]); len(cs) > 0 && rng.IntN(3) == 0 {
			// A settlement: one side as it was, or a new value, replacing every head known.
			c := cs[rng.IntN(len(cs))]
			target = c.Target
			if rng.IntN(2) == 0 {
				v = c.Heads[rng.IntN(len(c.Heads))].Value
			}
		}
		if v == nil {
			v = value(target.Kind)
		}
		var mine []survey.Revision
		for _, r := range known[i] {
			if r.Target() == target {
				mine = append(mine, r)
			}
		}
		var replaces []string
		for _, h := range survey.Heads(mine) {
			replaces = append(replaces, h.ID)
		}
		clocks[i] = clocks[i].Add(time.Duration(rng.IntN(3)) * time.Second) // sometimes the same instant
		r := sim.devs[i].Revision(t, target, v, clocks[i], replaces...)
		known[i][r.ID] = r
		own[i] = append(own[i], r)
		sim.revs = append(sim.revs, r)
	}
	for i, revs := range own {
		for len(revs) > 0 {
			n := min(len(revs), 1+rng.IntN(8))
			data, m := sim.devs[i].Batch(t, revs[:n])
			sim.batches = append(sim.batches, shuffleBatch{dev: i, data: data, id: m.ID})
			revs = revs[n:]
		}
	}
	return sim
}

// conflictsKnown returns the targets whose heads disagree among revs, in a fixed order.
func conflictsKnown(revs map[string]survey.Revision) []survey.Conflict {
	byTarget := map[survey.Target][]survey.Revision{}
	for _, r := range revs {
		byTarget[r.Target()] = append(byTarget[r.Target()], r)
	}
	var out []survey.Conflict
	for tg, rs := range byTarget {
		if hs := survey.Heads(rs); survey.Disagree(hs) {
			out = append(out, survey.Conflict{Target: tg, Heads: hs})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Target.String() < out[j].Target.String() })
	return out
}

// TestServerStoresAnyOrderSameState ingests the batches of simulated seasons in shuffled
// orders (some batches twice, some groups at the same moment, so that the group commit
// stores them together) into fresh stores, and checks each time: every revision is held,
// once, byte for byte; the store's own folded state of every interview (the survey store's
// on SQLite, the interviews rows on PostgreSQL) is survey.Fold of the set; a supervisor's
// inbox brings every revision. Then the stores of the two drivers are compared with each
// other. The uploads carry no Server: the status "submitted" the server adds depends, by
// design, on when the completion arrives, and is tested on its own
// (TestSubmittedWhenCompletedReachesTheServer).
func TestServerStoresAnyOrderSameState(t *testing.T) {
	const seeds, orders = 3, 3
	var mu sync.Mutex
	digests := map[string][]string{} // by driver: one digest a seed
	servertest.ForEachStore(t, func(t *testing.T, drv servertest.Driver) {
		var replays, together int
		for seed := range uint64(seeds) {
			rng := rand.New(rand.NewPCG(seed, 0x5eed))
			sim := simulateSeason(t, rng, 80)
			ref, err := survey.Fold(sim.revs)
			if err != nil {
				t.Fatal(err)
			}
			conflicts := 0
			for _, st := range ref {
				conflicts += len(st.Conflicts)
			}
			if seed == 0 && conflicts == 0 {
				t.Fatalf("seed 0: the simulation made no conflict: it tests too little")
			}
			want := sortedRevs(sim.revs)
			var first string
			for order := range orders {
				where := fmt.Sprintf("seed %d order %d", seed, order)
				st, sup := openEnrolled(t, drv, sim.devs)
				queue := slices.Clone(sim.batches)
				rng.Shuffle(len(queue), func(i, j int) { queue[i], queue[j] = queue[j], queue[i] })
				queue = append(queue, queue[:1+rng.IntN(4)]...) // some arrive twice
				for len(queue) > 0 {
					n := min(len(queue), 1+rng.IntN(4))
					if n > 1 {
						together++
					}
					replays += ingestTogether(t, st, sim.devs, queue[:n])
					queue = queue[n:]
				}
				got := heldRevs(t, st)
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("%s: the store holds %d revisions, the batches %d, or they differ", where, len(got), len(want))
				}
				checkFolded(t, where, st, ref)
				if n := inboxRevisions(t, st, sup); n != len(want) {
					t.Fatalf("%s: the supervisor's inbox brings %d distinct revisions of %d", where, n, len(want))
				}
				d := digest(t, got)
				if order == 0 {
					first = d
				} else if d != first {
					t.Fatalf("%s: the state differs from order 0's", where)
				}
				st.Close()
			}
			mu.Lock()
			digests[drv.Name] = append(digests[drv.Name], first)
			mu.Unlock()
		}
		t.Logf("%d replays, %d groups ingested at the same moment", replays, together)
		if replays == 0 || together == 0 {
			t.Errorf("no replay (%d) or no concurrent ingest (%d): the test tests too little", replays, together)
		}
	})
	if a, b := digests["sqlite"], digests["postgres"]; len(a) == seeds && len(b) == seeds {
		if !slices.Equal(a, b) {
			t.Fatalf("the SQLite and PostgreSQL stores hold different states of the same batches")
		}
		t.Logf("SQLite and PostgreSQL hold the same revisions and states for the %d seasons", seeds)
	}
}

// openEnrolled opens a fresh store with devs enrolled as assessors and a supervisor of
// every province, whose id it returns.
func openEnrolled(t *testing.T, drv servertest.Driver, devs []*servertest.Device) (server.Store, string) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	key, _, err := server.LoadOrCreateKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	st, err := drv.Open(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	sup := servertest.NewDevice(t, "sim-sup", "sup@example.org")
	for _, d := range append(slices.Clone(devs), sup) {
		role := survey.RoleAssessor
		if d == sup {
			role = survey.RoleSupervisor
		}
		tok, _, err := server.IssueTokenFor(ctx, st, key, server.TokenSpec{Assessor: d.Principal, Role: role, Lifetime: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Enroll(ctx, tok.Hash(), server.Device{ID: d.ID, Principal: d.Principal, PublicKey: d.PublicKey(), Role: role}, t0); err != nil {
			t.Fatal(err)
		}
	}
	return st, sup.ID
}

// ingestTogether ingests bs at the same moment and returns how many were replays.
func ingestTogether(t *testing.T, st server.Store, devs []*servertest.Device, bs []shuffleBatch) int {
	t.Helper()
	ctx := context.Background()
	var wg sync.WaitGroup
	var mu sync.Mutex
	replays := 0
	for _, sb := range bs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b, err := batch.Read(bytes.NewReader(sb.data), batch.Limits{})
			if err != nil {
				t.Error(err)
				return
			}
			revs, err := b.Revisions()
			if err != nil {
				t.Error(err)
				return
			}
			d := devs[sb.dev]
			dev, err := st.Device(ctx, d.ID)
			if err != nil {
				t.Error(err)
				return
			}
			out, err := st.Ingest(ctx, server.Upload{Device: dev, Batch: b, Revisions: revs, Time: t0.Add(time.Hour)})
			if err != nil {
				t.Errorf("batch %s of %s: %v", sb.id, d.ID, err)
				return
			}
			mu.Lock()
			if out.Replay {
				replays++
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	return replays
}

func sortedRevs(revs []survey.Revision) []survey.Revision {
	byID := map[string]survey.Revision{}
	for _, r := range revs {
		byID[r.ID] = r
	}
	out := make([]survey.Revision, 0, len(byID))
	for _, r := range byID {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// heldRevs returns every revision st holds, by id (failing on one held twice).
func heldRevs(t *testing.T, st server.Store) []survey.Revision {
	t.Helper()
	var out []survey.Revision
	err := st.(server.Inspector).AllRevisions(context.Background(), func(r survey.Revision) error {
		r.Time = r.Time.UTC()
		out = append(out, r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	for i := 1; i < len(out); i++ {
		if out[i].ID == out[i-1].ID {
			t.Fatalf("revision %s held twice", out[i].ID)
		}
	}
	return out
}

// checkFolded compares the state the store keeps of each interview with ref: the survey
// store's folded state on SQLite, the interviews rows on PostgreSQL; and, on both, the fold
// of the interview's revisions as the store returns them.
func checkFolded(t *testing.T, where string, st server.Store, ref map[string]*survey.InterviewState) {
	t.Helper()
	ctx := context.Background()
	for id, want := range ref {
		revs, err := st.(server.Inspector).InterviewRevisions(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		got, err := survey.Fold(revs)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got[id], want) {
			t.Fatalf("%s: interview %s folded from the store's revisions differs from Fold of the batches", where, id)
		}
	}
	switch s := st.(type) {
	case *server.SQLite:
		for id, want := range ref {
			got, err := s.Revisions().Interview(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: the store's state of interview %s differs from Fold:\n got %+v\nwant %+v", where, id, got, want)
			}
		}
	case *server.Postgres:
		rows, err := s.Pool().Query(ctx, `SELECT id, questionnaire, version, status, reason, agency, province, assessor, conflicts, revisions, updated FROM interviews`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		n := 0
		for rows.Next() {
			var sm survey.Summary
			var status string
			var updated int64
			if err := rows.Scan(&sm.ID, &sm.Questionnaire, &sm.Version, &status, &sm.Reason, &sm.Agency, &sm.Province, &sm.Assessor, &sm.Conflicts, &sm.Revisions, &updated); err != nil {
				t.Fatal(err)
			}
			n++
			ws := ref[sm.ID]
			if ws == nil {
				t.Fatalf("%s: a row for interview %s, which the batches do not hold", where, sm.ID)
			}
			w := ws.Summary()
			if sm.Questionnaire != w.Questionnaire || sm.Version != w.Version || survey.Status(status) != w.Status || sm.Reason != w.Reason ||
				sm.Agency != w.Agency || sm.Province != w.Province || sm.Assessor != w.Assessor || sm.Conflicts != w.Conflicts ||
				sm.Revisions != w.Revisions || updated != w.Updated.UnixMilli() {
				t.Fatalf("%s: the interviews row of %s differs from Fold:\n got %+v (status %s, updated %d)\nwant %+v", where, sm.ID, sm, status, updated, w)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if n != len(ref) {
			t.Fatalf("%s: %d interviews rows for %d interviews", where, n, len(ref))
		}
	default:
		t.Fatalf("unknown store %T", st)
	}
}

// inboxRevisions reads a device's whole inbox and returns how many distinct revisions it
// brings.
func inboxRevisions(t *testing.T, st server.Store, device string) int {
	t.Helper()
	seen := map[string]bool{}
	var after int64
	for {
		page, err := st.Inbox(context.Background(), device, after, 50)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Revisions {
			seen[r.ID] = true
		}
		after = page.Cursor
		if !page.More {
			return len(seen)
		}
	}
}

// digest is the revisions a store holds and the states they fold to, as text, to compare
// stores.
func digest(t *testing.T, revs []survey.Revision) string {
	t.Helper()
	ref, err := survey.Fold(revs)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	for _, r := range revs {
		if err := enc.Encode(r); err != nil {
			t.Fatal(err)
		}
	}
	ids := make([]string, 0, len(ref))
	for id := range ref {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if err := enc.Encode(ref[id].Summary()); err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}
