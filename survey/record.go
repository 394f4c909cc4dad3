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
	Format               string `json:"format"`
	ID                   string `json:"id"`
	Questionnaire        string `json:"questionnaire"`
	QuestionnaireVersion string `json:"questionnaire_version"`
	Assessor             string `json:"assessor,omitempty"`
	// Device is the device the interview was created on; Assignee, Due and Note the
	// assignment of a planned interview (InterviewMeta). Import writes them back as they
	// were, so that the interview's creation made by an import equals the original's: an
	// interview exported on one laptop and imported on another does not become an
	// "interview details" conflict when both copies meet.
	Device       string                    `json:"device,omitempty"`
	Assignee     string                    `json:"assignee,omitempty"`
	Due          string                    `json:"due,omitempty"`
	Note         string                    `json:"note,omitempty"`
	Created      string                    `json:"created,omitempty"`
	Status       Status                    `json:"status"`
	StatusReason string                    `json:"status_reason,omitempty"`
	Respondent   Respondent                `json:"respondent"`
	Answers      map[string]Answer         `json:"answers"`
	Sections     map[string]SectionSummary `json:"sections"`
	// Rosters holds the rows of each roster question, in order.
	Rosters map[string][]RecordRow `json:"rosters,omitempty"`
	// Orphaned, OrphanedSections and OrphanedRosters hold what the interview keeps under
	// ids its questionnaire version no longer has: answers, section summaries and roster
	// rows that a move to a newer version left without a question (survey.Orphan; they
	// stay in the interview and its history). Export puts them here (MarkOrphaned) rather
	// than in answers, sections and rosters, so that a reader sees they are not asked, and
	// import keeps them as they are instead of refusing them as unknown questions.
	Orphaned         map[string]Answer         `json:"orphaned,omitempty"`
	OrphanedSections map[string]SectionSummary `json:"orphaned_sections,omitempty"`
	OrphanedRosters  map[string][]RecordRow    `json:"orphaned_rosters,omitempty"`
}

// RecordRow is one row of a roster in a Record: its id (kept across export and import, so
// that importing the same file twice changes nothing), its position (0: its place in the
// list) and its cells by column id.
type RecordRow struct {
	ID    string         `json:"id"`
	Pos   float64        `json:"pos,omitempty"`
	Cells map[string]any `json:"cells"`
}

