package xlsform

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/fieldsurvey/fieldsurvey/questionnaires"
	"github.com/fieldsurvey/fieldsurvey/survey"
)

func importForm(t *testing.T, f form, opts Options) (*Result, error) {
	t.Helper()
	return Import("form.xlsx", bytes.NewReader(f.xlsx(t)), opts)
}

func TestImportEveryConstruct(t *testing.T) {
	res, err := importForm(t, everyForm(), Options{})
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	q := res.Questionnaire
	if q.ID != "readiness-check" || q.Version != "2026.1" || q.Title.Get("vi") != "Readiness check" {
		t.Errorf("id %q version %q title %v", q.ID, q.Version, q.Title)
	}
	if strings.Join(q.Languages, ",") != "en,vi" {
		t.Errorf("languages %v, want en,vi", q.Languages)
	}
	var secs []string
	for _, s := range q.Sections {
		var ids []string
		for _, qu := range s.Questions {
			ids = append(ids, qu.ID+":"+string(qu.Type))
		}
		secs = append(secs, s.ID+"="+s.Title.Get("vi")+"["+strings.Join(ids, " ")+"]")
	}
	want := []string{
		"main=Readiness check[agency:text]",
		"p1=Lãnh đạo[champion:single champion_name:text]",
		"p1_law=Lãnh đạo › Luật[laws:multiple law_date:date]",
		"p1-2=Lãnh đạo[staff:number budget:number rating1:rating]",
		"p2=Nhu cầu[demand:text rating2:rating]",
	}
	if strings.Join(secs, "\n") != strings.Join(want, "\n") {
		t.Errorf("sections:\n%s\nwant:\n%s", strings.Join(secs, "\n"), strings.Join(want, "\n"))
	}
	get := func(id string) *survey.Question {
		qu, ok := q.Question(id)
		if !ok {
			t.Fatalf("no question %s", id)
		}
		return qu
	}
	if n := len(res.Notices); n != 1 || !strings.Contains(res.Notices[0].Line("form.xlsx", "en"), "form.xlsx: survey!2: type: start: left out") {
		t.Errorf("notices %v, want the start row left out", res.Notices)
	}
	ag := get("agency")
	if !ag.Required || ag.Guidance.Get("vi") != "Tên đầy đủ" || ag.Constraint != `len(string(value ?? "")) <= 200` ||
		ag.ConstraintMessage.Get("vi") != "Tối đa 200 ký tự" {
		t.Errorf("agency: %+v", ag)
	}
	ch := get("champion")
	if ch.Guidance.Get("en") != "Ask about the champion." || len(ch.Options) != 2 || ch.Options[1].Label.Get("vi") != "Không" {
		t.Errorf("champion: guidance %v options %v", ch.Guidance, ch.Options)
	}
	for id, rel := range map[string]string{
		"champion_name": `(answer("champion") ?? "") == "yes"`,
		"laws":          `((answer("champion") ?? "") == "yes")`,
		"law_date":      `(((answer("champion") ?? "") == "yes")) and ((answer("laws") ?? "") != "" or true)`,
		"budget":        `answer("staff") != nil and answer("staff") > 0`,
	} {
		if got := get(id).Relevant; got != rel {
			t.Errorf("%s relevant:\n got %s\nwant %s", id, got, rel)
		}
	}
	for id, c := range map[string]string{
		"champion_name": `(string(value ?? "") matches "^[A-Z]")`,
		"laws":          `len(value ?? []) >= 1 and not (("none" in (value ?? [])) and len(value ?? []) > 1)`,
		"staff":         `floor(value) == value and (value >= 0 and value <= 1000)`,
		"budget":        `value / 2 >= 0.5 or value - 2 * int(value / 2) == 0 or -value < 3 * 2 + 1`,
	} {
		if got := get(id).Constraint; got != c {
			t.Errorf("%s constraint:\n got %s\nwant %s", id, got, c)
		}
	}
	if m := get("staff").ConstraintMessage.Get("en"); m != "0 to 1000 (a whole number is expected)" {
		t.Errorf("staff message %q", m)
	}
	r1, r2 := get("rating1"), get("rating2")
	if r1.Scale != "odra" || q.ScaleOf(r1).ID != "odra" || len(q.Scales) != 1 {
		t.Errorf("rating1 scale %q, scales %v", r1.Scale, q.Scales)
	}
	if q.ScaleOf(r2).ID != survey.ReadinessScaleID {
		t.Errorf("rating2 scale %q", q.ScaleOf(r2).ID)
	}
	if g := r2.Guidance.Get("vi"); g != "Cảm ơn người trả lời." {
		t.Errorf("rating2 guidance %q: a trailing note goes after the last question's guidance", g)
	}
	// The sections' overall ratings are on the scale their questions rate on.
	p12, _ := q.Section("p1-2")
	p2, _ := q.Section("p2")
	if q.SectionScale(p12).ID != "odra" || q.SectionScale(p2).ID != survey.ReadinessScaleID {
		t.Errorf("section scales: p1-2 %s, p2 %s", q.SectionScale(p12).ID, q.SectionScale(p2).ID)
	}

	// The skip logic behaves as the form's does.
	ans := survey.Answers{"champion": {Value: "no"}}
	if q.Relevant(get("champion_name"), ans) || q.Relevant(get("laws"), ans) {
		t.Error("champion_name and the laws group asked although champion is no")
	}
	ans["champion"] = survey.Answer{Value: "yes"}
	if !q.Relevant(get("champion_name"), ans) || !q.Relevant(get("laws"), ans) {
		t.Error("champion_name or laws not asked although champion is yes")
	}
	if q.Relevant(get("budget"), ans) {
		t.Error("budget asked while staff is unanswered (XPath: an empty field compares false)")
	}
	ans["staff"] = survey.Answer{Value: 2.5}
	if is := q.Check(get("staff"), ans); len(is) != 1 || is[0].Kind != survey.IssueConstraint {
		t.Errorf("staff 2.5: issues %v, want the whole-number constraint", is)
	}
	ans["laws"] = survey.Answer{Value: []string{"none", "privacy"}}
	if is := q.Check(get("laws"), ans); len(is) != 1 || is[0].Msg.Get("vi") != "Không có thì chọn riêng" {
		t.Errorf("laws none+privacy: issues %v", is)
	}
	ans["champion_name"] = survey.Answer{Value: "nguyễn"}
	if is := q.Check(get("champion_name"), ans); len(is) != 1 {
		t.Errorf("champion_name lower case: issues %v", is)
	}
}

