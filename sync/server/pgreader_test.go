package server_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/fieldsurvey/fieldsurvey/questionnaires"
	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
	"github.com/fieldsurvey/fieldsurvey/sync/server"
	"github.com/fieldsurvey/fieldsurvey/sync/server/servertest"
)

// readerFixture fills a SQLite server store with interviews of three devices, a conflict
// (two laptops rating one answer differently), a supervisor's return, an assessment, an
// interview of another province and one held without its creation, copies it to a new
// PostgreSQL database (server migrate) and returns both stores' readers.
func readerFixture(t *testing.T) (sqlite store.ReadStore, pg *server.PostgresReader, url string, ids []string) {
	t.Helper()
	ctx := context.Background()
	base := servertest.PostgresURL(t)
	dir := t.TempDir()
	sq, err := server.OpenSQLite(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sq.Close() })
	q := servertest.DGRA(t)
	a := servertest.NewDevice(t, "laptop-a", "a@example.org")
	b := servertest.NewDevice(t, "laptop-b", "b@example.org")
	b.Province = "Hà Nội"
	sup := servertest.NewDevice(t, "desk", "sup@example.org")
	batches := map[string][]survey.Revision{}
	for i := range 3 {
		id := fmt.Sprintf("0193a5b2-7c1e-7000-8000-%012d", 700+i)
		ids = append(ids, id)
		batches[fmt.Sprintf("a-%d", i)] = a.Interview(t, q, id, t0.Add(time.Duration(i)*time.Hour), rnd())
	}
	other := "0193a5b2-7c1e-7000-8000-000000000710"
	ids = append(ids, other)
	batches["b-0"] = b.Interview(t, q, other, t0.Add(5*time.Hour), rnd())
	// A conflict: b rates the answer a rated last, replacing the same revision, differently.
	var last survey.Revision
	for _, r := range batches["a-0"] {
		if r.Kind == survey.KindAnswer {
			last = r
		}
	}
	batches["b-1"] = []survey.Revision{
		b.Revision(t, last.Target(), survey.Answer{Rating: survey.Green, Comment: "khác / other"}, t0.Add(9*time.Hour), last.Replaces...),
	}
	// A supervisor returns interview 701.
	var status survey.Revision
	for _, r := range batches["a-1"] {
		if r.Kind == survey.KindStatus {
			status = r
		}
	}
	batches["sup-0"] = []survey.Revision{sup.Revision(t, status.Target(), survey.StatusChange{Status: survey.StatusReturned, Reason: "thiếu bằng chứng 7.1"}, t0.Add(10*time.Hour), status.ID)}
	// The team's assessment.
	asmt := "0193a5b2-7c1e-7000-8000-000000000720"
	ids = append(ids, asmt)
	batches["sup-1"] = []survey.Revision{
		sup.Revision(t, survey.Target{Interview: asmt, Kind: survey.KindAssessment}, survey.AssessmentMeta{Questionnaire: q.ID, QuestionnaireVersion: q.Version,
			Scope: survey.ScopeNational, Title: "Việt Nam DGRA 2026", Author: sup.Principal, Device: sup.ID}, t0.Add(11*time.Hour)),
		sup.Revision(t, survey.Target{Interview: asmt, Kind: survey.KindText, Key: survey.TextSummary}, survey.TextValue{Text: "Tóm tắt"}, t0.Add(12*time.Hour)),
	}
	// A decision about an interview whose creation has not arrived.
	waiting := "0193a5b2-7c1e-7000-8000-000000000730"
	ids = append(ids, waiting)
	batches["sup-2"] = []survey.Revision{sup.Revision(t, survey.Target{Interview: waiting, Kind: survey.KindStatus},
		survey.StatusChange{Status: survey.StatusReturned, Reason: "x"}, t0.Add(13*time.Hour))}
	for name, revs := range batches {
		v, err := store.Verify(revs...)
		if err != nil {
			t.Fatal(err)
		}
		if err := sq.Revisions().Update(ctx, func(tx *store.Tx) error {
			_, err := tx.AppendBatch("batch-"+name, v)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	url = servertest.NewPostgresDB(t, base)
	dst, err := server.OpenPostgres(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := server.MigrateToPostgres(ctx, sq, dst, "server", nil)
	dst.Close()
	if err != nil || !rep.OK() {
		t.Fatalf("copy to PostgreSQL: %v %+v", err, rep)
	}
	pg, err = server.OpenPostgresReader(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pg.Close() })
	return sq.Revisions(), pg, url, ids
}

// TestPostgresReaderConformance: every method the reading commands use gives the same
// result on the SQLite store and on its copy in PostgreSQL: interviews, revisions, history,
// lists with each kind of option, progress, conflicts, pending, settings, agencies and
// provinces. Lists are read twice on PostgreSQL: folded the first time, from the cache the
// second.
func TestPostgresReaderConformance(t *testing.T) {
	ctx := context.Background()
	sq, pg, url, ids := readerFixture(t)
	same := func(what string, a, b any, errA, errB error) {
		t.Helper()
		if errA != nil || errB != nil {
			t.Fatalf("%s: sqlite %v, postgres %v", what, errA, errB)
		}
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s differs:\nsqlite   %+v\npostgres %+v", what, a, b)
		}
	}
	for _, id := range ids {
		a, errA := sq.Interview(ctx, id)
		b, errB := pg.Interview(ctx, id)
		same("Interview "+id, a, b, errA, errB)
		ra, errA := sq.Revisions(ctx, id)
		rb, errB := pg.Revisions(ctx, id)
		same("Revisions "+id, ra, rb, errA, errB)
		if len(ra) == 0 {
			t.Fatalf("interview %s has no revisions: the fixture is wrong", id)
		}
		for _, r := range ra[:min(3, len(ra))] {
			ha, errA := sq.History(ctx, r.Target())
			hb, errB := pg.History(ctx, r.Target())
			same("History "+r.Target().String(), ha, hb, errA, errB)
		}
	}
	if _, err := pg.Interview(ctx, "0193a5b2-7c1e-7000-8000-999999999999"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an unknown interview: %v, want ErrNotFound", err)
	}
	var allA, allB []survey.Revision
	errA := sq.AllRevisions(ctx, func(r survey.Revision) error { allA = append(allA, r); return nil })
	errB := pg.AllRevisions(ctx, func(r survey.Revision) error { allB = append(allB, r); return nil })
	same("AllRevisions", allA, allB, errA, errB)

	lists := map[string]store.ListOptions{
		"all":           {},
		"created":       {Created: true},
		"waiting":       {Waiting: true},
		"assessments":   {Record: survey.RecordAssessment},
		"questionnaire": {Questionnaire: "dgra-2018"},
		"status":        {Status: survey.StatusReturned},
		"search":        {Search: "ha noi"},
		"search id":     {Search: "0193A5B2-7c1e-7000-8000-00000000070"},
		"filter":        {Filter: survey.Filter{Provinces: []string{"Đà Nẵng"}, Statuses: []survey.Status{survey.StatusCompleted}}},
		"page":          {Limit: 2, Offset: 1},
		"page filtered": {Limit: 1, Offset: 1, Filter: survey.Filter{Provinces: []string{"Đà Nẵng"}}},
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	// server migrate cached the progress with the bundled DGRA's content, as `interview
	// list` names it: such a list counts nothing.
	dgra := servertest.DGRA(t)
	of, err := questionnaires.ContentOf(dgra)
	if err != nil {
		t.Fatal(err)
	}
	catalogPF := func(qn, version string) *store.ProgressCounter {
		if qn != dgra.ID || version != dgra.Version {
			return nil
		}
		return &store.ProgressCounter{Of: of, Count: dgra.Progress}
	}
	ma, errA := sq.ListProgress(ctx, store.ListOptions{Created: true}, catalogPF)
	mb, errB := pg.ListProgress(ctx, store.ListOptions{Created: true}, catalogPF)
	if errA != nil || errB != nil || len(ma) != 4 || len(ma) != len(mb) {
		t.Fatalf("ListProgress after the migration: %v %v, %d and %d, want 4", errA, errB, len(ma), len(mb))
	}
	for i := range ma {
		if !reflect.DeepEqual(ma[i].Summary, mb[i].Summary) || !reflect.DeepEqual(ma[i].Progress, mb[i].Progress) || mb[i].Progress == nil {
			t.Errorf("ListProgress after the migration, %s: sqlite %+v %+v, postgres %+v %+v", ma[i].ID, ma[i].Summary, ma[i].Progress, mb[i].Summary, mb[i].Progress)
		}
	}
	if n := pg.Folded(); n != 0 {
		t.Errorf("ListProgress after the migration folded %d interviews, want none", n)
	}
	// Pass 0 reads the summaries server migrate cached, pass 1 folds them (the cache
	// emptied), pass 2 reads what pass 1 cached.
	for pass := range 3 {
		if pass == 1 {
			if _, err := conn.Exec(ctx, `DELETE FROM interview_summaries`); err != nil {
				t.Fatal(err)
			}
		}
		before := pg.Folded()
		for name, o := range lists {
			la, errA := sq.List(ctx, o)
			lb, errB := pg.List(ctx, o)
			same(fmt.Sprintf("List %s (pass %d)", name, pass), la, lb, errA, errB)
			if name == "all" && len(la) != 5 {
				t.Errorf("List all: %d interviews, want 5 (the fixture)", len(la))
			}
		}
		if n := pg.Folded() - before; (n == 0) != (pass != 1) {
			t.Errorf("pass %d folded %d summaries, want %s", pass, n, map[bool]string{true: "some", false: "none"}[pass == 1])
		}
	}
	// The folding pass cached what it folded.
	var cached int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM interview_summaries s JOIN interviews i ON i.id = s.id AND i.revisions = s.revisions`).Scan(&cached); err != nil || cached != 6 {
		t.Errorf("summaries cached after the lists: %d (%v), want 6 (5 interviews, 1 assessment)", cached, err)
	}
	pf := func(qn, version string) *store.ProgressCounter {
		q := servertest.DGRA(t)
		if qn != q.ID || version != q.Version {
			return nil
		}
		return &store.ProgressCounter{Of: "dgra", Count: q.Progress}
	}
	// Progress: counted for summaries cached without it (pass 0), counted as the summaries
	// are folded with the cache emptied (pass 1), read from the cache (pass 2).
	for pass := range 3 {
		if pass == 1 {
			if _, err := conn.Exec(ctx, `DELETE FROM interview_summaries`); err != nil {
				t.Fatal(err)
			}
		}
		pa, errA := sq.ListProgress(ctx, store.ListOptions{Created: true}, pf)
		pb, errB := pg.ListProgress(ctx, store.ListOptions{Created: true}, pf)
		if errA != nil || errB != nil || len(pa) != len(pb) {
			t.Fatalf("ListProgress: %v %v, %d and %d", errA, errB, len(pa), len(pb))
		}
		for i := range pa {
			if !reflect.DeepEqual(pa[i].Summary, pb[i].Summary) || !reflect.DeepEqual(pa[i].Progress, pb[i].Progress) {
				t.Errorf("ListProgress pass %d, %s: sqlite %+v %+v, postgres %+v %+v", pass, pa[i].ID, pa[i].Summary, pa[i].Progress, pb[i].Summary, pb[i].Progress)
			}
		}
	}
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM interview_summaries WHERE progress_at = revisions AND progress_of = 'dgra'`).Scan(&cached); err != nil || cached != 5 {
		t.Errorf("progress cached: %d (%v), want 5 (the 4 created interviews; the assessment, of the same questionnaire, was folded and counted before the list kept interviews only)", cached, err)
	}
	ca, errA := sq.Conflicts(ctx)
	cb, errB := pg.Conflicts(ctx)
	same("Conflicts", ca, cb, errA, errB)
	if len(ca) != 1 {
		t.Errorf("Conflicts: %d, want the fixture's 1", len(ca))
	}
	pa, errA := sq.Pending(ctx)
	pb, errB := pg.Pending(ctx)
	same("Pending", pa, pb, errA, errB)
	ea, errA := eachStates(ctx, sq, ids[:5])
	eb, errB := eachStates(ctx, pg, ids[:5])
	for i := range ea {
		same("EachInterview "+ids[i], ea[i], eb[i], errA, errB)
	}
	if len(ea) != 5 || len(eb) != 5 {
		t.Errorf("EachInterview: %d and %d states, want 5", len(ea), len(eb))
	}
	ia, errA := sq.InterviewsOf(ctx, "dgra-2018")
	ib, errB := pg.InterviewsOf(ctx, "dgra-2018")
	same("InterviewsOf", ia, ib, errA, errB)
	aga, errA := sq.Agencies(ctx)
	agb, errB := pg.Agencies(ctx)
	same("Agencies", aga, agb, errA, errB)
	pra, errA := sq.Provinces(ctx)
	prb, errB := pg.Provinces(ctx)
	same("Provinces", pra, prb, errA, errB)
	if len(pra) != 2 {
		t.Errorf("Provinces: %q, want the fixture's two", pra)
	}
	_, okA, errA := sq.GetMeta(ctx, "no such setting")
	_, okB, errB := pg.GetMeta(ctx, "no such setting")
	same("GetMeta", okA, okB, errA, errB)
	if err := pg.EachInterview(ctx, []string{ids[0], "0193a5b2-7c1e-7000-8000-999999999999"}, func(*survey.InterviewState) error { return nil }); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("EachInterview of an unknown id: %v, want ErrNotFound", err)
	}
}

