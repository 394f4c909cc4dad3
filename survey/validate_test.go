package survey

import (
	"errors"
	"strings"
	"testing"
)

func demo() *Questionnaire {
	max := 100.0
	min := 0.0
	return &Questionnaire{
		Format: QuestionnaireFormat, ID: "demo", Version: "1", Languages: []string{"vi", "en"},
		Title: T("Demo", "Thử"),
		Sections: []*Section{{
			ID: "1", Title: T("One", "Một"),
			Questions: []*Question{
				{ID: "1.1", Type: TypeRating, Required: true, Text: T("Rated?", "Đánh giá?"),
					Constraint:        `rating not in ["green", "amber-green"] || count(evidence, .polarity == "+" && .in_scope) >= 1`,
					ConstraintMessage: T("Green needs + evidence", "Xanh cần bằng chứng +")},
				{ID: "1.2", Type: TypeYesNo, Required: true, Text: T("Publishes?", "Công bố?")},
				{ID: "1.3", Type: TypeNumber, Required: true, Min: &min, Max: &max, Text: T("How many?", "Bao nhiêu?"),
					Relevant: `answer("1.2") == true`},
				{ID: "1.4", Type: TypeMultiple, Text: T("Which?", "Những gì?"), Constraint: `len(value) <= 2`,
					Options: []Option{{"a", T("A", "A")}, {"b", T("B", "B")}, {"c", T("C", "C")}}},
			},
		}},
	}
}

func TestValidateGood(t *testing.T) {
	if err := demo().Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestValidateProblems(t *testing.T) {
	cases := []struct {
		name string
		mut  func(q *Questionnaire)
		want string
		path string
	}{
		{"duplicate id", func(q *Questionnaire) { q.Sections[0].Questions[1].ID = "1.1" }, `duplicate question id "1.1"`, "sections[0].questions[1].id"},
		{"unknown reference", func(q *Questionnaire) { q.Sections[0].Questions[2].Relevant = `answer("9.9") == true` }, `references unknown question "9.9"`, "sections[0].questions[2].relevant"},
		{"broken expression", func(q *Questionnaire) { q.Sections[0].Questions[2].Relevant = `answer("1.2") ==` }, "bad relevance expression", "sections[0].questions[2].relevant"},
		{"type error", func(q *Questionnaire) { q.Sections[0].Questions[0].Constraint = `rating + 1` }, "bad constraint expression", "sections[0].questions[0].constraint"},
		{"unknown field in expression", func(q *Questionnaire) { q.Sections[0].Questions[0].Constraint = `count(evidence, .colour == "+") > 0` }, "bad constraint expression", "sections[0].questions[0].constraint"},
		{"missing translation", func(q *Questionnaire) { delete(q.Sections[0].Questions[1].Text, "vi") }, `missing translation "vi"`, "sections[0].questions[1].text"},
		{"bad scale", func(q *Questionnaire) {
			q.Scales = []*Scale{{ID: "s", Steps: []Step{{Code: "x", Label: T("X", "X"), Value: 2}, {Code: "y", Label: T("Y", "Y"), Value: 1}}}}
		}, "need increasing values", "scales[0].steps[1].value"},
		{"unknown scale", func(q *Questionnaire) { q.Sections[0].Questions[0].Scale = "nope" }, `unknown scale "nope"`, "sections[0].questions[0].scale"},
		{"unknown type", func(q *Questionnaire) { q.Sections[0].Questions[0].Type = "slider" }, `unknown type "slider"`, "sections[0].questions[0].type"},
		{"self reference", func(q *Questionnaire) { q.Sections[0].Questions[2].Relevant = `answered("1.3")` }, "depends on its own answer", "sections[0].questions[2].relevant"},
		{"bad importance", func(q *Questionnaire) { q.Sections[0].Questions[0].Importance = "huge" }, `unknown importance "huge"`, "sections[0].questions[0].importance"},
		{"wrong format", func(q *Questionnaire) { q.Format = "" }, "format must be", "format"},
		// Expressions that compile but fail when evaluated, on the answers they can see
		// (CheckExpressions; Validate accepts them).
		{"number compared with text", func(q *Questionnaire) { q.Sections[0].Questions[2].Constraint = `value > "10"` },
			"constraint of question \"1.3\" fails on a number answer: invalid operation", "sections[0].questions[2].constraint"},
		{"length of a number", func(q *Questionnaire) { q.Sections[0].Questions[2].Constraint = `len(value) < 3` },
			"constraint of question \"1.3\" fails on a number answer", "sections[0].questions[2].constraint"},
		{"arithmetic on a rating", func(q *Questionnaire) { q.Sections[0].Questions[3].Constraint = `answer("1.1") + 1 > 2` },
			"constraint of question \"1.4\" fails on a multiple answer", "sections[0].questions[3].constraint"},
		{"value of a rating question", func(q *Questionnaire) { q.Sections[0].Questions[0].Constraint = `value >= 3` },
			"constraint of question \"1.1\" fails on a rating answer", "sections[0].questions[0].constraint"},
		{"relevance on a yes/no as a number", func(q *Questionnaire) { q.Sections[0].Questions[2].Relevant = `answer("1.2") > 0` },
			"relevance of question \"1.3\" fails", "sections[0].questions[2].relevant"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			q := demo()
			c.mut(q)
			err := q.CheckExpressions()
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("want a ValidationError, got %v", err)
			}
			for _, p := range ve.Problems {
				if strings.Contains(p.Msg, c.want) && p.Path == c.path {
					return
				}
			}
			t.Fatalf("no problem %q at %s in:\n%v", c.want, c.path, err)
		})
	}
}