// rowIDOK bounds the row ids an import may bring: NewRowID's, or short names — 1 to 64 of
// [A-Za-z0-9_-] (a loop, not a regular expression: {1,64} compiles into 64 copies of the
// class, a fraction of a millisecond of every start-up).
func rowIDOK(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// pos is r's position in a roster where it stands at index i.
func (r RecordRow) pos(i int) float64 {
	if r.Pos > 0 {
		return r.Pos
	}
	return float64(i + 1)
}

// Record returns the interchange record of s.
func (s *InterviewState) Record() Record {
	rec := Record{
		Format: RecordFormat, ID: s.ID,
		Questionnaire: s.Meta.Questionnaire, QuestionnaireVersion: s.Meta.QuestionnaireVersion,
		Assessor: s.Meta.Assessor, Device: s.Meta.Device, Assignee: s.Meta.Assignee, Due: s.Meta.Due, Note: s.Meta.Note,
		Status: s.Status.Status, StatusReason: s.Status.Reason,
		Respondent: s.Respondent, Answers: map[string]Answer{}, Sections: map[string]SectionSummary{},
	}
	if !s.Created.IsZero() {
		rec.Created = s.Created.UTC().Format(TimeFormat)
	}
	for k, v := range s.Answers {
		if r, roster := v.Value.(*Roster); roster {
			if rec.Rosters == nil {
				rec.Rosters = map[string][]RecordRow{}
			}
			for _, row := range r.Rows() {
				cells := row.Cells
				if cells == nil {
					cells = map[string]any{}
				}
				rec.Rosters[k] = append(rec.Rosters[k], RecordRow{ID: row.ID, Pos: row.Pos, Cells: cells})
			}
			continue // rows are not answers
		}
		rec.Answers[k] = v
	}
	for k, v := range s.Sections {
		rec.Sections[k] = v
	}
	return rec
}

// MarkOrphaned moves the answers, section summaries and rosters of rec whose id is not a
// question or section of q (its questionnaire version) to Orphaned, OrphanedSections and
// OrphanedRosters — and the summary of a section q rates no more (overall: false) to
// OrphanedSections: what `interview export` writes for an interview that moved to a newer
// version, so that the line imports again with nothing lost.
func (rec *Record) MarkOrphaned(q *Questionnaire) {
	for id, a := range rec.Answers {
		if _, ok := q.Question(id); !ok {
			if rec.Orphaned == nil {
				rec.Orphaned = map[string]Answer{}
			}
			rec.Orphaned[id] = a
			delete(rec.Answers, id)
		}
	}
	for id, sm := range rec.Sections {
		if sec, ok := q.Section(id); !ok || !sec.HasOverall() {
			if rec.OrphanedSections == nil {
				rec.OrphanedSections = map[string]SectionSummary{}
			}
			rec.OrphanedSections[id] = sm
			delete(rec.Sections, id)
		}
	}
	for id, rows := range rec.Rosters {
		if qu, ok := q.Question(id); !ok || qu.Type != TypeRoster {
			if rec.OrphanedRosters == nil {
				rec.OrphanedRosters = map[string][]RecordRow{}
			}
			rec.OrphanedRosters[id] = rows
			delete(rec.Rosters, id)
		}
	}
	if len(rec.Rosters) == 0 {
		rec.Rosters = nil
	}
}

// allAnswers returns rec's answers with its orphaned ones: every answer target it holds.
func (rec Record) allAnswers() map[string]Answer {
	if len(rec.Orphaned) == 0 {
		return rec.Answers
	}
	all := maps.Clone(rec.Answers)
	if all == nil {
		all = map[string]Answer{}
	}
	maps.Copy(all, rec.Orphaned)
	return all
}

// allSections is allAnswers for section summaries.
func (rec Record) allSections() map[string]SectionSummary {
	if len(rec.OrphanedSections) == 0 {
		return rec.Sections
	}
	all := maps.Clone(rec.Sections)
	if all == nil {
		all = map[string]SectionSummary{}
	}
	maps.Copy(all, rec.OrphanedSections)
	return all
}

// allRosters is allAnswers for rosters.
func (rec Record) allRosters() map[string][]RecordRow {
	if len(rec.OrphanedRosters) == 0 {
		return rec.Rosters
	}
	all := maps.Clone(rec.Rosters)
	if all == nil {
		all = map[string][]RecordRow{}
	}
	maps.Copy(all, rec.OrphanedRosters)
	return all
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
	for _, m := range []map[string]SectionSummary{rec.Sections, rec.OrphanedSections} {
		for k, v := range m {
			v.Comment = NFC(v.Comment)
			m[k] = v
		}
	}
	for _, m := range []map[string][]RecordRow{rec.Rosters, rec.OrphanedRosters} {
		for _, rows := range m {
			for i, r := range rows {
				rows[i].Cells = RosterRow{Pos: 1, Cells: r.Cells}.Normalized().Cells
				if rows[i].Cells == nil {
					rows[i].Cells = map[string]any{}
				}
			}
		}
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
	if rec.Due != "" {
		if _, err := time.Parse(time.DateOnly, rec.Due); err != nil {
			add("due", "%q is not a date (YYYY-MM-DD)", rec.Due)
		}
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
	rosterAnswers := rec.withRosters()
	// What no receiver would take: a value over the size limit.
	size := func(field string, t Target, v any) {
		var se *SizeError
		if err := CheckChangeSize(Change{Target: t, Value: v}); errors.As(err, &se) {
			add(field, "%s, over the limit of %s for one change", SizeText(se.Size), SizeText(se.Limit))
		}
	}
	// eachRow checks the ids and positions of a roster's rows at field, then calls each
	// with every row and its field name.
	eachRow := func(field string, rows []RecordRow, each func(rf string, i int, r RecordRow)) {
		seen := map[string]bool{}
		for i, r := range rows {
			rf := fmt.Sprintf("%s[%d]", field, i)
			switch {
			case !rowIDOK(r.ID):
				add(rf+".id", "row id %q must be 1 to 64 letters, digits, '_' or '-'", r.ID)
			case seen[r.ID]:
				add(rf+".id", "row id %q appears twice", r.ID)
			}
			seen[r.ID] = true
			if r.Pos < 0 {
				add(rf+".pos", "pos %v is negative", r.Pos)
			}
			each(rf, i, r)
		}
	}
	size("respondent", Target{Interview: rec.ID, Kind: KindRespondent}, rec.Respondent)
	for id, a := range rec.Answers {
		size("answers."+id, Target{Interview: rec.ID, Kind: KindAnswer, Key: id}, a)
	}
	for id, s := range rec.Sections {
		size("sections."+id, Target{Interview: rec.ID, Kind: KindSection, Key: id}, s)
	}
	for id, a := range rec.Orphaned {
		size("orphaned."+id, Target{Interview: rec.ID, Kind: KindAnswer, Key: id}, a)
		if _, ok := q.Question(id); ok {
			add("orphaned."+id, "question %s is asked in %s version %s: its answer goes in answers", id, q.ID, q.Version)
		}
	}
	for id, sm := range rec.OrphanedSections {
		size("orphaned_sections."+id, Target{Interview: rec.ID, Kind: KindSection, Key: id}, sm)
		if sec, ok := q.Section(id); ok && sec.HasOverall() {
			add("orphaned_sections."+id, "section %s is in %s version %s: its summary goes in sections", id, q.ID, q.Version)
		}
	}
	for id, rows := range rec.OrphanedRosters {
		field := "orphaned_rosters." + id
		if qu, ok := q.Question(id); ok && qu.Type == TypeRoster {
			add(field, "question %s is asked in %s version %s: its rows go in rosters", id, q.ID, q.Version)
		}
		if _, dup := rec.Orphaned[id]; dup {
			add("orphaned."+id, "%s has rows in orphaned_rosters: a question holds an answer or rows, not both", id)
		}
		eachRow(field, rows, func(rf string, i int, r RecordRow) {
			size(rf, Target{Interview: rec.ID, Kind: KindRow, Key: RowKey(id, r.ID)}, RosterRow{Pos: r.pos(i), Cells: r.Cells})
		})
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
		for _, is := range q.Check(qu, rosterAnswers) {
			if is.Kind == IssueConstraint {
				add("answers."+id, "constraint failed: %s", is.Msg.Get(LangEN))
			}
		}
	}
	for id, rows := range rec.Rosters {
		field := "rosters." + id
		qu, ok := q.Question(id)
		if !ok {
			add(field, "unknown question %q in %s", id, q.ID)
			continue
		}
		if qu.Type != TypeRoster {
			add(field, "question %s is a %s question, not a roster: its answer goes in answers", id, qu.Type)
			continue
		}
		if qu.MaxRows > 0 && len(rows) > qu.MaxRows {
			add(field, "%d rows, over the maximum of %d", len(rows), qu.MaxRows)
		}
		if _, dup := rec.Answers[id]; dup {
			add("answers."+id, "question %s is a roster: its rows go in rosters", id)
		}
		eachRow(field, rows, func(rf string, i int, r RecordRow) {
			for _, is := range q.CheckRow(qu, r.Cells, rosterAnswers) {
				if is.Column == "" {
					add(rf, "constraint failed: %s", is.Msg.Get(LangEN))
				} else {
					add(rf+".cells."+is.Column, "%s", is.Msg.Get(LangEN))
				}
			}
			size(rf, Target{Interview: rec.ID, Kind: KindRow, Key: RowKey(id, r.ID)}, RosterRow{Pos: r.pos(i), Cells: r.Cells})
		})
	}
	for id, s := range rec.Sections {
		sec, ok := q.Section(id)
		if !ok {
			add("sections."+id, "unknown section %q in %s", id, q.ID)
			continue
		}
		if !sec.HasOverall() {
			add("sections."+id, "section %s has no overall rating in %s version %s (overall: false): a summary kept from before goes in orphaned_sections", id, q.ID, q.Version)
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
	meta := InterviewMeta{Questionnaire: rec.Questionnaire, QuestionnaireVersion: rec.QuestionnaireVersion, Assessor: rec.Assessor,
		Device: rec.Device, Assignee: rec.Assignee, Due: rec.Due, Note: rec.Note}
	if !cur.HasMeta() {
		out = append(out, Change{Target: t(KindInterview, ""), Value: meta})
	}
	if rec.Respondent != cur.Respondent {
		out = append(out, Change{Target: t(KindRespondent, ""), Value: rec.Respondent})
	}
	answers, sections := rec.allAnswers(), rec.allSections()
	for _, k := range unionKeys(answers, cur.Answers) {
		if _, roster := cur.Answers[k].Value.(*Roster); roster {
			continue // rows are not answers
		}
		if !reflect.DeepEqual(answers[k], cur.Answers[k]) {
			out = append(out, Change{Target: t(KindAnswer, k), Value: answers[k]})
		}
	}
	out = append(out, rec.rowChanges(cur)...)
	for _, k := range unionKeys(sections, cur.Sections) {
		if sections[k] != cur.Sections[k] {
			out = append(out, Change{Target: t(KindSection, k), Value: sections[k]})
		}
	}
	st := StatusChange{Status: rec.Status, Reason: rec.StatusReason}
	if st != cur.Status {
		out = append(out, Change{Target: t(KindStatus, ""), Value: st})
	}
	return out
}

// withRosters returns rec's answers with its rosters folded in as the interview state
// holds them, for checks and expressions that count rows.
func (rec Record) withRosters() Answers {
	if len(rec.Rosters) == 0 {
		return rec.Answers
	}
	all := maps.Clone(Answers(rec.Answers))
	for id, rows := range rec.Rosters {
		if len(rows) == 0 {
			continue
		}
		r := newRoster()
		for i, row := range rows {
			r.set(Row{ID: row.ID, Pos: row.pos(i), Cells: row.Cells})
		}
		all[id] = Answer{Value: r}
	}
	return all
}

// rowChanges returns the row revisions that turn cur's rosters into rec's: a row new or
// changed (cells or position), a row rec no longer has deleted.
func (rec Record) rowChanges(cur *InterviewState) []Change {
	var out []Change
	rosters := rec.allRosters()
	ids := map[string]bool{}
	for id := range rosters {
		ids[id] = true
	}
	for id, a := range cur.Answers {
		if _, ok := a.Value.(*Roster); ok {
			ids[id] = true
		}
	}
	for _, qid := range slices.Sorted(maps.Keys(ids)) {
		now := map[string]Row{}
		for _, r := range cur.Rows(qid) {
			now[r.ID] = r
		}
		t := func(row string) Target { return Target{Interview: rec.ID, Kind: KindRow, Key: RowKey(qid, row)} }
		keep := map[string]bool{}
		for i, r := range rosters[qid] {
			keep[r.ID] = true
			want := RosterRow{Pos: r.pos(i), Cells: r.Cells}.Normalized()
			have, ok := now[r.ID]
			if ok && have.Pos == want.Pos && reflect.DeepEqual(RosterRow{Pos: have.Pos, Cells: have.Cells}.Normalized(), want) {
				continue
			}
			out = append(out, Change{Target: t(r.ID), Value: want})
		}
		var gone []string
		for id := range now {
			if !keep[id] {
				gone = append(gone, id)
			}
		}
		slices.Sort(gone)
		for _, id := range gone {
			out = append(out, Change{Target: t(id), Value: RosterRow{}})
		}
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
