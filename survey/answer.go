package survey

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Polarity says whether an evidence item favours readiness (+), is an obstacle (-), or is
// neutral or ambiguous (0).
type Polarity string

// The three polarities of evidence.
const (
	Plus    Polarity = "+"
	Minus   Polarity = "-"
	Neutral Polarity = "0"
)

// ParsePolarity accepts "+", "-", "0" and the Unicode minus sign, and "o" for neutral or
// mixed evidence as the ODRA method writes it.
func ParsePolarity(s string) (Polarity, error) {
	switch strings.TrimSpace(s) {
	case "+":
		return Plus, nil
	case "-", "−", "–":
		return Minus, nil
	case "0", "", "o", "O":
		return Neutral, nil
	}
	return "", fmt.Errorf("unknown polarity %q (expected +, -, 0 or o)", s)
}

// Evidence is one bullet of evidence for or against readiness.
type Evidence struct {
	Polarity Polarity `json:"polarity"`
	Text     string   `json:"text"`
	Source   string   `json:"source,omitempty"`
	// InScope is false for evidence that exists but does not formally count, such as a law
	// passed but not yet in force; Note says why.
	InScope bool   `json:"in_scope"`
	Note    string `json:"note,omitempty"`
}

// UnmarshalJSON decodes an evidence item; a missing in_scope means in scope.
func (e *Evidence) UnmarshalJSON(b []byte) error {
	type plain Evidence
	p := plain{InScope: true}
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*e = Evidence(p)
	return nil
}

// Answer is the answer to one question. A rating question uses Rating, Evidence, Comment and
// Probes; every other type uses Value (a string, a float64, a bool, or a []string for
// multiple choice) and may carry a Comment.
type Answer struct {
	Rating   Code       `json:"rating,omitempty"`
	Value    any        `json:"value,omitempty"`
	Comment  string     `json:"comment,omitempty"`
	Probes   []string   `json:"probes,omitempty"`
	Evidence []Evidence `json:"evidence,omitempty"`
}

// IsEmpty reports whether a holds nothing at all (a cleared answer).
func (a Answer) IsEmpty() bool {
	return a.Rating == "" && a.Value == nil && a.Comment == "" && len(a.Probes) == 0 && len(a.Evidence) == 0
}

// HasValue reports whether a answers its question (a rating or a value), as opposed to
// holding only a comment or evidence so far.
func (a Answer) HasValue() bool {
	if a.Rating != "" {
		return true
	}
	switch v := a.Value.(type) {
	case nil:
		return false
	case string:
		return v != ""
	case []string:
		return len(v) > 0
	case *Roster:
		return v.Len() > 0
	}
	return true
}

// Normalized returns a copy of a with every string in NFC and Value in its canonical Go type
// (JSON numbers as float64, lists as []string).
func (a Answer) Normalized() Answer {
	out := a
	out.Comment = NFC(a.Comment)
	out.Value = normalizeValue(a.Value)
	if len(a.Probes) > 0 {
		out.Probes = append([]string(nil), a.Probes...)
	}
	if len(a.Evidence) > 0 {
		out.Evidence = make([]Evidence, len(a.Evidence))
		for i, e := range a.Evidence {
			e.Text = NFC(e.Text)
			e.Source = NFC(e.Source)
			e.Note = NFC(e.Note)
			if p, err := ParsePolarity(string(e.Polarity)); err == nil {
				e.Polarity = p // "", "o" and the Unicode minus are stored as the codes 0 and -
			}
			out.Evidence[i] = e
		}
	}
	return out
}

func normalizeValue(v any) any {
	switch x := v.(type) {
	case string:
		return NFC(x)
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			out = append(out, NFC(fmt.Sprint(e)))
		}
		return out
	case []string:
		out := make([]string, len(x))
		for i, e := range x {
			out[i] = NFC(e)
		}
		return out
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return x.String()
		}
		return f
	}
	return v
}

// UnmarshalJSON decodes an answer and normalises its value.
func (a *Answer) UnmarshalJSON(b []byte) error {
	d, err := decodeAnswer(b)
	if err != nil {
		return err
	}
	*a = d
	return nil
}

// answerJSON and evidenceJSON are Answer and Evidence as JSON holds them, decoded in one
// pass: a type with its own UnmarshalJSON inside another makes encoding/json skip over and
// validate its bytes once more, which cost a fifth of the time of reading an interview.
type answerJSON struct {
	Rating   Code           `json:"rating"`
	Value    any            `json:"value"`
	Comment  string         `json:"comment"`
	Probes   []string       `json:"probes"`
	Evidence []evidenceJSON `json:"evidence"`
}

type evidenceJSON struct {
	Polarity Polarity `json:"polarity"`
	Text     string   `json:"text"`
	Source   string   `json:"source"`
	InScope  *bool    `json:"in_scope"` // missing or null: in scope
	Note     string   `json:"note"`
}

