package store

import (
	"context"
	"slices"
	"testing"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

const assessID = "0193a5b2-7c1e-7000-8000-0000000000a1"

// newAssessment writes an assessment with a team rating, a section rating, a text, an action
// and a dataset row.
func newAssessment(t *testing.T, s *Store, by Author) []survey.Revision {
	t.Helper()
	return mustPut(t, s, by,
		survey.Change{Target: tgt(assessID, survey.KindAssessment, ""), Value: survey.AssessmentMeta{Questionnaire: "example",
			QuestionnaireVersion: "1", Scope: survey.ScopeNational, Title: "Đánh giá quốc gia", Team: []string{"Lan", "Minh"}, Author: by.Principal, Device: by.Device}},
		survey.Change{Target: tgt(assessID, survey.KindAnswer, "1.1"), Value: survey.Answer{Rating: survey.Amber, Comment: "Có chiến lược"}},
		survey.Change{Target: tgt(assessID, survey.KindSection, "1"), Value: survey.SectionSummary{Rating: survey.AmberGreen, Comment: "Tiến bộ"}},
		survey.Change{Target: tgt(assessID, survey.KindText, survey.TextSummary), Value: survey.TextValue{Text: "Tóm tắt"}},
		survey.Change{Target: tgt(assessID, survey.KindAction, "A1"), Value: survey.ActionItem{Sections: []string{"1"}, Action: "Ban hành chính sách", Lead: "Bộ TT&TT", Phase: "1"}},
		survey.Change{Target: tgt(assessID, survey.KindDataset, "D1"), Value: survey.DatasetRow{Agency: "Tổng cục Thống kê", Source: "Niên giám", KeyForPublic: true, Openness: 3}},
	)
}

// Interviews and assessments share the store but never a list: interview lists (and the
// agencies and provinces offered for them) hold interviews only, the assessment list
// assessments only; the summary kept incrementally equals the fold's (Check), here and
// on another store that receives the same revisions through Append.
func TestAssessmentsAreListedApartFromInterviews(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	by := Author{Device: "dev-a", Principal: "lan@example.org"}
	newInterview(t, s, by, "0193a5b2-7c1e-7000-8000-000000000001", "Sở Tài chính", "Đà Nẵng")
	revs := newAssessment(t, s, by)

	ivs, err := s.List(ctx, ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ivs) != 1 || ivs[0].Record != survey.RecordInterview || ivs[0].ID == assessID {
		t.Fatalf("interview list: %+v", ivs)
	}
	as, err := s.List(ctx, ListOptions{Record: survey.RecordAssessment})
	if err != nil {
		t.Fatal(err)
	}
	if len(as) != 1 {
		t.Fatalf("assessment list: %+v", as)
	}
	a := as[0]
	if a.ID != assessID || a.Record != survey.RecordAssessment || a.Title != "Đánh giá quốc gia" || a.Scope != survey.ScopeNational ||
		a.Questionnaire != "example" || a.Assessor != "lan@example.org" || a.Answered != 1 || a.Sections["1"] != survey.AmberGreen {
		t.Errorf("assessment summary: %+v", a)
	}
	if ag, _ := s.Agencies(ctx); !slices.Equal(ag, []string{"Sở Tài chính"}) {
		t.Errorf("agencies = %v", ag)
	}
	if err := s.Check(ctx); err != nil {
		t.Fatal(err)
	}

	st, err := s.Interview(ctx, assessID)
	if err != nil {
		t.Fatal(err)
	}
	got, ok := st.Assessment()
	if !ok {
		t.Fatal("the assessment folds as an interview")
	}
	if got.Meta.Title != "Đánh giá quốc gia" || got.Ratings["1.1"].Rating != survey.Amber || got.Texts[survey.TextSummary] != "Tóm tắt" ||
		len(got.Actions) != 1 || got.Actions[0].Lead != "Bộ TT&TT" || len(got.Datasets) != 1 || got.Datasets[0].Openness != 3 {
		t.Errorf("assessment read back: %+v", got)
	}

	// Deleting the action (an empty item) removes it; the record stays an assessment.
	mustPut(t, s, by, survey.Change{Target: tgt(assessID, survey.KindAction, "A1"), Value: survey.ActionItem{}})
	st, _ = s.Interview(ctx, assessID)
	if got, _ := st.Assessment(); len(got.Actions) != 0 {
		t.Errorf("deleted action still there: %+v", got.Actions)
	}

	// Another store that receives the revisions (an action first, its creation later).
	o := openTest(t)
	slices.Reverse(revs)
	for _, r := range revs {
		if _, err := o.Append(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := o.Check(ctx); err != nil {
		t.Fatal(err)
	}
	if l, _ := o.List(ctx, ListOptions{}); len(l) != 0 {
		t.Errorf("the other store lists the assessment as an interview: %+v", l)
	}
	if l, _ := o.List(ctx, ListOptions{Record: survey.RecordAssessment}); len(l) != 1 || l[0].Title != "Đánh giá quốc gia" {
		t.Errorf("the other store's assessments: %+v", l)
	}
}

func TestPutRefusesAssessmentTargetsWithoutKey(t *testing.T) {
	s := openTest(t)
	by := Author{Device: "dev-a"}
	for _, k := range []survey.Kind{survey.KindText, survey.KindAction, survey.KindDataset} {
		if _, err := s.Put(context.Background(), by, survey.Change{Target: tgt(assessID, k, ""), Value: survey.TextValue{Text: "x"}}); err == nil {
			t.Errorf("%s without a key accepted", k)
		}
	}
	if _, err := s.Put(context.Background(), by, survey.Change{Target: tgt(assessID, survey.KindAssessment, "x"), Value: survey.AssessmentMeta{}}); err == nil {
		t.Error("assessment creation with a key accepted")
	}
}

// The supervisor's queue and its filters hold interviews only: an assessment, made on the
// same home, is neither a row nor a status count nor an assessor to choose.
func TestQueueLeavesAssessmentsOut(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	newInterview(t, s, Author{Device: "dev-a", Principal: "an@example.org"}, "0193a5b2-7c1e-7000-8000-000000000001", "Sở Tài chính", "Đà Nẵng")
	newAssessment(t, s, Author{Device: "dev-s", Principal: "lead@example.org"})

	rows, total, err := s.Queue(ctx, QueueOptions{Sort: SortStatus, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if total != 1 || len(rows) != 1 || rows[0].ID == assessID {
		t.Fatalf("queue = %d rows (total %d): %+v", len(rows), total, rows)
	}
	if rows, _, err := s.Queue(ctx, QueueOptions{Sort: SortAssessor, Assessor: "lead@example.org"}); err != nil || len(rows) != 0 {
		t.Fatalf("queue by the assessment's author = %+v, %v", rows, err)
	}
	f, err := s.Facets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range f.Statuses {
		n += c
	}
	if n != 1 || slices.Contains(f.Assessors, "lead@example.org") {
		t.Errorf("facets = %+v", f)
	}
}

// InterviewsOf gives an assessment its evidence: the states of the questionnaire's
// interviews, never the assessment itself (which names the same questionnaire), nor an
// interview of another questionnaire.
func TestInterviewsOfLeavesAssessmentsOut(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	by := Author{Device: "dev-a", Principal: "an@example.org"}
	newInterview(t, s, by, "0193a5b2-7c1e-7000-8000-000000000001", "Sở Tài chính", "Đà Nẵng")
	newInterview(t, s, by, "0193a5b2-7c1e-7000-8000-000000000002", "Sở Y tế", "Huế")
	newAssessment(t, s, Author{Device: "dev-s", Principal: "lead@example.org"})

	got, err := s.InterviewsOf(ctx, "example")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, st := range got {
		ids = append(ids, st.ID)
		if st.Respondent.Agency == "" || st.Answers["1.1"].Rating != survey.Amber {
			t.Errorf("state of %s not whole: %+v", st.ID, st)
		}
	}
	slices.Sort(ids)
	if !slices.Equal(ids, []string{"0193a5b2-7c1e-7000-8000-000000000001", "0193a5b2-7c1e-7000-8000-000000000002"}) {
		t.Fatalf("InterviewsOf(example) = %v", ids)
	}
	if got, err := s.InterviewsOf(ctx, "other"); err != nil || len(got) != 0 {
		t.Fatalf("InterviewsOf(other) = %d, %v", len(got), err)
	}
}
