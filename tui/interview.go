package tui

import (
	"fmt"
	"sync"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/tui/session"
)

// plan is what the screens precompute once per questionnaire: question order, positions,
// sections, and which questions' relevance depends on which answers.
type plan struct {
	q        *survey.Questionnaire
	order    []*survey.Question
	index    map[string]int // question id → position in order
	secOf    []int          // position → section index
	secStart []int          // section index → first position
	secEnd   []int          // section index → one past the last position
	secIndex map[string]int // section id → section index
	// dependents maps a question id to the positions whose relevance reads its answer.
	dependents map[string][]int
	// checkDeps maps a question id to the positions whose constraint reads its answer.
	checkDeps map[string][]int
	// conditional lists the positions that have a relevance expression.
	conditional []int
}

var plans sync.Map // *survey.Questionnaire → *plan

func planOf(q *survey.Questionnaire) *plan {
	if p, ok := plans.Load(q); ok {
		return p.(*plan)
	}
	p := &plan{q: q, index: map[string]int{}, secIndex: map[string]int{}, dependents: map[string][]int{}, checkDeps: map[string][]int{}}
	for si, s := range q.Sections {
		p.secIndex[s.ID] = si
		p.secStart = append(p.secStart, len(p.order))
		for _, qu := range s.Questions {
			p.index[qu.ID] = len(p.order)
			p.secOf = append(p.secOf, si)
			p.order = append(p.order, qu)
		}
		p.secEnd = append(p.secEnd, len(p.order))
	}
	for i, qu := range p.order {
		if qu.Constraint != "" {
			if e, err := survey.CompileExpr(qu.Constraint); err == nil {
				for _, ref := range e.Refs {
					if ref != qu.ID {
						p.checkDeps[ref] = append(p.checkDeps[ref], i)
					}
				}
			}
		}
		if qu.Relevant == "" {
			continue
		}
		p.conditional = append(p.conditional, i)
		e, err := survey.CompileExpr(qu.Relevant)
		if err != nil {
			continue // Relevant treats a broken expression as "asked"
		}
		for _, ref := range e.Refs {
			p.dependents[ref] = append(p.dependents[ref], i)
		}
	}
	plans.Store(q, p)
	return p
}

// interview is the open interview shared by the question, sections, summary and review
// screens: the questionnaire, the current state (updated as soon as a change is queued, so
// the screens never wait for the disk), and cached relevance and progress.
type interview struct {
	*plan
	st       *survey.InterviewState
	relevant []bool
	// state caches each position's survey.AnswerState: answered, unanswered, or a value that
	// needs attention (kept, but not counted as answered).
	state     []survey.AnswerStatus
	answered  int
	attention int
	total     int
	secAns    []int
	secAtt    []int
	secTot    []int
}

func newInterview(q *survey.Questionnaire, st *survey.InterviewState) *interview {
	iv := &interview{plan: planOf(q), st: st}
	if iv.st.Answers == nil {
		iv.st.Answers = survey.Answers{}
	}
	if iv.st.Sections == nil {
		iv.st.Sections = map[string]survey.SectionSummary{}
	}
	iv.relevant = make([]bool, len(iv.order))
	for i := range iv.relevant {
		iv.relevant[i] = true
	}
	for _, i := range iv.conditional {
		iv.relevant[i] = q.Relevant(iv.order[i], iv.st.Answers)
	}
	iv.state = make([]survey.AnswerStatus, len(iv.order))
	for i, qu := range iv.order {
		if a, ok := iv.st.Answers[qu.ID]; ok && a.HasValue() {
			iv.state[i] = q.AnswerState(qu, iv.st.Answers)
		}
	}
	iv.count()
	return iv
}

// editable reports whether the assessor may change the interview now.
func (iv *interview) editable() bool { return session.Editable(iv.st.Status.Status) }

// count recomputes progress from the relevance and answer-state caches.
func (iv *interview) count() {
	iv.answered, iv.attention, iv.total = 0, 0, 0
	iv.secAns = make([]int, len(iv.q.Sections))
	iv.secAtt = make([]int, len(iv.q.Sections))
	iv.secTot = make([]int, len(iv.q.Sections))
	for i := range iv.order {
		if !iv.relevant[i] {
			continue
		}
		si := iv.secOf[i]
		iv.total++
		iv.secTot[si]++
		switch iv.state[i] {
		case survey.AnswerOK:
			iv.answered++
			iv.secAns[si]++
		case survey.AnswerNeedsAttention:
			iv.attention++
			iv.secAtt[si]++
		}
	}
}

