package survey

import (
	"fmt"
	"strings"
	"time"
)

// SpanKind says what a piece of a rendered history line is, so that a presenter (the
// command line, the screens) can style it. The text of every span reads the same without
// any style: removed and added words carry their own [-…-] and {+…+} marks.
type SpanKind int

// The kinds of span.
const (
	SpanText     SpanKind = iota // ordinary text
	SpanMeta                     // who and when: quiet
	SpanWhat                     // the target: a heading
	SpanDeleted                  // words removed: [-words-] in a text, or a removed item
	SpanInserted                 // words added: {+words+} in a text, or an added item
	SpanRating                   // a rating's label; Code is its code
	SpanSettle                   // the mark of a settlement
)

// Span is a piece of a line of text.
type Span struct {
	Kind SpanKind
	Text string
	// Code is the rating code of a SpanRating.
	Code Code
}

// Line is one line of a rendered history: an indent (in spaces, also the indent of its
// continuation when a presenter wraps it) and its spans.
type Line struct {
	Indent int
	Spans  []Span
}

// String returns the line as plain text.
func (l Line) String() string {
	var b strings.Builder
	b.WriteString(strings.Repeat(" ", l.Indent))
	for _, s := range l.Spans {
		b.WriteString(s.Text)
	}
	return b.String()
}

// RenderOptions says how history is written as text.
type RenderOptions struct {
	// Lang is the language of the words ("vi" or "en").
	Lang string
	// Time writes a time; nil: UTC as "2006-01-02 15:04".
	Time func(time.Time) string
	// NoTarget leaves out the line that names the target (a view of one target's history).
	NoTarget bool
}

func (o RenderOptions) time(t time.Time) string {
	if o.Time != nil {
		return o.Time(t)
	}
	return t.UTC().Format("2006-01-02 15:04")
}

func (o RenderOptions) t(en, vi string) string { return T(en, vi).Get(o.Lang) }

// keepWords is how many unchanged words a text diff shows beside a change; longer
// unchanged stretches are shortened with "…".
const keepWords = 4

// WhoText writes who: the principal and the device, or the server.
func WhoText(w Who, lang string) string {
	o := RenderOptions{Lang: lang}
	p := w.Principal
	if p == "" {
		p = "–"
	}
	if w.Server {
		return p + " · " + o.t("the server", "máy chủ") + " (" + w.Device + ")"
	}
	return p + " · " + o.t("device ", "thiết bị ") + w.Device
}

// Lines writes e as text: a first line with when and who (and whether it settles a
// conflict), the target, then what changed. For a settlement, each replaced version is
// numbered as the conflict listed it ([1] newest) with what the settlement changed in it.
func (e HistoryEntry) Lines(o RenderOptions) []Line {
	head := []Span{{Kind: SpanMeta, Text: o.time(e.At) + " · " + WhoText(e.Who, o.Lang)}}
	if e.Settles {
		head = append(head, Span{Kind: SpanMeta, Text: " · "},
			Span{Kind: SpanSettle, Text: fmt.Sprintf(o.t("settles a conflict of %d versions", "giải quyết xung đột giữa %d phiên bản"), len(e.Replaces))})
	}
	out := []Line{{Spans: head}}
	if !o.NoTarget {
		out = append(out, Line{Indent: 2, Spans: []Span{{Kind: SpanWhat, Text: e.What.Get(o.Lang)}}})
	}
	if !e.Settles && len(e.From) == 1 {
		s := e.From[0]
		switch {
		case s.Missing:
			out = append(out, Line{Indent: 2, Spans: []Span{{Kind: SpanMeta, Text: fmt.Sprintf(o.t(
				"replaces version %s, which is not in this store yet", "thay phiên bản %s, chưa có trong kho này"), short(s.ID))}}})
		case s.Same:
			out = append(out, Line{Indent: 2, Spans: []Span{{Kind: SpanMeta, Text: o.t("the same value again", "giá trị như cũ")}}})
		}
		return append(out, changeLines(s.Changes, 2, o)...)
	}
	for i, s := range e.From {
		label := fmt.Sprintf("[%d] ", i+1)
		switch {
		case s.Missing:
			out = append(out, Line{Indent: 2, Spans: []Span{{Kind: SpanMeta, Text: label + fmt.Sprintf(o.t(
				"replaced version %s, which is not in this store yet", "thay phiên bản %s, chưa có trong kho này"), short(s.ID))}}})
			continue
		case s.Same:
			out = append(out, Line{Indent: 2, Spans: []Span{{Kind: SpanMeta, Text: label + fmt.Sprintf(o.t(
				"taken as it was: %s · %s", "giữ nguyên: %s · %s"), o.time(s.At), WhoText(s.Who, o.Lang))}}})
			continue
		}
		out = append(out, Line{Indent: 2, Spans: []Span{{Kind: SpanMeta, Text: label + fmt.Sprintf(o.t(
			"replaced %s · %s:", "thay bản %s · %s:"), o.time(s.At), WhoText(s.Who, o.Lang))}}})
		out = append(out, changeLines(s.Changes, 6, o)...)
	}
	return out
}

