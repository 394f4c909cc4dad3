package assessment

import (
	"context"
	"strings"
	"testing"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// TestImportRefusesAPlainSectionRating: a section with overall: false has no pillar rating
// for the team to settle: a section line giving it a rating or remarks is refused (nothing
// written, both fields named); its analysis alone, and its questions' ratings, import.
func TestImportRefusesAPlainSectionRating(t *testing.T) {
	ctx := context.Background()
	st, lan, cat, q := home(t)
	// The first section with a rating question becomes plain.
	var plain *survey.Section
	var rated string
	for _, s := range q.Sections {
		for _, qu := range s.Questions {
			if rated == "" && qu.Type == survey.TypeRating {
				plain, rated = s, qu.ID
			}
		}
	}
	if plain == nil {
		t.Fatalf("%s has no rating question", q.ID)
	}
	no := false
	plain.Overall = &no
	n := 0
	cr, err := New(ctx, st, lan, q, NewOptions{Scope: "national", Title: "Việt Nam 2026"}, ids(&n))
	if err != nil {
		t.Fatal(err)
	}
	read := func(src string) []survey.NumberedLine {
		t.Helper()
		lines, bad, err := survey.ReadAssessmentLines(strings.NewReader(src))
		if err != nil || len(bad) > 0 {
			t.Fatalf("read %q: %v %v", src, err, bad)
		}
		return lines
	}
	before, err := st.Revisions(ctx, cr.ID)
	if err != nil {
		t.Fatal(err)
	}
	code := q.SectionScale(plain).Steps[0].Code
	bad := read(`{"type":"question","question":"` + rated + `","rating":"` + string(code) + `"}
{"type":"section","section":"` + plain.ID + `","rating":"` + string(code) + `","remarks":"Tốt","analysis":"Phân tích"}
`)
	res, problems, err := Import(ctx, st, cat, lan, bad, nil, cr.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) != 2 || problems[0].Line != 2 || problems[0].Field != "rating" || problems[1].Field != "remarks" ||
		!strings.Contains(problems[0].Msg, "section "+plain.ID+" has no overall rating (overall: false") {
		t.Fatalf("problems %+v, want rating and remarks of line 2", problems)
	}
	if after, _ := st.Revisions(ctx, cr.ID); len(after) != len(before) || res.Written != 0 {
		t.Fatalf("a refused file wrote %d revisions", len(after)-len(before))
	}
	good := read(`{"type":"question","question":"` + rated + `","rating":"` + string(code) + `","remarks":"Rõ"}
{"type":"section","section":"` + plain.ID + `","analysis":"Phân tích"}
`)
	if _, problems, err := Import(ctx, st, cat, lan, good, nil, cr.ID); err != nil || len(problems) > 0 {
		t.Fatalf("import of a question rating and an analysis: %v %+v", err, problems)
	}
	a, err := Read(ctx, st, cr.ID)
	if err != nil {
		t.Fatal(err)
	}
	if a.Ratings[rated].Rating != code || a.Texts[survey.AnalysisKey(plain.ID)] != "Phân tích" || a.Sections[plain.ID] != (survey.SectionSummary{}) {
		t.Errorf("after import: rating %+v, analysis %q, section %+v", a.Ratings[rated], a.Texts[survey.AnalysisKey(plain.ID)], a.Sections[plain.ID])
	}
}
