package report

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// JSONFormat is the value of the format field of a JSON report.
const JSONFormat = "fieldsurvey-report/1"

// WriteJSON writes r as one indented JSON document with a format field (JSONFormat) and the
// stable field names of Report; ratings are codes. The same report always gives the same
// bytes. Control characters in the text are escaped (\u001b), never written raw.
func WriteJSON(w io.Writer, r *Report) error {
	if r == nil {
		return errors.New("write json report: no report")
	}
	return writeAll(NewJSONWriter(w), r)
}

// NewJSONWriter returns a StreamWriter that writes the same document as WriteJSON, one
// interview at a time.
func NewJSONWriter(w io.Writer) StreamWriter {
	f := &controlFilter{json: true}
	jw := &jsonWriter{f: f, bw: bufio.NewWriter(f)}
	f.w = w
	return jw
}

type jsonWriter struct {
	f   *controlFilter
	bw  *bufio.Writer
	n   int
	buf bytes.Buffer
	enc *json.Encoder
}

func (j *jsonWriter) Begin(r *Report) error {
	if r == nil {
		return errors.New("write json report: no report")
	}
	j.enc = json.NewEncoder(&j.buf)
	j.enc.SetEscapeHTML(false)
	j.bw.WriteString("{\n  \"format\": " + jsonString(JSONFormat) + ",\n")
	for _, f := range [][2]string{{"questionnaire", r.Questionnaire}, {"version", r.Version}, {"title", r.Title}, {"lang", r.Lang}} {
		j.bw.WriteString("  " + jsonString(f[0]) + ": " + jsonString(f[1]) + ",\n")
	}
	j.bw.WriteString(`  "interviews": [`)
	j.enc.SetIndent("    ", "  ")
	return nil
}

func (j *jsonWriter) Interview(in *Interview) error {
	j.buf.Reset()
	if err := j.enc.Encode(in); err != nil {
		return fmt.Errorf("write json report: %w", err)
	}
	if j.n > 0 {
		j.bw.WriteString(",")
	}
	j.n++
	j.bw.WriteString("\n    ")
	j.bw.Write(bytes.TrimSuffix(j.buf.Bytes(), []byte("\n")))
	return j.flushSome()
}

// flushSome passes the buffer on when it is large, so that a write error shows early.
func (j *jsonWriter) flushSome() error {
	if j.bw.Buffered() < 1<<16 {
		return nil
	}
	if err := j.bw.Flush(); err != nil {
		return fmt.Errorf("write json report: %w", err)
	}
	return nil
}

func (j *jsonWriter) End() error {
	if j.n > 0 {
		j.bw.WriteString("\n  ")
	}
	j.bw.WriteString("]\n}\n")
	if err := j.bw.Flush(); err != nil {
		return fmt.Errorf("write json report: %w", err)
	}
	if err := j.f.Close(); err != nil {
		return fmt.Errorf("write json report: %w", err)
	}
	return nil
}

func jsonString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	return string(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
}

// CSVHeader is the header row of a CSV report: a long table with one row per interview ×
// question (kind "question") and, after a section's questions, one row for the section's
// overall rating (kind "overall", question empty). The columns:
//
//	interview         the interview id
//	questionnaire     questionnaire id and version
//	version
//	status            draft, completed, submitted, approved, returned, reopened
//	assessor          who made the interview
//	agency            the respondent's agency, province (or ministry), role,
//	province          stakeholder category code and interview date
//	role
//	category
//	date
//	section           section id and title (report language)
//	section_title
//	kind              question or overall
//	question          question id and text (report language)
//	question_text
//	importance        very-high, high, medium-high, medium or empty
//	rating            the rating code (red … green, not-assessed, dont-know, …)
//	label             the rating's label in the report language
//	value             the answer of a question that is not a rating, as text
//	comment           the comment (overall: the section's overall comment)
//	evidence_plus     how many evidence items are +, -, 0 (in scope), and out of scope
//	evidence_minus
//	evidence_neutral
//	evidence_out_of_scope
//	suggested         overall rows: true when the rating is the suggested one
//	answered          question rows: true when it has a rating or a value
//	skipped           question rows: true when skip logic hides it
//	conflict          true when the answer has two competing versions
//	updated           the time of the interview's latest change (UTC)
//	row               row lines: the row's number in its roster (from 1)
//	row_id            row lines: the row's stable id
//	cells             row lines: the row's cells as a JSON object by column id (text,
//	                  numbers, true/false, stars 0–5 or "na")
//
// A roster question has its question line (value: how many rows) followed by one line of
// kind "row" per row: question and question_text are the roster's, value its cells as
// people read them ("Agency: …; Openness: ★★★☆☆"), conflict whether the row has competing
// versions, and row, row_id and cells as above.
//
// Fields that do not apply are empty. Columns may be added at the end, never renamed.
var CSVHeader = []string{"interview", "questionnaire", "version", "status", "assessor",
	"agency", "province", "role", "category", "date", "section", "section_title", "kind",
	"question", "question_text", "importance", "rating", "label", "value", "comment",
	"evidence_plus", "evidence_minus", "evidence_neutral", "evidence_out_of_scope",
	"suggested", "answered", "skipped", "conflict", "updated", "row", "row_id", "cells"}

