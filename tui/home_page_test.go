package tui

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/tui/session"
)

// TestHomeReadsPagesAsTheCursorMoves checks that the home list of a store that counts
// (session.Counter) reads a page at a time, yet shows the count of every interview, and
// that moving down, paging down and end reach every interview, the last one included.
func TestHomeReadsPagesAsTheCursorMoves(t *testing.T) {
	d := newDriver(t, 100, 24)
	n := homePage*2 + 37
	w := &session.Writer{Store: d.store, Author: session.Author{Device: "dev1", Principal: "an"}, Assessor: "An"}
	q := questionnaire(t, "example")
	for i := range n {
		// The oldest is "Sở số 0": the last row, newest first.
		if _, err := w.Create(context.Background(), q, survey.Respondent{Agency: fmt.Sprintf("Sở số %d", i),
			Province: "Huế", Date: "2026-11-23", Consent: true}); err != nil {
			t.Fatal(err)
		}
		d.clock.add(time.Minute)
	}
	d.send(HomeMsg{})
	d.mustSee(fmt.Sprintf("%d interviews", n), fmt.Sprintf("Sở số %d", n-1))
	if got := len(d.app.home.items); got != homePage {
		t.Fatalf("the first screen read %d summaries, want one page of %d", got, homePage)
	}
	// Paging down reads the next page before the cursor reaches the end of the first.
	for range homePage / d.app.home.rows() {
		d.key("pgdown")
	}
	if got := len(d.app.home.items); got != 2*homePage {
		t.Errorf("after paging down to row %d: %d summaries read, want %d", d.app.home.cursor, got, 2*homePage)
	}
	d.key("end")
	d.mustSee("Sở số 0")
	if h := d.app.home; len(h.items) != n || h.cursor != n-1 {
		t.Errorf("end: %d read, cursor at %d; want %d and %d", len(h.items), h.cursor, n, n-1)
	}
	seen := map[string]bool{}
	for _, sm := range d.app.home.items {
		if seen[sm.ID] {
			t.Fatalf("interview %s listed twice", sm.ID)
		}
		seen[sm.ID] = true
	}
	d.key("home")
	d.mustSee(fmt.Sprintf("Sở số %d", n-1))
	// A reload (back from an interview) keeps the rows read, so the cursor keeps its place.
	d.key("end")
	d.send(HomeMsg{})
	if h := d.app.home; h.cursor != n-1 {
		t.Errorf("after a reload the cursor is at %d, want %d", h.cursor, n-1)
	}
	d.mustSee(fmt.Sprintf("%d not yet sent", n))
}
