package survey

import (
	"math"
	"testing"
)

func TestPositionOf(t *testing.T) {
	r := ReadinessScale()
	for code, want := range map[Code]float64{Red: 0, AmberRed: 0.25, Amber: 0.5, AmberGreen: 0.75, Green: 1} {
		if got, ok := r.PositionOf(code); !ok || math.Abs(got-want) > 1e-9 {
			t.Errorf("readiness %s at %v (%v), want %v", code, got, ok, want)
		}
	}
	for _, c := range []Code{NotAssessed, DontKnow, "purple"} {
		if _, ok := r.PositionOf(c); ok {
			t.Errorf("%s has a position", c)
		}
	}
	// A declared position wins over the even spacing.
	p := 0.3
	sc := &Scale{ID: "odd", Steps: []Step{{Code: "low", Value: 1}, {Code: "mid", Value: 2, Position: &p}, {Code: "high", Value: 3}}}
	if got, _ := sc.PositionOf("mid"); got != 0.3 {
		t.Errorf("declared position %v, want 0.3", got)
	}
	if got, _ := sc.PositionOf("high"); got != 1 {
		t.Errorf("high at %v, want 1", got)
	}
}

// TestScaleResolution: a question's scale is its own, else its section's, else the
// questionnaire's, else readiness; a section's overall rating likewise.
func TestScaleResolution(t *testing.T) {
	three := &Scale{ID: "three", Steps: []Step{{Code: "red", Value: 1}, {Code: "yellow", Value: 2}, {Code: "green", Value: 3}}}
	four := &Scale{ID: "four", Steps: []Step{{Code: "a", Value: 1}, {Code: "b", Value: 2}, {Code: "c", Value: 3}, {Code: "d", Value: 4}}}
	q := &Questionnaire{ID: "q", Scale: "three", Scales: []*Scale{three, four}, Sections: []*Section{
		{ID: "1", Questions: []*Question{{ID: "1.1", Type: TypeRating}, {ID: "1.2", Type: TypeRating, Scale: "readiness"}}},
		{ID: "2", Scale: "four", Questions: []*Question{{ID: "2.1", Type: TypeRating}}},
	}}
	q.Index()
	for id, want := range map[string]string{"1.1": "three", "1.2": ReadinessScaleID, "2.1": "four"} {
		qu, _ := q.Question(id)
		if got := q.ScaleOf(qu).ID; got != want {
			t.Errorf("question %s on %s, want %s", id, got, want)
		}
	}
	if got := q.SectionScale(q.Sections[0]).ID; got != "three" {
		t.Errorf("section 1 on %s, want three", got)
	}
	if got := q.SectionScale(q.Sections[1]).ID; got != "four" {
		t.Errorf("section 2 on %s, want four", got)
	}
	q.Scale = ""
	if got := q.SectionScale(q.Sections[0]).ID; got != ReadinessScaleID {
		t.Errorf("without a default: %s", got)
	}
}

func TestPolarityO(t *testing.T) {
	for _, in := range []string{"o", "O", "0", ""} {
		if p, err := ParsePolarity(in); err != nil || p != Neutral {
			t.Errorf("ParsePolarity(%q) = %q, %v", in, p, err)
		}
	}
	a := Answer{Evidence: []Evidence{{Polarity: "o", Text: "x", InScope: true}, {Polarity: "−", Text: "y"}}}.Normalized()
	if a.Evidence[0].Polarity != Neutral || a.Evidence[1].Polarity != Minus {
		t.Errorf("normalised polarities %q %q, want 0 and -", a.Evidence[0].Polarity, a.Evidence[1].Polarity)
	}
}
