package survey

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"time"
)

// Disagree reports whether heads (the heads of one target) hold more than one distinct
// value: a conflict. Two devices that made the same change independently (say, both
// imported the same interview) agree, and that is not a conflict; the target still has
// both heads until a revision replaces them.
func Disagree(heads []Revision) bool {
	for _, h := range heads[min(1, len(heads)):] {
		if !SameValue(h.Value, heads[0].Value) {
			return true
		}
	}
	return false
}

// SameValue reports whether two revision values are the same JSON, whitespace aside.
func SameValue(a, b json.RawMessage) bool { return bytes.Equal(compact(a), compact(b)) }

func compact(v json.RawMessage) []byte {
	var b bytes.Buffer
	if err := json.Compact(&b, v); err != nil {
		return v
	}
	return b.Bytes()
}

// Conflict is a target with more than one head: two people changed the same thing
// independently. Both sides are kept; a new revision that replaces both settles it.
type Conflict struct {
	Target Target
	// Heads are the competing revisions, newest first; the first is shown as current.
	Heads []Revision
}

// InterviewState is the current state of one interview, folded from its revisions.
type InterviewState struct {
	ID         string
	Meta       InterviewMeta
	Created    time.Time
	Updated    time.Time
	Respondent Respondent
	Status     StatusChange
	Answers    Answers
	Sections   map[string]SectionSummary
	// Heads maps each target to the IDs of its heads, newest first: what a new revision of
	// that target replaces.
	Heads     map[Target][]string
	Conflicts []Conflict
	// Revisions counts the revisions folded in.
	Revisions int
	// Assess holds what only an assessment has; nil for an interview (see RecordKind).
	Assess *AssessmentParts
}

// Summary is one interview as lists show it, without its answers: what stores keep up to
// date on every write so that listing thousands of interviews reads no revisions.
type Summary struct {
	ID, Questionnaire, Version string
	Status                     Status
	Reason                     string
	Agency, Province, Role     string
	Category, Assessor         string
	// Answered counts answers with a value (Answer.HasValue); a roster's rows are not
	// counted (stores keep this count per answer target, without reading other rows).
	Answered int
	// Sections holds the confirmed section ratings.
	Sections map[string]Code
	// Conflicts counts targets whose heads disagree.
	Conflicts        int
	Created, Updated time.Time
	Revisions        int
	// Record says whether this is an interview or an assessment; Title and Scope are an
	// assessment's (its creator is Assessor, its team ratings count in Answered, its
	// sections' overall ratings are Sections).
	Record       RecordKind
	Title, Scope string
	// Assignee, Due and Note are a planned interview's (InterviewMeta).
	Assignee, Due, Note string
}

// Summary computes the summary of s: what a store's list reports for it.
func (s *InterviewState) Summary() Summary {
	sm := Summary{
		ID: s.ID, Questionnaire: s.Meta.Questionnaire, Version: s.Meta.QuestionnaireVersion,
		Status: s.Status.Status, Reason: s.Status.Reason,
		Agency: s.Respondent.Agency, Province: s.Respondent.Province, Role: s.Respondent.Role,
		Category: s.Respondent.Category, Assessor: s.Meta.Assessor,
		Sections: map[string]Code{}, Conflicts: len(s.Conflicts),
		Created: s.Created, Updated: s.Updated, Revisions: s.Revisions, Record: s.RecordKind(),
	}
	if p := s.Assess; p != nil {
		sm.Questionnaire, sm.Version, sm.Assessor = p.Meta.Questionnaire, p.Meta.QuestionnaireVersion, p.Meta.Author
		sm.Title, sm.Scope = p.Meta.Title, p.Meta.Scope
	} else {
		sm.Assignee, sm.Due, sm.Note = s.Meta.Assignee, s.Meta.Due, s.Meta.Note
	}
	for _, a := range s.Answers {
		if _, roster := a.Value.(*Roster); a.HasValue() && !roster {
			sm.Answered++
		}
	}
	for k, v := range s.Sections {
		if v.Rating != "" {
			sm.Sections[k] = v.Rating
		}
	}
	return sm
}

// HasMeta reports whether the revision that creates the interview is present (a hub may hold
// later revisions of an interview whose first batch has not arrived).
func (s *InterviewState) HasMeta() bool { return s.Meta.Questionnaire != "" }

// Fold computes the state of every interview from a set of revisions. The order of revs does
// not matter, and duplicates count once. A revision whose value cannot be decoded is an error:
// stores verify revisions before they accept them.
func Fold(revs []Revision) (map[string]*InterviewState, error) {
	byTarget := map[Target][]Revision{}
	for _, r := range revs {
		t := r.Target()
		byTarget[t] = append(byTarget[t], r)
	}
	states := map[string]*InterviewState{}
	// Targets in a fixed order so that errors and conflicts come out the same every time.
	targets := make([]Target, 0, len(byTarget))
	for t := range byTarget {
		targets = append(targets, t)
	}
	sort.Slice(targets, func(i, j int) bool { return targets[i].String() < targets[j].String() })
	for _, t := range targets {
		st := states[t.Interview]
		if st == nil {
			st = NewInterviewState(t.Interview)
			states[t.Interview] = st
		}
		if err := st.ApplyHeads(t, byTarget[t]); err != nil {
			return nil, err
		}
	}
	return states, nil
}

