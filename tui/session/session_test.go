package session_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/fieldsurvey/fieldsurvey/questionnaires"
	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/tui/internal/fakestore"
	"github.com/fieldsurvey/fieldsurvey/tui/session"
)

func example(t *testing.T) *survey.Questionnaire {
	t.Helper()
	qs, err := questionnaires.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range qs {
		if q.ID == "example" {
			return q
		}
	}
	t.Fatal("no example questionnaire")
	return nil
}

func TestNewIDIsAUUIDv7InTimeOrder(t *testing.T) {
	now := time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)
	a, err := session.NewIDWithNowForTest(now, bytes.NewReader(bytes.Repeat([]byte{0xff}, 10)))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := session.NewIDWithNowForTest(now.Add(time.Millisecond), bytes.NewReader(make([]byte, 10)))
	u, err := uuid.Parse(a)
	if err != nil || u.Version() != 7 || u.Variant() != uuid.RFC4122 {
		t.Fatalf("%s: version %v variant %v err %v", a, u.Version(), u.Variant(), err)
	}
	if sec, nsec := u.Time().UnixTime(); time.Unix(sec, nsec).UTC() != now {
		t.Fatalf("time in id %v, want %v", time.Unix(sec, nsec).UTC(), now)
	}
	if !(a < b) {
		t.Fatalf("ids not in time order: %s, %s", a, b)
	}
	if _, err := session.NewID(); err != nil {
		t.Fatal(err)
	}
}

func TestCreateIsOnePutOfThreeTargets(t *testing.T) {
	q := example(t)
	fs := fakestore.New(time.Now)
	w := &session.Writer{Store: fs, Author: session.Author{Device: "dev1", Principal: "an"}, Assessor: "An"}
	if _, err := w.Create(context.Background(), q, survey.Respondent{Agency: "Sở Y tế", Province: "Huế"}); err == nil {
		t.Fatal("created without consent")
	}
	if fs.Puts != 0 {
		t.Fatal("a refused creation wrote something")
	}
	id, err := w.Create(context.Background(), q, survey.Respondent{Agency: " Sở Y tế ", Province: "Huế", Consent: true})
	if err != nil {
		t.Fatal(err)
	}
	if fs.Puts != 1 || len(fs.Revisions(id)) != 3 {
		t.Fatalf("%d Puts, %d revisions", fs.Puts, len(fs.Revisions(id)))
	}
	st, _ := fs.Interview(context.Background(), id)
	if st.Meta.Questionnaire != "example" || st.Meta.Device != "dev1" || st.Respondent.Agency != "Sở Y tế" ||
		st.Status.Status != survey.StatusDraft {
		t.Fatalf("%+v %+v %+v", st.Meta, st.Respondent, st.Status)
	}
}

func TestCheckRespondent(t *testing.T) {
	q := example(t)
	probs := session.CheckRespondent(q, survey.Respondent{Category: "nope", Date: "23/11/2026"})
	var fields []string
	for _, p := range probs {
		fields = append(fields, p.Field)
		if p.Msg.Get("vi") == "" || p.Msg.Get("en") == "" {
			t.Errorf("%s: message not in both languages", p.Field)
		}
	}
	if got := strings.Join(fields, ","); got != "agency,province,category,date,consent" {
		t.Fatalf("problems %s", got)
	}
	if p := session.CheckRespondent(q, survey.Respondent{Agency: "a", Province: "b", Category: "agency", Date: "2026-11-23", Consent: true}); len(p) != 0 {
		t.Fatalf("a good block refused: %+v", p)
	}
}

