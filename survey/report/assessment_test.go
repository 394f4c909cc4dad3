package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// The assessment fixture: five interviews of the mini questionnaire in three provinces with
// several statuses, and a national assessment with team ratings, remarks, texts, an action
// plan and key datasets.

const (
	aNational = "0193a5b2-7c1e-7000-8000-0000000000a1"
	ivA       = "0193a5b2-7c1e-7000-8000-000000000001" // Đà Nẵng, approved
	ivB       = "0193a5b2-7c1e-7000-8000-000000000002" // Đà Nẵng, approved
	ivC       = "0193a5b2-7c1e-7000-8000-000000000003" // Hà Nội, approved
	ivD       = "0193a5b2-7c1e-7000-8000-000000000004" // Huế, submitted
	ivE       = "0193a5b2-7c1e-7000-8000-000000000005" // Huế, draft
)

func assessFixture(t testing.TB) (*survey.Assessment, []*survey.InterviewState) {
	t.Helper()
	b := newBuilder(t)
	iv := func(id, agency, province, date string, st survey.Status, answers map[string]survey.Answer, sec1 survey.Code) {
		b.interview(id, "mini-odra", survey.Respondent{Agency: agency, Province: province, Date: date, Consent: true})
		for _, k := range []string{"1.1", "1.2", "1.3", "1.4", "2.2", "2.3", "3.1"} {
			if a, ok := answers[k]; ok {
				b.answer(id, k, a)
			}
		}
		if sec1 != "" {
			b.add(id, survey.KindSection, "1", survey.SectionSummary{Rating: sec1})
		}
		b.add(id, survey.KindStatus, "", survey.StatusChange{Status: st})
	}
	iv(ivA, "Sở Thông tin và Truyền thông", "Đà Nẵng", "2026-11-16", survey.StatusApproved, map[string]survey.Answer{
		"1.1": {Rating: survey.Green, Comment: "Chủ tịch tỉnh trực tiếp chỉ đạo.", Evidence: []survey.Evidence{
			{Polarity: survey.Plus, Text: "Quyết định về cổng dữ liệu mở", Source: "QĐ 1819/QĐ-UBND", InScope: true}}},
		"1.2": {Rating: survey.Amber},
		// 1.3 is hidden (1.2 is not green): its stale rating must never count.
		"1.3": {Rating: survey.Red, Comment: "stale"},
		"2.2": {Rating: survey.AmberRed, Evidence: []survey.Evidence{
			{Polarity: survey.Minus, Text: "Luật Tiếp cận thông tin chưa có hiệu lực", InScope: false, Note: "hiệu lực từ 1/7/2018"}}},
		"3.1": {Rating: survey.DontKnow},
	}, survey.Amber)
	iv(ivB, "Sở Tài chính", "Đà Nẵng", "2026-11-17", survey.StatusApproved, map[string]survey.Answer{
		"1.1": {Rating: survey.Amber},
		"1.2": {Rating: survey.Red, Comment: "No governance body yet."},
		"2.2": {Rating: survey.Amber},
		"3.1": {Rating: survey.NotAssessed},
	}, survey.AmberRed)
	iv(ivC, "Văn phòng Chính phủ", "Hà Nội", "2026-11-19", survey.StatusApproved, map[string]survey.Answer{
		"1.1": {Rating: survey.AmberGreen},
		"1.2": {Rating: survey.AmberRed},
		"2.2": {Rating: survey.Amber, Evidence: []survey.Evidence{{Polarity: survey.Plus, Text: "Nghị định hướng dẫn đã ban hành", InScope: true}}},
		"2.3": {Rating: survey.Green},
	}, "")
	iv(ivD, "Sở Nội vụ", "Huế", "2026-11-20", survey.StatusSubmitted, map[string]survey.Answer{
		"1.1": {Rating: survey.Red},
		"3.1": {Rating: survey.Red},
	}, survey.Red)
	iv(ivE, "Sở Y tế", "Huế", "2026-11-21", survey.StatusDraft, map[string]survey.Answer{
		"1.1": {Rating: survey.Green},
	}, "")

	id := aNational
	b.add(id, survey.KindAssessment, "", survey.AssessmentMeta{Questionnaire: "mini-odra", QuestionnaireVersion: "1.0",
		Scope: survey.ScopeNational, Title: "Đánh giá sẵn sàng dữ liệu mở quốc gia 2026", Team: []string{"Nguyễn Thị Lan", "Trần Văn Minh"}})
	b.add(id, survey.KindText, survey.TextSummary, survey.TextValue{Text: "Việt Nam có cam kết chính trị rõ ràng.\n\nKhung pháp lý còn thiếu văn bản hướng dẫn."})
	b.add(id, survey.KindText, survey.TextConclusions, survey.TextValue{Text: "Ưu tiên: ban hành chính sách dữ liệu mở và bố trí ngân sách."})
	b.add(id, survey.KindText, survey.AnalysisKey("1"), survey.TextValue{Text: "Lãnh đạo cấp cao ủng hộ, nhưng chưa có cơ chế điều phối liên ngành <script>."})
	b.answer(id, "1.1", survey.Answer{Rating: survey.AmberGreen, Comment: "Cam kết rõ ở cấp trung ương; cấp tỉnh không đồng đều."})
	b.answer(id, "1.2", survey.Answer{Rating: survey.AmberRed, Comment: "Chưa có | ban chỉ đạo."})
	b.answer(id, "2.2", survey.Answer{Rating: survey.Amber})
	b.add(id, survey.KindSection, "1", survey.SectionSummary{Rating: survey.Amber, Comment: "Nền tảng tốt, cần cơ chế điều phối."})
	b.add(id, survey.KindSection, "2", survey.SectionSummary{Rating: survey.AmberRed})
	b.add(id, survey.KindAction, "A1", survey.ActionItem{Sections: []string{"1", "2"}, Action: "Ban hành chính sách dữ liệu mở quốc gia",
		Lead: "Bộ Thông tin và Truyền thông", Phase: "0–6 tháng", Measure: "Chính sách được ban hành", Order: 1})
	b.add(id, survey.KindAction, "A2", survey.ActionItem{Sections: []string{"3"}, Action: "Bố trí ngân sách cho cổng dữ liệu",
		Lead: "Bộ Tài chính", Phase: "6–18 tháng", Measure: "Dòng ngân sách riêng", DependsOn: []string{"A1"}, Order: 2})
	b.add(id, survey.KindAction, "A3", survey.ActionItem{Sections: []string{"1"}, Action: "Thành lập nhóm công tác liên ngành",
		Lead: "Văn phòng Chính phủ", Phase: "0–6 tháng", Order: 3})
	b.add(id, survey.KindDataset, "D1", survey.DatasetRow{Agency: "Tổng cục Thống kê", Source: "Niên giám thống kê",
		KeyForPublic: true, KeyToService: true, Openness: 3, Remarks: "https://www.gso.gov.vn", Order: 1})
	b.add(id, survey.KindDataset, "D2", survey.DatasetRow{Agency: "Bộ Tài chính", Source: "Ngân sách nhà nước",
		KeyForPublic: true, Openness: 0, Order: 2})

	states, err := survey.Fold(b.revs)
	if err != nil {
		t.Fatal(err)
	}
	a, ok := states[aNational].Assessment()
	if !ok {
		t.Fatal("the fixture assessment is not an assessment")
	}
	var all []*survey.InterviewState
	for _, k := range []string{ivE, ivD, aNational, ivC, ivB, ivA} {
		all = append(all, states[k])
	}
	return a, all
}

