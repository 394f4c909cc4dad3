package accessible

import (
	"strings"
	"testing"

	"github.com/fieldsurvey/fieldsurvey/questionnaires"
	"github.com/fieldsurvey/fieldsurvey/survey"
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