func eachStates(ctx context.Context, st store.ReadStore, ids []string) ([]*survey.InterviewState, error) {
	var out []*survey.InterviewState
	err := st.EachInterview(ctx, ids, func(s *survey.InterviewState) error {
		// Conflicts' heads as lean as the SQLite store's EachInterview gives them (id, target,
		// time and value: what reports use).
		for _, c := range s.Conflicts {
			for i := range c.Heads {
				c.Heads[i].Device, c.Heads[i].Counter, c.Heads[i].Author, c.Heads[i].Replaces = "", 0, "", nil
			}
		}
		out = append(out, s)
		return nil
	})
	return out, err
}

// TestPostgresReaderRefusesOtherDatabases: a database that holds no fieldsurvey server is
// refused with ErrNotServerDB, and the refusal creates nothing in it; a server's database
// opens.
func TestPostgresReaderRefusesOtherDatabases(t *testing.T) {
	ctx := context.Background()
	url := servertest.NewPostgresDB(t, servertest.PostgresURL(t))
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE TABLE someone_elses (x int)`); err != nil {
		t.Fatal(err)
	}
	_, err = server.OpenPostgresReader(ctx, url)
	if !errors.Is(err, server.ErrNotServerDB) {
		t.Fatalf("another program's database: %v, want ErrNotServerDB", err)
	}
	var tables int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'`).Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if tables != 1 {
		t.Errorf("after the refusal the database has %d tables, want its 1", tables)
	}
	p, err := server.OpenPostgres(ctx, url) // now also a server's
	if err != nil {
		t.Fatal(err)
	}
	p.Close()
	r, err := server.OpenPostgresReader(ctx, url)
	if err != nil {
		t.Fatalf("a server's database: %v", err)
	}
	r.Close()
}

