package review

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fieldsurvey/fieldsurvey/questionnaires"
	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
)

// conflicted is setup with answer 1.1 changed on two other laptops from the same version:
// a conflict of two sides (ministry, then province). get finds the bundled example
// questionnaire only.
func conflicted(t *testing.T) (*store.Store, store.Author, Lookup, []survey.Revision) {
	t.Helper()
	ctx := context.Background()
	st, sup := setup(t)
	src, ok := questionnaires.BundledSource("example")
	if !ok {
		t.Fatal("no bundled example questionnaire")
	}
	ex, err := questionnaires.Parse("example.yaml", src)
	if err != nil {
		t.Fatal(err)
	}
	get := func(id, version string) (*survey.Questionnaire, error) {
		if id == "example" {
			return ex, nil
		}
		return nil, errors.New("not installed")
	}
	base, err := st.History(ctx, survey.Target{Interview: iv, Kind: survey.KindAnswer, Key: "1.1"})
	if err != nil || len(base) != 1 {
		t.Fatalf("history of 1.1: %v %d", err, len(base))
	}
	var sides []survey.Revision
	for i, s := range []struct{ dev, who, code string }{{"laptop-binh", "binh@example.org", "ministry"}, {"laptop-chi", "chi@example.org", "province"}} {
		r, err := survey.NewRevision(base[0].Target(), survey.Answer{Value: s.code}, s.dev, 1, t0.Add(time.Hour+time.Duration(i)*time.Minute), s.who, []string{base[0].ID})
		if err != nil {
			t.Fatal(err)
		}
		sides = append(sides, r)
	}
	if _, err := st.Append(ctx, sides...); err != nil {
		t.Fatal(err)
	}
	return st, sup, get, sides
}

// TestConflictsListsSides: the conflict comes with its interview, its questionnaire's
// question and both sides in words (option labels, in the reader's language).
func TestConflictsListsSides(t *testing.T) {
	st, _, get, sides := conflicted(t)
	cfs, err := Conflicts(context.Background(), st, get)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfs) != 1 {
		t.Fatalf("%d conflicts, want 1", len(cfs))
	}
	c := cfs[0]
	if c.Target != sides[0].Target() || c.State.ID != iv || c.Questionnaire == nil || len(c.Heads) != 2 {
		t.Fatalf("conflict %+v", c)
	}
	if got := c.Question(survey.LangEN); got != "What kind of agency is this?" {
		t.Fatalf("question %q", got)
	}
	var texts []string
	for _, h := range c.Heads {
		texts = append(texts, SideText(c.Questionnaire, h, survey.LangVI))
	}
	want := []string{"trả lời Bộ, cơ quan ngang bộ", "trả lời Ủy ban nhân dân cấp tỉnh"}
	if strings.Join(texts, "|") != strings.Join(want, "|") && strings.Join(texts, "|") != want[1]+"|"+want[0] {
		t.Fatalf("sides %q, want %q", texts, want)
	}
	// Without the questionnaire: the codes, and no question text.
	none := func(string, string) (*survey.Questionnaire, error) { return nil, errors.New("not installed") }
	cfs, err = Conflicts(context.Background(), st, none)
	if err != nil || cfs[0].Questionnaire != nil || cfs[0].Question(survey.LangEN) != "" {
		t.Fatalf("without the questionnaire: %v %+v", err, cfs)
	}
	if got := SideText(nil, sides[0], survey.LangEN); got != "answer ministry" {
		t.Fatalf("side without the questionnaire: %q", got)
	}
}

// TestSettleRefusesThenSettles: every refusal says what is wrong (and what to do) and
// writes nothing; taking a side writes one revision replacing both, and the conflict is
// gone.
func TestSettleRefusesThenSettles(t *testing.T) {
	ctx := context.Background()
	st, sup, get, _ := conflicted(t)
	before := count(t, st)
	value := `{"value":"other"}`
	for _, c := range []struct {
		name    string
		req     SettleRequest
		msg     string
		hint    bool
		allowed bool // errors.Is ErrNotAllowed
	}{
		{"unknown target", SettleRequest{Target: "9.9", Take: 1, Role: survey.RoleSupervisor}, `unknown target "9.9" in interview ` + iv, true, false},
		{"no such side", SettleRequest{Target: "1.1", Take: 3, Role: survey.RoleSupervisor}, "there is no side 3: ", true, false},
		{"side 0", SettleRequest{Target: "1.1", Take: 0, Role: survey.RoleSupervisor}, "there is no side 0: ", true, false},
		{"no conflict", SettleRequest{Target: "status", Take: 1, Role: survey.RoleSupervisor}, "", true, false},
		{"assessor on a completed interview", SettleRequest{Target: "1.1", Take: 1, Role: survey.RoleAssessor}, "cannot settle this conflict: ", false, true},
		{"bad value", SettleRequest{Target: "1.1", Value: ptr(`{"value":"nope"}`), Role: survey.RoleSupervisor}, "--value is refused: ", true, false},
	} {
		c.req.ID, c.req.Author = iv, sup
		_, err := Settle(ctx, st, get, c.req)
		var se *SettleError
		if !errors.As(err, &se) {
			t.Fatalf("%s: %v, want a *SettleError", c.name, err)
		}
		if !strings.HasPrefix(se.Error(), c.msg) || se.Text().Get(survey.LangVI) == "" || se.Hint.Empty() == c.hint || errors.Is(err, survey.ErrNotAllowed) != c.allowed {
			t.Fatalf("%s: %q (hint %q)", c.name, se.Error(), se.Hint.Get(survey.LangEN))
		}
		if n := count(t, st); n != before {
			t.Fatalf("%s: %d revisions, want %d: the refusal wrote", c.name, n, before)
		}
	}

	res, err := Settle(ctx, st, get, SettleRequest{ID: iv, Target: "1.1", Value: &value, Role: survey.RoleSupervisor, Author: sup})
	if err != nil {
		t.Fatal(err)
	}
	if res.Rev.Device != sup.Device || len(res.Rev.Replaces) != 2 || len(res.Heads) != 2 || res.Questionnaire == nil {
		t.Fatalf("settled %+v", res)
	}
	s, err := st.Interview(ctx, iv)
	if err != nil {
		t.Fatal(err)
	}
	if a := s.Answers["1.1"]; a.Value != "other" || len(s.Conflicts) != 0 {
		t.Fatalf("after settling: 1.1 %+v, conflicts %+v", a, s.Conflicts)
	}
	if cfs, err := Conflicts(ctx, st, get); err != nil || len(cfs) != 0 {
		t.Fatalf("conflicts after settling: %v %d", err, len(cfs))
	}
}

func ptr(s string) *string { return &s }