// TestRoundTrip: the YAML an import writes loads, validates strictly, and gives the same
// questionnaire.
func TestRoundTrip(t *testing.T) {
	res, err := importForm(t, everyForm(), Options{ID: "other-id", Version: "7"})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "out.yaml")
	if err := os.WriteFile(path, res.YAML, 0o644); err != nil {
		t.Fatal(err)
	}
	q, err := questionnaires.LoadFileStrict(path)
	if err != nil {
		t.Fatalf("the written YAML does not validate: %v\n%s", err, res.YAML)
	}
	if q.ID != "other-id" || q.Version != "7" {
		t.Errorf("--id/--version: got %s %s", q.ID, q.Version)
	}
	again, err := Marshal(q, "form.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, res.YAML) {
		t.Errorf("YAML changes on a second round:\n%s\n---\n%s", res.YAML, again)
	}
}

// problemLines imports f and returns its problems as the command prints them.
func problemLines(t *testing.T, f form) []string {
	t.Helper()
	_, err := importForm(t, f, Options{})
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("import: want *Error, got %v", err)
	}
	return e.Lines("en")
}

func TestRefusals(t *testing.T) {
	type edit func(f *form)
	setCell := func(row, col int, v any) edit { return func(f *form) { f.set(row, col, v) } }
	cases := []struct {
		name string
		edit edit
		want []string // every line, in order
	}{
		{"unknown type", setCell(16, 0, "geopoint"),
			[]string{`form.xlsx: survey!17: type: unknown type "geopoint" (supported: ` + supportedTypes + `)`}},
		{"missing choice list", setCell(5, 0, "select_one yesno"),
			[]string{`form.xlsx: survey!6: type: the choice list "yesno" is missing from the choices sheet`}},
		{"formula in a cell", func(f *form) { f.formulas = map[string]string{"survey!C17": `"Who asks"&" for data?"`} },
			[]string{`form.xlsx: survey!17: label::English (en): the cell holds a formula (="Who asks"&" for data?"): type its value instead, fieldsurvey reads values, not formulas`}},
		{"cyclic relevant", func(f *form) {
			setCell(5, 7, "${demand} != ''")(f)
			setCell(16, 7, "${champion_name} != ''")(f)
		}, []string{
			`form.xlsx: survey!6: relevant: cyclic relevant: champion → champion_name → demand → champion: none of these questions can be asked`,
			`form.xlsx: survey!7: relevant: cyclic relevant: champion → champion_name → demand → champion: none of these questions can be asked`,
			`form.xlsx: survey!17: relevant: cyclic relevant: champion → champion_name → demand → champion: none of these questions can be asked`,
		}},
		{"unknown ref", setCell(6, 7, "${champ} = 'yes'"),
			[]string{`form.xlsx: survey!7: relevant: ${champ}: no question of the form has that name`}},
		{"unsupported function", setCell(12, 8, ". > 0 and . < today()"),
			[]string{`form.xlsx: survey!13: constraint: the function today() is not supported (supported: ` + supportedFuncs + `)`}},
		{"xpath path", setCell(6, 7, "/data/champion = 'yes'"),
			[]string{`form.xlsx: survey!7: relevant: XPath paths (/) are not supported: refer to a field as ${name}`}},
		{"duplicate name", setCell(17, 1, "agency"),
			[]string{`form.xlsx: survey!18: name: duplicate name "agency" (first at row 3)`}},
		{"unclosed group", func(f *form) { f.survey = f.survey[:len(f.survey)-1] },
			[]string{`form.xlsx: survey!16: type: begin group "p2" is never closed: add an end group row`}},
		{"unknown scale", setCell(17, 11, "five-star"),
			[]string{`form.xlsx: survey!18: fieldsurvey_scale: unknown scale "five-star" (known: maturity, odra, readiness)`}},
		{"missing translation", setCell(16, 3, ""),
			[]string{`form.xlsx: survey!17: label::Tiếng Việt (vi): missing translation "vi"`}},
		{"missing version", func(f *form) { f.settings[1][2] = "" },
			[]string{`form.xlsx: settings!2: version: missing: add a version column to the settings sheet, or pass --version`}},
		{"several at once", func(f *form) {
			setCell(16, 0, "geopoint")(f)
			setCell(6, 7, "${champ} = 'yes'")(f)
			f.choices[2][1] = "yes"
		}, []string{
			`form.xlsx: survey!7: relevant: ${champ}: no question of the form has that name`,
			`form.xlsx: survey!17: type: unknown type "geopoint" (supported: ` + supportedTypes + `)`,
			`form.xlsx: choices!3: name: list yes_no already has a choice "yes" (row 2)`,
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := everyForm().clone()
			c.edit(&f)
			got := problemLines(t, f)
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
}

// repeatForm is a key datasets inventory as a repeat.
func repeatForm() form {
	return form{
		survey: [][]any{
			{"type", "name", "label::English (en)", "label::Tiếng Việt (vi)", "hint::English (en)", "hint::Tiếng Việt (vi)", "required", "relevant", "constraint",
				"constraint_message::English (en)", "constraint_message::Tiếng Việt (vi)", "fieldsurvey_column"},
			{"select_one yes_no", "has_data", "Does the agency hold key datasets?", "Cơ quan có bộ dữ liệu chủ chốt không?"},
			{"begin repeat", "datasets", "Key datasets", "Bộ dữ liệu chủ chốt", "One row per dataset", "Mỗi bộ dữ liệu một dòng", "yes", "${has_data} = 'yes'"},
			{"text", "source", "Data source", "Nguồn dữ liệu", "", "", "yes"},
			{"select_one yes_no", "public", "Key for the public", "Quan trọng với người dân", "", "", "", "", "", "", "", "yesno"},
			{"select_one kinds", "kind", "Kind", "Loại"},
			{"integer", "openness", "Openness", "Mức độ mở", "0 to 5 stars or N/A", "0 đến 5 sao hoặc N/A", "", "", "", "", "", "stars"},
			{"integer", "records", "Records", "Số bản ghi", "", "", "", "", ". >= 0", "Not negative", "Không âm"},
			{"text", "url", "Link", "Liên kết", "", "", "", "", "regex(., '^https?://') and ${source} != ''", "A web link", "Một liên kết web", "url"},
			{"end repeat"},
			{"integer", "n_open", "How many are open?", "Bao nhiêu bộ đã mở?", "", "", "", "count(${datasets}) > 0", ". <= count(${datasets})", "At most the number of datasets", "Không quá số bộ dữ liệu"},
		},
		choices: [][]any{
			{"list_name", "name", "label::English (en)", "label::Tiếng Việt (vi)"},
			{"yes_no", "yes", "Yes", "Có"},
			{"yes_no", "no", "No", "Không"},
			{"kinds", "stat", "Statistics", "Thống kê"},
			{"kinds", "admin", "Administrative", "Hành chính"},
		},
		settings: [][]any{{"form_id", "version"}, {"inventory", "1"}},
	}
}

func TestImportRepeatAsRoster(t *testing.T) {
	res, err := importForm(t, repeatForm(), Options{})
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	q := res.Questionnaire
	ds, ok := q.Question("datasets")
	if !ok || ds.Type != survey.TypeRoster {
		t.Fatalf("datasets: %+v", ds)
	}
	var cols []string
	for _, c := range ds.Columns {
		cols = append(cols, fmt.Sprintf("%s:%s:%v:%d", c.ID, c.Type, c.Required, len(c.Options)))
	}
	if got, want := strings.Join(cols, " "), "source:text:true:0 public:yesno:false:0 kind:choice:false:2 openness:stars:false:0 records:number:false:0 url:url:false:0"; got != want {
		t.Errorf("columns:\n got %s\nwant %s", got, want)
	}
	if !ds.Required || ds.Relevant != `(answer("has_data") ?? "") == "yes"` {
		t.Errorf("required %v relevant %q", ds.Required, ds.Relevant)
	}
	wantCons := `(cell("records") == nil or floor(cell("records")) == cell("records")) and ((cell("records") ?? "") == "" or (cell("records") >= 0)) and ((cell("url") ?? "") == "" or ((string(cell("url") ?? "") matches "^https?://") and (cell("source") ?? "") != ""))`
	if ds.RowConstraint != wantCons {
		t.Errorf("row constraint:\n got %s\nwant %s", ds.RowConstraint, wantCons)
	}
	if g := ds.Guidance.Get("vi"); g != "Mỗi bộ dữ liệu một dòng\n\nMức độ mở: 0 đến 5 sao hoặc N/A" {
		t.Errorf("guidance %q", g)
	}
	n, _ := q.Question("n_open")
	if n.Relevant != `count_rows("datasets") > 0` {
		t.Errorf("n_open relevant %q", n.Relevant)
	}
	// The row constraint checks rows as the form's constraints would.
	all := survey.Answers{"has_data": {Value: "yes"}}
	for _, c := range []struct {
		cells map[string]any
		ok    bool
	}{
		{map[string]any{"source": "Census"}, true},
		{map[string]any{"source": "Census", "records": 2.5}, false},
		{map[string]any{"source": "Census", "records": -1.0}, false},
		{map[string]any{"source": "Census", "url": "ftp://x"}, false},
		{map[string]any{"source": "Census", "url": "https://data.gov.vn", "records": 10.0, "openness": "na"}, true},
	} {
		issues := q.CheckRow(ds, c.cells, all)
		if (len(issues) == 0) != c.ok {
			t.Errorf("row %v: issues %v, want ok=%v", c.cells, issues, c.ok)
		}
	}
}

func TestRepeatRefusals(t *testing.T) {
	for _, c := range []struct {
		name string
		edit func(f *form)
		want string
	}{
		{"date field", func(f *form) { f.set(3, 0, "date") }, `form.xlsx: survey!4: type: date cannot be a field of a repeat (a roster column is text, a number or select_one)`},
		{"column type", func(f *form) { f.set(3, 11, "stars") }, `form.xlsx: survey!4: fieldsurvey_column: "stars" does not fit a field of type text (it can be: text, url)`},
		{"ref into repeat", func(f *form) { f.set(10, 7, "${records} > 0") }, `form.xlsx: survey!11: relevant: ${records} is a field of repeat datasets: only that repeat's own fields can refer to it`},
		{"unclosed repeat", func(f *form) { f.set(9, 0, "") }, `form.xlsx: survey!3: type: begin repeat "datasets" is never closed: add an end repeat row
form.xlsx: survey!11: relevant: a column of a roster is always shown: relevant is not supported inside a repeat`}, // n_open is now in the repeat
		{"group in repeat", func(f *form) {
			f.survey = append(f.survey[:4], append([][]any{{"begin group", "g", "G", "G"}, {"end group"}}, f.survey[4:]...)...)
		}, `form.xlsx: survey!5: type: a group inside repeat "datasets" is not supported: a repeat holds fields (its table's columns)`},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := repeatForm().clone()
			c.edit(&f)
			got := strings.Join(problemLines(t, f), "\n")
			if got != c.want {
				t.Errorf("problems:\n%s\nwant:\n%s", got, c.want)
			}
		})
	}
}

func TestLanguageColumns(t *testing.T) {
	f := form{
		survey: [][]any{
			{"type", "name", "label", "label::Vietnamese (vi)", "hint::vi", "hint"},
			{"text", "a", "Agency", "Cơ quan", "Tên đầy đủ", "Full name"},
		},
		settings: [][]any{{"form_id", "version", "default_language"}, {"f", "1", "English (en)"}},
	}
	res, err := importForm(t, f, Options{})
	if err != nil {
		t.Fatal(err)
	}
	q := res.Questionnaire
	a, _ := q.Question("a")
	if strings.Join(q.Languages, ",") != "en,vi" || a.Text.Get("en") != "Agency" || a.Text.Get("vi") != "Cơ quan" || a.Guidance.Get("vi") != "Tên đầy đủ" {
		t.Errorf("languages %v, text %v, guidance %v", q.Languages, a.Text, a.Guidance)
	}
	if q.Title.Get("vi") != "f" {
		t.Errorf("title %v: without form_title the id", q.Title)
	}

	f.survey[0][3] = "label::Klingon"
	f.survey[0] = append(f.survey[0], "label::Tiếng Việt (vi)")
	f.survey[1] = append(f.survey[1], "Cơ quan")
	f.settings[1][2] = "Elvish"
	got := strings.Join(problemLines(t, f), "\n")
	want := strings.Join([]string{
		`form.xlsx: survey!1: label::Klingon: say the language with its code in parentheses, like label::English (en) or label::Tiếng Việt (vi)`,
		`form.xlsx: settings!2: default_language: "Elvish": write the language with its code in parentheses, like English (en)`,
	}, "\n")
	if got != want {
		t.Errorf("problems:\n%s\nwant:\n%s", got, want)
	}
}

func TestRosterColumnProblemsOnTheirRow(t *testing.T) {
	f := repeatForm().clone()
	f.set(5, 3, "")                                                            // kind's Vietnamese label
	f.set(8, 8, "${public} = 'yes'")                                           // a yes/no column compared with a code
	f.set(3, 2, "")                                                            // source has no English label
	f.choices = append(f.choices, []any{"yes_no", "maybe", "Maybe", "Có thể"}) // three choices for a yes/no column
	got := strings.Join(problemLines(t, f), "\n")
	want := strings.Join([]string{
		`form.xlsx: survey!4: label::English (en): missing translation "en"`,
		`form.xlsx: survey!5: fieldsurvey_column: a yes/no column takes a list of two choices (yes and no); yes_no has 3`,
		`form.xlsx: survey!6: label::Tiếng Việt (vi): missing translation "vi"`,
		`form.xlsx: survey!9: constraint: ${public} is a yes/no column: compare it with true() or false(), not 'yes'`,
	}, "\n")
	if got != want {
		t.Errorf("problems:\n%s\nwant:\n%s", got, want)
	}
}

// BenchmarkImportLargeForm imports a form of 1,000 text questions in 50 groups (every cell
// is also checked for a formula).
func BenchmarkImportLargeForm(b *testing.B) {
	f := form{survey: [][]any{surveyHeader}, settings: [][]any{{"form_id", "version"}, {"large", "1"}}}
	for g := 0; g < 50; g++ {
		f.survey = append(f.survey, []any{"begin group", fmt.Sprintf("g%d", g), "Group", "Nhóm"})
		for i := 0; i < 20; i++ {
			rel := ""
			if i > 0 {
				rel = fmt.Sprintf("${q%d_0} != ''", g)
			}
			f.survey = append(f.survey, []any{"text", fmt.Sprintf("q%d_%d", g, i), "Question", "Câu hỏi", "Hint", "Gợi ý", "yes",
				rel, "string-length(.) < 100", "Short", "Ngắn"})
		}
		f.survey = append(f.survey, []any{"end group"})
	}
	data := f.xlsx(b)
	b.ReportMetric(float64(len(data)), "xlsx-bytes")
	b.ResetTimer()
	for b.Loop() {
		if _, err := Import("large.xlsx", bytes.NewReader(data), Options{}); err != nil {
			b.Fatalf("import: %v", err)
		}
	}
}

func TestNotAFormRefused(t *testing.T) {
	for name, c := range map[string]struct {
		data []byte
		want string
	}{
		"not a workbook": {[]byte("type,name\ntext,a\n"), "form.xlsx: not an .xlsx workbook ("},
		"too large":      {bytes.Repeat([]byte{0}, MaxFileSize+1), "form.xlsx: the file has 10.0 MB, over the limit of 10 MB for a form"},
		"no survey sheet": {func() []byte {
			wb := excelize.NewFile() // one sheet, Sheet1
			defer wb.Close()
			buf, err := wb.WriteToBuffer()
			if err != nil {
				t.Fatal(err)
			}
			return buf.Bytes()
		}(), "form.xlsx: no sheet named survey"},
	} {
		_, err := Import("form.xlsx", bytes.NewReader(c.data), Options{})
		var e *Error
		if !errors.As(err, &e) || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %s…", name, err, c.want)
		}
	}
}
