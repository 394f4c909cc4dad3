package xlsx

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/report"
)

// assessWords are the sheet names and headers of an assessment workbook.
var assessWords = map[string]survey.Text{
	"assessment":    survey.T("Assessment", "Bản đánh giá"),
	"ratings":       survey.T("Ratings", "Đánh giá"),
	"datasets":      survey.T("Key datasets", "Dữ liệu chính"),
	"actions":       survey.T("Action plan", "Kế hoạch hành động"),
	"interviews":    survey.T("Interviews", "Phỏng vấn"),
	"field":         survey.T("Field", "Mục"),
	"value":         survey.T("Value", "Nội dung"),
	"title":         survey.T("Title", "Tiêu đề"),
	"scope":         survey.T("Scope", "Phạm vi"),
	"questionnaire": survey.T("Questionnaire", "Bộ câu hỏi"),
	"fieldwork":     survey.T("Fieldwork", "Thời gian khảo sát"),
	"team":          survey.T("Assessment team", "Nhóm đánh giá"),
	"counted":       survey.T("Interviews counted (statuses)", "Phỏng vấn được tính (trạng thái)"),
	"judgement":     survey.T("Ratings are the assessment team's judgement, not computed scores; the interviews' median is a suggestion only.", "Các mức đánh giá là nhận định của nhóm đánh giá, không phải điểm số tính toán; trung vị của các phỏng vấn chỉ là gợi ý."),
	"introduction":  survey.T("Introduction", "Giới thiệu"),
	"summary":       survey.T("Executive summary", "Tóm tắt"),
	"conclusions":   survey.T("Conclusions", "Kết luận"),
	"disclaimer":    survey.T("Disclaimer", "Tuyên bố miễn trừ trách nhiệm"),
	"analysis":      survey.T("Analysis of section %s", "Phân tích phần %s"),
	"yes":           survey.T("Yes", "Có"),
	"no":            survey.T("No", "Không"),
}

// The columns of the ratings sheet: report.AssessmentCSVHeader with the section's and the
// question's text beside their ids.
var ratingColumns = []string{"assessment", "scope", "section", "section_title", "kind", "question", "question_text",
	"importance", "rating", "label", "remarks", "rated", "uncounted", "counts", "median", "median_half", "conflict"}

