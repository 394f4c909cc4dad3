package assessment

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// ImportFile ('assessment import'): a file without lines, one whose lines name no
// assessment, an --assessment that names none and wrong lines are refused with what to do,
// writing nothing; good lines are written, into given by the beginning of its id.
func TestImportFile(t *testing.T) {
	ctx := context.Background()
	st, lan, cat, q := home(t)
	cr, err := New(ctx, st, lan, q, NewOptions{Scope: "national", Title: "Việt Nam 2026"}, func() (string, error) {
		return "0193a5b2-7c1e-7000-8000-0000000000a1", nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var rated, code string
	for _, s := range q.Sections {
		for _, qu := range s.Questions {
			if rated == "" && qu.Type == survey.TypeRating {
				rated, code = qu.ID, string(q.ScaleOf(qu).Steps[0].Code)
			}
		}
	}
	file := func(name, src string) File {
		t.Helper()
		f, err := ReadFile(strings.NewReader(src), name)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	revisions := func() int {
		t.Helper()
		revs, err := st.Revisions(ctx, cr.ID)
		if err != nil {
			t.Fatal(err)
		}
		return len(revs)
	}
	before := revisions()
	good := `{"type":"question","question":"` + rated + `","rating":"` + code + `","remarks":"Rõ"}` + "\n" +
		`{"type":"text","key":"summary","text":"Tóm tắt"}` + "\n"

	refusals := []struct {
		name string
		f    File
		into string
		want string // Vietnamese
		hint bool
	}{
		{"empty", file("empty.jsonl", "\n\n"), "", "empty.jsonl không có dòng nào của bản đánh giá: không nhập gì", false},
		{"no target", file("team.jsonl", good), "", "không dòng nào của team.jsonl ghi mã bản đánh giá", true},
		{"unknown --assessment", file("team.jsonl", good), "0193a5b2-ffff", `không có bản đánh giá "0193a5b2-ffff"`, true},
	}
	for _, c := range refusals {
		_, err := ImportFile(ctx, st, cat, lan, c.f, c.into)
		var ue *survey.UserError
		if !errors.As(err, &ue) || ue.Text().Get(survey.LangVI) != c.want || ue.Hint.Empty() == c.hint {
			t.Errorf("%s: %v; want %q", c.name, err, c.want)
		}
	}
	// Line 3 repeats line 1's question with a rating the scale lacks (two problems); line 4
	// does not parse.
	bad := file("bad.jsonl", good+`{"type":"question","question":"`+rated+`","rating":"purple"}`+"\n"+`{"type":"question","colour":"red"`+"\n")
	_, err = ImportFile(ctx, st, cat, lan, bad, "0193a5b2")
	var pe *ProblemsError
	if !errors.As(err, &pe) || len(pe.Problems) != 3 || pe.Problems[0].Line != 3 || pe.Problems[2].Line != 4 || pe.File != "bad.jsonl" ||
		pe.Error() != "nothing imported: 3 problems in bad.jsonl" || pe.HintText().Empty() {
		t.Fatalf("wrong lines: %v %+v", err, pe.Problems)
	}
	if n := revisions(); n != before {
		t.Fatalf("refused files wrote %d revisions", n-before)
	}

	res, err := ImportFile(ctx, st, cat, lan, file("team.jsonl", good), "0193a5b2")
	if err != nil || res.ID != cr.ID || res.Created || res.Written != 2 || res.Lines != 2 {
		t.Fatalf("import: %v %+v", err, res)
	}
	if n := revisions(); n != before+2 {
		t.Errorf("import wrote %d revisions, want 2", n-before)
	}

	if got := (&ProblemsError{File: "f.jsonl", Problems: make([]survey.LineError, 1)}).Text().Get(survey.LangEN); got != "nothing imported: 1 problem in f.jsonl" {
		t.Errorf("one problem: %q", got)
	}
	var se *Error
	if _, err := ReadFile(iotest.ErrReader(errors.New("disk gone")), "stdin"); !errors.As(err, &se) || err.Error() != "read stdin: disk gone" {
		t.Errorf("a failing reader: %v", err)
	}
}
