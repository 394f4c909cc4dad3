package report

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
	"sync"
)

// OverviewFormat and DistributionFormat are the format fields of the JSON views.
const (
	OverviewFormat     = "fieldsurvey-overview/1"
	DistributionFormat = "fieldsurvey-distribution/1"
)

// writeViewJSON writes v, indented, with its format field first; control characters in
// the text escaped.
func writeViewJSON(w io.Writer, format string, v any) error {
	f := &controlFilter{w: w, json: true}
	bw := bufio.NewWriter(f)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	doc := struct {
		Format string `json:"format"`
		View   any    `json:"-"`
	}{Format: format}
	// The view's fields follow the format field: encode both and join them.
	head, _ := json.Marshal(doc)
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	joined := append(append(head[:len(head)-1:len(head)-1], ','), body[1:]...)
	if err := enc.Encode(json.RawMessage(joined)); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return f.Close()
}

// WriteOverviewJSON writes the overview as one indented JSON document (format
// OverviewFormat); ratings are codes with their labels and symbols.
func WriteOverviewJSON(w io.Writer, o *Overview) error {
	if o == nil {
		return errors.New("write json overview: no overview")
	}
	if err := writeViewJSON(w, OverviewFormat, o); err != nil {
		return fmt.Errorf("write json overview: %w", err)
	}
	return nil
}

// WriteDistributionJSON writes the distributions as one indented JSON document (format
// DistributionFormat).
func WriteDistributionJSON(w io.Writer, d *Distributions) error {
	if d == nil {
		return errors.New("write json distribution: no distribution")
	}
	if err := writeViewJSON(w, DistributionFormat, d); err != nil {
		return fmt.Errorf("write json distribution: %w", err)
	}
	return nil
}

// DistributionCSVHeader is the header of the CSV distribution: one row per question (kind
// "question") or section overall (kind "overall") × step of its scale, with the step's
// count and the question's totals and suggested rating (a suggestion only: the median of
// the ratings that count; half true when it fell between two steps).
var DistributionCSVHeader = []string{"section", "section_title", "kind", "question", "question_text", "importance",
	"step", "label", "counted", "count", "rated", "uncounted", "other", "not_rated", "suggested", "half"}

