package assessment

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// Resolve takes a whole id or the beginning of exactly one, and says what to do otherwise;
// List gives every assessment (not the interviews) as 'assessment list' shows them.
func TestResolveAndList(t *testing.T) {
	ctx := context.Background()
	st, lan, _, q := home(t)
	made := map[string]string{}
	for _, id := range []string{"0193a5b2-0000-7000-8000-000000000001", "0193a5b2-1111-7000-8000-000000000002", "0193a5b2-1111-7000-8000-000000000003"} {
		if _, err := New(ctx, st, lan, q, NewOptions{Scope: "national", Title: id[9:13]}, func() (string, error) { return id, nil }); err != nil {
			t.Fatal(err)
		}
		made[id[9:13]+id[35:]] = id
	}
	for ref, want := range map[string]string{
		made["00001"]:                            made["00001"],
		"0193a5b2-0":                             made["00001"],
		" 0193a5b2-1111-7000-8000-000000000003 ": made["11113"],
	} {
		if got, err := Resolve(ctx, st, ref); err != nil || got != want {
			t.Errorf("Resolve(%q) = %q, %v; want %q", ref, got, err, want)
		}
	}
	for ref, want := range map[string]string{
		"":           "mã bản đánh giá rỗng",
		"0193a5b2-2": `không có bản đánh giá "0193a5b2-2"`,
		// an interview is not an assessment
		"0193a5b2-7c1e-7000-8000-000000000001": `không có bản đánh giá "0193a5b2-7c1e-7000-8000-000000000001"`,
		"0193a5b2-1":                           `"0193a5b2-1" là phần đầu của 2 mã bản đánh giá: ` + made["11112"] + ", " + made["11113"],
	} {
		_, err := Resolve(ctx, st, ref)
		var ue *survey.UserError
		if !errors.As(err, &ue) || ue.Text().Get(survey.LangVI) != want {
			t.Errorf("Resolve(%q): %v; want %q", ref, err, want)
		}
		if ref != "" && ue != nil && ue.Hint.Empty() {
			t.Errorf("Resolve(%q) gives no hint", ref)
		}
	}

	infos, err := List(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, in := range infos {
		got = append(got, in.ID)
		if in.Questionnaire != q.ID || in.Version != q.Version || in.Scope != survey.ScopeNational || in.Author != lan.Principal ||
			in.Revisions != 1 || in.Created != "2026-12-01T08:00:00.000Z" || in.Updated != in.Created || in.UpdatedAt.IsZero() {
			t.Errorf("listed %+v", in)
		}
	}
	if len(got) != 3 || strings.Contains(strings.Join(got, ","), "7c1e") {
		t.Errorf("listed %q: want the 3 assessments and no interview", got)
	}
}