func TestBlockersAndComplete(t *testing.T) {
	q := example(t)
	fs := fakestore.New(time.Now)
	ctx := context.Background()
	w := &session.Writer{Store: fs, Author: session.Author{Device: "dev1"}}
	id, err := w.Create(ctx, q, survey.Respondent{Agency: "a", Province: "b", Consent: true})
	if err != nil {
		t.Fatal(err)
	}
	st, _ := fs.Interview(ctx, id)
	kinds := func(st *survey.InterviewState) string {
		var k []string
		for _, b := range session.Blockers(q, st) {
			k = append(k, b.Question+b.Section+":"+b.Kind)
		}
		return strings.Join(k, " ")
	}
	if got := kinds(st); got != "1.11:missing 1.21:missing 1:section 2.12:missing 2.22:missing 2:section" {
		t.Fatalf("blockers of a new interview: %s", got)
	}
	if err := w.Complete(ctx, q, st); err == nil {
		t.Fatal("completed with blockers")
	}
	put := func(ch ...survey.Change) {
		if err := w.Put(ctx, ch...); err != nil {
			t.Fatal(err)
		}
	}
	put(session.AnswerChange(id, "1.1", survey.Answer{Value: "ministry"}),
		session.AnswerChange(id, "1.2", survey.Answer{Value: false}),
		session.AnswerChange(id, "2.1", survey.Answer{Rating: survey.Green}), // needs + evidence
		session.AnswerChange(id, "2.2", survey.Answer{Rating: "defined"}),
		session.SectionChange(id, "1", survey.SectionSummary{Rating: survey.Red}),
		session.SectionChange(id, "2", survey.SectionSummary{Rating: survey.Green, Comment: "tốt"}))
	st, _ = fs.Interview(ctx, id)
	if got := kinds(st); got != "1:comment 2.12:constraint" {
		t.Fatalf("blockers: %s", got)
	}
	put(session.AnswerChange(id, "2.1", survey.Answer{Rating: survey.Green, Evidence: []survey.Evidence{{Polarity: survey.Plus, Text: "x", InScope: true}}}),
		session.SectionChange(id, "1", survey.SectionSummary{Rating: survey.Red, Comment: "chưa"}))
	st, _ = fs.Interview(ctx, id)
	if got := kinds(st); got != "" {
		t.Fatalf("blockers: %s", got)
	}
	if err := w.Reopen(ctx, st); err == nil {
		t.Fatal("reopened a draft")
	}
	if err := w.Complete(ctx, q, st); err != nil {
		t.Fatal(err)
	}
	st, _ = fs.Interview(ctx, id)
	if err := w.Reopen(ctx, st); err != nil {
		t.Fatal(err)
	}
	st, _ = fs.Interview(ctx, id)
	if st.Status != (survey.StatusChange{Status: survey.StatusDraft, Reason: "reopened"}) {
		t.Fatalf("after reopening: %+v", st.Status)
	}
}

