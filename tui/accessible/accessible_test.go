package accessible

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/fieldsurvey/fieldsurvey/questionnaires"
	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/tui/internal/fakestore"
	"github.com/fieldsurvey/fieldsurvey/tui/session"
)

type catalog []*survey.Questionnaire

func (c catalog) List() []*survey.Questionnaire { return c }

func setup(t *testing.T) (*fakestore.Store, Options) {
	t.Helper()
	qs, err := questionnaires.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC) }
	fs := fakestore.New(now)
	return fs, Options{
		Lang:                 "en",
		Writer:               &session.Writer{Store: fs, Author: session.Author{Device: "dev1", Principal: "an"}, Assessor: "An"},
		Catalog:              catalog(qs),
		DefaultQuestionnaire: "example",
		Now:                  now,
		Interactive:          true, // a person at a terminal; TestPipedInputStopsAtTheFirstWrongLine is the other case
	}
}

// exampleInput is a whole interview of the example questionnaire, with a wrong answer at
// most prompts (each must be refused and asked again).
var exampleInput = []string{
	"",                 // questionnaire: the default (example)
	"",                 // agency: required, asked again
	"Sở Tư pháp",       //
	"Thừa Thiên Huế",   // province
	"Phó giám đốc",     // role
	"9",                // stakeholder group: no such number
	"1",                // government agency
	"23/11/2026",       // not a date
	"",                 // date: today
	"Huế",              // place
	"maybe",            // consent: y or n
	"y",                //
	"9",                // 1.1 single choice: no option 9
	"1",                // ministry
	"",                 // comment
	"y",                // 1.2 yes/no
	"",                 // comment
	"abc",              // 1.3 number: not a number
	"12.5",             // a number, but the constraint wants a whole one: the question again
	"",                 // comment
	"12",               // 1.3 again
	"",                 // comment
	"1 xml",            // 1.4 formats: by number and by code
	"",                 // comment
	"2026-13-01",       // 1.5 date: invalid
	"2026-10-01",       //
	"Theo báo cáo năm", // comment
	"",                 // section 1 overall rating: no suggestion (no rating question), required
	"amber",            //
	"",                 // overall comment: required
	"Công bố đều đặn",  //
	"purple",           // 2.1 rating: not on the scale
	"green",            //
	"a z",              // probes: there is no z
	"a",                //
	"± nothing",        // evidence: bad sign
	"- Chưa có quy định | | out: dự thảo", // an obstacle, out of scope
	"", // end of evidence
	"", // comment: Green without in-scope + evidence fails: the question again
	"", // rating: keep Green
	"", // probes: keep a
	"+ Cổng dữ liệu mở | data.gov.vn", // the favourable evidence
	"",                   //
	"Đã có cổng dữ liệu", // comment
	"2",                  // 2.2 maturity: Developing
	"",                   // no evidence
	"",                   // comment
	"Thiếu nhân lực",     // 2.3 text
	"",                   // comment
	"",                   // section 2 overall: take the suggestion (Green)
	"Sẵn sàng",           // overall comment
	"y",                  // complete
}

