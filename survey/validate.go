package survey

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Problem is one thing wrong with a questionnaire: where (a path into the file, such as
// "sections[2].questions[0].relevant", that loaders turn into a line number) and what.
type Problem struct {
	Path string
	Msg  string
	// Line is filled in by loaders that know the file's positions; 0 when unknown.
	Line int
}

// ValidationError lists every problem found in a questionnaire.
type ValidationError struct {
	File     string
	Problems []Problem
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteString("\n")
		}
		if e.File != "" {
			b.WriteString(e.File)
			if p.Line > 0 {
				fmt.Fprintf(&b, ":%d", p.Line)
			}
			b.WriteString(": ")
		} else if p.Line > 0 {
			fmt.Fprintf(&b, "line %d: ", p.Line)
		}
		b.WriteString(p.Msg)
		if p.Path != "" {
			fmt.Fprintf(&b, " (at %s)", p.Path)
		}
	}
	return b.String()
}

var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// Validate checks q completely: format, ids, duplicates, translations, scales, options and
// every expression, including the questions the expressions reference. It compiles the
// expressions for Relevant and Check. It returns a *ValidationError listing every problem.
func (q *Questionnaire) Validate() error {
	v := &validator{q: q}
	v.run()
	if len(v.problems) > 0 {
		return &ValidationError{Problems: v.problems}
	}
	return nil
}

type validator struct {
	q        *Questionnaire
	problems []Problem
}

func (v *validator) add(path, format string, args ...any) {
	v.problems = append(v.problems, Problem{Path: path, Msg: fmt.Sprintf(format, args...)})
}

func (v *validator) text(path string, t Text, required bool) {
	if t.Empty() {
		if required {
			v.add(path, "missing text")
		}
		return
	}
	for _, l := range v.q.Languages {
		if strings.TrimSpace(t[l]) == "" {
			v.add(path, "missing translation %q", l)
		}
	}
}