// TestCompleteAfterReturnIsResubmitted walks the review cycle on the assessor's side: a
// completed interview returned by a supervisor, fixed and completed again, is resubmitted;
// the assessor's own reopening of it and completing again keeps it resubmitted; and every
// step is a revision of its own, with who and why.
func TestCompleteAfterReturnIsResubmitted(t *testing.T) {
	q := example(t)
	fs := fakestore.New(time.Now)
	ctx := context.Background()
	w := &session.Writer{Store: fs, Author: session.Author{Device: "dev1", Principal: "an"}}
	id, err := w.Create(ctx, q, survey.Respondent{Agency: "a", Province: "b", Consent: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Put(ctx, session.AnswerChange(id, "1.1", survey.Answer{Value: "ministry"}),
		session.AnswerChange(id, "1.2", survey.Answer{Value: false}),
		session.AnswerChange(id, "2.1", survey.Answer{Rating: survey.Green, Evidence: []survey.Evidence{{Polarity: survey.Plus, Text: "x", InScope: true}}}),
		session.AnswerChange(id, "2.2", survey.Answer{Rating: "defined"}),
		session.SectionChange(id, "1", survey.SectionSummary{Rating: survey.Red, Comment: "chưa"}),
		session.SectionChange(id, "2", survey.SectionSummary{Rating: survey.Green, Comment: "tốt"})); err != nil {
		t.Fatal(err)
	}
	state := func() *survey.InterviewState {
		t.Helper()
		st, err := fs.Interview(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	if err := w.Complete(ctx, q, state()); err != nil {
		t.Fatal(err)
	}
	if got := state().Status.Status; got != survey.StatusCompleted {
		t.Fatalf("first completion: %s, want completed", got)
	}
	// The supervisor returns it (here written directly, as a merged batch would).
	sup := &session.Writer{Store: fs, Author: session.Author{Device: "sup1", Principal: "lan"}}
	if err := sup.Put(ctx, session.StatusChange(id, survey.StatusChange{Status: survey.StatusReturned, Reason: "thiếu bằng chứng 2.1"})); err != nil {
		t.Fatal(err)
	}
	if err := w.Complete(ctx, q, state()); err != nil {
		t.Fatal(err)
	}
	if got := state().Status; got != (survey.StatusChange{Status: survey.StatusResubmitted}) {
		t.Fatalf("completed after a return: %+v, want resubmitted", got)
	}
	// The assessor reopens its resubmission and completes it again: still a resubmission.
	if err := w.Reopen(ctx, state()); err != nil {
		t.Fatalf("reopening a resubmitted interview: %v", err)
	}
	if got := state().Status; got.Status != survey.StatusDraft {
		t.Fatalf("after reopening: %+v", got)
	}
	if err := w.Complete(ctx, q, state()); err != nil {
		t.Fatal(err)
	}
	if got := state().Status.Status; got != survey.StatusResubmitted {
		t.Fatalf("completed after reopening a resubmission: %s, want resubmitted", got)
	}
	// A reopening by a supervisor (of an approved interview) also comes back resubmitted.
	if err := sup.Put(ctx, session.StatusChange(id, survey.StatusChange{Status: survey.StatusReopened, Reason: "số liệu mới"})); err != nil {
		t.Fatal(err)
	}
	if err := w.Complete(ctx, q, state()); err != nil {
		t.Fatal(err)
	}
	if got := state().Status.Status; got != survey.StatusResubmitted {
		t.Fatalf("completed after a supervisor's reopening: %s, want resubmitted", got)
	}
	// Every state change is kept: who, when and why.
	var trail []string
	for _, r := range fs.Revisions(id) {
		if r.Kind != survey.KindStatus {
			continue
		}
		var sc survey.StatusChange
		if err := json.Unmarshal(r.Value, &sc); err != nil {
			t.Fatal(err)
		}
		trail = append(trail, r.Author+":"+string(sc.Status)+":"+sc.Reason)
	}
	want := "an:draft: an:completed: lan:returned:thiếu bằng chứng 2.1 an:resubmitted: an:draft:reopened after resubmission an:resubmitted: lan:reopened:số liệu mới an:resubmitted:"
	if got := strings.Join(trail, " "); got != want {
		t.Fatalf("status history:\n got %s\nwant %s", got, want)
	}
}

func TestPlaceRoundTrip(t *testing.T) {
	for _, p := range []session.Place{{Question: "7.1"}, {Section: "pillar-7"}, {Review: true}, {}} {
		if got := session.ParsePlace(p.String()); got != p {
			t.Errorf("%+v → %q → %+v", p, p.String(), got)
		}
	}
	if got := session.ParsePlace("garbage"); got != (session.Place{}) {
		t.Errorf("garbage → %+v", got)
	}
}

// TestBlockersNameConflictedRosterRows: a roster whose rows have versions from two devices
// cannot be completed until they are settled, and the blocker says how many rows.
func TestBlockersNameConflictedRosterRows(t *testing.T) {
	q, err := questionnaires.LoadFile("../testdata/keydatasets.yaml")
	if err != nil {
		t.Fatal(err)
	}
	id := "0193a5b2-7c1e-7000-8000-000000000042"
	st := &survey.InterviewState{ID: id, Answers: survey.Answers{}, Sections: map[string]survey.SectionSummary{}}
	for _, row := range []string{"r1", "r2"} {
		st.Conflicts = append(st.Conflicts, survey.Conflict{Target: survey.RowTarget(id, "4.K", row)})
	}
	var got []string
	for _, b := range session.Blockers(q, st) {
		if b.Kind == "conflict" {
			got = append(got, b.Question+" "+b.Msg.Get("en"))
		}
	}
	want := "4.K 2 row(s) of this table have versions from different devices: compare them (v on the row) and settle"
	if len(got) != 1 || got[0] != want {
		t.Fatalf("conflict blockers: %q, want [%q]", got, want)
	}
}

// getterOnly is a catalog that fails the test if it is listed: Find must ask it for the
// one questionnaire.
type getterOnly struct {
	t *testing.T
	q *survey.Questionnaire
}

func (g getterOnly) List() []*survey.Questionnaire {
	g.t.Error("Find listed (and so parsed) every questionnaire of a catalog that can get one")
	return nil
}

func (g getterOnly) Get(id, version string) (*survey.Questionnaire, error) {
	if id == g.q.ID && version == g.q.Version {
		return g.q, nil
	}
	return nil, questionnaires.ErrNotFound
}

func TestFindGetsOneQuestionnaire(t *testing.T) {
	q := example(t)
	c := getterOnly{t, q}
	if got, ok := session.Find(c, q.ID, q.Version); !ok || got != q {
		t.Errorf("Find(%s %s) = %v, %v", q.ID, q.Version, got, ok)
	}
	if _, ok := session.Find(c, q.ID, "0.0-none"); ok {
		t.Error("Find found a version the catalog does not have")
	}
}

// plainFirstSection returns the example questionnaire with its first section marked
// overall: false (a plain survey section, as an imported XLSForm group without ratings).
func plainFirstSection(t *testing.T) *survey.Questionnaire {
	t.Helper()
	src, ok := questionnaires.BundledSource("example")
	if !ok {
		t.Fatal("no example source")
	}
	s := strings.Replace(string(src), "  - id: \"1\"\n", "  - id: \"1\"\n    overall: false\n", 1)
	q, err := questionnaires.Parse("example.yaml", []byte(s))
	if err != nil {
		t.Fatal(err)
	}
	if q.Sections[0].HasOverall() || !q.Sections[1].HasOverall() {
		t.Fatal("overall: false not read")
	}
	return q
}

// TestBlockersSkipSectionsWithoutOverall: a section with overall: false never asks for an
// overall rating or comment; the other sections still do.
func TestBlockersSkipSectionsWithoutOverall(t *testing.T) {
	q := plainFirstSection(t)
	st := &survey.InterviewState{ID: "0193a5b2-7c1e-7000-8000-000000000001", Answers: survey.Answers{},
		Sections: map[string]survey.SectionSummary{}, Respondent: survey.Respondent{Consent: true}}
	var got []string
	for _, b := range session.Blockers(q, st) {
		got = append(got, b.Question+b.Section+":"+b.Kind)
	}
	if s := strings.Join(got, " "); s != "1.11:missing 1.21:missing 2.12:missing 2.22:missing 2:section" {
		t.Fatalf("blockers: %s (want no 1:section)", s)
	}
}