func TestWholeExampleInterviewWithRetries(t *testing.T) {
	fs, o := setup(t)
	var out strings.Builder
	o.In = strings.NewReader(strings.Join(exampleInput, "\n") + "\n")
	o.Out = &out
	if err := Run(context.Background(), o); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	list, _ := fs.List(context.Background(), session.ListOptions{})
	if len(list) != 1 {
		t.Fatalf("%d interviews", len(list))
	}
	st, err := fs.Interview(context.Background(), list[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if st.Status.Status != survey.StatusCompleted {
		t.Fatalf("status %q\n%s", st.Status.Status, out.String())
	}
	wantR := survey.Respondent{Agency: "Sở Tư pháp", Province: "Thừa Thiên Huế", Role: "Phó giám đốc", Category: "agency",
		Date: "2026-11-23", Place: "Huế", Consent: true}
	if st.Respondent != wantR {
		t.Fatalf("respondent %+v", st.Respondent)
	}
	want := survey.Answers{
		"1.1": {Value: "ministry"},
		"1.2": {Value: true},
		"1.3": {Value: 12.0},
		"1.4": {Value: []string{"csv", "xml"}},
		"1.5": {Value: "2026-10-01", Comment: "Theo báo cáo năm"},
		"2.1": {Rating: survey.Green, Probes: []string{"a"}, Comment: "Đã có cổng dữ liệu", Evidence: []survey.Evidence{
			{Polarity: survey.Minus, Text: "Chưa có quy định", InScope: false, Note: "dự thảo"},
			{Polarity: survey.Plus, Text: "Cổng dữ liệu mở", Source: "data.gov.vn", InScope: true}}},
		"2.2": {Rating: "developing"},
		"2.3": {Value: "Thiếu nhân lực"},
	}
	if !reflect.DeepEqual(st.Answers, want) {
		t.Fatalf("answers:\n got %+v\nwant %+v", st.Answers, want)
	}
	wantS := map[string]survey.SectionSummary{"1": {Rating: survey.Amber, Comment: "Công bố đều đặn"},
		"2": {Rating: survey.Green, Comment: "Sẵn sàng"}}
	if !reflect.DeepEqual(st.Sections, wantS) {
		t.Fatalf("sections %+v", st.Sections)
	}
	// Every wrong answer was explained and asked again.
	text := out.String()
	for _, msg := range []string{"The agency is required.", `"23/11/2026" is not a date`, "Answer y or n.",
		`"abc" is not a number.`, "Enter a whole number of datasets.", `"purple" is not on the scale.`,
		`There is no probe "z".`, "Evidence must look like", "A Green or Amber/Green rating needs at least one in-scope + evidence item.",
		"The overall rating is required.", "The overall rating needs a comment.", "Suggested: Green", "is complete."} {
		if !strings.Contains(text, msg) {
			t.Errorf("output lacks %q", msg)
		}
	}
	if n := strings.Count(text, "Please answer again."); n < 12 {
		t.Errorf("only %d answers were refused", n)
	}
}

func TestInputEndingHalfWayKeepsWhatWasEntered(t *testing.T) {
	fs, o := setup(t)
	var out strings.Builder
	o.In = strings.NewReader(strings.Join(exampleInput[:14], "\n") + "\n") // up to 1.1's answer
	o.Out = &out
	err := Run(context.Background(), o)
	if !errors.Is(err, ErrInputEnded) {
		t.Fatalf("err = %v, want ErrInputEnded", err)
	}
	list, _ := fs.List(context.Background(), session.ListOptions{})
	if len(list) != 1 || list[0].Status != survey.StatusDraft {
		t.Fatalf("interviews %+v", list)
	}
	st, _ := fs.Interview(context.Background(), list[0].ID)
	if st.Answers["1.1"].Value != "ministry" {
		t.Fatalf("1.1 = %+v: the answer given before the input ended is lost", st.Answers["1.1"])
	}
	if !strings.Contains(out.String(), "stays a draft and can be resumed") {
		t.Fatal(out.String())
	}

	// Resuming: pick the draft; Enter keeps every answer already given.
	out.Reset()
	rest := append([]string{"1", "", ""}, exampleInput[15:]...)
	o.In = strings.NewReader(strings.Join(rest, "\n") + "\n")
	if err := Run(context.Background(), o); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	st, _ = fs.Interview(context.Background(), list[0].ID)
	if st.Status.Status != survey.StatusCompleted || st.Answers["1.1"].Value != "ministry" {
		t.Fatalf("after resuming: %+v %+v", st.Status, st.Answers["1.1"])
	}
	if !strings.Contains(out.String(), "Continuing interview") {
		t.Fatal(out.String())
	}
}

func TestNoConsentStartsNothing(t *testing.T) {
	fs, o := setup(t)
	var out strings.Builder
	o.Lang = "vi"
	o.In = strings.NewReader(strings.Join([]string{"", "Sở Y tế", "Huế", "", "", "", "", "k"}, "\n") + "\n")
	o.Out = &out
	if err := Run(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	if fs.Puts != 0 {
		t.Fatal("an interview was written without consent")
	}
	if !strings.Contains(out.String(), "Chưa bắt đầu phỏng vấn") {
		t.Fatal(out.String())
	}
}

func TestParseEvidence(t *testing.T) {
	for in, want := range map[string]survey.Evidence{
		"+ Luật 24/2018 | Công báo":        {Polarity: survey.Plus, Text: "Luật 24/2018", Source: "Công báo", InScope: true},
		"-chưa có":                         {Polarity: survey.Minus, Text: "chưa có", InScope: true},
		"0 a | | ngoài: chưa có hiệu lực":  {Polarity: survey.Neutral, Text: "a", InScope: false, Note: "chưa có hiệu lực"},
		"− dấu trừ Unicode":                {Polarity: survey.Minus, Text: "dấu trừ Unicode", InScope: true},
		"+ x | y | out: not yet in force ": {Polarity: survey.Plus, Text: "x", Source: "y", Note: "not yet in force"},
	} {
		got, err := parseEvidence(in)
		if err != nil || got != want {
			t.Errorf("parseEvidence(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "x no sign", "+", "+ a | b | c | d"} {
		if _, err := parseEvidence(in); err == nil {
			t.Errorf("parseEvidence(%q) accepted", in)
		}
	}
}

// TestLineModeSpeaksVietnamese (issue 11.21): the line mode's own errors come in the
// session's language, and "xoá" clears the evidence as "clear" does.
func TestLineModeSpeaksVietnamese(t *testing.T) {
	s := &session_{lang: survey.LangVI}
	_, err := parseEvidence("x không có dấu")
	if got := s.errText(err); got != "bắt đầu bằng +, -, 0 hoặc o" {
		t.Errorf("evidence error in Vietnamese: %q", got)
	}
	if e, err := parseEvidence("o Có kế hoạch nhưng chưa có kinh phí"); err != nil || e.Polarity != survey.Neutral {
		t.Errorf("o (mixed) evidence: %+v %v", e, err)
	}
	if err := survey.CheckEdit(survey.RoleAssessor, survey.StatusApproved); s.errText(err) == err.Error() {
		t.Errorf("rule error not in Vietnamese: %v", err)
	}
}

// TestPipedInputStopsAtTheFirstWrongLine (issue 11.17): input from a file or a script is not
// asked again (the next lines would answer the wrong prompts): the first wrong line stops
// the run with an error naming it, what came before is saved, nothing is completed; and no
// draft is offered, so the same file always does the same thing.
func TestPipedInputStopsAtTheFirstWrongLine(t *testing.T) {
	fs, o := setup(t)
	o.Interactive = false
	var out strings.Builder
	o.In, o.Out = strings.NewReader(strings.Join([]string{"", "Sở Tư pháp", "Huế", "Giám đốc", "1", "", "Huế", "y",
		"1", "", "y", "", "abc", "12", "", ""}, "\n")+"\n"), &out
	err := Run(context.Background(), o)
	if err == nil || !strings.Contains(err.Error(), "line 13: ") {
		t.Fatalf("piped run with a wrong line 13: %v\n%s", err, out.String())
	}
	if strings.Contains(out.String(), "Please answer again") {
		t.Fatalf("piped input was asked again:\n%s", out.String())
	}
	list, _ := fs.List(context.Background(), session.ListOptions{})
	if len(list) != 1 || list[0].Status != survey.StatusDraft || list[0].Answered != 2 {
		t.Fatalf("after the stop: %+v", list)
	}
	// The same file again starts a new interview: no draft is offered to piped input.
	o.In, o.Out = strings.NewReader("x"), &strings.Builder{}
	Run(context.Background(), o)
	if list, _ := fs.List(context.Background(), session.ListOptions{}); len(list) != 1 {
		t.Fatalf("piped input resumed or created something from %q: %d interviews", "x", len(list))
	}
}
