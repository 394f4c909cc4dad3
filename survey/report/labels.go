package report

import (
	"fmt"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// words are the fixed words of a report, in both languages.
var words = map[string]survey.Text{
	"questionnaire":   survey.T("Questionnaire", "Bộ câu hỏi"),
	"version":         survey.T("version", "phiên bản"),
	"interview":       survey.T("Interview", "Phỏng vấn"),
	"status":          survey.T("Status", "Trạng thái"),
	"assessor":        survey.T("Assessor", "Người đánh giá"),
	"agency":          survey.T("Agency", "Cơ quan"),
	"province":        survey.T("Province or ministry", "Tỉnh hoặc bộ"),
	"role":            survey.T("Role", "Chức vụ"),
	"category":        survey.T("Category", "Nhóm đối tượng"),
	"date":            survey.T("Date", "Ngày"),
	"place":           survey.T("Place", "Địa điểm"),
	"importance":      survey.T("Importance", "Mức độ quan trọng"),
	"question":        survey.T("Question", "Câu hỏi"),
	"rating":          survey.T("Rating", "Đánh giá"),
	"comment":         survey.T("Comment", "Nhận xét"),
	"overall":         survey.T("Overall", "Đánh giá chung"),
	"suggested":       survey.T("suggested", "gợi ý"),
	"notAnswered":     survey.T("not answered", "chưa trả lời"),
	"skipped":         survey.T("skipped", "bỏ qua"),
	"noRating":        survey.T("no rating yet", "chưa có mức đánh giá"),
	"evidence":        survey.T("Evidence", "Bằng chứng"),
	"source":          survey.T("source", "nguồn"),
	"outOfScope":      survey.T("out of scope", "ngoài phạm vi"),
	"conflict":        survey.T("conflicting versions", "phiên bản xung đột"),
	"noInterviews":    survey.T("No interviews to report.", "Không có phỏng vấn nào để báo cáo."),
	"noSections":      survey.T("No sections to report.", "Không có phần nào để báo cáo."),
	"unknownAgency":   survey.T("(agency not recorded)", "(chưa ghi cơ quan)"),
	"unknownProvince": survey.T("(province not recorded)", "(chưa ghi tỉnh)"),
	"allProvinces":    survey.T("All provinces", "Tất cả các tỉnh"),
	"overview":        survey.T("Overview", "Tổng quan"),
	"overviewIntro": survey.T("Overall section ratings the assessors confirmed, by province: each cell counts the interviews at each rating; — counts interviews with no confirmed rating (a suggestion is not a rating).",
		"Đánh giá chung của từng phần do người đánh giá xác nhận, theo tỉnh: mỗi ô đếm số cuộc phỏng vấn ở từng mức; — là số cuộc phỏng vấn chưa có đánh giá chung được xác nhận (mức gợi ý không tính)."),
	"sectionsLegend": survey.T("Sections:", "Các phần:"),
	"ratingsLegend":  survey.T("Ratings:", "Mức đánh giá:"),
	"noConfirmed":    survey.T("no confirmed rating", "chưa xác nhận"),
	"interview1":     survey.T("interview", "cuộc phỏng vấn"),
	"interviews":     survey.T("interviews", "cuộc phỏng vấn"),
	"distribution":   survey.T("Distribution of ratings", "Phân bố mức đánh giá"),
	"distributionIntro": survey.T("How the interviews rated each question: the number of interviews at each step, n the ratings that count, ∅ the interviews asked the question with no rating; the bar draws the counted steps, worst first.",
		"Các cuộc phỏng vấn đánh giá từng câu hỏi thế nào: số cuộc phỏng vấn ở mỗi mức, n là số đánh giá được tính, ∅ là số cuộc phỏng vấn được hỏi nhưng chưa đánh giá; thanh biểu diễn các mức được tính, từ thấp đến cao."),
	"suggestionNote": survey.T("* Suggested: the median of the ratings that count — a suggestion only; the team decides. Not assessed, don't know and insufficient information never count. ½: the median fell between two steps and went to the step nearer the middle of the scale.",
		"* Gợi ý: trung vị của các mức đánh giá được tính — chỉ là gợi ý; nhóm đánh giá quyết định. Chưa đánh giá, không biết và không đủ thông tin không bao giờ được tính. ½: trung vị nằm giữa hai mức và được lấy về mức gần giữa thang hơn."),
	"suggestedStar":    survey.T("suggested*", "gợi ý*"),
	"overallConfirmed": survey.T("Overall (ratings the assessors confirmed)", "Đánh giá chung (do người đánh giá xác nhận)"),
	"bar":              survey.T("Bar", "Biểu đồ"),
	"yes":              survey.T("Yes", "Có"),
	"rowConflict":      survey.T("marks a row with conflicting versions (the newest is shown)", "đánh dấu dòng có phiên bản xung đột (hiển thị bản mới nhất)"),
	"row":              survey.T("Row", "Dòng"),
	"no":               survey.T("No", "Không"),
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