func (v *validator) run() {
	q := v.q
	if q.Format != QuestionnaireFormat {
		v.add("format", "format must be %q, got %q", QuestionnaireFormat, q.Format)
	}
	if !idPattern.MatchString(q.ID) {
		v.add("id", "questionnaire id %q must be letters, digits, '.', '_' or '-'", q.ID)
	}
	if strings.TrimSpace(q.Version) == "" {
		v.add("version", "missing version")
	}
	if len(q.Languages) == 0 {
		v.add("languages", "no languages listed (expected at least [vi, en])")
	}
	v.text("title", q.Title, true)
	v.text("description", q.Description, false)

	scaleIDs := map[string]bool{}
	for i, s := range q.Scales {
		path := fmt.Sprintf("scales[%d]", i)
		if s.ID == "" {
			v.add(path+".id", "scale without id")
		} else if scaleIDs[s.ID] {
			v.add(path+".id", "duplicate scale id %q", s.ID)
		}
		scaleIDs[s.ID] = true
		v.scale(path, s)
	}
	if q.Respondent != nil {
		v.options("respondent.categories", q.Respondent.Categories)
	}
	if _, ok := q.ScaleByID(q.Scale); !ok {
		v.add("scale", "unknown scale %q", q.Scale)
	}
	switch q.EvidenceNeutral {
	case "", "0", "o":
	default:
		v.add("evidence_neutral", "neutral evidence is marked %q: expected 0 or o", q.EvidenceNeutral)
	}

	q.Index()
	q.relevant = map[string]*Expr{}
	q.constraint = map[string]*Expr{}
	q.rowConstraint = map[string]*Expr{}
	secIDs := map[string]bool{}
	qIDs := map[string]string{}
	if len(q.Sections) == 0 {
		v.add("sections", "no sections")
	}
	for i, s := range q.Sections {
		path := fmt.Sprintf("sections[%d]", i)
		switch {
		case !idPattern.MatchString(s.ID):
			v.add(path+".id", "section id %q must be letters, digits, '.', '_' or '-'", s.ID)
		case secIDs[s.ID]:
			v.add(path+".id", "duplicate section id %q", s.ID)
		}
		secIDs[s.ID] = true
		v.text(path+".title", s.Title, true)
		v.text(path+".context", s.Context, false)
		if !s.Importance.Valid() {
			v.add(path+".importance", "unknown importance %q (expected very-high, high, medium-high or medium)", s.Importance)
		}
		if !s.HasOverall() && len(s.Rubric) > 0 {
			v.add(path+".overall", "section %q has a rubric but overall: false (no overall rating to apply it to): remove the rubric or the overall: false", s.ID)
		}
		if _, ok := q.ScaleByID(s.Scale); s.Scale != "" && !ok {
			v.add(path+".scale", "unknown scale %q", s.Scale)
		} else {
			sc := q.SectionScale(s)
			for code, t := range s.Rubric {
				if _, ok := sc.Step(code); !ok {
					v.add(path+".rubric."+string(code), "rubric names %q, which is not a step of scale %q", code, sc.ID)
				}
				v.text(path+".rubric."+string(code), t, true)
			}
		}
		if len(s.Questions) == 0 {
			v.add(path+".questions", "section %q has no questions", s.ID)
		}
		for j, qu := range s.Questions {
			qpath := fmt.Sprintf("%s.questions[%d]", path, j)
			switch {
			case !idPattern.MatchString(qu.ID):
				v.add(qpath+".id", "question id %q must be letters, digits, '.', '_' or '-'", qu.ID)
			case qIDs[qu.ID] != "":
				v.add(qpath+".id", "duplicate question id %q (first at %s)", qu.ID, qIDs[qu.ID])
			default:
				qIDs[qu.ID] = qpath
			}
			v.question(qpath, qu)
		}
	}
	// References are checked once every id is known.
	for i, s := range q.Sections {
		for j, qu := range s.Questions {
			qpath := fmt.Sprintf("sections[%d].questions[%d]", i, j)
			for _, field := range []string{"relevant", "constraint", "row_constraint"} {
				e := map[string]*Expr{"relevant": q.relevant[qu.ID], "constraint": q.constraint[qu.ID], "row_constraint": q.rowConstraint[qu.ID]}[field]
				if e == nil {
					continue
				}
				for _, ref := range e.Refs {
					if _, ok := qIDs[ref]; !ok {
						v.add(qpath+"."+field, "expression of question %q references unknown question %q", qu.ID, ref)
					} else if ref == qu.ID && field == "relevant" {
						v.add(qpath+"."+field, "relevance of question %q depends on its own answer", qu.ID)
					}
				}
				for _, ref := range e.RosterRefs {
					if r, ok := q.Question(ref); ok && r.Type != TypeRoster {
						v.add(qpath+"."+field, "expression of question %q counts the rows of %q, which is a %s question, not a roster", qu.ID, ref, r.Type)
					}
				}
				for _, cr := range e.ColumnRefs() {
					if r, ok := q.Question(cr.Roster); ok && r.Type == TypeRoster {
						if _, ok := r.Column(cr.Column); !ok {
							v.add(qpath+"."+field, "expression of question %q names column %q, which roster %q does not have", qu.ID, cr.Column, cr.Roster)
						}
					}
				}
				if len(e.Cells) > 0 && field != "row_constraint" {
					v.add(qpath+"."+field, "cell() reads the row being checked: only a roster's row_constraint may use it")
				}
				for _, col := range e.Cells {
					if _, ok := qu.Column(col); !ok && field == "row_constraint" {
						v.add(qpath+"."+field, "row constraint of roster %q reads cell %q, which is not one of its columns", qu.ID, col)
					}
				}
			}
		}
	}
	v.migration()
}

// CheckExpressions runs every relevance and constraint expression of q, which Validate
// accepted, on answers of the types each can see (the question's own, and those of the
// questions it names), and returns a *ValidationError listing those that fail when run: a
// number compared with text, the length of a number, arithmetic on a rating code. Such an
// expression compiles, but would fail at entry. `questionnaire validate` and `add` refuse
// it; a file already in a catalog is still loaded (entry then shows the error).
func (q *Questionnaire) CheckExpressions() error {
	if err := q.Validate(); err != nil {
		return err
	}
	v := &validator{q: q}
	v.evaluate()
	if len(v.problems) > 0 {
		return &ValidationError{Problems: v.problems}
	}
	return nil
}

