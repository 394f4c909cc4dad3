package desk

import (
	"testing"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// TestConflictNamesRow: the desk's conflict line names a roster row as 'fieldsurvey
// conflicts' does (the table and the row's short id), not as the bare kind "row", which
// said neither which table nor which row.
func TestConflictNamesRow(t *testing.T) {
	id := "0193a5b2-7c1e-7000-8000-000000000001"
	cs := []survey.Conflict{
		{Target: survey.Target{Interview: id, Kind: survey.KindAnswer, Key: "4.1"}},
		{Target: survey.Target{Interview: id, Kind: survey.KindRow, Key: "4.K/97330c0177e8285e"}},
	}
	en, vi := conflictNames(cs)
	if en != "4.1, 4.K row 97330c01" {
		t.Errorf("en: %q", en)
	}
	if vi != "4.1, 4.K dòng 97330c01" {
		t.Errorf("vi: %q", vi)
	}
}
