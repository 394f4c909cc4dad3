// Package xlsx writes a report as an Excel workbook (.xlsx), for analysts: the long table
// of the CSV report on its own sheet, and one sheet per section with a column per question
// and a row per interview.
//
// It is apart from package report because the excelize library it uses links net/http,
// which the report domain must not; it adds no logic of its own to the report, only the
// layout of sheets. It writes through excelize's StreamWriter, one interview at a time, so
// memory does not grow with the number of interviews: the long table goes to its sheet as
// it comes (a StreamWriter keeps 16 MB in memory, then a temporary file), while each
// section's rows wait in a small temporary file of their own and go to their sheet, one
// sheet after another, at the end. excelize keeps every StreamWriter's 16 MB buffer until
// the workbook is written, even after its sheet is finished; the writer empties that buffer
// once the sheet's rows are all in its temporary file (releaseBuffer), so that a workbook
// of 20 sheets needs the memory of one; and the zip is written straight to the output,
// not built in memory first as excelize's Write does.
//
// Limit: a sheet whose XML passes 4 GB (Excel's row limit makes that need texts of
// thousands of characters in most cells) is written as zip64 without the local-header
// mark excelize adds for Excel when it builds the zip in memory.
//
// Guarantees:
//   - Every cell from an interview is written as a string (inline string), never as a
//     formula, whatever it starts with; control characters are dropped.
//   - The long table has the columns of report.CSVHeader in that order. Excel holds at
//     most 1,048,576 rows a sheet: past that the table goes on in a sheet of the same
//     name followed by " (2)", " (3)", …, each with the header row.
//   - A text longer than Excel's cell limit (32,767 characters) is cut with a mark that
//     says so; the CSV and JSON reports hold it whole.
package xlsx

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf16"
	"unsafe"

	"github.com/xuri/excelize/v2"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/report"
)

// MaxRows is the number of rows a sheet holds (Excel's limit), header row included.
var MaxRows = excelize.TotalRows

// cellLimit is Excel's longest cell text, in UTF-16 code units.
const cellLimit = excelize.TotalCellChars

// New returns a report.StreamWriter that writes the workbook to w when it ends.
func New(w io.Writer) report.StreamWriter { return &writer{out: w} }

type writer struct {
	out     io.Writer
	f       *excelize.File
	head    *report.Report
	header  int    // style of header rows
	cutMark string // ends a text cut at Excel's cell limit

	rows     report.LongRows
	long     *excelize.StreamWriter
	longName string
	longPart int
	longRow  int
	row      []any

	sections []*sectionSheet
}

type sectionSheet struct {
	id string
	// roster, when set, makes this the sheet of roster question roster: a row per roster
	// row (the interview's columns, #, then the roster's columns) instead of a section's.
	roster string
	name   string
	header []any
	rows   int
	col    map[string]int // question id → column (0-based) after the interview columns
	buf    []string
	staged *os.File // the rows, as CSV, until End writes the sheet
	csv    *csv.Writer
	bw     *bufio.Writer
}

// words of the workbook, in both languages.
var words = map[string]survey.Text{
	"answers":   survey.T("Answers", "Câu trả lời"),
	"interview": survey.T("Interview", "Phỏng vấn"),
	"status":    survey.T("Status", "Trạng thái"),
	"assessor":  survey.T("Assessor", "Người đánh giá"),
	"agency":    survey.T("Agency", "Cơ quan"),
	"province":  survey.T("Province or ministry", "Tỉnh hoặc bộ"),
	"date":      survey.T("Date", "Ngày"),
	"overall":   survey.T("Overall", "Đánh giá chung"),
	"suggested": survey.T("suggested", "gợi ý"),
	"cut": survey.T("[cut at Excel's cell limit: the CSV and JSON reports hold the whole text]",
		"[bị cắt do giới hạn ô của Excel: báo cáo CSV và JSON có đầy đủ nội dung]"),
}

func (w *writer) word(key string) string { return words[key].Get(w.head.Lang) }

// sectionColumns are the interview columns that start every section sheet.
var sectionColumns = []string{"interview", "status", "assessor", "agency", "province", "date"}

