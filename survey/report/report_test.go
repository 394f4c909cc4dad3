package report

import (
	"reflect"
	"strings"
	"testing"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

func build(t *testing.T, o Options) *Report {
	t.Helper()
	r, err := Build(testQuestionnaire(t), testStates(t), o)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return r
}

func findInterview(t *testing.T, r *Report, id string) Interview {
	t.Helper()
	for _, in := range r.Interviews {
		if in.ID == id {
			return in
		}
	}
	t.Fatalf("interview %s not in the report", id)
	return Interview{}
}

func findRow(t *testing.T, s Section, id string) Row {
	t.Helper()
	for _, row := range s.Rows {
		if row.Question == id {
			return row
		}
	}
	t.Fatalf("question %s not in section %s", id, s.ID)
	return Row{}
}

func TestBuildRows(t *testing.T) {
	r := build(t, Options{Lang: "en"})
	if r.Questionnaire != "mini-odra" || r.Version != "1.0" || r.Title != "Mini Open Data Readiness" || r.Lang != "en" {
		t.Fatalf("report header = %q %q %q %q", r.Questionnaire, r.Version, r.Title, r.Lang)
	}
	in := findInterview(t, r, idDaNang)
	if in.Respondent.Province != "Đà Nẵng" || in.Respondent.Agency != "Sở Thông tin và Truyền thông" {
		t.Errorf("respondent = %+v", in.Respondent)
	}
	if in.Category != "Provincial government" || in.Status != survey.StatusCompleted {
		t.Errorf("category %q status %q", in.Category, in.Status)
	}
	if len(in.Sections) != 3 {
		t.Fatalf("%d sections, want 3", len(in.Sections))
	}
	s1 := in.Sections[0]
	if s1.ID != "1" || s1.Title != "Senior Leadership" || s1.Importance != survey.ImportanceVeryHigh {
		t.Errorf("section 1 = %q %q %q", s1.ID, s1.Title, s1.Importance)
	}
	var ids []string
	for _, row := range s1.Rows {
		ids = append(ids, row.Question)
	}
	if got := strings.Join(ids, " "); got != "1.1 1.2 1.3 1.4 1.5" {
		t.Errorf("rows of section 1 = %s, want every question in order", got)
	}

	r11 := findRow(t, s1, "1.1")
	if r11.Rating != survey.Green || r11.Label != "Green" || r11.Symbol != "●●●●●" || r11.Color != "green" ||
		!r11.Answered || r11.Skipped || r11.Importance != survey.ImportanceVeryHigh {
		t.Errorf("1.1 = %+v", r11)
	}
	if len(r11.Evidence) != 3 {
		t.Fatalf("1.1 has %d evidence items, want 3", len(r11.Evidence))
	}
	if e := r11.Evidence[1]; e.Polarity != survey.Minus || e.InScope || e.Note != "in force from 1 July 2018" {
		t.Errorf("out-of-scope evidence = %+v", e)
	}

	r13 := findRow(t, s1, "1.3")
	if !r13.Skipped || r13.Answered || r13.Rating != "" || r13.Comment != "" {
		t.Errorf("1.3 is hidden by skip logic: want skipped with no stale answer, got %+v", r13)
	}
	r14 := findRow(t, s1, "1.4")
	if r14.Skipped || r14.Answered || r14.Rating != "" || r14.Comment != "ask the Party secretary's office" {
		t.Errorf("1.4 is relevant with only a comment: want not answered, comment kept; got %+v", r14)
	}
	if r15 := findRow(t, s1, "1.5"); r15.Value != "Yes" || !r15.Answered || r15.Rating != "" {
		t.Errorf("1.5 yes/no = %+v", r15)
	}

	// Section 1 is confirmed: amber, although the suggestion would differ.
	want1 := Overall{Rating: survey.Amber, Label: "Amber", Symbol: "●●●○○", Color: "amber", Comment: "Strong at the top, weak in the middle."}
	if !reflect.DeepEqual(*s1.Overall, want1) {
		t.Errorf("confirmed overall = %+v, want %+v", s1.Overall, want1)
	}
	// Section 2 is not confirmed: amber (High, 3) and green (Medium High, 5) suggest
	// (3·3+2·5)/5 = 3.8 → amber-green; the overall comment stays.
	s2 := in.Sections[1]
	want2 := Overall{Rating: survey.AmberGreen, Label: "Amber/Green", Symbol: "●●●●○", Color: "amber-green", Suggested: true, Comment: "Cần thêm văn bản hướng dẫn."}
	if !reflect.DeepEqual(*s2.Overall, want2) {
		t.Errorf("suggested overall = %+v, want %+v", s2.Overall, want2)
	}
	if v := findRow(t, s2, "2.1").Value; v != "Law on Access to Information 2016" {
		t.Errorf("2.1 single choice = %q, want the option label", v)
	}
	if v := findRow(t, s2, "2.4").Value; v != "CC BY; Own licence" {
		t.Errorf("2.4 multiple choice = %q", v)
	}
	if v := findRow(t, s2, "2.5").Value; v != "42.5" {
		t.Errorf("2.5 number = %q", v)
	}
	// Section 3: nothing rated, nothing confirmed.
	if o := in.Sections[2].Overall; o.Rating != "" || o.Suggested {
		t.Errorf("section with nothing rated: overall = %+v, want no rating", o)
	}
	if row := in.Sections[2].Rows[0]; row.Answered || row.Skipped {
		t.Errorf("unanswered 3.1 = %+v", row)
	}
}

func TestBuildConflictAndUncounted(t *testing.T) {
	r := build(t, Options{Lang: "en"})
	in := findInterview(t, r, idHaNoi)
	r22 := findRow(t, in.Sections[1], "2.2")
	if !r22.Conflict {
		t.Error("2.2 has two heads: the row must be marked as a conflict")
	}
	if r22.Rating != survey.AmberGreen || r22.Comment != "second assessor" {
		t.Errorf("2.2 shows %q %q, want the newest head", r22.Rating, r22.Comment)
	}
	if findRow(t, in.Sections[0], "1.1").Conflict {
		t.Error("1.1 has no conflict")
	}
	r31 := findRow(t, in.Sections[2], "3.1")
	if r31.Rating != survey.DontKnow || r31.Label != "Don't know" || r31.Symbol != "?" || !r31.Answered {
		t.Errorf("3.1 don't know = %+v", r31)
	}
	if o := in.Sections[2].Overall; o.Rating != "" {
		t.Errorf("only an uncounted rating: overall = %+v, want none", o)
	}
}

func TestBuildVietnamese(t *testing.T) {
	r := build(t, Options{Lang: "vi"})
	if r.Title != "Đánh giá mức độ sẵn sàng dữ liệu mở (rút gọn)" || r.Lang != "vi" {
		t.Errorf("title %q lang %q", r.Title, r.Lang)
	}
	in := findInterview(t, r, idDaNang)
	if in.Category != "Chính quyền cấp tỉnh" {
		t.Errorf("category = %q", in.Category)
	}
	s1, s2 := in.Sections[0], in.Sections[1]
	if s1.Title != "Cam kết của lãnh đạo cấp cao" {
		t.Errorf("section title = %q", s1.Title)
	}
	r11 := findRow(t, s1, "1.1")
	if r11.Label != "Xanh" || r11.Rating != survey.Green || r11.Text != "Sự lãnh đạo chính trị về dữ liệu mở rõ ràng đến mức nào?" {
		t.Errorf("1.1 in Vietnamese = %q %q %q", r11.Label, r11.Rating, r11.Text)
	}
	if v := findRow(t, s1, "1.5").Value; v != "Có" {
		t.Errorf("yes in Vietnamese = %q", v)
	}
	if v := findRow(t, s2, "2.4").Value; v != "CC BY; Giấy phép riêng" {
		t.Errorf("options in Vietnamese = %q", v)
	}
	if s1.Overall.Label != "Vàng" || s2.Overall.Label != "Vàng/Xanh" {
		t.Errorf("overall labels = %q, %q", s1.Overall.Label, s2.Overall.Label)
	}
}

func TestBuildOrderAndFilters(t *testing.T) {
	r := build(t, Options{})
	var got []string
	for _, in := range r.Interviews {
		got = append(got, in.Respondent.Province)
	}
	// Vietnamese order (B < Đ < H), not byte order (which puts Đ after H); the interview of
	// another questionnaire is left out.
	if strings.Join(got, ", ") != "Bắc Ninh, Đà Nẵng, Hà Nội" {
		t.Errorf("interviews ordered %v", got)
	}
	if r.Lang != "en" {
		t.Errorf("default language = %q, want en", r.Lang)
	}

	r = build(t, Options{Interviews: []string{idHaNoi, idDaNang, idHaNoi}, Sections: []string{"2", "1"}})
	if len(r.Interviews) != 2 || r.Interviews[0].ID != idHaNoi || r.Interviews[1].ID != idDaNang {
		t.Fatalf("named interviews come in the order named, once: got %d", len(r.Interviews))
	}
	for _, in := range r.Interviews {
		if len(in.Sections) != 2 || in.Sections[0].ID != "1" || in.Sections[1].ID != "2" {
			t.Errorf("sections filtered to 1 and 2 in questionnaire order, got %+v", in.Sections)
		}
	}
}

func TestBuildErrors(t *testing.T) {
	q := testQuestionnaire(t)
	states := testStates(t)
	cases := []struct {
		name string
		o    Options
		want []string
	}{
		{"unknown section", Options{Sections: []string{"1", "9"}}, []string{`no section "9"`, "1, 2, 3"}},
		{"unknown interview", Options{Interviews: []string{"nope"}}, []string{`no interview "nope"`}},
		{"other questionnaire", Options{Interviews: []string{idOther}}, []string{"uses questionnaire dgra-2018", "not mini-odra"}},
		{"language", Options{Lang: "fr"}, []string{`unsupported language "fr"`, "vi or en"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := Build(q, states, c.o)
			if err == nil {
				t.Fatalf("Build succeeded with %+v", c.o)
			}
			if r != nil {
				t.Error("a failed Build returns no report")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
	if _, err := Build(q, append(states, states[0]), Options{}); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("an interview given twice: err = %v", err)
	}
	if _, err := Build(nil, states, Options{}); err == nil {
		t.Error("Build without a questionnaire succeeded")
	}
}

func TestBuildLeavesInputsAlone(t *testing.T) {
	q := testQuestionnaire(t)
	states := testStates(t)
	before := make([]survey.Record, len(states))
	for i, st := range states {
		before[i] = st.Record()
	}
	r, err := Build(q, states, Options{Lang: "vi"})
	if err != nil {
		t.Fatal(err)
	}
	// Changing the report must not reach the interviews.
	r.Interviews[1].Sections[0].Rows[0].Evidence[0].Text = "changed"
	for i, st := range states {
		if !reflect.DeepEqual(st.Record(), before[i]) {
			t.Errorf("interview %s changed by Build or by editing its report", st.ID)
		}
	}
	again, err := Build(q, states, Options{Lang: "vi"})
	if err != nil {
		t.Fatal(err)
	}
	again.Interviews[1].Sections[0].Rows[0].Evidence[0].Text = "changed"
	if !reflect.DeepEqual(r, again) {
		t.Error("two Builds of the same input differ")
	}
}

func TestWordsInBothLanguages(t *testing.T) {
	for k, v := range words {
		if v[survey.LangEN] == "" || v[survey.LangVI] == "" {
			t.Errorf("word %q lacks a language: %v", k, v)
		}
	}
}
