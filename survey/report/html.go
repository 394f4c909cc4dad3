package report

import (
	"bufio"
	"errors"
	"fmt"
	"html/template"
	"io"
	"sync"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// WriteHTML writes r as one self-contained HTML page (inline CSS, no script, no external
// resource) that prints well. Ratings are coloured by step and always show their symbol and
// label, so the page reads in black and white. Everything from the interviews is escaped,
// and control characters are dropped.
func WriteHTML(w io.Writer, r *Report) error {
	if r == nil {
		return errors.New("write html report: no report")
	}
	t, err := htmlPage().Clone()
	if err != nil {
		return fmt.Errorf("write html report: %w", err)
	}
	t.Funcs(htmlFuncs(r.Lang))
	f := &controlFilter{w: w}
	bw := bufio.NewWriter(f)
	if err := t.Execute(bw, r); err != nil {
		return fmt.Errorf("write html report: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write html report: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write html report: %w", err)
	}
	return nil
}

// sectionTable is what the "section" template lays out: one section (pillar, dimension) as
// the table of a published assessment, Question | Rating | comment, the Overall row last,
// and its evidence. An assessment report renders its section tables with it too.
type sectionTable struct {
	Section    Section
	CommentKey string
}

// stepColorsCSS colours the steps of the scales (the five readiness steps, ODRA's grey U)
// in every HTML page; the symbol and label beside the colour carry the meaning.
const stepColorsCSS = `.c-red { background: #d7191c; color: #fff; }
.c-amber-red { background: #fdae61; color: #000; }
.c-amber { background: #ffe066; color: #000; }
.c-amber-green { background: #a6d96a; color: #000; }
.c-green { background: #1a9641; color: #fff; }
.c-grey { background: #bababa; color: #000; }
`

// htmlCell is a roster cell in the page: its text, a link for an http(s) address (Href,
// only when survey.ValidURL accepts it: no other scheme becomes a link), and for stars a
// text alternative ("3 of 5 stars") that screen readers say instead of ★★★☆☆.
type htmlCell struct {
	Text, Href, Alt string
}

func htmlCells(t *Table, row TableRow, lang string) []htmlCell {
	out := make([]htmlCell, len(row.Text))
	for i, text := range row.Text {
		out[i].Text = text
		if i >= len(t.Columns) || text == "" {
			continue
		}
		switch c := t.Columns[i]; c.Type {
		case survey.ColumnURL:
			if survey.ValidURL(text) {
				out[i].Href = text
			}
		case survey.ColumnStars:
			if f, ok := row.Values[c.ID].(float64); ok {
				out[i].Alt = fmt.Sprintf(survey.T("%d of %d stars", "%d trên %d sao").Get(lang), int(f), survey.MaxStars)
			}
		}
	}
	return out
}

func htmlFuncs(lang string) template.FuncMap {
	return template.FuncMap{
		"t":           func(key string) string { return word(lang, key) },
		"facts":       func(in Interview) []string { return interviewFacts(in, lang) },
		"heading":     func(s Section) string { return sectionHeading(s, lang) },
		"question":    func(row Row) string { return questionText(row, lang) },
		"rating":      ratingText,
		"polarity":    polarity,
		"hasEvidence": hasEvidence,
		// sectionTable is the data of the "section" template: a section's table, its third
		// column headed by the word commentKey ("comment"; an assessment's "remarks").
		"sectionTable": func(s Section, commentKey string) sectionTable { return sectionTable{s, commentKey} },
		"interviewTitle": func(in Interview) string {
			title := in.Respondent.Agency
			if title == "" {
				title = word(lang, "unknownAgency")
			}
			if in.Respondent.Province != "" {
				title += " — " + in.Respondent.Province
			}
			return title
		},
		"cells": func(t *Table, row TableRow) []htmlCell { return htmlCells(t, row, lang) },
		"polarityClass": func(p survey.Polarity) string {
			switch p {
			case survey.Plus:
				return "plus"
			case survey.Minus:
				return "minus"
			}
			return "neutral"
		},
	}
}

var htmlPage = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("report").Funcs(htmlFuncs(survey.LangEN)).Parse(`{{- define "section"}}{{$key := .CommentKey}}{{with .Section}}
<h3>{{heading .}}</h3>
<table>
<thead><tr><th scope="col">{{t "question"}}</th><th scope="col">{{t "rating"}}</th><th scope="col">{{t $key}}</th></tr></thead>
<tbody>
{{- range .Rows}}
<tr><td class="text">{{question .}}</td><td class="rating">
{{- if .Skipped}}<span class="muted">{{t "skipped"}}</span>
{{- else if .Rating}}<span class="step{{with .Color}} c-{{.}}{{end}}" data-code="{{.Rating}}">{{rating .Symbol .Label}}</span>
{{- else if .Answered}}<span class="value">{{.Value}}</span>
{{- else}}<span class="muted">— {{t "notAnswered"}}</span>
{{- end}}
{{- if .Conflict}}<br><span class="conflict">! {{t "conflict"}}</span>{{end -}}
</td><td class="text">{{.Comment}}</td></tr>
{{- end}}
{{- with .Overall}}
<tr class="overall"><th scope="row">{{t "overall"}}</th><td class="rating">
{{- if .Rating}}<strong class="step{{with .Color}} c-{{.}}{{end}}" data-code="{{.Rating}}">{{rating .Symbol .Label}}</strong>
{{- if .Suggested}} <span class="muted">({{t "suggested"}})</span>{{end}}
{{- else}}<span class="muted">— {{t "noRating"}}</span>
{{- end}}
{{- if .Conflict}}<br><span class="conflict">! {{t "conflict"}}</span>{{end -}}
</td><td class="text">{{.Comment}}</td></tr>
{{- end}}
</tbody>
</table>
{{- if hasEvidence .}}
<h4>{{t "evidence"}}</h4>
<ul class="evidence">
{{- range .Rows}}{{if .Evidence}}
<li>{{.Question}}<ul>
{{- range .Evidence}}
<li class="{{polarityClass .Polarity}}"><span class="pol">{{polarity .Polarity}}</span> {{.Text}}
{{- with .Source}} ({{t "source"}}: {{.}}){{end}}
{{- if not .InScope}} <span class="oos">[{{t "outOfScope"}}{{with .Note}}: {{.}}{{end}}]</span>{{end -}}
</li>
{{- end}}
</ul></li>
{{- end}}{{end}}
</ul>
{{- end}}
{{- range .Rows}}{{if and .Table (not .Skipped)}}{{if .Table.Rows}}{{$row := .}}
<h4>{{question .}}</h4>
<table class="roster">
<thead><tr><th scope="col">#</th>{{range .Table.Columns}}<th scope="col">{{.Label}}</th>{{end}}</tr></thead>
<tbody>
{{- range .Table.Rows}}
<tr><th scope="row">{{.Number}}{{if .Conflict}} <span class="conflict" title="{{t "conflict"}}">!</span>{{end}}</th>{{range cells $row.Table .}}<td class="text">
{{- if .Href}}<a href="{{.Href}}" rel="noreferrer">{{.Text}}</a>
{{- else if .Alt}}<span role="img" aria-label="{{.Alt}}" title="{{.Alt}}">{{.Text}}</span>
{{- else}}{{.Text}}{{end}}</td>{{end}}</tr>
{{- end}}
</tbody>
</table>
{{- if $row.Conflict}}
<p class="conflict">! {{t "rowConflict"}}</p>
{{- end}}
{{- end}}{{end}}{{end}}
{{- end}}{{end -}}
<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body { font-family: system-ui, "Segoe UI", Roboto, "Noto Sans", sans-serif; color: #222; line-height: 1.4; max-width: 64rem; margin: 2rem auto; padding: 0 1rem; }
h1 { margin-bottom: .2rem; }
h2 { margin-top: 2.5rem; border-bottom: 1px solid #999; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
th, td { border: 1px solid #999; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #eee; }
td.text { white-space: pre-line; }
td.rating .value { white-space: pre-line; }
tr.overall td { border-top: 3px double #333; }
tr.overall th { text-align: left; }
.step { display: inline-block; padding: 0 .4rem; border-radius: .2rem; border: 1px solid #666; white-space: nowrap; }
` + stepColorsCSS + `.muted { color: #555; font-style: italic; }
.conflict { color: #a00; font-weight: bold; }
.facts { list-style: none; padding: 0; color: #444; }
.evidence li { white-space: pre-line; }
.pol { font-family: monospace; font-weight: bold; }
.oos { color: #555; font-style: italic; }
@media print { .step { -webkit-print-color-adjust: exact; print-color-adjust: exact; } h2 { break-before: page; } }
</style>
</head>
<body>
<h1>{{.Title}}</h1>
<p>{{t "questionnaire"}} <code>{{.Questionnaire}}</code>, {{t "version"}} {{.Version}}</p>
{{- range .Interviews}}
<h2>{{interviewTitle .}}</h2>
<ul class="facts">
{{- range facts .}}
<li>{{.}}</li>
{{- end}}
</ul>
{{- range .Sections}}
{{- template "section" (sectionTable . "comment")}}
{{- else}}
<p>{{t "noSections"}}</p>
{{- end}}
{{- else}}
<p>{{t "noInterviews"}}</p>
{{- end}}
</body>
</html>
`))
})
