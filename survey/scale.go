package survey

import (
	"fmt"
	"strings"
)

// Code is a stable machine code for a rating: the same in every machine format.
type Code string

// The codes of the five-step readiness scale, worst first, and the two codes that are
// recorded but never counted in a score.
const (
	Red         Code = "red"
	AmberRed    Code = "amber-red"
	Amber       Code = "amber"
	AmberGreen  Code = "amber-green"
	Green       Code = "green"
	NotAssessed Code = "not-assessed"
	DontKnow    Code = "dont-know"
	// Yellow is the middle step of ODRA 3.1's three-step scale (red, yellow, green).
	Yellow Code = "yellow"
	// InsufficientInformation is ODRA's grey "U": the evidence does not allow a rating.
	// Recorded and shown, never counted; distinct from "don't know" (the respondent's).
	InsufficientInformation Code = "insufficient-information"
)

// Step is one point on a rating scale.
type Step struct {
	Code  Code   `yaml:"code" json:"code"`
	Label Text   `yaml:"label" json:"label"`
	Value int    `yaml:"value" json:"value"` // 1..n, worst first; 0 for steps that never count
	Color string `yaml:"color,omitempty" json:"color,omitempty"`
	// Symbol is a short sign shown beside the colour so the rating reads without colour.
	Symbol string `yaml:"symbol,omitempty" json:"symbol,omitempty"`
	// Aliases are other words accepted for this step on import (e.g. "yellow" for amber).
	Aliases []string `yaml:"aliases,omitempty" json:"aliases,omitempty"`
	// Uncounted steps (not assessed, don't know) are recorded and shown, never scored.
	Uncounted bool `yaml:"uncounted,omitempty" json:"uncounted,omitempty"`
	// Position places a counted step on a common line from 0 (worst) to 1 (best), so that
	// views across instruments can place ratings of different scales side by side without
	// pretending that their steps are the same. Empty: evenly spaced by Value.
	Position *float64 `yaml:"position,omitempty" json:"position,omitempty"`
	// Key is the key that sets an uncounted step on the interview screen (e.g. "U" for
	// ODRA's insufficient information); "0" and "d" are the keys of not assessed and don't
	// know. Counted steps are set by their number.
	Key string `yaml:"key,omitempty" json:"key,omitempty"`
}

// Scale is an ordered list of steps, worst first, followed by uncounted steps.
type Scale struct {
	ID    string `yaml:"id" json:"id"`
	Label Text   `yaml:"label,omitempty" json:"label,omitempty"`
	Steps []Step `yaml:"steps" json:"steps"`
}

// ReadinessScaleID is the id of the built-in five-step readiness scale.
const ReadinessScaleID = "readiness"

// ReadinessScale returns the default five-step red/amber/green scale with "not assessed"
// and "don't know". Some World Bank documents say Yellow for Amber: both are accepted.
func ReadinessScale() *Scale {
	return &Scale{
		ID:    ReadinessScaleID,
		Label: T("Readiness", "Mức độ sẵn sàng"),
		Steps: []Step{
			{Code: Red, Label: T("Red", "Đỏ"), Value: 1, Color: "red", Symbol: "●○○○○", Aliases: []string{"r"}},
			{Code: AmberRed, Label: T("Amber/Red", "Vàng/Đỏ"), Value: 2, Color: "amber-red", Symbol: "●●○○○",
				Aliases: []string{"red-amber", "yellow-red", "red-yellow", "amber/red", "yellow/red", "ar"}},
			{Code: Amber, Label: T("Amber", "Vàng"), Value: 3, Color: "amber", Symbol: "●●●○○", Aliases: []string{"yellow", "a"}},
			{Code: AmberGreen, Label: T("Amber/Green", "Vàng/Xanh"), Value: 4, Color: "amber-green", Symbol: "●●●●○",
				Aliases: []string{"green-amber", "yellow-green", "green-yellow", "amber/green", "yellow/green", "ag"}},
			{Code: Green, Label: T("Green", "Xanh"), Value: 5, Color: "green", Symbol: "●●●●●", Aliases: []string{"g"}},
			{Code: NotAssessed, Label: T("Not assessed", "Chưa đánh giá"), Symbol: "–", Uncounted: true,
				Aliases: []string{"not assessed", "n/a", "na"}},
			{Code: DontKnow, Label: T("Don't know", "Không biết"), Symbol: "?", Uncounted: true,
				Aliases: []string{"don't know", "dont know", "unknown", "dk"}},
		},
	}
}

// Step returns the step with code c.
func (s *Scale) Step(c Code) (Step, bool) {
	for _, st := range s.Steps {
		if st.Code == c {
			return st, true
		}
	}
	return Step{}, false
}

// Counted returns the steps that count in a score, worst first.
func (s *Scale) Counted() []Step {
	var out []Step
	for _, st := range s.Steps {
		if !st.Uncounted {
			out = append(out, st)
		}
	}
	return out
}

// PositionOf returns where step c lies on the common line from 0 (the worst counted step)
// to 1 (the best): the step's declared position, else its place among the counted steps,
// evenly spaced. Uncounted and unknown steps have none.
func (s *Scale) PositionOf(c Code) (float64, bool) {
	counted := s.Counted()
	for i, st := range counted {
		if st.Code != c {
			continue
		}
		if st.Position != nil {
			return *st.Position, true
		}
		if len(counted) < 2 {
			return 0, true
		}
		return float64(i) / float64(len(counted)-1), true
	}
	return 0, false
}

// Uncounted returns the steps that are recorded but never scored.
func (s *Scale) Uncounted() []Step {
	var out []Step
	for _, st := range s.Steps {
		if st.Uncounted {
			out = append(out, st)
		}
	}
	return out
}

// Parse turns a code, an alias or a label in any language ("Yellow", "Vàng/Xanh",
// "amber-green") into the step's code. Matching ignores case and surrounding space.
func (s *Scale) Parse(in string) (Code, error) {
	k := strings.ToLower(strings.TrimSpace(NFC(in)))
	if k == "" {
		return "", fmt.Errorf("empty rating")
	}
	for _, st := range s.Steps {
		if strings.ToLower(string(st.Code)) == k {
			return st.Code, nil
		}
	}
	for _, st := range s.Steps {
		for _, a := range st.Aliases {
			if strings.ToLower(a) == k {
				return st.Code, nil
			}
		}
		for _, l := range st.Label {
			if strings.ToLower(NFC(l)) == k {
				return st.Code, nil
			}
		}
	}
	return "", fmt.Errorf("unknown rating %q (expected one of %s)", in, strings.Join(s.codes(), ", "))
}

// codeList returns the codes of s's steps, in order.
func (s *Scale) codeList() []Code {
	out := make([]Code, len(s.Steps))
	for i, st := range s.Steps {
		out[i] = st.Code
	}
	return out
}

// codes returns the codes of s's steps as strings (for messages).
func (s *Scale) codes() []string {
	out := make([]string, len(s.Steps))
	for i, c := range s.codeList() {
		out[i] = string(c)
	}
	return out
}