// evaluate is CheckExpressions on a validated questionnaire.
func (v *validator) evaluate() {
	q := v.q
	for i, s := range q.Sections {
		for j, qu := range s.Questions {
			qpath := fmt.Sprintf("sections[%d].questions[%d]", i, j)
			for _, x := range []struct {
				field, what string
				e           *Expr
			}{{"relevant", "relevance", q.relevant[qu.ID]}, {"constraint", "constraint", q.constraint[qu.ID]}} {
				if x.e == nil {
					continue
				}
				if err := v.tryExpr(qu, x.e, x.field == "relevant"); err != nil {
					v.add(qpath+"."+x.field, "%s of question %q fails on a%s %s answer: %s", x.what, qu.ID,
						article(string(qu.Type)), qu.Type, oneLine(err))
				}
			}
			if e := q.rowConstraint[qu.ID]; e != nil {
				if err := v.tryRow(qu, e); err != nil {
					v.add(qpath+".row_constraint", "row constraint of roster %q fails on a row: %s", qu.ID, oneLine(err))
				}
			}
		}
	}
}

// tryExpr evaluates e for each sample answer of qu (none for relevance: a question's
// relevance never sees its own answer) with every question e names answered by each of its
// samples in turn, and returns the first error.
func (v *validator) tryExpr(qu *Question, e *Expr, relevance bool) error {
	q := v.q
	selves := v.samples(qu)
	if relevance {
		selves = []Answer{{}}
	}
	refs := Answers{}
	for _, id := range e.Refs {
		if r, ok := q.Question(id); ok {
			refs[id] = v.samples(r)[0]
		}
	}
	try := func(self Answer, all Answers) error {
		all = maps.Clone(all)
		if !relevance {
			all[qu.ID] = self
		}
		_, err := e.Eval(self, all)
		return err
	}
	for _, self := range selves {
		if err := try(self, refs); err != nil {
			return err
		}
	}
	for _, id := range e.Refs {
		r, ok := q.Question(id)
		if !ok {
			continue
		}
		for _, a := range v.samples(r)[1:] {
			all := maps.Clone(refs)
			all[id] = a
			if err := try(selves[0], all); err != nil {
				return err
			}
		}
	}
	return nil
}

// tryRow evaluates row constraint e of roster qu on a row with every cell filled and on an
// empty row, with the questions it names answered by their first sample.
func (v *validator) tryRow(qu *Question, e *Expr) error {
	all := Answers{}
	for _, id := range e.Refs {
		if r, ok := v.q.Question(id); ok {
			all[id] = v.samples(r)[0]
		}
	}
	for _, cells := range []map[string]any{sampleCells(qu), {}} {
		if _, err := e.EvalRow(qu.exprCells(cells), all); err != nil {
			return err
		}
	}
	return nil
}

// samples returns answers of qu's type that an assessor could give: each rating step with
// evidence and a comment, each option, a number within bounds, a date, yes and no, text.
func (v *validator) samples(qu *Question) []Answer {
	ev := []Evidence{{Polarity: Plus, Text: "evidence", Source: "source", InScope: true}}
	switch qu.Type {
	case TypeRating:
		var out []Answer
		for _, st := range v.q.ScaleOf(qu).Steps {
			out = append(out, Answer{Rating: st.Code, Evidence: ev, Comment: "comment"})
		}
		if len(out) > 0 {
			return out
		}
		return []Answer{{Rating: Amber, Evidence: ev, Comment: "comment"}}
	case TypeSingle:
		var out []Answer
		for _, o := range qu.Options {
			out = append(out, Answer{Value: o.Code})
		}
		if len(out) > 0 {
			return out
		}
	case TypeMultiple:
		if len(qu.Options) > 0 {
			return []Answer{{Value: []string{qu.Options[0].Code}}}
		}
	case TypeNumber:
		n := 1.0
		switch {
		case qu.Min != nil:
			n = *qu.Min
		case qu.Max != nil:
			n = *qu.Max
		}
		return []Answer{{Value: n}}
	case TypeDate:
		return []Answer{{Value: "2026-01-31"}}
	case TypeYesNo:
		return []Answer{{Value: true}, {Value: false}}
	case TypeRoster:
		empty := newRoster()
		one := newRoster()
		one.set(Row{ID: "sample", Pos: 1, Cells: sampleCells(qu)})
		return []Answer{{Value: one}, {Value: empty}}
	}
	return []Answer{{Value: "text"}}
}

