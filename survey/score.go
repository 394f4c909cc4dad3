package survey

// Suggestion is the suggested overall rating of a section.
type Suggestion struct {
	Rating Code
	// Rated counts the questions whose rating counted; Weight is the sum of their weights.
	Rated  int
	Weight int
	// Mean is the importance-weighted mean position on the counted steps (1 = worst).
	Mean float64
}

// Suggest returns the suggested overall rating of section s: map the section's scale to
// positions 1..n (worst first), take the importance-weighted mean of the rated questions
// (Very High 4, High 3, Medium High 2, Medium 1, none 1), and round to the nearest step,
// halves towards the middle step (an exact tie on an even scale goes to the lower step).
// Uncounted ratings (not assessed, don't know), unrated and irrelevant questions, and
// questions on another scale, do not count. ok is false when nothing counted. The assessor
// always has the last word: this is a suggestion, never a score by counting.
func (q *Questionnaire) Suggest(s *Section, all Answers) (sg Suggestion, ok bool) {
	sc := q.SectionScale(s)
	pos := map[Code]int{}
	for i, st := range sc.Counted() {
		pos[st.Code] = i + 1
	}
	n := len(pos)
	var sum, w int
	for _, qu := range s.Questions {
		if qu.Type != TypeRating || q.ScaleOf(qu).ID != sc.ID || !q.Relevant(qu, all) {
			continue
		}
		a, has := all[qu.ID]
		if !has {
			continue
		}
		p, counted := pos[a.Rating]
		if !counted {
			continue
		}
		wt := qu.Importance.Weight()
		sum += wt * p
		w += wt
		sg.Rated++
	}
	if w == 0 || n == 0 {
		return Suggestion{}, false
	}
	sg.Weight = w
	sg.Mean = float64(sum) / float64(w)
	k, _ := nearestStep(sum, w, n)
	sg.Rating = sc.Counted()[k-1].Code
	return sg, true
}
