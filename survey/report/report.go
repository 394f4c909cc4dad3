package report

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// Options choose what a report holds and in which language.
type Options struct {
	// Lang is the language of the report's words and texts: "vi" or "en"; empty means "en".
	Lang string
	// Interviews keeps only these interview ids, in this order; empty means every interview
	// of the questionnaire, in Order's order (province, agency, creation time, id).
	Interviews []string
	// Sections keeps only these section ids (in questionnaire order); empty means all.
	Sections []string
}

// Report is the readiness tables of one questionnaire's interviews.
type Report struct {
	Questionnaire string      `json:"questionnaire"`
	Version       string      `json:"version"`
	Title         string      `json:"title"`
	Lang          string      `json:"lang"`
	Interviews    []Interview `json:"interviews"`
	// Layout lists the sections reported and their questions, so that a streaming writer
	// can lay out its tables (the xlsx sheet per section) before the first interview.
	Layout []SectionLayout `json:"-"`
}

// SectionLayout is a section of a report and its questions, without answers.
type SectionLayout struct {
	ID        string
	Title     string
	Questions []QuestionLayout
	// NoOverall: the section has overall: false, so no Overall column.
	NoOverall bool
}

// QuestionLayout is a question of a SectionLayout, its text in the report language.
type QuestionLayout struct {
	ID, Text string
	Type     survey.QuestionType
	// Columns are a roster's columns (labels in the report language); nil otherwise.
	Columns []TableColumn
}

// Interview is the report of one interview. The respondent's province is kept so that a
// province × section overview can be built from a Report.
type Interview struct {
	ID         string            `json:"id"`
	Respondent survey.Respondent `json:"respondent"`
	// Category is the label of the respondent's stakeholder category in the report language.
	Category string        `json:"category_label,omitempty"`
	Status   survey.Status `json:"status"`
	// Assessor is who made the interview (the signer principal that created it).
	Assessor string `json:"assessor"`
	// Updated is the time of the interview's latest change (survey.TimeFormat, UTC).
	Updated  string    `json:"updated,omitempty"`
	Sections []Section `json:"sections"`
}

// Section is the table of one section (pillar, dimension) of one interview.
type Section struct {
	ID         string            `json:"id"`
	Title      string            `json:"title"`
	Importance survey.Importance `json:"importance,omitempty"`
	Rows       []Row             `json:"rows"`
	// Overall is the section's Overall row; nil for a section with overall: false (a
	// plain survey section, rated by no one).
	Overall *Overall `json:"overall,omitempty"`
}

// Row is one question of a section table.
type Row struct {
	Question   string            `json:"question"`
	Text       string            `json:"text"`
	Importance survey.Importance `json:"importance,omitempty"`
	// Rating is the stable code of a rating answer; Label, Symbol and Color describe its step
	// (label in the report language; symbol so that it reads without colour).
	Rating survey.Code `json:"rating,omitempty"`
	Label  string      `json:"label,omitempty"`
	Symbol string      `json:"symbol,omitempty"`
	Color  string      `json:"color,omitempty"`
	// Value is the answer of a question that is not a rating, rendered as text in the
	// report language (option labels, yes/no, numbers, dates, free text).
	Value   string `json:"value,omitempty"`
	Comment string `json:"comment,omitempty"`
	// Skipped is true when skip logic hides the question: it is not asked, and whatever an
	// earlier answer held is not shown. Answered is true when a relevant question has a
	// rating or a value (a comment or evidence alone is not an answer).
	Skipped  bool              `json:"skipped"`
	Answered bool              `json:"answered"`
	Evidence []survey.Evidence `json:"evidence,omitempty"`
	// Conflict is true when the answer has two competing versions; the newest is shown.
	// For a roster: when one of its rows has.
	Conflict bool `json:"conflict,omitempty"`
	// Table holds the rows of a roster question (nil for other questions and for a
	// roster that is skipped); Value then says how many rows it has.
	Table *Table `json:"table,omitempty"`
}

// Table is the rows of a roster question as a report shows them.
type Table struct {
	Columns []TableColumn `json:"columns"`
	Rows    []TableRow    `json:"rows"`
}

// TableColumn is a column of a roster: its id, its label in the report language, its type.
type TableColumn struct {
	ID    string            `json:"id"`
	Label string            `json:"label"`
	Type  survey.ColumnType `json:"type"`
}