// NewInterviewState returns the empty state of interview id.
func NewInterviewState(id string) *InterviewState {
	return &InterviewState{ID: id, Answers: Answers{}, Sections: map[string]SectionSummary{},
		Heads: map[Target][]string{}, Status: StatusChange{Status: StatusDraft}}
}

// ApplyHeads sets target t of s from revs, the revisions of that target (all of them, or at
// least all its heads).
func (s *InterviewState) ApplyHeads(t Target, revs []Revision) error {
	heads := Heads(revs)
	if len(heads) == 0 {
		return nil
	}
	ids := make([]string, len(heads))
	for i, h := range heads {
		ids[i] = h.ID
	}
	s.Heads[t] = ids
	conflict := Disagree(heads)
	if conflict {
		s.Conflicts = append(s.Conflicts, Conflict{Target: t, Heads: heads})
	}
	for _, r := range revs {
		if r.Time.After(s.Updated) {
			s.Updated = r.Time
		}
	}
	s.Revisions += len(revs)
	if err := s.apply(heads[0], conflict); err != nil {
		return err
	}
	if t.Kind == KindInterview || t.Kind == KindAssessment {
		// Created is the earliest revision of the creation target among revs (with Fold,
		// all of them): a reassignment, an upgrade or a settlement writes a newer one, which
		// must not move the interview's creation, and two devices that made the same
		// interview agree on it. A store that folds heads only keeps it in its summary.
		for _, r := range revs {
			if r.Time.Before(s.Created) {
				s.Created = r.Time
			}
		}
	}
	return nil
}

// apply sets the target of r, its newest head, from r; conflict says its heads disagree.
func (s *InterviewState) apply(r Revision, conflict bool) error {
	bad := func(err error) error {
		return fmt.Errorf("decode %s revision %s of interview %s: %w", r.Kind, short(r.ID), r.Interview, err)
	}
	switch r.Kind {
	case KindInterview:
		if err := json.Unmarshal(r.Value, &s.Meta); err != nil {
			return bad(err)
		}
		// Made before the assessor set a name: attributed to the principal that created it.
		s.Meta.Assessor = s.Meta.AssessorOr(r.Author)
		s.Created = r.Time
	case KindRespondent:
		if err := json.Unmarshal(r.Value, &s.Respondent); err != nil {
			return bad(err)
		}
	case KindStatus:
		if err := json.Unmarshal(r.Value, &s.Status); err != nil {
			return bad(err)
		}
	case KindAnswer:
		a, err := decodeAnswer(r.Value)
		if err != nil {
			return bad(err)
		}
		if a.IsEmpty() {
			delete(s.Answers, r.Key)
		} else {
			s.Answers[r.Key] = a
		}
	case KindRow:
		v, err := decodeRow(r.Value)
		if err != nil {
			return bad(err)
		}
		return s.applyRow(r.Key, v, conflict)
	case KindSection:
		var v SectionSummary
		if err := json.Unmarshal(r.Value, &v); err != nil {
			return bad(err)
		}
		if v == (SectionSummary{}) {
			delete(s.Sections, r.Key)
		} else {
			s.Sections[r.Key] = v
		}
	case KindAssessment:
		var m AssessmentMeta
		if err := json.Unmarshal(r.Value, &m); err != nil {
			return bad(err)
		}
		s.assess().Meta = m
		s.Created = r.Time
	case KindText:
		var v TextValue
		if err := json.Unmarshal(r.Value, &v); err != nil {
			return bad(err)
		}
		if v.Text == "" {
			delete(s.assess().Texts, r.Key)
		} else {
			s.assess().Texts[r.Key] = v.Text
		}
	case KindAction:
		var v ActionItem
		if err := json.Unmarshal(r.Value, &v); err != nil {
			return bad(err)
		}
		if v.IsEmpty() {
			delete(s.assess().Actions, r.Key)
		} else {
			s.assess().Actions[r.Key] = v
		}
	case KindDataset:
		var v DatasetRow
		if err := json.Unmarshal(r.Value, &v); err != nil {
			return bad(err)
		}
		if v.IsEmpty() {
			delete(s.assess().Datasets, r.Key)
		} else {
			s.assess().Datasets[r.Key] = v
		}
	default:
		return bad(fmt.Errorf("unknown kind %q", r.Kind))
	}
	return nil
}
