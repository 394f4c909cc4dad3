package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// TestAssessmentPlainSectionHasNoOverall: a section with overall: false has no team pillar
// rating and no Overall row in the published assessment report (main table and annex, in
// every format), even when a stale team rating of it is stored; its rated questions keep
// their team ratings and remarks. A plain section with no rated question has no table at
// all (its heading and analysis only).
func TestAssessmentPlainSectionHasNoOverall(t *testing.T) {
	q := testQuestionnaire(t)
	no := false
	q.Sections[1].Overall = &no // "2": rated questions 2.2 and 2.3, the team rated the section AmberRed before
	q.Sections = append(q.Sections, &survey.Section{ID: "9", Overall: &no, Title: survey.T("Respondent", "Người trả lời"),
		Questions: []*survey.Question{{ID: "9.1", Type: survey.TypeText, Text: survey.T("Agency", "Cơ quan")}}})
	a, states := assessFixture(t)
	a.Texts[survey.AnalysisKey("9")] = "Người trả lời là lãnh đạo cấp sở."
	r, err := BuildAssessment(q, a, states, AssessmentOptions{Lang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	plain, last := r.Sections[1], r.Sections[len(r.Sections)-1]
	if plain.ID != "2" || plain.Overall != nil || plain.Interviews != nil {
		t.Fatalf("section 2 (overall: false): overall %+v, interviews %+v, want none", plain.Overall, plain.Interviews)
	}
	if row := rowOf(t, r, "2.2"); row.Rating != survey.Amber {
		t.Errorf("2.2 lost its team rating in a plain section: %+v", row.TeamRating)
	}
	if r.Sections[0].Overall == nil || r.Sections[0].Overall.Rating != survey.Amber || r.Sections[0].Interviews == nil {
		t.Errorf("section 1 lost its overall row: %+v", r.Sections[0])
	}
	if last.ID != "9" || last.HasTable() || last.Analysis == "" {
		t.Fatalf("section 9: %+v, want its analysis and no table", last)
	}
	rated := 0
	for _, s := range r.Sections {
		if s.Overall != nil {
			rated++
		}
	}
	if rated != len(r.Sections)-2 {
		t.Fatalf("%d sections with an overall row, want %d", rated, len(r.Sections)-2)
	}
	writers := []struct {
		name, mark string
		per        int // overall rows per rated section
		write      func(*bytes.Buffer) error
	}{
		{"text", "\nOverall: ", 1, func(b *bytes.Buffer) error { return WriteAssessmentText(b, r, nil, 100) }},
		{"markdown", "| **Overall** |", 2, func(b *bytes.Buffer) error { return WriteAssessmentMarkdown(b, r) }},
		{"html", `<tr class="overall">`, 2, func(b *bytes.Buffer) error { return WriteAssessmentHTML(b, r) }},
		{"csv", ",overall,", 1, func(b *bytes.Buffer) error { return WriteAssessmentCSV(b, r) }},
		{"json", `"overall":`, 1, func(b *bytes.Buffer) error { return WriteAssessmentJSON(b, r) }},
	}
	for _, w := range writers {
		var b bytes.Buffer
		if err := w.write(&b); err != nil {
			t.Fatalf("%s: %v", w.name, err)
		}
		out := b.String()
		if n := strings.Count(out, w.mark); n != rated*w.per {
			t.Errorf("%s: %d overall rows (%q), want %d", w.name, n, w.mark, rated*w.per)
		}
		if !strings.Contains(out, "Is there a legal right to information?") && !strings.Contains(out, ",question,2.2,") {
			t.Errorf("%s: the plain section's rated question 2.2 is missing", w.name)
		}
		if w.name != "csv" && !strings.Contains(out, "Người trả lời là lãnh đạo cấp sở.") {
			t.Errorf("%s: the plain section's analysis is missing", w.name)
		}
	}
	var md bytes.Buffer
	if err := WriteAssessmentMarkdown(&md, r); err != nil {
		t.Fatal(err)
	}
	after := md.String()[strings.Index(md.String(), "## 9. Respondent"):]
	if next := strings.Index(after[1:], "\n## "); next < 0 || strings.Contains(after[:next], "| ---") {
		t.Errorf("markdown: section 9 has a table:\n%s", after)
	}
	if strings.Contains(md.String(), "### 9. Respondent") {
		t.Errorf("markdown: the annex has an empty table for section 9")
	}
}
