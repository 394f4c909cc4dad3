package report

import (
	"fmt"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// assessWords are the fixed words of an assessment report, in both languages (the words of
// the interview report are shared through aword).
var assessWords = map[string]survey.Text{
	"national":      survey.T("National", "Toàn quốc"),
	"scope":         survey.T("Scope", "Phạm vi"),
	"team":          survey.T("Assessment team", "Nhóm đánh giá"),
	"fieldwork":     survey.T("Fieldwork", "Thời gian khảo sát"),
	"noFieldwork":   survey.T("no interviews counted", "không có phỏng vấn nào được tính"),
	"counted":       survey.T("Interviews counted", "Phỏng vấn được tính"),
	"statuses":      survey.T("statuses", "trạng thái"),
	"notApplicable": survey.T("N/A", "Không áp dụng"),
	"noRatings":     survey.T("no ratings", "chưa có đánh giá"),
	"notCounted":    survey.T("not counted: don't know or not assessed", "không tính: không biết hoặc chưa đánh giá"),
	"medianOf":      survey.T("median of %d interviews, a suggestion only", "trung vị của %d phỏng vấn, chỉ là gợi ý"),
	"half":          survey.T("half way between two steps: taken towards the middle", "nằm giữa hai mức: lấy mức gần giữa thang hơn"),
	"disclaimer":    survey.T("Disclaimer", "Tuyên bố miễn trừ trách nhiệm"),
	"introduction":  survey.T("Introduction", "Giới thiệu"),
	"summary":       survey.T("Executive summary", "Tóm tắt"),
	"conclusions":   survey.T("Conclusions", "Kết luận"),
	"analysis":      survey.T("Analysis", "Phân tích"),
	"remarks":       survey.T("Remarks", "Nhận xét"),
	"notRated":      survey.T("not rated yet", "chưa đánh giá"),
	"datasets":      survey.T("Key datasets", "Các bộ dữ liệu chính"),
	"dsAgency":      survey.T("Agency", "Cơ quan"),
	"dsSource":      survey.T("Data source", "Nguồn dữ liệu"),
	"dsPublic":      survey.T("Key for the public", "Quan trọng với người dân"),
	"dsService":     survey.T("Key to service delivery", "Quan trọng với cung cấp dịch vụ"),
	"dsOpenness":    survey.T("Openness", "Mức độ mở"),
	"dsRemarks":     survey.T("Remarks / URL", "Nhận xét / URL"),
	"noDatasets":    survey.T("No key datasets recorded.", "Chưa ghi bộ dữ liệu chính nào."),
	"actionPlan":    survey.T("Action plan", "Kế hoạch hành động"),
	"phase":         survey.T("Phase", "Giai đoạn"),
	"noPhase":       survey.T("Phase not set", "Chưa xác định giai đoạn"),
	"action":        survey.T("Action", "Hành động"),
	"sectionsRef":   survey.T("Follows from", "Xuất phát từ"),
	"lead":          survey.T("Lead agency", "Cơ quan chủ trì"),
	"measure":       survey.T("Measure", "Thước đo"),
	"dependsOn":     survey.T("Depends on", "Phụ thuộc vào"),
	"noActions":     survey.T("No actions recorded.", "Chưa ghi hành động nào."),
	"annex":         survey.T("Annex: interviews and their ratings", "Phụ lục: các cuộc phỏng vấn và đánh giá của họ"),
	"annexNote":     survey.T("The interviews counted and, per question, how many chose each step. The team's ratings above are its judgement; these counts and medians are evidence for it, not scores. The median counts only ratings on the scale's steps (don't know and not assessed never count); (½) marks a median half way between two steps, taken towards the middle of the scale.", "Các cuộc phỏng vấn được tính và, với mỗi câu hỏi, số phỏng vấn chọn từng mức. Các mức đánh giá của nhóm ở trên là nhận định của nhóm; số đếm và trung vị ở đây là bằng chứng, không phải điểm số. Trung vị chỉ tính các mức trên thang (không biết và chưa đánh giá không bao giờ được tính); (½) đánh dấu trung vị nằm giữa hai mức, được lấy về phía giữa thang."),
	"assessor":      survey.T("Assessor", "Người đánh giá"),
	"interviews":    survey.T("Interviews", "Phỏng vấn"),
	"rated":         survey.T("rated", "đã đánh giá"),
	"ratedBy":       survey.T("Rated by", "Số đánh giá"),
	"distribution":  survey.T("Distribution", "Phân bố"),
	"suggestedCol":  survey.T("Interviews' median (suggestion)", "Trung vị phỏng vấn (gợi ý)"),
	"noInterviews":  survey.T("No interviews counted.", "Không có phỏng vấn nào được tính."),
	"teamRating":    survey.T("Team rating", "Đánh giá của nhóm"),
	"comments":      survey.T("Comments", "Nhận xét"),
	"yes":           survey.T("Yes", "Có"),
	"no":            survey.T("No", "Không"),
	"conflict":      survey.T("two competing versions: settle it", "hai phiên bản xung đột: cần giải quyết"),
	"judgement":     survey.T("Ratings are the assessment team's judgement, not computed scores.", "Các mức đánh giá là nhận định của nhóm đánh giá, không phải điểm số tính toán."),
}

// aword returns an assessment report's word key in lang, falling back to the interview
// report's words. An unknown key is a bug: tests render every writer in both languages.
func aword(lang, key string) string {
	if t, ok := assessWords[key]; ok {
		return t.Get(lang)
	}
	if _, ok := words[key]; ok {
		return word(lang, key)
	}
	panic(fmt.Sprintf("report: no word %q", key))
}

func yesNo(b bool, lang string) string {
	if b {
		return aword(lang, "yes")
	}
	return aword(lang, "no")
}
