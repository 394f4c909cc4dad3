package report

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// gridLine is one line of a cell of the overview or distribution text tables: plain text,
// then a rating (which the Styler colours), each possibly empty.
type gridLine struct {
	plain  string
	rating string
	code   survey.Code
}

func (l gridLine) width() int {
	w := displayWidth(l.plain) + displayWidth(l.rating)
	if l.plain != "" && l.rating != "" {
		w++
	}
	return w
}

func (l gridLine) render(style Styler) string {
	r := l.rating
	if r != "" && style != nil {
		r = style(l.code, r)
	}
	switch {
	case l.plain == "":
		return r
	case r == "":
		return l.plain
	}
	return l.plain + " " + r
}

// textView is what the overview and distribution text writers share.
type textView struct {
	w     *bufio.Writer
	lang  string
	style Styler
	width int
}

// writeTextView runs write with a textView on w, width columns wide (DefaultTextWidth
// when width <= 0).
func writeTextView(w io.Writer, lang string, style Styler, width int, write func(t *textView)) error {
	if width <= 0 {
		width = DefaultTextWidth
	}
	if width < MinTextWidth {
		return fmt.Errorf("width %d is too narrow: use at least %d columns", width, MinTextWidth)
	}
	bw := bufio.NewWriter(w)
	write(&textView{w: bw, lang: lang, style: style, width: width})
	return bw.Flush()
}

func (t *textView) word(key string) string { return word(t.lang, key) }

func (t *textView) line(s string) { t.w.WriteString(s + "\n") }

func (t *textView) para(s string) {
	for _, l := range wrap(s, t.width) {
		t.line(l)
	}
}

func (t *textView) heading(s, ch string) {
	n := 0
	for _, l := range wrap(s, t.width) {
		t.line(l)
		n = max(n, displayWidth(l))
	}
	t.line(strings.Repeat(ch, n))
}

// legend writes the steps as "symbol label" items separated by " · ", wrapped, each
// coloured; extra items (plain) follow.
func (t *textView) legend(title string, steps []StepInfo, extra ...string) {
	var items []gridLine
	for _, s := range steps {
		items = append(items, gridLine{rating: ratingText(s.Symbol, s.Label), code: s.Code})
	}
	for _, e := range extra {
		items = append(items, gridLine{plain: e})
	}
	cur, cw := title, displayWidth(title)
	for i, it := range items {
		sep := " · "
		if i == 0 {
			sep = " "
		}
		if cw+displayWidth(sep)+it.width() > t.width && cw > 0 {
			t.line(cur)
			cur, cw, sep = "  ", 2, ""
		}
		if cw+it.width() > t.width && it.rating == "" {
			// An item wider than a line on its own: wrapped, indented.
			lines := wrap(it.plain, t.width-2)
			for _, l := range lines[:len(lines)-1] {
				t.line(strings.TrimRight(cur+sep+l, " "))
				cur, cw, sep = "  ", 2, ""
			}
			it = gridLine{plain: lines[len(lines)-1]}
		}
		cur += sep + it.render(t.style)
		cw += displayWidth(sep) + it.width()
	}
	t.line(cur)
}

// WriteOverviewText writes the overview as a text grid width columns wide (provinces down,
// sections across; when the sections do not fit they continue in further blocks, the
// province column repeated). Each cell counts interviews per confirmed rating, with the
// symbol, and the label when the grid fits with labels; "—" counts the interviews without
// a confirmed rating. A legend of the sections and ratings follows.
func WriteOverviewText(w io.Writer, o *Overview, style Styler, width int) error {
	if o == nil {
		return errors.New("write text overview: no overview")
	}
	if err := writeTextView(w, o.Lang, style, width, func(t *textView) { t.overview(o) }); err != nil {
		return fmt.Errorf("write text overview: %w", err)
	}
	return nil
}