// TableRow is one row of a roster: its id, its number (from 1, in the roster's order), its
// cells as people read them (one per column, "" when empty; yes/no and choice labels in
// the report language, stars as ★★★☆☆ or N/A) and as machines do (Values, by column id:
// text, number, true/false, stars 0–5 or "na"), and whether it has competing versions.
type TableRow struct {
	ID       string         `json:"id"`
	Number   int            `json:"number"`
	Text     []string       `json:"text"`
	Values   map[string]any `json:"values"`
	Conflict bool           `json:"conflict,omitempty"`
}

// Overall is the last row of a section table: the assessor's confirmed rating, or the
// suggested one (Suggested true) when none is confirmed, and the overall comment. Rating is
// empty when nothing is confirmed and nothing can be suggested yet.
type Overall struct {
	Rating    survey.Code `json:"rating,omitempty"`
	Label     string      `json:"label,omitempty"`
	Symbol    string      `json:"symbol,omitempty"`
	Color     string      `json:"color,omitempty"`
	Suggested bool        `json:"suggested"`
	Comment   string      `json:"comment,omitempty"`
	Conflict  bool        `json:"conflict,omitempty"`
}

// Build makes the report of the interviews in states that use questionnaire q. It fails,
// changing nothing, on an unsupported language, an unknown section or interview id in the
// options, or an interview asked for by id that uses another questionnaire.
func Build(q *survey.Questionnaire, states []*survey.InterviewState, o Options) (*Report, error) {
	b, err := NewBuilder(q, o)
	if err != nil {
		return nil, err
	}
	picked, err := pickInterviews(q, states, o.Interviews)
	if err != nil {
		return nil, err
	}
	r := b.Head()
	r.Interviews = make([]Interview, 0, len(picked))
	for _, st := range picked {
		r.Interviews = append(r.Interviews, b.interview(st))
	}
	return r, nil
}

// Builder builds the report of one questionnaire an interview at a time, so that a
// report of any number of interviews can be written as a stream (Stream) without holding
// them all.
type Builder struct {
	q        *survey.Questionnaire
	sections []*survey.Section
	lang     string
}

// NewBuilder checks the options (language, sections; Options.Interviews is the caller's
// business when streaming) and returns a Builder for questionnaire q.
func NewBuilder(q *survey.Questionnaire, o Options) (*Builder, error) {
	if q == nil {
		return nil, errors.New("build report: no questionnaire")
	}
	lang := o.Lang
	if lang == "" {
		lang = survey.LangEN
	}
	if lang != survey.LangEN && lang != survey.LangVI {
		return nil, fmt.Errorf("build report: unsupported language %q (use vi or en)", o.Lang)
	}
	sections, err := pickSections(q, o.Sections)
	if err != nil {
		return nil, err
	}
	return &Builder{q: q, sections: sections, lang: lang}, nil
}

// Head returns the report without interviews: its questionnaire, title and language.
func (b *Builder) Head() *Report {
	r := &Report{Questionnaire: b.q.ID, Version: b.q.Version, Title: b.q.Title.Get(b.lang), Lang: b.lang,
		Interviews: []Interview{}}
	for _, s := range b.sections {
		l := SectionLayout{ID: s.ID, Title: s.Title.Get(b.lang), NoOverall: !s.HasOverall()}
		for _, qu := range s.Questions {
			ql := QuestionLayout{ID: qu.ID, Text: qu.Text.Get(b.lang), Type: qu.Type}
			if qu.Type == survey.TypeRoster {
				ql.Columns = rosterTable(qu, nil, b.lang).Columns
			}
			l.Questions = append(l.Questions, ql)
		}
		r.Layout = append(r.Layout, l)
	}
	return r
}

// Interview builds the report of one interview; one of another questionnaire, or whose
// creating revision has not arrived, is refused.
func (b *Builder) Interview(st *survey.InterviewState) (Interview, error) {
	if st == nil {
		return Interview{}, errors.New("build report: no interview")
	}
	if st.Meta.Questionnaire != b.q.ID {
		if !st.HasMeta() {
			return Interview{}, fmt.Errorf("build report: interview %s: the change that creates it has not arrived yet", st.ID)
		}
		return Interview{}, fmt.Errorf("build report: interview %s uses questionnaire %s, not %s: report it with its own questionnaire",
			st.ID, st.Meta.Questionnaire, b.q.ID)
	}
	return b.interview(st), nil
}

