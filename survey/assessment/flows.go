package assessment

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/report"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
)

// Error is a step of New, Export or Report that failed: what was being done, in every
// language, and why.
type Error = survey.StepError

func stepError(err error, en, vi string, args ...any) error {
	return survey.StepErr(err, en, vi, args...)
}

// NoQuestionnaireError is Export's and Report's error when an assessment's questionnaire
// version is not installed: Err is the catalogue's. Its Text says which assessment and what
// was being done, and HintText what to do.
type NoQuestionnaireError struct {
	Assessment string
	Err        error
	export     bool
}

func (e *NoQuestionnaireError) Error() string { return e.Text().Get(survey.LangEN) }

// Unwrap returns the catalogue's error.
func (e *NoQuestionnaireError) Unwrap() error { return e.Err }

// Text returns "[export] assessment ID: the catalogue's error" in every language.
func (e *NoQuestionnaireError) Text() survey.Text {
	what := survey.T("assessment "+e.Assessment, "bản đánh giá "+e.Assessment)
	if e.export {
		what = survey.T("export assessment "+e.Assessment, "xuất bản đánh giá "+e.Assessment)
	}
	return (&survey.UserError{Msg: what, Err: e.Err}).Text()
}

// HintText says to add the questionnaire.
func (e *NoQuestionnaireError) HintText() survey.Text {
	return survey.T("add the questionnaire with 'fieldsurvey questionnaire add FILE'", "thêm bảng hỏi bằng 'fieldsurvey questionnaire add TỆP'")
}

// ErrIncomplete is Report's error when the store holds parts of an assessment but not the
// change that creates it (it has not arrived yet); test with errors.Is.
var ErrIncomplete = errors.New("assessment incomplete: the change that creates it has not arrived yet")

// IncompleteError is Report's error for assessment ID, held without the change that
// creates it; it matches ErrIncomplete.
type IncompleteError struct {
	ID string
}

func (e *IncompleteError) Error() string { return e.Text().Get(survey.LangEN) }

// Is reports whether target is ErrIncomplete.
func (e *IncompleteError) Is(target error) bool { return target == ErrIncomplete }

// Text returns the message in every language.
func (e *IncompleteError) Text() survey.Text {
	return survey.T(fmt.Sprintf("assessment %s is incomplete here: the change that creates it has not arrived yet", e.ID),
		fmt.Sprintf("bản đánh giá %s chưa đầy đủ ở đây: thay đổi tạo ra nó chưa được nhận", e.ID))
}

// NewOptions is what 'assessment new' creates: the team's assessment of a questionnaire
// for a scope (survey.ScopeNational, any case, or a province), with a title and a team.
type NewOptions struct {
	Scope string
	Title string
	Team  []string
}

// Created is the assessment New wrote.
type Created struct {
	ID   string
	Meta survey.AssessmentMeta
	// InScope counts the interviews of the questionnaire the store holds in the scope
	// (none is allowed: the team may rate from documents).
	InScope int
}

// New creates an assessment of q (a version of the catalogue) by author with id newID(),
// its scope, title and team trimmed and in NFC ("national" in any case is
// survey.ScopeNational; empty team members are dropped), and counts the interviews of q in
// its scope.
func New(ctx context.Context, st *store.Store, author store.Author, q *survey.Questionnaire, o NewOptions, newID func() (string, error)) (Created, error) {
	scope := strings.TrimSpace(survey.NFC(o.Scope))
	if strings.EqualFold(scope, survey.ScopeNational) {
		scope = survey.ScopeNational
	}
	sums, err := st.List(ctx, store.ListOptions{Questionnaire: q.ID})
	if err != nil {
		return Created{}, stepError(err, "list interviews", "liệt kê phỏng vấn")
	}
	inScope := 0
	for _, s := range sums {
		if survey.InScope(scope, s.Province) {
			inScope++
		}
	}
	id, err := newID()
	if err != nil {
		return Created{}, stepError(err, "new assessment id", "tạo mã bản đánh giá")
	}
	team := make([]string, 0, len(o.Team))
	for _, m := range o.Team {
		if m = strings.TrimSpace(survey.NFC(m)); m != "" {
			team = append(team, m)
		}
	}
	meta := survey.AssessmentMeta{Questionnaire: q.ID, QuestionnaireVersion: q.Version, Scope: scope,
		Title: strings.TrimSpace(survey.NFC(o.Title)), Team: team, Author: author.Principal, Device: author.Device}
	if _, err := st.Put(ctx, author, survey.NewAssessment(id, meta)); err != nil {
		return Created{}, stepError(err, "create assessment", "tạo bản đánh giá")
	}
	return Created{ID: id, Meta: meta, InScope: inScope}, nil
}