func (t *textView) overview(o *Overview) {
	t.heading(t.word("overview")+" — "+clean(o.Title), "=")
	t.para(fmt.Sprintf("%s %s, %s %s", t.word("questionnaire"), o.Questionnaire, t.word("version"), o.Version))
	t.para(t.word("overviewIntro"))
	t.line("")
	if o.Total.Interviews == 0 {
		t.para(t.word("noInterviews"))
		return
	}
	rows := append(append([]OverviewRow{}, o.Rows...), o.Total)
	digits := 1
	for _, r := range rows {
		for _, c := range r.Cells {
			for _, rc := range c.Ratings {
				digits = max(digits, len(strconv.Itoa(rc.Count)))
			}
			digits = max(digits, len(strconv.Itoa(c.Unrated)))
		}
	}
	cellLines := func(c OverviewCell, labels bool) []gridLine {
		var out []gridLine
		for _, rc := range c.Ratings {
			r := rc.Symbol
			if labels || r == "" {
				r = ratingText(rc.Symbol, rc.Label)
			}
			out = append(out, gridLine{plain: pad(strconv.Itoa(rc.Count), digits), rating: clean(r), code: rc.Code})
		}
		if c.Unrated > 0 {
			out = append(out, gridLine{plain: pad(strconv.Itoa(c.Unrated), digits) + " —"})
		}
		return out
	}
	colWidth := func(i int, labels bool) int {
		w := displayWidth(o.Sections[i].ID)
		for _, r := range rows {
			for _, l := range cellLines(r.Cells[i], labels) {
				w = max(w, l.width())
			}
		}
		return w
	}
	const gap = 2
	// The first column is as wide as the province names and the status lines (its header
	// wraps), so that as many sections as possible fit beside it.
	first := 10
	for _, r := range rows {
		first = max(first, displayWidth(clean(r.Province)), displayWidth(countWord(t.lang, r.Interviews, "interview1", "interviews")))
		for _, sc := range r.Statuses {
			first = max(first, displayWidth(strconv.Itoa(sc.Count)+" "+sc.Label))
		}
	}
	first = min(first, t.width/3)
	fits := func(labels bool) bool {
		total := first
		for i := range o.Sections {
			total += gap + colWidth(i, labels)
		}
		return total <= t.width
	}
	labels := fits(true)
	widths := make([]int, len(o.Sections))
	for i := range o.Sections {
		widths[i] = colWidth(i, labels)
	}
	// Blocks of sections that fit beside the province column.
	var blocks [][]int
	var cur []int
	used := first
	for i := range o.Sections {
		if len(cur) > 0 && used+gap+widths[i] > t.width {
			blocks = append(blocks, cur)
			cur, used = nil, first
		}
		cur = append(cur, i)
		used += gap + widths[i]
	}
	blocks = append(blocks, cur)
	for bi, block := range blocks {
		if bi > 0 {
			t.line("")
		}
		// Header (the first column's word wrapped in its width) and its rule.
		rule := []string{strings.Repeat("─", first)}
		for _, i := range block {
			rule = append(rule, strings.Repeat("─", widths[i]))
		}
		for y, l := range wrap(t.word("province"), first) {
			head := []string{pad(l, first)}
			for _, i := range block {
				id := ""
				if y == 0 {
					id = o.Sections[i].ID
				}
				head = append(head, pad(id, widths[i]))
			}
			t.line(strings.TrimRight(strings.Join(head, "  "), " "))
		}
		t.line(strings.Join(rule, "  "))
		for ri, r := range rows {
			if ri == len(rows)-1 {
				t.line(strings.Join(rule, "  ")) // the total, apart
			}
			left := wrap(r.Province, first)
			left = append(left, wrap(countWord(t.lang, r.Interviews, "interview1", "interviews"), first)...)
			for _, sc := range r.Statuses {
				left = append(left, wrap(strconv.Itoa(sc.Count)+" "+sc.Label, first)...)
			}
			cells := make([][]gridLine, len(block))
			height := len(left)
			for k, i := range block {
				cells[k] = cellLines(r.Cells[i], labels)
				height = max(height, len(cells[k]))
			}
			for y := 0; y < height; y++ {
				var b strings.Builder
				l := ""
				if y < len(left) {
					l = left[y]
				}
				b.WriteString(pad(l, first))
				for k, i := range block {
					b.WriteString("  ")
					if y < len(cells[k]) {
						gl := cells[k][y]
						b.WriteString(gl.render(t.style))
						b.WriteString(strings.Repeat(" ", max(0, widths[i]-gl.width())))
					} else {
						b.WriteString(strings.Repeat(" ", widths[i]))
					}
				}
				t.line(strings.TrimRight(b.String(), " "))
			}
			if ri < len(rows)-2 {
				t.line("")
			}
		}
	}
	t.line("")
	var secs []string
	for _, s := range o.Sections {
		secs = append(secs, s.ID+" "+clean(s.Title))
	}
	t.legend(t.word("sectionsLegend"), nil, secs...)
	t.legend(t.word("ratingsLegend"), o.usedSteps(), "— "+t.word("noConfirmed"))
}

// statusLine says how many interviews a row counts and their statuses: "3 interviews: 2
// approved, 1 draft".
func statusLine(r OverviewRow, lang string) string {
	var parts []string
	for _, s := range r.Statuses {
		parts = append(parts, strconv.Itoa(s.Count)+" "+s.Label)
	}
	return countWord(lang, r.Interviews, "interview1", "interviews") + ": " + strings.Join(parts, ", ")
}

func countWord(lang string, n int, one, many string) string {
	if n == 1 {
		return "1 " + word(lang, one)
	}
	return strconv.Itoa(n) + " " + word(lang, many)
}

// sparkBars are the heights of the text bar of a distribution, lowest first.
var sparkBars = []rune("▁▂▃▄▅▆▇█")

// sparkline draws the counts of the counted steps as a bar of one character each, its
// height proportional to the count; "·" for none.
func sparkline(steps []RatingCount) string {
	most := 0
	for _, s := range steps {
		if s.Counted {
			most = max(most, s.Count)
		}
	}
	var b strings.Builder
	for _, s := range steps {
		if !s.Counted {
			continue
		}
		if s.Count == 0 {
			b.WriteRune('·')
			continue
		}
		h := (s.Count*len(sparkBars) + most - 1) / most // 1..8, rounded up
		b.WriteRune(sparkBars[h-1])
	}
	return b.String()
}

