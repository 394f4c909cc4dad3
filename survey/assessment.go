package survey

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// RecordKind tells the two kinds of record a store holds apart: interviews (what assessors
// record) and assessments (what the assessment team synthesises from them). Both are made of
// revisions; an assessment is the record whose revisions include one of the assessment-only
// kinds (KindAssessment, KindText, KindAction, KindDataset).
type RecordKind string

// The kinds of record.
const (
	RecordInterview  RecordKind = "interview"
	RecordAssessment RecordKind = "assessment"
)

// ScopeNational is the scope of an assessment of the whole country; any other scope is the
// name of one province (or ministry), as interviews record it.
const ScopeNational = "national"

// AssessmentMeta is the value of the revision that creates an assessment (KindAssessment).
type AssessmentMeta struct {
	Questionnaire        string `json:"questionnaire"`
	QuestionnaireVersion string `json:"questionnaire_version"`
	// Scope is ScopeNational or a province.
	Scope string   `json:"scope"`
	Title string   `json:"title"`
	Team  []string `json:"team,omitempty"`
	// Author is the principal who created the assessment, Device the device it was made on.
	Author string `json:"author,omitempty"`
	Device string `json:"device,omitempty"`
}

// National reports whether the assessment covers the whole country.
func (m AssessmentMeta) National() bool { return m.Scope == ScopeNational }

// TextValue is the value of a KindText revision: one long text of an assessment. An empty
// text clears it.
type TextValue struct {
	Text string `json:"text"`
}

// The keys of an assessment's long texts (KindText). A section's analysis is keyed
// AnalysisKey(section id).
const (
	TextIntroduction = "introduction"
	TextSummary      = "summary"
	TextConclusions  = "conclusions"
	TextDisclaimer   = "disclaimer"
	analysisPrefix   = "analysis:"
)

// TextKeys are the keys of the texts that are not a section's analysis, in report order.
var TextKeys = []string{TextIntroduction, TextSummary, TextConclusions, TextDisclaimer}

// AnalysisKey is the KindText key of section id's analysis.
func AnalysisKey(section string) string { return analysisPrefix + section }

// AnalysisSection returns the section id of an analysis key.
func AnalysisSection(key string) (string, bool) {
	s, ok := strings.CutPrefix(key, analysisPrefix)
	return s, ok && s != ""
}

// DefaultDisclaimer is the legal disclaimer a report carries until the team writes its own.
var DefaultDisclaimer = T(
	"This assessment was prepared by the assessment team from interviews and documents. The ratings are the team's professional judgement against the method's criteria, not computed scores, and do not necessarily represent the views of the government or of the institutions interviewed. Interview responses are confidential and are not attributed to individuals.",
	"Báo cáo đánh giá này do nhóm đánh giá lập dựa trên các cuộc phỏng vấn và tài liệu. Các mức đánh giá là nhận định chuyên môn của nhóm theo tiêu chí của phương pháp, không phải điểm số tính toán, và không nhất thiết thể hiện quan điểm của chính phủ hay của các cơ quan được phỏng vấn. Các câu trả lời phỏng vấn được bảo mật và không gắn với cá nhân nào.")

// ActionItem is one action of an assessment's action plan (KindAction, keyed by its id).
// A value with nothing in it deletes the action.
type ActionItem struct {
	// Sections are the ids of the sections whose analysis the action follows from.
	Sections []string `json:"sections,omitempty"`
	Action   string   `json:"action,omitempty"`
	// Lead is the responsible (lead) agency.
	Lead string `json:"lead,omitempty"`
	// Phase is the timeframe or phase ("0–6 months", "Phase 1").
	Phase   string `json:"phase,omitempty"`
	Measure string `json:"measure,omitempty"`
	// DependsOn are the ids of actions this one depends on.
	DependsOn []string `json:"depends_on,omitempty"`
	// Order places the action in its list (ascending, then by id).
	Order int `json:"order,omitempty"`
}

// IsEmpty reports whether a holds nothing (a deleted action).
func (a ActionItem) IsEmpty() bool {
	return len(a.Sections) == 0 && a.Action == "" && a.Lead == "" && a.Phase == "" && a.Measure == "" &&
		len(a.DependsOn) == 0 && a.Order == 0
}

// Normalized returns a with its text in NFC and trimmed.
func (a ActionItem) Normalized() ActionItem {
	f := func(s string) string { return strings.TrimSpace(NFC(s)) }
	a.Action, a.Lead, a.Phase, a.Measure = f(a.Action), f(a.Lead), f(a.Phase), f(a.Measure)
	a.Sections, a.DependsOn = slices.Clone(a.Sections), slices.Clone(a.DependsOn)
	return a
}

// DatasetRow is one row of the key datasets table (KindDataset, keyed by its id). A value
// with nothing in it deletes the row.
type DatasetRow struct {
	Agency string `json:"agency,omitempty"`
	Source string `json:"source,omitempty"`
	// KeyForPublic: the dataset is key for the public; KeyToService: key to service delivery.
	KeyForPublic bool `json:"key_for_public,omitempty"`
	KeyToService bool `json:"key_to_service,omitempty"`
	// Openness is the openness status: 0 for N/A, 1 to 5 stars.
	Openness int    `json:"openness,omitempty"`
	Remarks  string `json:"remarks,omitempty"`
	Order    int    `json:"order,omitempty"`
}