func TestSkipLogicAndConstraints(t *testing.T) {
	q := demo()
	if err := q.Validate(); err != nil {
		t.Fatal(err)
	}
	q13, _ := q.Question("1.3")
	if q.Relevant(q13, Answers{"1.2": {Value: false}}) {
		t.Fatal("1.3 must be skipped when 1.2 is no")
	}
	if !q.Relevant(q13, Answers{"1.2": {Value: true}}) {
		t.Fatal("1.3 must be asked when 1.2 is yes")
	}
	// Evidence rule: green without + evidence fails; with in-scope + evidence passes;
	// out-of-scope evidence does not count.
	q11, _ := q.Question("1.1")
	kinds := func(a Answer) []IssueKind {
		var k []IssueKind
		for _, is := range q.Check(q11, Answers{"1.1": a}) {
			k = append(k, is.Kind)
		}
		return k
	}
	if k := kinds(Answer{Rating: Green}); len(k) != 1 || k[0] != IssueConstraint {
		t.Fatalf("green without evidence: %v", k)
	}
	if k := kinds(Answer{Rating: Green, Evidence: []Evidence{{Polarity: Plus, Text: "law", InScope: false}}}); len(k) != 1 {
		t.Fatalf("out-of-scope evidence must not count: %v", k)
	}
	if k := kinds(Answer{Rating: Green, Evidence: []Evidence{{Polarity: Plus, Text: "law", InScope: true}}}); len(k) != 0 {
		t.Fatalf("green with evidence: %v", k)
	}
	if k := kinds(Answer{Rating: Amber}); len(k) != 0 {
		t.Fatalf("amber needs no evidence: %v", k)
	}
	if k := kinds(Answer{}); len(k) != 1 || k[0] != IssueMissing {
		t.Fatalf("required and unanswered: %v", k)
	}
	// Number bounds and multiple-choice constraint.
	all := Answers{"1.1": {Rating: Amber}, "1.2": {Value: true}, "1.3": {Value: 150.0}, "1.4": {Value: []string{"a", "b", "c"}}}
	is := q.Issues(all)
	if len(is) != 2 || is[0].Question != "1.3" || is[0].Kind != IssueInvalid || is[1].Question != "1.4" || is[1].Kind != IssueConstraint {
		t.Fatalf("issues: %+v", is)
	}
	// The out-of-bounds number and the failed constraint need attention: they are kept,
	// but not counted as answered (issue 11.20).
	if a, att, n := q.ProgressDetail(all); a != 2 || att != 2 || n != 4 {
		t.Fatalf("progress %d answered, %d need attention, of %d; want 2, 2, 4", a, att, n)
	}
	if a, n := q.Progress(all); a != 2 || n != 4 {
		t.Fatalf("progress %d/%d, want 2/4", a, n)
	}
	if st := q.AnswerState(q.byID["1.3"], all); st != AnswerNeedsAttention {
		t.Fatalf("1.3 state %v, want needs attention", st)
	}
	all["1.2"] = Answer{Value: false}
	// 1.3 is skipped: it no longer counts, its stale answer neither.
	if a, att, n := q.ProgressDetail(all); a != 2 || att != 1 || n != 3 {
		t.Fatalf("progress with skip %d answered, %d attention, of %d; want 2, 1, 3", a, att, n)
	}
}

func TestScaleParse(t *testing.T) {
	s := ReadinessScale()
	for in, want := range map[string]Code{"Yellow": Amber, "amber-green": AmberGreen, "Vàng/Xanh": AmberGreen,
		" RED ": Red, "đỏ": Red, "don't know": DontKnow, "Vàng/Đỏ": AmberRed} {
		got, err := s.Parse(in)
		if err != nil || got != want {
			t.Errorf("Parse(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := s.Parse("purple"); err == nil {
		t.Error("unknown rating must fail")
	}
}

// A constraint that fails when evaluated shows the expression's own error at entry, not
// only "the answer does not meet the rule".
func TestConstraintErrorShownAtEntry(t *testing.T) {
	q := demo()
	q.Sections[0].Questions[3].Constraint = `len(value) <= answer("1.3")`
	if err := q.Validate(); err != nil {
		t.Fatal(err) // fine when 1.3 is answered: a number
	}
	qu, _ := q.Question("1.4")
	issues := q.Check(qu, Answers{"1.2": {Value: true}, "1.4": {Value: []string{"a"}}})
	if len(issues) != 1 || issues[0].Kind != IssueConstraint {
		t.Fatalf("issues %+v", issues)
	}
	for _, l := range []string{LangEN, LangVI} {
		msg := issues[0].Msg.Get(l)
		if !strings.Contains(msg, `len(value) <= answer("1.3")`) || !strings.Contains(msg, "<nil>") || strings.Contains(msg, "\n") {
			t.Errorf("%s: %q: want the expression and its error on one line", l, msg)
		}
	}
}

// Validate accepts an expression that only fails when run (a catalog keeps loading a file
// added before CheckExpressions existed); CheckExpressions refuses it.
func TestValidateAcceptsWhatOnlyFailsWhenRun(t *testing.T) {
	q := demo()
	q.Sections[0].Questions[2].Constraint = `value > "10"`
	if err := q.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if err := q.CheckExpressions(); err == nil {
		t.Fatal("CheckExpressions accepted it")
	}
	if err := demo().CheckExpressions(); err != nil {
		t.Fatal(err)
	}
}
