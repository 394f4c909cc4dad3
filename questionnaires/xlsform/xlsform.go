package xlsform

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/xuri/excelize/v2"
	"gopkg.in/yaml.v3"

	"github.com/fieldsurvey/fieldsurvey/questionnaires"
	"github.com/fieldsurvey/fieldsurvey/survey"
)

// The sheets an XLSForm holds.
const (
	sheetSurvey   = "survey"
	sheetChoices  = "choices"
	sheetSettings = "settings"
)

// Bounds of a workbook: a form is a few hundred rows; anything far larger is refused before
// it is unpacked (an .xlsx is a zip, and a small one can unpack to gigabytes).
const (
	MaxFileSize    = 10_000_000 // bytes of the .xlsx file
	maxUnzipped    = 64 << 20   // bytes of the whole workbook unpacked
	maxUnzippedXML = 32 << 20   // bytes of one sheet unpacked
)

// Options adjust an import.
type Options struct {
	// ID and Version replace the settings sheet's form_id and version.
	ID, Version string
}

// Result is an imported questionnaire and what the import left out on purpose (metadata
// rows such as start and deviceid, which fieldsurvey records itself).
type Result struct {
	Questionnaire *survey.Questionnaire
	// YAML is the questionnaire file the form converts to, as `questionnaire add` and
	// `--out` write it; Questionnaire is what loading it gives.
	YAML    []byte
	Notices []Problem
}

// ImportFile reads the XLSForm at path (named as given in messages); see Import.
func ImportFile(path string, opts Options) (*Result, error) {
	name := path
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read form: %w", err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Size() > MaxFileSize {
		return nil, tooBig(name, fi.Size())
	}
	return Import(name, f, opts)
}

func tooBig(name string, size int64) error {
	return &Error{File: name, Problems: []Problem{{Msg: survey.T(
		fmt.Sprintf("the file has %s, over the limit of %s for a form", survey.SizeText(int(size)), survey.SizeText(MaxFileSize)),
		fmt.Sprintf("tệp có %s, quá giới hạn %s của một biểu mẫu", survey.SizeText(int(size)), survey.SizeText(MaxFileSize)))}}}
}

// Import converts the XLSForm workbook read from r (name is used in messages) into a
// questionnaire and validates it as `questionnaire add` does. Every problem found is
// returned at once, as an *Error, each with its sheet, row and column.
func Import(name string, r io.Reader, opts Options) (*Result, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read form: %w", err)
	}
	if len(data) > MaxFileSize {
		return nil, tooBig(name, int64(len(data)))
	}
	wb, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit: maxUnzipped, UnzipXMLSizeLimit: maxUnzippedXML})
	if err != nil {
		return nil, &Error{File: name, Problems: []Problem{{Msg: survey.T(
			"not an .xlsx workbook ("+err.Error()+"): save the form as Excel Workbook (.xlsx)",
			"không phải tệp .xlsx ("+err.Error()+"): hãy lưu biểu mẫu dạng Excel Workbook (.xlsx)")}}}
	}
	defer wb.Close()
	im := &importer{file: name, opts: opts, wb: wb, where: map[string]loc{}, badLists: map[string]bool{}, quiet: map[string]bool{}}
	return im.run()
}

// loc is where in the workbook a part of the questionnaire comes from.
type loc struct {
	sheet string
	row   int
	kind  string // "question", "option", "section", "scale", "form", "added" (or_other's choice): how its fields map to columns
}

type importer struct {
	file     string
	opts     Options
	wb       *excelize.File
	problems []Problem
	notices  []Problem

	survey, choices, settings *sheet
	langs                     []string // language codes, in the order of the label columns
	rows                      []*row
	byName                    map[string]*row
	lists                     map[string][]choice
	where                     map[string]loc
	ownRefs                   map[string][]string // question → names its own relevant reads
	badLists                  map[string]bool     // choice lists with a problem of their own
	quiet                     map[string]bool     // cells whose validation problems follow from another
}

func (im *importer) add(sheet string, rowN int, col string, en, vi string, args ...any) {
	im.problems = append(im.problems, Problem{Sheet: sheet, Row: rowN, Column: col,
		Msg: survey.T(fmt.Sprintf(en, args...), fmt.Sprintf(vi, args...))})
}