// WriteDistributionCSV writes the distributions as CSV (header DistributionCSVHeader),
// cells safe for spreadsheets as in WriteCSV.
func WriteDistributionCSV(w io.Writer, d *Distributions, o CSVOptions) error {
	if d == nil {
		return errors.New("write csv distribution: no distribution")
	}
	if o.BOM {
		if _, err := io.WriteString(w, "\uFEFF"); err != nil {
			return fmt.Errorf("write csv distribution: %w", err)
		}
	}
	f := &controlFilter{w: w}
	cw := csv.NewWriter(f)
	cw.Write(DistributionCSVHeader)
	t := func(s string) string { return CellText(s, true) }
	itoa, b := strconv.Itoa, strconv.FormatBool
	for _, s := range d.Sections {
		for _, q := range append(append([]Distribution{}, s.Questions...), s.Overall) {
			kind := "question"
			if q.Question == "" {
				kind = "overall"
			}
			sg := ""
			if q.Suggested != nil {
				sg = string(q.Suggested.Code)
			}
			for _, st := range q.Steps {
				cw.Write([]string{t(s.ID), t(s.Title), kind, t(q.Question), t(q.Text), string(q.Importance),
					t(string(st.Code)), t(st.Label), b(st.Counted), itoa(st.Count), itoa(q.Rated), itoa(q.Uncounted),
					itoa(q.Other), itoa(q.NotRated), t(sg), b(q.Half)})
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv distribution: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write csv distribution: %w", err)
	}
	return nil
}

// WriteOverviewMarkdown writes the overview as a markdown table: provinces down, sections
// across, each cell a line per rating ("2 ●●●○○ Amber") and "— " for unrated interviews.
func WriteOverviewMarkdown(w io.Writer, o *Overview) error {
	if o == nil {
		return errors.New("write markdown overview: no overview")
	}
	err := writeMarkdown(w, o.Lang, func(m *mdWriter) { m.overview(o) })
	if err != nil {
		return fmt.Errorf("write markdown overview: %w", err)
	}
	return nil
}

func (m *mdWriter) overview(o *Overview) {
	m.line("# " + md(m.word("overview")+" — "+o.Title))
	m.line("")
	m.line(fmt.Sprintf("%s `%s`, %s %s", m.word("questionnaire"), strings.ReplaceAll(o.Questionnaire, "`", ""), m.word("version"), md(o.Version)))
	m.line("")
	m.line(md(m.word("overviewIntro")))
	m.line("")
	if o.Total.Interviews == 0 {
		m.line(m.word("noInterviews"))
	} else {
		head := []string{m.word("province")}
		for _, s := range o.Sections {
			head = append(head, md(s.ID+". "+s.Title))
		}
		m.line("| " + strings.Join(head, " | ") + " |")
		m.line("|" + strings.Repeat(" --- |", len(head)))
		for _, r := range append(append([]OverviewRow{}, o.Rows...), o.Total) {
			cells := []string{"**" + md(r.Province) + "**<br>" + md(statusLine(r, o.Lang))}
			for _, c := range r.Cells {
				var lines []string
				for _, rc := range c.Ratings {
					lines = append(lines, strconv.Itoa(rc.Count)+" "+md(ratingText(rc.Symbol, rc.Label)))
				}
				if c.Unrated > 0 {
					lines = append(lines, strconv.Itoa(c.Unrated)+" —")
				}
				cells = append(cells, strings.Join(lines, "<br>"))
			}
			m.line("| " + strings.Join(cells, " | ") + " |")
		}
	}
	m.line("")
	m.line(mdLegend(m.word("ratingsLegend"), o.usedSteps(), "— "+m.word("noConfirmed")))
}

func mdLegend(title string, steps []StepInfo, extra ...string) string {
	var items []string
	for _, s := range steps {
		items = append(items, md(ratingText(s.Symbol, s.Label)))
	}
	for _, e := range extra {
		items = append(items, md(e))
	}
	return title + " " + strings.Join(items, " · ")
}

// WriteDistributionMarkdown writes the distributions as markdown: per section a table
// Question | one column per step | n | ∅ | bar | suggested, the section's overall row last.
func WriteDistributionMarkdown(w io.Writer, d *Distributions) error {
	if d == nil {
		return errors.New("write markdown distribution: no distribution")
	}
	err := writeMarkdown(w, d.Lang, func(m *mdWriter) { m.distributions(d) })
	if err != nil {
		return fmt.Errorf("write markdown distribution: %w", err)
	}
	return nil
}

func (m *mdWriter) distributions(d *Distributions) {
	m.line("# " + md(m.word("distribution")+" — "+d.Title))
	m.line("")
	m.line(fmt.Sprintf("%s `%s`, %s %s · %s", m.word("questionnaire"), strings.ReplaceAll(d.Questionnaire, "`", ""),
		m.word("version"), md(d.Version), md(statusLine(OverviewRow{Interviews: d.Interviews, Statuses: d.Statuses}, d.Lang))))
	m.line("")
	m.line(md(m.word("distributionIntro")))
	m.line("")
	m.line(md(m.word("suggestionNote")))
	for _, s := range d.Sections {
		m.line("")
		m.line("## " + md(s.ID+". "+s.Title))
		var header []StepInfo
		for _, q := range append(append([]Distribution{}, s.Questions...), s.Overall) {
			if !sameSteps(header, q.Steps) {
				header = stepsOf(q.Steps)
				m.line("")
				cols := []string{m.word("question")}
				align := []string{"---"}
				for _, st := range header {
					cols = append(cols, md(ratingText(st.Symbol, st.Label)))
					align = append(align, "---:")
				}
				cols = append(cols, "n", "∅", m.word("bar"), md(m.word("suggestedStar")))
				align = append(align, "---:", "---:", "---", "---")
				m.line("| " + strings.Join(cols, " | ") + " |")
				m.line("| " + strings.Join(align, " | ") + " |")
			}
			text := "**" + md(m.word("overallConfirmed")) + "**"
			if q.Question != "" {
				text = md(questionText(Row{Question: q.Question, Text: q.Text, Importance: q.Importance}, d.Lang))
			}
			cells := []string{text}
			for _, st := range q.Steps {
				cells = append(cells, strconv.Itoa(st.Count))
			}
			sg := "—"
			if q.Suggested != nil {
				sg = md(suggestedText(q))
			}
			cells = append(cells, strconv.Itoa(q.Rated), strconv.Itoa(q.NotRated), "`"+sparkline(q.Steps)+"`", sg)
			m.line("| " + strings.Join(cells, " | ") + " |")
		}
	}
}

// WriteOverviewHTML writes the overview as one self-contained, printable HTML page.
func WriteOverviewHTML(w io.Writer, o *Overview) error {
	if o == nil {
		return errors.New("write html overview: no overview")
	}
	if err := execHTML(w, viewPage(), "overview", o.Lang, o); err != nil {
		return fmt.Errorf("write html overview: %w", err)
	}
	return nil
}

// WriteDistributionHTML writes the distributions as one self-contained, printable HTML
// page; each question's bar is drawn in the steps' colours, its counts written beside it.
func WriteDistributionHTML(w io.Writer, d *Distributions) error {
	if d == nil {
		return errors.New("write html distribution: no distribution")
	}
	if err := execHTML(w, viewPage(), "distribution", d.Lang, d); err != nil {
		return fmt.Errorf("write html distribution: %w", err)
	}
	return nil
}

func execHTML(w io.Writer, page *template.Template, name, lang string, data any) error {
	t, err := page.Clone()
	if err != nil {
		return err
	}
	t.Funcs(viewFuncs(lang))
	f := &controlFilter{w: w}
	bw := bufio.NewWriter(f)
	if err := t.ExecuteTemplate(bw, name, data); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return f.Close()
}

// barSegment is one coloured part of an HTML distribution bar.
type barSegment struct {
	Color, Title string
	Percent      string
}

func viewFuncs(lang string) template.FuncMap {
	fm := htmlFuncs(lang)
	fm["statusLine"] = func(r OverviewRow) string { return statusLine(r, lang) }
	fm["distStatus"] = func(d *Distributions) string {
		return statusLine(OverviewRow{Interviews: d.Interviews, Statuses: d.Statuses}, lang)
	}
	fm["rows"] = func(o *Overview) []OverviewRow { return append(append([]OverviewRow{}, o.Rows...), o.Total) }
	fm["all"] = func(s DistSection) []Distribution { return append(append([]Distribution{}, s.Questions...), s.Overall) }
	fm["newHeader"] = func(all []Distribution, i int) bool {
		return i == 0 || !sameSteps(stepsOf(all[i-1].Steps), all[i].Steps)
	}
	fm["questionOf"] = func(q Distribution) string {
		return questionText(Row{Question: q.Question, Text: q.Text, Importance: q.Importance}, lang)
	}
	fm["suggested"] = suggestedText
	fm["spark"] = sparkline
	fm["usedSteps"] = func(o *Overview) []StepInfo { return o.usedSteps() }
	// breakable lets a label such as Amber/Green break after its slash in a narrow column.
	fm["breakable"] = func(s string) template.HTML {
		return template.HTML(strings.ReplaceAll(template.HTMLEscapeString(s), "/", "/<wbr>"))
	}
	fm["bar"] = func(q Distribution) []barSegment {
		var out []barSegment
		if q.Rated == 0 {
			return nil
		}
		for _, s := range q.Steps {
			if !s.Counted || s.Count == 0 {
				continue
			}
			out = append(out, barSegment{Color: s.Color, Title: fmt.Sprintf("%s: %d", ratingText(s.Symbol, s.Label), s.Count),
				Percent: strconv.FormatFloat(100*float64(s.Count)/float64(q.Rated), 'f', 1, 64)})
		}
		return out
	}
	return fm
}

var viewPage = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("views").Funcs(viewFuncs("en")).Parse(`
{{- define "head"}}<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body { font-family: system-ui, "Segoe UI", Roboto, "Noto Sans", sans-serif; color: #222; line-height: 1.4; max-width: 64rem; margin: 2rem auto; padding: 0 1rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; table-layout: fixed; }
th, td { border: 1px solid #999; padding: .25rem .3rem; text-align: left; vertical-align: top; overflow-wrap: break-word; }
th { background: #eee; }
th.province { width: 18%; }
th.n, td.n { text-align: right; font-variant-numeric: tabular-nums; padding: .25rem .15rem; }
th.narrow { width: 2.6em; }
th.stepcol { width: 3.4em; }
th.barcol { width: 4.5em; }
th.suggested { width: 8em; }
tr.total td, tr.total th { border-top: 3px double #333; }
.step { display: inline-block; padding: 0 .2rem; border-radius: .2rem; border: 1px solid #666; white-space: nowrap; }
` + stepColorsCSS + `.muted { color: #555; font-style: italic; }
.status { color: #444; font-size: .9em; font-weight: normal; }
.rating { margin-bottom: .15rem; }
table.many { font-size: .8em; }
th .step { font-size: .55em; padding: 0 .1em; }
.bar { display: flex; width: 100%; height: .9rem; border: 1px solid #666; background: #fff; }
.bar span { display: block; height: 100%; }
th .label { font-weight: normal; font-size: .8em; }
.legend { color: #333; }
@media print { body { margin: 0; max-width: none; font-size: 8.5pt; } .step, .bar span { -webkit-print-color-adjust: exact; print-color-adjust: exact; } tr { break-inside: avoid; } }
@page { size: A4; margin: 15mm; }
</style>
</head>
<body>
{{- end}}

{{- define "legend"}}
<p class="legend">{{t "ratingsLegend"}}
{{- range $i, $s := .}}{{if $i}} ·{{end}} <span class="step{{with $s.Color}} c-{{.}}{{end}}">{{rating $s.Symbol $s.Label}}</span>{{end}}</p>
{{- end}}

{{- define "overview"}}{{template "head" .}}
<h1>{{t "overview"}} — {{.Title}}</h1>
<p>{{t "questionnaire"}} <code>{{.Questionnaire}}</code>, {{t "version"}} {{.Version}}</p>
<p>{{t "overviewIntro"}}</p>
{{- if .Total.Interviews}}
<table{{if gt (len .Sections) 6}} class="many"{{end}}>
<thead><tr><th scope="col" class="province">{{t "province"}}</th>{{range .Sections}}<th scope="col">{{.ID}}. {{.Title}}</th>{{end}}</tr></thead>
<tbody>
{{- $last := len .Rows}}
{{- range $i, $r := rows .}}
<tr{{if eq $i $last}} class="total"{{end}}><th scope="row">{{$r.Province}}<br><span class="status">{{statusLine $r}}</span></th>
{{- range $r.Cells}}<td>
{{- range .Ratings}}<div class="rating" data-code="{{.Code}}"><span class="count">{{.Count}} {{if .Symbol}}<span class="step{{with .Color}} c-{{.}}{{end}}">{{.Symbol}}</span>{{end}}</span> {{breakable .Label}}</div>{{end}}
{{- if .Unrated}}<div class="rating"><span class="count">{{.Unrated}} <span class="muted">—</span></span></div>{{end -}}
</td>{{end}}</tr>
{{- end}}
</tbody>
</table>
{{- else}}
<p>{{t "noInterviews"}}</p>
{{- end}}
{{- template "legend" (usedSteps .)}}
<p class="legend">— {{t "noConfirmed"}}</p>
</body>
</html>
{{end}}

{{- define "distribution"}}{{template "head" .}}
<h1>{{t "distribution"}} — {{.Title}}</h1>
<p>{{t "questionnaire"}} <code>{{.Questionnaire}}</code>, {{t "version"}} {{.Version}} · {{distStatus .}}</p>
<p>{{t "distributionIntro"}}</p>
<p>{{t "suggestionNote"}}</p>
{{- range .Sections}}
<h2>{{.ID}}. {{.Title}}</h2>
{{- $all := all .}}
{{- range $i, $q := $all}}
{{- if newHeader $all $i}}{{if $i}}
</tbody>
</table>{{end}}
<table>
<thead><tr><th scope="col" class="question">{{t "question"}}</th>{{range $q.Steps}}<th scope="col" class="n stepcol">{{if .Symbol}}<span class="step{{with .Color}} c-{{.}}{{end}}">{{.Symbol}}</span><br>{{end}}<span class="label">{{breakable .Label}}</span></th>{{end}}<th scope="col" class="n narrow">n</th><th scope="col" class="n narrow">∅</th><th scope="col" class="barcol">{{t "bar"}}</th><th scope="col" class="suggested">{{t "suggestedStar"}}</th></tr></thead>
<tbody>
{{- end}}
<tr{{if not $q.Question}} class="total"{{end}}>{{if $q.Question}}<td>{{questionOf $q}}</td>{{else}}<th scope="row">{{t "overallConfirmed"}}</th>{{end}}
{{- range $q.Steps}}<td class="n">{{.Count}}</td>{{end}}<td class="n">{{$q.Rated}}</td><td class="n">{{$q.NotRated}}</td>
<td><div class="bar" title="{{spark $q.Steps}}">{{range bar $q}}<span class="c-{{.Color}}" style="width: {{.Percent}}%" title="{{.Title}}"></span>{{end}}</div></td>
<td>{{with $q.Suggested}}<span data-code="{{.Code}}">{{if .Symbol}}<span class="step{{with .Color}} c-{{.}}{{end}}">{{.Symbol}}</span> {{end}}{{breakable .Label}}{{if $q.Half}} ½{{end}}</span>{{else}}<span class="muted">—</span>{{end}}</td></tr>
{{- end}}
</tbody>
</table>
{{- end}}
</body>
</html>
{{end}}`))
})
