package report

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// AssessmentJSONFormat is the value of the format field of a JSON assessment report.
const AssessmentJSONFormat = "fieldsurvey-assessment-report/1"

// WriteAssessmentJSON writes r as one indented JSON document with a format field
// (AssessmentJSONFormat) and the stable field names of AssessmentReport; ratings are codes.
func WriteAssessmentJSON(w io.Writer, r *AssessmentReport) error {
	if r == nil {
		return errors.New("write json assessment report: no report")
	}
	doc := struct {
		Format string `json:"format"`
		*AssessmentReport
	}{AssessmentJSONFormat, r}
	f := &controlFilter{w: w, json: true} // control characters kept, escaped
	enc := json.NewEncoder(f)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write json assessment report: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write json assessment report: %w", err)
	}
	return nil
}

// AssessmentCSVHeader is the header row of a CSV assessment report: one row per rated
// question of each section (kind "question") followed by the section's overall row (kind
// "overall", question empty). rating is the team's rating code and label its label in the
// report language; rated counts the interviews whose rating counted, uncounted those that
// answered don't know or not assessed; counts lists code=count for every step chosen;
// median is the interviews' median (a suggestion, never the team's rating) and median_half
// "true" when it fell between two steps.
var AssessmentCSVHeader = []string{"assessment", "scope", "section", "kind", "question", "importance",
	"rating", "label", "remarks", "rated", "uncounted", "counts", "median", "median_half", "conflict"}

// WriteAssessmentCSV writes r as CSV (RFC 4180, UTF-8, header AssessmentCSVHeader).
func WriteAssessmentCSV(w io.Writer, r *AssessmentReport) error {
	if r == nil {
		return errors.New("write csv assessment report: no report")
	}
	cw := csv.NewWriter(w)
	write := func(rec []string) {
		for i, c := range rec {
			rec[i] = CellText(c, true) // no control characters, no formulas
		}
		cw.Write(rec)
	}
	write(slicesClone(AssessmentCSVHeader))
	b := strconv.FormatBool
	spread := func(sp Spread) []string {
		var cs []string
		for _, s := range sp.Steps {
			if s.Count > 0 {
				cs = append(cs, fmt.Sprintf("%s=%d", s.Code, s.Count))
			}
		}
		return []string{strconv.Itoa(sp.Rated), strconv.Itoa(sp.Uncounted), strings.Join(cs, " "), string(sp.Suggested), b(sp.Half)}
	}
	for _, s := range r.Sections {
		for _, row := range s.Rows {
			rec := []string{r.ID, r.Scope, s.ID, "question", row.Question, string(row.Importance),
				string(row.Rating), row.Label, row.Remarks}
			rec = append(rec, spread(row.Interviews)...)
			write(append(rec, b(row.Conflict)))
		}
		o := s.Overall
		if o == nil {
			continue // overall: false, no overall row
		}
		rec := []string{r.ID, r.Scope, s.ID, "overall", "", string(s.Importance), string(o.Rating), o.Label, o.Remarks}
		rec = append(rec, spread(s.OverallSpread())...)
		write(append(rec, b(o.Conflict)))
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv assessment report: %w", err)
	}
	return nil
}

// WriteAssessmentMarkdown writes r as markdown: the title block, the disclaimer, the texts,
// per section its analysis and the table Question | Rating | Remarks with the overall row,
// the key datasets, the conclusions, the action plan by phase and the annex. Text is escaped
// so that it cannot break a table or turn into markup.
func WriteAssessmentMarkdown(w io.Writer, r *AssessmentReport) error {
	if r == nil {
		return errors.New("write markdown assessment report: no report")
	}
	f := &controlFilter{w: w}
	bw := bufio.NewWriter(f)
	m := &amd{w: bw, lang: r.Lang}
	m.report(r)
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write markdown assessment report: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write markdown assessment report: %w", err)
	}
	return nil
}

type amd struct {
	w    *bufio.Writer
	lang string
}

func (m *amd) word(k string) string { return aword(m.lang, k) }
func (m *amd) line(s string)        { m.w.WriteString(s + "\n") }

