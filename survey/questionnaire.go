package survey

import "fmt"

// QuestionType says what kind of answer a question takes.
type QuestionType string

// The question types every questionnaire may use.
const (
	TypeRating   QuestionType = "rating"   // a step of a rating scale, with evidence and a comment
	TypeSingle   QuestionType = "single"   // one option
	TypeMultiple QuestionType = "multiple" // any number of options
	TypeText     QuestionType = "text"     // free text
	TypeNumber   QuestionType = "number"   // a decimal number, optionally within min..max
	TypeDate     QuestionType = "date"     // a calendar date, YYYY-MM-DD
	TypeYesNo    QuestionType = "yesno"    // yes or no
	// TypeRoster (roster.go): a table of rows with typed columns.
)

// QuestionTypes lists the valid question types in a stable order.
var QuestionTypes = []QuestionType{TypeRating, TypeSingle, TypeMultiple, TypeText, TypeNumber, TypeDate, TypeYesNo, TypeRoster}

// Importance is the weight label a question or section carries (ODRA uses four levels).
type Importance string

// The importance levels of the ODRA methodology; the empty string means "no label".
const (
	ImportanceNone       Importance = ""
	ImportanceVeryHigh   Importance = "very-high"
	ImportanceHigh       Importance = "high"
	ImportanceMediumHigh Importance = "medium-high"
	ImportanceMedium     Importance = "medium"
)

// Weight is the weight an importance label carries in the suggested section rating:
// Very High 4, High 3, Medium High 2, Medium 1, no label 1.
func (i Importance) Weight() int {
	switch i {
	case ImportanceVeryHigh:
		return 4
	case ImportanceHigh:
		return 3
	case ImportanceMediumHigh:
		return 2
	default:
		return 1
	}
}

// Valid reports whether i is a known importance label (or none).
func (i Importance) Valid() bool {
	switch i {
	case ImportanceNone, ImportanceVeryHigh, ImportanceHigh, ImportanceMediumHigh, ImportanceMedium:
		return true
	}
	return false
}

// Label returns the human label of i.
func (i Importance) Label() Text {
	switch i {
	case ImportanceVeryHigh:
		return T("Very High", "Rất cao")
	case ImportanceHigh:
		return T("High", "Cao")
	case ImportanceMediumHigh:
		return T("Medium High", "Trung bình cao")
	case ImportanceMedium:
		return T("Medium", "Trung bình")
	}
	return Text{}
}

// QuestionnaireFormat is the value of the format field of a questionnaire file.
const QuestionnaireFormat = "fieldsurvey-questionnaire/1"

// Questionnaire is an instrument: sections (pillars, dimensions) of questions, with text in
// several languages and one or more rating scales.
type Questionnaire struct {
	Format      string   `yaml:"format" json:"format"`
	ID          string   `yaml:"id" json:"id"`
	Version     string   `yaml:"version" json:"version"`
	Title       Text     `yaml:"title" json:"title"`
	Description Text     `yaml:"description,omitempty" json:"description,omitempty"`
	Languages   []string `yaml:"languages" json:"languages"`
	Scales      []*Scale `yaml:"scales,omitempty" json:"scales,omitempty"`
	// Scale is the id of the scale of every rating (questions and sections' overall
	// ratings) that names none; empty means readiness. A section overrides it for its
	// questions and its overall rating, a question for itself.
	Scale string `yaml:"scale,omitempty" json:"scale,omitempty"`
	// EvidenceNeutral is how neutral or mixed evidence is marked: "0" (default) or the
	// method's own mark ("o" for ODRA).
	EvidenceNeutral string          `yaml:"evidence_neutral,omitempty" json:"evidence_neutral,omitempty"`
	Respondent      *RespondentSpec `yaml:"respondent,omitempty" json:"respondent,omitempty"`
	Sections        []*Section      `yaml:"sections" json:"sections"`
	// MigratesFrom declares what changed since the previous version, so that drafts made
	// on it can move to this one (see Migration); nil: no upgrade is offered.
	MigratesFrom *Migration `yaml:"migrates_from,omitempty" json:"migrates_from,omitempty"`

	byID       map[string]*Question
	secByID    map[string]*Section
	secOfQ     map[string]*Section
	relevant   map[string]*Expr
	constraint map[string]*Expr
	// rowConstraint holds the compiled row constraints of roster questions.
	rowConstraint map[string]*Expr
}

// RespondentSpec customises the respondent block every interview starts with.
type RespondentSpec struct {
	// Categories are the stakeholder categories offered; empty means DefaultCategories.
	Categories []Option `yaml:"categories,omitempty" json:"categories,omitempty"`
}