// Each calls fn with interview states one at a time, in the order they are reported (a
// store's EachInterview over ids sorted by Order), and returns fn's first error.
type Each func(fn func(*survey.InterviewState) error) error

// StreamWriter writes a report one interview at a time: Begin with the head of the report
// (Builder.Head), Interview for each interview, End once at the end. The CSV, JSON and
// xlsx writers are StreamWriters, so exports of any size hold one interview in memory.
type StreamWriter interface {
	Begin(head *Report) error
	Interview(in *Interview) error
	End() error
}

// Aborter is a StreamWriter that holds resources (temporary files) to let go of when the
// stream fails before End.
type Aborter interface{ Abort() }

// Stream builds each interview each yields and writes it to w, one at a time. When
// reading or writing fails after Begin, an Aborter w is aborted.
func Stream(b *Builder, each Each, w StreamWriter) error {
	if err := w.Begin(b.Head()); err != nil {
		return err
	}
	err := each(func(st *survey.InterviewState) error {
		in, err := b.Interview(st)
		if err != nil {
			return err
		}
		return w.Interview(&in)
	})
	if err != nil {
		if a, ok := w.(Aborter); ok {
			a.Abort()
		}
		return err
	}
	return w.End()
}

// writeAll writes a built report through a StreamWriter.
func writeAll(w StreamWriter, r *Report) error {
	if err := w.Begin(r); err != nil {
		return err
	}
	for i := range r.Interviews {
		if err := w.Interview(&r.Interviews[i]); err != nil {
			return err
		}
	}
	return w.End()
}

// Key is what orders the interviews of a report: province, then agency (in Vietnamese
// alphabetical order), then creation time, then id. Keys come from the store's summaries,
// so that an export can be ordered before any interview is read.
type Key struct {
	ID, Province, Agency string
	Created              time.Time
}

// KeyOf is the order key of an interview summary.
func KeyOf(s survey.Summary) Key {
	return Key{ID: s.ID, Province: s.Province, Agency: s.Agency, Created: s.Created}
}

