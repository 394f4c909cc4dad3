package xlsform

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

var update = flag.Bool("update", false, "rewrite the .xlsx fixtures in questionnaires/testdata/xlsform")

// fixtureDir holds the workbooks the tests write and the command's scripts use.
var fixtureDir = filepath.Join("..", "testdata", "xlsform")

// readinessForm is a short open data readiness check as a team would write it in an
// XLSForm: English and Vietnamese, a group per pillar, every supported type, skip logic
// and constraints, a rating per pillar on ODRA's scale, and a repeat for key datasets.
func readinessForm() form {
	h := []any{"type", "name", "label::English (en)", "label::Tiếng Việt (vi)", "hint::English (en)", "hint::Tiếng Việt (vi)",
		"required", "relevant", "constraint", "constraint_message::English (en)", "constraint_message::Tiếng Việt (vi)",
		"fieldsurvey_scale", "fieldsurvey_column", "appearance"}
	return form{
		survey: [][]any{
			h,
			{"start", "start"},
			{"end", "end"},
			{"begin group", "respondent", "Respondent", "Người trả lời"},
			{"text", "agency", "Agency", "Cơ quan", "Full name of the ministry or agency", "Tên đầy đủ của bộ, ngành hoặc cơ quan", "yes", "", "string-length(.) >= 3", "At least 3 characters", "Ít nhất 3 ký tự"},
			{"select_one role", "role", "Role of the respondent", "Vai trò của người trả lời", "", "", "yes"},
			{"date", "interview_date", "Date of the interview", "Ngày phỏng vấn", "", "", "yes", "", ". >= '2024-01-01'", "Not before 2024", "Không trước năm 2024"},
			{"end group"},
			{"begin group", "leadership", "Leadership and strategy", "Lãnh đạo và chiến lược"},
			{"note", "leadership_note", "Ask who drives open data in government.", "Hỏi ai thúc đẩy dữ liệu mở trong chính phủ."},
			{"select_one yes_no", "champion", "Is there a senior champion of open data?", "Có lãnh đạo cấp cao thúc đẩy dữ liệu mở không?", "", "", "yes"},
			{"text", "champion_name", "Who is the champion?", "Ai là người thúc đẩy?", "Name and position", "Họ tên và chức vụ", "", "${champion} = 'yes'"},
			{"integer", "strategy_year", "Year of the open data strategy", "Năm ban hành chiến lược dữ liệu mở", "Leave empty when there is none", "Để trống nếu chưa có", "", "", ". >= 2000 and . <= 2030", "A year from 2000 to 2030", "Một năm từ 2000 đến 2030"},
			{"select_one readiness", "leadership_rating", "Overall: leadership and strategy", "Tổng thể: lãnh đạo và chiến lược", "", "", "", "", "", "", "", "odra"},
			{"end group"},
			{"begin group", "policy", "Policy and legal framework", "Chính sách và khung pháp lý"},
			{"select_multiple laws", "laws", "Which laws are in force?", "Những luật nào đang có hiệu lực?", "", "", "yes", "", "not(selected(., 'none') and count-selected(.) > 1)", "'None' cannot be chosen with a law", "Không thể chọn 'Chưa có' cùng với một luật"},
			{"begin group", "foi", "Access to information", "Tiếp cận thông tin", "", "", "", "selected(${laws}, 'foi')"},
			{"date", "foi_date", "When did the access to information law take effect?", "Luật tiếp cận thông tin có hiệu lực từ khi nào?"},
			{"integer", "foi_requests", "Requests received last year", "Số yêu cầu nhận được năm ngoái", "", "", "", "", ". >= 0", "Not negative", "Không âm"},
			{"end group"},
			{"select_one readiness", "policy_rating", "Overall: policy and legal framework", "Tổng thể: chính sách và khung pháp lý", "", "", "", "", "", "", "", "odra"},
			{"end group"},
			{"begin group", "data", "Data management and availability", "Quản lý và sẵn có dữ liệu"},
			{"decimal", "share_online", "Share of key datasets already online (%)", "Tỷ lệ bộ dữ liệu chủ chốt đã đưa lên mạng (%)", "", "", "", "", ". >= 0 and . <= 100", "A percentage from 0 to 100", "Tỷ lệ phần trăm từ 0 đến 100"},
			{"text", "portal", "Address of the open data portal", "Địa chỉ cổng dữ liệu mở", "", "", "", "${share_online} > 0", "regex(., '^https?://')", "A web address starting with http:// or https://", "Địa chỉ web bắt đầu bằng http:// hoặc https://"},
			{"begin repeat", "key_datasets", "Key datasets", "Bộ dữ liệu chủ chốt", "One row per dataset the agency holds", "Mỗi bộ dữ liệu cơ quan nắm giữ một dòng"},
			{"text", "ds_source", "Data source", "Nguồn dữ liệu", "", "", "yes"},
			{"select_one yes_no", "ds_public", "Key for the public", "Quan trọng với người dân", "", "", "", "", "", "", "", "", "yesno"},
			{"select_one yes_no", "ds_service", "Key to service delivery", "Quan trọng cho cung cấp dịch vụ", "", "", "", "", "", "", "", "", "yesno"},
			{"integer", "ds_openness", "Openness", "Mức độ mở", "0 to 5 stars, or N/A", "0 đến 5 sao, hoặc N/A", "", "", "", "", "", "", "stars"},
			{"text", "ds_url", "Remarks or URL", "Ghi chú hoặc URL", "", "", "", "", "", "", "", "", "url"},
			{"end repeat"},
			{"select_one readiness", "data_rating", "Overall: data management and availability", "Tổng thể: quản lý và sẵn có dữ liệu", "", "", "", "", "", "", "", "odra"},
			{"end group"},
			{"begin group", "demand", "Demand and engagement", "Nhu cầu và sự tham gia"},
			{"select_multiple users", "users", "Who asks for government data?", "Ai yêu cầu dữ liệu của chính phủ?", "", "", "", "", "count-selected(.) <= 3", "Choose at most three", "Chọn tối đa ba"},
			{"text", "users_other", "Which other users?", "Những người dùng nào khác?", "", "", "yes", "selected(${users}, 'other')"},
			{"select_one readiness", "demand_rating", "Overall: demand and engagement", "Tổng thể: nhu cầu và sự tham gia", "", "", "", "", "", "", "", "readiness"},
			{"note", "thanks", "Thank the respondent and agree on how to share the report.", "Cảm ơn người trả lời và thống nhất cách chia sẻ báo cáo."},
			{"end group"},
		},
		choices: [][]any{
			{"list_name", "name", "label::English (en)", "label::Tiếng Việt (vi)"},
			{"role", "leader", "Agency leader", "Lãnh đạo cơ quan"},
			{"role", "it", "IT department", "Bộ phận công nghệ thông tin"},
			{"role", "statistics", "Statistics unit", "Bộ phận thống kê"},
			{"role", "other", "Other", "Khác"},
			{"yes_no", "yes", "Yes", "Có"},
			{"yes_no", "no", "No", "Không"},
			{"laws", "foi", "Access to information", "Tiếp cận thông tin"},
			{"laws", "privacy", "Personal data protection", "Bảo vệ dữ liệu cá nhân"},
			{"laws", "egov", "E-government", "Chính phủ điện tử"},
			{"laws", "none", "None yet", "Chưa có"},
			{"users", "business", "Businesses", "Doanh nghiệp"},
			{"users", "media", "Journalists", "Nhà báo"},
			{"users", "research", "Researchers", "Nhà nghiên cứu"},
			{"users", "civil", "Civil society", "Tổ chức xã hội"},
			{"users", "other", "Other", "Khác"},
		},
		settings: [][]any{
			{"form_title", "form_title::Tiếng Việt (vi)", "form_id", "version", "default_language"},
			{"Open data readiness check", "Đánh giá nhanh mức độ sẵn sàng dữ liệu mở", "odr-check", "2026.12", "English (en)"},
		},
	}
}