// Section is a pillar or dimension: a titled group of questions, ending in an overall rating
// unless it says overall: false.
type Section struct {
	ID    string `yaml:"id" json:"id"`
	Title Text   `yaml:"title" json:"title"`
	// AltTitles holds other wordings per language (Vietnamese documents use several).
	AltTitles  map[string][]string `yaml:"alt_titles,omitempty" json:"alt_titles,omitempty"`
	Importance Importance          `yaml:"importance,omitempty" json:"importance,omitempty"`
	Context    Text                `yaml:"context,omitempty" json:"context,omitempty"`
	// Rubric maps a rating code (green, amber, red, …) to what that rating means here.
	Rubric map[Code]Text `yaml:"rubric,omitempty" json:"rubric,omitempty"`
	// Scale is the id of the scale of the section's overall rating and of its rating
	// questions that name none; empty means the questionnaire's scale.
	Scale string `yaml:"scale,omitempty" json:"scale,omitempty"`
	// Overall false marks a plain survey section (an XLSForm group such as "Respondent")
	// that ends in no overall rating: nothing asks for one, completion does not need one
	// and reports have no Overall row for it. Absent (nil) or true: a pillar or dimension
	// rated as a whole, as the DGRA and ODRA are. See HasOverall.
	Overall   *bool       `yaml:"overall,omitempty" json:"overall,omitempty"`
	Questions []*Question `yaml:"questions" json:"questions"`
}

// HasOverall reports whether section s ends in an overall rating and comment (every
// section unless it says overall: false).
func (s *Section) HasOverall() bool { return s.Overall == nil || *s.Overall }

// Option is one choice of a single- or multiple-choice question: a stored code and a label.
type Option struct {
	Code  string `yaml:"code" json:"code"`
	Label Text   `yaml:"label" json:"label"`
}

// Probe is a follow-up prompt the assessor may tick as asked.
type Probe struct {
	ID   string `yaml:"id,omitempty" json:"id"`
	Text Text   `yaml:"text" json:"text"`
}

// Question is one question of a section.
type Question struct {
	ID         string       `yaml:"id" json:"id"`
	Type       QuestionType `yaml:"type" json:"type"`
	Text       Text         `yaml:"text" json:"text"`
	Guidance   Text         `yaml:"guidance,omitempty" json:"guidance,omitempty"`
	Probes     []Probe      `yaml:"probes,omitempty" json:"probes,omitempty"`
	Importance Importance   `yaml:"importance,omitempty" json:"importance,omitempty"`
	Required   bool         `yaml:"required,omitempty" json:"required,omitempty"`
	// Source says where the question comes from; "drafted" marks questions written for
	// fieldsurvey where the official wording was not available.
	Source string `yaml:"source,omitempty" json:"source,omitempty"`
	// Scale is the id of the rating scale of a rating question; empty means its section's.
	Scale string `yaml:"scale,omitempty" json:"scale,omitempty"`
	// Options are the choices of a single- or multiple-choice question.
	Options []Option `yaml:"options,omitempty" json:"options,omitempty"`
	// Min and Max bound a number question.
	Min *float64 `yaml:"min,omitempty" json:"min,omitempty"`
	Max *float64 `yaml:"max,omitempty" json:"max,omitempty"`
	// Relevant is a skip-logic expression: the question is asked only when it is true.
	Relevant string `yaml:"relevant,omitempty" json:"relevant,omitempty"`
	// Constraint is a validation expression the answer must satisfy, with its message.
	Constraint        string `yaml:"constraint,omitempty" json:"constraint,omitempty"`
	ConstraintMessage Text   `yaml:"constraint_message,omitempty" json:"constraint_message,omitempty"`

	// Columns are the columns of a roster question (roster.go).
	Columns []Column `yaml:"columns,omitempty" json:"columns,omitempty"`
	// MinRows and MaxRows bound the rows of a roster; MaxRows 0 means no limit. A required
	// roster needs max(1, MinRows) rows.
	MinRows int `yaml:"min_rows,omitempty" json:"min_rows,omitempty"`
	MaxRows int `yaml:"max_rows,omitempty" json:"max_rows,omitempty"`
	// RowConstraint is an expression every row of a roster must satisfy (it reads the row
	// through cell("column")), with its message.
	RowConstraint        string `yaml:"row_constraint,omitempty" json:"row_constraint,omitempty"`
	RowConstraintMessage Text   `yaml:"row_constraint_message,omitempty" json:"row_constraint_message,omitempty"`
}