// para writes a multi-line text as markdown paragraphs (blank lines kept, each line escaped).
func (m *amd) para(s string) {
	lines := strings.Split(strings.TrimSpace(clean(s)), "\n")
	for i, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" {
			m.line("")
			continue
		}
		// A line break inside a paragraph is kept (two spaces); a paragraph ends plainly.
		if i+1 < len(lines) && strings.TrimSpace(lines[i+1]) != "" {
			l = mdEscaper.Replace(l) + "  "
		} else {
			l = mdEscaper.Replace(l)
		}
		m.line(l)
	}
}

func (m *amd) titled(heading, text string) {
	if strings.TrimSpace(text) == "" {
		return
	}
	m.line("")
	m.line("## " + md(heading))
	m.line("")
	m.para(text)
}

func (m *amd) rating(tr TeamRating, strong bool) string {
	cell := "— *" + m.word("notRated") + "*"
	if tr.Rating != "" {
		cell = md(ratingText(tr.Symbol, tr.Label))
		if strong {
			cell = "**" + cell + "**"
		}
	}
	if tr.Conflict {
		cell += "<br>**! " + m.word("conflict") + "**"
	}
	return cell
}

func (m *amd) report(r *AssessmentReport) {
	m.line("# " + md(r.Title))
	m.line("")
	for _, f := range titleFacts(r) {
		m.line("- " + md(f))
	}
	m.line("")
	m.line("*" + md(m.word("judgement")) + "*")
	m.titled(m.word("disclaimer"), r.Disclaimer)
	m.titled(m.word("introduction"), r.Introduction)
	m.titled(m.word("summary"), r.Summary)
	for _, s := range r.Sections {
		m.line("")
		m.line("## " + md(assessHeading(s, m.lang)))
		if s.Analysis != "" {
			m.line("")
			m.para(s.Analysis)
		}
		if !s.HasTable() {
			continue
		}
		m.line("")
		m.line("| " + m.word("question") + " | " + m.word("rating") + " | " + m.word("remarks") + " |")
		m.line("| --- | --- | --- |")
		for _, row := range s.Rows {
			m.line("| " + md(teamQuestion(row, m.lang)) + " | " + m.rating(row.TeamRating, false) + " | " + md(row.Remarks) + " |")
		}
		if s.Overall != nil {
			m.line("| **" + m.word("overall") + "** | " + m.rating(*s.Overall, true) + " | " + md(s.Overall.Remarks) + " |")
		}
	}
	m.line("")
	m.line("## " + m.word("datasets"))
	m.line("")
	if len(r.Datasets) == 0 {
		m.line(m.word("noDatasets"))
	} else {
		m.line("| " + strings.Join([]string{m.word("dsAgency"), m.word("dsSource"), m.word("dsPublic"), m.word("dsService"),
			m.word("dsOpenness"), m.word("dsRemarks")}, " | ") + " |")
		m.line("| --- | --- | --- | --- | --- | --- |")
		for _, d := range r.Datasets {
			cells := []string{md(d.Agency), md(d.Source), yesNo(d.KeyForPublic, m.lang), yesNo(d.KeyToService, m.lang),
				md(d.OpennessText), md(d.Remarks)}
			if d.Conflict {
				cells[5] += "<br>**! " + m.word("conflict") + "**"
			}
			m.line("| " + strings.Join(cells, " | ") + " |")
		}
	}
	m.titled(m.word("conclusions"), r.Conclusions)
	m.line("")
	m.line("## " + m.word("actionPlan"))
	if len(r.Phases) == 0 {
		m.line("")
		m.line(m.word("noActions"))
	}
	for _, p := range r.Phases {
		m.line("")
		m.line("### " + md(phaseTitle(p, m.lang)))
		m.line("")
		m.line("| " + strings.Join([]string{m.word("action"), m.word("sectionsRef"), m.word("lead"), m.word("measure"), m.word("dependsOn")}, " | ") + " |")
		m.line("| --- | --- | --- | --- | --- |")
		for _, a := range p.Actions {
			act := "**" + md(a.ID) + "** " + md(a.Action)
			if a.Conflict {
				act += "<br>**! " + m.word("conflict") + "**"
			}
			m.line("| " + strings.Join([]string{act, md(sectionRefs(a.Sections)), md(a.Lead), md(a.Measure), md(strings.Join(a.DependsOn, ", "))}, " | ") + " |")
		}
	}
	m.line("")
	m.line("## " + m.word("annex"))
	m.line("")
	m.para(m.word("annexNote"))
	m.line("")
	if len(r.Interviews) == 0 {
		m.line(m.word("noInterviews"))
		return
	}
	m.line("| " + strings.Join([]string{m.word("agency"), m.word("province"), m.word("date"), m.word("assessor"), m.word("status")}, " | ") + " |")
	m.line("| --- | --- | --- | --- | --- |")
	for _, in := range r.Interviews {
		m.line("| " + strings.Join([]string{md(in.Agency), md(in.Province), md(in.Date), md(in.Assessor), md(in.StatusLabel)}, " | ") + " |")
	}
	for _, s := range r.Sections {
		if !s.HasTable() {
			continue
		}
		m.line("")
		m.line("### " + md(s.ID+". "+s.Title))
		m.line("")
		m.line("| " + m.word("question") + " | " + m.word("ratedBy") + " | " + m.word("distribution") + " | " + m.word("suggestedCol") + " |")
		m.line("| --- | --- | --- | --- |")
		for _, row := range s.Rows {
			m.line("| " + md(row.Question) + " | " + strconv.Itoa(row.Interviews.Rated) + " | " + md(counts(row.Interviews, m.lang)) + " | " + md(medianCell(row.Interviews)) + " |")
		}
		if sp := s.Interviews; sp != nil {
			m.line("| **" + m.word("overall") + "** | " + strconv.Itoa(sp.Rated) + " | " + md(counts(*sp, m.lang)) + " | " + md(medianCell(*sp)) + " |")
		}
	}
}

