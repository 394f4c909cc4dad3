package survey

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckChangeSize(t *testing.T) {
	tg := Target{Interview: ExampleInterviewID, Kind: KindAnswer, Key: "7.1"}
	ok := Change{Target: tg, Value: Answer{Rating: Amber, Comment: strings.Repeat("Có kế hoạch. ", 50000)}}
	if err := CheckChangeSize(ok); err != nil {
		t.Errorf("a 650 KB comment refused: %v", err)
	}
	// 200,000 '<' take 1.2 MB once encoded (\u003c each): the limit is on the encoded size.
	big := Change{Target: tg, Value: Answer{Comment: strings.Repeat("<", 200000)}}
	err := CheckChangeSize(big)
	var se *SizeError
	if !errors.Is(err, ErrTooLarge) || !errors.As(err, &se) {
		t.Fatalf("err = %v", err)
	}
	if se.Size != 1200000+len(`{"comment":""}`) || se.Limit != MaxValueSize {
		t.Errorf("size %d, limit %d", se.Size, se.Limit)
	}
	en, vi := se.Text().Get(LangEN), se.Text().Get(LangVI)
	for _, c := range []struct{ msg, size string }{{en, "1.2 MB"}, {vi, "1,2 MB"}} {
		if !strings.Contains(c.msg, "7.1") || !strings.Contains(c.msg, c.size) || !strings.Contains(c.msg, " 1 MB") {
			t.Errorf("the message must name the answer, its size and the limit: %q", c.msg)
		}
	}
	if en == vi || err.Error() != en {
		t.Errorf("en %q, vi %q, Error %q", en, vi, err.Error())
	}
	if MaxValueSize >= MaxRevisionSize/2 {
		t.Errorf("a value of %d bytes leaves too little room in a revision line of %d", MaxValueSize, MaxRevisionSize)
	}
	// Every kind of change is bounded.
	resp := Change{Target: Target{Interview: ExampleInterviewID, Kind: KindRespondent}, Value: Respondent{Agency: strings.Repeat("a", MaxValueSize)}}
	if err := CheckChangeSize(resp); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "respondent") {
		t.Errorf("respondent: %v", err)
	}
}

func TestRecordCheckSize(t *testing.T) {
	q := demo()
	_ = q.Validate()
	line := `{"format":"fieldsurvey-interview/1","id":"` + ExampleInterviewID + `","questionnaire":"demo","questionnaire_version":"1","status":"draft",` +
		`"respondent":{},"answers":{"1.1":{"rating":"red","comment":"` + strings.Repeat("x", 2000000) + `"}},"sections":{}}`
	rec, err := ParseRecord([]byte(line))
	if err != nil {
		t.Fatal(err)
	}
	errs := rec.Check(q)
	if len(errs) != 1 || errs[0].Field != "answers.1.1" || !strings.Contains(errs[0].Msg, "2.0 MB") || !strings.Contains(errs[0].Msg, "limit") {
		t.Errorf("errs = %v", errs)
	}
}
