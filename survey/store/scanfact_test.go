package store

import (
	"encoding/json"
	"testing"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// answerSeeds are answers as Put encodes them (every shape a question gives a value)
// and values other programs could write.
func answerSeeds(t testing.TB) [][]byte {
	answers := []survey.Answer{
		{},
		{Rating: survey.Green},
		{Value: "Đà Nẵng"},
		{Value: ""},
		{Value: 3.5},
		{Value: -0.0},
		{Value: 1e300},
		{Value: true},
		{Value: false},
		{Value: []string{"a", "b <c> & \u2028"}},
		{Value: []string{}},
		{Comment: "chỉ ghi chú / only a comment"},
		{Probes: []string{"p1", "p2"}},
		{Rating: survey.Amber, Evidence: []survey.Evidence{
			{Polarity: survey.Plus, Text: "Quyết định số 749/QĐ-TTg", Source: "https://vanban.chinhphu.vn", InScope: true},
			{Polarity: survey.Minus, Text: "chưa\tđủ \"kinh phí\"", InScope: false, Note: "not in force"},
		}, Comment: "x", Probes: []string{"q"}},
		{Evidence: []survey.Evidence{{Polarity: survey.Neutral, Text: "t", InScope: true}}},
		{Value: map[string]any{"a": 1.0}},
	}
	var out [][]byte
	for _, a := range answers {
		b, err := json.Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	for _, s := range []string{
		`null`, `{"Rating":"G"}`, `{"rating":"G","rating":""}`, `{ "rating":"G"}`, `{"value":1e400}`,
		`{"value":01}`, `{"value":1.}`, `{"value":[1,2]}`, `{"value":[]}`, `{"value":null}`,
		`{"rating":5}`, `{"comment":"\x01"}`, `{"comment":"\q"}`, `{"comment":"\u12"}`, `{"comment":"\ud800"}`,
		`{"evidence":[{"polarity":"+","text":"t","in_scope":null}]}`, `{"evidence":[]}`, `{"probes":null}`,
		`{"other":1}`, `{"rating":"G"}x`, `{"rating":"G",}`, `[]`, `"x"`, `{"value":"\u0000"}`,
		`{"evidence":[{"polarity":"+","text":"t","in_scope":true,"note":"n","source":"s"}]}`,
		"{\"comment\":\"\xff\xfe\"}", `{"value":-}`, `{"value":1e}`, `{"value":tru}`,
	} {
		out = append(out, []byte(s))
	}
	return out
}

// TestScanAnswerTakesPutsLayout: every answer Put writes is read by the scan, not handed
// to encoding/json, and gives the fact encoding/json gives.
func TestScanAnswerTakesPutsLayout(t *testing.T) {
	for _, a := range []survey.Answer{
		{}, {Rating: survey.Green}, {Value: "x"}, {Value: ""}, {Value: 2.0}, {Value: true}, {Value: []string{"a"}},
		{Rating: survey.Red, Comment: "c", Probes: []string{"p"}, Evidence: []survey.Evidence{
			{Polarity: survey.Plus, Text: "t", Source: "s", InScope: true, Note: "n"}}},
	} {
		v, err := encodeValue(survey.KindAnswer, a)
		if err != nil {
			t.Fatal(err)
		}
		answered, ok := scanAnswer(v)
		if !ok {
			t.Errorf("%s: not read by scanAnswer", v)
			continue
		}
		if want := a.Normalized().HasValue(); answered != want {
			t.Errorf("%s: answered %v, want %v", v, answered, want)
		}
	}
	v, err := encodeValue(survey.KindSection, survey.SectionSummary{Rating: survey.AmberGreen, Comment: "đã xác nhận"})
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := scanSection(v); !ok || r != survey.AmberGreen {
		t.Errorf("%s: scanSection = %q, %v", v, r, ok)
	}
}

// FuzzScanAnswer: a value scanAnswer reads is one encoding/json decodes as an answer, with
// the same HasValue; and decodeFact, which uses it, accepts and refuses what
// encoding/json does.
func FuzzScanAnswer(f *testing.F) {
	for _, s := range answerSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var a survey.Answer
		jerr := json.Unmarshal(b, &a)
		answered, ok := scanAnswer(b)
		if ok {
			if jerr != nil {
				t.Fatalf("%q: scanAnswer read it, encoding/json refuses it: %v", b, jerr)
			}
			if answered != a.HasValue() {
				t.Fatalf("%q: scanAnswer says answered %v, encoding/json %v", b, answered, a.HasValue())
			}
		}
		fct, err := decodeFact(survey.KindAnswer, b, "")
		if (err == nil) != (jerr == nil) {
			t.Fatalf("%q: decodeFact error %v, encoding/json %v", b, err, jerr)
		}
		if err == nil && fct.answered != a.HasValue() {
			t.Fatalf("%q: decodeFact answered %v, encoding/json %v", b, fct.answered, a.HasValue())
		}
	})
}

// FuzzScanSection is FuzzScanAnswer for section summaries.
func FuzzScanSection(f *testing.F) {
	for _, s := range []string{`{}`, `{"rating":"G"}`, `{"rating":"AG","comment":"đã xác nhận"}`, `{"comment":"c"}`,
		`{"rating":"\u0041"}`, `{"rating":"Ă"}`, `{"rating":1}`, `{"comment":"c","rating":"G"}`, `null`, `{"rating":"G"} `} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var s survey.SectionSummary
		jerr := json.Unmarshal(b, &s)
		rating, ok := scanSection(b)
		if ok {
			if jerr != nil {
				t.Fatalf("%q: scanSection read it, encoding/json refuses it: %v", b, jerr)
			}
			if rating != s.Rating {
				t.Fatalf("%q: scanSection says rating %q, encoding/json %q", b, rating, s.Rating)
			}
		}
		fct, err := decodeFact(survey.KindSection, b, "")
		if (err == nil) != (jerr == nil) {
			t.Fatalf("%q: decodeFact error %v, encoding/json %v", b, err, jerr)
		}
		if err == nil && fct.rating != s.Rating {
			t.Fatalf("%q: decodeFact rating %q, encoding/json %q", b, fct.rating, s.Rating)
		}
	})
}
