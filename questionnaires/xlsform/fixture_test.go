package xlsform

import (
	"bytes"
	"testing"

	"github.com/xuri/excelize/v2"
)

// form is an XLSForm the tests write with excelize: each sheet a header row and data rows;
// formulas put a formula in a cell ("survey!F3" → "1+1").
type form struct {
	survey, choices, settings [][]any
	formulas                  map[string]string
}

// xlsx writes f as an .xlsx workbook.
func (f form) xlsx(t testing.TB) []byte {
	t.Helper()
	wb := excelize.NewFile()
	defer wb.Close()
	first := wb.GetSheetName(0)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(wb.SetSheetName(first, sheetSurvey))
	for _, s := range []struct {
		name string
		rows [][]any
	}{{sheetSurvey, f.survey}, {sheetChoices, f.choices}, {sheetSettings, f.settings}} {
		if s.rows == nil {
			continue
		}
		if s.name != sheetSurvey {
			_, err := wb.NewSheet(s.name)
			must(err)
		}
		for i, r := range s.rows {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			row := r
			must(wb.SetSheetRow(s.name, cell, &row))
		}
	}
	for ref, fm := range f.formulas {
		sh, cell, _ := bytes.Cut([]byte(ref), []byte("!"))
		must(wb.SetCellFormula(string(sh), string(cell), fm))
	}
	buf, err := wb.WriteToBuffer()
	must(err)
	return buf.Bytes()
}

// set puts v in the survey sheet's row (0 is the header) and column (0-based).
func (f *form) set(row, col int, v any) {
	for len(f.survey[row]) <= col {
		f.survey[row] = append(f.survey[row], "")
	}
	f.survey[row][col] = v
}

// clone copies f deeply, so that a case can change one cell.
func (f form) clone() form {
	cp := func(rows [][]any) [][]any {
		if rows == nil {
			return nil
		}
		out := make([][]any, len(rows))
		for i, r := range rows {
			out[i] = append([]any(nil), r...)
		}
		return out
	}
	out := form{survey: cp(f.survey), choices: cp(f.choices), settings: cp(f.settings), formulas: map[string]string{}}
	for k, v := range f.formulas {
		out.formulas[k] = v
	}
	return out
}

// The columns of everyForm's survey sheet.
var surveyHeader = []any{"type", "name", "label::English (en)", "label::Tiếng Việt (vi)", "hint::English (en)", "hint::Tiếng Việt (vi)",
	"required", "relevant", "constraint", "constraint_message::English (en)", "constraint_message::Tiếng Việt (vi)", "fieldsurvey_scale"}

// everyForm uses every construct the import supports, outside repeats.
func everyForm() form {
	return form{
		survey: [][]any{
			surveyHeader,
			{"start", "start"},
			{"text", "agency", "Agency", "Cơ quan", "Full name", "Tên đầy đủ", "yes", "", "string-length(.) <= 200", "At most 200 characters", "Tối đa 200 ký tự"},
			{"begin group", "p1", "Leadership", "Lãnh đạo"},
			{"note", "p1_intro", "Ask about the champion.", "Hỏi về người dẫn dắt."},
			{"select_one yes_no", "champion", "Is there a champion?", "Có người dẫn dắt không?", "", "", "yes"},
			{"text", "champion_name", "Who?", "Ai?", "", "", "", "${champion} = 'yes'", "regex(., '^[A-Z]')", "Starts with a capital", "Bắt đầu bằng chữ hoa"},
			{"begin group", "p1_law", "Laws", "Luật", "", "", "", "selected(${champion}, 'yes')"},
			{"select_multiple laws", "laws", "Which laws?", "Luật nào?", "", "", "", "", "count-selected(.) >= 1 and not(selected(., 'none') and count-selected(.) > 1)", "None alone", "Không có thì chọn riêng"},
			{"date", "law_date", "Date of the main law", "Ngày ban hành luật chính", "", "", "", "${laws} != '' or true()"},
			{"end group", "p1_law"},
			{"integer", "staff", "Staff", "Số cán bộ", "", "", "", "", ". >= 0 and . <= 1000", "0 to 1000", "Từ 0 đến 1000"},
			{"decimal", "budget", "Budget (USD m)", "Ngân sách (triệu USD)", "", "", "", "${staff} > 0", ". div 2 >= 0.5 or . mod 2 = 0 or -. < 3 * 2 + 1"},
			{"select_one yes_no", "rating1", "Overall leadership", "Lãnh đạo nói chung", "", "", "", "", "", "", "", "odra"},
			{"end group", "p1"},
			{"begin group", "p2", "Demand", "Nhu cầu"},
			{"text", "demand", "Who asks for data?", "Ai yêu cầu dữ liệu?"},
			{"select_one readiness_steps", "rating2", "Overall demand", "Nhu cầu nói chung", "", "", "", "", "", "", "", "readiness"},
			{"note", "p2_end", "Thank the respondent.", "Cảm ơn người trả lời."},
			{"end group", "p2"},
		},
		choices: [][]any{
			{"list_name", "name", "label::English (en)", "label::Tiếng Việt (vi)"},
			{"yes_no", "yes", "Yes", "Có"},
			{"yes_no", "no", "No", "Không"},
			{"laws", "access", "Access to information", "Tiếp cận thông tin"},
			{"laws", "privacy", "Data protection", "Bảo vệ dữ liệu"},
			{"laws", "none", "None", "Không có"},
		},
		settings: [][]any{
			{"form_title", "form_id", "version", "default_language"},
			{"Readiness check", "readiness-check", "2026.1", "English (en)"},
		},
	}
}
