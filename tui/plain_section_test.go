package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/muesli/termenv"

	"github.com/fieldsurvey/fieldsurvey/questionnaires/xlsform"
	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/tui/internal/fakestore"
	"github.com/fieldsurvey/fieldsurvey/tui/session"
	"github.com/fieldsurvey/fieldsurvey/tui/styles"
)

// importedDriver is a driver whose catalog also holds the example XLSForm as imported
// (questionnaires/testdata/xlsform/readiness.xlsx), with an interview of it open.
func importedDriver(t *testing.T, w, h int) (*driver, *survey.Questionnaire, string) {
	t.Helper()
	return importedDriverOf(t, "readiness.xlsx", w, h)
}

// importedDriverOf is importedDriver for another workbook of questionnaires/testdata/xlsform.
func importedDriverOf(t *testing.T, name string, w, h int) (*driver, *survey.Questionnaire, string) {
	t.Helper()
	res, err := xlsform.ImportFile("../questionnaires/testdata/xlsform/"+name, xlsform.Options{})
	if err != nil {
		t.Fatal(err)
	}
	q := res.Questionnaire
	ck := newClock()
	d := &driver{t: t, store: fakestore.New(ck.now), clock: ck}
	o := Options{Lang: "en", AssessorName: "Nguyễn Văn An", Principal: "an@example.org", Device: "dev1",
		DefaultQuestionnaire: "example", Now: ck.now, CommitDelay: time.Millisecond}
	sty := styles.New(&strings.Builder{}, styles.Plain, termenv.Ascii, true)
	d.app = New(context.Background(), o, d.store, append(catalog{q}, bundledCatalog(t)...), sty)
	d.app.syncEvery = time.Microsecond
	d.run(d.app.Init())
	d.send(tea.WindowSizeMsg{Width: w, Height: h})
	wr := &session.Writer{Store: d.store, Author: session.Author{Device: "dev1", Principal: "an"}, Assessor: "An"}
	id, err := wr.Create(context.Background(), q, survey.Respondent{Agency: "Sở Tư pháp", Province: "Huế", Date: "2026-11-23", Consent: true})
	if err != nil {
		t.Fatal(err)
	}
	d.open(id)
	return d, q, id
}

// TestPlainSectionSummaryAsksNoRating: the Respondent group of an imported XLSForm has no
// rating question (overall: false): its summary shows the answers and no overall rating
// or comment field, rating and comment keys set nothing, ctrl+n goes on, and the sections
// list shows — instead of "not confirmed". A rated section still asks.
func TestPlainSectionSummaryAsksNoRating(t *testing.T) {
	d, _, id := importedDriver(t, 100, 30)
	d.send(GotoMsg{Place: session.Place{Section: "respondent"}})
	d.mustSee("Respondent — answers", "No.    Answer", "This section has no overall rating. ctrl+n goes on.")
	d.mustNotSee("Overall rating", "Overall comment", "Suggested", "No suggestion")
	d.key("1", "c", "enter")
	d.typeText("x")
	if sums := d.state(id).Sections; len(sums) != 0 {
		t.Fatalf("keys on a plain summary stored overall ratings: %v", sums)
	}
	d.key("ctrl+n")
	d.mustNotSee("Respondent — answers")
	d.send(GotoMsg{Place: session.Place{Section: "leadership"}})
	d.mustSee("Overall rating (confirm or override)", "Overall comment, required (c)")
	d.send(GotoMsg{Place: session.Place{Section: sectionsList}})
	row := lineWith(t, d.view(), "Respondent")
	if !strings.HasSuffix(strings.TrimSpace(row), "—") || strings.Contains(row, "not confirmed") {
		t.Errorf("sections list row %q: want — for a section with no overall rating", row)
	}
	if lr := lineWith(t, d.view(), "Leadership"); !strings.Contains(lr, "not confirmed") {
		t.Errorf("sections list row %q: a rated section is still not confirmed", lr)
	}
}

// TestHomeStripLeavesPlainSectionsOut: the home list's strip has a cell per section with an
// overall rating: four for the imported form (seven sections, three of them plain).
func TestHomeStripLeavesPlainSectionsOut(t *testing.T) {
	d, _, _ := importedDriver(t, 100, 24)
	d.send(HomeMsg{})
	row := lineWith(t, d.view(), "Sở Tư pháp")
	if !strings.Contains(row, "····") || strings.Contains(row, "·····") {
		t.Errorf("home row %q: want a strip of 4 cells", row)
	}
}
