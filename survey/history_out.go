package survey

import (
	"fmt"
	"io"
	"strings"
)

// HistoryDoc is the document `interview history --json` writes: the interview, its
// questionnaire and its history (format HistoryFormat).
type HistoryDoc struct {
	Format               string         `json:"format"`
	Interview            string         `json:"interview"`
	Questionnaire        string         `json:"questionnaire"`
	QuestionnaireVersion string         `json:"questionnaire_version"`
	Entries              []HistoryEntry `json:"entries"`
}

// NewHistoryDoc returns the history document of interview id made with meta.
func NewHistoryDoc(id string, meta InterviewMeta, entries []HistoryEntry) HistoryDoc {
	return HistoryDoc{Format: HistoryFormat, Interview: id, Questionnaire: meta.Questionnaire,
		QuestionnaireVersion: meta.QuestionnaireVersion, Entries: entries}
}

// HistoryTitle is the first line of the history of interview id (state s) in lang: its id,
// agency and province, the questionnaire's title (its id and version when q, its
// questionnaire, is nil) and the number n of revisions.
func HistoryTitle(id string, s *InterviewState, q *Questionnaire, n int, lang string) string {
	title := s.Meta.Questionnaire + " " + s.Meta.QuestionnaireVersion
	if q != nil {
		title = q.Title.Get(lang)
	}
	where := strings.Trim(s.Respondent.Agency+", "+s.Respondent.Province, ", ")
	revisions := "revisions"
	if n == 1 {
		revisions = "revision"
	}
	count := T(fmt.Sprintf("%d %s", n, revisions), fmt.Sprintf("%d phiên bản", n)).Get(lang)
	return fmt.Sprintf("%s · %s · %s · %s", id, where, title, count)
}

// WriteHistoryEntry writes e's lines (Lines) to w, each wrapped to width (at least 40) as
// measure measures text (a continuation two spaces further in), every span through paint
// (nil: its text as it is).
func WriteHistoryEntry(w io.Writer, e HistoryEntry, o RenderOptions, width int, measure func(string) int, paint func(Span) string) error {
	for _, l := range e.Lines(o) {
		for _, wl := range l.Wrap(max(40, width), measure) {
			var b strings.Builder
			b.WriteString(strings.Repeat(" ", wl.Indent))
			for _, s := range wl.Spans {
				if paint != nil {
					b.WriteString(paint(s))
				} else {
					b.WriteString(s.Text)
				}
			}
			b.WriteByte('\n')
			if _, err := io.WriteString(w, b.String()); err != nil {
				return err
			}
		}
	}
	return nil
}
