package store

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

const (
	idEach1 = "0193a5b2-7c1e-7000-8000-000000000001"
	idEach2 = "0193a5b2-7c1e-7000-8000-000000000002"
	idEach3 = "0193a5b2-7c1e-7000-8000-000000000003"
)

func TestListFilter(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	lan := Author{Device: "dev-a", Principal: "lan@example.org"}
	binh := Author{Device: "dev-b", Principal: "binh@example.org"}
	newInterview(t, s, lan, idEach1, "Sở Thông tin và Truyền thông", "Đà Nẵng")
	newInterview(t, s, binh, idEach2, "Bộ Tài chính", "Hà Nội")
	newInterview(t, s, lan, idEach3, "Sở Y tế", "Hà Nội")
	mustPut(t, s, binh, survey.Change{Target: tgt(idEach2, survey.KindStatus, ""), Value: survey.StatusChange{Status: survey.StatusCompleted}})

	ids := func(o ListOptions) []string {
		t.Helper()
		var out []string
		if err := s.EachSummary(ctx, o, func(sm Summary) error {
			out = append(out, sm.ID)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		list, err := s.List(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != len(out) {
			t.Fatalf("List gave %d, EachSummary %d", len(list), len(out))
		}
		return out
	}
	check := func(name string, got []string, want ...string) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %v, want %v", name, got, want)
		}
	}
	f := func(f survey.Filter) ListOptions { return ListOptions{Filter: f} }
	check("province folded", ids(f(survey.Filter{Provinces: []string{"ha noi"}})), idEach2, idEach3)
	check("province and assessor", ids(f(survey.Filter{Provinces: []string{"HÀ NỘI"}, Assessors: []string{"lan@example.org"}})), idEach3)
	check("statuses", ids(f(survey.Filter{Statuses: []survey.Status{survey.StatusCompleted, survey.StatusApproved}})), idEach2)
	check("two statuses", ids(f(survey.Filter{Statuses: []survey.Status{survey.StatusCompleted, survey.StatusDraft}})), idEach2, idEach3, idEach1)
	check("agency", ids(f(survey.Filter{Agencies: []string{"so y te", "bo tai chinh"}})), idEach2, idEach3)
	check("category", ids(f(survey.Filter{Categories: []string{"gov"}})), idEach2, idEach3, idEach1)
	check("no such category", ids(f(survey.Filter{Categories: []string{"academia"}})))
	// The limit counts what the filter keeps.
	check("limit after filter", ids(ListOptions{Filter: survey.Filter{Assessors: []string{"lan@example.org"}}, Limit: 1}), idEach3)
	check("filter and search", ids(ListOptions{Filter: survey.Filter{Provinces: []string{"Hà Nội"}}, Search: "tai chinh"}), idEach2)
}

func TestEachInterview(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	by := Author{Device: "dev-a", Principal: "lan@example.org"}
	newInterview(t, s, by, idEach1, "Sở Tài chính", "Đà Nẵng")
	newInterview(t, s, by, idEach2, "Bộ Tài chính", "Hà Nội")
	// The second interview was created before the assessor set a name: it is attributed
	// to the principal that created it, in EachInterview (reports) as in Interview.
	if _, err := s.Put(ctx, by, survey.Change{Target: tgt(idEach2, survey.KindInterview, ""),
		Value: survey.InterviewMeta{Questionnaire: "example", QuestionnaireVersion: "1", Device: by.Device}}); err != nil {
		t.Fatal(err)
	}
	// Another device rated 1.1 of the first interview independently: a conflict.
	other := &otherDevice{name: "dev-b", now: t0}
	if _, err := s.Append(ctx, other.rev(t, tgt(idEach1, survey.KindAnswer, "1.1"), survey.Answer{Rating: survey.Red})); err != nil {
		t.Fatal(err)
	}

	var got []string
	err := s.EachInterview(ctx, []string{idEach2, idEach1}, func(st *survey.InterviewState) error {
		want, err := s.Interview(ctx, st.ID)
		if err != nil {
			return err
		}
		// The heads kept in Conflicts carry id, target, time, author and value only.
		for i, c := range want.Conflicts {
			for j, h := range c.Heads {
				want.Conflicts[i].Heads[j] = survey.Revision{ID: h.ID, Interview: h.Interview, Kind: h.Kind, Key: h.Key, Time: h.Time, Author: h.Author, Value: h.Value}
			}
		}
		if st.Meta.Assessor != by.Principal {
			t.Errorf("interview %s attributed to %q, want %q", st.ID, st.Meta.Assessor, by.Principal)
		}
		if !reflect.DeepEqual(st, want) {
			t.Errorf("EachInterview gave %+v, Interview %+v", st, want)
		}
		got = append(got, st.ID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, []string{idEach2, idEach1}) {
		t.Fatalf("order %v, want the order asked", got)
	}
	st, err := s.Interview(ctx, idEach1)
	if err != nil || len(st.Conflicts) != 1 {
		t.Fatalf("the fixture has no conflict: %v %+v", err, st)
	}

	// A writer committing meanwhile is not seen: the walk reads one snapshot.
	seen := 0
	err = s.EachInterview(ctx, []string{idEach1, idEach1}, func(st *survey.InterviewState) error {
		seen++
		if seen == 1 {
			mustPut(t, s, by, answer(idEach1, "9.9", survey.Answer{Rating: survey.Green}))
		}
		if _, ok := st.Answers["9.9"]; ok {
			t.Errorf("read %d sees a change committed after the walk began", seen)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	stop := errors.New("enough")
	if err := s.EachInterview(ctx, []string{idEach1, idEach2}, func(*survey.InterviewState) error { return stop }); !errors.Is(err, stop) {
		t.Fatalf("an error from fn: got %v", err)
	}
	if err := s.EachInterview(ctx, []string{"0193a5b2-7c1e-7000-8000-0000000000ff"}, func(*survey.InterviewState) error { return nil }); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown id: got %v, want ErrNotFound", err)
	}
}
