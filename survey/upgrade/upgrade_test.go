package upgrade

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
)

// chain is a catalog of two versions of questionnaire "p": 2 renames q1 to q2 and drops r.
type chain struct{ v1, v2 *survey.Questionnaire }

func (c chain) UpgradePath(id, from, to string) ([]*survey.Questionnaire, error) {
	if id != "p" || from != "1" || (to != "" && to != "2") {
		return nil, fmt.Errorf("%w: none", survey.ErrNoUpgrade)
	}
	return []*survey.Questionnaire{c.v1, c.v2}, nil
}

func versions() chain {
	q := func(v string, m *survey.Migration, ids ...string) *survey.Questionnaire {
		s := &survey.Section{ID: "1", Title: survey.T("One", "Một")}
		for _, id := range ids {
			s.Questions = append(s.Questions, &survey.Question{ID: id, Type: survey.TypeText, Text: survey.T("Q", "Q")})
		}
		out := &survey.Questionnaire{Format: survey.QuestionnaireFormat, ID: "p", Version: v, Title: survey.T("P", "P"),
			Languages: []string{"vi", "en"}, Sections: []*survey.Section{s}, MigratesFrom: m}
		out.Index()
		return out
	}
	return chain{q("1", nil, "q1", "r"), q("2", &survey.Migration{Version: "1", Renamed: map[string]string{"q1": "q2"}, Removed: []string{"r"}}, "q2")}
}

const id = "0193a5b2-7c1e-7000-8000-000000000001"

func TestApplyIsOneEditThatSyncs(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(filepath.Join(t.TempDir(), "fieldsurvey.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	laptop := store.Author{Device: "laptop-1", Principal: "an@example.org"}
	at := func(k survey.Kind, key string) survey.Target { return survey.Target{Interview: id, Kind: k, Key: key} }
	if _, err := st.Put(ctx, laptop,
		survey.Change{Target: at(survey.KindInterview, ""), Value: survey.InterviewMeta{Questionnaire: "p", QuestionnaireVersion: "1"}},
		survey.Change{Target: at(survey.KindStatus, ""), Value: survey.StatusChange{Status: survey.StatusDraft}},
		survey.Change{Target: at(survey.KindAnswer, "q1"), Value: survey.Answer{Value: "portal"}},
		survey.Change{Target: at(survey.KindAnswer, "r"), Value: survey.Answer{Value: "remark"}},
	); err != nil {
		t.Fatal(err)
	}
	before, err := st.Pending(ctx)
	if err != nil {
		t.Fatal(err)
	}

	// The dry run writes nothing.
	u, err := Plan(ctx, st, versions(), id, "")
	if err != nil || len(u.Moved) != 1 || len(u.Orphaned) != 1 {
		t.Fatalf("plan %+v, %v", u, err)
	}
	if p, _ := st.Pending(ctx); len(p) != len(before) {
		t.Fatalf("the plan wrote %d revisions", len(p)-len(before))
	}

	_, revs, err := Apply(ctx, st, versions(), laptop, id, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(revs) != 3 { // the creation with version 2, q2, q1 cleared
		t.Fatalf("%d revisions written, want 3: %+v", len(revs), revs)
	}
	for _, r := range revs {
		if r.Device != laptop.Device || r.Author != laptop.Principal {
			t.Errorf("revision %s by %s/%s", r.Target(), r.Device, r.Author)
		}
	}
	after, err := st.Pending(ctx)
	if err != nil || len(after) != len(before)+3 {
		t.Errorf("pending: %d, want %d (the upgrade travels in the next batch)", len(after), len(before)+3)
	}
	got, err := st.Interview(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if got.Meta.QuestionnaireVersion != "2" || got.Answers["q2"].Value != "portal" {
		t.Errorf("after: %+v %+v", got.Meta, got.Answers)
	}
	if _, ok := got.Answers["q1"]; ok {
		t.Error("the moved answer is still under its old id")
	}
	if got.Answers["r"].Value != "remark" {
		t.Error("the orphaned answer was not kept")
	}
	// History still has q1's answer.
	h, err := st.History(ctx, at(survey.KindAnswer, "q1"))
	if err != nil || len(h) != 2 {
		t.Errorf("history of q1: %d revisions, %v", len(h), err)
	}

	// Again: nothing newer to move to.
	if _, _, err := Apply(ctx, st, versions(), laptop, id, ""); !errors.Is(err, survey.ErrNoUpgrade) {
		t.Errorf("second upgrade: %v", err)
	}
	// A completed interview keeps its version and nothing is written.
	if _, err := st.Put(ctx, laptop, survey.Change{Target: at(survey.KindStatus, ""), Value: survey.StatusChange{Status: survey.StatusCompleted}}); err != nil {
		t.Fatal(err)
	}
	n, _ := st.Pending(ctx)
	var re *survey.RuleError
	if _, _, err := Apply(ctx, st, versions(), laptop, id, ""); !errors.As(err, &re) {
		t.Errorf("completed: %v", err)
	}
	if m, _ := st.Pending(ctx); len(m) != len(n) {
		t.Error("a refused upgrade wrote something")
	}
}
