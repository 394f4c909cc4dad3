package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// rosterStore holds one interview with a roster of n rows (one Put per row, as entry
// makes them).
func rosterStore(b *testing.B, n int) (*Store, Author, string) {
	b.Helper()
	s, err := Open(filepath.Join(b.TempDir(), "survey.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	by := Author{Device: "dev-a", Principal: "an@example.org"}
	id := survey.ExampleInterviewID
	ctx := context.Background()
	if _, err := s.Put(ctx, by, survey.Change{Target: tgt(id, survey.KindInterview, ""),
		Value: survey.InterviewMeta{Questionnaire: "odra-3.1", QuestionnaireVersion: "3.1.1"}}); err != nil {
		b.Fatal(err)
	}
	changes := make([]survey.Change, n)
	for i := range changes {
		changes[i] = survey.Change{Target: survey.RowTarget(id, "4.K", fmt.Sprintf("%016x", i)), Value: survey.RosterRow{Pos: float64(i + 1),
			Cells: map[string]any{"agency": "Tổng cục Thống kê", "source": fmt.Sprintf("Niên giám thống kê %d", i), "public": i%2 == 0,
				"openness": float64(i % 6), "url": "https://www.gso.gov.vn/"}}}
	}
	if _, err := s.Put(ctx, by, changes...); err != nil {
		b.Fatal(err)
	}
	return s, by, id
}

// BenchmarkRosterOpen1000 reads an interview holding a 1,000-row roster from the store
// and its rows in order, as opening the interview does.
func BenchmarkRosterOpen1000(b *testing.B) {
	s, _, id := rosterStore(b, 1000)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		st, err := s.Interview(ctx, id)
		if err != nil {
			b.Fatal(err)
		}
		if n := len(st.Rows("4.K")); n != 1000 {
			b.Fatalf("%d rows", n)
		}
	}
}

// BenchmarkRosterSaveRow1000 saves one edited row of a 1,000-row roster (a durable Put),
// as entry does when a row is saved.
func BenchmarkRosterSaveRow1000(b *testing.B) {
	s, by, id := rosterStore(b, 1000)
	ctx := context.Background()
	i := 0
	b.ResetTimer()
	for b.Loop() {
		i++
		if _, err := s.Put(ctx, by, survey.Change{Target: survey.RowTarget(id, "4.K", fmt.Sprintf("%016x", i%1000)),
			Value: survey.RosterRow{Pos: float64(i%1000 + 1), Cells: map[string]any{"agency": fmt.Sprintf("Cơ quan %d", i)}}}); err != nil {
			b.Fatal(err)
		}
	}
}