// CSVOptions choose details of a CSV report.
type CSVOptions struct {
	// BOM starts the file with a UTF-8 byte-order mark, which Excel needs to read UTF-8
	// (without it, Vietnamese shows as mojibake); other tools read the mark as part of the
	// first column's name, so it is not the default.
	BOM bool
}

// WriteCSV writes r as the long CSV table (RFC 4180, UTF-8, header row CSVHeader).
func WriteCSV(w io.Writer, r *Report, o CSVOptions) error {
	if r == nil {
		return errors.New("write csv report: no report")
	}
	return writeAll(NewCSVWriter(w, o), r)
}

// NewCSVWriter returns a StreamWriter that writes the long CSV table one interview at a
// time.
func NewCSVWriter(w io.Writer, o CSVOptions) StreamWriter {
	return &csvWriter{out: w, o: o}
}

type csvWriter struct {
	out  io.Writer
	o    CSVOptions
	f    *controlFilter
	bw   *bufio.Writer
	cw   *csv.Writer
	head *Report
	rec  []string
	long LongRows
}

func (c *csvWriter) Begin(r *Report) error {
	if r == nil {
		return errors.New("write csv report: no report")
	}
	if c.o.BOM {
		if _, err := io.WriteString(c.out, "\uFEFF"); err != nil {
			return fmt.Errorf("write csv report: %w", err)
		}
	}
	c.head = r
	c.f = &controlFilter{w: c.out}
	c.bw = bufio.NewWriterSize(c.f, 1<<16)
	c.cw = csv.NewWriter(c.bw)
	c.rec = make([]string, len(CSVHeader))
	return c.cw.Write(CSVHeader)
}

func (c *csvWriter) Interview(in *Interview) error {
	rows := c.long.Rows(c.head, in, true)
	for i := range rows {
		rows[i].strings(c.rec)
		if err := c.cw.Write(c.rec); err != nil {
			return fmt.Errorf("write csv report: %w", err)
		}
	}
	return c.cw.Error()
}

func (c *csvWriter) End() error {
	c.cw.Flush()
	if err := c.cw.Error(); err != nil {
		return fmt.Errorf("write csv report: %w", err)
	}
	if err := c.bw.Flush(); err != nil {
		return fmt.Errorf("write csv report: %w", err)
	}
	if err := c.f.Close(); err != nil {
		return fmt.Errorf("write csv report: %w", err)
	}
	return nil
}

// LongRow is one row of the long table (CSV, xlsx): an interview × question, or a
// section's overall row. Every text is already safe for a spreadsheet cell (cellText).
type LongRow struct {
	Interview, Questionnaire, Version, Status, Assessor string
	Agency, Province, Role, Category, Date              string
	Section, SectionTitle, Kind, Question, QuestionText string
	Importance, Rating, Label, Value, Comment           string
	EvidencePlus, EvidenceMinus, EvidenceNeutral        int
	EvidenceOutOfScope                                  int
	// Suggested, Answered and Skipped are "true", "false" or "" where they do not apply.
	Suggested, Answered, Skipped string
	Conflict                     bool
	Updated                      string
	// Row (from 1), RowID and Cells (JSON) are set on the lines of kind "row" only.
	Row          int
	RowID, Cells string
}

// LongRows makes the rows of the long table (CSV, xlsx), one interview at a time. It keeps
// the texts that are the same for every interview (section titles, question texts) made
// safe once, and reuses its row buffer: the rows Rows returns are valid until its next
// call. The zero LongRows is ready to use; it must not be shared between reports.
type LongRows struct {
	rows  []LongRow
	texts map[string]string
}

