package store

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// fakeClock returns a clock that starts at start and advances by step on every call.
func fakeClock(start time.Time, step time.Duration) func() time.Time {
	t := start
	return func() time.Time {
		now := t
		t = t.Add(step)
		return now
	}
}

var t0 = time.Date(2026, 11, 22, 8, 30, 0, 0, time.UTC)

func openTest(t *testing.T, opts ...Option) *Store {
	t.Helper()
	opts = append([]Option{WithClock(fakeClock(t0, time.Second))}, opts...)
	s, err := Open(filepath.Join(t.TempDir(), "home", "survey.db"), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func tgt(iv string, k survey.Kind, key string) survey.Target {
	return survey.Target{Interview: iv, Kind: k, Key: key}
}

// newInterview writes a complete small interview through Put.
func newInterview(t *testing.T, s *Store, by Author, id, agency, province string) []survey.Revision {
	t.Helper()
	revs, err := s.Put(context.Background(), by,
		survey.Change{Target: tgt(id, survey.KindInterview, ""), Value: survey.InterviewMeta{Questionnaire: "example", QuestionnaireVersion: "1", Assessor: by.Principal, Device: by.Device}},
		survey.Change{Target: tgt(id, survey.KindRespondent, ""), Value: survey.Respondent{Agency: agency, Province: province, Role: "Giám đốc", Category: "gov", Date: "2026-11-22", Consent: true}},
		survey.Change{Target: tgt(id, survey.KindAnswer, "1.1"), Value: survey.Answer{Rating: survey.Amber, Evidence: []survey.Evidence{{Polarity: survey.Plus, Text: "Có chiến lược", InScope: true}}}},
		survey.Change{Target: tgt(id, survey.KindAnswer, "1.2"), Value: survey.Answer{Comment: "chưa rõ"}},
		survey.Change{Target: tgt(id, survey.KindSection, "1"), Value: survey.SectionSummary{Rating: survey.Amber, Comment: "ok"}},
	)
	if err != nil {
		t.Fatal(err)
	}
	return revs
}

func TestPutAndRead(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	by := Author{Device: "dev-a", Principal: "lan@example.org"}
	revs := newInterview(t, s, by, "iv1", "Sở Thông tin và Truyền thông", "Đà Nẵng")
	if len(revs) != 5 {
		t.Fatalf("Put wrote %d revisions, want 5", len(revs))
	}
	for i, r := range revs {
		if r.Counter != uint64(i+1) || r.Device != "dev-a" || r.Author != by.Principal {
			t.Errorf("revision %d: counter %d device %q author %q", i, r.Counter, r.Device, r.Author)
		}
	}
	st, err := s.Interview(ctx, "iv1")
	if err != nil {
		t.Fatal(err)
	}
	all, err := s.Revisions(ctx, "iv1")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range all {
		if err := r.Verify(); err != nil {
			t.Errorf("read back revision fails Verify: %v", err)
		}
	}
	folded, err := survey.Fold(all)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(st, folded["iv1"]) {
		t.Errorf("Interview differs from Fold:\n got %+v\nwant %+v", st, folded["iv1"])
	}
	if st.Respondent.Province != "Đà Nẵng" || st.Answers["1.1"].Rating != survey.Amber {
		t.Errorf("state: %+v", st)
	}
	list, err := s.List(ctx, ListOptions{Search: "da nang"})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Answered != 1 || list[0].Sections["1"] != survey.Amber || list[0].Revisions != 5 {
		t.Fatalf("List: %+v", list)
	}
	if _, err := s.Interview(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown interview: %v, want ErrNotFound", err)
	}
}

func mustPut(t *testing.T, s *Store, by Author, changes ...survey.Change) []survey.Revision {
	t.Helper()
	revs, err := s.Put(context.Background(), by, changes...)
	if err != nil {
		t.Fatal(err)
	}
	return revs
}

func answer(iv, key string, v survey.Answer) survey.Change {
	return survey.Change{Target: tgt(iv, survey.KindAnswer, key), Value: v}
}

// foldStore folds every revision in s: the reference the store's own answers must equal.
func foldStore(t *testing.T, s *Store) map[string]*survey.InterviewState {
	t.Helper()
	var all []survey.Revision
	if err := s.AllRevisions(context.Background(), func(r survey.Revision) error {
		all = append(all, r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	states, err := survey.Fold(all)
	if err != nil {
		t.Fatal(err)
	}
	return states
}

func TestPutSkipsUnchangedAndReplacesHead(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	by := Author{Device: "dev-a", Principal: "lan"}
	first := mustPut(t, s, by, answer("iv1", "1.1", survey.Answer{Rating: survey.Red}))
	// The same value again (even typed decomposed) writes nothing.
	again := mustPut(t, s, by, answer("iv1", "1.1", survey.Answer{Rating: survey.Red}))
	if len(again) != 0 {
		t.Fatalf("unchanged value wrote %d revisions", len(again))
	}
	second := mustPut(t, s, by, answer("iv1", "1.1", survey.Answer{Rating: survey.Green, Comment: "Cần Thơ"}))
	if len(second) != 1 || len(second[0].Replaces) != 1 || second[0].Replaces[0] != first[0].ID {
		t.Fatalf("second revision should replace the first: %+v", second)
	}
	if second[0].Counter != 2 {
		t.Errorf("counter %d, want 2", second[0].Counter)
	}
	// Decomposed Vietnamese is stored composed, so typing it again is no change.
	decomposed := "Ca\u0302\u0300n Tho\u031b"
	if n := mustPut(t, s, by, answer("iv1", "1.1", survey.Answer{Rating: survey.Green, Comment: decomposed})); len(n) != 0 {
		t.Errorf("same text in another Unicode form wrote %d revisions", len(n))
	}
	h, err := s.History(ctx, tgt("iv1", survey.KindAnswer, "1.1"))
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 2 || h[0].ID != first[0].ID || h[1].ID != second[0].ID {
		t.Errorf("history: %v", h)
	}
	// Two changes of one target in one Put chain within the transaction.
	chain := mustPut(t, s, by, answer("iv1", "1.2", survey.Answer{Rating: survey.Red}), answer("iv1", "1.2", survey.Answer{Rating: survey.Amber}))
	if len(chain) != 2 || len(chain[1].Replaces) != 1 || chain[1].Replaces[0] != chain[0].ID {
		t.Errorf("chained changes: %+v", chain)
	}
	st, err := s.Interview(ctx, "iv1")
	if err != nil {
		t.Fatal(err)
	}
	if st.Answers["1.2"].Rating != survey.Amber || len(st.Conflicts) != 0 {
		t.Errorf("state: %+v", st)
	}
	// The counter survives a reopen.
	path := s.Path()
	s.Close()
	s2, err := Open(path, WithClock(fakeClock(t0.Add(time.Hour), time.Second)))
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	next := mustPut(t, s2, by, answer("iv1", "1.3", survey.Answer{Value: "x"}))
	if next[0].Counter != 5 {
		t.Errorf("counter after reopen %d, want 5", next[0].Counter)
	}
	if err := s2.Check(ctx); err != nil {
		t.Error(err)
	}
}

func TestPutRefusesBadChanges(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	by := Author{Device: "dev-a"}
	cases := []struct {
		name string
		by   Author
		ch   survey.Change
	}{
		{"no device", Author{}, answer("iv1", "1.1", survey.Answer{Rating: survey.Red})},
		{"no interview", by, answer("", "1.1", survey.Answer{Rating: survey.Red})},
		{"answer without key", by, answer("iv1", "", survey.Answer{Rating: survey.Red})},
		{"unknown kind", by, survey.Change{Target: tgt("iv1", "colour", ""), Value: 1}},
		{"wrong value type", by, survey.Change{Target: tgt("iv1", survey.KindStatus, ""), Value: []int{1}}},
		{"unencodable", by, survey.Change{Target: tgt("iv1", survey.KindAnswer, "1"), Value: survey.Answer{Value: func() {}}}},
	}
	for _, c := range cases {
		// A good change first: the whole Put must be refused, the good change too.
		_, err := s.Put(ctx, c.by, answer("iv1", "9.9", survey.Answer{Rating: survey.Red}), c.ch)
		if err == nil {
			t.Errorf("%s: Put accepted it", c.name)
		}
	}
	if list, _ := s.List(ctx, ListOptions{}); len(list) != 0 {
		t.Errorf("refused Puts left interviews: %+v", list)
	}
	if p, _ := s.Pending(ctx); len(p) != 0 {
		t.Errorf("refused Puts left revisions: %d", len(p))
	}
}

// otherDevice makes revisions as another device would.
type otherDevice struct {
	name    string
	counter uint64
	now     time.Time
}

func (d *otherDevice) rev(t *testing.T, target survey.Target, v any, replaces ...survey.Revision) survey.Revision {
	t.Helper()
	d.counter++
	d.now = d.now.Add(time.Minute)
	ids := make([]string, len(replaces))
	for i, r := range replaces {
		ids[i] = r.ID
	}
	r, err := survey.NewRevision(target, v, d.name, d.counter, d.now, d.name+"@example.org", ids)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestConflictKeptAndSettled(t *testing.T) {
	ctx := context.Background()
	a := &otherDevice{name: "dev-a", now: t0}
	b := &otherDevice{name: "dev-b", now: t0.Add(5 * time.Minute)}
	target := tgt("iv1", survey.KindAnswer, "2.1")
	base := a.rev(t, target, survey.Answer{Rating: survey.Amber})
	ra := a.rev(t, target, survey.Answer{Rating: survey.Green}, base)
	rb := b.rev(t, target, survey.Answer{Rating: survey.Red, Comment: "thiếu ngân sách"}, base)

	for _, order := range [][]survey.Revision{{base, ra, rb}, {rb, ra, base}, {ra, base, rb}} {
		s := openTest(t)
		for _, r := range order {
			if _, err := s.Append(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		cs, err := s.Conflicts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) != 1 || cs[0].Target != target || len(cs[0].Heads) != 2 {
			t.Fatalf("conflicts: %+v", cs)
		}
		// Both sides are loaded in full, newest first (b's clock is ahead).
		if cs[0].Heads[0].ID != rb.ID || cs[0].Heads[1].ID != ra.ID {
			t.Errorf("conflict heads not newest first")
		}
		if err := cs[0].Heads[0].Verify(); err != nil {
			t.Error(err)
		}
		list, _ := s.List(ctx, ListOptions{})
		if len(list) != 1 || list[0].Conflicts != 1 {
			t.Errorf("summary conflicts: %+v", list)
		}
		st, err := s.Interview(ctx, "iv1")
		if err != nil {
			t.Fatal(err)
		}
		if want := foldStore(t, s)["iv1"]; !reflect.DeepEqual(st, want) {
			t.Errorf("Interview differs from Fold:\n got %+v\nwant %+v", st, want)
		}
		// A local Put replaces both heads and settles the conflict.
		settle := mustPut(t, s, Author{Device: "dev-c", Principal: "sup"}, answer("iv1", "2.1", survey.Answer{Rating: survey.AmberRed}))
		if len(settle) != 1 || len(settle[0].Replaces) != 2 {
			t.Fatalf("settling revision should replace both heads: %+v", settle)
		}
		if cs, _ := s.Conflicts(ctx); len(cs) != 0 {
			t.Errorf("conflict not settled: %+v", cs)
		}
		if h, _ := s.History(ctx, target); len(h) != 4 {
			t.Errorf("history lost revisions: %d, want 4", len(h))
		}
		if err := s.Check(ctx); err != nil {
			t.Error(err)
		}
	}
}

func TestAppendVerifiesIsIdempotentAndReportsReusedCounters(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	d := &otherDevice{name: "dev-b", now: t0}
	r1 := d.rev(t, tgt("iv1", survey.KindInterview, ""), survey.InterviewMeta{Questionnaire: "example", QuestionnaireVersion: "1"})
	r2 := d.rev(t, tgt("iv1", survey.KindAnswer, "1"), survey.Answer{Rating: survey.Green})
	res, err := s.Append(ctx, r1, r2, r1)
	if err != nil {
		t.Fatal(err)
	}
	if res.Added != 2 || res.Present != 1 {
		t.Errorf("first append: %+v", res)
	}
	res, err = s.Append(ctx, r2, r1)
	if err != nil {
		t.Fatal(err)
	}
	if res.Added != 0 || res.Present != 2 {
		t.Errorf("second append: %+v", res)
	}

	tampered := d.rev(t, tgt("iv1", survey.KindAnswer, "2"), survey.Answer{Rating: survey.Red})
	tampered.Value = []byte(`{"rating":"green"}`)
	undecodable := d.rev(t, tgt("iv1", survey.KindAnswer, "3"), "not an answer")
	badReplace, err := survey.NewRevision(tgt("iv1", survey.KindAnswer, "4"), survey.Answer{}, "dev-b", 99, t0, "", []string{"a b"})
	if err != nil {
		t.Fatal(err)
	}
	good := d.rev(t, tgt("iv2", survey.KindAnswer, "1"), survey.Answer{Rating: survey.Red})
	for name, bad := range map[string]survey.Revision{"tampered": tampered, "undecodable": undecodable, "bad replaces": badReplace} {
		_, err := s.Append(ctx, good, bad)
		if err == nil {
			t.Errorf("%s: Append accepted it", name)
			continue
		}
		if !errors.Is(err, survey.ErrBadRevision) && !errors.Is(err, survey.ErrBadRevisionID) {
			t.Errorf("%s: error %v does not wrap the domain's sentinel", name, err)
		}
	}
	if _, err := s.Interview(ctx, "iv2"); !errors.Is(err, ErrNotFound) {
		t.Errorf("a refused Append stored its good revision: %v", err)
	}

	// Two different revisions with one (device, counter): kept, both, and reported.
	clash, err := survey.NewRevision(tgt("iv1", survey.KindAnswer, "5"), survey.Answer{Rating: survey.Red}, "dev-b", r2.Counter, t0, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err = s.Append(ctx, clash)
	if err != nil {
		t.Fatal(err)
	}
	if res.Added != 1 || len(res.Reused) != 1 || res.Reused[0] != clash.ID {
		t.Errorf("counter clash: %+v", res)
	}
	// Within one Append too: the rows of a call are written many a statement, yet a
	// revision sharing a counter with one stored earlier in the same call is reported, and
	// counters merely out of order are not.
	const iv3 = "0193a5b2-7c1e-7000-8000-000000000003"
	mk := func(key string, counter uint64) survey.Revision {
		r, err := survey.NewRevision(tgt(iv3, survey.KindAnswer, key), survey.Answer{Rating: survey.Amber}, "dev-c", counter, t0, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	first, again := mk("1", 7), mk("2", 7)
	res, err = s.Append(ctx, mk("3", 9), first, mk("4", 8), again, mk("5", 6))
	if err != nil {
		t.Fatal(err)
	}
	if res.Added != 5 || len(res.Reused) != 1 || res.Reused[0] != again.ID {
		t.Errorf("counter clash in one call: %+v (want %s reused)", res, again.ID)
	}
	// Local Puts of that device continue after the highest counter stored (r2's; the
	// refused revisions were never stored).
	next := mustPut(t, s, Author{Device: "dev-b"}, answer("iv1", "6", survey.Answer{Rating: survey.Red}))
	if next[0].Counter != r2.Counter+1 {
		t.Errorf("Put took counter %d, want %d", next[0].Counter, r2.Counter+1)
	}
	if err := s.Check(ctx); err != nil {
		t.Error(err)
	}
}

func TestPendingAndMarkBatched(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	revs := newInterview(t, s, Author{Device: "dev-a"}, "iv1", "Sở Y tế", "Huế")
	p, err := s.Pending(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(p) != len(revs) {
		t.Fatalf("pending %d, want %d", len(p), len(revs))
	}
	for i := range p {
		if p[i].ID != revs[i].ID {
			t.Errorf("pending not in counter order")
		}
	}
	err = s.Update(ctx, func(tx *Tx) error { return tx.MarkBatched("batch-1", []string{revs[0].ID, revs[1].ID}) })
	if err != nil {
		t.Fatal(err)
	}
	// Already batched revisions keep their first batch; an unknown id fails the whole call.
	err = s.Update(ctx, func(tx *Tx) error {
		return tx.MarkBatched("batch-2", []string{revs[1].ID, revs[2].ID, "0000"})
	})
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown revision: %v, want ErrNotFound", err)
	}
	p, _ = s.Pending(ctx)
	if len(p) != len(revs)-2 || p[0].ID != revs[2].ID {
		t.Errorf("pending after batching: %d", len(p))
	}
}

func TestUpdateRollsBackOnErrorAndPanic(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	by := Author{Device: "dev-a"}
	boom := errors.New("boom")
	err := s.Update(ctx, func(tx *Tx) error {
		if _, err := tx.Put(by, answer("iv1", "1", survey.Answer{Rating: survey.Red})); err != nil {
			return err
		}
		if err := tx.SetMeta("k", "v"); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update returned %v", err)
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("panic was swallowed")
			}
		}()
		s.Update(ctx, func(tx *Tx) error {
			tx.Put(by, answer("iv1", "1", survey.Answer{Rating: survey.Red}))
			panic("in the middle")
		})
	}()
	if _, ok, _ := s.GetMeta(ctx, "k"); ok {
		t.Error("meta of a rolled back transaction is visible")
	}
	if list, _ := s.List(ctx, ListOptions{}); len(list) != 0 {
		t.Errorf("rolled back Put is visible: %+v", list)
	}
	// The store still works, and the device counter was not consumed.
	r := mustPut(t, s, by, answer("iv1", "1", survey.Answer{Rating: survey.Red}))
	if r[0].Counter != 1 {
		t.Errorf("counter %d after rollbacks, want 1", r[0].Counter)
	}
	err = s.View(ctx, func(tx *Tx) error {
		_, err := tx.Put(by, answer("iv1", "2", survey.Answer{Rating: survey.Red}))
		return err
	})
	if !errors.Is(err, ErrReadOnly) {
		t.Errorf("Put in View: %v, want ErrReadOnly", err)
	}
}

func TestMeta(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	if _, ok, err := s.GetMeta(ctx, "device"); ok || err != nil {
		t.Fatalf("missing key: %v %v", ok, err)
	}
	for _, v := range []string{"dev-1", "dev-2"} {
		if err := s.SetMeta(ctx, "device", v); err != nil {
			t.Fatal(err)
		}
	}
	if v, ok, err := s.GetMeta(ctx, "device"); !ok || err != nil || v != "dev-2" {
		t.Errorf("GetMeta = %q %v %v", v, ok, err)
	}
}

func TestListFiltersSearchAndOrder(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	by := Author{Device: "dev-a", Principal: "lan"}
	newInterview(t, s, by, "0190aaaa-1", "Sở Thông tin và Truyền thông", "Đà Nẵng")
	newInterview(t, s, by, "0190bbbb-2", "Bộ Tài chính", "Hà Nội")
	newInterview(t, s, by, "0190cccc-3", "Sở Y tế", "Thừa Thiên Huế")
	mustPut(t, s, by, survey.Change{Target: tgt("0190bbbb-2", survey.KindStatus, ""), Value: survey.StatusChange{Status: survey.StatusCompleted}})

	ids := func(o ListOptions) []string {
		t.Helper()
		list, err := s.List(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, sm := range list {
			out = append(out, sm.ID)
		}
		return out
	}
	check := func(name string, got []string, want ...string) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %v, want %v", name, got, want)
		}
	}
	check("all, latest update first", ids(ListOptions{}), "0190bbbb-2", "0190cccc-3", "0190aaaa-1")
	check("limit", ids(ListOptions{Limit: 1}), "0190bbbb-2")
	check("status", ids(ListOptions{Status: survey.StatusCompleted}), "0190bbbb-2")
	check("status draft", ids(ListOptions{Status: survey.StatusDraft}), "0190cccc-3", "0190aaaa-1")
	check("questionnaire", ids(ListOptions{Questionnaire: "other"}))
	check("no accents", ids(ListOptions{Search: "da nang"}), "0190aaaa-1")
	check("upper case, accents", ids(ListOptions{Search: "HUẾ"}), "0190cccc-3")
	check("decomposed input", ids(ListOptions{Search: "Ta\u0300i chi\u0301nh"}), "0190bbbb-2")
	check("role", ids(ListOptions{Search: "giam doc", Limit: 2}), "0190bbbb-2", "0190cccc-3")
	check("id prefix", ids(ListOptions{Search: "0190CCCC"}), "0190cccc-3")
	check("like wildcards are literal", ids(ListOptions{Search: "0190%"}))
	check("not across fields", ids(ListOptions{Search: "y te thua"}))
}

func TestAgenciesAndProvincesInVietnameseOrder(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	by := Author{Device: "dev-a"}
	for i, p := range []string{"Hà Nội", "Đà Nẵng", "Cần Thơ", "Dak Lak", "An Giang", "Hà Nội"} {
		newInterview(t, s, by, "iv"+string(rune('a'+i)), "Sở "+p, p)
	}
	got, err := s.Provinces(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"An Giang", "Cần Thơ", "Dak Lak", "Đà Nẵng", "Hà Nội"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Provinces = %v, want %v", got, want)
	}
	ag, err := s.Agencies(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ag) != 5 || ag[3] != "Sở Đà Nẵng" {
		t.Errorf("Agencies = %v", ag)
	}
}

// Check must notice derived tables that disagree with the revisions, or the crash and
// property tests that rely on it would prove nothing.
func TestCheckFindsInconsistencies(t *testing.T) {
	ctx := context.Background()
	for name, damage := range map[string]string{
		"lost head":        "UPDATE revision_targets SET head = 0 WHERE kind = (SELECT n FROM revision_kinds WHERE name = 'answer') AND key = '1.1'",
		"extra head":       "UPDATE revision_targets SET head = 1",
		"lost entry":       "DELETE FROM revision_targets WHERE kind = (SELECT n FROM revision_kinds WHERE name = 'answer') AND key = '1.1' AND head = 0",
		"wrong row":        "UPDATE revision_targets SET seq = seq + 1 WHERE kind = (SELECT n FROM revision_kinds WHERE name = 'respondent')",
		"lost row":         "DELETE FROM revision_rows WHERE kind = (SELECT n FROM revision_kinds WHERE name = 'respondent')",
		"entry twice":      "INSERT INTO revision_targets (interview, kind, key, head, id, seq) SELECT interview, kind, key, 1 - head, id, seq FROM revision_targets WHERE kind = (SELECT n FROM revision_kinds WHERE name = 'respondent')",
		"wrong count":      "UPDATE interviews SET answered = answered + 1",
		"wrong status":     "UPDATE interviews SET status = 'approved'",
		"orphan summary":   "INSERT INTO interviews (id) VALUES ('ghost')",
		"tampered value":   `UPDATE revision_rows SET value = '{"rating":"green"}' WHERE kind = (SELECT n FROM revision_kinds WHERE name = 'answer') AND key = '1.2'`,
		"wrong sections":   `UPDATE interviews SET sections = '{}'`,
		"lost summary row": "DELETE FROM interviews",
		// 0008: a row or an entry naming a number revision_names does not hold.
		"unnamed interview": "DELETE FROM revision_names WHERE name = 'iv1'",
		"unnamed device":    "DELETE FROM revision_names WHERE name = 'dev-a'",
		"unnamed author":    "DELETE FROM revision_names WHERE name = ''",
		"unnamed batch":     "UPDATE revision_rows SET batch = 99999",
		"unnamed entry":     "UPDATE revision_targets SET interview = 99999 WHERE kind = (SELECT n FROM revision_kinds WHERE name = 'respondent')",
		// A kind number no kind has, in the row and its entry alike (so that they pair).
		"unknown kind": "UPDATE revision_rows SET kind = 99 WHERE kind = 2; UPDATE revision_targets SET kind = 99 WHERE kind = 2",
		"extra kind":   "INSERT INTO revision_kinds (n, name) VALUES (11, 'poll')",
	} {
		t.Run(name, func(t *testing.T) {
			s := openTest(t)
			by := Author{Device: "dev-a"}
			newInterview(t, s, by, "iv1", "Sở Y tế", "Huế")
			mustPut(t, s, by, answer("iv1", "1.1", survey.Answer{Rating: survey.Green}))
			if err := s.Check(ctx); err != nil {
				t.Fatalf("healthy store: %v", err)
			}
			err := s.Update(ctx, func(tx *Tx) error {
				_, err := tx.ExecContext(ctx, damage)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Check(ctx); err == nil {
				t.Error("Check did not notice")
			} else if strings.HasPrefix(name, "unnamed") && !strings.Contains(err.Error(), "refer to a name") {
				t.Errorf("Check did not report the missing name: %v", err)
			} else if name == "unknown kind" && !strings.Contains(err.Error(), "kind number that names no kind") {
				t.Errorf("Check did not report the unknown kind: %v", err)
			} else if name == "extra kind" && !strings.Contains(err.Error(), "revision_kinds holds") {
				t.Errorf("Check did not report the kind the store does not number: %v", err)
			}
		})
	}
}
