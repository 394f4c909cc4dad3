package survey

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// RecordFormat is the format tag of one interview in the JSON Lines interchange format.
const RecordFormat = "fieldsurvey-interview/1"

// Record is one interview in the interchange format written by `interview export` and read
// by `interview import`: the current value of every field, without history. Field names and
// meanings are stable; fields may be added.
type Record struct {
	Format               string                    `json:"format"`
	ID                   string                    `json:"id"`
	Questionnaire        string                    `json:"questionnaire"`
	QuestionnaireVersion string                    `json:"questionnaire_version"`
	Assessor             string                    `json:"assessor,omitempty"`
	Created              string                    `json:"created,omitempty"`
	Status               Status                    `json:"status"`
	StatusReason         string                    `json:"status_reason,omitempty"`
	Respondent           Respondent                `json:"respondent"`
	Answers              map[string]Answer         `json:"answers"`
	Sections             map[string]SectionSummary `json:"sections"`
}

// Record returns the interchange record of s.
func (s *InterviewState) Record() Record {
	rec := Record{
		Format: RecordFormat, ID: s.ID,
		Questionnaire: s.Meta.Questionnaire, QuestionnaireVersion: s.Meta.QuestionnaireVersion,
		Assessor: s.Meta.Assessor, Status: s.Status.Status, StatusReason: s.Status.Reason,
		Respondent: s.Respondent, Answers: map[string]Answer{}, Sections: map[string]SectionSummary{},
	}
	if !s.Created.IsZero() {
		rec.Created = s.Created.UTC().Format(TimeFormat)
	}
	for k, v := range s.Answers {
		if _, roster := v.Value.(*Roster); roster {
			continue // rows are not answers
		}
		rec.Answers[k] = v
	}
	for k, v := range s.Sections {
		rec.Sections[k] = v
	}
	return rec
}

// MarshalLine encodes rec as one line of JSON (keys of answers and sections sorted), with
// the trailing newline. The same record always gives the same bytes.
func (rec Record) MarshalLine() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(rec); err != nil {
		return nil, fmt.Errorf("encode interview %s: %w", rec.ID, err)
	}
	return buf.Bytes(), nil
}

// ParseRecord decodes one line of the interchange format, refusing unknown fields. A line
// holding bytes that are not UTF-8 is refused with a FieldError naming the field ("invalid
// UTF-8"), rather than decoded with U+FFFD in their place.
func ParseRecord(line []byte) (Record, error) {
	if !utf8.Valid(line) {
		return Record{}, FieldError{Field: invalidUTF8Field(line), Msg: "invalid UTF-8"}
	}
	var rec Record
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rec); err != nil {
		return Record{}, err
	}
	if rec.Format != RecordFormat {
		return Record{}, fmt.Errorf("format is %q, expected %q", rec.Format, RecordFormat)
	}
	rec.Respondent = rec.Respondent.Normalized()
	if rec.Answers == nil {
		rec.Answers = map[string]Answer{}
	}
	if rec.Sections == nil {
		rec.Sections = map[string]SectionSummary{}
	}
	for k, v := range rec.Sections {
		v.Comment = NFC(v.Comment)
		rec.Sections[k] = v
	}
	return rec, nil
}

// FieldError names one bad field of a record.
type FieldError struct {
	Field string // e.g. "answers.7.1.rating"
	Msg   string
}

func (e FieldError) Error() string { return e.Field + ": " + e.Msg }

// NormalizeRatings rewrites the ratings of rec given as an alias or a label ("yellow",
// "Amber/Red", "Vàng/Xanh") into their stable codes, using the scale of each question and
// section of q. Some World Bank documents say Yellow for Amber: both are accepted on import.
// Ratings that match nothing are left as they are, for Check to report.
func (rec *Record) NormalizeRatings(q *Questionnaire) {
	fix := func(sc *Scale, c Code) Code {
		if c == "" {
			return c
		}
		if _, ok := sc.Step(c); ok {
			return c
		}
		if code, err := sc.Parse(string(c)); err == nil {
			return code
		}
		return c
	}
	for id, a := range rec.Answers {
		if qu, ok := q.Question(id); ok && qu.Type == TypeRating {
			a.Rating = fix(q.ScaleOf(qu), a.Rating)
			rec.Answers[id] = a
		}
	}
	for id, s := range rec.Sections {
		if sec, ok := q.Section(id); ok {
			s.Rating = fix(q.SectionScale(sec), s.Rating)
			rec.Sections[id] = s
		}
	}
}

