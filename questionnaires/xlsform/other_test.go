package xlsform

import (
	"strings"
	"testing"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// orOtherForm shares one list between a select_one with or_other (asked when the agency
// shares data), a select_multiple with or_other in a group with a relevant, and a
// select_one without it; a later question refers to the added main_partner_other.
func orOtherForm() form {
	return form{
		survey: [][]any{
			{"type", "name", "label::English (en)", "label::Tiếng Việt (vi)", "required", "relevant", "fieldsurvey_scale"},
			{"select_one yes_no", "has_partners", "Does the agency share data with other agencies?", "Cơ quan có chia sẻ dữ liệu với cơ quan khác không?", "yes"},
			{"select_one agencies or_other", "main_partner", "Main partner", "Đối tác chính", "yes", "${has_partners} = 'yes'"},
			{"begin group", "sharing", "Partners", "Đối tác", "", "${has_partners} = 'yes'"},
			{"select_multiple agencies or_other", "partners", "All partners", "Tất cả đối tác"},
			{"select_one agencies", "lead_agency", "Lead agency", "Cơ quan chủ trì"},
			{"text", "why", "Why this partner?", "Vì sao chọn đối tác này?", "", "${main_partner_other} != ''"},
			{"end group"},
		},
		choices: [][]any{
			{"list_name", "name", "label::English (en)", "label::Tiếng Việt (vi)"},
			{"yes_no", "yes", "Yes", "Có"},
			{"yes_no", "no", "No", "Không"},
			{"agencies", "mof", "Ministry of Finance", "Bộ Tài chính"},
			{"agencies", "gso", "Statistics office", "Tổng cục Thống kê"},
			{"agencies", "moh", "Ministry of Health", "Bộ Y tế"},
		},
		settings: [][]any{
			{"form_title", "form_title::Tiếng Việt (vi)", "form_id", "version", "default_language"},
			{"Data sharing", "Chia sẻ dữ liệu", "sharing", "1", "English (en)"},
		},
	}
}

// orOtherBadForm's list already has a choice "other", for the command's script.
func orOtherBadForm() form {
	f := orOtherForm().clone()
	f.choices = append(f.choices, []any{"agencies", "other", "Another agency", "Cơ quan khác"})
	return f
}

func TestOrOther(t *testing.T) {
	res, err := importForm(t, orOtherForm(), Options{})
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	q := res.Questionnaire
	var secs []string
	for _, s := range q.Sections {
		var ids []string
		for _, qu := range s.Questions {
			ids = append(ids, qu.ID+":"+string(qu.Type))
		}
		secs = append(secs, s.ID+"["+strings.Join(ids, " ")+"]")
	}
	if got, want := strings.Join(secs, " "), "main[has_partners:single main_partner:single main_partner_other:text] "+
		"sharing[partners:multiple partners_other:text lead_agency:single why:text]"; got != want {
		t.Errorf("sections:\n got %s\nwant %s", got, want)
	}
	get := func(id string) *survey.Question {
		qu, ok := q.Question(id)
		if !ok {
			t.Fatalf("no question %s", id)
		}
		return qu
	}
	codes := func(qu *survey.Question) string {
		var c []string
		for _, o := range qu.Options {
			c = append(c, o.Code+"="+o.Label.Get("en")+"/"+o.Label.Get("vi"))
		}
		return strings.Join(c, " ")
	}
	list := "mof=Ministry of Finance/Bộ Tài chính gso=Statistics office/Tổng cục Thống kê moh=Ministry of Health/Bộ Y tế"
	for id, want := range map[string]string{
		"main_partner": list + " other=Other/Khác",
		"partners":     list + " other=Other/Khác",
		"lead_agency":  list, // the shared list is not changed
	} {
		if got := codes(get(id)); got != want {
			t.Errorf("%s options:\n got %s\nwant %s", id, got, want)
		}
	}
	for _, id := range []string{"main_partner_other", "partners_other"} {
		qu := get(id)
		if qu.Text.Get("en") != "Specify other" || qu.Text.Get("vi") != "Ghi rõ khác" || qu.Required || len(qu.Options) != 0 {
			t.Errorf("%s: text %v required %v options %v", id, qu.Text, qu.Required, qu.Options)
		}
	}

	// The follow-ups are asked when "other" is chosen, and only while their select is.
	for _, c := range []struct {
		ans  survey.Answers
		main bool // main_partner_other asked
		all  bool // partners_other asked
	}{
		{survey.Answers{}, false, false},
		{survey.Answers{"has_partners": {Value: "yes"}}, false, false},
		{survey.Answers{"has_partners": {Value: "yes"}, "main_partner": {Value: "gso"}, "partners": {Value: []string{"mof", "moh"}}}, false, false},
		{survey.Answers{"has_partners": {Value: "yes"}, "main_partner": {Value: "other"}, "partners": {Value: []string{"mof", "other"}}}, true, true},
		{survey.Answers{"has_partners": {Value: "yes"}, "main_partner": {Value: "mof"}, "partners": {Value: []string{"other"}}}, false, true},
		// "other" chosen, then has_partners changed to no: the selects are no longer
		// asked, and neither are their follow-ups (fieldsurvey keeps the stale answers).
		{survey.Answers{"has_partners": {Value: "no"}, "main_partner": {Value: "other"}, "partners": {Value: []string{"other"}}}, false, false},
	} {
		if got := q.Relevant(get("main_partner_other"), c.ans); got != c.main {
			t.Errorf("answers %v: main_partner_other asked %v, want %v", c.ans, got, c.main)
		}
		if got := q.Relevant(get("partners_other"), c.ans); got != c.all {
			t.Errorf("answers %v: partners_other asked %v, want %v", c.ans, got, c.all)
		}
	}
	// A reference to the added question works as to any other.
	ans := survey.Answers{"has_partners": {Value: "yes"}, "main_partner": {Value: "other"}}
	if q.Relevant(get("why"), ans) {
		t.Error("why asked before main_partner_other is answered")
	}
	ans["main_partner_other"] = survey.Answer{Value: "Provincial court"}
	if !q.Relevant(get("why"), ans) {
		t.Error("why not asked although main_partner_other is answered")
	}
	// "other" is an answer of the questions with or_other only.
	ans["lead_agency"] = survey.Answer{Value: "other"}
	if is := q.Check(get("lead_agency"), ans); len(is) != 1 || is[0].Kind != survey.IssueInvalid {
		t.Errorf("lead_agency other: issues %v, want it refused", is)
	}
	if is := q.Check(get("main_partner"), ans); len(is) != 0 {
		t.Errorf("main_partner other: issues %v", is)
	}

	var notes []string
	for _, n := range res.Notices {
		notes = append(notes, n.Line("form.xlsx", "en"))
	}
	if got, want := strings.Join(notes, "\n"), strings.Join([]string{
		`form.xlsx: survey!3: type: or_other: added the choice "other" (Other) to main_partner, and the text question main_partner_other (Specify other) right after it, asked when "other" is chosen`,
		`form.xlsx: survey!5: type: or_other: added the choice "other" (Other) to partners, and the text question partners_other (Specify other) right after it, asked when "other" is chosen`,
	}, "\n"); got != want {
		t.Errorf("notices:\n%s\nwant:\n%s", got, want)
	}
	if vi := res.Notices[0].Line("form.xlsx", "vi"); !strings.Contains(vi, `đã thêm lựa chọn "other" (Khác) vào main_partner`) {
		t.Errorf("Vietnamese notice %q", vi)
	}
}

// TestOrOtherLanguages: the added labels are in the form's languages: English alone for an
// English form, and English words (with a notice) in a language fieldsurvey has none for.
func TestOrOtherLanguages(t *testing.T) {
	f := form{
		survey: [][]any{
			{"type", "name", "label"},
			{"select_one agencies or_other", "partner", "Partner"},
		},
		choices:  [][]any{{"list_name", "name", "label"}, {"agencies", "mof", "Finance"}, {"agencies", "gso", "Statistics"}},
		settings: [][]any{{"form_id", "version"}, {"f", "1"}},
	}
	res, err := importForm(t, f, Options{})
	if err != nil {
		t.Fatal(err)
	}
	q := res.Questionnaire
	p, _ := q.Question("partner")
	o, _ := q.Question("partner_other")
	if got := p.Options[2]; got.Code != "other" || len(got.Label) != 1 || got.Label["en"] != "Other" {
		t.Errorf("English form: option %+v", got)
	}
	if len(o.Text) != 1 || o.Text["en"] != "Specify other" || o.Relevant != `(answer("partner") ?? "") == "other"` {
		t.Errorf("English form: follow-up text %v relevant %q", o.Text, o.Relevant)
	}

	f.survey = [][]any{
		{"type", "name", "label::English (en)", "label::Français (fr)"},
		{"select_multiple agencies or_other", "partner", "Partner", "Partenaire"},
	}
	f.choices = [][]any{{"list_name", "name", "label::English (en)", "label::Français (fr)"},
		{"agencies", "mof", "Finance", "Finances"}, {"agencies", "gso", "Statistics", "Statistiques"}}
	res, err = importForm(t, f, Options{})
	if err != nil {
		t.Fatal(err)
	}
	q = res.Questionnaire
	p, _ = q.Question("partner")
	o, _ = q.Question("partner_other")
	if got := p.Options[2].Label; got["en"] != "Other" || got["fr"] != "Other" {
		t.Errorf("French form: option label %v", got)
	}
	if o.Text["fr"] != "Specify other" || o.Relevant != `("other" in (answer("partner") ?? []))` {
		t.Errorf("French form: follow-up text %v relevant %q", o.Text, o.Relevant)
	}
	if len(res.Notices) != 1 || !strings.HasSuffix(res.Notices[0].Line("form.xlsx", "en"), "; their labels in fr are in English: translate them in the questionnaire file (--out)") {
		t.Errorf("French form: notices %v", res.Notices)
	}
}

func TestOrOtherRefusals(t *testing.T) {
	for _, c := range []struct {
		name string
		edit func(f *form)
		want []string
	}{
		{"list has other", func(f *form) { *f = orOtherBadForm() }, []string{
			// why refers to main_partner_other, which is not added: not reported again.
			`form.xlsx: survey!3: type: list agencies already has a choice "other" (choices row 7), and or_other adds one: remove or_other, or rename that choice`,
			`form.xlsx: survey!5: type: list agencies already has a choice "other" (choices row 7), and or_other adds one: remove or_other, or rename that choice`,
		}},
		{"name taken after", func(f *form) {
			f.survey = append(f.survey[:7], append([][]any{{"text", "partners_other", "Other partners", "Đối tác khác"}}, f.survey[7:]...)...)
		}, []string{
			`form.xlsx: survey!5: type: or_other adds a text question named partners_other, but row 8 already has that name: remove or_other (and keep that row), or rename that row`,
		}},
		{"name taken before", func(f *form) {
			f.survey = append(f.survey[:1], append([][]any{{"text", "main_partner_other", "Other partner", "Đối tác khác"}}, f.survey[1:]...)...)
		}, []string{
			`form.xlsx: survey!4: type: or_other adds a text question named main_partner_other, but row 2 already has that name: remove or_other (and keep that row), or rename that row`,
		}},
		{"in a repeat", func(f *form) {
			f.survey = append(f.survey, []any{"begin repeat", "contacts", "Contacts", "Đầu mối"},
				[]any{"select_one agencies or_other", "contact_agency", "Agency", "Cơ quan"}, []any{"end repeat"})
		}, []string{
			`form.xlsx: survey!10: type: or_other is not supported inside a repeat: a roster's columns are always shown, so none can be asked only when "other" is chosen; add a choice "other" to list agencies and a text field for the details`,
		}},
		{"on a rating", func(f *form) {
			f.set(6, 0, "select_one agencies or_other")
			f.set(6, 6, "readiness")
		}, []string{
			`form.xlsx: survey!7: type: or_other cannot be used on a rating (fieldsurvey_scale readiness): its options are the scale's levels`,
		}},
		{"choice filter", func(f *form) {
			f.survey[0] = append(f.survey[0], "choice_filter")
			f.set(2, 7, "${has_partners} = 'yes'")
		}, []string{
			`form.xlsx: survey!3: choice_filter: the choice_filter column is not supported: leave it empty`,
		}},
		// The follow-up repeats its select's relevant: a problem in it is reported once.
		{"bad relevant", func(f *form) { f.set(2, 5, "${has_partners} = 'yes' and today() > 1") }, []string{
			`form.xlsx: survey!3: relevant: the function today() is not supported (supported: ` + supportedFuncs + `)`,
		}},
		{"missing list", func(f *form) { f.set(2, 0, "select_one partner_list or_other") }, []string{
			`form.xlsx: survey!3: type: the choice list "partner_list" is missing from the choices sheet`,
		}},
		{"or_other on a text", func(f *form) { f.set(6, 0, "text or_other") }, []string{
			`form.xlsx: survey!7: type: unknown type "text or_other" (supported: ` + supportedTypes + `)`,
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := orOtherForm().clone()
			c.edit(&f)
			got := problemLines(t, f)
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
}
