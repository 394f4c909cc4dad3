package report

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
)

// WriteAssessmentText writes r for a terminal, width columns wide: per section and question
// the team's rating and remarks, and beside them what the interviews in scope say — how many
// rated it, the count of each step with a bar, their median (marked as a suggestion only),
// and their evidence and comments, each with its interview's agency and province. Then the
// key datasets and the action plan. This is the working view of `assessment show`; the
// published report is WriteAssessmentHTML and the others. style, when not nil, colours
// the steps of the distributions. Text from the assessment and the interviews has its
// control characters dropped.
func WriteAssessmentText(w io.Writer, r *AssessmentReport, style Styler, width int) error {
	if r == nil {
		return errors.New("write text assessment: no report")
	}
	if width <= 0 {
		width = DefaultTextWidth
	}
	if width < MinTextWidth {
		return fmt.Errorf("write text assessment: width %d is too narrow: use at least %d columns", width, MinTextWidth)
	}
	// The styler's colour codes pass; the team's and the interviews' text goes through clean
	// (wrap) before it is laid out.
	bw := bufio.NewWriter(w)
	t := &atext{w: bw, lang: r.Lang, style: style, width: width}
	t.report(r)
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write text assessment: %w", err)
	}
	return nil
}

type atext struct {
	w     *bufio.Writer
	lang  string
	style Styler
	width int
}

func (t *atext) word(k string) string { return aword(t.lang, k) }
func (t *atext) line(s string)        { t.w.WriteString(strings.TrimRight(s, " ") + "\n") }

// para writes s wrapped at the width, the first line after prefix, the others indented to
// the prefix's width.
func (t *atext) para(indent int, prefix, s string) {
	pw := displayWidth(prefix)
	lines := wrap(s, max(10, t.width-indent-pw))
	if len(lines) == 0 {
		lines = []string{""}
	}
	for i, l := range lines {
		if i == 0 {
			t.line(strings.Repeat(" ", indent) + prefix + l)
			continue
		}
		t.line(strings.Repeat(" ", indent+pw) + l)
	}
}

// team is the team's rating and remarks as one text to wrap; it is not coloured, since
// wrapping cleans control characters (the distribution lines below it are).
func (t *atext) team(tr TeamRating) string {
	s := "— " + t.word("notRated")
	if tr.Rating != "" {
		s = ratingText(tr.Symbol, tr.Label)
	}
	if tr.Remarks != "" {
		s += " — " + tr.Remarks
	}
	if tr.Conflict {
		s += " [! " + t.word("conflict") + "]"
	}
	return s
}

func (t *atext) spread(indent int, sp Spread) {
	head := fmt.Sprintf("%s: %d %s", t.word("interviews"), sp.Rated, t.word("rated"))
	if sp.Uncounted > 0 {
		head += fmt.Sprintf(" (+%d %s)", sp.Uncounted, t.word("notCounted"))
	}
	t.para(indent, "", head)
	if sp.Rated+sp.Uncounted > 0 {
		lw := 0
		for _, s := range sp.Steps {
			lw = max(lw, displayWidth(ratingText(s.Symbol, s.Label)))
		}
		for _, s := range sp.Steps {
			if s.Count == 0 {
				continue
			}
			label := pad(ratingText(s.Symbol, s.Label), lw)
			if t.style != nil {
				label = t.style(s.Code, label)
			}
			t.line(fmt.Sprintf("%s  %s %2d %s", strings.Repeat(" ", indent), label, s.Count, strings.Repeat("█", min(s.Count, 30))))
		}
	}
	if s := suggestion(sp, t.lang); s != "" {
		t.para(indent+2, "→ ", s)
	}
	for _, e := range sp.Evidence {
		s := e.Text
		if e.Source != "" {
			s += " (" + t.word("source") + ": " + e.Source + ")"
		}
		if !e.InScope {
			s += " [" + t.word("outOfScope")
			if e.Note != "" {
				s += ": " + e.Note
			}
			s += "]"
		}
		t.para(indent+2, polarity(e.Polarity)+" ", s+" — "+whereFrom(e))
	}
	for _, c := range sp.Comments {
		t.para(indent+2, "» ", c.Text+" — "+whereFrom(c))
	}
}

func whereFrom(p Pooled) string {
	s := p.Agency
	if p.Province != "" {
		if s != "" {
			s += ", "
		}
		s += p.Province
	}
	return s
}

func (t *atext) heading(s, ch string) {
	for _, l := range wrap(s, t.width) {
		t.line(l)
	}
	t.line(strings.Repeat(ch, min(t.width, displayWidth(s))))
}

func (t *atext) report(r *AssessmentReport) {
	t.heading(r.Title, "=")
	for _, f := range titleFacts(r) {
		t.para(0, "", f)
	}
	t.para(0, "", t.word("judgement"))
	for _, s := range r.Sections {
		t.line("")
		t.heading(assessHeading(s, t.lang), "-")
		if s.Analysis != "" {
			t.para(0, t.word("analysis")+": ", s.Analysis)
		}
		for _, row := range s.Rows {
			t.line("")
			t.para(0, "", teamQuestion(row, t.lang))
			t.para(2, t.word("teamRating")+": ", t.team(row.TeamRating))
			t.spread(2, row.Interviews)
		}
		if s.Overall != nil {
			t.line("")
			t.para(0, t.word("overall")+": ", t.team(*s.Overall))
			t.spread(2, s.OverallSpread())
		}
	}
	t.line("")
	t.heading(t.word("datasets"), "-")
	if len(r.Datasets) == 0 {
		t.line(t.word("noDatasets"))
	}
	for _, d := range r.Datasets {
		s := fmt.Sprintf("%s — %s; %s: %s; %s: %s; %s: %s", d.Agency, d.Source, t.word("dsPublic"), yesNo(d.KeyForPublic, t.lang),
			t.word("dsService"), yesNo(d.KeyToService, t.lang), t.word("dsOpenness"), d.OpennessText)
		if d.Remarks != "" {
			s += "; " + d.Remarks
		}
		t.para(0, d.ID+" ", s)
	}
	t.line("")
	t.heading(t.word("actionPlan"), "-")
	if len(r.Phases) == 0 {
		t.line(t.word("noActions"))
	}
	for _, p := range r.Phases {
		t.line(phaseTitle(p, t.lang))
		for _, a := range p.Actions {
			t.para(2, a.ID+" ", a.Action)
			if a.Lead != "" {
				t.para(4, t.word("lead")+": ", a.Lead)
			}
			if a.Measure != "" {
				t.para(4, t.word("measure")+": ", a.Measure)
			}
			if len(a.Sections) > 0 {
				t.para(4, t.word("sectionsRef")+": ", sectionRefs(a.Sections))
			}
			if len(a.DependsOn) > 0 {
				t.para(4, t.word("dependsOn")+": ", strings.Join(a.DependsOn, ", "))
			}
		}
	}
}