// suggestedText is the suggested rating of d as shown: symbol and label, "½" after a half.
func suggestedText(d Distribution) string {
	if d.Suggested == nil {
		return ""
	}
	s := ratingText(d.Suggested.Symbol, d.Suggested.Label)
	if d.Half {
		s += " ½"
	}
	return s
}

// WriteDistributionText writes the distributions as text width columns wide: per section,
// a header of the scale's steps, then for each question its text and, below it, the count
// at each step, n (ratings that count), ∅ (asked but not rated), a bar of the counted
// steps and the suggested rating, which the text says is a suggestion only.
func WriteDistributionText(w io.Writer, d *Distributions, style Styler, width int) error {
	if d == nil {
		return errors.New("write text distribution: no distribution")
	}
	if err := writeTextView(w, d.Lang, style, width, func(t *textView) { t.distributions(d) }); err != nil {
		return fmt.Errorf("write text distribution: %w", err)
	}
	return nil
}

func (t *textView) distributions(d *Distributions) {
	t.heading(t.word("distribution")+" — "+clean(d.Title), "=")
	t.para(fmt.Sprintf("%s %s, %s %s · %s", t.word("questionnaire"), d.Questionnaire, t.word("version"), d.Version,
		statusLine(OverviewRow{Interviews: d.Interviews, Statuses: d.Statuses}, t.lang)))
	t.para(t.word("distributionIntro"))
	t.para(t.word("suggestionNote"))
	if len(d.Sections) == 0 {
		t.line("")
		t.para(t.word("noSections"))
	}
	for _, s := range d.Sections {
		t.line("")
		t.para(s.ID + ". " + clean(s.Title))
		var header []StepInfo
		for _, q := range append(append([]Distribution{}, s.Questions...), s.Overall) {
			if !sameSteps(header, q.Steps) {
				header = stepsOf(q.Steps)
				t.distHeader(header)
			}
			text := t.word("overallConfirmed")
			if q.Question != "" {
				text = questionText(Row{Question: q.Question, Text: q.Text, Importance: q.Importance}, t.lang)
			}
			for _, l := range wrap(text, t.width) {
				t.line(l)
			}
			t.line(t.distCounts(q))
		}
	}
	t.line("")
	var steps []StepInfo
	for _, s := range d.Sections {
		for _, q := range append(append([]Distribution{}, s.Questions...), s.Overall) {
			for _, st := range q.Steps {
				if !containsStep(steps, st.Code) {
					steps = append(steps, st.StepInfo)
				}
			}
		}
	}
	t.legend(t.word("ratingsLegend"), steps)
}

// distColumns are the widths of the count columns: the step symbols (or labels when a step
// has no symbol), n and ∅.
func distColumn(s StepInfo) string {
	if s.Symbol != "" {
		return s.Symbol
	}
	return s.Label
}

const distCountWidth = 4 // room for counts up to 9999 beside a one-character header

func (t *textView) distHeader(steps []StepInfo) {
	var b strings.Builder
	for _, s := range steps {
		h := clean(distColumn(s))
		b.WriteString(strings.Repeat(" ", max(1, distCountWidth+1-displayWidth(h))))
		b.WriteString(h)
	}
	fmt.Fprintf(&b, "%*s%*s  %-5s  %s", distCountWidth+1, "n", distCountWidth+1, "∅", "", t.word("suggestedStar"))
	t.line("  " + strings.TrimRight(b.String(), " "))
}

func (t *textView) distCounts(q Distribution) string {
	var b strings.Builder
	b.WriteString("  ")
	for _, s := range q.Steps {
		w := max(distCountWidth, displayWidth(clean(distColumn(s.StepInfo))))
		fmt.Fprintf(&b, " %*d", w, s.Count)
	}
	fmt.Fprintf(&b, " %*d %*d  ", distCountWidth, q.Rated, distCountWidth, q.NotRated)
	bar := sparkline(q.Steps)
	b.WriteString(bar + strings.Repeat(" ", max(0, 5-displayWidth(bar))) + "  ")
	sg := gridLine{}
	if q.Suggested != nil {
		sg = gridLine{rating: suggestedText(q), code: q.Suggested.Code}
	} else {
		sg = gridLine{plain: "—"}
	}
	return strings.TrimRight(b.String()+sg.render(t.style), " ")
}

func stepsOf(rc []RatingCount) []StepInfo {
	out := make([]StepInfo, len(rc))
	for i, r := range rc {
		out[i] = r.StepInfo
	}
	return out
}

func sameSteps(a []StepInfo, b []RatingCount) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Code != b[i].Code {
			return false
		}
	}
	return true
}

func containsStep(steps []StepInfo, c survey.Code) bool {
	for _, s := range steps {
		if s.Code == c {
			return true
		}
	}
	return false
}
