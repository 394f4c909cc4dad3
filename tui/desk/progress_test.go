package desk

import (
	"testing"

	"github.com/fieldsurvey/fieldsurvey/questionnaires"
	"github.com/fieldsurvey/fieldsurvey/survey"
)

type bundledCat []*survey.Questionnaire

func (c bundledCat) List() []*survey.Questionnaire { return c }

// TestQueueProgressTotalLeavesOutRosters: the queue's "Done" column is Answered/total,
// and Answered (survey.Summary) does not count rosters; the total counted ODRA 3.1.1's
// key datasets roster, so a complete interview showed 43/44 on the desk while
// 'interview list' said 44/44.
func TestQueueProgressTotalLeavesOutRosters(t *testing.T) {
	qs, err := questionnaires.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	q := newQueueScreen(&shared{cat: bundledCat(qs)})
	if got := q.questionCount("odra-3.1", "3.1.1"); got != 43 {
		t.Errorf("odra-3.1 3.1.1: %d questions counted, want 43 (44 less the roster 4.K)", got)
	}
	if got := q.questionCount("dgra-2018", "2018.1"); got != 36 {
		t.Errorf("dgra-2018: %d, want 36", got)
	}
}
