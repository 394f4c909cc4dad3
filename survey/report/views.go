package report

import (
	"fmt"
	"slices"
	"strings"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// The views across interviews. An Overview is the province × section grid of the
// assessors' confirmed overall section ratings; a Distributions is, per question, how the
// interviews rated it and the rating they suggest. Both are built one interview at a time
// (an OverviewBuilder from summaries, a DistributionBuilder from states), so that they
// need memory for their counts only, however many interviews there are.

// StepInfo describes a step of a rating scale in the report language.
type StepInfo struct {
	Code   survey.Code `json:"code"`
	Label  string      `json:"label"`
	Symbol string      `json:"symbol,omitempty"`
	Color  string      `json:"color,omitempty"`
	// Counted is false for steps that never count (not assessed, don't know, "U").
	Counted bool `json:"counted"`
}

func stepInfo(st survey.Step, lang string) StepInfo {
	return StepInfo{Code: st.Code, Label: st.Label.Get(lang), Symbol: st.Symbol, Color: st.Color, Counted: !st.Uncounted}
}

// RatingCount is a step and how many interviews chose it.
type RatingCount struct {
	StepInfo
	Count int `json:"count"`
}

// StatusCount is how many interviews have a status.
type StatusCount struct {
	Status survey.Status `json:"status"`
	Label  string        `json:"label"`
	Count  int           `json:"count"`
}

// statusCounts returns the non-zero counts of n in life order, unknown statuses last.
func statusCounts(n map[survey.Status]int, lang string) []StatusCount {
	out := []StatusCount{}
	for _, s := range survey.Statuses {
		if n[s] > 0 {
			out = append(out, StatusCount{Status: s, Label: s.Label().Get(lang), Count: n[s]})
		}
	}
	var other []survey.Status
	for s := range n {
		if !s.Valid() && n[s] > 0 {
			other = append(other, s)
		}
	}
	slices.Sort(other)
	for _, s := range other {
		out = append(out, StatusCount{Status: s, Label: s.Label().Get(lang), Count: n[s]})
	}
	return out
}

// SectionHead is a section of a view: its id and title.
type SectionHead struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// Overview is the province × section grid of one questionnaire's interviews: in each
// cell, how many interviews of the province had their overall section rating confirmed at
// each step, and how many have none confirmed. Only the assessors' confirmed ratings
// count: a suggestion is not a rating.
type Overview struct {
	Questionnaire string        `json:"questionnaire"`
	Version       string        `json:"version"`
	Title         string        `json:"title"`
	Lang          string        `json:"lang"`
	Sections      []SectionHead `json:"sections"`
	// Steps is the legend: the steps of the sections' scales, in scale order.
	Steps []StepInfo `json:"steps"`
	// Rows are the provinces (or ministries), in Vietnamese alphabetical order.
	Rows []OverviewRow `json:"rows"`
	// Total is every province together.
	Total OverviewRow `json:"total"`
}

// OverviewRow is one province of an Overview (or, as Total, all of them).
type OverviewRow struct {
	Province   string        `json:"province"`
	Interviews int           `json:"interviews"`
	Statuses   []StatusCount `json:"statuses"`
	// Cells are the sections, in Overview.Sections' order.
	Cells []OverviewCell `json:"cells"`
}

// OverviewCell is one province × section: the confirmed ratings, in scale order (zero
// counts left out), and how many interviews have no confirmed rating.
type OverviewCell struct {
	Section string        `json:"section"`
	Ratings []RatingCount `json:"ratings"`
	Unrated int           `json:"unrated"`
}

// OverviewBuilder builds an Overview from interview summaries, one at a time.
type OverviewBuilder struct {
	q        *survey.Questionnaire
	sections []*survey.Section
	lang     string
	rows     map[string]*overviewAcc // by folded province
	total    *overviewAcc
}

type overviewAcc struct {
	names    map[string]int // the spellings seen (NFC), how often
	n        int
	statuses map[survey.Status]int
	cells    []map[survey.Code]int // per section
	unrated  []int
}

func newOverviewAcc(sections int) *overviewAcc {
	a := &overviewAcc{names: map[string]int{}, statuses: map[survey.Status]int{}, cells: make([]map[survey.Code]int, sections), unrated: make([]int, sections)}
	for i := range a.cells {
		a.cells[i] = map[survey.Code]int{}
	}
	return a
}

// name is the spelling of a province to show: the most used, then the one with the most
// accents ("Đà Nẵng" rather than "Da Nang"), then the first in Vietnamese order.
func (a *overviewAcc) name(col *collate.Collator) string {
	accents := func(s string) int {
		n := 0
		f := []rune(survey.FoldText(s))
		for i, r := range []rune(s) {
			if i >= len(f) || f[i] != r {
				n++
			}
		}
		return n
	}
	best := ""
	for s, n := range a.names {
		switch m := a.names[best]; {
		case best == "" && m == 0, n > m:
			best = s
		case n == m:
			if ab, as := accents(best), accents(s); as > ab || (as == ab && col.CompareString(s, best) < 0) {
				best = s
			}
		}
	}
	return best
}

// NewOverviewBuilder checks the options (language, sections) and returns an empty
// builder for questionnaire q.
func NewOverviewBuilder(q *survey.Questionnaire, o Options) (*OverviewBuilder, error) {
	b, err := NewBuilder(q, o)
	if err != nil {
		return nil, err
	}
	// The grid is of overall ratings: a section with overall: false has none to count.
	var secs []*survey.Section
	for _, s := range b.sections {
		if s.HasOverall() {
			secs = append(secs, s)
		}
	}
	return &OverviewBuilder{q: q, sections: secs, lang: b.lang, rows: map[string]*overviewAcc{},
		total: newOverviewAcc(len(secs))}, nil
}

// Add counts one interview; one of another questionnaire is refused.
func (b *OverviewBuilder) Add(s survey.Summary) error {
	if s.Questionnaire != b.q.ID {
		return fmt.Errorf("build overview: interview %s uses questionnaire %q, not %s", s.ID, s.Questionnaire, b.q.ID)
	}
	name := survey.NFC(strings.TrimSpace(s.Province))
	key := strings.Join(strings.Fields(survey.FoldText(name)), " ")
	acc := b.rows[key]
	if acc == nil {
		acc = newOverviewAcc(len(b.sections))
		b.rows[key] = acc
	}
	acc.names[name]++
	for _, a := range []*overviewAcc{acc, b.total} {
		a.n++
		a.statuses[s.Status]++
		for i, sec := range b.sections {
			if c := s.Sections[sec.ID]; c != "" {
				a.cells[i][c]++
			} else {
				a.unrated[i]++
			}
		}
	}
	return nil
}

// Overview returns the grid of the interviews added so far.
func (b *OverviewBuilder) Overview() *Overview {
	lang := b.lang
	o := &Overview{Questionnaire: b.q.ID, Version: b.q.Version, Title: b.q.Title.Get(lang), Lang: lang,
		Sections: []SectionHead{}, Steps: []StepInfo{}, Rows: []OverviewRow{}}
	seen := map[survey.Code]bool{}
	for _, s := range b.sections {
		o.Sections = append(o.Sections, SectionHead{ID: s.ID, Title: s.Title.Get(lang)})
		for _, st := range b.q.SectionScale(s).Steps {
			if !seen[st.Code] {
				seen[st.Code] = true
				o.Steps = append(o.Steps, stepInfo(st, lang))
			}
		}
	}
	col := collate.New(language.Vietnamese)
	row := func(name string, a *overviewAcc) OverviewRow {
		r := OverviewRow{Province: name, Interviews: a.n, Statuses: statusCounts(a.statuses, lang), Cells: []OverviewCell{}}
		for i, s := range b.sections {
			cell := OverviewCell{Section: s.ID, Ratings: []RatingCount{}, Unrated: a.unrated[i]}
			sc := b.q.SectionScale(s)
			for _, st := range sc.Steps {
				if n := a.cells[i][st.Code]; n > 0 {
					cell.Ratings = append(cell.Ratings, RatingCount{StepInfo: stepInfo(st, lang), Count: n})
				}
			}
			// Codes the scale does not know (a questionnaire changed after the rating):
			// shown as themselves, never hidden.
			var other []survey.Code
			for c, n := range a.cells[i] {
				if _, ok := sc.Step(c); !ok && n > 0 {
					other = append(other, c)
				}
			}
			slices.Sort(other)
			for _, c := range other {
				cell.Ratings = append(cell.Ratings, RatingCount{StepInfo: StepInfo{Code: c, Label: string(c)}, Count: a.cells[i][c]})
			}
			r.Cells = append(r.Cells, cell)
		}
		return r
	}
	for _, a := range b.rows {
		name := a.name(col)
		if name == "" {
			name = word(lang, "unknownProvince")
		}
		o.Rows = append(o.Rows, row(name, a))
	}
	slices.SortFunc(o.Rows, func(x, y OverviewRow) int { return col.CompareString(x.Province, y.Province) })
	o.Total = row(word(lang, "allProvinces"), b.total)
	return o
}

// usedSteps are the steps of o.Steps that some cell counts: what a legend explains.
func (o *Overview) usedSteps() []StepInfo {
	used := map[survey.Code]bool{}
	for _, c := range o.Total.Cells {
		for _, r := range c.Ratings {
			used[r.Code] = true
		}
	}
	var out []StepInfo
	for _, s := range o.Steps {
		if used[s.Code] {
			out = append(out, s)
		}
	}
	return out
}

// Distributions is, for each rating question of a questionnaire (and each section's
// overall rating), how the interviews rated it: the counts over its scale, and the rating
// they suggest (their median, survey.Distribution) — a suggestion only; the team decides.
type Distributions struct {
	Questionnaire string        `json:"questionnaire"`
	Version       string        `json:"version"`
	Title         string        `json:"title"`
	Lang          string        `json:"lang"`
	Interviews    int           `json:"interviews"`
	Statuses      []StatusCount `json:"statuses"`
	Sections      []DistSection `json:"sections"`
}

// DistSection is the distributions of one section's rating questions and of its overall
// rating (the assessors' confirmed ones).
type DistSection struct {
	ID        string         `json:"id"`
	Title     string         `json:"title"`
	Questions []Distribution `json:"questions"`
	Overall   Distribution   `json:"overall"`
}

// Distribution is how the interviews rated one question (or, Question empty, a section
// overall).
type Distribution struct {
	Question   string            `json:"question,omitempty"`
	Text       string            `json:"text,omitempty"`
	Importance survey.Importance `json:"importance,omitempty"`
	// Steps are the question's scale, in scale order, each with its count.
	Steps []RatingCount `json:"steps"`
	// Rated counts the ratings the suggestion is drawn from (counted steps); Uncounted
	// those on steps that never count; Other codes the scale does not know; NotRated the
	// interviews that were asked the question (skip logic) but hold no rating.
	Rated     int `json:"rated"`
	Uncounted int `json:"uncounted"`
	Other     int `json:"other"`
	NotRated  int `json:"not_rated"`
	// Suggested is the median step, nil when nothing counted; Half says the median fell
	// between two steps and went to the one nearer the middle of the scale.
	Suggested *StepInfo `json:"suggested,omitempty"`
	Half      bool      `json:"half,omitempty"`
}

// DistributionBuilder builds Distributions from interview states, one at a time.
type DistributionBuilder struct {
	q          *survey.Questionnaire
	sections   []*survey.Section
	lang       string
	interviews int
	statuses   map[survey.Status]int
	acc        []distSectionAcc
}

type distSectionAcc struct {
	questions []*survey.Question
	tallies   []*survey.Tally
	notRated  []int
	overall   *survey.Tally
	overallNR int
}

func hasRating(s *survey.Section) bool {
	for _, qu := range s.Questions {
		if qu.Type == survey.TypeRating {
			return true
		}
	}
	return false
}

// NewDistributionBuilder checks the options (language, sections) and returns an empty
// builder for questionnaire q.
func NewDistributionBuilder(q *survey.Questionnaire, o Options) (*DistributionBuilder, error) {
	b, err := NewBuilder(q, o)
	if err != nil {
		return nil, err
	}
	d := &DistributionBuilder{q: q, lang: b.lang, statuses: map[survey.Status]int{}}
	for _, s := range b.sections {
		if !s.HasOverall() && !hasRating(s) {
			continue // a plain section (overall: false, no rating question): nothing to count
		}
		d.sections = append(d.sections, s)
		var a distSectionAcc
		for _, qu := range s.Questions {
			if qu.Type != survey.TypeRating {
				continue
			}
			a.questions = append(a.questions, qu)
			a.tallies = append(a.tallies, survey.NewTally(q.ScaleOf(qu)))
		}
		a.notRated = make([]int, len(a.questions))
		a.overall = survey.NewTally(q.SectionScale(s))
		d.acc = append(d.acc, a)
	}
	return d, nil
}

// Add counts one interview; one of another questionnaire is refused. A question hidden
// by skip logic is not counted at all; one asked but not rated counts as not rated.
func (d *DistributionBuilder) Add(st *survey.InterviewState) error {
	if st.Meta.Questionnaire != d.q.ID {
		return fmt.Errorf("build distribution: interview %s uses questionnaire %q, not %s", st.ID, st.Meta.Questionnaire, d.q.ID)
	}
	d.interviews++
	d.statuses[st.Status.Status]++
	for i, s := range d.sections {
		a := &d.acc[i]
		for j, qu := range a.questions {
			if !d.q.Relevant(qu, st.Answers) {
				continue
			}
			if r := st.Answers[qu.ID].Rating; r != "" {
				a.tallies[j].Add(r)
			} else {
				a.notRated[j]++
			}
		}
		if r := st.Sections[s.ID].Rating; r != "" {
			a.overall.Add(r)
		} else {
			a.overallNR++
		}
	}
	return nil
}

// Distributions returns the distributions of the interviews added so far.
func (d *DistributionBuilder) Distributions() *Distributions {
	lang := d.lang
	out := &Distributions{Questionnaire: d.q.ID, Version: d.q.Version, Title: d.q.Title.Get(lang), Lang: lang,
		Interviews: d.interviews, Statuses: statusCounts(d.statuses, lang), Sections: []DistSection{}}
	for i, s := range d.sections {
		a := d.acc[i]
		ds := DistSection{ID: s.ID, Title: s.Title.Get(lang), Questions: []Distribution{}}
		for j, qu := range a.questions {
			dist := distribution(a.tallies[j].Distribution(), a.notRated[j], lang)
			dist.Question, dist.Text, dist.Importance = qu.ID, qu.Text.Get(lang), qu.Importance
			ds.Questions = append(ds.Questions, dist)
		}
		ds.Overall = distribution(a.overall.Distribution(), a.overallNR, lang)
		ds.Overall.Importance = s.Importance
		out.Sections = append(out.Sections, ds)
	}
	return out
}

func distribution(sd survey.Distribution, notRated int, lang string) Distribution {
	d := Distribution{Rated: sd.Rated, Uncounted: sd.Uncounted, Other: sd.Other, NotRated: notRated, Half: sd.Half,
		Steps: make([]RatingCount, len(sd.Steps))}
	for i, sc := range sd.Steps {
		d.Steps[i] = RatingCount{StepInfo: stepInfo(sc.Step, lang), Count: sc.Count}
		if sc.Step.Code == sd.Suggested {
			info := d.Steps[i].StepInfo
			d.Suggested = &info
		}
	}
	return d
}