func (im *importer) run() (*Result, error) {
	im.readSheets()
	if im.survey == nil {
		return nil, im.fail()
	}
	id, version, titles := im.readSettings()
	im.readLanguages()
	im.readChoices()
	im.readRows()
	im.addOthers()
	q := im.build(id, version, titles)
	if len(im.problems) > 0 {
		// Validate what could be built too, so that an author sees every problem at once.
		if data, err := Marshal(q, im.file); err == nil {
			if _, err := questionnaires.ParseStrict(im.file, data); err != nil {
				im.validationProblems(err)
			}
		}
		return nil, im.fail()
	}
	data, err := Marshal(q, im.file)
	if err != nil {
		return nil, err
	}
	parsed, err := questionnaires.ParseStrict(im.file, data)
	if err != nil {
		im.validationProblems(err)
		return nil, im.fail()
	}
	return &Result{Questionnaire: parsed, YAML: data, Notices: sortProblems(im.notices, nil)}, nil
}

func (im *importer) fail() error {
	return &Error{File: im.file, Problems: sortProblems(im.problems, im.quiet)}
}

// sheet is one sheet of the workbook: its header and data rows.
type sheet struct {
	name   string   // as named in the workbook
	header []string // row 1, trimmed
	rows   [][]string
	cols   map[string]int // normalised header → index
}

// normHeader normalises a column header: lower case, spaces as underscores before any
// "::" (label::English (en) keeps its language as written).
func normHeader(h string) string {
	h = strings.TrimSpace(h)
	base, lang, found := strings.Cut(h, "::")
	base = strings.ReplaceAll(strings.ToLower(strings.TrimSpace(base)), " ", "_")
	if found {
		return base + "::" + strings.TrimSpace(lang)
	}
	return base
}

func (s *sheet) get(r []string, col string) string {
	i, ok := s.cols[col]
	if !ok || i >= len(r) {
		return ""
	}
	return strings.TrimSpace(r[i])
}

// colName returns the header of col as the author wrote it.
func (s *sheet) colName(col string) string {
	if i, ok := s.cols[col]; ok {
		return s.header[i]
	}
	return col
}

func (im *importer) readSheets() {
	for _, n := range im.wb.GetSheetList() {
		var dst **sheet
		switch strings.ToLower(strings.TrimSpace(n)) {
		case sheetSurvey:
			dst = &im.survey
		case sheetChoices:
			dst = &im.choices
		case sheetSettings:
			dst = &im.settings
		default:
			continue
		}
		s, err := im.readSheet(n)
		if err != nil {
			im.add(strings.ToLower(n), 0, "", "cannot read the sheet: %v", "không đọc được trang tính: %v", err)
			continue
		}
		*dst = s
	}
	if im.survey == nil {
		im.add("", 0, "", "no sheet named survey: an XLSForm has a survey sheet (and choices and settings)",
			"không có trang tính survey: biểu mẫu XLSForm cần trang survey (và choices, settings)")
	}
}

// readSheet reads sheet n, refusing any cell that holds a formula: its value would be
// whatever the spreadsheet program last computed (or nothing, for a file written by a
// program that does not compute), not what the author sees.
func (im *importer) readSheet(n string) (*sheet, error) {
	rows, err := im.wb.GetRows(n, excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, err
	}
	s := &sheet{name: n, cols: map[string]int{}}
	label := strings.ToLower(strings.TrimSpace(n))
	if len(rows) > 0 {
		for i, h := range rows[0] {
			h = strings.TrimSpace(h)
			s.header = append(s.header, h)
			if h == "" {
				continue
			}
			k := normHeader(h)
			if _, dup := s.cols[k]; dup {
				im.add(label, 1, h, "the column appears twice", "cột này xuất hiện hai lần")
				continue
			}
			s.cols[k] = i
		}
		s.rows = rows[1:]
	}
	// Formulas: every cell of the used range, including cells whose computed value is empty
	// (GetRows leaves those out at the end of a row).
	width, height := len(s.header), len(rows)
	if dim, err := im.wb.GetSheetDimension(n); err == nil && dim != "" {
		parts := strings.Split(dim, ":")
		if c, r, err := excelize.CellNameToCoordinates(parts[len(parts)-1]); err == nil {
			width, height = max(width, c), max(height, r)
		}
	}
	for r := 1; r <= height; r++ {
		for c := 1; c <= width; c++ {
			cell, _ := excelize.CoordinatesToCellName(c, r)
			if f, err := im.wb.GetCellFormula(n, cell); err == nil && f != "" {
				col := cell
				if c-1 < len(s.header) && s.header[c-1] != "" {
					col = s.header[c-1]
				}
				im.add(label, r, col, "the cell holds a formula (=%s): type its value instead, fieldsurvey reads values, not formulas",
					"ô chứa công thức (=%s): hãy nhập giá trị, fieldsurvey chỉ đọc giá trị, không đọc công thức", f)
			}
		}
	}
	return s, nil
}