// sampleCells returns a row of qu with every column filled with a value of its type.
func sampleCells(qu *Question) map[string]any {
	cells := map[string]any{}
	for _, c := range qu.Columns {
		switch c.Type {
		case ColumnChoice:
			if len(c.Options) > 0 {
				cells[c.ID] = c.Options[0].Code
			}
		case ColumnYesNo:
			cells[c.ID] = true
		case ColumnNumber:
			n := 1.0
			switch {
			case c.Min != nil:
				n = *c.Min
			case c.Max != nil:
				n = *c.Max
			}
			cells[c.ID] = n
		case ColumnStars:
			cells[c.ID] = 3.0
		case ColumnURL:
			cells[c.ID] = "https://example.org/data"
		default:
			cells[c.ID] = "text"
		}
	}
	return cells
}

func article(word string) string {
	if word != "" && strings.ContainsRune("aeiou", rune(word[0])) {
		return "n"
	}
	return ""
}

// oneLine returns the first line of the evaluator's message in err (expr adds the source
// and a caret on more lines; Eval's own prefix repeats the source).
func oneLine(err error) string {
	if inner := errors.Unwrap(err); inner != nil {
		err = inner
	}
	s, _, _ := strings.Cut(err.Error(), "\n")
	return strings.TrimSpace(s)
}

func (v *validator) scale(path string, s *Scale) {
	v.text(path+".label", s.Label, false)
	if len(s.Steps) == 0 {
		v.add(path+".steps", "scale %q has no steps", s.ID)
		return
	}
	codes := map[Code]bool{}
	stepKeys := map[string]bool{}
	last := 0
	lastPos := -1.0
	counted := 0
	for i, st := range s.Steps {
		sp := fmt.Sprintf("%s.steps[%d]", path, i)
		if st.Code == "" {
			v.add(sp+".code", "step without code")
		} else if codes[st.Code] {
			v.add(sp+".code", "duplicate step code %q in scale %q", st.Code, s.ID)
		}
		codes[st.Code] = true
		v.text(sp+".label", st.Label, true)
		if st.Key != "" {
			switch {
			case !st.Uncounted:
				v.add(sp+".key", "step %q is counted: it is set by its number, not a key", st.Code)
			case !stepKeyPattern.MatchString(st.Key) || reservedStepKeys[st.Key]:
				v.add(sp+".key", "step %q has key %q: a key is one letter not used by the interview screen (free: %s)", st.Code, st.Key, freeStepKeys)
			case stepKeys[st.Key]:
				v.add(sp+".key", "key %q is used by two steps of scale %q", st.Key, s.ID)
			}
			stepKeys[st.Key] = true
		}
		if st.Uncounted {
			if st.Position != nil {
				v.add(sp+".position", "step %q is not counted: it has no position on the common line", st.Code)
			}
			continue
		}
		counted++
		if st.Value <= last {
			v.add(sp+".value", "step %q has value %d: counted steps need increasing values from 1, worst first", st.Code, st.Value)
		}
		last = st.Value
		if p := st.Position; p != nil {
			if *p < 0 || *p > 1 || *p <= lastPos {
				v.add(sp+".position", "step %q has position %g: positions go from 0 (worst) to 1 (best), increasing", st.Code, *p)
			}
			lastPos = *p
		}
	}
	if counted < 2 {
		v.add(path+".steps", "scale %q needs at least two counted steps", s.ID)
	}
}

// stepKeyPattern and reservedStepKeys bound the keys an uncounted step may declare: one
// letter, not one of the interview screen's own keys.
var (
	stepKeyPattern   = regexp.MustCompile(`^[A-Za-z]$`)
	reservedStepKeys = map[string]bool{"q": true, "c": true, "e": true, "p": true, "u": true, "g": true, "s": true,
		"o": true, "r": true, "d": true, "n": true, "h": true, "j": true, "k": true, "a": true, "x": true, "i": true,
		"f": true, "y": true, "C": true, "R": true, "K": true, "J": true}
)

