package find

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
)

const (
	ivA = "0193a5b2-7c1e-7000-8000-000000000001"
	ivB = "0193a5b2-7c1e-7000-8000-000000000002"
	ivC = "0193a5b2-9999-7000-8000-000000000003"
	// ivW has revisions here but not the change that creates it.
	ivW = "0193a5b2-aaaa-7000-8000-000000000004"
)

func testStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "fieldsurvey.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	an := store.Author{Device: "laptop-an", Principal: "an@example.org"}
	for _, iv := range []string{ivA, ivB, ivC} {
		if _, err := st.Put(context.Background(), an,
			survey.Change{Target: survey.Target{Interview: iv, Kind: survey.KindInterview}, Value: survey.InterviewMeta{Questionnaire: "example", QuestionnaireVersion: "1", Assessor: an.Principal}},
			survey.Change{Target: survey.Target{Interview: iv, Kind: survey.KindRespondent}, Value: survey.Respondent{Agency: "Sở Tài chính", Province: "Huế"}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.Put(context.Background(), an, survey.Change{Target: survey.Target{Interview: ivW, Kind: survey.KindRespondent}, Value: survey.Respondent{Agency: "Sở Y tế", Province: "Huế"}}); err != nil {
		t.Fatal(err)
	}
	return st
}

// An interview is found by its whole id or the beginning of exactly one; otherwise the
// error says why in both languages and what to do.
func TestInterview(t *testing.T) {
	ctx := context.Background()
	st := testStore(t)
	for ref, want := range map[string]string{ivA: ivA, " " + ivB + " ": ivB, "0193a5b2-9": ivC} {
		if got, err := Interview(ctx, st, ref); err != nil || got != want {
			t.Errorf("Interview(%q) = %q, %v; want %q", ref, got, err, want)
		}
	}
	for ref, want := range map[string]string{
		"   ":         "mã phỏng vấn rỗng",
		"0193a5b2-b":  `không có phỏng vấn "0193a5b2-b"`,
		"0193a5b2-7c": `"0193a5b2-7c" là phần đầu của 2 mã phỏng vấn: ` + ivA + ", " + ivB,
		ivW:           "phỏng vấn " + ivW + " chưa có ở đây, chỉ có 1 thay đổi của nó, được giữ lại cho tới khi thay đổi tạo ra phỏng vấn được nhận",
		"0193a5b2-a":  "phỏng vấn " + ivW + " chưa có ở đây, chỉ có 1 thay đổi của nó, được giữ lại cho tới khi thay đổi tạo ra phỏng vấn được nhận",
	} {
		_, err := Interview(ctx, st, ref)
		var ue *survey.UserError
		if !errors.As(err, &ue) || ue.Text().Get(survey.LangVI) != want {
			t.Errorf("Interview(%q): %v; want %q", ref, err, want)
			continue
		}
		if ref != "   " && ue.Hint.Empty() {
			t.Errorf("Interview(%q) gives no hint", ref)
		}
	}
	if _, err := Interview(ctx, st, ivW); err == nil || err.Error() != "interview "+ivW+" is not here yet, only 1 change of it, kept until the change that creates it arrives" {
		t.Errorf("English: %v", err)
	}
}

// Interviews keeps the order given and names each interview once; with no references it
// gives every interview the store lists (one held without its creation too, as before).
func TestInterviews(t *testing.T) {
	ctx := context.Background()
	st := testStore(t)
	got, err := Interviews(ctx, st, []string{"0193a5b2-9", ivA, ivC}, "")
	if err != nil || !slices.Equal(got, []string{ivC, ivA}) {
		t.Errorf("Interviews = %v, %v; want %v", got, err, []string{ivC, ivA})
	}
	all, err := Interviews(ctx, st, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(all)
	if !slices.Equal(all, []string{ivA, ivB, ivC, ivW}) {
		t.Errorf("every interview: %v", all)
	}
	if _, err := Interviews(ctx, st, []string{ivA, "0193a5b2-b"}, ""); err == nil {
		t.Error("a reference to nothing among others is not refused")
	}
	if got, err := Record(ctx, st, "0193a5b2-9"); err != nil || got != ivC {
		t.Errorf("Record = %q, %v", got, err)
	}
	if _, err := Record(ctx, st, "0193a5b2-b"); err == nil || err.Error() != `no interview "0193a5b2-b"` {
		t.Errorf("Record of nothing: %v; want the interview's error", err)
	}
}
