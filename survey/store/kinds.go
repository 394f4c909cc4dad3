package store

import (
	"fmt"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// kindNums are the numbers revision_rows and revision_targets store for the kinds of
// target (0008): a kind is one of a closed set, and a small integer is cheaper to bind,
// compare and store than its name (an Append binds it twice a revision, row and entry).
// revision_kinds holds the same pairs (0008 writes them; Store.Check compares them), so
// that the views give the name and a condition on it is a look-up of that
// small table, then the index. A new kind takes the next number, here and in a new
// migration's INSERT into revision_kinds; numbers are never reused.
var kindNums = map[survey.Kind]int64{
	survey.KindInterview:  1,
	survey.KindRespondent: 2,
	survey.KindAnswer:     3,
	survey.KindSection:    4,
	survey.KindStatus:     5,
	survey.KindRow:        6,
	survey.KindAssessment: 7,
	survey.KindText:       8,
	survey.KindAction:     9,
	survey.KindDataset:    10,
}

// kindNames is kindNums the other way (index: the number).
var kindNames = func() []survey.Kind {
	var names []survey.Kind
	for k, n := range kindNums {
		for int64(len(names)) <= n {
			names = append(names, "")
		}
		names[n] = k
	}
	return names
}()

// kindNum is the number of kind k; an unknown kind has none (0, which no row holds: a
// look-up by it finds nothing, as one by its name found nothing before 0008). Everything
// stored is verified first (checkTarget, checkForm), so only a known kind is written.
func kindNum(k survey.Kind) int64 { return kindNums[k] }

// kindOf is the kind numbered n; an error for a number no kind has (a row some other
// program wrote: Store.Check reports those).
func kindOf(n int64) (survey.Kind, error) {
	if n > 0 && n < int64(len(kindNames)) && kindNames[n] != "" {
		return kindNames[n], nil
	}
	return "", fmt.Errorf("unknown kind number %d", n)
}