// Rows returns the long-table rows of interview in of report head, in section order,
// each section's questions then its overall row. formula says the cells are for CSV (a
// cell that would be a formula starts with '); xlsx writes strings, never formulas.
func (l *LongRows) Rows(head *Report, in *Interview, formula bool) []LongRow {
	t := func(s string) string { return CellText(s, formula) }
	if l.texts == nil {
		l.texts = map[string]string{}
	}
	// same is t for texts that repeat in every interview: computed once.
	same := func(s string) string {
		v, ok := l.texts[s]
		if !ok {
			v = t(s)
			l.texts[s] = v
		}
		return v
	}
	base := LongRow{Interview: t(in.ID), Questionnaire: same(head.Questionnaire), Version: same(head.Version),
		Status: same(string(in.Status)), Assessor: t(in.Assessor), Agency: t(in.Respondent.Agency),
		Province: t(in.Respondent.Province), Role: t(in.Respondent.Role), Category: t(in.Respondent.Category),
		Date: t(in.Respondent.Date), Updated: t(in.Updated)}
	b := strconv.FormatBool
	out := l.rows[:0]
	for _, s := range in.Sections {
		base.Section, base.SectionTitle = same(s.ID), same(s.Title)
		for _, row := range s.Rows {
			r := base
			r.Kind, r.Question, r.QuestionText = "question", same(row.Question), same(row.Text)
			r.Importance, r.Rating, r.Label = string(row.Importance), same(string(row.Rating)), same(row.Label)
			r.Value, r.Comment = t(row.Value), t(row.Comment)
			for _, e := range row.Evidence {
				switch {
				case !e.InScope:
					r.EvidenceOutOfScope++
				case e.Polarity == survey.Plus:
					r.EvidencePlus++
				case e.Polarity == survey.Minus:
					r.EvidenceMinus++
				default:
					r.EvidenceNeutral++
				}
			}
			r.Answered, r.Skipped, r.Conflict = b(row.Answered), b(row.Skipped), row.Conflict
			out = append(out, r)
			if row.Table != nil && !row.Skipped {
				out = appendTableRows(out, base, row, t, same)
			}
		}
		if o := s.Overall; o != nil { // none for a section with overall: false
			r := base
			r.Kind, r.Importance, r.Rating, r.Label = "overall", string(s.Importance), same(string(o.Rating)), same(o.Label)
			r.Comment, r.Suggested, r.Conflict = t(o.Comment), b(o.Suggested), o.Conflict
			out = append(out, r)
		}
	}
	l.rows = out
	return out
}

// appendTableRows appends a line of kind "row" per row of roster row.Table.
func appendTableRows(out []LongRow, base LongRow, row Row, t, same func(string) string) []LongRow {
	for _, tr := range row.Table.Rows {
		r := base
		r.Kind, r.Question, r.QuestionText = "row", same(row.Question), same(row.Text)
		var parts []string
		for i, c := range row.Table.Columns {
			if tr.Text[i] != "" {
				parts = append(parts, c.Label+": "+tr.Text[i])
			}
		}
		r.Value = t(strings.Join(parts, "; "))
		r.Conflict, r.Row, r.RowID = tr.Conflict, tr.Number, t(tr.ID)
		cells, err := json.Marshal(tr.Values) // map keys sorted: the same bytes every time
		if err == nil {
			r.Cells = t(string(cells))
		}
		out = append(out, r)
	}
	return out
}

// strings fills rec (len(CSVHeader)) with the row's cells in CSVHeader's order; the
// evidence counts are empty on overall rows, where they do not apply.
func (r *LongRow) strings(rec []string) {
	rec[0], rec[1], rec[2], rec[3], rec[4] = r.Interview, r.Questionnaire, r.Version, r.Status, r.Assessor
	rec[5], rec[6], rec[7], rec[8], rec[9] = r.Agency, r.Province, r.Role, r.Category, r.Date
	rec[10], rec[11], rec[12], rec[13], rec[14] = r.Section, r.SectionTitle, r.Kind, r.Question, r.QuestionText
	rec[15], rec[16], rec[17], rec[18], rec[19] = r.Importance, r.Rating, r.Label, r.Value, r.Comment
	if r.Kind == "overall" {
		rec[20], rec[21], rec[22], rec[23] = "", "", "", ""
	} else {
		rec[20], rec[21], rec[22], rec[23] = small(r.EvidencePlus), small(r.EvidenceMinus), small(r.EvidenceNeutral), small(r.EvidenceOutOfScope)
	}
	rec[24], rec[25], rec[26], rec[27], rec[28] = r.Suggested, r.Answered, r.Skipped, strconv.FormatBool(r.Conflict), r.Updated
	rec[29], rec[30], rec[31] = "", r.RowID, r.Cells
	if r.Kind == "row" {
		rec[29] = strconv.Itoa(r.Row)
		rec[20], rec[21], rec[22], rec[23] = "", "", "", ""
	}
}

// small is strconv.Itoa without an allocation for the counts evidence usually has.
func small(n int) string {
	if n >= 0 && n < 10 {
		return "0123456789"[n : n+1]
	}
	return strconv.Itoa(n)
}