const freeStepKeys = "U, X, Y, Z, b, l, m, t, v, w, z"

func (v *validator) options(path string, opts []Option) {
	seen := map[string]bool{}
	for i, o := range opts {
		op := fmt.Sprintf("%s[%d]", path, i)
		if o.Code == "" {
			v.add(op+".code", "option without code")
		} else if seen[o.Code] {
			v.add(op+".code", "duplicate option code %q", o.Code)
		}
		seen[o.Code] = true
		v.text(op+".label", o.Label, true)
	}
}

// roster checks the columns, row bounds and row constraint of roster question qu.
func (v *validator) roster(path string, qu *Question) {
	if len(qu.Columns) == 0 {
		v.add(path+".columns", "roster %q has no columns", qu.ID)
	}
	seen := map[string]bool{}
	for i, c := range qu.Columns {
		cp := fmt.Sprintf("%s.columns[%d]", path, i)
		switch {
		case !idPattern.MatchString(c.ID):
			v.add(cp+".id", "column id %q must be letters, digits, '.', '_' or '-'", c.ID)
		case seen[c.ID]:
			v.add(cp+".id", "duplicate column id %q in roster %q", c.ID, qu.ID)
		}
		seen[c.ID] = true
		if !c.Type.Valid() {
			v.add(cp+".type", "column %q of roster %q has unknown type %q (expected one of text, choice, yesno, number, stars, url)", c.ID, qu.ID, c.Type)
		}
		v.text(cp+".label", c.Label, true)
		if c.Type == ColumnChoice {
			if len(c.Options) == 0 {
				v.add(cp+".options", "choice column %q of roster %q has no options", c.ID, qu.ID)
			}
			v.options(cp+".options", c.Options)
		} else if len(c.Options) > 0 {
			v.add(cp+".options", "only choice columns take options (column %q is %s)", c.ID, c.Type)
		}
		if (c.Min != nil || c.Max != nil) && c.Type != ColumnNumber {
			v.add(cp+".min", "only number columns take min and max (column %q is %s)", c.ID, c.Type)
		}
		if c.Min != nil && c.Max != nil && *c.Min > *c.Max {
			v.add(cp+".max", "max %v is below min %v", *c.Max, *c.Min)
		}
	}
	if qu.MinRows < 0 {
		v.add(path+".min_rows", "min_rows %d is negative", qu.MinRows)
	}
	if qu.MaxRows < 0 {
		v.add(path+".max_rows", "max_rows %d is negative (0 means no limit)", qu.MaxRows)
	}
	if qu.MaxRows > 0 && qu.MinRows > qu.MaxRows {
		v.add(path+".max_rows", "max_rows %d is below min_rows %d", qu.MaxRows, qu.MinRows)
	}
	if qu.Constraint != "" {
		v.add(path+".constraint", "a roster's rows are checked by row_constraint (with cell(\"column\")); constraint is for other questions")
	}
	v.text(path+".row_constraint_message", qu.RowConstraintMessage, false)
	if qu.RowConstraint != "" {
		e, err := CompileExpr(qu.RowConstraint)
		if err != nil {
			v.add(path+".row_constraint", "bad row constraint expression: %v", err)
		} else {
			v.q.rowConstraint[qu.ID] = e
		}
	}
}