// Exported is what Export wrote.
type Exported struct {
	// Data are the JSON Lines of every assessment, in the order of IDs.
	Data []byte
	// IDs are the assessments exported, sorted, each once.
	IDs []string
	// Conflicts counts, by assessment, its parts with competing versions (the export
	// holds the newest of each); assessments without any are left out.
	Conflicts map[string]int
}

// Export writes the assessments refs name (ids or their beginnings, see Resolve; every
// assessment of st when refs is empty) as JSON Lines (survey.Assessment.Lines): the same
// assessments always give the same bytes. An assessment whose questionnaire cat does not
// hold is a *NoQuestionnaireError.
func Export(ctx context.Context, st store.Reader, cat Catalog, refs []string) (Exported, error) {
	var ids []string
	for _, ref := range refs {
		id, err := Resolve(ctx, st, ref)
		if err != nil {
			return Exported{}, err
		}
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		sums, err := st.List(ctx, store.ListOptions{Record: survey.RecordAssessment})
		if err != nil {
			return Exported{}, stepError(err, "list assessments", "liệt kê bản đánh giá")
		}
		for _, s := range sums {
			ids = append(ids, s.ID)
		}
	}
	slices.Sort(ids)
	out := Exported{IDs: slices.Compact(ids), Conflicts: map[string]int{}}
	var buf bytes.Buffer
	for _, id := range out.IDs {
		a, err := Read(ctx, st, id)
		if err != nil {
			return Exported{}, stepError(err, "read assessment %s", "đọc bản đánh giá %s", id)
		}
		q, err := cat.Get(a.Meta.Questionnaire, a.Meta.QuestionnaireVersion)
		if err != nil {
			return Exported{}, &NoQuestionnaireError{Assessment: id, Err: err, export: true}
		}
		if n := len(a.Conflicts); n > 0 {
			out.Conflicts[id] = n
		}
		for _, l := range a.Lines(q) {
			b, err := l.MarshalLine()
			if err != nil {
				return Exported{}, err
			}
			buf.Write(b)
		}
	}
	out.Data = buf.Bytes()
	return out, nil
}

// Reported is what Report built.
type Reported struct {
	// ID is the assessment ref named.
	ID     string
	Report *report.AssessmentReport
	// Conflicts counts the assessment's parts with competing versions (the report shows
	// the newest of each, marked).
	Conflicts int
}

// Report reads the assessment ref names (its id or the beginning of it, see Resolve) and
// the interviews of its questionnaire in st, and builds its report with o. An assessment
// whose creation has not arrived is an *IncompleteError (ErrIncomplete); one whose
// questionnaire cat does not hold a *NoQuestionnaireError. Conflicts is set once the
// questionnaire and interviews are read, also when building the report then fails.
func Report(ctx context.Context, st store.ReadStore, cat Catalog, ref string, o report.AssessmentOptions) (Reported, error) {
	id, err := Resolve(ctx, st, ref)
	if err != nil {
		return Reported{}, err
	}
	out := Reported{ID: id}
	a, err := Read(ctx, st, id)
	if err != nil {
		return out, stepError(err, "read assessment %s", "đọc bản đánh giá %s", id)
	}
	if a.Meta.Questionnaire == "" {
		return out, &IncompleteError{ID: id}
	}
	q, err := cat.Get(a.Meta.Questionnaire, a.Meta.QuestionnaireVersion)
	if err != nil {
		return out, &NoQuestionnaireError{Assessment: id, Err: err}
	}
	states, err := st.InterviewsOf(ctx, q.ID)
	if err != nil {
		return out, stepError(err, "read the interviews of %s", "đọc các phỏng vấn của %s", q.ID)
	}
	out.Conflicts = len(a.Conflicts)
	out.Report, err = report.BuildAssessment(q, a, states, o)
	return out, err
}
