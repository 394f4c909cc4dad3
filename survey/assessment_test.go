package survey

import (
	"reflect"
	"strings"
	"testing"
)

const aID = "0193a5b2-7c1e-7000-8000-0000000000a1"

func assessQ() *Questionnaire {
	q := demo()
	if err := q.Validate(); err != nil {
		panic(err)
	}
	q.Index()
	return q
}

// Every problem of an import line names its field: unknown fields, fields of another type
// of line, a rating code the scale lacks, a section or question that does not exist, an
// openness out of range.
func TestAssessmentLineProblems(t *testing.T) {
	q := assessQ()
	cases := []struct {
		line, field, msg string
	}{
		{`{"assessment":"` + aID + `","type":"question","question":"1.1","rating":"purple"}`, "rating", `the readiness scale has no rating "purple"`},
		{`{"assessment":"` + aID + `","type":"question","question":"9.9","rating":"red"}`, "question", `no question "9.9" in demo`},
		{`{"assessment":"` + aID + `","type":"question","question":"1.2","rating":"red"}`, "question", `question 1.2 is not rated`},
		{`{"assessment":"` + aID + `","type":"action","id":"A1","action":"x","sections":["7"]}`, "sections", `no section "7" in demo (its sections: 1)`},
		{`{"assessment":"` + aID + `","type":"action","id":"A1","action":"x","depends_on":["A1"]}`, "depends_on", `cannot depend on itself`},
		{`{"assessment":"` + aID + `","type":"dataset","id":"D1","agency":"x","openness":6}`, "openness", `is 6: use 0 for N/A or 1 to 5 stars`},
		{`{"assessment":"` + aID + `","type":"section","section":"2"}`, "section", `no section "2" in demo`},
		{`{"assessment":"` + aID + `","type":"text","key":"preface","text":"x"}`, "key", `unknown text "preface"`},
		{`{"assessment":"` + aID + `","type":"question","question":"1.1","colour":"red"}`, "colour", `unknown field "colour"`},
		{`{"assessment":"` + aID + `","type":"question","question":"1.1","lead":"MoF"}`, "lead", `a question line has no field "lead"`},
		{`{"assessment":"` + aID + `","type":"memo"}`, "type", `unknown line type "memo"`},
	}
	for _, c := range cases {
		l, errs := ParseAssessmentLine([]byte(c.line))
		if errs == nil {
			errs = l.Check(q)
		}
		found := false
		for _, e := range errs {
			if e.Field == c.field && strings.Contains(e.Msg, c.msg) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: errors %v, want %s: …%s…", c.line, errs, c.field, c.msg)
		}
	}
}

// Lines written by export read back into the same changes' effect: importing an
// assessment's own lines changes nothing, and a label or alias is stored as its code.
func TestAssessmentLinesRoundTrip(t *testing.T) {
	q := assessQ()
	in := []string{
		`{"format":"fieldsurvey-assessment/1","assessment":"` + aID + `","type":"assessment","questionnaire":"demo","questionnaire_version":"1","scope":"national","title":"Quốc gia","team":["Lan"]}`,
		`{"assessment":"` + aID + `","type":"question","question":"1.1","rating":"Vàng/Xanh","remarks":"Có tiến bộ"}`,
		`{"assessment":"` + aID + `","type":"section","section":"1","rating":"amber","remarks":"Chung","analysis":"Phân tích"}`,
		`{"assessment":"` + aID + `","type":"text","key":"summary","text":"Tóm tắt"}`,
		`{"assessment":"` + aID + `","type":"action","id":"A1","sections":["1"],"action":"Ban hành","lead":"Bộ","phase":"1","measure":"Có văn bản"}`,
		`{"assessment":"` + aID + `","type":"action","id":"A2","action":"Triển khai","depends_on":["A1"],"order":1}`,
		`{"assessment":"` + aID + `","type":"dataset","id":"D1","agency":"GSO","source":"Niên giám","key_for_public":true,"openness":2}`,
	}
	var lines []AssessmentLine
	for _, s := range in {
		l, errs := ParseAssessmentLine([]byte(s))
		if errs == nil {
			errs = l.Check(q)
		}
		if errs != nil {
			t.Fatalf("%s: %v", s, errs)
		}
		lines = append(lines, l)
	}
	if bad := CheckActionRefs(nil, lines); len(bad) != 0 {
		t.Fatalf("refs: %v", bad)
	}
	changes := AssessmentChanges(nil, lines)
	if changes[0].Target.Kind != KindAssessment {
		t.Fatalf("first change %v, want the creation", changes[0].Target)
	}
	// Fold the changes as revisions, then export.
	var revs []Revision
	for i, ch := range changes {
		revs = append(revs, mustRev(t, ch.Target, ch.Value, "dev", uint64(i+1), t0))
	}
	states, err := Fold(revs)
	if err != nil {
		t.Fatal(err)
	}
	a, ok := states[aID].Assessment()
	if !ok {
		t.Fatal("not an assessment")
	}
	if a.Ratings["1.1"].Rating != AmberGreen || a.Texts[AnalysisKey("1")] != "Phân tích" || a.Actions[0].ID != "A1" {
		t.Errorf("folded: %+v", a)
	}
	if got := states[aID].Summary(); got.Record != RecordAssessment || got.Title != "Quốc gia" || got.Questionnaire != "demo" {
		t.Errorf("summary %+v", got)
	}
	out := a.Lines(q)
	if len(out) != len(in) {
		t.Fatalf("%d lines exported, want %d", len(out), len(in))
	}
	if again := AssessmentChanges(a, out); len(again) != 0 {
		t.Errorf("re-importing the export changes %v", again)
	}
	// A section that says it has no overall rating exports none (a rating stored before it
	// said so would be refused on import): its analysis only.
	no := false
	q.Sections[0].Overall = &no
	for _, l := range a.Lines(q) {
		if l.Type == LineSection && (l.Rating != "" || l.Remarks != "" || l.Analysis != "Phân tích") {
			t.Errorf("plain section exported as %+v", l)
		}
	}
	q.Sections[0].Overall = nil
	var first []byte
	for _, l := range out {
		b, err := l.MarshalLine()
		if err != nil {
			t.Fatal(err)
		}
		back, errs := ParseAssessmentLine(b)
		if errs != nil {
			t.Fatalf("%s: %v", b, errs)
		}
		if !reflect.DeepEqual(back, l) {
			t.Errorf("line read back differs:\n%+v\n%+v", back, l)
		}
		if first == nil {
			first = b
		}
	}
	if !strings.HasPrefix(string(first), `{"format":"fieldsurvey-assessment/1","assessment":"`+aID+`","type":"assessment"`) {
		t.Errorf("header line %s", first)
	}
	// A dependency on an action neither in the file nor stored is named.
	bad := CheckActionRefs(nil, []AssessmentLine{{Type: LineAction, ID: "A3", DependsOn: []string{"A9"}}})
	if len(bad[0]) != 1 || bad[0][0].Field != "depends_on" {
		t.Errorf("unknown dependency: %v", bad)
	}
}

func TestInScope(t *testing.T) {
	if !InScope(ScopeNational, "Huế") || !InScope("Đà Nẵng", " đà  nẵng ") || InScope("Đà Nẵng", "Hà Nội") ||
		!InScope("Huế", "Thừa Thiên Huế") || !InScope("Ha Noi", "Hà Nội") || InScope("Đà Nẵng", "Quảng Nam") || InScope("Đà Nẵng", "") {
		t.Error("InScope")
	}
}