func (v *validator) question(path string, qu *Question) {
	q := v.q
	valid := false
	for _, t := range QuestionTypes {
		if qu.Type == t {
			valid = true
		}
	}
	if !valid {
		v.add(path+".type", "question %q has unknown type %q (expected one of rating, single, multiple, text, number, date, yesno, roster)", qu.ID, qu.Type)
	}
	v.text(path+".text", qu.Text, true)
	v.text(path+".guidance", qu.Guidance, false)
	v.text(path+".constraint_message", qu.ConstraintMessage, false)
	for i, p := range qu.Probes {
		v.text(fmt.Sprintf("%s.probes[%d].text", path, i), p.Text, true)
	}
	if !qu.Importance.Valid() {
		v.add(path+".importance", "unknown importance %q (expected very-high, high, medium-high or medium)", qu.Importance)
	}
	switch qu.Type {
	case TypeRating:
		if _, ok := q.ScaleByID(qu.Scale); !ok {
			v.add(path+".scale", "question %q uses unknown scale %q", qu.ID, qu.Scale)
		}
	case TypeSingle, TypeMultiple:
		if len(qu.Options) < 2 {
			v.add(path+".options", "question %q needs at least two options", qu.ID)
		}
		v.options(path+".options", qu.Options)
	}
	if qu.Type == TypeRoster {
		v.roster(path, qu)
	} else if len(qu.Columns) > 0 || qu.MinRows != 0 || qu.MaxRows != 0 || qu.RowConstraint != "" || !qu.RowConstraintMessage.Empty() {
		v.add(path+".columns", "only roster questions take columns, min_rows, max_rows and row_constraint")
	}
	if qu.Type != TypeRating && qu.Scale != "" {
		v.add(path+".scale", "only rating questions take a scale")
	}
	if (qu.Min != nil || qu.Max != nil) && qu.Type != TypeNumber {
		v.add(path+".min", "only number questions take min and max")
	}
	if qu.Min != nil && qu.Max != nil && *qu.Min > *qu.Max {
		v.add(path+".max", "max %v is below min %v", *qu.Max, *qu.Min)
	}
	if qu.Relevant != "" {
		e, err := CompileExpr(qu.Relevant)
		if err != nil {
			v.add(path+".relevant", "bad relevance expression: %v", err)
		} else {
			q.relevant[qu.ID] = e
		}
	}
	if qu.Constraint != "" {
		e, err := CompileExpr(qu.Constraint)
		if err != nil {
			v.add(path+".constraint", "bad constraint expression: %v", err)
		} else {
			q.constraint[qu.ID] = e
		}
	}
}

// Relevant reports whether question qu is asked, given the interview's answers. A question
// without a relevance expression is always asked; an expression that fails at run time
// (for example comparing an unanswered question) counts as "asked", so nothing is hidden by
// mistake.
func (q *Questionnaire) Relevant(qu *Question, all Answers) bool {
	e := q.compiled(q.relevant, qu.ID, qu.Relevant)
	if e == nil {
		return true
	}
	ok, err := e.Eval(all[qu.ID], all)
	if err != nil {
		return true
	}
	return ok
}

func (q *Questionnaire) compiled(m map[string]*Expr, id, src string) *Expr {
	if src == "" {
		return nil
	}
	if e, ok := m[id]; ok {
		return e
	}
	e, err := CompileExpr(src)
	if err != nil {
		return nil
	}
	return e
}

// Issue is a problem with one answer: a missing required answer, a value of the wrong kind,
// or a failed constraint. Issues block completion, never navigation.
type Issue struct {
	Question string
	Kind     IssueKind
	Msg      Text
}

// IssueKind classifies an Issue.
type IssueKind string

// The kinds of Issue.
const (
	IssueMissing    IssueKind = "missing"
	IssueInvalid    IssueKind = "invalid"
	IssueConstraint IssueKind = "constraint"
)

