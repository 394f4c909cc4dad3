package report

import (
	"bufio"
	"errors"
	"fmt"
	"html/template"
	"io"
	"strings"
	"sync"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// WriteAssessmentHTML writes r as one self-contained HTML page (inline CSS, no script, no
// external resource) made to be printed on A4: print CSS, each section, the key datasets,
// the action plan and the annex start on a new page, and tables are laid out at the page's
// width with their text wrapped, so that no table is wider than the page. Ratings show
// their symbol and label beside the colour, so the page reads in black and white.
func WriteAssessmentHTML(w io.Writer, r *AssessmentReport) error {
	if r == nil {
		return errors.New("write html assessment report: no report")
	}
	t, err := assessPage().Clone()
	if err != nil {
		return fmt.Errorf("write html assessment report: %w", err)
	}
	t.Funcs(assessFuncs(r.Lang))
	f := &controlFilter{w: w} // no control character from the team's text reaches the page
	bw := bufio.NewWriter(f)
	if err := t.Execute(bw, r); err != nil {
		return fmt.Errorf("write html assessment report: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write html assessment report: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write html assessment report: %w", err)
	}
	return nil
}

func assessFuncs(lang string) template.FuncMap {
	return template.FuncMap{
		"t":        func(key string) string { return aword(lang, key) },
		"facts":    titleFacts,
		"heading":  func(s AssessmentSection) string { return assessHeading(s, lang) },
		"question": func(row TeamRow) string { return teamQuestion(row, lang) },
		"rating":   ratingText,
		"yesno":    func(b bool) string { return yesNo(b, lang) },
		"phase":    func(p Phase) string { return phaseTitle(p, lang) },
		"refs":     sectionRefs,
		"join":     func(s []string) string { return strings.Join(s, ", ") },
		"median":   medianCell,
		"counted":  func(sp Spread) []StepTally { return nonzero(sp) },
		"paras":    paragraphs,
	}
}

// nonzero are the steps of sp that some interview chose.
func nonzero(sp Spread) []StepTally {
	var out []StepTally
	for _, s := range sp.Steps {
		if s.Count > 0 {
			out = append(out, s)
		}
	}
	return out
}

// paragraphs splits a text into paragraphs at blank lines.
func paragraphs(s string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(clean(s), "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

var assessPage = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("assessment").Funcs(assessFuncs(survey.LangEN)).Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
@page { size: A4; margin: 18mm 16mm 20mm; }
body { font-family: system-ui, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif; color: #222; line-height: 1.4; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; font-size: 11pt; }
h1 { margin-bottom: .3rem; }
h2 { margin-top: 2rem; border-bottom: 1px solid #999; }
p, li, td, th { overflow-wrap: anywhere; }
.text p { white-space: pre-line; margin: .4rem 0; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; margin: .5rem 0 1rem; }
th, td { border: 1px solid #999; padding: .25rem .4rem; text-align: left; vertical-align: top; }
th { background: #eee; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
td.text { white-space: pre-line; }
table.ratings col.q { width: 40%; } table.ratings col.r { width: 25%; } table.ratings col.m { width: 35%; }
table.datasets col.a { width: 17%; } table.datasets col.s { width: 21%; } table.datasets col.y { width: 11%; } table.datasets col.o { width: 13%; } table.datasets col.k { width: 27%; }
table.actions col.a { width: 34%; } table.actions col.s { width: 18%; } table.actions col.l { width: 16%; } table.actions col.m { width: 20%; } table.actions col.d { width: 12%; }
table.annex col.q { width: 12%; } table.annex col.n { width: 11%; } table.annex col.c { width: 50%; } table.annex col.m { width: 27%; }
table.interviews col.a { width: 26%; } table.interviews col.p { width: 17%; } table.interviews col.d { width: 17%; } table.interviews col.e { width: 25%; } table.interviews col.s { width: 15%; }
tr.overall td, tr.overall th { border-top: 3px double #333; }
.step { display: inline-block; padding: 0 .3rem; border-radius: .2rem; border: 1px solid #666; }
` + stepColorsCSS + `.muted { color: #555; font-style: italic; }
.conflict { color: #a00; font-weight: bold; }
.facts { list-style: none; padding: 0; color: #333; }
.judgement { font-style: italic; }
.disclaimer { border: 1px solid #999; padding: .3rem .8rem; background: #f6f6f6; }
@media print {
  body { max-width: none; margin: 0; padding: 0; }
  .step { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  h2.page { break-before: page; }
  h2, h3 { break-after: avoid; }
}
</style>
</head>
<body>
<h1>{{.Title}}</h1>
<ul class="facts">
{{- range facts .}}
<li>{{.}}</li>
{{- end}}
</ul>
<p class="judgement">{{t "judgement"}}</p>
<section class="disclaimer">
<h2>{{t "disclaimer"}}</h2>
<div class="text">{{range paras .Disclaimer}}<p>{{.}}</p>{{end}}</div>
</section>
{{- with .Introduction}}
<h2>{{t "introduction"}}</h2>
<div class="text">{{range paras .}}<p>{{.}}</p>{{end}}</div>
{{- end}}
{{- with .Summary}}
<h2>{{t "summary"}}</h2>
<div class="text">{{range paras .}}<p>{{.}}</p>{{end}}</div>
{{- end}}
{{- range .Sections}}
<h2 class="page" id="section-{{.ID}}">{{heading .}}</h2>
{{- with .Analysis}}
<div class="text">{{range paras .}}<p>{{.}}</p>{{end}}</div>
{{- end}}
{{- if .HasTable}}
<table class="ratings">
<colgroup><col class="q"><col class="r"><col class="m"></colgroup>
<thead><tr><th scope="col">{{t "question"}}</th><th scope="col">{{t "rating"}}</th><th scope="col">{{t "remarks"}}</th></tr></thead>
<tbody>
{{- range .Rows}}
<tr><td class="text">{{question .}}</td><td class="rating">
{{- if .Rating}}<span class="step{{with .Color}} c-{{.}}{{end}}" data-code="{{.Rating}}">{{rating .Symbol .Label}}</span>
{{- else}}<span class="muted">— {{t "notRated"}}</span>{{end}}
{{- if .Conflict}}<br><span class="conflict">! {{t "conflict"}}</span>{{end -}}
</td><td class="text">{{.Remarks}}</td></tr>
{{- end}}
{{- with .Overall}}
<tr class="overall"><th scope="row">{{t "overall"}}</th><td class="rating">
{{- if .Rating}}<strong class="step{{with .Color}} c-{{.}}{{end}}" data-code="{{.Rating}}">{{rating .Symbol .Label}}</strong>
{{- else}}<span class="muted">— {{t "notRated"}}</span>{{end}}
{{- if .Conflict}}<br><span class="conflict">! {{t "conflict"}}</span>{{end -}}
</td><td class="text">{{.Remarks}}</td></tr>
{{- end}}
</tbody>
</table>
{{- end}}
{{- end}}
<h2 class="page" id="datasets">{{t "datasets"}}</h2>
{{- if .Datasets}}
<table class="datasets">
<colgroup><col class="a"><col class="s"><col class="y"><col class="y"><col class="o"><col class="k"></colgroup>
<thead><tr><th scope="col">{{t "dsAgency"}}</th><th scope="col">{{t "dsSource"}}</th><th scope="col">{{t "dsPublic"}}</th><th scope="col">{{t "dsService"}}</th><th scope="col">{{t "dsOpenness"}}</th><th scope="col">{{t "dsRemarks"}}</th></tr></thead>
<tbody>
{{- range .Datasets}}
<tr><td>{{.Agency}}</td><td>{{.Source}}</td><td>{{yesno .KeyForPublic}}</td><td>{{yesno .KeyToService}}</td><td>{{.OpennessText}}</td><td class="text">{{.Remarks}}{{if .Conflict}}<br><span class="conflict">! {{t "conflict"}}</span>{{end}}</td></tr>
{{- end}}
</tbody>
</table>
{{- else}}
<p>{{t "noDatasets"}}</p>
{{- end}}
{{- with .Conclusions}}
<h2>{{t "conclusions"}}</h2>
<div class="text">{{range paras .}}<p>{{.}}</p>{{end}}</div>
{{- end}}
<h2 class="page" id="action-plan">{{t "actionPlan"}}</h2>
{{- range .Phases}}
<h3>{{phase .}}</h3>
<table class="actions">
<colgroup><col class="a"><col class="s"><col class="l"><col class="m"><col class="d"></colgroup>
<thead><tr><th scope="col">{{t "action"}}</th><th scope="col">{{t "sectionsRef"}}</th><th scope="col">{{t "lead"}}</th><th scope="col">{{t "measure"}}</th><th scope="col">{{t "dependsOn"}}</th></tr></thead>
<tbody>
{{- range .Actions}}
<tr id="action-{{.ID}}"><td class="text"><strong>{{.ID}}</strong> {{.Action}}{{if .Conflict}}<br><span class="conflict">! {{t "conflict"}}</span>{{end}}</td><td>{{range $i, $s := .Sections}}{{if $i}}; {{end}}<a href="#section-{{$s.ID}}">{{$s.ID}}. {{$s.Title}}</a>{{end}}</td><td>{{.Lead}}</td><td class="text">{{.Measure}}</td><td>{{range $i, $d := .DependsOn}}{{if $i}}, {{end}}<a href="#action-{{$d}}">{{$d}}</a>{{end}}</td></tr>
{{- end}}
</tbody>
</table>
{{- else}}
<p>{{t "noActions"}}</p>
{{- end}}
<h2 class="page" id="annex">{{t "annex"}}</h2>
<p class="muted">{{t "annexNote"}}</p>
{{- if .Interviews}}
<table class="interviews">
<colgroup><col class="a"><col class="p"><col class="d"><col class="e"><col class="s"></colgroup>
<thead><tr><th scope="col">{{t "agency"}}</th><th scope="col">{{t "province"}}</th><th scope="col">{{t "date"}}</th><th scope="col">{{t "assessor"}}</th><th scope="col">{{t "status"}}</th></tr></thead>
<tbody>
{{- range .Interviews}}
<tr><td>{{.Agency}}</td><td>{{.Province}}</td><td>{{.Date}}</td><td>{{.Assessor}}</td><td>{{.StatusLabel}}</td></tr>
{{- end}}
</tbody>
</table>
{{- range .Sections}}
{{- if .HasTable}}
<h3>{{.ID}}. {{.Title}}</h3>
<table class="annex">
<colgroup><col class="q"><col class="n"><col class="c"><col class="m"></colgroup>
<thead><tr><th scope="col">{{t "question"}}</th><th scope="col">{{t "ratedBy"}}</th><th scope="col">{{t "distribution"}}</th><th scope="col">{{t "suggestedCol"}}</th></tr></thead>
<tbody>
{{- range .Rows}}
<tr><td>{{.Question}}</td><td>{{.Interviews.Rated}}</td><td>{{range $i, $s := counted .Interviews}}{{if $i}} · {{end}}<span class="step{{with $s.Color}} c-{{.}}{{end}}">{{rating $s.Symbol $s.Label}}</span> {{$s.Count}}{{else}}<span class="muted">{{t "noRatings"}}</span>{{end}}</td><td>{{median .Interviews}}</td></tr>
{{- end}}
{{- with .Interviews}}
<tr class="overall"><th scope="row">{{t "overall"}}</th><td>{{.Rated}}</td><td>{{range $i, $s := counted .}}{{if $i}} · {{end}}<span class="step{{with $s.Color}} c-{{.}}{{end}}">{{rating $s.Symbol $s.Label}}</span> {{$s.Count}}{{else}}<span class="muted">{{t "noRatings"}}</span>{{end}}</td><td>{{median .}}</td></tr>
{{- end}}
</tbody>
</table>
{{- end}}
{{- end}}
{{- else}}
<p>{{t "noInterviews"}}</p>
{{- end}}
</body>
</html>
`))
})
