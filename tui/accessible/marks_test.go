package accessible

import (
	"context"
	"strings"
	"testing"

	"github.com/fieldsurvey/fieldsurvey/questionnaires"
	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/tui/session"
)

// odra returns the newest bundled odra-3.1.
func odra(t *testing.T) *survey.Questionnaire {
	t.Helper()
	qs, err := questionnaires.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	var q *survey.Questionnaire
	for _, c := range qs {
		if c.ID == "odra-3.1" && (q == nil || c.Version > q.Version) {
			q = c
		}
	}
	if q == nil {
		t.Fatal("no bundled odra-3.1")
	}
	return q
}

// TestLineModeScaleNamesKeys: the scale line names each step by the key that sets it on the
// screens, ODRA's insufficient information as U (not its code), and U is accepted back.
func TestLineModeScaleNamesKeys(t *testing.T) {
	q := odra(t)
	s := &session_{lang: "en", q: q}
	sc := q.SectionScale(q.Sections[0])
	line := s.scaleLine(sc)
	if strings.Contains(line, "insufficient-information") || !strings.Contains(line, "U Insufficient information") {
		t.Errorf("scale line %q: want U Insufficient information, not the code", line)
	}
	if !strings.HasPrefix(line, "1 ") {
		t.Errorf("scale line %q: want the counted steps numbered from 1", line)
	}
	for _, in := range []string{"U", "u", " U "} {
		c, err := parseRating(sc, in)
		if err != nil || c != "insufficient-information" {
			t.Errorf("parseRating(%q) = %q, %v; want insufficient-information", in, c, err)
		}
	}
	if c, err := parseRating(sc, "1"); err != nil || c != "red" {
		t.Errorf("parseRating(1) = %q, %v; want red", c, err)
	}
}

// TestLineModeEvidenceUsesTheNeutralMark: ODRA's mixed evidence is listed with o, the
// DGRA's neutral evidence with 0.
func TestLineModeEvidenceUsesTheNeutralMark(t *testing.T) {
	e := survey.Evidence{Polarity: survey.Neutral, Text: "Ý kiến trái chiều", InScope: true}
	if got := evidenceText(e, &session_{lang: "vi", q: odra(t)}); got != "o Ý kiến trái chiều" {
		t.Errorf("ODRA evidence %q, want o Ý kiến trái chiều", got)
	}
	qs, _ := questionnaires.Bundled()
	for _, q := range qs {
		if q.ID == "dgra-2018" {
			if got := evidenceText(e, &session_{lang: "vi", q: q}); got != "0 Ý kiến trái chiều" {
				t.Errorf("DGRA evidence %q, want 0 Ý kiến trái chiều", got)
			}
		}
	}
}

// TestLineModeSkipsSectionsWithoutOverall: with section 1 of the example marked
// overall: false, line mode asks no overall rating or comment for it and the interview
// completes with section 2's overall rating only.
func TestLineModeSkipsSectionsWithoutOverall(t *testing.T) {
	fs, o := setup(t)
	src, _ := questionnaires.BundledSource("example")
	plain, err := questionnaires.Parse("example.yaml", []byte(strings.Replace(string(src), "  - id: \"1\"\n", "  - id: \"1\"\n    overall: false\n", 1)))
	if err != nil {
		t.Fatal(err)
	}
	cat := catalog{plain}
	for _, q := range o.Catalog.List() {
		if q.ID != "example" {
			cat = append(cat, q)
		}
	}
	o.Catalog = cat
	// The whole example interview without the four lines of section 1's overall rating.
	var in []string
	for i, l := range exampleInput {
		if l == "amber" {
			in = in[:len(in)-1] // the empty rating before it
			continue
		}
		if i > 0 && exampleInput[i-1] == "amber" || l == "Công bố đều đặn" {
			continue // the empty comment after it, and the comment
		}
		in = append(in, l)
	}
	if len(in) != len(exampleInput)-4 {
		t.Fatalf("input: %d lines, want %d", len(in), len(exampleInput)-4)
	}
	var out strings.Builder
	o.In = strings.NewReader(strings.Join(in, "\n") + "\n")
	o.Out = &out
	if err := Run(context.Background(), o); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	list, _ := fs.List(context.Background(), session.ListOptions{})
	st, err := fs.Interview(context.Background(), list[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if st.Status.Status != survey.StatusCompleted {
		t.Fatalf("status %q\n%s", st.Status.Status, out.String())
	}
	if _, ok := st.Sections["1"]; ok || st.Sections["2"].Rating != survey.Green {
		t.Fatalf("sections %+v: want only section 2 rated", st.Sections)
	}
	if strings.Contains(out.String(), "Overall rating of Open data practice") {
		t.Errorf("line mode asked the overall rating of a section with overall: false:\n%s", out.String())
	}
}
