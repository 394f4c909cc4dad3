package client_test

import (
	"context"
	"encoding/json"
	"fmt"
	mrand "math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
	"github.com/fieldsurvey/fieldsurvey/sync/client"
	"github.com/fieldsurvey/fieldsurvey/sync/server"
	"github.com/fieldsurvey/fieldsurvey/sync/server/faultproxy"
	"github.com/fieldsurvey/fieldsurvey/sync/server/servertest"
)

// TestConvergence is the property of issue 8: three laptops, a supervisor's device and the
// server; random edits (the same answers on several devices, so conflicts happen),
// completions, a supervisor's decisions and settlements, assignments, syncs in a random
// order through a proxy that cuts connections and answers errors, syncs cancelled half way.
// After everyone has synced twice without faults:
//   - every copy holds, for every interview it holds, the same revision set as the server,
//     and its Record (what `interview show --json` prints) is byte for byte the server's;
//   - the supervisor holds every interview of its provinces, each laptop those it made or
//     was assigned;
//   - nothing is lost (every revision any device made is on the server) and each revision
//     was stored once (the batches' new revisions add up to what the server holds);
//   - no batch is missing or refused, no outbox holds anything.
//
// FIELDSURVEY_CONVERGENCE=N runs N cases (default 3, each a few hundred revisions).
func TestConvergence(t *testing.T) {
	cases := 3
	if v, err := strconv.Atoi(os.Getenv("FIELDSURVEY_CONVERGENCE")); err == nil && v > 0 {
		cases = v
	} else if testing.Short() {
		cases = 1
	}
	start := time.Now()
	var sum convergeStats
	for c := range cases {
		st := convergeCase(t, uint64(c)+1)
		sum.revisions += st.revisions
		sum.syncs += st.syncs
		sum.faults += st.faults
		sum.settled += st.settled
		sum.decided += st.decided
		sum.assigned += st.assigned
		sum.conflicts += st.conflicts
		if t.Failed() {
			return
		}
	}
	t.Logf("%d cases: %d revisions made (%d settlements, %d decisions), %d assignments, %d syncs during the edits (%d connections broken on purpose), %d conflicts left at the end (identical everywhere), %s",
		cases, sum.revisions, sum.settled, sum.decided, sum.assigned, sum.syncs, sum.faults, sum.conflicts, time.Since(start).Round(time.Millisecond))
}

type convergeStats struct{ revisions, syncs, faults, settled, decided, assigned, conflicts int }

var provinces = []string{"Đà Nẵng", "Thừa Thiên Huế", "Quảng Nam"}

// answerKeys are few, so that devices edit the same answers.
var answerKeys = []string{"1.1", "2.1"}

