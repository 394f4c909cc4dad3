package xlsform

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
		"staff":         `floor(value) == value and (value != nil and value >= 0 and value != nil and value <= 1000)`,
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
	p2, _ := q.Section("p2")
	if p2.Context.Get("vi") != "Cảm ơn người trả lời." {
		t.Errorf("p2 context %v: a trailing note goes to the section's context", p2.Context)
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
	setCell := func(row, col int, v any) edit {
		return func(f *form) {
			for len(f.survey[row]) <= col {
				f.survey[row] = append(f.survey[row], "")
			}
			f.survey[row][col] = v
		}
	}
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
