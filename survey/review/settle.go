package review

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// ParseTarget reads the TARGET of `conflicts settle` for interview (or assessment) id: a
// question id ("7.1", or "answer:7.1"), "section:ID", "respondent", "status", "interview",
// a roster's row ("row:QUESTION/ROW"), and an assessment's own parts ("text:KEY",
// "action:ID", "dataset:ID", "assessment").
func ParseTarget(id, arg string) (survey.Target, bool) {
	a := strings.TrimSpace(arg)
	t := survey.Target{Interview: id}
	switch strings.ToLower(a) {
	case "respondent":
		t.Kind = survey.KindRespondent
		return t, true
	case "status":
		t.Kind = survey.KindStatus
		return t, true
	case "interview":
		t.Kind = survey.KindInterview
		return t, true
	}
	if k, ok := strings.CutPrefix(a, "section:"); ok {
		t.Kind, t.Key = survey.KindSection, strings.TrimSpace(k)
		return t, t.Key != ""
	}
	if key, ok := strings.CutPrefix(a, "row:"); ok {
		t.Kind, t.Key = survey.KindRow, strings.TrimSpace(key)
		_, _, valid := survey.SplitRowKey(t.Key)
		return t, valid
	}
	for _, k := range []survey.Kind{survey.KindText, survey.KindAction, survey.KindDataset} {
		if key, ok := strings.CutPrefix(a, string(k)+":"); ok {
			t.Kind, t.Key = k, strings.TrimSpace(key)
			return t, t.Key != ""
		}
	}
	if strings.EqualFold(a, string(survey.KindAssessment)) {
		t.Kind = survey.KindAssessment
		return t, true
	}
	if k, ok := strings.CutPrefix(a, "answer:"); ok {
		a = strings.TrimSpace(k)
	}
	if a == "" || strings.ContainsAny(a, " :/") {
		return t, false
	}
	t.Kind, t.Key = survey.KindAnswer, a
	return t, true
}

// TargetArg writes t as ParseTarget reads it: 7.1, section:7, respondent, status, interview.
func TargetArg(t survey.Target) string {
	switch t.Kind {
	case survey.KindAnswer:
		return t.Key
	case survey.KindSection:
		return "section:" + t.Key
	case survey.KindText, survey.KindAction, survey.KindDataset, survey.KindRow:
		return string(t.Kind) + ":" + t.Key
	}
	return string(t.Kind)
}

// Knows reports whether questionnaire q has target t (targets that are not questions or
// sections always exist).
func Knows(q *survey.Questionnaire, t survey.Target) bool {
	switch t.Kind {
	case survey.KindAnswer:
		_, ok := q.Question(t.Key)
		return ok
	case survey.KindSection:
		_, ok := q.Section(t.Key)
		return ok
	case survey.KindRow:
		qid, _, ok := survey.SplitRowKey(t.Key)
		if !ok {
			return false
		}
		qu, ok := q.Question(qid)
		return ok && qu.Type == survey.TypeRoster
	}
	return true
}

// valueKeys are the fields a settlement's JSON value may hold, per kind (evidence items:
// evidenceKeys).
var (
	valueKeys = map[survey.Kind][]string{
		survey.KindAnswer:     {"rating", "value", "comment", "probes", "evidence"},
		survey.KindSection:    {"rating", "comment"},
		survey.KindRespondent: {"agency", "province", "role", "category", "date", "place", "consent"},
		survey.KindStatus:     {"status", "reason"},
		survey.KindInterview:  {"questionnaire", "questionnaire_version", "assessor", "device"},
		survey.KindRow:        {"pos", "cells"},
	}
	evidenceKeys = []string{"polarity", "text", "source", "in_scope", "note"}
)

// ValueError is a settlement value that does not decode or that the questionnaire refuses.
type ValueError struct{ Err error }

func (e *ValueError) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *ValueError) Unwrap() error { return e.Err }

// checkKeys refuses a JSON object with a field not in allowed (a misspelt field would
// otherwise be dropped without a word).
func checkKeys(raw []byte, allowed []string, what string) error {
	var m map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&m); err != nil {
		return fmt.Errorf("%s is not a JSON object: %v", what, err)
	}
	if dec.More() {
		return fmt.Errorf("%s: more than one JSON value", what)
	}
	var bad []string
	for k := range m {
		if !slices.Contains(allowed, k) {
			bad = append(bad, k)
		}
	}
	sort.Strings(bad)
	if len(bad) > 0 {
		return fmt.Errorf("%s has unknown fields %s (expected %s)", what, strings.Join(bad, ", "), strings.Join(allowed, ", "))
	}
	return nil
}