// Index prepares the lookup tables of q. Loaders call it; it is safe to call again.
func (q *Questionnaire) Index() {
	q.byID = make(map[string]*Question)
	q.secByID = make(map[string]*Section)
	q.secOfQ = make(map[string]*Section)
	for _, s := range q.Sections {
		q.secByID[s.ID] = s
		for _, qu := range s.Questions {
			if _, dup := q.byID[qu.ID]; !dup {
				q.byID[qu.ID] = qu
				q.secOfQ[qu.ID] = s
			}
			for j := range qu.Probes {
				if qu.Probes[j].ID == "" {
					qu.Probes[j].ID = probeID(j)
				}
			}
		}
	}
}

func probeID(i int) string {
	if i < 26 {
		return string(rune('a' + i))
	}
	return fmt.Sprintf("p%d", i+1)
}

// Question returns the question with id.
func (q *Questionnaire) Question(id string) (*Question, bool) {
	if q.byID == nil {
		q.Index()
	}
	qu, ok := q.byID[id]
	return qu, ok
}

// Section returns the section with id.
func (q *Questionnaire) Section(id string) (*Section, bool) {
	if q.secByID == nil {
		q.Index()
	}
	s, ok := q.secByID[id]
	return s, ok
}

// SectionOf returns the section that holds question id.
func (q *Questionnaire) SectionOf(id string) (*Section, bool) {
	if q.secOfQ == nil {
		q.Index()
	}
	s, ok := q.secOfQ[id]
	return s, ok
}

// Questions returns every question in order.
func (q *Questionnaire) Questions() []*Question {
	var out []*Question
	for _, s := range q.Sections {
		out = append(out, s.Questions...)
	}
	return out
}

// ScaleByID returns the scale with id; the empty id and "readiness" give the readiness
// scale unless the questionnaire redefines it.
func (q *Questionnaire) ScaleByID(id string) (*Scale, bool) {
	if id == "" {
		id = ReadinessScaleID
	}
	for _, s := range q.Scales {
		if s.ID == id {
			return s, true
		}
	}
	if id == ReadinessScaleID {
		return readiness, true
	}
	return nil, false
}

// ScaleOf returns the rating scale of question qu: its own, else its section's, else the
// questionnaire's, else readiness.
func (q *Questionnaire) ScaleOf(qu *Question) *Scale {
	id := qu.Scale
	if id == "" {
		if s, ok := q.SectionOf(qu.ID); ok {
			return q.SectionScale(s)
		}
	}
	return q.scaleOr(id)
}

// SectionScale returns the scale of section s's overall rating (and of its questions that
// name none): its own, else the questionnaire's, else readiness.
func (q *Questionnaire) SectionScale(s *Section) *Scale { return q.scaleOr(s.Scale) }

func (q *Questionnaire) scaleOr(id string) *Scale {
	if id == "" {
		id = q.Scale
	}
	sc, ok := q.ScaleByID(id)
	if !ok {
		return readiness
	}
	return sc
}

// NeutralMark returns how neutral or mixed evidence is marked in this questionnaire ("0",
// or the method's own mark such as ODRA's "o").
func (q *Questionnaire) NeutralMark() string {
	if q.EvidenceNeutral != "" {
		return q.EvidenceNeutral
	}
	return string(Neutral)
}

// Categories returns the stakeholder categories offered in the respondent block.
func (q *Questionnaire) Categories() []Option {
	if q.Respondent != nil && len(q.Respondent.Categories) > 0 {
		return q.Respondent.Categories
	}
	return DefaultCategories
}

var readiness = ReadinessScale()

// DefaultCategories are the stakeholder categories of readiness fieldwork (ODRA User's
// Guide, Annex B).
var DefaultCategories = []Option{
	{Code: "whole-of-government", Label: T("Whole-of-government body", "Cơ quan cấp Chính phủ")},
	{Code: "data-holder", Label: T("Holder of key datasets", "Cơ quan nắm giữ dữ liệu chính")},
	{Code: "provincial-government", Label: T("Provincial government", "Chính quyền cấp tỉnh")},
	{Code: "data-user-business", Label: T("Data user: business", "Người dùng dữ liệu: doanh nghiệp")},
	{Code: "civil-society", Label: T("Civil society, media", "Tổ chức xã hội, báo chí")},
	{Code: "academia", Label: T("University, research", "Trường đại học, nghiên cứu")},
	{Code: "development-partner", Label: T("Development partner", "Đối tác phát triển")},
	{Code: "other", Label: T("Other", "Khác")},
}
