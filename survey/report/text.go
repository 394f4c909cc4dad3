package report

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// Styler decorates a rating for a terminal (colour, bold) and returns it. It receives the
// rating's code and the text shown for it (its symbol and label) and must not change the
// visible text: only add escape sequences around it. A nil Styler writes plain text.
type Styler func(code survey.Code, label string) string

// DefaultTextWidth is the width WriteText uses when given zero or less.
const DefaultTextWidth = 80

// MinTextWidth is the narrowest width WriteText accepts.
const MinTextWidth = 40

// WriteText writes r as aligned plain-text tables for a terminal, width columns wide
// (DefaultTextWidth when width <= 0). Every line of a table has exactly the same display
// width, Vietnamese diacritics included; long texts wrap inside their column. Every rating
// shows its symbol and label, so the table reads without colour; style, when not nil,
// colours them.
func WriteText(w io.Writer, r *Report, style Styler, width int) error {
	if r == nil {
		return errors.New("write text report: no report")
	}
	if width <= 0 {
		width = DefaultTextWidth
	}
	if width < MinTextWidth {
		return fmt.Errorf("write text report: width %d is too narrow: use at least %d columns", width, MinTextWidth)
	}
	bw := bufio.NewWriter(w)
	t := &textWriter{w: bw, r: r, lang: r.Lang, style: style, width: width}
	t.report()
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write text report: %w", err)
	}
	return nil
}

type textWriter struct {
	w     *bufio.Writer
	r     *Report
	lang  string
	style Styler
	width int
	cols  [3]int // question, rating, comment
}

// span is a piece of a table cell; a rating span (code set) goes through the Styler.
type span struct {
	text   string
	code   survey.Code
	rating bool
}

type cellLine struct {
	text   string
	code   survey.Code
	rating bool
}

func (t *textWriter) word(key string) string { return word(t.lang, key) }

func (t *textWriter) line(s string) { t.w.WriteString(s + "\n") }

// para writes s wrapped to the page width, each line after the first indented by indent
// more columns than the first.
func (t *textWriter) para(s string, first, indent int) {
	lines := wrap(s, t.width-first-indent)
	for i, l := range lines {
		if i == 0 {
			t.line(strings.Repeat(" ", first) + l)
			continue
		}
		t.line(strings.Repeat(" ", first+indent) + l)
	}
}

// heading writes s wrapped, underlined with ch to the width of its longest line.
func (t *textWriter) heading(s string, ch string) {
	lines := wrap(s, t.width)
	n := 0
	for _, l := range lines {
		t.line(l)
		n = max(n, displayWidth(l))
	}
	t.line(strings.Repeat(ch, n))
}

func (t *textWriter) report() {
	r := t.r
	t.heading(r.Title, "=")
	t.para(fmt.Sprintf("%s %s, %s %s", t.word("questionnaire"), r.Questionnaire, t.word("version"), r.Version), 0, 2)
	var all []Section
	for _, in := range r.Interviews {
		all = append(all, in.Sections...)
	}
	t.layout(all)
	if len(r.Interviews) == 0 {
		t.line("")
		t.para(t.word("noInterviews"), 0, 0)
		return
	}
	for _, in := range r.Interviews {
		t.interview(in)
	}
}

// layout fixes the column widths of the section tables once for all of secs (every
// section of a report), so that every table lines up: the rating column as wide as its
// widest rating (within limits), the rest shared between question and comment.
func (t *textWriter) layout(secs []Section) {
	avail := t.width - 10 // "│ " + 2 × " │ " + " │"
	natural := displayWidth(t.word("rating"))
	fit := func(s string) { natural = max(natural, displayWidth(s)) }
	fit("— " + t.word("notAnswered"))
	fit(t.word("skipped"))
	for _, s := range secs {
		for _, row := range s.Rows {
			for _, sp := range t.ratingCell(row) {
				if sp.rating {
					fit(sp.text)
				}
			}
		}
		if s.Overall != nil {
			for _, sp := range t.overallCell(*s.Overall) {
				fit(sp.text)
			}
		}
	}
	rating := min(natural, avail*2/5)
	rest := avail - rating
	question := rest * 45 / 100
	t.cols = [3]int{question, rating, rest - question}
}