// CheckValue checks that a holds a value of the right kind for qu: a known rating code, a
// known option, a number within bounds, a valid date. It does not evaluate the constraint.
func (q *Questionnaire) CheckValue(qu *Question, a Answer) *Issue {
	bad := func(en, vi string) *Issue {
		return &Issue{Question: qu.ID, Kind: IssueInvalid, Msg: T(en, vi)}
	}
	if qu.Type == TypeRating {
		if a.Value != nil {
			return bad("a rating question takes a rating, not a value", "câu hỏi đánh giá cần mức đánh giá, không phải giá trị")
		}
		if a.Rating != "" {
			if _, ok := q.ScaleOf(qu).Step(a.Rating); !ok {
				return bad(fmt.Sprintf("unknown rating %q", a.Rating), fmt.Sprintf("mức đánh giá %q không hợp lệ", a.Rating))
			}
		}
		for _, e := range a.Evidence {
			if _, err := ParsePolarity(string(e.Polarity)); err != nil {
				return bad(fmt.Sprintf("evidence polarity %q is not +, -, 0 or o", e.Polarity), fmt.Sprintf("chiều bằng chứng %q phải là +, -, 0 hoặc o", e.Polarity))
			}
		}
		return nil
	}
	if a.Rating != "" {
		return bad("only rating questions take a rating", "chỉ câu hỏi đánh giá mới có mức đánh giá")
	}
	if a.Value == nil {
		return nil
	}
	if _, roster := a.Value.(*Roster); roster != (qu.Type == TypeRoster) {
		if roster {
			return bad("rows answer only a roster question", "chỉ câu hỏi dạng bảng mới có các dòng")
		}
		return bad("a roster's answer is its rows, not a value", "câu trả lời của bảng là các dòng, không phải một giá trị")
	}
	switch qu.Type {
	case TypeText:
		if _, ok := a.Value.(string); !ok {
			return bad("expected text", "cần nhập văn bản")
		}
	case TypeNumber:
		f, ok := a.Value.(float64)
		if !ok || math.IsNaN(f) || math.IsInf(f, 0) {
			return bad("expected a number", "cần nhập một số")
		}
		if qu.Min != nil && f < *qu.Min {
			return bad(fmt.Sprintf("must be at least %s", fmtNum(*qu.Min)), fmt.Sprintf("phải từ %s trở lên", fmtNum(*qu.Min)))
		}
		if qu.Max != nil && f > *qu.Max {
			return bad(fmt.Sprintf("must be at most %s", fmtNum(*qu.Max)), fmt.Sprintf("không được quá %s", fmtNum(*qu.Max)))
		}
	case TypeDate:
		s, ok := a.Value.(string)
		if !ok {
			return bad("expected a date (YYYY-MM-DD)", "cần nhập ngày (YYYY-MM-DD)")
		}
		if _, err := time.Parse(time.DateOnly, s); err != nil {
			return bad(fmt.Sprintf("%q is not a date (YYYY-MM-DD)", s), fmt.Sprintf("%q không phải là ngày (YYYY-MM-DD)", s))
		}
	case TypeYesNo:
		if _, ok := a.Value.(bool); !ok {
			return bad("expected yes or no", "cần trả lời có hoặc không")
		}
	case TypeRoster:
		return q.checkRoster(qu, a, Answers{qu.ID: a})
	case TypeSingle:
		s, ok := a.Value.(string)
		if !ok || !hasOption(qu, s) {
			return bad(fmt.Sprintf("%v is not one of the options", a.Value), fmt.Sprintf("%v không thuộc các lựa chọn", a.Value))
		}
	case TypeMultiple:
		l, ok := a.Value.([]string)
		if !ok {
			return bad("expected a list of options", "cần một danh sách lựa chọn")
		}
		seen := map[string]bool{}
		for _, s := range l {
			if !hasOption(qu, s) {
				return bad(fmt.Sprintf("%q is not one of the options", s), fmt.Sprintf("%q không thuộc các lựa chọn", s))
			}
			if seen[s] {
				return bad(fmt.Sprintf("%q is chosen twice", s), fmt.Sprintf("%q được chọn hai lần", s))
			}
			seen[s] = true
		}
	}
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func fmtNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func hasOption(qu *Question, code string) bool {
	for _, o := range qu.Options {
		if o.Code == code {
			return true
		}
	}
	return false
}

// Check returns the issues of question qu's answer among all answers: nil when the
// question is not relevant, a missing issue when it is required and unanswered, an invalid
// issue for a value of the wrong kind, and a constraint issue when its constraint fails.
func (q *Questionnaire) Check(qu *Question, all Answers) []Issue {
	if !q.Relevant(qu, all) {
		return nil
	}
	a, ok := all[qu.ID]
	if !ok || !a.HasValue() {
		if qu.Required && qu.Type == TypeRoster {
			n := qu.MinRowsRequired()
			return []Issue{{Question: qu.ID, Kind: IssueMissing, Msg: T(fmt.Sprintf("at least %d %s required", n, plural(n, "row is", "rows are")),
				fmt.Sprintf("cần ít nhất %d dòng", n))}}
		}
		if qu.Required {
			return []Issue{{Question: qu.ID, Kind: IssueMissing, Msg: T("an answer is required", "cần có câu trả lời")}}
		}
		return nil
	}
	if qu.Type == TypeRoster {
		if is := q.CheckValue(qu, Answer{Rating: a.Rating}); is != nil {
			return []Issue{*is}
		}
		if r, ok := a.Value.(*Roster); ok && r.Len() < qu.MinRows {
			return []Issue{{Question: qu.ID, Kind: IssueInvalid, Msg: T(fmt.Sprintf("%d of the %d rows needed at least", r.Len(), qu.MinRows),
				fmt.Sprintf("mới có %d trong ít nhất %d dòng cần có", r.Len(), qu.MinRows))}}
		}
		if is := q.checkRoster(qu, a, all); is != nil {
			return []Issue{*is}
		}
		return nil
	}
	if is := q.CheckValue(qu, a); is != nil {
		return []Issue{*is}
	}
	e := q.compiled(q.constraint, qu.ID, qu.Constraint)
	if e == nil {
		return nil
	}
	ok, err := e.Eval(a, all)
	if err == nil && ok {
		return nil
	}
	msg := qu.ConstraintMessage
	if err != nil {
		// The rule itself failed: say so, with the expression's own error, so that the
		// assessor (and whoever wrote the questionnaire) can see why.
		cause := oneLine(err)
		en, vi := "the rule "+qu.Constraint+" could not be checked: "+cause, "không kiểm tra được quy tắc "+qu.Constraint+": "+cause
		if !msg.Empty() {
			en, vi = msg.Get(LangEN)+" ("+en+")", msg.Get(LangVI)+" ("+vi+")"
		}
		msg = T(en, vi)
	} else if msg.Empty() {
		msg = T("the answer does not meet the rule: "+qu.Constraint, "câu trả lời không đáp ứng quy tắc: "+qu.Constraint)
	}
	return []Issue{{Question: qu.ID, Kind: IssueConstraint, Msg: msg}}
}

// Issues returns the issues of every question of the interview, in questionnaire order.
func (q *Questionnaire) Issues(all Answers) []Issue {
	var out []Issue
	for _, qu := range q.Questions() {
		out = append(out, q.Check(qu, all)...)
	}
	return out
}

// Progress counts the relevant questions and how many of them are answered: a value that
// passes the question's checks (AnswerState). A value that fails them (abc in a number,
// Green without evidence) needs attention and is not counted as answered.
func (q *Questionnaire) Progress(all Answers) (answered, total int) {
	answered, _, total = q.ProgressDetail(all)
	return answered, total
}

// ProgressDetail is Progress with the count of answers that need attention.
func (q *Questionnaire) ProgressDetail(all Answers) (answered, attention, total int) {
	for _, qu := range q.Questions() {
		if !q.Relevant(qu, all) {
			continue
		}
		total++
		switch q.AnswerState(qu, all) {
		case AnswerOK:
			answered++
		case AnswerNeedsAttention:
			attention++
		}
	}
	return answered, attention, total
}

// AnswerStatus says where the answer to one question stands.
type AnswerStatus int

// The states of an answer.
const (
	// AnswerNone: no value yet (or the question is not asked).
	AnswerNone AnswerStatus = iota
	// AnswerOK: a value that passes every check of the question.
	AnswerOK
	// AnswerNeedsAttention: a value that fails a check (its kind or its constraint): kept
	// as entered, never counted as answered.
	AnswerNeedsAttention
)

// AnswerState says whether question qu is answered, unanswered, or answered with a value
// that needs attention, among all answers.
func (q *Questionnaire) AnswerState(qu *Question, all Answers) AnswerStatus {
	a, ok := all[qu.ID]
	if !ok || !a.HasValue() || !q.Relevant(qu, all) {
		return AnswerNone
	}
	for _, is := range q.Check(qu, all) {
		if is.Kind != IssueMissing {
			return AnswerNeedsAttention
		}
	}
	return AnswerOK
}
