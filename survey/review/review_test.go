package review

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
)

const (
	iv      = "0193a5b2-7c1e-7000-8000-000000000001"
	waiting = "0193a5b2-7c1e-7000-8000-000000000002"
)

var t0 = time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)

func change(k survey.Kind, key string, v any) survey.Change {
	return survey.Change{Target: survey.Target{Interview: iv, Kind: k, Key: key}, Value: v}
}

// setup is a supervisor's store holding an interview completed on a laptop.
func setup(t *testing.T) (*store.Store, store.Author) {
	t.Helper()
	n := 0
	st, err := store.Open(filepath.Join(t.TempDir(), "fieldsurvey.db"), store.WithClock(func() time.Time {
		n++
		return t0.Add(time.Duration(n) * time.Minute)
	}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	laptop := store.Author{Device: "laptop-an", Principal: "an@example.org"}
	if _, err := st.Put(context.Background(), laptop,
		change(survey.KindInterview, "", survey.InterviewMeta{Questionnaire: "example", QuestionnaireVersion: "1", Assessor: "an@example.org"}),
		change(survey.KindAnswer, "1.1", survey.Answer{Rating: "amber"}),
		change(survey.KindStatus, "", survey.StatusChange{Status: survey.StatusCompleted})); err != nil {
		t.Fatal(err)
	}
	return st, store.Author{Device: "desk-lan", Principal: "lan@example.org"}
}

// count is the number of revisions in st.
func count(t *testing.T, st *store.Store) int {
	t.Helper()
	n := 0
	if err := st.AllRevisions(context.Background(), func(survey.Revision) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestCycle: return with a reason, the assessor completes again, approve, reopen; each
// decision is one pending revision of the deciding device that replaces the status head.
func TestCycle(t *testing.T) {
	ctx := context.Background()
	st, lan := setup(t)
	ret, err := Decide(ctx, st, survey.RoleSupervisor, lan, Decision{Interview: iv, To: survey.StatusReturned, Reason: "  1.1 thiếu bằng chứng "})
	if err != nil {
		t.Fatal(err)
	}
	if ret.Device != lan.Device || ret.Author != lan.Principal || len(ret.Replaces) != 1 || ret.Kind != survey.KindStatus {
		t.Errorf("return revision: %+v", ret)
	}
	s, _ := st.Interview(ctx, iv)
	if s.Status != (survey.StatusChange{Status: survey.StatusReturned, Reason: "1.1 thiếu bằng chứng"}) {
		t.Errorf("after return: %+v", s.Status)
	}
	pending, _ := st.Pending(ctx)
	if !slices.ContainsFunc(pending, func(r survey.Revision) bool { return r.ID == ret.ID }) {
		t.Errorf("the decision is not pending: %d pending", len(pending))
	}
	// Returned: approving it now is refused (the assessor has it).
	if _, err := Decide(ctx, st, survey.RoleSupervisor, lan, Decision{Interview: iv, To: survey.StatusApproved}); !errors.Is(err, survey.ErrNotAllowed) {
		t.Errorf("approve a returned interview: %v", err)
	}
	if _, err := st.Put(ctx, store.Author{Device: "laptop-an"}, change(survey.KindStatus, "", survey.StatusChange{Status: survey.StatusCompleted})); err != nil {
		t.Fatal(err)
	}
	if _, err := Decide(ctx, st, survey.RoleSupervisor, lan, Decision{Interview: iv, To: survey.StatusApproved}); err != nil {
		t.Fatal(err)
	}
	if _, err := Decide(ctx, st, survey.RoleSupervisor, lan, Decision{Interview: iv, To: survey.StatusReopened, Reason: "số liệu mới"}); err != nil {
		t.Fatal(err)
	}
	s, _ = st.Interview(ctx, iv)
	if s.Status.Status != survey.StatusReopened || len(s.Conflicts) != 0 {
		t.Errorf("after reopen: %+v %v", s.Status, s.Conflicts)
	}
	if err := st.Check(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestRefusals: each refusal says why and writes nothing.
func TestRefusals(t *testing.T) {
	ctx := context.Background()
	st, lan := setup(t)
	// Another laptop rated 1.1 too, from the same first version: a conflict.
	s, _ := st.Interview(ctx, iv)
	base := s.Heads[survey.Target{Interview: iv, Kind: survey.KindAnswer, Key: "1.1"}]
	other, err := survey.NewRevision(survey.Target{Interview: iv, Kind: survey.KindAnswer, Key: "1.1"}, survey.Answer{Rating: "red"},
		"laptop-binh", 1, t0.Add(time.Hour), "binh@example.org", base)
	if err != nil {
		t.Fatal(err)
	}
	mine, err := survey.NewRevision(survey.Target{Interview: iv, Kind: survey.KindAnswer, Key: "1.1"}, survey.Answer{Rating: "green"},
		"laptop-an", 9, t0.Add(time.Hour), "an@example.org", base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Append(ctx, other, mine); err != nil {
		t.Fatal(err)
	}
	decision, err := survey.NewRevision(survey.Target{Interview: waiting, Kind: survey.KindStatus}, survey.StatusChange{Status: survey.StatusApproved},
		"desk-minh", 1, t0, "minh@example.org", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Append(ctx, decision); err != nil {
		t.Fatal(err)
	}
	before := count(t, st)
	for _, c := range []struct {
		name string
		role survey.Role
		d    Decision
		is   error
		says string
	}{
		{"approve with a conflict", survey.RoleSupervisor, Decision{Interview: iv, To: survey.StatusApproved}, survey.ErrNotAllowed, "1 conflicting answer; settle it first"},
		{"return without a reason", survey.RoleSupervisor, Decision{Interview: iv, To: survey.StatusReturned, Reason: "  "}, survey.ErrNotAllowed, "say why the interview is returned"},
		{"reopen what is not approved", survey.RoleSupervisor, Decision{Interview: iv, To: survey.StatusReopened, Reason: "x"}, survey.ErrNotAllowed, "only an approved interview can be reopened"},
		{"an assessor", survey.RoleAssessor, Decision{Interview: iv, To: survey.StatusReturned, Reason: "x"}, survey.ErrNotAllowed, "only a supervisor"},
		{"not a decision", survey.RoleSupervisor, Decision{Interview: iv, To: survey.StatusCompleted}, survey.ErrNotAllowed, "not \"completed\""},
		{"an unknown interview", survey.RoleSupervisor, Decision{Interview: "0193a5b2-7c1e-7000-8000-0000000000ff", To: survey.StatusApproved}, store.ErrNotFound, ""},
		{"an interview not here yet", survey.RoleSupervisor, Decision{Interview: waiting, To: survey.StatusReopened, Reason: "x"}, ErrWaiting, "1 revisions of interview"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Decide(ctx, st, c.role, lan, c.d)
			if !errors.Is(err, c.is) || !strings.Contains(err.Error(), c.says) {
				t.Errorf("got %v, want %v saying %q", err, c.is, c.says)
			}
			if n := count(t, st); n != before {
				t.Errorf("%d revisions after a refusal, %d before", n, before)
			}
		})
	}
	// A return settles nothing of the answers, but is allowed with the conflict standing.
	if _, err := Decide(ctx, st, survey.RoleSupervisor, lan, Decision{Interview: iv, To: survey.StatusReturned, Reason: "hai bản 1.1"}); err != nil {
		t.Errorf("return with a conflict: %v", err)
	}
}