// WriteAssessment writes the published report of an assessment as a workbook: a sheet with
// the title block and the texts, the ratings (one row per rated question and one overall
// row per section, with the interviews' counts and median beside the team's rating), the
// key datasets, the action plan and the interviews counted. Cells from people's text are
// strings, never formulas, without control characters.
func WriteAssessment(w io.Writer, r *report.AssessmentReport) error {
	if r == nil {
		return errors.New("write xlsx assessment report: no report")
	}
	fail := func(err error) error { return fmt.Errorf("write xlsx assessment report: %w", err) }
	word := func(k string) string { return assessWords[k].Get(r.Lang) }
	cutMark := " … " + words["cut"].Get(r.Lang)
	text := func(s string) any {
		if s == "" {
			return nil
		}
		return fit(report.CellText(s, false), cutMark)
	}
	f := excelize.NewFile()
	defer f.Close()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return fail(err)
	}
	wrapStyle, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return fail(err)
	}
	used := map[string]bool{}
	sheet := func(key string, header []string, rows [][]any, widths map[int]float64) error {
		name := sheetName(word(key), used)
		if len(used) == 1 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return err
		}
		hdr := make([]any, len(header))
		for i, h := range header {
			hdr[i] = h
		}
		if err := f.SetSheetRow(name, "A1", &hdr); err != nil {
			return err
		}
		if err := f.SetRowStyle(name, 1, 1, bold); err != nil {
			return err
		}
		for i, row := range rows {
			if err := f.SetSheetRow(name, cellRef(1, i+2), &row); err != nil {
				return err
			}
		}
		for col, wd := range widths {
			c, _ := excelize.ColumnNumberToName(col)
			if err := f.SetColWidth(name, c, c, wd); err != nil {
				return err
			}
			if len(rows) > 0 {
				if err := f.SetCellStyle(name, cellRef(col, 2), cellRef(col, len(rows)+1), wrapStyle); err != nil {
					return err
				}
			}
		}
		return f.SetPanes(name, frozenHeader())
	}

	// The title block and the texts.
	fw := r.FieldworkFrom
	if r.FieldworkTo != r.FieldworkFrom {
		fw += " – " + r.FieldworkTo
	}
	incl := make([]string, len(r.Include))
	for i, s := range r.Include {
		incl[i] = s.Label().Get(r.Lang)
	}
	info := [][]any{
		{word("title"), text(r.Title)},
		{word("scope"), text(r.ScopeLabel)},
		{word("questionnaire"), text(r.QuestionnaireTitle + " (" + r.Questionnaire + " " + r.Version + ")")},
		{word("fieldwork"), text(fw)},
		{word("team"), text(strings.Join(r.Team, ", "))},
		{word("counted"), text(fmt.Sprintf("%d (%s)", len(r.Interviews), strings.Join(incl, ", ")))},
		{"", word("judgement")},
		{word("disclaimer"), text(r.Disclaimer)},
		{word("introduction"), text(r.Introduction)},
		{word("summary"), text(r.Summary)},
	}
	for _, s := range r.Sections {
		info = append(info, []any{fmt.Sprintf(word("analysis"), s.ID), text(s.Analysis)})
	}
	info = append(info, []any{word("conclusions"), text(r.Conclusions)})
	if err := sheet("assessment", []string{word("field"), word("value")}, info, map[int]float64{1: 30, 2: 100}); err != nil {
		return fail(err)
	}

	// The ratings beside the interviews' counts.
	var rows [][]any
	spread := func(sp report.Spread) []any {
		var cs []string
		for _, s := range sp.Steps {
			if s.Count > 0 {
				cs = append(cs, fmt.Sprintf("%s=%d", s.Code, s.Count))
			}
		}
		return []any{sp.Rated, sp.Uncounted, text(strings.Join(cs, " ")), text(string(sp.Suggested)), sp.Half}
	}
	for _, s := range r.Sections {
		for _, row := range s.Rows {
			cells := []any{r.ID, text(r.Scope), s.ID, text(s.Title), "question", row.Question, text(row.Text),
				text(string(row.Importance)), text(string(row.Rating)), text(row.Label), text(row.Remarks)}
			rows = append(rows, append(append(cells, spread(row.Interviews)...), row.Conflict))
		}
		o := s.Overall
		if o == nil {
			continue // overall: false, no overall row
		}
		cells := []any{r.ID, text(r.Scope), s.ID, text(s.Title), "overall", nil, nil,
			text(string(s.Importance)), text(string(o.Rating)), text(o.Label), text(o.Remarks)}
		rows = append(rows, append(append(cells, spread(s.OverallSpread())...), o.Conflict))
	}
	if err := sheet("ratings", ratingColumns, rows, map[int]float64{4: 28, 7: 48, 11: 48, 14: 30}); err != nil {
		return fail(err)
	}

	yes := func(b bool) string {
		if b {
			return word("yes")
		}
		return word("no")
	}
	rows = nil
	for _, d := range r.Datasets {
		rows = append(rows, []any{d.ID, text(d.Agency), text(d.Source), yes(d.KeyForPublic), yes(d.KeyToService),
			d.Openness, text(d.OpennessText), text(d.Remarks), d.Conflict})
	}
	if err := sheet("datasets", []string{"id", "agency", "source", "key_for_public", "key_to_service", "openness",
		"openness_text", "remarks", "conflict"}, rows, map[int]float64{2: 28, 3: 28, 8: 40}); err != nil {
		return fail(err)
	}

	rows = nil
	for _, p := range r.Phases {
		for _, a := range p.Actions {
			refs := make([]string, len(a.Sections))
			for i, s := range a.Sections {
				refs[i] = s.ID
			}
			rows = append(rows, []any{text(p.Phase), a.ID, text(a.Action), text(strings.Join(refs, ", ")), text(a.Lead),
				text(a.Measure), text(strings.Join(a.DependsOn, ", ")), a.Conflict})
		}
	}
	if err := sheet("actions", []string{"phase", "id", "action", "sections", "lead", "measure", "depends_on", "conflict"},
		rows, map[int]float64{1: 16, 3: 48, 5: 28, 6: 32}); err != nil {
		return fail(err)
	}

	rows = nil
	for _, in := range r.Interviews {
		rows = append(rows, []any{in.ID, text(in.Agency), text(in.Province), text(in.Date), text(in.Assessor), string(in.Status)})
	}
	if err := sheet("interviews", []string{"interview", "agency", "province", "date", "assessor", "status"},
		rows, map[int]float64{1: 38, 2: 30, 3: 20, 5: 24}); err != nil {
		return fail(err)
	}
	if err := f.Write(w); err != nil {
		return fail(err)
	}
	return nil
}