var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// readSettings returns the form's id, version and titles (from the settings sheet, the
// options, or the file name). titles holds form_title under "" and each
// form_title::LANGUAGE (code) under its code.
func (im *importer) readSettings() (id, version string, titles map[string]string) {
	var r []string
	s := im.settings
	if s != nil && len(s.rows) > 0 {
		r = s.rows[0]
	}
	get := func(col string) string {
		if s == nil {
			return ""
		}
		return s.get(r, col)
	}
	id, version = get("form_id"), get("version")
	titles = map[string]string{}
	if s != nil {
		for i, h := range s.header {
			base, lang, found := strings.Cut(normHeader(h), "::")
			if base != "form_title" || i >= len(r) || strings.TrimSpace(r[i]) == "" {
				continue
			}
			code := ""
			if found {
				c, ok := langCode(lang)
				if !ok {
					im.add(sheetSettings, 1, h, "say the language with its code in parentheses, like form_title::Tiếng Việt (vi)",
						"hãy ghi ngôn ngữ kèm mã trong ngoặc, ví dụ form_title::Tiếng Việt (vi)")
					continue
				}
				code = c
			}
			titles[code] = survey.NFC(strings.TrimSpace(r[i]))
		}
	}
	if im.opts.ID != "" {
		id = im.opts.ID
	}
	if im.opts.Version != "" {
		version = im.opts.Version
	}
	if id == "" {
		base := filepath.Base(im.file)
		id = strings.TrimSuffix(base, filepath.Ext(base))
		id = strings.Trim(regexp.MustCompile(`[^A-Za-z0-9._-]+`).ReplaceAllString(id, "-"), "-._")
	}
	if version == "" {
		im.add(sheetSettings, 2, "version", "missing: add a version column to the settings sheet, or pass --version",
			"thiếu: hãy thêm cột version vào trang settings, hoặc dùng --version")
	}
	return id, version, titles
}

// langCode returns the language code of a column's language part: the code in parentheses
// ("English (en)", "Tiếng Việt (vi)"), a known language name, or a bare code.
func langCode(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '('); i >= 0 && strings.HasSuffix(s, ")") {
		code := strings.ToLower(strings.TrimSpace(s[i+1 : len(s)-1]))
		return code, langPattern.MatchString(code)
	}
	switch strings.ToLower(survey.NFC(s)) {
	case "english":
		return survey.LangEN, true
	case "vietnamese", survey.NFC("tiếng việt"):
		return survey.LangVI, true
	}
	if l := strings.ToLower(s); langPattern.MatchString(l) {
		return l, true
	}
	return "", false
}

var langPattern = regexp.MustCompile(`^[a-z]{2,3}(-[a-z0-9]+)?$`)

// translated are the columns that carry text in several languages.
var translated = []string{"label", "hint", "constraint_message"}

// defaultLang is the language of a column without "::LANG": the settings'
// default_language, else English.
func (im *importer) defaultLang() string {
	if im.settings != nil && len(im.settings.rows) > 0 {
		if dl := im.settings.get(im.settings.rows[0], "default_language"); dl != "" {
			if c, ok := langCode(dl); ok {
				return c
			}
			im.add(sheetSettings, 2, "default_language", "%q: write the language with its code in parentheses, like English (en)",
				"%q: hãy ghi ngôn ngữ kèm mã trong ngoặc, ví dụ Tiếng Việt (vi)", dl)
		}
	}
	return survey.LangEN
}

