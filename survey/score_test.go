package survey

import "testing"

func sectionOf(imps ...Importance) (*Questionnaire, *Section) {
	s := &Section{ID: "s", Title: T("S", "S")}
	for i, imp := range imps {
		s.Questions = append(s.Questions, &Question{ID: string(rune('a' + i)), Type: TypeRating, Importance: imp, Text: T("q", "q")})
	}
	q := &Questionnaire{Format: QuestionnaireFormat, ID: "t", Version: "1", Title: T("t", "t"), Languages: []string{"vi", "en"}, Sections: []*Section{s}}
	q.Index()
	return q, s
}

func TestSuggest(t *testing.T) {
	cases := []struct {
		name    string
		imps    []Importance
		ratings []Code
		want    Code
	}{
		{"single", []Importance{ImportanceHigh}, []Code{Green}, Green},
		{"plain mean", []Importance{"", "", ""}, []Code{Red, Amber, Green}, Amber},
		// (1+2)/2 = 1.5: half way, towards the middle (3): 2.
		{"half low goes up", []Importance{"", ""}, []Code{Red, AmberRed}, AmberRed},
		// (4+5)/2 = 4.5: towards the middle: 4.
		{"half high goes down", []Importance{"", ""}, []Code{AmberGreen, Green}, AmberGreen},
		// (2+3)/2 = 2.5 → 3; (3+4)/2 = 3.5 → 3.
		{"half below middle", []Importance{"", ""}, []Code{AmberRed, Amber}, Amber},
		{"half above middle", []Importance{"", ""}, []Code{Amber, AmberGreen}, Amber},
		// Very High green (4*5) + Medium red (1*1) = 21/5 = 4.2 → amber-green.
		{"weights", []Importance{ImportanceVeryHigh, ImportanceMedium}, []Code{Green, Red}, AmberGreen},
		// Uncounted ratings are ignored entirely.
		{"uncounted ignored", []Importance{ImportanceVeryHigh, ""}, []Code{DontKnow, Red}, Red},
		// High red (3*1) + Medium High green (2*5) = 13/5 = 2.6 → amber.
		{"rounds to nearest", []Importance{ImportanceHigh, ImportanceMediumHigh}, []Code{Red, Green}, Amber},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			q, s := sectionOf(c.imps...)
			all := Answers{}
			for i, r := range c.ratings {
				all[s.Questions[i].ID] = Answer{Rating: r}
			}
			got, ok := q.Suggest(s, all)
			if !ok || got.Rating != c.want {
				t.Fatalf("Suggest = %v (ok %v, mean %.2f), want %v", got.Rating, ok, got.Mean, c.want)
			}
		})
	}
}

func TestSuggestNothingRated(t *testing.T) {
	q, s := sectionOf("", "")
	if _, ok := q.Suggest(s, Answers{"a": {Rating: NotAssessed}}); ok {
		t.Fatal("a section with only uncounted ratings must have no suggestion")
	}
}