// Check checks rec against its questionnaire q: known questions and sections, valid codes,
// values of the right kind, known status and category, and every constraint. It returns
// every problem found, sorted by field.
func (rec Record) Check(q *Questionnaire) []FieldError {
	var errs []FieldError
	add := func(field, format string, args ...any) {
		errs = append(errs, FieldError{Field: field, Msg: fmt.Sprintf(format, args...)})
	}
	if rec.ID == "" {
		add("id", "missing interview id")
	} else if err := CheckInterviewID(rec.ID); err != nil {
		add("id", "%v", err)
	}
	if rec.Questionnaire != q.ID {
		add("questionnaire", "is %q, expected %q", rec.Questionnaire, q.ID)
	}
	if rec.QuestionnaireVersion != q.Version {
		add("questionnaire_version", "is %q, but questionnaire %s is at version %q", rec.QuestionnaireVersion, q.ID, q.Version)
	}
	if !rec.Status.Valid() {
		add("status", "unknown status %q", rec.Status)
	}
	if rec.Created != "" {
		if _, err := time.Parse(time.RFC3339, rec.Created); err != nil {
			add("created", "%q is not a time (RFC 3339)", rec.Created)
		}
	}
	if c := rec.Respondent.Category; c != "" && !hasCode(q.Categories(), c) {
		add("respondent.category", "unknown stakeholder category %q", c)
	}
	if d := rec.Respondent.Date; d != "" {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			add("respondent.date", "%q is not a date (YYYY-MM-DD)", d)
		}
	}
	// What no receiver would take: a value over the size limit.
	size := func(field string, t Target, v any) {
		var se *SizeError
		if err := CheckChangeSize(Change{Target: t, Value: v}); errors.As(err, &se) {
			add(field, "%s, over the limit of %s for one change", SizeText(se.Size), SizeText(se.Limit))
		}
	}
	size("respondent", Target{Interview: rec.ID, Kind: KindRespondent}, rec.Respondent)
	for id, a := range rec.Answers {
		size("answers."+id, Target{Interview: rec.ID, Kind: KindAnswer, Key: id}, a)
	}
	for id, s := range rec.Sections {
		size("sections."+id, Target{Interview: rec.ID, Kind: KindSection, Key: id}, s)
	}
	for id, a := range rec.Answers {
		qu, ok := q.Question(id)
		if !ok {
			add("answers."+id, "unknown question %q in %s", id, q.ID)
			continue
		}
		if is := q.CheckValue(qu, a); is != nil {
			field := "answers." + id + ".value"
			if qu.Type == TypeRating {
				field = "answers." + id + ".rating"
			}
			add(field, "%s", is.Msg.Get(LangEN))
			continue
		}
		if !a.HasValue() {
			continue
		}
		for _, is := range q.Check(qu, rec.Answers) {
			if is.Kind == IssueConstraint {
				add("answers."+id, "constraint failed: %s", is.Msg.Get(LangEN))
			}
		}
	}
	for id, s := range rec.Sections {
		sec, ok := q.Section(id)
		if !ok {
			add("sections."+id, "unknown section %q in %s", id, q.ID)
			continue
		}
		if s.Rating != "" {
			if _, ok := q.SectionScale(sec).Step(s.Rating); !ok {
				add("sections."+id+".rating", "unknown rating %q", s.Rating)
			}
		}
	}
	sort.Slice(errs, func(i, j int) bool { return errs[i].Field < errs[j].Field })
	return errs
}

func hasCode(opts []Option, code string) bool {
	for _, o := range opts {
		if o.Code == code {
			return true
		}
	}
	return false
}

