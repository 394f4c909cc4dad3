package accessible

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fieldsurvey/fieldsurvey/questionnaires"
	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/tui/internal/fakestore"
	"github.com/fieldsurvey/fieldsurvey/tui/session"
)

// pilot1 is version 1.0 of a small questionnaire; pilot2 (2.0) renames 1.3 to 1.4, drops
// 2.5 and recodes option other-body of 1.1 to other.
const pilot1 = `format: fieldsurvey-questionnaire/1
id: pilot
version: "1.0"
title: {en: "Pilot questionnaire", vi: "Bảng hỏi thử nghiệm"}
languages: [vi, en]
sections:
  - id: "1"
    title: {en: "Publication", vi: "Công bố"}
    questions:
      - id: "1.1"
        type: single
        text: {en: "Who publishes?", vi: "Ai công bố?"}
        options:
          - {code: ministry, label: {en: "A ministry", vi: "Bộ"}}
          - {code: other-body, label: {en: "Another body", vi: "Cơ quan khác"}}
      - id: "1.3"
        type: text
        text: {en: "Which portal?", vi: "Cổng dữ liệu nào?"}
  - id: "2"
    title: {en: "Datasets", vi: "Dữ liệu"}
    questions:
      - id: "2.1"
        type: number
        text: {en: "How many datasets?", vi: "Bao nhiêu bộ dữ liệu?"}
      - id: "2.5"
        type: text
        text: {en: "Any remark?", vi: "Ghi chú?"}
`

const upgradeIV = "0193a5b2-7c1e-7000-8000-000000000001"

// upgradeSetup makes a draft on pilot 1.0 (1.1 other-body, 1.3 a portal, 2.5 a remark)
// in a store whose catalog also holds 2.0, and returns line-mode options that resume it
// with piped input.
func upgradeSetup(t *testing.T, lang, input string) (*fakestore.Store, Options, *strings.Builder) {
	t.Helper()
	v1, err := questionnaires.Parse("pilot-1.yaml", []byte(pilot1))
	if err != nil {
		t.Fatal(err)
	}
	src2 := strings.NewReplacer(`version: "1.0"`, `version: "2.0"
migrates_from:
  version: "1.0"
  renamed: {"1.3": "1.4"}
  removed: ["2.5"]
  choices: {"1.1": {other-body: other}}`, `id: "1.3"`, `id: "1.4"`, `code: other-body`, `code: other`).Replace(pilot1)
	src2 = src2[:strings.Index(src2, `      - id: "2.5"`)]
	v2, err := questionnaires.Parse("pilot-2.yaml", []byte(src2))
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC) }
	fs := fakestore.New(now)
	w := &session.Writer{Store: fs, Author: session.Author{Device: "dev1", Principal: "an"}, Assessor: "An",
		IDs: func() (string, error) { return upgradeIV, nil }}
	ctx := context.Background()
	if _, err := w.Create(ctx, v1, survey.Respondent{Agency: "Sở Tư pháp", Province: "Thừa Thiên Huế", Role: "Phó giám đốc",
		Category: "data-holder", Date: "2026-11-23", Consent: true}); err != nil {
		t.Fatal(err)
	}
	if err := w.Put(ctx, session.AnswerChange(upgradeIV, "1.1", survey.Answer{Value: "other-body"}),
		session.AnswerChange(upgradeIV, "1.3", survey.Answer{Value: "data.hue.gov.vn"}),
		session.AnswerChange(upgradeIV, "2.5", survey.Answer{Value: "Cần thêm nhân lực"})); err != nil {
		t.Fatal(err)
	}
	out := &strings.Builder{}
	return fs, Options{Lang: lang, Writer: w, Catalog: catalog{v1, v2}, Interview: upgradeIV, Now: now,
		In: strings.NewReader(input), Out: out}, out
}

func TestLineModeOffersTheUpgradeAndWritesIt(t *testing.T) {
	fs, o, out := upgradeSetup(t, "en", "y\n")
	puts := fs.Puts
	err := Run(context.Background(), o)
	if !errors.Is(err, ErrInputEnded) {
		t.Fatalf("run: %v\n%s", err, out)
	}
	for _, want := range []string{
		"A newer version of this questionnaire is installed (2.0). Moving the interview to it changes:",
		"  pilot: version 1.0 → 2.0",
		`  moved: answer to 1.3 → question 1.4 "Which portal?"`,
		`  recoded: 1.1 "Who publishes?": other-body → other`,
		`  no longer asked: 2.5 "Any remark?" (removed in version 2.0): the answer is kept in the interview and its history`,
		"Move the interview to version 2.0? (y/n): ",
		"The interview is now on version 2.0 of the questionnaire",
		"Question 1.1 (1/3)", // the questions asked are 2.0's
	} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("output lacks %q:\n%s", want, out)
		}
	}
	if fs.Puts != puts+1 {
		t.Fatalf("%d puts, want the upgrade as one", fs.Puts-puts)
	}
	st, err := fs.Interview(context.Background(), upgradeIV)
	if err != nil {
		t.Fatal(err)
	}
	if v := st.Meta.QuestionnaireVersion; v != "2.0" {
		t.Fatalf("version %s after yes", v)
	}
	if st.Answers["1.4"].Value != "data.hue.gov.vn" || st.Answers["1.1"].Value != "other" {
		t.Fatalf("answers after the upgrade: %v", st.Answers)
	}
	if _, ok := st.Answers["1.3"]; ok {
		t.Fatal("the moved answer is still under 1.3")
	}
	if st.Answers["2.5"].Value != "Cần thêm nhân lực" {
		t.Fatal("the orphaned answer was not kept")
	}
}

func TestLineModeUpgradeDeclinedKeepsTheVersion(t *testing.T) {
	fs, o, out := upgradeSetup(t, "vi", "n\n")
	puts := fs.Puts
	if err := Run(context.Background(), o); !errors.Is(err, ErrInputEnded) {
		t.Fatalf("run: %v\n%s", err, out)
	}
	for _, want := range []string{
		"Máy đã có phiên bản mới hơn của bảng hỏi này (2.0).",
		`  chuyển: câu trả lời của 1.3 → câu hỏi 1.4 "Cổng dữ liệu nào?"`,
		"Chuyển phỏng vấn sang phiên bản 2.0? (y = có, n = không): ",
		"Giữ phiên bản 1.0; sẽ được hỏi lại lần mở phỏng vấn sau.",
		"Câu 1.1 (1/4)",
	} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("output lacks %q:\n%s", want, out)
		}
	}
	if fs.Puts != puts {
		t.Fatal("declining the upgrade wrote something")
	}
	st, _ := fs.Interview(context.Background(), upgradeIV)
	if st.Meta.QuestionnaireVersion != "1.0" || st.Answers["1.3"].Value != "data.hue.gov.vn" {
		t.Fatalf("after no: version %s, answers %v", st.Meta.QuestionnaireVersion, st.Answers)
	}
}

// Piped input must say y or n: an empty line or anything else stops the run at that line,
// and nothing is written.
func TestLineModeUpgradeNeedsAnAnswer(t *testing.T) {
	for _, in := range []string{"\n", "maybe\n"} {
		fs, o, out := upgradeSetup(t, "en", in)
		puts := fs.Puts
		err := Run(context.Background(), o)
		var le *lineError
		if !errors.As(err, &le) || !strings.Contains(err.Error(), "line 1: Answer y or n.") {
			t.Fatalf("input %q: %v\n%s", in, err, out)
		}
		if fs.Puts != puts {
			t.Fatalf("input %q wrote something", in)
		}
	}
}
