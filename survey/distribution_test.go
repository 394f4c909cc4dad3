package survey

import (
	"slices"
	"testing"
)

// odraScale is ODRA's three steps plus grey "U", which never counts (issue 12 adds it to
// the bundled instrument; a scale says so with Uncounted).
func odraScale() *Scale {
	return &Scale{ID: "odra", Steps: []Step{
		{Code: Red, Label: T("Red", "Đỏ"), Value: 1},
		{Code: "yellow", Label: T("Yellow", "Vàng"), Value: 2},
		{Code: Green, Label: T("Green", "Xanh"), Value: 3},
		{Code: "insufficient-information", Label: T("Insufficient information", "Không đủ thông tin"), Symbol: "U", Uncounted: true},
	}}
}

// fourScale has an even number of counted steps: its middle is between 2 and 3.
func fourScale() *Scale {
	return &Scale{ID: "four", Steps: []Step{{Code: "d"}, {Code: "c"}, {Code: "b"}, {Code: "a"}, {Code: "x", Uncounted: true}}}
}

func TestDistribute(t *testing.T) {
	five := ReadinessScale()
	cases := []struct {
		name    string
		scale   *Scale
		ratings []Code
		want    Code
		half    bool
		rated   int
	}{
		{"nothing rated", five, nil, "", false, 0},
		{"one", five, []Code{AmberGreen}, AmberGreen, false, 1},
		{"odd count takes the middle", five, []Code{Green, Red, Amber, Amber, Green}, Amber, false, 5},
		{"even, middles equal", five, []Code{Red, Amber, Amber, Green}, Amber, false, 4},
		// Red and Green: median 3 exactly, a step, not a half.
		{"even, middles an even number apart", five, []Code{Red, Green}, Amber, false, 2},
		// 1.5: half way, towards the middle (3): Amber/Red.
		{"half below the middle goes up", five, []Code{Red, AmberRed}, AmberRed, true, 2},
		// 4.5: towards the middle: Amber/Green.
		{"half above the middle goes down", five, []Code{Green, AmberGreen}, AmberGreen, true, 2},
		// 2.5 → 3 and 3.5 → 3.
		{"half next to the middle, below", five, []Code{AmberRed, Amber}, Amber, true, 2},
		{"half next to the middle, above", five, []Code{AmberGreen, Amber}, Amber, true, 2},
		// Red, Amber/Red, Amber/Green, Green: middles 2 and 4, median 3.
		{"four spread", five, []Code{Red, AmberRed, AmberGreen, Green}, Amber, false, 4},
		// Middles Red (1) and Amber/Green (4): 2.5 → towards the middle: Amber.
		{"half far apart", five, []Code{Red, Red, AmberGreen, Green}, Amber, true, 4},
		{"not assessed and don't know never count", five,
			[]Code{NotAssessed, DontKnow, DontKnow, Red, NotAssessed}, Red, false, 1},
		{"only uncounted", five, []Code{DontKnow, NotAssessed}, "", false, 0},
		{"unknown codes never count", five, []Code{"purple", Green, "purple", "purple"}, Green, false, 1},
		{"empty code is no rating", five, []Code{"", Amber}, Amber, false, 1},
		{"odra: U never counts", odraScale(), []Code{"insufficient-information", "insufficient-information", Red}, Red, false, 1},
		// ODRA 1.5 → towards 2.
		{"odra half", odraScale(), []Code{Red, "yellow"}, "yellow", true, 2},
		{"odra half above", odraScale(), []Code{Green, "yellow"}, "yellow", true, 2},
		// Even scale, middle 2.5: 1.5 → 2, 3.5 → 3, and 2.5 (the middle itself) → the lower, 2.
		{"even scale, half below", fourScale(), []Code{"d", "c"}, "c", true, 2},
		{"even scale, half above", fourScale(), []Code{"b", "a"}, "b", true, 2},
		{"even scale, tie at the middle goes lower", fourScale(), []Code{"c", "b"}, "c", true, 2},
		{"even scale, uncounted", fourScale(), []Code{"x", "a", "x"}, "a", false, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := Distribute(c.scale, c.ratings...)
			if d.Suggested != c.want || d.Half != c.half || d.Rated != c.rated {
				t.Fatalf("Distribute(%v) = suggested %q half %v rated %d, want %q %v %d",
					c.ratings, d.Suggested, d.Half, d.Rated, c.want, c.half, c.rated)
			}
			// Rated + Uncounted + Other accounts for every rating given.
			n := 0
			for _, r := range c.ratings {
				if r != "" {
					n++
				}
			}
			if d.Total() != n {
				t.Fatalf("Total = %d, want %d (rated %d, uncounted %d, other %d)", d.Total(), n, d.Rated, d.Uncounted, d.Other)
			}
		})
	}
}

func TestDistributionCounts(t *testing.T) {
	d := Distribute(ReadinessScale(), Green, Red, Green, DontKnow, "purple", Amber, Green)
	var got []int
	var codes []Code
	for _, sc := range d.Steps {
		got = append(got, sc.Count)
		codes = append(codes, sc.Step.Code)
	}
	if want := []Code{Red, AmberRed, Amber, AmberGreen, Green, NotAssessed, DontKnow}; !slices.Equal(codes, want) {
		t.Fatalf("steps %v, want the scale's order %v", codes, want)
	}
	if want := []int{1, 0, 1, 0, 3, 0, 1}; !slices.Equal(got, want) {
		t.Fatalf("counts %v, want %v", got, want)
	}
	if d.Rated != 5 || d.Uncounted != 1 || d.Other != 1 {
		t.Fatalf("rated %d uncounted %d other %d, want 5 1 1", d.Rated, d.Uncounted, d.Other)
	}
	// Five counted: Red, Amber, Green, Green, Green: the third is Green.
	if d.Suggested != Green || d.Half {
		t.Fatalf("suggested %q half %v, want green, not a half", d.Suggested, d.Half)
	}
}

// The tally's median equals the median of the sorted list, for every small multiset.
func TestTallyMedianMatchesSortedList(t *testing.T) {
	sc := ReadinessScale()
	counted := sc.Counted()
	var rec func(prefix []int, depth int)
	rec = func(prefix []int, depth int) {
		if len(prefix) > 0 {
			var codes []Code
			for _, p := range prefix {
				codes = append(codes, counted[p-1].Code)
			}
			d := Distribute(sc, codes...)
			s := slices.Sorted(slices.Values(prefix))
			lo, hi := s[(len(s)-1)/2], s[len(s)/2]
			k, half := nearestStep(lo+hi, 2, len(counted))
			if d.Suggested != counted[k-1].Code || d.Half != half || half != ((lo+hi)%2 == 1) {
				t.Fatalf("%v: suggested %q half %v, want %q half %v", prefix, d.Suggested, d.Half, counted[k-1].Code, half)
			}
		}
		if depth == 0 {
			return
		}
		for p := 1; p <= len(counted); p++ {
			if len(prefix) > 0 && p < prefix[len(prefix)-1] {
				continue // multisets only
			}
			rec(append(slices.Clone(prefix), p), depth-1)
		}
	}
	rec(nil, 6)
}