// IsEmpty reports whether d holds nothing (a deleted row).
func (d DatasetRow) IsEmpty() bool { return d == DatasetRow{} }

// Normalized returns d with its text in NFC and trimmed.
func (d DatasetRow) Normalized() DatasetRow {
	f := func(s string) string { return strings.TrimSpace(NFC(s)) }
	d.Agency, d.Source, d.Remarks = f(d.Agency), f(d.Source), f(d.Remarks)
	return d
}

// MaxOpenness is the highest openness status (five stars).
const MaxOpenness = 5

// OpennessText writes an openness status as N/A or stars (★★★☆☆).
func OpennessText(n int) string {
	if n <= 0 || n > MaxOpenness {
		return "N/A"
	}
	return strings.Repeat("★", n) + strings.Repeat("☆", MaxOpenness-n)
}

// AssessmentParts is what only an assessment holds, folded from its revisions: an
// InterviewState whose Assess is not nil is an assessment. Its team ratings and remarks
// are the state's Answers (Rating and Comment), its sections' overall ratings and remarks
// the state's Sections.
type AssessmentParts struct {
	Meta     AssessmentMeta
	Texts    map[string]string
	Actions  map[string]ActionItem
	Datasets map[string]DatasetRow
}

func (s *InterviewState) assess() *AssessmentParts {
	if s.Assess == nil {
		s.Assess = &AssessmentParts{Texts: map[string]string{}, Actions: map[string]ActionItem{}, Datasets: map[string]DatasetRow{}}
	}
	return s.Assess
}

// RecordKind returns which kind of record s is.
func (s *InterviewState) RecordKind() RecordKind {
	if s.Assess != nil {
		return RecordAssessment
	}
	return RecordInterview
}

// IsAssessmentKind reports whether k is a kind only assessments have.
func (k Kind) IsAssessmentKind() bool {
	switch k {
	case KindAssessment, KindText, KindAction, KindDataset:
		return true
	}
	return false
}

// Keyed reports whether a target of kind k needs a key.
func (k Kind) Keyed() bool {
	switch k {
	case KindAnswer, KindSection, KindRow, KindText, KindAction, KindDataset:
		return true
	}
	return false
}

// Assessment is an assessment as commands and reports read it, from its folded state.
type Assessment struct {
	ID               string
	Meta             AssessmentMeta
	Created, Updated time.Time
	// Ratings are the team's rating (Rating) and remarks (Comment) per question id.
	Ratings Answers
	// Sections are the overall rating and remarks per section id.
	Sections map[string]SectionSummary
	Texts    map[string]string
	// Actions and Datasets are in list order (Order, then id).
	Actions   []Action
	Datasets  []Dataset
	Conflicts []Conflict
	// Heads are the heads of every target: what a new revision replaces.
	Heads map[Target][]string
}

// Action is an action plan item with its id.
type Action struct {
	ID string `json:"id"`
	ActionItem
}

// Dataset is a key-dataset row with its id.
type Dataset struct {
	ID string `json:"id"`
	DatasetRow
}

// Text returns text key, with the default disclaimer when the team has written none.
func (a *Assessment) Text(key string) Text {
	if t := a.Texts[key]; t != "" {
		return T(t, t)
	}
	if key == TextDisclaimer {
		return DefaultDisclaimer
	}
	return Text{}
}

// Assessment returns the assessment s holds; ok is false when s is an interview.
func (s *InterviewState) Assessment() (a *Assessment, ok bool) {
	if s.Assess == nil {
		return nil, false
	}
	p := s.Assess
	a = &Assessment{ID: s.ID, Meta: p.Meta, Created: s.Created, Updated: s.Updated,
		Ratings: s.Answers, Sections: s.Sections, Texts: p.Texts, Conflicts: s.Conflicts, Heads: s.Heads}
	for id, it := range p.Actions {
		a.Actions = append(a.Actions, Action{ID: id, ActionItem: it})
	}
	slices.SortFunc(a.Actions, func(x, y Action) int { return cmpOrder(x.Order, y.Order, x.ID, y.ID) })
	for id, d := range p.Datasets {
		a.Datasets = append(a.Datasets, Dataset{ID: id, DatasetRow: d})
	}
	slices.SortFunc(a.Datasets, func(x, y Dataset) int { return cmpOrder(x.Order, y.Order, x.ID, y.ID) })
	return a, true
}

func cmpOrder(a, b int, ida, idb string) int {
	if a != b {
		return a - b
	}
	return strings.Compare(ida, idb)
}

// CheckAssessmentScope checks a scope: "national" or a province name.
func CheckAssessmentScope(scope string) error {
	if strings.TrimSpace(scope) == "" {
		return fmt.Errorf("empty scope: give %q or the name of a province", ScopeNational)
	}
	return nil
}

// InScope reports whether an interview with this province belongs to an assessment of scope:
// every interview for a national assessment, the province's (compared as SameProvince
// compares names: "Ha Noi" is "Hà Nội", "Thừa Thiên Huế" is "Huế") otherwise.
func InScope(scope, province string) bool {
	return scope == ScopeNational || SameProvince(scope, province)
}
