package xlsform

import (
	"fmt"
	"sort"
	"strings"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// Problem is one thing wrong with (or, for a notice, left out of) a form: the sheet, the
// spreadsheet row (1 is the header), the column's header and what is wrong, in English and
// Vietnamese. Row 0 means the whole sheet; an empty sheet, the whole file.
type Problem struct {
	Sheet  string
	Row    int
	Column string
	Msg    survey.Text
	// validated marks a problem the questionnaire loader found in the converted form; it
	// is dropped when the import itself already reported a problem on the same cell.
	validated bool
}

// Line formats p as "FILE: SHEET!ROW: COLUMN: message" in lang.
func (p Problem) Line(file, lang string) string {
	var b strings.Builder
	b.WriteString(file)
	b.WriteString(": ")
	if p.Sheet != "" {
		b.WriteString(p.Sheet)
		if p.Row > 0 {
			fmt.Fprintf(&b, "!%d", p.Row)
		}
		b.WriteString(": ")
	}
	if p.Column != "" {
		b.WriteString(p.Column)
		b.WriteString(": ")
	}
	b.WriteString(p.Msg.Get(lang))
	return b.String()
}

// Error lists every problem that stops a form from being imported.
type Error struct {
	File     string
	Problems []Problem
}

// Error returns one line per problem, in English.
func (e *Error) Error() string { return strings.Join(e.Lines(survey.LangEN), "\n") }

// Lines returns one line per problem in lang.
func (e *Error) Lines(lang string) []string {
	out := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		out[i] = p.Line(e.File, lang)
	}
	return out
}

// sheetOrder sorts problems as an author reads the workbook.
var sheetOrder = map[string]int{"": 0, sheetSurvey: 1, sheetChoices: 2, sheetSettings: 3}

// sortProblems orders problems by sheet, then row, keeping the order of those on one row,
// and drops repeats of the same message on the same cell, and a validation problem on a
// cell that already has one of the import's own (or is quiet: a consequence of one).
func sortProblems(ps []Problem, quiet map[string]bool) []Problem {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if sheetOrder[a.Sheet] != sheetOrder[b.Sheet] {
			return sheetOrder[a.Sheet] < sheetOrder[b.Sheet]
		}
		return a.Row < b.Row
	})
	own := map[string]bool{}
	for k := range quiet {
		own[k] = true
	}
	for _, p := range ps {
		if !p.validated {
			own[cellKey(p.Sheet, p.Row, p.Column)] = true
		}
	}
	seen := map[string]bool{}
	out := ps[:0]
	for _, p := range ps {
		cell := cellKey(p.Sheet, p.Row, p.Column)
		k := cell + "!" + p.Msg.Get(survey.LangEN)
		if seen[k] || p.validated && own[cell] {
			continue
		}
		seen[k] = true
		out = append(out, p)
	}
	return out
}

// cellKey names a cell of a problem.
func cellKey(sheet string, row int, col string) string {
	return sheet + "!" + fmt.Sprint(row) + "!" + col
}