// decodeAnswer decodes and normalises an answer, as UnmarshalJSON does.
func decodeAnswer(b []byte) (Answer, error) {
	var w answerJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return Answer{}, err
	}
	a := Answer{Rating: w.Rating, Value: w.Value, Comment: w.Comment, Probes: w.Probes}
	if len(w.Evidence) > 0 {
		a.Evidence = make([]Evidence, len(w.Evidence))
		for i, e := range w.Evidence {
			a.Evidence[i] = Evidence{Polarity: e.Polarity, Text: e.Text, Source: e.Source, InScope: e.InScope == nil || *e.InScope, Note: e.Note}
		}
	}
	return a.Normalized(), nil
}

// SectionSummary is the overall rating of a section as the assessor confirmed or overrode it.
type SectionSummary struct {
	Rating  Code   `json:"rating,omitempty"`
	Comment string `json:"comment,omitempty"`
}

// Respondent is the block every interview starts with.
type Respondent struct {
	Agency   string `json:"agency"`
	Province string `json:"province"` // province or ministry
	Role     string `json:"role"`
	Category string `json:"category"` // a stakeholder category code
	Date     string `json:"date"`     // YYYY-MM-DD
	Place    string `json:"place"`
	Consent  bool   `json:"consent"`
}

// Normalized returns r with every string in NFC and trimmed.
func (r Respondent) Normalized() Respondent {
	f := func(s string) string { return strings.TrimSpace(NFC(s)) }
	return Respondent{Agency: f(r.Agency), Province: f(r.Province), Role: f(r.Role),
		Category: f(r.Category), Date: f(r.Date), Place: f(r.Place), Consent: r.Consent}
}

// Status is where an interview stands in its life.
type Status string

// The statuses of an interview: draft → completed → submitted → approved, or returned with a
// reason and then completed again (resubmitted); an approved interview can be reopened by a
// supervisor (with a reason), which the assessor edits and completes again (resubmitted).
const (
	StatusDraft     Status = "draft"
	StatusCompleted Status = "completed"
	StatusSubmitted Status = "submitted"
	StatusApproved  Status = "approved"
	StatusReturned  Status = "returned"
	StatusReopened  Status = "reopened"
	// StatusResubmitted is an interview completed again after a supervisor returned or
	// reopened it: it waits for a decision like a completed one, and the supervisor sees
	// that it has been back.
	StatusResubmitted Status = "resubmitted"
)

// Statuses lists every status in life order.
var Statuses = []Status{StatusDraft, StatusCompleted, StatusSubmitted, StatusApproved, StatusReturned, StatusReopened,
	StatusResubmitted}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	for _, x := range Statuses {
		if s == x {
			return true
		}
	}
	return false
}

// Label returns the human label of s.
func (s Status) Label() Text {
	switch s {
	case StatusDraft:
		return T("draft", "nháp")
	case StatusCompleted:
		return T("completed", "đã hoàn thành")
	case StatusSubmitted:
		return T("submitted", "đã gửi")
	case StatusApproved:
		return T("approved", "đã duyệt")
	case StatusReturned:
		return T("returned", "bị trả lại")
	case StatusReopened:
		return T("reopened", "được mở lại")
	case StatusResubmitted:
		return T("resubmitted", "đã nộp lại")
	}
	return T(string(s), string(s))
}

// AwaitsDecision reports whether an interview in status s waits for a supervisor's
// decision: completed, submitted (reached the server) or resubmitted (completed again
// after a return or a reopening).
func (s Status) AwaitsDecision() bool {
	return s == StatusCompleted || s == StatusSubmitted || s == StatusResubmitted
}

// StatusChange is the value of a status revision.
type StatusChange struct {
	Status Status `json:"status"`
	Reason string `json:"reason,omitempty"` // why it was returned, or a supervisor's note
}

// AssessorOr returns the assessor's name, or author (the principal that created the
// interview) when no name was set: an interview is never left unattributed.
func (m InterviewMeta) AssessorOr(author string) string {
	if m.Assessor != "" {
		return m.Assessor
	}
	return author
}

// InterviewMeta is the value of the revision that creates an interview.
type InterviewMeta struct {
	Questionnaire        string `json:"questionnaire"`
	QuestionnaireVersion string `json:"questionnaire_version"`
	Assessor             string `json:"assessor,omitempty"`
	Device               string `json:"device,omitempty"`
	// Assignee, Due and Note are set on a planned interview: one a supervisor created for
	// an assessor (the principal Assignee) to carry out by Due (YYYY-MM-DD, optional), with
	// a Note for them (optional). It is an ordinary draft: the assessor's first change
	// makes it theirs.
	Assignee string `json:"assignee,omitempty"`
	Due      string `json:"due,omitempty"`
	Note     string `json:"note,omitempty"`
}

// Assigned reports whether m is the creation of a planned interview (see Assignee).
func (m InterviewMeta) Assigned() bool { return m.Assignee != "" }
