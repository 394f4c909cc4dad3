package survey

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestRecordRoundTrip(t *testing.T) {
	q := demo()
	if err := q.Validate(); err != nil {
		t.Fatal(err)
	}
	line := `{"format":"fieldsurvey-interview/1","id":"0193a5b2-7c1e-7000-8000-000000000001","questionnaire":"demo","questionnaire_version":"1","assessor":"an@example.org","device":"4f3627897b579df3","assignee":"an@example.org","due":"2026-12-31","note":"Gặp ông Hải","status":"completed",` +
		`"respondent":{"agency":"Sở Thông tin và Truyền thông","province":"Đà Nẵng","role":"Giám đốc","category":"data-holder","date":"2026-11-20","place":"Đà Nẵng","consent":true},` +
		`"answers":{"1.1":{"rating":"amber-green","comment":"Có khung","evidence":[{"polarity":"+","text":"Quyết định 1234","source":"https://example.org","in_scope":true},{"polarity":"-","text":"Luật chưa có hiệu lực","in_scope":false,"note":"hiệu lực 2026"}]},` +
		`"1.2":{"value":true},"1.3":{"value":12},"1.4":{"value":["a","c"]}},"sections":{"1":{"rating":"amber","comment":"Khá"}}}`
	rec, err := ParseRecord([]byte(line))
	if err != nil {
		t.Fatal(err)
	}
	if errs := rec.Check(q); len(errs) != 0 {
		t.Fatalf("good record refused: %v", errs)
	}
	var revs []Revision
	for i, c := range rec.Changes(nil) {
		revs = append(revs, mustRev(t, c.Target, c.Value, "dev", uint64(i+1), t0.Add(time.Duration(i)*time.Second)))
	}
	st, err := Fold(revs)
	if err != nil {
		t.Fatal(err)
	}
	// The creation written is the original's: device and assignment included.
	if m := st["0193a5b2-7c1e-7000-8000-000000000001"].Meta; m != (InterviewMeta{Questionnaire: "demo", QuestionnaireVersion: "1",
		Assessor: "an@example.org", Device: "4f3627897b579df3", Assignee: "an@example.org", Due: "2026-12-31", Note: "Gặp ông Hải"}) {
		t.Fatalf("imported creation %+v", m)
	}
	back := st["0193a5b2-7c1e-7000-8000-000000000001"].Record()
	back.Created = "" // the original had none
	out, err := back.MarshalLine()
	if err != nil {
		t.Fatal(err)
	}
	// Re-importing the exported record over the same state changes nothing.
	rec2, err := ParseRecord(out)
	if err != nil {
		t.Fatal(err)
	}
	if ch := rec2.Changes(st["0193a5b2-7c1e-7000-8000-000000000001"]); len(ch) != 0 {
		t.Fatalf("re-import must be a no-op, got %d changes: %+v", len(ch), ch)
	}
	out2, _ := rec2.MarshalLine()
	if string(out) != string(out2) {
		t.Fatalf("export not stable:\n%s\n%s", out, out2)
	}
}

func TestRecordCheckNamesFields(t *testing.T) {
	q := demo()
	_ = q.Validate()
	line := `{"format":"fieldsurvey-interview/1","id":"x","questionnaire":"demo","questionnaire_version":"1","status":"done","due":"31/12/2026",` +
		`"respondent":{"category":"aliens","date":"20/11/2026"},` +
		`"answers":{"1.1":{"rating":"purple"},"9.9":{"value":1},"1.3":{"value":"many"},"1.4":{"value":["a","b","c"]}},"sections":{"1":{"rating":"green"},"7":{}}}`
	rec, err := ParseRecord([]byte(line))
	if err != nil {
		t.Fatal(err)
	}
	var fields []string
	for _, e := range rec.Check(q) {
		fields = append(fields, e.Field)
	}
	want := "answers.1.1.rating answers.1.3.value answers.1.4 answers.9.9 due id respondent.category respondent.date sections.7 status"
	if got := strings.Join(fields, " "); got != want {
		t.Fatalf("fields:\n got %s\nwant %s", got, want)
	}
	if _, err := ParseRecord([]byte(`{"format":"fieldsurvey-interview/1","id":"x","extra":1}`)); err == nil {
		t.Fatal("unknown fields must be refused")
	}
}

func TestRecordAcceptsRatingAliases(t *testing.T) {
	q := demo()
	_ = q.Validate()
	rec, err := ParseRecord([]byte(`{"format":"fieldsurvey-interview/1","id":"0193a5b2-7c1e-7000-8000-000000000001","questionnaire":"demo","questionnaire_version":"1","status":"draft",` +
		`"respondent":{},"answers":{"1.1":{"rating":"Yellow"}},"sections":{"1":{"rating":"Vàng/Đỏ"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	rec.NormalizeRatings(q)
	if rec.Answers["1.1"].Rating != Amber || rec.Sections["1"].Rating != AmberRed {
		t.Fatalf("aliases not normalised: %v %v", rec.Answers["1.1"].Rating, rec.Sections["1"].Rating)
	}
	if errs := rec.Check(q); len(errs) != 0 {
		t.Fatalf("normalised record refused: %v", errs)
	}
}

// A line with bytes that are not UTF-8 is refused, naming the field, rather than decoded
// with U+FFFD in their place.
func TestParseRecordInvalidUTF8(t *testing.T) {
	head := `{"format":"fieldsurvey-interview/1","id":"0193a5b2-7c1e-7000-8000-000000000001","questionnaire":"demo","questionnaire_version":"1","status":"draft",`
	// BAD stands for bytes that are not UTF-8: a lone continuation byte, an overlong "/", a
	// surrogate half, 0xff.
	for field, line := range map[string]string{
		"respondent.agency":            head + `"respondent":{"agency":"Sở BAD"},"answers":{},"sections":{}}`,
		"answers.1.1.comment":          head + `"respondent":{},"answers":{"1.1":{"rating":"red","comment":"ok BAD"}},"sections":{}}`,
		"answers.1.1.evidence[1].text": head + `"respondent":{},"answers":{"1.1":{"evidence":[{"polarity":"+","text":"a"},{"polarity":"-","text":"BAD"}]}},"sections":{}}`,
		"sections.1.comment":           head + `"respondent":{},"answers":{},"sections":{"1":{"rating":"red","comment":"BAD"}}}`,
		"assessor":                     head + `"assessor":"BAD","respondent":{},"answers":{},"sections":{}}`,
		"answers.\ufffd":               head + `"respondent":{},"answers":{"BAD":{"rating":"red"}},"sections":{}}`,
	} {
		line = strings.ReplaceAll(line, "BAD", "\x80\xc0\xaf\xed\xa0\x80\xff")
		_, err := ParseRecord([]byte(line))
		var fe FieldError
		if !errors.As(err, &fe) || fe.Field != field || fe.Msg != "invalid UTF-8" {
			t.Errorf("%s: err = %#v", field, err)
		}
	}
}