func (w *writer) Begin(head *report.Report) (err error) {
	defer func() {
		if err != nil {
			w.cleanup()
		}
	}()
	if head == nil {
		return errors.New("write xlsx report: no report")
	}
	w.head = head
	w.cutMark = " … " + w.word("cut")
	w.f = excelize.NewFile()
	if w.header, err = w.f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}}); err != nil {
		return w.fail(err)
	}
	w.longName = w.word("answers")
	if err := w.f.SetSheetName("Sheet1", w.longName); err != nil {
		return w.fail(err)
	}
	if err := w.startLong(w.longName); err != nil {
		return err
	}
	used := map[string]bool{strings.ToLower(w.longName): true}
	for _, l := range head.Layout {
		s := &sectionSheet{id: l.ID, name: sheetName(l.ID+" "+l.Title, used), col: map[string]int{}}
		for _, c := range sectionColumns {
			s.header = append(s.header, w.word(c))
		}
		for i, qu := range l.Questions {
			s.col[qu.ID] = i
			s.header = append(s.header, qu.ID)
		}
		if !l.NoOverall {
			s.header = append(s.header, w.word("overall"))
		}
		s.buf = make([]string, len(s.header))
		f, err := os.CreateTemp("", "fieldsurvey-xlsx-")
		if err != nil {
			return w.fail(err)
		}
		s.staged, s.bw = f, bufio.NewWriterSize(f, 1<<16)
		s.csv = csv.NewWriter(s.bw)
		w.sections = append(w.sections, s)
	}
	for _, l := range head.Layout {
		for _, qu := range l.Questions {
			if qu.Type != survey.TypeRoster {
				continue
			}
			s := &sectionSheet{roster: qu.ID, name: sheetName(qu.ID+" "+qu.Text, used)}
			for _, c := range sectionColumns {
				s.header = append(s.header, w.word(c))
			}
			s.header = append(s.header, "#")
			for _, c := range qu.Columns {
				s.header = append(s.header, c.Label)
			}
			s.buf = make([]string, len(s.header))
			f, err := os.CreateTemp("", "fieldsurvey-xlsx-")
			if err != nil {
				return w.fail(err)
			}
			s.staged, s.bw = f, bufio.NewWriterSize(f, 1<<16)
			s.csv = csv.NewWriter(s.bw)
			w.sections = append(w.sections, s)
		}
	}
	return nil
}

func frozenHeader() *excelize.Panes {
	return &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}
}

// startLong opens a sheet of the long table, writing its header row.
func (w *writer) startLong(name string) error {
	if w.longPart > 0 {
		if _, err := w.f.NewSheet(name); err != nil {
			return w.fail(err)
		}
	}
	w.longPart++
	sw, err := w.f.NewStreamWriter(name)
	if err != nil {
		return w.fail(err)
	}
	if err := sw.SetPanes(frozenHeader()); err != nil {
		return w.fail(err)
	}
	hdr := make([]any, len(report.CSVHeader))
	for i, h := range report.CSVHeader {
		hdr[i] = h
	}
	if err := sw.SetRow("A1", hdr, excelize.RowOpts{StyleID: w.header}); err != nil {
		return w.fail(err)
	}
	w.long, w.longRow = sw, 1
	w.row = make([]any, len(report.CSVHeader))
	return nil
}