func ratingText(symbol, label string) string {
	if symbol == "" {
		return label
	}
	return symbol + " " + label
}

func (t *textWriter) ratingCell(row Row) []span {
	var out []span
	switch {
	case row.Skipped:
		out = append(out, span{text: t.word("skipped")})
	case row.Rating != "":
		out = append(out, span{text: ratingText(row.Symbol, row.Label), code: row.Rating, rating: true})
	case row.Answered:
		out = append(out, span{text: row.Value})
	default:
		out = append(out, span{text: "— " + t.word("notAnswered")})
	}
	if row.Conflict {
		out = append(out, span{text: "! " + t.word("conflict")})
	}
	return out
}

func (t *textWriter) overallCell(o Overall) []span {
	var out []span
	if o.Rating == "" {
		out = append(out, span{text: "— " + t.word("noRating")})
	} else {
		out = append(out, span{text: ratingText(o.Symbol, o.Label), code: o.Rating, rating: true})
		if o.Suggested {
			out = append(out, span{text: "(" + t.word("suggested") + ")"})
		}
	}
	if o.Conflict {
		out = append(out, span{text: "! " + t.word("conflict")})
	}
	return out
}

func (t *textWriter) interview(in Interview) {
	t.line("")
	title := in.Respondent.Agency
	if title == "" {
		title = t.word("unknownAgency")
	}
	if in.Respondent.Province != "" {
		title += " — " + in.Respondent.Province
	}
	t.heading(title, "-")
	t.facts(interviewFacts(in, t.lang))
	if len(in.Sections) == 0 {
		t.line("")
		t.para(t.word("noSections"), 0, 0)
	}
	for _, s := range in.Sections {
		t.section(s, "comment")
	}
}

// facts writes items separated by " · ", as many to a line as fit; an item is broken only
// when it is wider than a line on its own.
func (t *textWriter) facts(items []string) {
	const sep = " · "
	cur, cw := "", 0
	for _, it := range items {
		iw := displayWidth(clean(it))
		if cw > 0 && cw+displayWidth(sep)+iw <= t.width {
			cur, cw = cur+sep+it, cw+displayWidth(sep)+iw
			continue
		}
		if cw > 0 {
			t.line(cur)
		}
		cur, cw = "", 0
		if iw <= t.width {
			cur, cw = clean(it), iw
			continue
		}
		t.para(it, 0, 2)
	}
	if cw > 0 {
		t.line(cur)
	}
}

// interviewFacts are the "label: value" facts of an interview heading, empty ones left out.
func interviewFacts(in Interview, lang string) []string {
	var out []string
	add := func(key, v string) {
		if v != "" {
			out = append(out, word(lang, key)+": "+v)
		}
	}
	add("interview", in.ID)
	add("status", in.Status.Label().Get(lang))
	add("assessor", in.Assessor)
	add("role", in.Respondent.Role)
	add("category", in.Category)
	add("date", in.Respondent.Date)
	add("place", in.Respondent.Place)
	return out
}

func sectionHeading(s Section, lang string) string {
	h := s.ID + ". " + s.Title
	if s.Importance != "" {
		h += " (" + word(lang, "importance") + ": " + s.Importance.Label().Get(lang) + ")"
	}
	return h
}

func questionText(row Row, lang string) string {
	s := row.Question + " " + row.Text
	if row.Importance != "" {
		s += " (" + row.Importance.Label().Get(lang) + ")"
	}
	return s
}

