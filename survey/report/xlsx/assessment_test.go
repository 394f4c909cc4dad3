package xlsx

import (
	"bytes"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/report"
)

// The assessment workbook: its sheets, the team's rating beside the interviews' counts, and
// people's text as strings (never formulas, no control characters).
func TestWriteAssessment(t *testing.T) {
	r := &report.AssessmentReport{ID: id(99), Title: "Việt Nam 2026", Scope: "national", ScopeLabel: "Toàn quốc",
		Questionnaire: "mini", Version: "1.0", QuestionnaireTitle: "Đánh giá nhỏ", Lang: "vi",
		Team: []string{"Lan"}, FieldworkFrom: "2026-11-10", FieldworkTo: "2026-11-14", Include: report.IncludeApproved,
		Summary: "Tóm tắt\x1b[2J", Disclaimer: survey.DefaultDisclaimer.Get("vi"),
		Sections: []report.AssessmentSection{{ID: "1", Title: "Lãnh đạo",
			Rows: []report.TeamRow{{Question: "1.1", Text: "Lãnh đạo có rõ không?",
				TeamRating: report.TeamRating{Rating: survey.Amber, Label: "Vàng", Remarks: `=HYPERLINK("http://evil")`},
				Interviews: report.Spread{Rated: 3, Uncounted: 1, Suggested: survey.AmberGreen,
					Steps: []report.StepTally{{Code: survey.Amber, Count: 1}, {Code: survey.AmberGreen, Count: 2}, {Code: survey.DontKnow, Count: 1, Uncounted: true}}}}},
			Overall: &report.TeamRating{Rating: survey.Amber, Label: "Vàng"}}},
		Datasets:   []report.DatasetOut{{ID: "D1", Agency: "Tổng cục Thống kê", Source: "Niên giám", KeyForPublic: true, Openness: 3, OpennessText: "★★★☆☆"}},
		Phases:     []report.Phase{{Phase: "0–6 tháng", Actions: []report.ActionOut{{ID: "A1", Action: "Ban hành", Sections: []report.SectionRef{{ID: "1"}}, DependsOn: []string{}}}}},
		Interviews: []report.AnnexInterview{{ID: id(1), Agency: "Sở Tài chính", Province: "Đà Nẵng", Date: "2026-11-10", Status: survey.StatusApproved}},
	}
	var buf bytes.Buffer
	if err := WriteAssessment(&buf, r); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := []string{"Bản đánh giá", "Đánh giá", "Dữ liệu chính", "Kế hoạch hành động", "Phỏng vấn"}
	if got := f.GetSheetList(); len(got) != len(want) {
		t.Fatalf("sheets %v, want %v", got, want)
	} else {
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("sheet %d is %q, want %q", i, got[i], want[i])
			}
		}
	}
	rows, err := f.GetRows("Đánh giá")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[0][8] != "rating" || rows[1][5] != "1.1" || rows[1][8] != "amber" || rows[1][11] != "3" ||
		rows[1][13] != "amber=1 amber-green=2 dont-know=1" || rows[1][14] != "amber-green" || rows[2][4] != "overall" {
		t.Errorf("ratings sheet: %q", rows)
	}
	cell := cellRef(11, 2)
	if v, _ := f.GetCellValue("Đánh giá", cell); v != `=HYPERLINK("http://evil")` {
		t.Errorf("remarks %q", v)
	}
	if fm, _ := f.GetCellFormula("Đánh giá", cell); fm != "" {
		t.Errorf("the remarks became a formula: %q", fm)
	}
	info, _ := f.GetRows("Bản đánh giá")
	for _, row := range info {
		for _, c := range row {
			if bytes.ContainsAny([]byte(c), "\x1b") {
				t.Errorf("a control character reached the workbook: %q", c)
			}
		}
	}
	if ds, _ := f.GetRows("Dữ liệu chính"); len(ds) != 2 || ds[1][6] != "★★★☆☆" || ds[1][3] != "Có" {
		t.Errorf("datasets sheet: %q", ds)
	}
	if ac, _ := f.GetRows("Kế hoạch hành động"); len(ac) != 2 || ac[1][0] != "0–6 tháng" || ac[1][3] != "1" {
		t.Errorf("action sheet: %q", ac)
	}
}
