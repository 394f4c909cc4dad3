package survey

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"sort"
)

// The changes a screen or a command makes to an assessment: each is an ordinary change
// (store.Put turns it into a revision that replaces the target's current heads, settling
// any conflict on it, so show a conflict before letting anyone edit it). Values are checked
// against the questionnaire by the caller (AssessmentLine.Check does it for imports).

// NewAssessment is the change that creates assessment id.
func NewAssessment(id string, m AssessmentMeta) Change {
	return Change{Target: Target{Interview: id, Kind: KindAssessment}, Value: m}
}

// TeamRating sets the team's rating (empty: none) and remarks of question.
func TeamRating(id, question string, rating Code, remarks string) Change {
	return Change{Target: Target{Interview: id, Kind: KindAnswer, Key: question}, Value: Answer{Rating: rating, Comment: remarks}}
}

// SectionRating sets the overall rating and remarks of section.
func SectionRating(id, section string, rating Code, remarks string) Change {
	return Change{Target: Target{Interview: id, Kind: KindSection, Key: section}, Value: SectionSummary{Rating: rating, Comment: remarks}}
}

// SetText sets one long text (TextSummary, …, or AnalysisKey(section)); empty clears it.
func SetText(id, key, text string) Change {
	return Change{Target: Target{Interview: id, Kind: KindText, Key: key}, Value: TextValue{Text: text}}
}

// SetAction adds or changes action actionID; DeleteAction removes it.
func SetAction(id, actionID string, a ActionItem) Change {
	return Change{Target: Target{Interview: id, Kind: KindAction, Key: actionID}, Value: a.Normalized()}
}

// DeleteAction removes action actionID from the plan.
func DeleteAction(id, actionID string) Change {
	return Change{Target: Target{Interview: id, Kind: KindAction, Key: actionID}, Value: ActionItem{}}
}

// SetDataset adds or changes key-dataset row rowID; DeleteDataset removes it.
func SetDataset(id, rowID string, d DatasetRow) Change {
	return Change{Target: Target{Interview: id, Kind: KindDataset, Key: rowID}, Value: d.Normalized()}
}

// DeleteDataset removes key-dataset row rowID.
func DeleteDataset(id, rowID string) Change {
	return Change{Target: Target{Interview: id, Kind: KindDataset, Key: rowID}, Value: DatasetRow{}}
}

// LineError is one problem of one line of an assessment file.
type LineError struct {
	Line int
	FieldError
}

// Format writes e as "NAME:LINE: field: message" (no field for a line that is not JSON).
func (e LineError) Format(name string) string {
	if e.Field == "" {
		return fmt.Sprintf("%s:%d: %s", name, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s: %s", name, e.Line, e.Field, e.Msg)
}

// NumberedLine is a parsed line with its line number.
type NumberedLine struct {
	Line int
	AssessmentLine
}

// ReadAssessmentLines parses every non-blank line of r. Lines that do not parse are
// reported, not returned; an error is a failure to read.
func ReadAssessmentLines(r io.Reader) ([]NumberedLine, []LineError, error) {
	var out []NumberedLine
	var errs []LineError
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 64<<20)
	n := 0
	for sc.Scan() {
		n++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		l, fe := ParseAssessmentLine(b)
		for _, e := range fe {
			errs = append(errs, LineError{n, e})
		}
		if fe == nil {
			out = append(out, NumberedLine{n, l})
		}
	}
	return out, errs, sc.Err()
}

// ImportTarget returns the assessment a file is for: want when given (--assessment), else
// the id of the header line, else the first id a line names; empty when none does.
func ImportTarget(lines []NumberedLine, want string) string {
	if want != "" {
		return want
	}
	for _, l := range lines {
		if l.Type == LineAssessment && l.Assessment != "" {
			return l.Assessment
		}
	}
	for _, l := range lines {
		if l.Assessment != "" {
			return l.Assessment
		}
	}
	return ""
}

// CheckImport checks the lines of a file for assessment id against its questionnaire q and
// its stored state cur (nil: not stored; then the file must hold its header line): every
// line that names an assessment names id (a line that names none is given id), no part is given twice, every line passes AssessmentLine.Check (which
// rewrites rating labels and aliases to codes), a header agrees with the stored
// questionnaire, and every dependency names an action. It returns every problem, by line.
func CheckImport(q *Questionnaire, cur *Assessment, id string, lines []NumberedLine) []LineError {
	var errs []LineError
	add := func(line int, field, format string, args ...any) {
		errs = append(errs, LineError{line, FieldError{field, fmt.Sprintf(format, args...)}})
	}
	header := false
	seen := map[string]int{}
	plain := make([]AssessmentLine, len(lines))
	for i := range lines {
		l := &lines[i]
		if l.Assessment != "" && l.Assessment != id {
			add(l.Line, "assessment", "this line is for assessment %q, not %q, the one this file imports into", l.Assessment, id)
		}
		l.Assessment = id // a line without an assessment belongs to the one imported into
		part := l.Type + "\x00" + l.Question + l.Section + l.Key + l.ID
		if prev, dup := seen[part]; dup {
			add(l.Line, "type", "the same %s is also on line %d", l.Type, prev)
		}
		seen[part] = l.Line
		if l.Type == LineAssessment {
			header = true
			if cur != nil && (l.Questionnaire != cur.Meta.Questionnaire || l.QuestionnaireVersion != cur.Meta.QuestionnaireVersion) {
				add(l.Line, "questionnaire", "assessment %s is stored with %s %s, not %s %s", id,
					cur.Meta.Questionnaire, cur.Meta.QuestionnaireVersion, l.Questionnaire, l.QuestionnaireVersion)
			}
		}
		for _, e := range l.Check(q) {
			errs = append(errs, LineError{l.Line, e})
		}
		plain[i] = l.AssessmentLine
	}
	if cur == nil && !header && len(lines) > 0 {
		add(lines[0].Line, "assessment", "no assessment %q is stored here and the file has no assessment line to create it: create it with 'fieldsurvey assessment new' or import a file written by 'fieldsurvey assessment export'", id)
	}
	for i, fe := range CheckActionRefs(cur, plain) {
		for _, e := range fe {
			errs = append(errs, LineError{lines[i].Line, e})
		}
	}
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].Line < errs[j].Line })
	return errs
}

// Plain returns the lines without their numbers.
func Plain(lines []NumberedLine) []AssessmentLine {
	out := make([]AssessmentLine, len(lines))
	for i, l := range lines {
		out[i] = l.AssessmentLine
	}
	return out
}