func (w *writer) Interview(in *report.Interview) error {
	for _, r := range w.rows.Rows(w.head, in, false) {
		if w.longRow >= MaxRows {
			if err := w.long.Flush(); err != nil {
				return w.fail(err)
			}
			releaseBuffer(w.long)
			if err := w.startLong(fmt.Sprintf("%s (%d)", w.longName, w.longPart+1)); err != nil {
				return err
			}
		}
		w.longRow++
		longCells(w.row, &r, w.cutMark)
		if err := w.long.SetRow(cellRef(1, w.longRow), w.row); err != nil {
			return w.fail(err)
		}
	}
	for i := range in.Sections {
		if err := w.sectionRow(in, &in.Sections[i]); err != nil {
			return err
		}
		for _, row := range in.Sections[i].Rows {
			if row.Table != nil && !row.Skipped {
				if err := w.rosterRows(in, row); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// rosterRows stages the rows of roster row.Table on the roster's sheet.
func (w *writer) rosterRows(in *report.Interview, row report.Row) error {
	var sh *sectionSheet
	for _, x := range w.sections {
		if x.roster == row.Question {
			sh = x
		}
	}
	if sh == nil {
		return w.fail(fmt.Errorf("interview %s has roster %s, which the report's layout lacks", in.ID, row.Question))
	}
	cell := func(v string) string { return fit(report.CellText(v, false), w.cutMark) }
	n := len(sectionColumns)
	for _, tr := range row.Table.Rows {
		if sh.rows+1 >= MaxRows {
			return w.fail(fmt.Errorf("roster %s has more than %d rows in all, more than an Excel sheet holds: use the CSV report",
				row.Question, MaxRows-1))
		}
		for i := range sh.buf {
			sh.buf[i] = ""
		}
		sh.buf[0], sh.buf[1], sh.buf[2] = cell(in.ID), cell(in.Status.Label().Get(w.head.Lang)), cell(in.Assessor)
		sh.buf[3], sh.buf[4], sh.buf[5] = cell(in.Respondent.Agency), cell(in.Respondent.Province), cell(in.Respondent.Date)
		sh.buf[n] = strconv.Itoa(tr.Number)
		for j, v := range tr.Text {
			if n+1+j < len(sh.buf) {
				sh.buf[n+1+j] = cell(v)
			}
		}
		sh.rows++
		if err := sh.csv.Write(sh.buf); err != nil {
			return w.fail(err)
		}
	}
	return nil
}

// longCells fills row with the cells of r in report.CSVHeader's order: counts as numbers,
// flags as booleans, what does not apply as an empty cell.
func longCells(row []any, r *report.LongRow, cutMark string) {
	str := func(s string) any {
		if s == "" {
			return nil
		}
		return fit(s, cutMark)
	}
	flag := func(s string) any {
		switch s {
		case "true":
			return true
		case "false":
			return false
		}
		return nil
	}
	vals := [...]any{str(r.Interview), str(r.Questionnaire), str(r.Version), str(r.Status), str(r.Assessor),
		str(r.Agency), str(r.Province), str(r.Role), str(r.Category), str(r.Date), str(r.Section),
		str(r.SectionTitle), str(r.Kind), str(r.Question), str(r.QuestionText), str(r.Importance),
		str(r.Rating), str(r.Label), str(r.Value), str(r.Comment), nil, nil, nil, nil,
		flag(r.Suggested), flag(r.Answered), flag(r.Skipped), r.Conflict, str(r.Updated), nil, str(r.RowID), str(r.Cells)}
	if r.Kind == "question" {
		vals[20], vals[21], vals[22], vals[23] = r.EvidencePlus, r.EvidenceMinus, r.EvidenceNeutral, r.EvidenceOutOfScope
	}
	if r.Kind == "row" {
		vals[29] = r.Row
	}
	copy(row, vals[:])
}

// fit cuts s at Excel's cell limit, ending it with cutMark.
func fit(s, cutMark string) string {
	if len(s) <= cellLimit/3 { // at most 3 bytes of UTF-8 per UTF-16 unit: fits
		return s
	}
	units := 0
	for i, r := range s {
		units += len(utf16.AppendRune(nil, r))
		if units > cellLimit-len(cutMark)-4 {
			return s[:i] + cutMark
		}
	}
	return s
}

func (w *writer) sectionRow(in *report.Interview, s *report.Section) error {
	var sh *sectionSheet
	for _, x := range w.sections {
		if x.id == s.ID {
			sh = x
		}
	}
	if sh == nil {
		return w.fail(fmt.Errorf("interview %s has section %s, which the report's layout lacks", in.ID, s.ID))
	}
	if sh.rows+1 >= MaxRows {
		return w.fail(fmt.Errorf("section %s has more than %d interviews, more rows than an Excel sheet holds: use the CSV report",
			s.ID, MaxRows-1))
	}
	cell := func(v string) string { return fit(report.CellText(v, false), w.cutMark) }
	for i := range sh.buf {
		sh.buf[i] = ""
	}
	sh.buf[0], sh.buf[1], sh.buf[2] = cell(in.ID), cell(in.Status.Label().Get(w.head.Lang)), cell(in.Assessor)
	sh.buf[3], sh.buf[4], sh.buf[5] = cell(in.Respondent.Agency), cell(in.Respondent.Province), cell(in.Respondent.Date)
	n := len(sectionColumns)
	for _, row := range s.Rows {
		c, ok := sh.col[row.Question]
		if !ok || row.Skipped {
			continue
		}
		switch {
		case row.Rating != "":
			sh.buf[n+c] = cell(row.Label)
		case row.Answered:
			sh.buf[n+c] = cell(row.Value)
		}
	}
	if o := s.Overall; o != nil && o.Rating != "" {
		v := o.Label
		if o.Suggested {
			v += " (" + w.word("suggested") + ")"
		}
		sh.buf[len(sh.buf)-1] = cell(v)
	}
	sh.rows++
	if err := sh.csv.Write(sh.buf); err != nil {
		return w.fail(err)
	}
	return nil
}

// writeSection writes a section's sheet from its staged rows: an empty text is no cell.
func (w *writer) writeSection(sh *sectionSheet) error {
	sh.csv.Flush()
	if err := sh.csv.Error(); err != nil {
		return w.fail(err)
	}
	if _, err := sh.staged.Seek(0, io.SeekStart); err != nil {
		return w.fail(err)
	}
	if _, err := w.f.NewSheet(sh.name); err != nil {
		return w.fail(err)
	}
	sw, err := w.f.NewStreamWriter(sh.name)
	if err != nil {
		return w.fail(err)
	}
	if err := sw.SetColWidth(1, 1, 38); err != nil {
		return w.fail(err)
	}
	if err := sw.SetColWidth(4, 5, 24); err != nil {
		return w.fail(err)
	}
	if err := sw.SetPanes(frozenHeader()); err != nil {
		return w.fail(err)
	}
	if err := sw.SetRow("A1", sh.header, excelize.RowOpts{StyleID: w.header}); err != nil {
		return w.fail(err)
	}
	r := csv.NewReader(bufio.NewReaderSize(sh.staged, 1<<16))
	r.ReuseRecord = true
	r.FieldsPerRecord = len(sh.header)
	row := make([]any, len(sh.header))
	for n := 2; ; n++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return w.fail(fmt.Errorf("read back the rows of section %s: %w", sh.id, err))
		}
		for i, v := range rec {
			row[i] = nil
			if v != "" {
				row[i] = v
			}
		}
		if err := sw.SetRow(cellRef(1, n), row); err != nil {
			return w.fail(err)
		}
	}
	if err := sw.Flush(); err != nil {
		return w.fail(err)
	}
	releaseBuffer(sw)
	return nil
}

// releaseBuffer empties the in-memory buffer excelize keeps in a flushed StreamWriter
// until the workbook is written (up to 16 MB a sheet), when the sheet's rows are all in
// the StreamWriter's temporary file: the buffer is then empty and only holds memory. It
// reaches into excelize's unexported fields: when they are not as expected (another
// excelize version), it does nothing and reports false; TestReleaseBuffer checks that it
// works with the version in go.mod.
func releaseBuffer(sw *excelize.StreamWriter) bool {
	raw := reflect.ValueOf(sw).Elem().FieldByName("rawData")
	if !raw.IsValid() || raw.Kind() != reflect.Struct {
		return false
	}
	tmp, buf := raw.FieldByName("tmp"), raw.FieldByName("buf")
	if !tmp.IsValid() || tmp.Type() != reflect.TypeFor[*os.File]() || !buf.IsValid() || buf.Type() != reflect.TypeFor[bytes.Buffer]() {
		return false
	}
	if tmp.IsNil() {
		return false // the rows are in the buffer itself: it must stay
	}
	b := (*bytes.Buffer)(unsafe.Pointer(buf.UnsafeAddr()))
	if b.Len() != 0 {
		return false
	}
	*b = bytes.Buffer{}
	return true
}

func (w *writer) End() error {
	defer w.cleanup()
	if err := w.long.Flush(); err != nil {
		return w.fail(err)
	}
	releaseBuffer(w.long)
	for _, s := range w.sections {
		if err := w.writeSection(s); err != nil {
			return err
		}
	}
	// excelize's Write builds the whole zip in memory before writing it (4.2 GB of RSS for
	// a 1.1 GB workbook of 100,000 interviews): its zip writer is set to write straight to
	// the output instead, and what Write then has left to copy is nothing.
	w.f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zip.NewWriter(w.out) })
	if err := w.f.Write(io.Discard); err != nil {
		return w.fail(err)
	}
	return nil
}