// titleFacts are the lines of the title block.
func titleFacts(r *AssessmentReport) []string {
	l := r.Lang
	out := []string{
		aword(l, "scope") + ": " + r.ScopeLabel,
		aword(l, "questionnaire") + ": " + r.QuestionnaireTitle + " (" + r.Questionnaire + ", " + aword(l, "version") + " " + r.Version + ")",
	}
	fw := aword(l, "noFieldwork")
	if r.FieldworkFrom != "" {
		fw = r.FieldworkFrom
		if r.FieldworkTo != r.FieldworkFrom {
			fw += " – " + r.FieldworkTo
		}
	}
	out = append(out, aword(l, "fieldwork")+": "+fw)
	if len(r.Team) > 0 {
		out = append(out, aword(l, "team")+": "+strings.Join(r.Team, ", "))
	}
	out = append(out, fmt.Sprintf("%s: %d (%s: %s)", aword(l, "counted"), len(r.Interviews), aword(l, "statuses"), includeText(r.Include, l)))
	return out
}

func assessHeading(s AssessmentSection, lang string) string {
	h := s.ID + ". " + s.Title
	if s.Importance != "" {
		h += " (" + aword(lang, "importance") + ": " + s.Importance.Label().Get(lang) + ")"
	}
	return h
}

func teamQuestion(row TeamRow, lang string) string {
	s := row.Question + " " + row.Text
	if row.Importance != "" {
		s += " (" + row.Importance.Label().Get(lang) + ")"
	}
	return s
}

func phaseTitle(p Phase, lang string) string {
	if p.Phase == "" {
		return aword(lang, "noPhase")
	}
	return aword(lang, "phase") + ": " + p.Phase
}

func sectionRefs(refs []SectionRef) string {
	out := make([]string, len(refs))
	for i, r := range refs {
		out[i] = r.ID + ". " + r.Title
	}
	return strings.Join(out, "; ")
}

// medianCell is the interviews' median as symbol and label, with "½" when it fell half
// way; empty when no interview rated.
func medianCell(sp Spread) string {
	if sp.Suggested == "" {
		return "—"
	}
	s := ratingText(sp.SuggestedSymbol, sp.SuggestedLabel)
	if sp.Half {
		s += " (½)"
	}
	return s
}

func slicesClone(s []string) []string { return append([]string(nil), s...) }
