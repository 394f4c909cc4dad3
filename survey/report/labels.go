package report

import (
	"fmt"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// words are the fixed words of a report, in both languages.
var words = map[string]survey.Text{
	"questionnaire": survey.T("Questionnaire", "Bộ câu hỏi"),
	"version":       survey.T("version", "phiên bản"),
	"interview":     survey.T("Interview", "Phỏng vấn"),
	"status":        survey.T("Status", "Trạng thái"),
	"assessor":      survey.T("Assessor", "Người đánh giá"),
	"agency":        survey.T("Agency", "Cơ quan"),
	"province":      survey.T("Province or ministry", "Tỉnh hoặc bộ"),
	"role":          survey.T("Role", "Chức vụ"),
	"category":      survey.T("Category", "Nhóm đối tượng"),
	"date":          survey.T("Date", "Ngày"),
	"place":         survey.T("Place", "Địa điểm"),
	"importance":    survey.T("Importance", "Mức độ quan trọng"),
	"question":      survey.T("Question", "Câu hỏi"),
	"rating":        survey.T("Rating", "Đánh giá"),
	"comment":       survey.T("Comment", "Nhận xét"),
	"overall":       survey.T("Overall", "Đánh giá chung"),
	"suggested":     survey.T("suggested", "gợi ý"),
	"notAnswered":   survey.T("not answered", "chưa trả lời"),
	"skipped":       survey.T("skipped", "bỏ qua"),
	"noRating":      survey.T("no rating yet", "chưa có mức đánh giá"),
	"evidence":      survey.T("Evidence", "Bằng chứng"),
	"source":        survey.T("source", "nguồn"),
	"outOfScope":    survey.T("out of scope", "ngoài phạm vi"),
	"conflict":      survey.T("conflicting versions", "phiên bản xung đột"),
	"noInterviews":  survey.T("No interviews to report.", "Không có phỏng vấn nào để báo cáo."),
	"noSections":    survey.T("No sections to report.", "Không có phần nào để báo cáo."),
	"unknownAgency": survey.T("(agency not recorded)", "(chưa ghi cơ quan)"),
	"yes":           survey.T("Yes", "Có"),
	"no":            survey.T("No", "Không"),
}

// word returns the word key in lang. An unknown key is a bug in this package: tests render
// every writer in both languages, so it cannot reach a user.
func word(lang, key string) string {
	t, ok := words[key]
	if !ok {
		panic(fmt.Sprintf("report: no word %q", key))
	}
	return t.Get(lang)
}
