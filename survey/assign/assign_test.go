package assign

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
)

var checker = Checker{
	Questionnaire: func(id string) (string, error) {
		if id == "dgra-2.0" {
			return "2.0", nil
		}
		return "", errors.New("no such questionnaire")
	},
	Known: func(p string) bool { return p == "lan@example.org" || p == "minh@example.org" },
}

func ids() func() (string, error) {
	n := 0
	return func() (string, error) {
		n++
		return fmt.Sprintf("0193a5b2-7c1e-7000-8000-%012d", n), nil
	}
}

func TestCreateWritesAPlannedDraft(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(filepath.Join(t.TempDir(), "fieldsurvey.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a, probs := checker.Check(Assignment{Questionnaire: "dgra-2.0", Agency: " Sở Tài chính ", Province: "Đà Nẵng",
		Assignee: "lan@example.org", Due: "2026-12-20", Note: "gặp chị Hoa"})
	if len(probs) > 0 {
		t.Fatalf("problems: %v", probs)
	}
	sup := store.Author{Device: "sup-hue", Principal: "hue@example.org"}
	made, err := Create(ctx, st, sup, []Assignment{a}, ids())
	if err != nil {
		t.Fatal(err)
	}
	if len(made) != 1 || made[0].ID != "0193a5b2-7c1e-7000-8000-000000000001" {
		t.Fatalf("created %+v", made)
	}
	iv, err := st.Interview(ctx, made[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	want := survey.InterviewMeta{Questionnaire: "dgra-2.0", QuestionnaireVersion: "2.0", Assessor: "lan@example.org",
		Device: "sup-hue", Assignee: "lan@example.org", Due: "2026-12-20", Note: "gặp chị Hoa"}
	if iv.Meta != want {
		t.Errorf("meta = %+v, want %+v", iv.Meta, want)
	}
	if iv.Respondent.Agency != "Sở Tài chính" || iv.Respondent.Province != "Đà Nẵng" {
		t.Errorf("respondent = %+v", iv.Respondent)
	}
	if iv.Status.Status != survey.StatusDraft || !survey.AssessorEditable(iv.Status.Status) {
		t.Errorf("status = %+v, want an editable draft", iv.Status)
	}
	revs, err := st.Revisions(ctx, made[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range revs {
		if r.Device != "sup-hue" || r.Author != "hue@example.org" {
			t.Errorf("revision %s by %s/%s, want the supervisor's device", r.Kind, r.Device, r.Author)
		}
	}
}

func TestCreateIsAllOrNothing(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(filepath.Join(t.TempDir(), "fieldsurvey.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	n := 0
	failing := func() (string, error) {
		n++
		if n == 3 {
			return "not-a-uuid", nil
		}
		return fmt.Sprintf("0193a5b2-7c1e-7000-8000-%012d", n), nil
	}
	a := Assignment{Questionnaire: "dgra-2.0", Version: "2.0", Agency: "A", Province: "P", Assignee: "lan@example.org"}
	if _, err := Create(ctx, st, store.Author{Device: "sup", Principal: "hue"}, []Assignment{a, a, a}, failing); err == nil {
		t.Fatal("a bad id was accepted")
	}
	sums, err := st.List(ctx, store.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(sums) != 0 {
		t.Errorf("%d interviews written after a failed plan", len(sums))
	}
}

func TestReadPlan(t *testing.T) {
	good := "\ufeffQuestionnaire,agency,province,assessor,due,note\n" +
		"dgra-2.0,Sở Tài chính,Đà Nẵng,lan@example.org,2026-12-20,\"gặp chị Hoa, phòng 3\"\n" +
		"\n" +
		"dgra-2.0,Sở Xây dựng,Huế,minh@example.org,,\n"
	rows, err := ReadPlan("plan.csv", strings.NewReader(good), checker)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Line != 2 || rows[1].Line != 4 {
		t.Fatalf("rows = %+v", rows)
	}
	if rows[0].Version != "2.0" || rows[0].Note != "gặp chị Hoa, phòng 3" || rows[1].Assignee != "minh@example.org" {
		t.Errorf("rows = %+v", rows)
	}

	bad := "questionnaire,agency,province,assessor,due\n" +
		"dgra-2.0,Sở Tài chính,Đà Nẵng,lan@example.org,2026-12-20\n" +
		"odra-9,Sở Y tế,Huế,nobody@example.org,20/12/2026\n" +
		"dgra-2.0,,Huế,minh@example.org,\n" +
		"dgra-2.0,A,B,minh@example.org,,extra\n"
	_, err = ReadPlan("plan.csv", strings.NewReader(bad), checker)
	var pe PlanError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v, want a PlanError", err)
	}
	want := []string{
		`plan.csv:3: questionnaire: unknown questionnaire "odra-9" ('fieldsurvey questionnaire list' shows them)`,
		`plan.csv:3: assessor: unknown principal "nobody@example.org": not in this home's allowed_signers file, and no device or change of theirs is here`,
		`plan.csv:3: due: "20/12/2026" is not a date: write YYYY-MM-DD`,
		`plan.csv:4: agency: missing: give the agency to interview`,
		`plan.csv:5: 6 fields, the header names 5`,
	}
	if got := strings.Split(err.Error(), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if vi := pe[3].Text(survey.LangVI); vi != "plan.csv:4: agency: thiếu: cần cơ quan được phỏng vấn" {
		t.Errorf("vi: %s", vi)
	}

	for _, c := range []struct{ name, in, want string }{
		{"empty", "", "plan.csv:1: empty file"},
		{"header only", "questionnaire,agency,province,assessor\n", "plan.csv:2: the plan holds no assignment"},
		{"missing column", "questionnaire,agency,assessor\nx,y,z\n", "plan.csv:1: province: missing column"},
		{"unknown column", "questionnaire,agency,province,assessor,phone\n", "plan.csv:1: phone: unknown column"},
		{"bad quoting", "questionnaire,agency,province,assessor\ndgra-2.0,\"Sở,Huế,lan@example.org\n", "plan.csv:2: not CSV"},
	} {
		_, err := ReadPlan("plan.csv", strings.NewReader(c.in), checker)
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q…", c.name, err, c.want)
		}
	}
}