// Abort removes the temporary files of a workbook that will not be written.
func (w *writer) Abort() { w.cleanup() }

// cleanup removes the staged section rows and excelize's temporary files.
func (w *writer) cleanup() {
	for _, s := range w.sections {
		if s.staged != nil {
			s.staged.Close()
			os.Remove(s.staged.Name())
		}
	}
	if w.f != nil {
		w.f.Close()
	}
}

func (w *writer) fail(err error) error { return fmt.Errorf("write xlsx report: %w", err) }

// cellRef is the A1-style name of column col (1-based), row row.
func cellRef(col, row int) string {
	name, _ := excelize.CoordinatesToCellName(col, row)
	return name
}

// sheetName makes s a valid sheet name, unique among used (compared without case as
// Excel does): no : \ / ? * [ ], no quote at either end, at most 31 characters.
func sheetName(s string, used map[string]bool) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]`, r) || r < 0x20 {
			return ' '
		}
		return r
	}, survey.NFC(s))
	s = strings.Trim(strings.Join(strings.Fields(s), " "), "'")
	base := truncate(s, excelize.MaxSheetNameLength)
	name := base
	for i := 2; used[strings.ToLower(name)] || name == ""; i++ {
		suffix := " (" + strconv.Itoa(i) + ")"
		name = truncate(base, excelize.MaxSheetNameLength-len(suffix)) + suffix
	}
	used[strings.ToLower(name)] = true
	return name
}

func truncate(s string, units int) string {
	n := 0
	for i, r := range s {
		n += len(utf16.AppendRune(nil, r))
		if n > units {
			return strings.TrimSpace(s[:i])
		}
	}
	return s
}