// section writes the table of one section: Question | Rating | the third column (its
// header the word commentKey: "comment" for an interview; an assessment's remarks would
// name theirs), the Overall row last, then the evidence. It is the table of a published
// assessment, so an assessment report writes its sections with it too.
func (t *textWriter) section(s Section, commentKey string) {
	t.line("")
	t.para(sectionHeading(s, t.lang), 0, 2)
	t.rule("┌", "┬", "┐", "─")
	t.row([3][]span{{{text: t.word("question")}}, {{text: t.word("rating")}}, {{text: t.word(commentKey)}}})
	for _, row := range s.Rows {
		t.rule("├", "┼", "┤", "─")
		t.row([3][]span{{{text: questionText(row, t.lang)}}, t.ratingCell(row), {{text: row.Comment}}})
	}
	if s.Overall != nil {
		t.rule("╞", "╪", "╡", "═")
		t.row([3][]span{{{text: t.word("overall")}}, t.overallCell(*s.Overall), {{text: s.Overall.Comment}}})
	}
	t.rule("└", "┴", "┘", "─")
	t.evidence(s)
	t.tables(s)
}

func (t *textWriter) rule(left, mid, right, fill string) {
	var b strings.Builder
	b.WriteString(left)
	for i, c := range t.cols {
		if i > 0 {
			b.WriteString(mid)
		}
		b.WriteString(strings.Repeat(fill, c+2))
	}
	b.WriteString(right)
	t.line(b.String())
}

func (t *textWriter) row(cells [3][]span) {
	var lines [3][]cellLine
	height := 1
	for i, c := range cells {
		for _, sp := range c {
			for _, l := range wrap(sp.text, t.cols[i]) {
				lines[i] = append(lines[i], cellLine{text: l, code: sp.code, rating: sp.rating})
			}
		}
		height = max(height, len(lines[i]))
	}
	for k := 0; k < height; k++ {
		var b strings.Builder
		b.WriteString("│ ")
		for i := range cells {
			if i > 0 {
				b.WriteString(" │ ")
			}
			var cl cellLine
			if k < len(lines[i]) {
				cl = lines[i][k]
			}
			text := cl.text
			if cl.rating && t.style != nil && text != "" {
				text = t.style(cl.code, text)
			}
			b.WriteString(text)
			if n := t.cols[i] - displayWidth(cl.text); n > 0 {
				b.WriteString(strings.Repeat(" ", n))
			}
		}
		b.WriteString(" │")
		t.line(b.String())
	}
}

// evidenceLine is one evidence item as a line of text: polarity, text, source and the
// out-of-scope marker with its note.
func evidenceLine(e survey.Evidence, lang string) string {
	s := e.Text
	if e.Source != "" {
		s += " (" + word(lang, "source") + ": " + e.Source + ")"
	}
	if !e.InScope {
		s += " [" + word(lang, "outOfScope")
		if e.Note != "" {
			s += ": " + e.Note
		}
		s += "]"
	}
	return s
}

// polarity is the mark of an evidence item: +, -, and for neutral or mixed evidence the
// questionnaire's mark (0, or ODRA's o: Build puts it in the row).
func polarity(p survey.Polarity) string {
	switch p {
	case survey.Plus, survey.Minus, "o":
		return string(p)
	}
	return string(survey.Neutral)
}

func hasEvidence(s Section) bool {
	for _, row := range s.Rows {
		if len(row.Evidence) > 0 {
			return true
		}
	}
	return false
}

func (t *textWriter) evidence(s Section) {
	if !hasEvidence(s) {
		return
	}
	t.line("")
	t.line(t.word("evidence"))
	for _, row := range s.Rows {
		if len(row.Evidence) == 0 {
			continue
		}
		t.para(row.Question, 2, 0)
		for _, e := range row.Evidence {
			t.para(polarity(e.Polarity)+" "+evidenceLine(e, t.lang), 4, 2)
		}
	}
}