func buildAssess(t *testing.T, o AssessmentOptions) *AssessmentReport {
	t.Helper()
	a, states := assessFixture(t)
	r, err := BuildAssessment(testQuestionnaire(t), a, states, o)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func rowOf(t *testing.T, r *AssessmentReport, question string) TeamRow {
	t.Helper()
	for _, s := range r.Sections {
		for _, row := range s.Rows {
			if row.Question == question {
				return row
			}
		}
	}
	t.Fatalf("no row %s", question)
	return TeamRow{}
}

func countOf(sp Spread, c survey.Code) int {
	for _, s := range sp.Steps {
		if s.Code == c {
			return s.Count
		}
	}
	return -1
}

// What the interviews say beside each team rating: only interviews in scope whose status
// counts; "don't know" and "not assessed" are listed but never rated or counted in the
// median; a question hidden by skip logic never counts; evidence and comments are pooled
// with their interview's agency and province.
func TestPooledEvidence(t *testing.T) {
	approved := buildAssess(t, AssessmentOptions{Lang: "en"})
	submitted := buildAssess(t, AssessmentOptions{Lang: "en", Include: IncludeSubmitted})
	cases := []struct {
		name      string
		r         *AssessmentReport
		question  string
		rated     int
		uncounted int
		suggested survey.Code
		half      bool
		counts    map[survey.Code]int
	}{
		// Green, Amber, Amber/Green: median Amber/Green.
		{"1.1 approved", approved, "1.1", 3, 0, survey.AmberGreen, false, map[survey.Code]int{survey.Green: 1, survey.Amber: 1, survey.AmberGreen: 1, survey.Red: 0}},
		// The submitted interview in Huế adds a Red; the draft never counts: Red, Amber, A/G, Green → half between Amber and A/G → Amber (the middle).
		{"1.1 submitted", submitted, "1.1", 4, 0, survey.Amber, true, map[survey.Code]int{survey.Red: 1, survey.Green: 1}},
		// 1.3 is hidden in every interview (1.2 never green): the stale Red does not count.
		{"1.3 skipped", approved, "1.3", 0, 0, "", false, map[survey.Code]int{survey.Red: 0}},
		// Don't know and not assessed are listed, never counted.
		{"3.1 uncounted", approved, "3.1", 0, 2, "", false, map[survey.Code]int{survey.DontKnow: 1, survey.NotAssessed: 1}},
		{"3.1 submitted", submitted, "3.1", 1, 2, survey.Red, false, map[survey.Code]int{survey.Red: 1}},
		// Amber/Red, Amber, Amber: median Amber.
		{"2.2", approved, "2.2", 3, 0, survey.Amber, false, map[survey.Code]int{survey.AmberRed: 1, survey.Amber: 2}},
	}
	for _, c := range cases {
		sp := rowOf(t, c.r, c.question).Interviews
		if sp.Rated != c.rated || sp.Uncounted != c.uncounted || sp.Suggested != c.suggested || sp.Half != c.half {
			t.Errorf("%s: rated %d uncounted %d suggested %q half %v, want %d %d %q %v", c.name,
				sp.Rated, sp.Uncounted, sp.Suggested, sp.Half, c.rated, c.uncounted, c.suggested, c.half)
		}
		for code, n := range c.counts {
			if got := countOf(sp, code); got != n {
				t.Errorf("%s: %s counted %d, want %d", c.name, code, got, n)
			}
		}
	}

	ev := rowOf(t, approved, "2.2").Interviews.Evidence
	if len(ev) != 2 || ev[0].Agency != "Sở Thông tin và Truyền thông" || ev[0].Province != "Đà Nẵng" || ev[0].InScope ||
		ev[0].Polarity != survey.Minus || ev[0].Interview != ivA || ev[1].Province != "Hà Nội" {
		t.Errorf("pooled evidence of 2.2: %+v", ev)
	}
	cm := rowOf(t, approved, "1.2").Interviews.Comments
	if len(cm) != 1 || cm[0].Text != "No governance body yet." || cm[0].Agency != "Sở Tài chính" {
		t.Errorf("pooled comments of 1.2: %+v", cm)
	}
	// The interviews' overall ratings of section 1: Amber, Amber/Red (approved).
	if s := approved.Sections[0].Interviews; s.Rated != 2 || countOf(*s, survey.Amber) != 1 || countOf(*s, survey.AmberRed) != 1 {
		t.Errorf("section 1 overall spread: %+v", s)
	}
	if len(approved.Interviews) != 3 || approved.FieldworkFrom != "2026-11-16" || approved.FieldworkTo != "2026-11-19" {
		t.Errorf("annex: %d interviews, %s – %s", len(approved.Interviews), approved.FieldworkFrom, approved.FieldworkTo)
	}
	if len(submitted.Interviews) != 4 {
		t.Errorf("with submitted: %d interviews, want 4", len(submitted.Interviews))
	}
}

// A province's assessment counts that province's interviews only (case aside).
func TestProvinceScope(t *testing.T) {
	a, states := assessFixture(t)
	a.Meta.Scope = "đà nẵng"
	r, err := BuildAssessment(testQuestionnaire(t), a, states, AssessmentOptions{Lang: "vi"})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Interviews) != 2 || rowOf(t, r, "1.1").Interviews.Rated != 2 || r.ScopeLabel != "đà nẵng" {
		t.Errorf("Đà Nẵng scope: %d interviews, %d rated 1.1", len(r.Interviews), rowOf(t, r, "1.1").Interviews.Rated)
	}
}