// SettleValue decodes raw, the JSON value that settles target t of the interview state,
// and checks it as an import checks a record: the interview's record with this value in
// place must raise no problem on this field (q is its questionnaire; known checks the
// questionnaire version of a new creation value). A value that does not decode or that the
// questionnaire refuses is a *ValueError.
//
// A new status that is a decision (approved, returned, reopened) must also be one that
// role could make from one of the statuses in conflict (heads): a settlement is no way
// around the rules of the review cycle (the refusal is a *survey.RuleError).
func SettleValue(q *survey.Questionnaire, state *survey.InterviewState, t survey.Target, raw string,
	role survey.Role, heads []survey.Revision, known func(id, version string) error) (any, error) {
	bad := func(err error) error { return &ValueError{Err: err} }
	what := string(t.Kind) + " value"
	if err := checkKeys([]byte(raw), valueKeys[t.Kind], what); err != nil {
		return nil, bad(err)
	}
	rec := state.Record()
	field := ""
	var value any
	switch t.Kind {
	case survey.KindAnswer:
		var m struct {
			Evidence []json.RawMessage `json:"evidence"`
		}
		_ = json.Unmarshal([]byte(raw), &m)
		for i, e := range m.Evidence {
			if err := checkKeys(e, evidenceKeys, fmt.Sprintf("evidence item %d", i+1)); err != nil {
				return nil, bad(err)
			}
		}
		var a survey.Answer
		if err := json.Unmarshal([]byte(raw), &a); err != nil {
			return nil, bad(fmt.Errorf("%s: %v", what, err))
		}
		rec.Answers[t.Key] = a
		rec.NormalizeRatings(q)
		value, field = rec.Answers[t.Key], "answers."+t.Key
	case survey.KindSection:
		var s survey.SectionSummary
		if err := json.Unmarshal([]byte(raw), &s); err != nil {
			return nil, bad(fmt.Errorf("%s: %v", what, err))
		}
		s.Comment = survey.NFC(s.Comment)
		rec.Sections[t.Key] = s
		rec.NormalizeRatings(q)
		value, field = rec.Sections[t.Key], "sections."+t.Key
	case survey.KindRespondent:
		var r survey.Respondent
		if err := json.Unmarshal([]byte(raw), &r); err != nil {
			return nil, bad(fmt.Errorf("%s: %v", what, err))
		}
		rec.Respondent = r.Normalized()
		value, field = rec.Respondent, "respondent"
	case survey.KindStatus:
		var s survey.StatusChange
		if err := json.Unmarshal([]byte(raw), &s); err != nil {
			return nil, bad(fmt.Errorf("%s: %v", what, err))
		}
		s.Reason = survey.NFC(strings.TrimSpace(s.Reason))
		if s.Status.NeedsReason() && s.Reason == "" {
			return nil, bad(fmt.Errorf("status %s needs a reason (the assessor reads it)", s.Status))
		}
		if s.Status.IsDecision() {
			others := 0 // conflicts other than the status's own
			for _, cf := range state.Conflicts {
				if cf.Target != t {
					others++
				}
			}
			var refused error
			for _, h := range heads {
				var from survey.StatusChange
				if json.Unmarshal(h.Value, &from) != nil {
					continue
				}
				if refused = survey.CheckDecision(role, from.Status, others, s.Status, s.Reason); refused == nil {
					break
				}
			}
			if refused != nil {
				return nil, refused
			}
		}
		rec.Status, rec.StatusReason = s.Status, s.Reason
		value, field = s, "status"
	case survey.KindRow:
		// A row is checked on its own: its cells against its columns and the row
		// constraint, and its position. null (or {}) deletes the row.
		var r survey.RosterRow
		if err := json.Unmarshal([]byte(raw), &r); err != nil {
			return nil, bad(fmt.Errorf("%s: %v", what, err))
		}
		r = r.Normalized()
		if r.IsEmpty() {
			return r, nil
		}
		qid, _, _ := survey.SplitRowKey(t.Key)
		qu, ok := q.Question(qid)
		if !ok || qu.Type != survey.TypeRoster {
			return nil, bad(fmt.Errorf("%s is not a roster question of %s", qid, q.ID))
		}
		if r.Pos <= 0 {
			return nil, bad(fmt.Errorf("%s: pos must be above 0 (rows are placed from 1)", what))
		}
		if is := q.CheckRow(qu, r.Cells, state.Answers); len(is) > 0 {
			msgs := make([]string, len(is))
			for i, c := range is {
				msgs[i] = c.Error()
			}
			return nil, bad(errors.New(strings.Join(msgs, "; ")))
		}
		return r, nil
	case survey.KindInterview:
		var m survey.InterviewMeta
		if err := json.Unmarshal([]byte(raw), &m); err != nil {
			return nil, bad(fmt.Errorf("%s: %v", what, err))
		}
		if err := known(m.Questionnaire, m.QuestionnaireVersion); err != nil {
			return nil, bad(err)
		}
		return m, nil
	}
	var problems []string
	for _, fe := range rec.Check(q) {
		if fe.Field == field || strings.HasPrefix(fe.Field, field+".") {
			problems = append(problems, fe.Error())
		}
	}
	if len(problems) > 0 {
		return nil, bad(errors.New(strings.Join(problems, "; ")))
	}
	return value, nil
}