// Change is a new value for one target, before it becomes a revision.
type Change struct {
	Target Target
	Value  any
	// Base, when not nil, lists the heads of the target the change was made from (what the
	// screen showed): the new revision replaces those only, so that a head which arrived
	// meanwhile (another window, a sync) stays beside it as a conflict instead of being
	// replaced unseen. Nil: the change replaces whatever the heads are when it is written.
	Base []string
}

// Changes returns what must be written to turn cur (nil for an interview not yet stored)
// into rec: one change per field whose value differs, the interview's creation first.
func (rec Record) Changes(cur *InterviewState) []Change {
	if cur == nil {
		cur = NewInterviewState(rec.ID)
	}
	var out []Change
	t := func(k Kind, key string) Target { return Target{Interview: rec.ID, Kind: k, Key: key} }
	meta := InterviewMeta{Questionnaire: rec.Questionnaire, QuestionnaireVersion: rec.QuestionnaireVersion, Assessor: rec.Assessor, Device: cur.Meta.Device}
	if !cur.HasMeta() {
		out = append(out, Change{Target: t(KindInterview, ""), Value: meta})
	}
	if rec.Respondent != cur.Respondent {
		out = append(out, Change{Target: t(KindRespondent, ""), Value: rec.Respondent})
	}
	for _, k := range unionKeys(rec.Answers, cur.Answers) {
		if _, roster := cur.Answers[k].Value.(*Roster); roster {
			continue // rows are not answers
		}
		if !reflect.DeepEqual(rec.Answers[k], cur.Answers[k]) {
			out = append(out, Change{Target: t(KindAnswer, k), Value: rec.Answers[k]})
		}
	}
	for _, k := range unionKeys(rec.Sections, cur.Sections) {
		if rec.Sections[k] != cur.Sections[k] {
			out = append(out, Change{Target: t(KindSection, k), Value: rec.Sections[k]})
		}
	}
	st := StatusChange{Status: rec.Status, Reason: rec.StatusReason}
	if st != cur.Status {
		out = append(out, Change{Target: t(KindStatus, ""), Value: st})
	}
	return out
}

// unionKeys returns the keys of a and b, sorted, each once.
func unionKeys[V any](a, b map[string]V) []string {
	set := make(map[string]bool, len(a)+len(b))
	for k := range a {
		set[k] = true
	}
	for k := range b {
		set[k] = true
	}
	return slices.Sorted(maps.Keys(set))
}

// invalidUTF8Field returns the path ("respondent.agency", "answers.1.1.evidence[0].text")
// of the first string of the JSON object in line whose bytes are not UTF-8; "" when it is
// not found (the line is not JSON up to there).
func invalidUTF8Field(line []byte) string {
	type frame struct {
		object  bool
		key     string
		index   int
		wantKey bool
	}
	var stack []frame
	path := func() string {
		var b strings.Builder
		for _, f := range stack {
			if f.object {
				if b.Len() > 0 {
					b.WriteByte('.')
				}
				b.WriteString(f.key)
			} else {
				b.WriteString("[" + strconv.Itoa(f.index) + "]")
			}
		}
		return b.String()
	}
	// valueDone moves the innermost container past a value.
	valueDone := func() {
		if n := len(stack); n > 0 {
			if stack[n-1].object {
				stack[n-1].wantKey = true
			} else {
				stack[n-1].index++
			}
		}
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	for {
		start := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		bad := !utf8.Valid(line[start:dec.InputOffset()])
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{':
				stack = append(stack, frame{object: true, wantKey: true})
			case '[':
				stack = append(stack, frame{})
			default:
				stack = stack[:len(stack)-1]
				valueDone()
			}
			continue
		case string:
			if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].wantKey {
				// A key; shown with each run of bad bytes as one U+FFFD.
				key := v
				for strings.Contains(key, "\uFFFD\uFFFD") {
					key = strings.ReplaceAll(key, "\uFFFD\uFFFD", "\uFFFD")
				}
				stack[n-1].key, stack[n-1].wantKey = key, false
				if bad {
					return path()
				}
				continue
			}
			if bad {
				return path()
			}
		}
		valueDone()
	}
}