// recheck refreshes the answer state of position i.
func (iv *interview) recheck(i int) {
	iv.state[i] = iv.q.AnswerState(iv.order[i], iv.st.Answers)
}

// setAnswer records a in the in-memory state and refreshes what depends on it: the
// relevance of the questions whose expressions read it, and the progress counts.
func (iv *interview) setAnswer(qid string, a survey.Answer) {
	old := iv.st.Answers[qid]
	if a.IsEmpty() {
		delete(iv.st.Answers, qid)
	} else {
		iv.st.Answers[qid] = a
	}
	// Its own state may change with any part of it (the evidence rule reads the evidence).
	if i, ok := iv.index[qid]; ok {
		iv.recheck(i)
	}
	if old.HasValue() == a.HasValue() && old.Rating == a.Rating && sameValue(old.Value, a.Value) {
		iv.count()
		return // only comment, evidence or probes changed: relevance does not move
	}
	for _, i := range iv.dependents[qid] {
		iv.relevant[i] = iv.q.Relevant(iv.order[i], iv.st.Answers)
		iv.recheck(i)
	}
	for _, i := range iv.checkDeps[qid] {
		iv.recheck(i)
	}
	iv.count()
}

func sameValue(a, b any) bool {
	switch x := a.(type) {
	case []string:
		y, ok := b.([]string)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if x[i] != y[i] {
				return false
			}
		}
		return true
	case nil, string, float64, bool:
		return a == b
	}
	return false
}

// next returns the next relevant position after i in the same section, or -1.
func (iv *interview) nextIn(i int) int {
	si := iv.secOf[i]
	for j := i + 1; j < iv.secEnd[si]; j++ {
		if iv.relevant[j] {
			return j
		}
	}
	return -1
}

// prevIn returns the previous relevant position before i in the same section, or -1.
func (iv *interview) prevIn(i int) int {
	si := iv.secOf[i]
	for j := i - 1; j >= iv.secStart[si]; j-- {
		if iv.relevant[j] {
			return j
		}
	}
	return -1
}

// firstIn returns the first relevant position of section si, or -1.
func (iv *interview) firstIn(si int) int {
	for j := iv.secStart[si]; j < iv.secEnd[si]; j++ {
		if iv.relevant[j] {
			return j
		}
	}
	return -1
}

// lastIn returns the last relevant position of section si, or -1.
func (iv *interview) lastIn(si int) int {
	for j := iv.secEnd[si] - 1; j >= iv.secStart[si]; j-- {
		if iv.relevant[j] {
			return j
		}
	}
	return -1
}

// nextUnanswered returns the first relevant position after i (wrapping) that is unanswered
// or whose answer needs attention, or -1.
func (iv *interview) nextUnanswered(i int) int {
	n := len(iv.order)
	for k := 1; k <= n; k++ {
		j := (i + k) % n
		if !iv.relevant[j] {
			continue
		}
		if iv.state[j] != survey.AnswerOK { // unanswered, or a value that needs attention
			return j
		}
	}
	return -1
}

// position returns the 1-based number of relevant position i among relevant questions.
func (iv *interview) position(i int) int {
	n := 0
	for j := 0; j <= i && j < len(iv.relevant); j++ {
		if iv.relevant[j] {
			n++
		}
	}
	return n
}

// answer returns the current answer of question qid.
func (iv *interview) answer(qid string) survey.Answer { return iv.st.Answers[qid] }

// progressText is "N/M answered", with "· K need attention" when some answers fail their
// checks, in the user's language.
func progressText(c *shared, answered, attention, total int) string {
	out := fmt.Sprintf(c.t("%d/%d answered", "đã trả lời %d/%d"), answered, total)
	if attention > 0 {
		out += " · " + fmt.Sprintf(c.t("%d need attention", "%d cần xem lại"), attention)
	}
	return out
}
