package review

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
)

// Lookup returns the installed questionnaire id at version, or an error when it is not
// installed (questionnaires.Catalog.Get).
type Lookup func(id, version string) (*survey.Questionnaire, error)

// QuestionnaireOf returns the questionnaire of the interview or assessment s, or nil when
// it is not installed.
func QuestionnaireOf(get Lookup, s *survey.InterviewState) *survey.Questionnaire {
	id, version := s.Meta.Questionnaire, s.Meta.QuestionnaireVersion
	switch {
	case s.Assess != nil:
		id, version = s.Assess.Meta.Questionnaire, s.Assess.Meta.QuestionnaireVersion
	case !s.HasMeta():
		return nil
	}
	q, err := get(id, version)
	if err != nil {
		return nil
	}
	return q
}

// Conflict is one target of a store with several current versions (its sides), with the
// interview it belongs to.
type Conflict struct {
	survey.Conflict
	State         *survey.InterviewState
	Questionnaire *survey.Questionnaire // nil when it is not installed
}

// Conflicts returns every conflict of st in the order the store lists them, each with its
// interview's state and questionnaire (looked up with get).
func Conflicts(ctx context.Context, st store.Reader, get Lookup) ([]Conflict, error) {
	cfs, err := st.Conflicts(ctx)
	if err != nil {
		return nil, err
	}
	states := map[string]*survey.InterviewState{}
	qs := map[string]*survey.Questionnaire{}
	out := make([]Conflict, 0, len(cfs))
	for _, cf := range cfs {
		iv := cf.Target.Interview
		s, ok := states[iv]
		if !ok {
			if s, err = st.Interview(ctx, iv); err != nil {
				return nil, fmt.Errorf("read interview %s: %w", iv, err)
			}
			states[iv], qs[iv] = s, QuestionnaireOf(get, s)
		}
		out = append(out, Conflict{Conflict: cf, State: s, Questionnaire: qs[iv]})
	}
	return out, nil
}

// Question is the text of the question the conflict is about (an answer or a roster's
// row) in lang, or "" when it is about something else or the questionnaire is not
// installed.
func (c Conflict) Question(lang string) string {
	key := c.Target.Key
	switch c.Target.Kind {
	case survey.KindAnswer:
	case survey.KindRow:
		key, _, _ = survey.SplitRowKey(key)
	default:
		return ""
	}
	if c.Questionnaire != nil {
		if qu, ok := c.Questionnaire.Question(key); ok {
			return qu.Text.Get(lang)
		}
	}
	return ""
}

func tr(lang, en, vi string) string { return survey.T(en, vi).Get(lang) }

// OrDash is s, or "-" when s is empty.
func OrDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// SideText says in lang what one side of a conflict holds: ratings by their scale's label
// and options by theirs when the questionnaire q is known (q may be nil), a roster row by
// its cells; the raw value when it cannot be read.
func SideText(q *survey.Questionnaire, r survey.Revision, lang string) string {
	quote := func(s string) string {
		if s == "" {
			return ""
		}
		return fmt.Sprintf(" · %q", s)
	}
	rating := func(sc *survey.Scale, c survey.Code) string {
		if st, ok := sc.Step(c); ok {
			return st.Label.Get(lang)
		}
		return string(c)
	}
	switch r.Kind {
	case survey.KindAnswer:
		var a survey.Answer
		if json.Unmarshal(r.Value, &a) == nil {
			sc := survey.ReadinessScale()
			var qu *survey.Question
			if q != nil {
				if qu, _ = q.Question(r.Key); qu != nil {
					sc = q.ScaleOf(qu)
				}
			}
			var parts []string
			if a.Rating != "" {
				parts = append(parts, tr(lang, "rating ", "mức ")+rating(sc, a.Rating))
			}
			if a.Value != nil {
				parts = append(parts, tr(lang, "answer ", "trả lời ")+answerValueText(qu, a.Value, lang))
			}
			if len(a.Evidence) > 0 {
				parts = append(parts, fmt.Sprintf(tr(lang, "%d evidence", "%d bằng chứng"), len(a.Evidence)))
			}
			if len(parts) == 0 && a.Comment == "" {
				parts = append(parts, tr(lang, "cleared", "đã xoá"))
			}
			return strings.TrimPrefix(strings.Join(parts, ", ")+quote(a.Comment), " · ")
		}
	case survey.KindSection:
		var s survey.SectionSummary
		if json.Unmarshal(r.Value, &s) == nil {
			sc := survey.ReadinessScale()
			if q != nil {
				if sec, ok := q.Section(r.Key); ok {
					sc = q.SectionScale(sec)
				}
			}
			rt := "-"
			if s.Rating != "" {
				rt = rating(sc, s.Rating)
			}
			return tr(lang, "rating ", "mức ") + rt + quote(s.Comment)
		}
	case survey.KindStatus:
		var s survey.StatusChange
		if json.Unmarshal(r.Value, &s) == nil {
			return s.Status.Label().Get(lang) + quote(s.Reason)
		}
	case survey.KindRespondent:
		var p survey.Respondent
		if json.Unmarshal(r.Value, &p) == nil {
			return strings.Join([]string{p.Agency, p.Province, p.Role, p.Category, p.Date}, " | ")
		}
	case survey.KindInterview:
		var m survey.InterviewMeta
		if json.Unmarshal(r.Value, &m) == nil {
			return fmt.Sprintf("%s %s, %s", m.Questionnaire, m.QuestionnaireVersion, OrDash(m.Assessor))
		}
	case survey.KindRow:
		var row survey.RosterRow
		if json.Unmarshal(r.Value, &row) == nil {
			return rowText(q, r.Key, row, lang)
		}
	}
	return string(r.Value)
}

// rowText says what a roster row holds: "deleted", or its cells as "label: value" in the
// roster's column order.
func rowText(q *survey.Questionnaire, key string, row survey.RosterRow, lang string) string {
	row = row.Normalized()
	if row.IsEmpty() {
		return tr(lang, "row deleted", "đã xoá dòng")
	}
	var cols []survey.Column
	if q != nil {
		qid, _, _ := survey.SplitRowKey(key)
		if qu, ok := q.Question(qid); ok {
			cols = qu.Columns
		}
	}
	var parts []string
	for _, c := range cols {
		if v, ok := row.Cells[c.ID]; ok {
			parts = append(parts, c.Label.Get(lang)+": "+c.CellText(v, lang))
		}
	}
	if cols == nil {
		for _, k := range slices.Sorted(maps.Keys(row.Cells)) {
			parts = append(parts, k+": "+survey.CellString(row.Cells[k]))
		}
	}
	if len(parts) == 0 {
		return tr(lang, "empty row", "dòng trống")
	}
	return strings.Join(parts, " · ")
}

// answerValueText writes a non-rating answer in words: option labels, yes or no.
func answerValueText(qu *survey.Question, v any, lang string) string {
	label := func(code string) string {
		if qu != nil {
			for _, o := range qu.Options {
				if o.Code == code {
					return o.Label.Get(lang)
				}
			}
		}
		return code
	}
	switch x := v.(type) {
	case bool:
		if x {
			return tr(lang, "yes", "có")
		}
		return tr(lang, "no", "không")
	case string:
		return label(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case []string:
		parts := make([]string, len(x))
		for i, c := range x {
			parts[i] = label(c)
		}
		return strings.Join(parts, ", ")
	}
	return fmt.Sprint(v)
}
