package report

import (
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// The fixture: a small questionnaire in the shape of the ODRA, and interviews built the way
// the store builds them, by folding revisions.

const (
	idDaNang = "0192f000-0000-7000-8000-00000000da01"
	idHaNoi  = "0192f000-0000-7000-8000-00000000ha02"
	idBac    = "0192f000-0000-7000-8000-00000000bn03"
	idOther  = "0192f000-0000-7000-8000-0000000000ff"
)

func testQuestionnaire(t testing.TB) *survey.Questionnaire {
	t.Helper()
	q := &survey.Questionnaire{
		Format: survey.QuestionnaireFormat, ID: "mini-odra", Version: "1.0",
		Title:     survey.T("Mini Open Data Readiness", "Đánh giá mức độ sẵn sàng dữ liệu mở (rút gọn)"),
		Languages: []string{"vi", "en"},
		Sections: []*survey.Section{
			{ID: "1", Importance: survey.ImportanceVeryHigh,
				Title: survey.T("Senior Leadership", "Cam kết của lãnh đạo cấp cao"),
				Questions: []*survey.Question{
					{ID: "1.1", Type: survey.TypeRating, Importance: survey.ImportanceVeryHigh,
						Text: survey.T("How visible is political leadership on open data?",
							"Sự lãnh đạo chính trị về dữ liệu mở rõ ràng đến mức nào?")},
					{ID: "1.2", Type: survey.TypeRating, Importance: survey.ImportanceHigh,
						Text: survey.T("Is there a governance model for cross-agency programmes?",
							"Có mô hình quản trị cho các chương trình liên ngành không?")},
					{ID: "1.3", Type: survey.TypeRating, Importance: survey.ImportanceMedium,
						Relevant: `answer("1.2") == "green"`,
						Text: survey.T("Which champions carry the programme forward?",
							"Những ai sẽ thúc đẩy chương trình?")},
					{ID: "1.4", Type: survey.TypeRating,
						Text: survey.T("Does the wider political context favour open data?",
							"Bối cảnh chính trị chung có thuận lợi cho dữ liệu mở không?")},
					{ID: "1.5", Type: survey.TypeYesNo,
						Text: survey.T("Has the leader spoken publicly about open data?",
							"Lãnh đạo đã phát biểu công khai về dữ liệu mở chưa?")},
				}},
			{ID: "2", Importance: survey.ImportanceHigh,
				Title: survey.T("Policy/Legal Framework", "Khung chính sách pháp lý cho dữ liệu mở"),
				Questions: []*survey.Question{
					{ID: "2.1", Type: survey.TypeSingle,
						Text: survey.T("Which law governs access to information?", "Luật nào quy định quyền tiếp cận thông tin?"),
						Options: []survey.Option{
							{Code: "ati-2016", Label: survey.T("Law on Access to Information 2016", "Luật Tiếp cận thông tin 2016")},
							{Code: "none", Label: survey.T("None", "Không có")},
						}},
					{ID: "2.2", Type: survey.TypeRating, Importance: survey.ImportanceHigh,
						Text: survey.T("Is there a legal right to information?", "Có quyền tiếp cận thông tin theo luật không?")},
					{ID: "2.3", Type: survey.TypeRating, Importance: survey.ImportanceMediumHigh,
						Text: survey.T("Are data protection rules in place?", "Đã có quy định bảo vệ dữ liệu chưa?")},
					{ID: "2.4", Type: survey.TypeMultiple,
						Text: survey.T("Which licences are used?", "Những giấy phép nào được sử dụng?"),
						Options: []survey.Option{
							{Code: "cc-by", Label: survey.T("CC BY", "CC BY")},
							{Code: "own", Label: survey.T("Own licence", "Giấy phép riêng")},
						}},
					{ID: "2.5", Type: survey.TypeNumber,
						Text: survey.T("How many datasets are published?", "Có bao nhiêu bộ dữ liệu được công bố?")},
					{ID: "2.K", Type: survey.TypeRoster,
						Text: survey.T("Key datasets", "Bộ dữ liệu chủ chốt"),
						Columns: []survey.Column{
							{ID: "agency", Type: survey.ColumnText, Required: true, Label: survey.T("Agency", "Cơ quan")},
							{ID: "source", Type: survey.ColumnText, Label: survey.T("Data source", "Nguồn dữ liệu")},
							{ID: "public", Type: survey.ColumnYesNo, Label: survey.T("Key for the public", "Quan trọng với công chúng")},
							{ID: "openness", Type: survey.ColumnStars, Label: survey.T("Openness", "Mức độ mở")},
							{ID: "size", Type: survey.ColumnNumber, Label: survey.T("Size (GB)", "Dung lượng (GB)")},
							{ID: "url", Type: survey.ColumnURL, Label: survey.T("URL", "Đường dẫn")},
						}},
				}},
			{ID: "3", Importance: survey.ImportanceMediumHigh,
				Title: survey.T("Funding an Open Data Program", "Nguồn lực tài chính"),
				Questions: []*survey.Question{
					{ID: "3.1", Type: survey.TypeRating, Importance: survey.ImportanceHigh,
						Text: survey.T("Is there a budget for open data?", "Có ngân sách cho dữ liệu mở không?")},
				}},
		},
	}
	if err := q.Validate(); err != nil {
		t.Fatalf("the test questionnaire is invalid: %v", err)
	}
	q.Index()
	return q
}

// builder makes the revisions of interviews, one device, one clock tick per change.
type builder struct {
	t       testing.TB
	revs    []survey.Revision
	counter uint64
	now     time.Time
}

func newBuilder(t testing.TB) *builder {
	return &builder{t: t, now: time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)}
}

