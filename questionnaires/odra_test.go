package questionnaires

import (
	"strings"
	"testing"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// TestODRAScale (issue 12.1): odra-3.1 rates as the method does — red, yellow, green and the
// grey U (insufficient information, never counted, distinct from don't know, set with U) —
// with o for mixed evidence and rubrics keyed to those steps; the five-step version 3.1.0
// stays bundled for the interviews recorded on it, and new interviews get 3.1.1.
func TestODRAScale(t *testing.T) {
	qs, err := Bundled()
	if err != nil {
		t.Fatal(err)
	}
	var versions []*survey.Questionnaire
	for _, q := range qs {
		if q.ID == "odra-3.1" {
			versions = append(versions, q)
		}
	}
	if len(versions) != 2 || versions[0].Version != "3.1.0" || versions[1].Version != "3.1.1" {
		t.Fatalf("bundled odra-3.1 versions: %d, want 3.1.0 then 3.1.1", len(versions))
	}
	old, cur := versions[0], versions[1]
	if n := len(old.ScaleOf(old.Questions()[0]).Counted()); n != 5 {
		t.Errorf("3.1.0 rates on %d steps, want the five it was recorded on", n)
	}
	if len(old.Questions()) != 43 || len(cur.Questions()) != 44 {
		t.Errorf("questions: 3.1.0 %d, 3.1.1 %d; want 43, and 44 with the key datasets roster", len(old.Questions()), len(cur.Questions()))
	}
	for _, qu := range cur.Questions() {
		if qu.Type != survey.TypeRating {
			continue
		}
		sc := cur.ScaleOf(qu)
		var codes []survey.Code
		for _, st := range sc.Counted() {
			codes = append(codes, st.Code)
		}
		if len(codes) != 3 || codes[0] != survey.Red || codes[1] != survey.Yellow || codes[2] != survey.Green {
			t.Fatalf("question %s rates on %v, want red, yellow, green", qu.ID, codes)
		}
		u, ok := sc.Step(survey.InsufficientInformation)
		if !ok || !u.Uncounted || u.Key != "U" || u.Symbol != "U" || u.Label.Get("vi") == "" {
			t.Fatalf("question %s: U step %+v", qu.ID, u)
		}
		if _, ok := sc.Step(survey.DontKnow); !ok {
			t.Errorf("question %s has no don't know besides U", qu.ID)
		}
		if p, _ := sc.PositionOf(survey.Yellow); p != 0.5 {
			t.Errorf("yellow at %v on the common line, want 0.5", p)
		}
	}
	for _, s := range cur.Sections {
		if cur.SectionScale(s).ID != "odra" {
			t.Errorf("dimension %s's overall rating is on %s", s.ID, cur.SectionScale(s).ID)
		}
		for _, c := range []survey.Code{survey.Red, survey.Yellow, survey.Green} {
			if s.Rubric[c].Get("en") == "" || s.Rubric[c].Get("vi") == "" {
				t.Errorf("dimension %s has no rubric for %s", s.ID, c)
			}
		}
	}
	if cur.NeutralMark() != "o" || old.NeutralMark() != "0" {
		t.Errorf("neutral marks %q and %q", cur.NeutralMark(), old.NeutralMark())
	}
	// The evidence rule follows the scale: green needs in-scope + evidence, yellow does not;
	// a five-step code is not a rating of 3.1.1.
	qu, _ := cur.Question("1.1")
	green := survey.Answers{"1.1": {Rating: survey.Green}}
	if len(cur.Check(qu, green)) == 0 {
		t.Error("green without evidence passed the evidence rule")
	}
	if is := cur.CheckValue(qu, survey.Answer{Rating: survey.AmberGreen}); is == nil {
		t.Error("amber-green accepted on the three-step scale")
	}
	if is := cur.CheckValue(qu, survey.Answer{Rating: survey.InsufficientInformation}); is != nil {
		t.Errorf("U refused: %v", is.Msg)
	}
	// A dimension rated red and green suggests yellow (halves towards the middle).
	sec := cur.Sections[7] // 8: four questions, H, H, MH, H
	ans := survey.Answers{}
	for i, q := range sec.Questions {
		code := survey.Red
		if i%2 == 1 {
			code = survey.Green
		}
		ans[q.ID] = survey.Answer{Rating: code}
	}
	if sg, ok := cur.Suggest(sec, ans); !ok || sg.Rating != survey.Yellow {
		t.Errorf("suggestion %+v, %v; want yellow", sg, ok)
	}
}

// TestODRAKeyDatasetsRoster (issue 12.2): odra-3.1 (3.1.1) carries the key datasets table
// in dimension 4 as a roster with the methodology's columns, every label in Vietnamese;
// 3.1.0 is unchanged.
func TestODRAKeyDatasetsRoster(t *testing.T) {
	qs, err := Bundled()
	if err != nil {
		t.Fatal(err)
	}
	var cur, old *survey.Questionnaire
	for _, q := range qs {
		switch {
		case q.ID == "odra-3.1" && q.Version == "3.1.1":
			cur = q
		case q.ID == "odra-3.1" && q.Version == "3.1.0":
			old = q
		}
	}
	if cur == nil || old == nil {
		t.Fatal("odra-3.1 3.1.0 and 3.1.1 are not both bundled")
	}
	if _, ok := old.Question("4.K"); ok {
		t.Error("3.1.0 gained a question: interviews recorded on it must keep their questionnaire")
	}
	qu, ok := cur.Question("4.K")
	if !ok || qu.Type != survey.TypeRoster {
		t.Fatal("3.1.1 has no key datasets roster 4.K")
	}
	if s, _ := cur.SectionOf("4.K"); s.ID != "4" {
		t.Errorf("4.K is in dimension %s, want 4 (data management and availability)", s.ID)
	}
	var cols []string
	for _, c := range qu.Columns {
		cols = append(cols, c.ID+":"+string(c.Type))
		if c.Label.Get("vi") == "" || c.Label.Get("vi") == c.Label.Get("en") {
			t.Errorf("column %s has no Vietnamese label", c.ID)
		}
	}
	if got, want := strings.Join(cols, " "), "agency:text source:text public:yesno service:yesno openness:stars remarks:text url:url"; got != want {
		t.Errorf("columns %s\nwant %s", got, want)
	}
	if qu.Required || qu.MaxRows != 500 {
		t.Errorf("required %v, max_rows %d", qu.Required, qu.MaxRows)
	}
	// A row as the inventory records it, and what the roster refuses.
	good := map[string]any{"agency": "Tổng cục Thống kê", "source": "Niên giám thống kê", "public": true, "service": false,
		"openness": 3.0, "remarks": "Bản PDF và Excel", "url": "https://www.gso.gov.vn/"}
	if is := cur.CheckRow(qu, good, survey.Answers{}); len(is) != 0 {
		t.Errorf("a good row refused: %v", is)
	}
	if is := cur.CheckRow(qu, map[string]any{"agency": "GSO", "source": "x", "openness": "na"}, survey.Answers{}); len(is) != 0 {
		t.Errorf("N/A refused: %v", is)
	}
	for _, bad := range []map[string]any{
		{"agency": "GSO"}, // no source
		{"agency": "GSO", "source": "x", "openness": 6.0},     // six stars
		{"agency": "GSO", "source": "x", "url": "gso.gov.vn"}, // not a web address
	} {
		if is := cur.CheckRow(qu, bad, survey.Answers{}); len(is) == 0 {
			t.Errorf("row %v accepted", bad)
		}
	}
}
