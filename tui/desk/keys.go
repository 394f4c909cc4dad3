package desk

import (
	"github.com/charmbracelet/bubbles/key"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/tui/keys"
)

// Keys are the desk's bindings: the assessor screens' global and list keys (package
// tui/keys, with its rules: single letters are inert while a text field has focus), and
// the supervisor's own, with help in one language.
type Keys struct {
	*keys.Map

	Approve, Return, Reopen, Overview, Queue, Changes, Settle            key.Binding
	Sort, SortReverse, ByStatus, ByProvince, ByAssessor, ByQuestionnaire key.Binding
	NextSection, PrevSection, Sections, Questionnaire                    key.Binding
	Decide, Cancel, ReasonNext                                           key.Binding
	Team, Rate, Remarks, Overall, Analysis, SaveLeave, Views, Include    key.Binding
}

// NewKeys returns the desk's bindings with help in lang ("vi" or "en").
func NewKeys(lang string) *Keys {
	t := func(en, vi string) string { return survey.T(en, vi).Get(lang) }
	b := func(help, desc string, k ...string) key.Binding {
		return key.NewBinding(key.WithKeys(k...), key.WithHelp(help, desc))
	}
	return &Keys{
		Map: keys.New(lang),

		Approve:  b("a", t("approve", "duyệt"), "a"),
		Return:   b("x", t("return", "trả lại"), "x"),
		Reopen:   b("o", t("reopen", "mở lại"), "o"),
		Overview: b("v", t("overview", "tổng quan"), "v"),
		Queue:    b("v", t("queue", "hàng chờ"), "v"),
		Changes:  b("c", t("changes since return", "thay đổi từ lần trả lại"), "c"),
		Settle:   b("enter", t("settle conflict", "giải quyết xung đột"), "enter"),

		Sort:            b("s", t("sort", "sắp xếp"), "s"),
		SortReverse:     b("S", t("reverse sort", "đảo thứ tự"), "S"),
		ByStatus:        b("f", t("status filter", "lọc trạng thái"), "f"),
		ByProvince:      b("p", t("province filter", "lọc tỉnh"), "p"),
		ByAssessor:      b("w", t("assessor filter", "lọc người đánh giá"), "w"),
		ByQuestionnaire: b("t", t("questionnaire filter", "lọc bảng hỏi"), "t"),

		NextSection:   b("→", t("next section", "phần sau"), "right", "l"),
		PrevSection:   b("←", t("previous section", "phần trước"), "left", "h"),
		Sections:      b("←/→", t("sections", "các phần"), "left", "right"),
		Questionnaire: b("t", t("questionnaire", "bảng hỏi"), "t"),

		Decide:     b("enter", t("confirm", "xác nhận"), "enter"),
		Cancel:     b("esc", t("cancel", "huỷ"), "esc"),
		ReasonNext: b("tab", t("to the button", "đến nút"), "tab", "shift+tab"),

		Team:      b("T", t("team assessments", "đánh giá của nhóm"), "T"),
		Rate:      b("1-9", t("team rating", "đánh giá của nhóm"), "1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "d"),
		Remarks:   b("r", t("remarks", "nhận xét"), "r"),
		Overall:   b("o", t("overall rating", "đánh giá chung"), "o"),
		Analysis:  b("n", t("analysis", "phân tích"), "n"),
		SaveLeave: b("esc", t("save and leave the text", "lưu và rời ô văn bản"), "esc"),
		Include:   b("i", t("count submitted interviews too", "tính cả phỏng vấn đã nộp"), "i"),
		Views:     b("tab", t("sections/plan/datasets", "phần/kế hoạch/dữ liệu"), "tab"),
	}
}