// badForm holds several problems at once, for the command's script.
func badForm() form {
	f := readinessForm().clone()
	f.set(5, 0, "select_one roles")                                    // a missing choice list
	f.set(11, 7, "${champion} = 'yes' and ${leadership_rating} != ''") // fine alone…
	f.set(13, 7, "${champion_name} != ''")                             // …but rating ← name ← rating: a cycle
	f.set(19, 8, ". >= 0 and . < today()")                             // unsupported function
	f.set(26, 7, "${share} > 0")                                       // unknown field
	f.set(36, 0, "geopoint")                                           // unknown type
	f.formulas = map[string]string{"settings!D2": `TEXT(NOW(),"yyyymmdd")`}
	return f
}

// TestFixtures writes the workbooks (with -update) and checks that the committed ones are
// what the generators write: importing either gives the same questionnaire or problems.
func TestFixtures(t *testing.T) {
	for name, f := range map[string]form{"readiness.xlsx": readinessForm(), "bad.xlsx": badForm(), "or_other.xlsx": orOtherForm(), "or_other_bad.xlsx": orOtherBadForm()} {
		path := filepath.Join(fixtureDir, name)
		data := f.xlsx(t)
		if *update {
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		fresh := outcome(t, data)
		committed, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -update to write it)", err)
		}
		if got := outcome(t, committed); got != fresh {
			t.Errorf("%s differs from its generator (run go test -update):\n%s\n---\n%s", name, got, fresh)
		}
	}
}