func TestAssessmentReportContents(t *testing.T) {
	r := buildAssess(t, AssessmentOptions{Lang: "vi"})
	if !r.DisclaimerDefault || r.Disclaimer != survey.DefaultDisclaimer.Get("vi") {
		t.Errorf("default disclaimer not used: %q", r.Disclaimer)
	}
	if len(r.Phases) != 2 || r.Phases[0].Phase != "0–6 tháng" || len(r.Phases[0].Actions) != 2 || r.Phases[0].Actions[1].ID != "A3" ||
		r.Phases[1].Actions[0].DependsOn[0] != "A1" || r.Phases[0].Actions[0].Sections[1].Title != "Khung chính sách pháp lý cho dữ liệu mở" {
		t.Errorf("action plan: %+v", r.Phases)
	}
	if len(r.Datasets) != 2 || r.Datasets[0].OpennessText != "★★★☆☆" || r.Datasets[1].OpennessText != "Không áp dụng" {
		t.Errorf("datasets: %+v", r.Datasets)
	}
	// Only rating questions are in the tables; the overall row is the team's.
	if s := r.Sections[0]; len(s.Rows) != 4 || s.Overall.Rating != survey.Amber || s.Overall.Label != "Vàng" {
		t.Errorf("section 1: %+v", s)
	}
	var md bytes.Buffer
	if err := WriteAssessmentMarkdown(&md, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "| **Đánh giá chung** | **●●●○○ Vàng** | Nền tảng tốt, cần cơ chế điều phối. |") {
		t.Errorf("markdown lacks the overall row:\n%s", md.String())
	}
	if _, err := BuildAssessment(testQuestionnaire(t), &survey.Assessment{ID: "x", Meta: survey.AssessmentMeta{Questionnaire: "other"}}, nil, AssessmentOptions{}); err == nil {
		t.Error("an assessment of another questionnaire was accepted")
	}
}