// changeLines writes changes, one field a line at indent (evidence items each on a line
// of their own below it).
func changeLines(cs []FieldChange, indent int, o RenderOptions) []Line {
	var out []Line
	for _, c := range cs {
		label := Span{Text: c.Label.Get(o.Lang) + ": "}
		if c.Field == "evidence" {
			out = append(out, Line{Indent: indent, Spans: []Span{{Text: c.Label.Get(o.Lang) + ":"}}})
			for _, it := range c.Items {
				out = append(out, itemLine(it, indent+2, o))
			}
			continue
		}
		out = append(out, Line{Indent: indent, Spans: append([]Span{label}, valueSpans(c, o)...)})
	}
	return out
}

// valueSpans writes what a field change did: the word diff of a text, or old → new.
func valueSpans(c FieldChange, o RenderOptions) []Span {
	if c.Words != nil {
		return wordSpans(c.Words, o)
	}
	val := func(code string, t Text, kind SpanKind) Span {
		if t.Empty() {
			return Span{Kind: SpanMeta, Text: "–"}
		}
		return Span{Kind: kind, Text: t.Get(o.Lang), Code: Code(code)}
	}
	kind := SpanText
	if c.Rating {
		kind = SpanRating
	}
	if c.OldText.Empty() {
		return []Span{val(c.New, c.NewText, kind)}
	}
	return []Span{val(c.Old, c.OldText, kind), {Text: " → "}, val(c.New, c.NewText, kind)}
}

// wordSpans writes a word diff: a text set from nothing plainly, a cleared one as such,
// otherwise with the removed words in [-…-] and the added ones in {+…+}, long unchanged
// stretches shortened.
func wordSpans(runs []WordRun, o RenderOptions) []Span {
	var dels, ins int
	for _, r := range runs {
		switch r.Op {
		case DiffDelete:
			dels++
		case DiffInsert:
			ins++
		}
	}
	switch {
	case dels == 0 && ins == 1 && len(runs) == 1:
		return []Span{{Kind: SpanText, Text: runs[0].Text}}
	case ins == 0 && dels == 1 && len(runs) == 1:
		return []Span{{Kind: SpanMeta, Text: o.t("cleared ", "đã xoá ")}, {Kind: SpanDeleted, Text: "[-" + runs[0].Text + "-]"}}
	}
	var out []Span
	for i, r := range runs {
		if i > 0 {
			out = append(out, Span{Text: " "})
		}
		switch r.Op {
		case DiffDelete:
			out = append(out, Span{Kind: SpanDeleted, Text: "[-" + r.Text + "-]"})
		case DiffInsert:
			out = append(out, Span{Kind: SpanInserted, Text: "{+" + r.Text + "+}"})
		default:
			out = append(out, Span{Kind: SpanText, Text: elide(r.Text, i > 0, i < len(runs)-1)})
		}
	}
	return out
}

// elide shortens an unchanged stretch of words, keeping those next to a change: the
// first ones when a change comes before, the last ones when one comes after.
func elide(s string, before, after bool) string {
	w := strings.Fields(s)
	if len(w) <= 2*keepWords+1 {
		return s
	}
	switch {
	case before && after:
		return strings.Join(w[:keepWords], " ") + " … " + strings.Join(w[len(w)-keepWords:], " ")
	case before:
		return strings.Join(w[:keepWords], " ") + " …"
	case after:
		return "… " + strings.Join(w[len(w)-keepWords:], " ")
	}
	return s
}

// EvidenceText writes an evidence item on one line: sign, text, source and scope.
func EvidenceText(e Evidence, lang string) string {
	s := string(e.Polarity) + " " + e.Text
	if e.Source != "" {
		s += " — " + e.Source
	}
	if !e.InScope {
		note := T("out of scope", "ngoài phạm vi").Get(lang)
		if e.Note != "" {
			note += ": " + e.Note
		}
		s += " (" + note + ")"
	}
	return s
}

func itemLine(it ItemChange, indent int, o RenderOptions) Line {
	switch it.Op {
	case DiffInsert:
		return Line{Indent: indent, Spans: []Span{{Text: o.t("added: ", "thêm: ")},
			{Kind: SpanInserted, Text: EvidenceText(*it.New, o.Lang)}}}
	case DiffDelete:
		return Line{Indent: indent, Spans: []Span{{Text: o.t("removed: ", "bỏ: ")},
			{Kind: SpanDeleted, Text: EvidenceText(*it.Old, o.Lang)}}}
	}
	spans := []Span{{Text: fmt.Sprintf(o.t("item %d: ", "mục %d: "), it.Index)}}
	for i, c := range it.Changes {
		if i > 0 {
			spans = append(spans, Span{Text: "; "})
		}
		spans = append(spans, Span{Text: c.Label.Get(o.Lang) + " "})
		spans = append(spans, valueSpans(c, o)...)
	}
	return Line{Indent: indent, Spans: spans}
}