// readLanguages finds the languages of the form from the survey sheet's label columns and
// checks every translated column's language.
func (im *importer) readLanguages() {
	def := im.defaultLang()
	seen := map[string]bool{}
	for _, s := range []*sheet{im.survey, im.choices} {
		if s == nil {
			continue
		}
		label := strings.ToLower(s.name)
		langCols := map[string]int{}
		for i, h := range s.header {
			base, lang, found := strings.Cut(normHeader(h), "::")
			if !contains(translated, base) {
				continue
			}
			code := def
			if found {
				c, ok := langCode(lang)
				if !ok {
					im.add(label, 1, h, "say the language with its code in parentheses, like label::English (en) or label::Tiếng Việt (vi)",
						"hãy ghi ngôn ngữ kèm mã trong ngoặc, ví dụ label::English (en) hoặc label::Tiếng Việt (vi)")
					continue
				}
				code = c
			}
			key := base + "::" + code
			if prev, dup := langCols[key]; dup {
				im.add(label, 1, h, "a second %s column in language %s (the first is %s)", "cột %s thứ hai cho ngôn ngữ %s (cột đầu là %s)",
					base, code, s.header[prev])
				continue
			}
			langCols[key] = i
			s.cols[key] = i
			if base == "label" && s == im.survey && !seen[code] {
				seen[code] = true
				im.langs = append(im.langs, code)
			}
		}
	}
	if len(im.langs) == 0 {
		im.add(sheetSurvey, 1, "", "no label column: add label::English (en) (and label::Tiếng Việt (vi))",
			"không có cột label: hãy thêm label::English (en) (và label::Tiếng Việt (vi))")
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// text returns the translations of column base on row r.
func (im *importer) text(s *sheet, r []string, base string) survey.Text {
	t := survey.Text{}
	for _, l := range im.langs {
		if v := s.get(r, base+"::"+l); v != "" {
			t[l] = survey.NFC(v)
		}
	}
	return t
}

// langCol returns the header of column base in language l.
func (s *sheet) langCol(base, l string) string {
	if i, ok := s.cols[base+"::"+l]; ok {
		return s.header[i]
	}
	return base
}

// choice is one row of the choices sheet.
type choice struct {
	row   int
	name  string
	label survey.Text
}

func (im *importer) readChoices() {
	im.lists = map[string][]choice{}
	s := im.choices
	if s == nil {
		return
	}
	listCol := "list_name"
	if _, ok := s.cols[listCol]; !ok {
		im.add(sheetChoices, 1, "", "no list_name column", "không có cột list_name")
		return
	}
	seen := map[string]int{}
	for i, r := range s.rows {
		n := i + 2
		list, name := s.get(r, listCol), s.get(r, "name")
		if list == "" && name == "" {
			continue
		}
		switch {
		case list == "":
			im.add(sheetChoices, n, s.colName(listCol), "missing: which list is this choice of?", "thiếu: lựa chọn này thuộc danh sách nào?")
			continue
		case name == "":
			im.add(sheetChoices, n, "name", "missing: the code stored for this choice", "thiếu: mã lưu cho lựa chọn này")
			continue
		}
		if first, dup := seen[list+"\x00"+name]; dup {
			im.add(sheetChoices, n, "name", "list %s already has a choice %q (row %d)", "danh sách %s đã có lựa chọn %q (dòng %d)", list, name, first)
			im.badLists[list] = true
			continue
		}
		seen[list+"\x00"+name] = n
		im.lists[list] = append(im.lists[list], choice{row: n, name: name, label: im.text(s, r, "label")})
	}
}

// Marshal writes q as a questionnaire file, with a comment saying where it comes from.
func Marshal(q *survey.Questionnaire, source string) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Imported from the XLSForm %s by 'fieldsurvey questionnaire import'.\n", filepath.Base(source))
	b.WriteString("# Edit freely, then check with 'fieldsurvey questionnaire validate FILE'.\n")
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(q); err != nil {
		return nil, fmt.Errorf("write questionnaire: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("write questionnaire: %w", err)
	}
	return b.Bytes(), nil
}

// validationProblems adds the problems the questionnaire loader found, placed on the rows
// they come from.
func (im *importer) validationProblems(err error) {
	var ve *survey.ValidationError
	if !errors.As(err, &ve) {
		im.add("", 0, "", "%v", "%v", err)
		return
	}
	for _, p := range ve.Problems {
		sheet, row, col := im.locate(p.Path, p.Msg)
		im.problems = append(im.problems, Problem{Sheet: sheet, Row: row, Column: col, Msg: survey.Text{survey.LangEN: p.Msg}, validated: true})
	}
}