// tables writes the table of every roster of section s that has one: a heading (the
// question), then # and one column per roster column, a row per roster row.
func (t *textWriter) tables(s Section) {
	for _, row := range s.Rows {
		// A roster without rows is "not answered" in the section's table already.
		if row.Table == nil || row.Skipped || len(row.Table.Rows) == 0 {
			continue
		}
		t.line("")
		t.para(questionText(row, t.lang), 0, 2)
		tb := row.Table
		head := make([]string, 0, len(tb.Columns)+1)
		head = append(head, "#")
		for _, c := range tb.Columns {
			head = append(head, c.Label)
		}
		body := make([][]string, len(tb.Rows))
		for i, tr := range tb.Rows {
			num := strconv.Itoa(tr.Number)
			if tr.Conflict {
				num += " !"
			}
			body[i] = append([]string{num}, tr.Text...)
		}
		t.grid(head, body)
		if row.Conflict {
			t.para("! "+t.word("rowConflict"), 0, 2)
		}
	}
}

// grid writes a table of any number of columns across the page width: each column as
// wide as its widest cell, the widest columns narrowed (their texts wrapped) until the
// table fits.
func (t *textWriter) grid(head []string, body [][]string) {
	n := len(head)
	avail := t.width - 3*n - 1
	natural := make([]int, n)
	for _, r := range append([][]string{head}, body...) {
		for i, c := range r {
			natural[i] = max(natural[i], displayWidth(clean(c)), 1)
		}
	}
	widths := slices.Clone(natural)
	// Lower a cap on the widest columns until the table fits (never below 3, nor below
	// a column's natural width when that is less).
	total := func() int {
		s := 0
		for _, w := range widths {
			s += w
		}
		return s
	}
	for limit := slices.Max(natural); total() > avail && limit > 4; limit-- {
		for i := range widths {
			widths[i] = min(natural[i], limit)
		}
	}
	if total() > avail {
		t.records(head, body)
		return
	}
	// Every table of the report spans the page: the slack goes to the columns cut
	// shortest, else to the last.
	for slack := avail - total(); slack > 0; slack-- {
		best := n - 1
		for i := range widths {
			if natural[i]-widths[i] > natural[best]-widths[best] {
				best = i
			}
		}
		widths[best]++
	}
	rule := func(left, mid, right, fill string) {
		var b strings.Builder
		b.WriteString(left)
		for i, w := range widths {
			if i > 0 {
				b.WriteString(mid)
			}
			b.WriteString(strings.Repeat(fill, w+2))
		}
		b.WriteString(right)
		t.line(b.String())
	}
	line := func(cells []string) {
		lines := make([][]string, n)
		height := 1
		for i := range n {
			text := ""
			if i < len(cells) {
				text = cells[i]
			}
			lines[i] = wrap(text, widths[i])
			height = max(height, len(lines[i]))
		}
		for k := range height {
			var b strings.Builder
			b.WriteString("│ ")
			for i := range n {
				if i > 0 {
					b.WriteString(" │ ")
				}
				l := ""
				if k < len(lines[i]) {
					l = lines[i][k]
				}
				b.WriteString(l)
				if pad := widths[i] - displayWidth(l); pad > 0 {
					b.WriteString(strings.Repeat(" ", pad))
				}
			}
			b.WriteString(" │")
			t.line(b.String())
		}
	}
	rule("┌", "┬", "┐", "─")
	line(head)
	rule("╞", "╪", "╡", "═")
	for i, r := range body {
		if i > 0 {
			rule("├", "┼", "┤", "─")
		}
		line(r)
	}
	rule("└", "┴", "┘", "─")
}

// records writes a table too wide for the page as a list: each row its number, then one
// "column: value" line per filled cell.
func (t *textWriter) records(head []string, body [][]string) {
	for _, r := range body {
		t.para(r[0]+".", 0, 2)
		for i := 1; i < len(r) && i < len(head); i++ {
			if r[i] != "" {
				t.para(head[i]+": "+r[i], 2, 2)
			}
		}
	}
}