// Order returns the ids of keys in report order. It keeps a binary collation key per
// distinct province and agency, and a few words per interview, never the interviews.
func Order(keys []Key) []string {
	type sortKey struct {
		prov, agency []byte
		created      int64
		id           string
	}
	var buf collate.Buffer
	col := collate.New(language.Vietnamese)
	// Many interviews share a province or an agency: one collation key each.
	cache := map[string][]byte{}
	key := func(s string) []byte {
		k, ok := cache[s]
		if !ok {
			k = slices.Clone(col.KeyFromString(&buf, s))
			buf.Reset()
			cache[s] = k
		}
		return k
	}
	sk := make([]sortKey, len(keys))
	for i, k := range keys {
		sk[i] = sortKey{prov: key(k.Province), agency: key(k.Agency), created: k.Created.UnixMilli(), id: k.ID}
	}
	slices.SortStableFunc(sk, func(a, b sortKey) int {
		if c := bytes.Compare(a.prov, b.prov); c != 0 {
			return c
		}
		if c := bytes.Compare(a.agency, b.agency); c != 0 {
			return c
		}
		if c := cmp.Compare(a.created, b.created); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
	out := make([]string, len(sk))
	for i, k := range sk {
		out[i] = k.id
	}
	return out
}

func pickSections(q *survey.Questionnaire, ids []string) ([]*survey.Section, error) {
	if len(ids) == 0 {
		return q.Sections, nil
	}
	want := map[string]bool{}
	for _, id := range ids {
		if _, ok := q.Section(id); !ok {
			have := make([]string, len(q.Sections))
			for i, s := range q.Sections {
				have[i] = s.ID
			}
			return nil, fmt.Errorf("build report: questionnaire %s has no section %q (its sections: %s)",
				q.ID, id, strings.Join(have, ", "))
		}
		want[id] = true
	}
	var out []*survey.Section
	for _, s := range q.Sections {
		if want[s.ID] {
			out = append(out, s)
		}
	}
	return out, nil
}

// pickInterviews returns the states to report: the ones named, in that order, or every
// state of questionnaire q, sorted by province, agency, date and id.
func pickInterviews(q *survey.Questionnaire, states []*survey.InterviewState, ids []string) ([]*survey.InterviewState, error) {
	byID := map[string]*survey.InterviewState{}
	for _, st := range states {
		if st == nil {
			continue
		}
		if _, dup := byID[st.ID]; dup {
			return nil, fmt.Errorf("build report: interview %s is given twice", st.ID)
		}
		byID[st.ID] = st
	}
	if len(ids) > 0 {
		var out []*survey.InterviewState
		seen := map[string]bool{}
		for _, id := range ids {
			if seen[id] {
				continue
			}
			seen[id] = true
			st, ok := byID[id]
			if !ok {
				return nil, fmt.Errorf("build report: no interview %q", id)
			}
			if st.HasMeta() && st.Meta.Questionnaire != q.ID {
				return nil, fmt.Errorf("build report: interview %s uses questionnaire %s, not %s: report it with its own questionnaire",
					id, st.Meta.Questionnaire, q.ID)
			}
			out = append(out, st)
		}
		return out, nil
	}
	var out []*survey.InterviewState
	for _, st := range states {
		// An interview whose creating revision has not arrived cannot be told apart from
		// another questionnaire's: it is reported only when asked for by id.
		if st != nil && st.Meta.Questionnaire == q.ID {
			out = append(out, st)
		}
	}
	keys := make([]Key, len(out))
	for i, st := range out {
		keys[i] = Key{ID: st.ID, Province: st.Respondent.Province, Agency: st.Respondent.Agency, Created: st.Created}
	}
	for i, id := range Order(keys) {
		out[i] = byID[id]
	}
	return out, nil
}

func (b *Builder) interview(st *survey.InterviewState) Interview {
	q, sections, lang := b.q, b.sections, b.lang
	in := Interview{ID: st.ID, Respondent: st.Respondent, Assessor: st.Meta.Assessor, Status: st.Status.Status,
		Sections: make([]Section, 0, len(sections))}
	if !st.Updated.IsZero() {
		in.Updated = st.Updated.UTC().Format(survey.TimeFormat)
	}
	if c := st.Respondent.Category; c != "" {
		in.Category = c
		for _, opt := range q.Categories() {
			if opt.Code == c {
				in.Category = opt.Label.Get(lang)
			}
		}
	}
	conflicts := map[survey.Target]bool{}
	for _, c := range st.Conflicts {
		conflicts[c.Target] = true
	}
	answers := st.Answers
	if answers == nil {
		answers = survey.Answers{}
	}
	for _, s := range sections {
		sec := Section{ID: s.ID, Title: s.Title.Get(lang), Importance: s.Importance, Rows: make([]Row, 0, len(s.Questions))}
		for _, qu := range s.Questions {
			row := Row{Question: qu.ID, Text: qu.Text.Get(lang), Importance: qu.Importance,
				Conflict: conflicts[survey.Target{Interview: st.ID, Kind: survey.KindAnswer, Key: qu.ID}]}
			if !q.Relevant(qu, answers) {
				row.Skipped = true
				sec.Rows = append(sec.Rows, row)
				continue
			}
			if qu.Type == survey.TypeRoster {
				row.Table = rosterTable(qu, nil, lang) // its columns, even without rows
			}
			a, ok := answers[qu.ID]
			if ok {
				row.Answered = a.HasValue()
				row.Comment = a.Comment
				row.Evidence = slices.Clone(a.Evidence)
				if mark := q.NeutralMark(); mark != string(survey.Neutral) {
					// Neutral or mixed evidence as the method writes it (ODRA: o).
					for i := range row.Evidence {
						if row.Evidence[i].Polarity == survey.Neutral {
							row.Evidence[i].Polarity = survey.Polarity(mark)
						}
					}
				}
				if qu.Type == survey.TypeRating {
					if a.Rating != "" {
						row.Rating = a.Rating
						row.Label, row.Symbol, row.Color = stepOf(q.ScaleOf(qu), a.Rating, lang)
					}
				} else if qu.Type == survey.TypeRoster {
					row.Table = rosterTable(qu, survey.RosterOf(answers, qu.ID), lang)
					row.Value = rowsText(len(row.Table.Rows), lang)
					for _, tr := range row.Table.Rows {
						row.Conflict = row.Conflict || tr.Conflict
					}
				} else {
					row.Value = renderValue(qu, a.Value, lang)
				}
			}
			sec.Rows = append(sec.Rows, row)
		}
		if !s.HasOverall() {
			in.Sections = append(in.Sections, sec) // no Overall row
			continue
		}
		sec.Overall = &Overall{}
		sum := st.Sections[s.ID]
		sec.Overall.Comment = sum.Comment
		sec.Overall.Conflict = conflicts[survey.Target{Interview: st.ID, Kind: survey.KindSection, Key: s.ID}]
		if sum.Rating != "" {
			sec.Overall.Rating = sum.Rating
		} else if sg, ok := q.Suggest(s, answers); ok {
			sec.Overall.Rating = sg.Rating
			sec.Overall.Suggested = true
		}
		if sec.Overall.Rating != "" {
			sec.Overall.Label, sec.Overall.Symbol, sec.Overall.Color = stepOf(q.SectionScale(s), sec.Overall.Rating, lang)
		}
		in.Sections = append(in.Sections, sec)
	}
	return in
}

// rosterTable is the table of roster question qu with rows r (nil: none yet).
func rosterTable(qu *survey.Question, r *survey.Roster, lang string) *Table {
	t := &Table{Columns: make([]TableColumn, len(qu.Columns)), Rows: []TableRow{}}
	for i, c := range qu.Columns {
		t.Columns[i] = TableColumn{ID: c.ID, Label: c.Label.Get(lang), Type: c.Type}
	}
	for i, row := range r.Rows() {
		tr := TableRow{ID: row.ID, Number: i + 1, Text: make([]string, len(qu.Columns)), Values: map[string]any{}, Conflict: row.Conflict}
		for j := range qu.Columns {
			c := &qu.Columns[j]
			v, ok := row.Cells[c.ID]
			if !ok {
				continue
			}
			tr.Values[c.ID] = v
			tr.Text[j] = cellText(c, v, lang)
		}
		t.Rows = append(t.Rows, tr)
	}
	return t
}

// cellText writes a roster cell as people read it in lang (Vietnamese writes 42,5).
func cellText(c *survey.Column, v any, lang string) string {
	if b, ok := v.(bool); ok && c.Type == survey.ColumnYesNo {
		if b {
			return word(lang, "yes")
		}
		return word(lang, "no")
	}
	if f, ok := v.(float64); ok && c.Type == survey.ColumnNumber {
		n := strconv.FormatFloat(f, 'f', -1, 64)
		if lang == survey.LangVI {
			n = strings.Replace(n, ".", ",", 1)
		}
		return n
	}
	return c.CellText(v, lang)
}

// rowsText says how many rows a roster has: "3 rows", "3 dòng".
func rowsText(n int, lang string) string {
	if lang == survey.LangVI {
		return strconv.Itoa(n) + " dòng"
	}
	if n == 1 {
		return "1 row"
	}
	return strconv.Itoa(n) + " rows"
}

// stepOf describes rating c on scale sc; a code the scale does not know (a questionnaire
// changed after the answer) is shown as itself rather than hidden.
func stepOf(sc *survey.Scale, c survey.Code, lang string) (label, symbol, color string) {
	st, ok := sc.Step(c)
	if !ok {
		return string(c), "", ""
	}
	return st.Label.Get(lang), st.Symbol, st.Color
}

// renderValue writes the value of a question that is not a rating as text: option labels
// for choices, yes or no, numbers without trailing zeros, dates and text as they are.
func renderValue(qu *survey.Question, v any, lang string) string {
	option := func(code string) string {
		for _, o := range qu.Options {
			if o.Code == code {
				return o.Label.Get(lang)
			}
		}
		return code
	}
	switch x := v.(type) {
	case nil:
		return ""
	case bool:
		if x {
			return word(lang, "yes")
		}
		return word(lang, "no")
	case float64:
		n := strconv.FormatFloat(x, 'f', -1, 64)
		if lang == survey.LangVI {
			n = strings.Replace(n, ".", ",", 1) // Vietnamese writes 42,5
		}
		return n
	case string:
		if qu.Type == survey.TypeSingle {
			return option(x)
		}
		return x
	case []string:
		out := make([]string, len(x))
		for i, c := range x {
			out[i] = option(c)
		}
		return strings.Join(out, "; ")
	case []any:
		out := make([]string, len(x))
		for i, c := range x {
			out[i] = option(fmt.Sprint(c))
		}
		return strings.Join(out, "; ")
	}
	return fmt.Sprint(v)
}