func convergeCase(t *testing.T, seed uint64) convergeStats {
	t.Helper()
	ctx := context.Background()
	rnd := mrand.New(mrand.NewPCG(seed, 88))
	var mu sync.Mutex // rnd is also used by the proxy's goroutines
	intn := func(n int) int {
		mu.Lock()
		defer mu.Unlock()
		return rnd.IntN(n)
	}
	e := servertest.Start(t, "", nil)
	var stats convergeStats
	proxy, err := faultproxy.New(e.Addr, func(int) faultproxy.Fault {
		switch intn(10) {
		case 0:
			return faultproxy.Fault{Kind: faultproxy.CutRequest, Bytes: int64(intn(3000))}
		case 1:
			return faultproxy.Fault{Kind: faultproxy.CutResponse, Bytes: int64(intn(4000))}
		case 2:
			return faultproxy.Fault{Kind: faultproxy.Status, Status: 503}
		case 3:
			return faultproxy.Fault{Kind: faultproxy.Refuse}
		}
		return faultproxy.Fault{Kind: faultproxy.Pass}
	})
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()

	var laptops []*device
	for i := range 3 {
		d := newDevice(t, fmt.Sprintf("laptop-%d", i+1), fmt.Sprintf("assessor%d@example.org", i+1))
		d.enroll(t, e, e.URL)
		laptops = append(laptops, d)
	}
	sup := newDevice(t, "supervisor-1", "supervisor@example.org")
	sup.role = survey.RoleSupervisor
	if seed%2 == 0 { // a scope of two provinces, or none (all)
		sup.scope = []string{provinces[0], provinces[1]}
	}
	sup.enroll(t, e, e.URL)
	all := append(slices.Clone(laptops), sup)
	supDevice := server.Device{Role: survey.RoleSupervisor, Scope: sup.scope}

	made := map[string]bool{} // every revision any device made
	put := func(d *device, ch ...survey.Change) {
		revs, err := d.st.Put(ctx, d.author(), ch...)
		if err != nil {
			t.Fatalf("%s: put: %v", d.id, err)
		}
		for _, r := range revs {
			made[r.ID] = true
		}
	}
	held := func(d *device) []string {
		sums, err := d.st.List(ctx, store.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, s := range sums {
			ids = append(ids, s.ID)
		}
		slices.Sort(ids)
		return ids
	}
	pick := func(ids []string) string { return ids[intn(len(ids))] }
	// sharedWith returns the interviews of ids that another device holds too.
	sharedWith := func(d *device, ids []string) []string {
		var out []string
		for _, o := range all {
			if o == d {
				continue
			}
			for _, iv := range held(o) {
				if slices.Contains(ids, iv) && !slices.Contains(out, iv) {
					out = append(out, iv)
				}
			}
		}
		return out
	}
	perm := func(n int) []int {
		mu.Lock()
		defer mu.Unlock()
		return rnd.Perm(n)
	}
	codes := []survey.Code{survey.Red, survey.AmberRed, survey.Amber, survey.AmberGreen, survey.Green}
	answer := func(step int) survey.Answer {
		return survey.Answer{Rating: codes[intn(len(codes))], Comment: fmt.Sprintf("lần sửa %d / edit %d", step, step)}
	}
	target := func(iv string, k survey.Kind, key string) survey.Target {
		return survey.Target{Interview: iv, Kind: k, Key: key}
	}
	// settle takes one side of a conflict of d's (a settlement is a revision that replaces
	// every head); kinds says which conflicts d may settle.
	settle := func(d *device, kinds ...survey.Kind) bool {
		cs, err := d.st.Conflicts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			if slices.Contains(kinds, c.Target.Kind) {
				put(d, survey.Change{Target: c.Target, Value: c.Heads[intn(len(c.Heads))].Value})
				stats.settled++
				return true
			}
		}
		return false
	}
	syncVia := func(d *device, faulty bool) error {
		o := d.opts(nil)
		o.Pack = func(context.Context) (*client.Packed, error) { return d.pack(context.Background()) }
		sctx := ctx
		if faulty {
			o.URL = proxy.URL()
			o.HTTP = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}
			o.Retry = client.Retry{Attempts: 2, Base: time.Millisecond, Max: 2 * time.Millisecond}
			if intn(6) == 0 { // cut short by the device: the laptop closes
				var cancel context.CancelFunc
				sctx, cancel = context.WithTimeout(ctx, time.Duration(1+intn(20))*time.Millisecond)
				defer cancel()
			}
		}
		_, err := client.Sync(sctx, o)
		return err
	}

	next := 0
	newID := func() string {
		next++
		return fmt.Sprintf("0193a5b2-7c1e-7000-8%03d-%012d", seed, next)
	}
	const steps = 90
	for step := range steps {
		switch op := intn(20); {
		case op < 2: // a laptop starts an interview
			d := laptops[intn(len(laptops))]
			iv := newID()
			put(d, survey.Change{Target: target(iv, survey.KindInterview, ""), Value: survey.InterviewMeta{Questionnaire: "dgra-2018", QuestionnaireVersion: "2018.1", Assessor: d.principal, Device: d.id}},
				survey.Change{Target: target(iv, survey.KindRespondent, ""), Value: survey.Respondent{Agency: "Sở Nội vụ", Province: provinces[intn(len(provinces))], Role: "Phó Giám đốc", Category: "provincial-government", Date: "2026-12-01", Consent: true}},
				survey.Change{Target: target(iv, survey.KindStatus, ""), Value: survey.StatusChange{Status: survey.StatusDraft}},
				survey.Change{Target: target(iv, survey.KindAnswer, answerKeys[intn(len(answerKeys))]), Value: answer(step)})
		case op < 7: // a device edits an answer of an interview it holds, most often one another device holds too
			d := all[intn(len(all))]
			ids := held(d)
			if shared := sharedWith(d, ids); len(shared) > 0 && intn(4) > 0 {
				ids = shared
			}
			if len(ids) > 0 {
				put(d, survey.Change{Target: target(pick(ids), survey.KindAnswer, answerKeys[intn(len(answerKeys))]), Value: answer(step)})
			}
		case op < 9: // a laptop completes an interview
			d := laptops[intn(len(laptops))]
			if ids := held(d); len(ids) > 0 {
				put(d, survey.Change{Target: target(pick(ids), survey.KindStatus, ""), Value: survey.StatusChange{Status: survey.StatusCompleted}})
			}
		case op < 11: // a laptop settles a conflicting answer
			settle(laptops[intn(len(laptops))], survey.KindAnswer)
		case op < 14: // the supervisor settles, or makes a decision the rules allow
			if settle(sup, survey.KindStatus, survey.KindAnswer) {
				break
			}
			ids := held(sup)
			for _, i := range perm(len(ids)) {
				is, err := sup.st.Interview(ctx, ids[i])
				if err != nil {
					t.Fatal(err)
				}
				to := []survey.Status{survey.StatusApproved, survey.StatusReturned, survey.StatusReopened}[intn(3)]
				reason := ""
				if to.NeedsReason() {
					reason = fmt.Sprintf("lý do %d", step)
				}
				if survey.CheckDecision(survey.RoleSupervisor, is.Status.Status, len(is.Conflicts), to, reason) == nil {
					put(sup, survey.Change{Target: target(ids[i], survey.KindStatus, ""), Value: survey.StatusChange{Status: to, Reason: reason}})
					stats.decided++
					break
				}
			}
		case op < 16: // an interview is assigned to another laptop
			sums, err := e.Store.Revisions().List(ctx, store.ListOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(sums) > 0 {
				if err := e.Store.Follow(ctx, laptops[intn(len(laptops))].id, sums[intn(len(sums))].ID); err != nil {
					t.Fatal(err)
				}
				stats.assigned++
			}
		default: // a device syncs, through faults
			stats.syncs++
			syncVia(all[intn(len(all))], true)
		}
	}
	for round := range 2 {
		for _, i := range perm(len(all)) {
			if err := syncVia(all[i], false); err != nil {
				t.Fatalf("seed %d: final sync %d of %s: %v", seed, round+1, all[i].id, err)
			}
		}
	}
	for _, n := range proxy.Counts() {
		stats.faults += n
	}
	stats.faults -= proxy.Counts()[faultproxy.Pass]
	stats.revisions = len(made)

	// Every copy equals the server's, for every interview it holds.
	srv := e.Store.Revisions()
	if err := srv.Check(ctx); err != nil {
		t.Fatalf("seed %d: server store: %v", seed, err)
	}
	record := func(st *store.Store, iv string) []byte {
		is, err := st.Interview(ctx, iv)
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(is.Record())
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	ids := func(st *store.Store, iv string) map[string]bool {
		revs, err := st.Revisions(ctx, iv)
		if err != nil {
			t.Fatal(err)
		}
		return idSet(revs)
	}
	serverIDs := map[string]bool{}
	for _, s := range mustList(t, srv) {
		stats.conflicts += s.Conflicts
		for id := range ids(srv, s.ID) {
			serverIDs[id] = true
		}
	}
	for _, d := range all {
		if err := d.st.Check(ctx); err != nil {
			t.Fatalf("seed %d: %s's store: %v", seed, d.id, err)
		}
		for _, iv := range held(d) {
			if a, b := ids(d.st, iv), ids(srv, iv); !sameIDs(a, b) {
				t.Fatalf("seed %d: %s holds %d revisions of %s, the server %d", seed, d.id, len(a), iv, len(b))
			}
			if a, b := record(d.st, iv), record(srv, iv); string(a) != string(b) {
				t.Fatalf("seed %d: %s's record of %s differs from the server's:\n%s\n%s", seed, d.id, iv, a, b)
			}
		}
		if st, err := client.Status(d.home); err != nil || st.Waiting != 0 || st.Refused != 0 {
			t.Fatalf("seed %d: %s: %+v %v", seed, d.id, st, err)
		}
	}
	// The supervisor holds its provinces' interviews.
	supHeld := held(sup)
	for _, s := range mustList(t, srv) {
		if supDevice.Covers(s.Province) && !slices.Contains(supHeld, s.ID) {
			t.Fatalf("seed %d: the supervisor (scope %v) lacks %s of %s", seed, sup.scope, s.ID, s.Province)
		}
	}
	// Nothing lost, each stored once, nothing missing or refused.
	for id := range made {
		if !serverIDs[id] {
			t.Fatalf("seed %d: revision %.12s never reached the server", seed, id)
		}
	}
	recs, err := e.Store.Hub().Batches(ctx)
	if err != nil {
		t.Fatal(err)
	}
	added := 0
	for _, r := range recs {
		added += r.Added
	}
	serverMade := 0
	for id := range serverIDs {
		if !made[id] {
			serverMade++
		}
	}
	if added != len(made) || len(serverIDs) != len(made)+serverMade {
		t.Fatalf("seed %d: batches added %d revisions, devices made %d; the server holds %d (%d its own)", seed, added, len(made), len(serverIDs), serverMade)
	}
	devs, err := e.Store.Devices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range devs {
		if len(d.Missing) != 0 || len(d.Refused) != 0 {
			t.Fatalf("seed %d: device %s: missing %v, refused %d", seed, d.ID, d.Missing, len(d.Refused))
		}
	}
	return stats
}

func mustList(t *testing.T, st *store.Store) []store.Summary {
	t.Helper()
	sums, err := st.List(context.Background(), store.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return sums
}

func idSet(revs []survey.Revision) map[string]bool {
	out := make(map[string]bool, len(revs))
	for _, r := range revs {
		out[r.ID] = true
	}
	return out
}

func sameIDs(a, b map[string]bool) bool {
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
