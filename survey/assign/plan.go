package assign

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// Columns are the columns of a plan CSV file, named in its first line (any order, any
// case); questionnaire, agency, province and assessor are required, due and note optional.
var Columns = []string{"questionnaire", "agency", "province", "assessor", "due", "note"}

var requiredColumns = map[string]bool{"questionnaire": true, "agency": true, "province": true, "assessor": true}

// RowError is one bad cell (or line) of a plan file.
type RowError struct {
	File   string
	Line   int
	Column string // empty for a problem of the whole line
	Msg    survey.Text
}

// Text returns "FILE:LINE: column: message" in lang.
func (e RowError) Text(lang string) string {
	if e.Column == "" {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg.Get(lang))
	}
	return fmt.Sprintf("%s:%d: %s: %s", e.File, e.Line, e.Column, e.Msg.Get(lang))
}

// PlanError lists every bad row of a plan; nothing of the plan is written.
type PlanError []RowError

func (e PlanError) Error() string {
	lines := make([]string, len(e))
	for i, r := range e {
		lines[i] = r.Text(survey.LangEN)
	}
	return strings.Join(lines, "\n")
}

// ErrEmptyPlan: a plan file with a header and no assignment.
var ErrEmptyPlan = errors.New("the plan holds no assignment")

// Row is one assignment of a plan with the line it was read from.
type Row struct {
	Line int
	Assignment
}

// ReadPlan reads a plan CSV (comma-separated, UTF-8, a header line naming the Columns) from
// r, named name in messages, and checks every row with c. It returns every row, or a
// PlanError listing every bad one (FILE:LINE: column: message), or another error when r
// cannot be read.
func ReadPlan(name string, r io.Reader, c Checker) ([]Row, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, PlanError{{File: name, Line: 1, Msg: survey.T(
			"empty file: the first line names the columns "+strings.Join(Columns, ","),
			"tệp rỗng: dòng đầu nêu tên các cột "+strings.Join(Columns, ","))}}
	}
	if err != nil {
		return nil, csvError(name, err)
	}
	var errs PlanError
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		known := false
		for _, k := range Columns {
			known = known || h == k
		}
		switch {
		case !known:
			errs = append(errs, RowError{File: name, Line: 1, Column: h, Msg: survey.T(
				"unknown column (expected "+strings.Join(Columns, ", ")+")",
				"cột không hợp lệ (cần là "+strings.Join(Columns, ", ")+")")})
		case col[h] != 0:
			errs = append(errs, RowError{File: name, Line: 1, Column: h, Msg: survey.T("column named twice", "cột bị nêu hai lần")})
		default:
			col[h] = i + 1
		}
	}
	for _, k := range Columns {
		if requiredColumns[k] && col[k] == 0 {
			errs = append(errs, RowError{File: name, Line: 1, Column: k, Msg: survey.T(
				"missing column: the first line names the columns "+strings.Join(Columns, ","),
				"thiếu cột: dòng đầu nêu tên các cột "+strings.Join(Columns, ","))})
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	var rows []Row
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, append(errs, csvRowError(name, err))
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line
		}
		if len(rec) > len(header) {
			errs = append(errs, RowError{File: name, Line: line, Msg: survey.T(
				fmt.Sprintf("%d fields, the header names %d", len(rec), len(header)),
				fmt.Sprintf("%d trường, dòng đầu nêu %d cột", len(rec), len(header)))})
			continue
		}
		get := func(k string) string {
			if i := col[k]; i != 0 && i <= len(rec) {
				return rec[i-1]
			}
			return ""
		}
		a, probs := c.Check(Assignment{Questionnaire: get("questionnaire"), Agency: get("agency"),
			Province: get("province"), Assignee: get("assessor"), Due: get("due"), Note: get("note")})
		for _, p := range probs {
			errs = append(errs, RowError{File: name, Line: line, Column: p.Column, Msg: p.Msg})
		}
		rows = append(rows, Row{Line: line, Assignment: a})
	}
	if len(errs) > 0 {
		return nil, errs
	}
	if len(rows) == 0 {
		return nil, PlanError{{File: name, Line: 2, Msg: survey.T(ErrEmptyPlan.Error()+": one line per interview after the header",
			"kế hoạch không có phân công nào: mỗi dòng sau dòng đầu là một cuộc phỏng vấn")}}
	}
	return rows, nil
}

func csvRowError(name string, err error) RowError {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return RowError{File: name, Line: pe.Line, Msg: survey.T("not CSV: "+pe.Err.Error(), "không phải CSV: "+pe.Err.Error())}
	}
	return RowError{File: name, Line: 0, Msg: survey.T(err.Error(), err.Error())}
}

func csvError(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return PlanError{csvRowError(name, err)}
	}
	return fmt.Errorf("read %s: %w", name, err)
}