func (b *builder) add(interview string, kind survey.Kind, key string, v any, replaces ...string) survey.Revision {
	b.t.Helper()
	b.counter++
	b.now = b.now.Add(time.Minute)
	r, err := survey.NewRevision(survey.Target{Interview: interview, Kind: kind, Key: key}, v, "dev-1", b.counter, b.now, "assessor", replaces)
	if err != nil {
		b.t.Fatal(err)
	}
	b.revs = append(b.revs, r)
	return r
}

func (b *builder) interview(id, questionnaire string, resp survey.Respondent) {
	b.add(id, survey.KindInterview, "", survey.InterviewMeta{Questionnaire: questionnaire, QuestionnaireVersion: "1.0", Assessor: "assessor"})
	b.add(id, survey.KindRespondent, "", resp)
}

func (b *builder) answer(id, question string, a survey.Answer, replaces ...string) survey.Revision {
	return b.add(id, survey.KindAnswer, question, a, replaces...)
}

// longCommentVI is typed decomposed (NFD), as some keyboards do; the domain stores it
// composed (NFC).
var longCommentVI = norm.NFD.String("Lãnh đạo tỉnh đã ký kế hoạch chuyển đổi số, nhưng việc phối hợp giữa các sở còn rời rạc và chưa có cơ chế giám sát thực hiện.")

