// Package assessment writes the assessment team's record into a store and reads it back,
// the flows of 'fieldsurvey assessment' and 'report --assessment' (the commands only parse
// flags and print):
//   - New creates an assessment ('assessment new'); List lists them ('assessment list');
//     Resolve finds one by its id or the beginning of it.
//   - ImportFile ('assessment import') takes the lines ReadFile read of a file and, when
//     every line is right, writes their changes in one transaction (Import); otherwise it
//     writes nothing and returns every problem with its line (*ProblemsError).
//   - Export writes assessments as those lines (the same assessments always give the same
//     bytes), and Report builds an assessment's report beside the interviews of its
//     questionnaire ('assessment show', 'report --assessment').
//
// Errors a person can act on say so in every language and carry what to do
// (*survey.UserError, *NoQuestionnaireError, *ProblemsError: Text and HintText); the
// others are *Error, the step that failed and why.
package assessment

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
)

// Catalog finds a questionnaire version (the home's installed questionnaires).
type Catalog interface {
	Get(id, version string) (*survey.Questionnaire, error)
}

// ErrNoTarget is Import's error when no line names its assessment and none was given.
var ErrNoTarget = errors.New("no line names its assessment")

// Result is what Import wrote.
type Result struct {
	// ID is the assessment the lines were for.
	ID string
	// Created is true when the lines made a new assessment.
	Created bool
	// Written counts the revisions written.
	Written int
}

// Read returns assessment id (store.ErrNotFound when it is not stored, or is an interview).
func Read(ctx context.Context, st store.Reader, id string) (*survey.Assessment, error) {
	state, err := st.Interview(ctx, id)
	if err != nil {
		return nil, err
	}
	a, ok := state.Assessment()
	if !ok {
		return nil, fmt.Errorf("%s is an interview, not an assessment: %w", id, store.ErrNotFound)
	}
	return a, nil
}

// Import checks lines against the assessment they are for (into, else the one the lines
// name) and its questionnaire in cat, and writes their changes by author in one
// transaction. parsed are the problems survey.ReadAssessmentLines found in the lines that
// did not parse: with any, nothing is written either. A section line may not rate, or remark on,
// a section with overall: false (it has no overall rating to settle). Lines that create the assessment record author as its creator. When any line
// is wrong, nothing is written and the problems are returned sorted by line; err is for
// failures of the store or ErrNoTarget.
func Import(ctx context.Context, st *store.Store, cat Catalog, author store.Author, lines []survey.NumberedLine, parsed []survey.LineError, into string) (Result, []survey.LineError, error) {
	id := survey.ImportTarget(lines, into)
	if id == "" && len(lines) > 0 {
		return Result{}, nil, ErrNoTarget
	}
	problems := append([]survey.LineError(nil), parsed...)
	var cur *survey.Assessment
	var q *survey.Questionnaire
	if id != "" {
		var err error
		cur, err = Read(ctx, st, id)
		if errors.Is(err, store.ErrNotFound) {
			cur = nil
		} else if err != nil {
			return Result{}, nil, fmt.Errorf("read assessment %s: %w", id, err)
		}
		qid, qv := "", ""
		if cur != nil {
			qid, qv = cur.Meta.Questionnaire, cur.Meta.QuestionnaireVersion
		}
		for _, l := range lines {
			if l.Type == survey.LineAssessment && l.Assessment == id && cur == nil {
				qid, qv = l.Questionnaire, l.QuestionnaireVersion
			}
		}
		if qid != "" {
			if q, err = cat.Get(qid, qv); err != nil {
				line := 0
				if len(lines) > 0 {
					line = lines[0].Line
				}
				problems = append(problems, survey.LineError{Line: line, FieldError: survey.FieldError{Field: "questionnaire", Msg: err.Error()}})
			}
		}
	}
	if q != nil {
		problems = append(problems, survey.CheckImport(q, cur, id, lines)...)
		problems = append(problems, plainSectionProblems(q, lines)...)
	} else if len(problems) == 0 && len(lines) > 0 {
		problems = append(problems, survey.LineError{Line: lines[0].Line, FieldError: survey.FieldError{Field: "assessment",
			Msg: fmt.Sprintf("no assessment %q is stored here and the file has no assessment line to create it: create it with 'fieldsurvey assessment new' or import a file written by 'fieldsurvey assessment export'", id)}})
	}
	res := Result{ID: id, Created: cur == nil}
	if len(problems) > 0 {
		sort.SliceStable(problems, func(i, j int) bool { return problems[i].Line < problems[j].Line })
		return res, problems, nil
	}
	changes := survey.AssessmentChanges(cur, survey.Plain(lines))
	if cur == nil && len(changes) > 0 && changes[0].Target.Kind == survey.KindAssessment {
		m := changes[0].Value.(survey.AssessmentMeta)
		m.Author, m.Device = author.Principal, author.Device
		changes[0].Value = m
	}
	err := st.Update(ctx, func(tx *store.Tx) error {
		written, err := tx.Put(author, changes...)
		res.Written = len(written)
		return err
	})
	if err != nil {
		return Result{}, nil, err
	}
	return res, nil, nil
}

// plainSectionProblems are the section lines that rate, or remark on, a section with
// overall: false (a plain survey section): it has no overall rating for the team to settle,
// only its questions' ratings and its analysis.
func plainSectionProblems(q *survey.Questionnaire, lines []survey.NumberedLine) []survey.LineError {
	var out []survey.LineError
	for _, l := range lines {
		if l.Type != survey.LineSection {
			continue
		}
		sec, ok := q.Section(l.Section)
		if !ok || sec.HasOverall() {
			continue
		}
		for _, f := range []struct{ name, value string }{{"rating", l.Rating}, {"remarks", l.Remarks}} {
			if f.value != "" {
				out = append(out, survey.LineError{Line: l.Line, FieldError: survey.FieldError{Field: f.name,
					Msg: fmt.Sprintf("section %s has no overall rating (overall: false in %s): leave out its %s; the team rates its questions, and its analysis is kept", sec.ID, q.ID, f.name)}})
			}
		}
	}
	return out
}