func TestAssessmentGoldens(t *testing.T) {
	for _, lang := range []string{"en", "vi"} {
		r := buildAssess(t, AssessmentOptions{Lang: lang})
		var h, m, j, x bytes.Buffer
		if err := WriteAssessmentHTML(&h, r); err != nil {
			t.Fatal(err)
		}
		if err := WriteAssessmentMarkdown(&m, r); err != nil {
			t.Fatal(err)
		}
		if err := WriteAssessmentJSON(&j, r); err != nil {
			t.Fatal(err)
		}
		if err := WriteAssessmentText(&x, r, nil, 80); err != nil {
			t.Fatal(err)
		}
		golden(t, "assessment."+lang+".html", h.Bytes())
		golden(t, "assessment."+lang+".md", m.Bytes())
		golden(t, "assessment."+lang+".json", j.Bytes())
		golden(t, "assessment."+lang+".txt", x.Bytes())
		if lang == "vi" {
			var c bytes.Buffer
			if err := WriteAssessmentCSV(&c, r); err != nil {
				t.Fatal(err)
			}
			golden(t, "assessment.vi.csv", c.Bytes())
		}
		if strings.Contains(h.String(), "<script>") {
			t.Error("text from the assessment reached the HTML unescaped")
		}
	}
}

// Text typed by the team or the assessors cannot act on a terminal or a spreadsheet: control
// characters are dropped from HTML, markdown, text and CSV and escaped in JSON, and a CSV
// cell that a spreadsheet would run as a formula starts with '.
func TestAssessmentHostileText(t *testing.T) {
	r := buildAssess(t, AssessmentOptions{Lang: "en"})
	r.Sections[0].Rows[0].Remarks = "=HYPERLINK(\"http://evil\")\x1b]0;pwned\x07 ok"
	r.Summary = "sum\x1b[2Jmary\u009b"
	r.Sections[0].Rows[0].Interviews.Comments = append(r.Sections[0].Rows[0].Interviews.Comments, Pooled{Text: "c\x1b[31m", Agency: "A"})
	writers := map[string]func(*bytes.Buffer) error{
		"html":     func(b *bytes.Buffer) error { return WriteAssessmentHTML(b, r) },
		"markdown": func(b *bytes.Buffer) error { return WriteAssessmentMarkdown(b, r) },
		"text":     func(b *bytes.Buffer) error { return WriteAssessmentText(b, r, nil, 80) },
		"csv":      func(b *bytes.Buffer) error { return WriteAssessmentCSV(b, r) },
		"json":     func(b *bytes.Buffer) error { return WriteAssessmentJSON(b, r) },
	}
	for name, w := range writers {
		var b bytes.Buffer
		if err := w(&b); err != nil {
			t.Fatal(err)
		}
		if strings.ContainsAny(b.String(), "\x1b\x07\u009b") {
			t.Errorf("%s: a control character reached the output", name)
		}
		switch name {
		case "csv":
			if !strings.Contains(b.String(), `"'=HYPERLINK(""http://evil"")]0;pwned ok"`) {
				t.Errorf("csv: the formula cell is not made text:\n%s", b.String())
			}
		case "json":
			if !strings.Contains(b.String(), `\u001b]0;pwned\u0007 ok`) {
				t.Errorf("json: the remarks are not kept escaped:\n%s", b.String())
			}
		}
	}
}