func testStates(t testing.TB) []*survey.InterviewState {
	t.Helper()
	b := newBuilder(t)

	b.interview(idDaNang, "mini-odra", survey.Respondent{Agency: "Sở Thông tin và Truyền thông", Province: "Đà Nẵng",
		Role: "Phó Giám đốc", Category: "provincial-government", Date: "2026-11-20", Place: "Đà Nẵng", Consent: true})
	b.answer(idDaNang, "1.1", survey.Answer{Rating: survey.Green,
		Comment: "The chairman opened the portal | and champions it.\nHe reports on it every quarter.",
		Evidence: []survey.Evidence{
			{Polarity: survey.Plus, Text: "Decision on the open data portal signed by the chairman", Source: "Quyết định 1819/QĐ-UBND", InScope: true},
			{Polarity: survey.Minus, Text: "Law on Access to Information not yet in force", Source: "Luật 104/2016/QH13", InScope: false, Note: "in force from 1 July 2018"},
			{Polarity: survey.Neutral, Text: "Press coverage is mixed", InScope: true},
		}})
	b.answer(idDaNang, "1.2", survey.Answer{Rating: survey.AmberRed, Comment: longCommentVI})
	// 1.3 is hidden by skip logic (1.2 is not green); an earlier answer must not show.
	b.answer(idDaNang, "1.3", survey.Answer{Rating: survey.Red, Comment: "stale answer from before 1.2 changed"})
	// 1.4 relevant and unanswered: only a comment so far.
	b.answer(idDaNang, "1.4", survey.Answer{Comment: "ask the Party secretary's office"})
	b.answer(idDaNang, "1.5", survey.Answer{Value: true})
	b.add(idDaNang, survey.KindSection, "1", survey.SectionSummary{Rating: survey.Amber, Comment: "Strong at the top, weak in the middle."})
	b.answer(idDaNang, "2.1", survey.Answer{Value: "ati-2016"})
	b.answer(idDaNang, "2.2", survey.Answer{Rating: survey.Amber})
	b.answer(idDaNang, "2.3", survey.Answer{Rating: survey.Green, Comment: "Nghị định 13/2023/NĐ-CP về bảo vệ dữ liệu cá nhân."})
	b.answer(idDaNang, "2.4", survey.Answer{Value: []string{"cc-by", "own"}})
	b.answer(idDaNang, "2.5", survey.Answer{Value: 42.5})
	// The key datasets: three rows (one moved before the others, one with two competing
	// versions, one with a cell a spreadsheet would run), and a fourth deleted.
	b.add(idDaNang, survey.KindRow, survey.RowKey("2.K", "aaaa000000000001"), survey.RosterRow{Pos: 1, Cells: map[string]any{
		"agency": "Sở Tài nguyên và Môi trường", "source": "Bản đồ hiện trạng sử dụng đất | 2025", "public": true, "openness": 3, "size": 12.5,
		"url": "https://stnmt.danang.gov.vn/ban-do-hien-trang-su-dung-dat-2025"}})
	row2 := b.add(idDaNang, survey.KindRow, survey.RowKey("2.K", "bbbb000000000002"), survey.RosterRow{Pos: 2, Cells: map[string]any{
		"agency": "Cục Thống kê", "source": "Niên giám thống kê", "public": true, "openness": "na"}})
	b.add(idDaNang, survey.KindRow, survey.RowKey("2.K", "bbbb000000000002"), survey.RosterRow{Pos: 2, Cells: map[string]any{
		"agency": "Cục Thống kê", "source": "Niên giám thống kê", "public": true, "openness": 4}}, row2.ID)
	b.add(idDaNang, survey.KindRow, survey.RowKey("2.K", "bbbb000000000002"), survey.RosterRow{Pos: 2, Cells: map[string]any{
		"agency": "Cục Thống kê", "source": "Niên giám thống kê 2025", "public": false, "openness": 2}}, row2.ID)
	b.add(idDaNang, survey.KindRow, survey.RowKey("2.K", "cccc000000000003"), survey.RosterRow{Pos: 0.5, Cells: map[string]any{
		"agency": "Sở Tài chính", "source": "=SUM(A1:A9)", "public": false}})
	gone := b.add(idDaNang, survey.KindRow, survey.RowKey("2.K", "dddd000000000004"), survey.RosterRow{Pos: 3, Cells: map[string]any{"agency": "deleted row"}})
	b.add(idDaNang, survey.KindRow, survey.RowKey("2.K", "dddd000000000004"), nil, gone.ID)
	// Section 2: only an overall comment, no confirmed rating: the suggestion shows.
	b.add(idDaNang, survey.KindSection, "2", survey.SectionSummary{Comment: "Cần thêm văn bản hướng dẫn."})
	b.add(idDaNang, survey.KindStatus, "", survey.StatusChange{Status: survey.StatusCompleted})

	b.interview(idHaNoi, "mini-odra", survey.Respondent{Agency: "Văn phòng Chính phủ", Province: "Hà Nội",
		Role: "Chuyên viên", Category: "whole-of-government", Date: "2026-11-18"})
	// Two people rated 2.2 independently: a conflict.
	base := b.answer(idHaNoi, "2.2", survey.Answer{Rating: survey.Red})
	b.answer(idHaNoi, "2.2", survey.Answer{Rating: survey.Amber, Comment: "first assessor"}, base.ID)
	b.answer(idHaNoi, "2.2", survey.Answer{Rating: survey.AmberGreen, Comment: "second assessor"}, base.ID)
	b.answer(idHaNoi, "3.1", survey.Answer{Rating: survey.DontKnow})

	b.interview(idBac, "mini-odra", survey.Respondent{Agency: "Sở Tài chính", Province: "Bắc Ninh", Date: "2026-11-19"})

	b.interview(idOther, "dgra-2018", survey.Respondent{Agency: "Bộ Công an", Province: "Hà Nội"})

	states, err := survey.Fold(b.revs)
	if err != nil {
		t.Fatal(err)
	}
	// A fixed order, the reverse of the report's, so that sorting is exercised.
	return []*survey.InterviewState{states[idOther], states[idHaNoi], states[idDaNang], states[idBac]}
}