// outcome is the questionnaire (as JSON) or the problems an import gives.
func outcome(t *testing.T, data []byte) string {
	res, err := Import("form.xlsx", bytes.NewReader(data), Options{})
	if err != nil {
		return err.Error()
	}
	b, _ := json.Marshal(res.Questionnaire)
	return string(b)
}

func TestReadinessForm(t *testing.T) {
	res, err := Import("readiness.xlsx", bytes.NewReader(readinessForm().xlsx(t)), Options{})
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	q := res.Questionnaire
	if q.Title.Get("vi") != "Đánh giá nhanh mức độ sẵn sàng dữ liệu mở" || q.Title.Get("en") != "Open data readiness check" {
		t.Errorf("title %v", q.Title)
	}
	types := map[survey.QuestionType]int{}
	for _, qu := range q.Questions() {
		types[qu.Type]++
	}
	for _, ty := range []survey.QuestionType{survey.TypeText, survey.TypeNumber, survey.TypeDate, survey.TypeSingle,
		survey.TypeMultiple, survey.TypeRating, survey.TypeRoster} {
		if types[ty] == 0 {
			t.Errorf("no %s question: the fixture should use every supported type", ty)
		}
	}
	var secs []string
	for _, s := range q.Sections {
		secs = append(secs, s.ID)
	}
	if got := strings.Join(secs, " "); got != "respondent leadership policy foi policy-2 data demand" {
		t.Errorf("sections %s", got)
	}
	// Most ratings are ODRA's: the questionnaire rates on it, demand's section on readiness.
	demand, _ := q.Section("demand")
	if q.Scale != "odra" || q.SectionScale(demand).ID != survey.ReadinessScaleID {
		t.Errorf("scale %q, demand's %q", q.Scale, q.SectionScale(demand).ID)
	}
	// Sections without a rating question ask for no overall rating: respondent, and the
	// parts of the policy group before its rating (policy, and the nested group foi); the
	// part holding policy_rating (policy-2) and the other rated groups do.
	var plain []string
	for _, s := range q.Sections {
		if !s.HasOverall() {
			plain = append(plain, s.ID)
		}
	}
	if got := strings.Join(plain, " "); got != "respondent policy foi" {
		t.Errorf("sections with overall: false: %q, want respondent policy foi", got)
	}
	if len(res.Notices) != 2 {
		t.Errorf("notices %v, want start and end left out", res.Notices)
	}
	b, err := Import("bad.xlsx", bytes.NewReader(badForm().xlsx(t)), Options{})
	if err == nil {
		t.Fatalf("bad form imported: %v", b.Questionnaire.ID)
	}
	if n := len(err.(*Error).Problems); n != 7 {
		t.Errorf("bad form: %d problems, want 7:\n%v", n, err)
	}
}
