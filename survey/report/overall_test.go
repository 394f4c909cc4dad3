package report

import (
	"bytes"
	"strings"
	"testing"
)

// TestNoOverallRowForPlainSections: a section with overall: false has no Overall row in any
// format (nil in the JSON, no "overall" line in the CSV, no row in text, Markdown and HTML);
// the other sections keep theirs.
func TestNoOverallRowForPlainSections(t *testing.T) {
	q := testQuestionnaire(t)
	no := false
	q.Sections[1].Overall = &no
	r, err := Build(q, testStates(t), Options{Lang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	in := findInterview(t, r, idDaNang)
	if in.Sections[1].Overall != nil || in.Sections[0].Overall == nil {
		t.Fatalf("overall of sections 1 and 2: %v %v, want a row and none", in.Sections[0].Overall, in.Sections[1].Overall)
	}
	one := &Report{Questionnaire: r.Questionnaire, Version: r.Version, Title: r.Title, Lang: r.Lang,
		Layout: r.Layout, Interviews: []Interview{in}}
	want := len(in.Sections) - 1
	count := func(format, out, mark string) {
		t.Helper()
		if n := strings.Count(out, mark); n != want {
			t.Errorf("%s: %d Overall rows (%q), want %d", format, n, mark, want)
		}
	}
	count("text", string(render(t, one, textAt(100, nil))), "│ Overall")
	count("markdown", string(render(t, one, func(b *bytes.Buffer, r *Report) error { return WriteMarkdown(b, r) })), "| **Overall** |")
	count("html", string(render(t, one, func(b *bytes.Buffer, r *Report) error { return WriteHTML(b, r) })), `<tr class="overall">`)
	count("csv", string(render(t, one, func(b *bytes.Buffer, r *Report) error { return WriteCSV(b, r, CSVOptions{}) })), ",overall,")
	count("json", string(render(t, one, func(b *bytes.Buffer, r *Report) error { return WriteJSON(b, r) })), `"overall":`)
}

// TestViewsLeavePlainSectionsOut: the overview grid (overall ratings) has no column for a
// section with overall: false, and the distributions no section for one without ratings.
func TestViewsLeavePlainSectionsOut(t *testing.T) {
	q := testQuestionnaire(t)
	no := false
	q.Sections[1].Overall = &no
	plainID := q.Sections[1].ID
	rated := hasRating(q.Sections[1])
	ob, err := NewOverviewBuilder(q, Options{Lang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	db, err := NewDistributionBuilder(q, Options{Lang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range testStates(t) {
		if st.Meta.Questionnaire != q.ID {
			continue
		}
		if err := ob.Add(st.Summary()); err != nil {
			t.Fatal(err)
		}
		if err := db.Add(st); err != nil {
			t.Fatal(err)
		}
	}
	ov := ob.Overview()
	if len(ov.Sections) != len(q.Sections)-1 {
		t.Errorf("overview: %d sections, want %d", len(ov.Sections), len(q.Sections)-1)
	}
	for _, s := range ov.Sections {
		if s.ID == plainID {
			t.Errorf("overview has a column for section %s (overall: false)", plainID)
		}
	}
	found := false
	for _, s := range db.Distributions().Sections {
		found = found || s.ID == plainID
	}
	if found != rated {
		t.Errorf("distributions list section %s: %v; it has rating questions: %v", plainID, found, rated)
	}
}
