package survey

// Distribution is how many interviews chose each step of a scale for one question (or for
// one section's overall rating), and the rating they suggest.
//
// The suggestion is the median of the counted ratings: sort them by step, worst first, and
// take the middle one; with an even number whose two middle ratings differ, the median
// lies between two steps when they are an odd number of steps apart (Red and Amber/Red:
// 1.5) and goes to the step nearer the middle of the scale, as Questionnaire.Suggest
// rounds its halves (on a scale with an even number of steps, an exact tie at the middle
// goes to the lower step). Steps the scale marks Uncounted (not assessed, don't know,
// ODRA's "U", insufficient information) and codes the scale does not know are shown but
// never counted. It is a suggestion only: the assessment team decides; every place that
// shows it says so.
type Distribution struct {
	// Steps are the scale's steps in scale order (counted steps worst first, then the
	// uncounted ones), each with how many ratings chose it.
	Steps []StepCount
	// Rated counts the ratings on counted steps: the ones the median is taken from.
	Rated int
	// Uncounted counts the ratings on uncounted steps.
	Uncounted int
	// Other counts ratings whose code the scale does not know (a questionnaire that
	// changed after the answer); never counted.
	Other int
	// Suggested is the median step; empty when Rated is 0.
	Suggested Code
	// Half is true when the median fell between two steps and was moved to the step
	// nearer the middle of the scale.
	Half bool
}

// StepCount is one step of a scale and how many ratings chose it.
type StepCount struct {
	Step  Step
	Count int
}

// Total is every rating the distribution saw: counted, uncounted and unknown.
func (d Distribution) Total() int { return d.Rated + d.Uncounted + d.Other }

// Tally counts ratings on one scale, one at a time, so that a distribution over any number
// of interviews needs memory for the scale's steps only. The zero Tally is not usable:
// make one with NewTally.
type Tally struct {
	scale  *Scale
	counts []int
	other  int
}

// NewTally returns an empty tally on scale sc.
func NewTally(sc *Scale) *Tally {
	return &Tally{scale: sc, counts: make([]int, len(sc.Steps))}
}

// Add counts one rating; an empty code (no rating) is not a rating and is ignored.
func (t *Tally) Add(c Code) {
	if c == "" {
		return
	}
	for i, st := range t.scale.Steps {
		if st.Code == c {
			t.counts[i]++
			return
		}
	}
	t.other++
}

// Distribution returns the counts so far and the median they suggest.
func (t *Tally) Distribution() Distribution {
	d := Distribution{Steps: make([]StepCount, len(t.scale.Steps)), Other: t.other}
	// Positions 1..n of the counted steps, worst first, with their counts.
	var counted []int
	var codes []Code
	for i, st := range t.scale.Steps {
		d.Steps[i] = StepCount{Step: st, Count: t.counts[i]}
		if st.Uncounted {
			d.Uncounted += t.counts[i]
			continue
		}
		counted = append(counted, t.counts[i])
		codes = append(codes, st.Code)
		d.Rated += t.counts[i]
	}
	if d.Rated == 0 {
		return d
	}
	// The positions of the two middle ratings (equal when Rated is odd).
	lo, hi := nth(counted, (d.Rated-1)/2), nth(counted, d.Rated/2)
	k, half := nearestStep(lo+hi, 2, len(counted))
	d.Suggested, d.Half = codes[k-1], half
	return d
}

// Distribute is the distribution of ratings on scale sc.
func Distribute(sc *Scale, ratings ...Code) Distribution {
	t := NewTally(sc)
	for _, c := range ratings {
		t.Add(c)
	}
	return t.Distribution()
}

// nth returns the position (1-based) of the i-th rating (0-based) when the ratings are
// sorted worst first; counts[p-1] is how many ratings are at position p.
func nth(counts []int, i int) int {
	for p, c := range counts {
		if i < c {
			return p + 1
		}
		i -= c
	}
	return len(counts)
}

// nearestStep rounds the position num/den (1 = worst step of n) to the nearest step;
// exactly half way between two steps it goes towards the middle step, (n+1)/2, and an
// exact tie at the middle of an even scale goes to the lower step. half reports that the
// position was half way. num and den are positive.
func nearestStep(num, den, n int) (k int, half bool) {
	k = num / den // floor: positions are positive
	r := num - k*den
	switch {
	case 2*r < den:
	case 2*r > den:
		k++
	default:
		// Half way between k and k+1: compare twice the position, 2k+1, with twice the
		// middle, n+1.
		half = true
		if 2*k+1 < n+1 {
			k++
		}
	}
	return min(max(k, 1), n), half
}