// TestPostgresListsWarmAfterUploads: the group commit caches each interview's summary and
// progress as it writes the interview's row, so that the first list after uploads (devices
// uploading at once, then one of them changing an answer) folds none, and lists what
// folding gives.
func TestPostgresListsWarmAfterUploads(t *testing.T) {
	ctx := context.Background()
	url := servertest.NewPostgresDB(t, servertest.PostgresURL(t))
	e := servertest.StartOn(t, servertest.PostgresAt(url), "", nil)
	q := servertest.DGRA(t)
	const n = 8
	devs := make([]*servertest.Device, n)
	datas := make([][]byte, n)
	var first []survey.Revision
	for i := range devs {
		devs[i] = servertest.NewDevice(t, fmt.Sprintf("laptop-%02d", i), fmt.Sprintf("a%d@example.org", i))
		e.Enroll(devs[i])
		revs := devs[i].Interview(t, q, fmt.Sprintf("0193a5b2-7c1e-7000-8000-%012d", 800+i), t0.Add(time.Duration(i)*time.Minute), rnd())
		if i == 0 {
			first = revs
		}
		datas[i], _ = devs[i].Batch(t, revs)
	}
	var wg sync.WaitGroup
	for i := range devs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			post(t, e, devs[i], datas[i])
		}()
	}
	wg.Wait()
	var last survey.Revision
	for _, r := range first {
		if r.Kind == survey.KindAnswer {
			last = r
		}
	}
	change, _ := devs[0].Batch(t, []survey.Revision{
		devs[0].Revision(t, last.Target(), survey.Answer{Rating: survey.Green, Comment: "sửa / changed"}, t0.Add(time.Hour), last.ID)})
	post(t, e, devs[0], change)

	pg, err := server.OpenPostgresReader(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	ls, err := pg.List(ctx, store.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if folded := pg.Folded(); folded != 0 || len(ls) != n {
		t.Fatalf("the first list after uploads folded %d summaries and listed %d interviews, want 0 and %d", folded, len(ls), n)
	}
	for _, sm := range ls {
		st, err := pg.Interview(ctx, sm.ID)
		if err != nil {
			t.Fatal(err)
		}
		if want := st.Summary(); !reflect.DeepEqual(sm, want) {
			t.Errorf("%s cached as\n%+v\nfolded it is\n%+v", sm.ID, sm, want)
		}
		if sm.ID == first[0].Interview && sm.Revisions != len(first)+2 { // the server's "submitted" and the change
			t.Errorf("%s listed with %d revisions, want %d", sm.ID, sm.Revisions, len(first)+2)
		}
	}
	// Progress, as `interview list` counts it with the catalog's DGRA: the server counted
	// it with the same bundled questionnaire; with other content (a questionnaire changed
	// without a new version) the list counts it again.
	of, err := questionnaires.ContentOf(q)
	if err != nil {
		t.Fatal(err)
	}
	for _, content := range []string{of, "other content"} {
		pf := func(qn, version string) *store.ProgressCounter {
			if qn != q.ID || version != q.Version {
				return nil
			}
			return &store.ProgressCounter{Of: content, Count: q.Progress}
		}
		before := pg.Folded()
		lp, err := pg.ListProgress(ctx, store.ListOptions{}, pf)
		if err != nil || len(lp) != n {
			t.Fatalf("ListProgress: %d interviews, %v", len(lp), err)
		}
		for _, l := range lp {
			st, err := pg.Interview(ctx, l.ID)
			if err != nil {
				t.Fatal(err)
			}
			a, tot := q.Progress(st.Answers)
			if l.Progress == nil || *l.Progress != (store.Progress{Answered: a, Total: tot}) || tot == 0 {
				t.Errorf("%s: progress %+v, want %d of %d", l.ID, l.Progress, a, tot)
			}
		}
		folded, want := pg.Folded()-before, int64(0)
		if content != of {
			want = n
		}
		if folded != want {
			t.Errorf("ListProgress with content %q folded %d interviews, want %d", content, folded, want)
		}
	}
}

// TestPostgresReaderQueueConformance: the supervisor's queue and its filters (review
// --db postgres://) are those of the SQLite store holding the same revisions, for every
// sort both ways, each filter, a search and pages.
func TestPostgresReaderQueueConformance(t *testing.T) {
	ctx := context.Background()
	rs, pg, _, _ := readerFixture(t)
	sq := rs.(*store.Store)
	fa, errA := sq.Facets(ctx)
	fb, errB := pg.Facets(ctx)
	if errA != nil || errB != nil || !reflect.DeepEqual(fa, fb) {
		t.Fatalf("Facets: sqlite %+v %v, postgres %+v %v", fa, errA, fb, errB)
	}
	if len(fa.Provinces) != 2 || len(fa.Assessors) == 0 {
		t.Errorf("Facets: %+v, want the fixture's two provinces and its assessors", fa)
	}
	opts := []store.QueueOptions{
		{Statuses: []survey.Status{survey.StatusReturned}},
		{Province: "Đà Nẵng"},
		{Questionnaire: "dgra-2018"},
		{Questionnaire: "none"},
		{Assessor: fa.Assessors[0]},
		{Search: "ha noi"},
		{Search: "0193a5b2-7c1e-7000-8000-00000000070"},
		{Limit: 2},
		{Limit: 2, Offset: 2},
		{Limit: 2, Offset: 9},
	}
	for _, s := range []store.QueueSort{store.SortStatus, store.SortAssessor, store.SortAgency, store.SortProvince,
		store.SortQuestionnaire, store.SortProgress, store.SortConflicts, store.SortUpdated} {
		opts = append(opts, store.QueueOptions{Sort: s}, store.QueueOptions{Sort: s, Desc: true})
	}
	for _, o := range opts {
		ra, na, errA := sq.Queue(ctx, o)
		rb, nb, errB := pg.Queue(ctx, o)
		if errA != nil || errB != nil || na != nb || !reflect.DeepEqual(ra, rb) {
			t.Errorf("Queue %+v:\nsqlite   %d %+v %v\npostgres %d %+v %v", o, na, ra, errA, nb, rb, errB)
		}
	}
	if rows, n, err := pg.Queue(ctx, store.QueueOptions{}); err != nil || n != 4 || len(rows) != 4 {
		t.Errorf("Queue: %d of %d rows (%v), want the fixture's 4 interviews whose creation arrived", len(rows), n, err)
	}
	if _, _, err := pg.Queue(ctx, store.QueueOptions{Sort: "colour"}); err == nil {
		t.Error("Queue with an unknown sort: no error")
	}
}
