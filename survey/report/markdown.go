package report

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// WriteMarkdown writes r as markdown: a heading per interview and per section, a pipe table
// question | rating | comment with the overall row last, and the evidence as lists. Text
// from the interviews is escaped so that it cannot break a table or turn into markup.
func WriteMarkdown(w io.Writer, r *Report) error {
	if r == nil {
		return errors.New("write markdown report: no report")
	}
	if err := writeMarkdown(w, r.Lang, func(m *mdWriter) { m.report(r) }); err != nil {
		return fmt.Errorf("write markdown report: %w", err)
	}
	return nil
}

// writeMarkdown runs write with a mdWriter on w in lang, through the control filter.
func writeMarkdown(w io.Writer, lang string, write func(m *mdWriter)) error {
	f := &controlFilter{w: w}
	bw := bufio.NewWriter(f)
	write(&mdWriter{w: bw, lang: lang})
	if err := bw.Flush(); err != nil {
		return err
	}
	return f.Close()
}

type mdWriter struct {
	w    *bufio.Writer
	lang string
}

func (m *mdWriter) word(key string) string { return word(m.lang, key) }

func (m *mdWriter) line(s string) { m.w.WriteString(s + "\n") }

// mdEscaper escapes the characters that markdown would read as markup or as a table cell
// boundary.
var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`,
	"<", `\<`, ">", `\>`, "|", `\|`, "#", `\#`,
)

// md escapes s for markdown and joins its lines with <br>, so that it stays in one table
// cell or one list item.
func md(s string) string {
	lines := strings.Split(strings.TrimSpace(clean(s)), "\n")
	for i, l := range lines {
		lines[i] = mdEscaper.Replace(strings.TrimSpace(l))
	}
	return strings.Join(lines, "<br>")
}

func (m *mdWriter) report(r *Report) {
	m.line("# " + md(r.Title))
	m.line("")
	m.line(fmt.Sprintf("%s `%s`, %s %s", m.word("questionnaire"), strings.ReplaceAll(r.Questionnaire, "`", ""), m.word("version"), md(r.Version)))
	if len(r.Interviews) == 0 {
		m.line("")
		m.line(m.word("noInterviews"))
	}
	for _, in := range r.Interviews {
		m.interview(in)
	}
}

func (m *mdWriter) interview(in Interview) {
	title := in.Respondent.Agency
	if title == "" {
		title = m.word("unknownAgency")
	}
	if in.Respondent.Province != "" {
		title += " — " + in.Respondent.Province
	}
	m.line("")
	m.line("## " + md(title))
	m.line("")
	for _, f := range interviewFacts(in, m.lang) {
		m.line("- " + md(f))
	}
	if len(in.Sections) == 0 {
		m.line("")
		m.line(m.word("noSections"))
	}
	for _, s := range in.Sections {
		m.section(s, "comment")
	}
}

func (m *mdWriter) rating(symbol, label string) string {
	return md(ratingText(symbol, label))
}

// section writes the table of one section, its third column headed by the word
// commentKey (see textWriter.section).
func (m *mdWriter) section(s Section, commentKey string) {
	m.line("")
	m.line("### " + md(sectionHeading(s, m.lang)))
	m.line("")
	m.line("| " + m.word("question") + " | " + m.word("rating") + " | " + m.word(commentKey) + " |")
	m.line("| --- | --- | --- |")
	for _, row := range s.Rows {
		var cell string
		switch {
		case row.Skipped:
			cell = "*" + m.word("skipped") + "*"
		case row.Rating != "":
			cell = m.rating(row.Symbol, row.Label)
		case row.Answered:
			cell = md(row.Value)
		default:
			cell = "— *" + m.word("notAnswered") + "*"
		}
		if row.Conflict {
			cell += "<br>**! " + m.word("conflict") + "**"
		}
		m.line("| " + md(questionText(row, m.lang)) + " | " + cell + " | " + md(row.Comment) + " |")
	}
	if o := s.Overall; o != nil {
		var cell string
		if o.Rating == "" {
			cell = "— *" + m.word("noRating") + "*"
		} else {
			cell = "**" + m.rating(o.Symbol, o.Label) + "**"
			if o.Suggested {
				cell += " *(" + m.word("suggested") + ")*"
			}
		}
		if o.Conflict {
			cell += "<br>**! " + m.word("conflict") + "**"
		}
		m.line("| **" + m.word("overall") + "** | " + cell + " | " + md(o.Comment) + " |")
	}
	defer m.tables(s)
	if !hasEvidence(s) {
		return
	}
	m.line("")
	m.line("**" + m.word("evidence") + "**")
	m.line("")
	for _, row := range s.Rows {
		if len(row.Evidence) == 0 {
			continue
		}
		m.line("- " + md(row.Question))
		for _, e := range row.Evidence {
			item := "`" + polarity(e.Polarity) + "` " + md(e.Text)
			if e.Source != "" {
				item += " (" + m.word("source") + ": " + md(e.Source) + ")"
			}
			if !e.InScope {
				item += " — *" + m.word("outOfScope")
				if e.Note != "" {
					item += ": " + md(e.Note)
				}
				item += "*"
			}
			m.line("  - " + item)
		}
	}
}

// tables writes the table of every roster of section s: a bold heading (the question),
// then a pipe table # | one column per roster column, a row per roster row.
func (m *mdWriter) tables(s Section) {
	for _, row := range s.Rows {
		if row.Table == nil || row.Skipped || len(row.Table.Rows) == 0 {
			continue
		}
		tb := row.Table
		m.line("")
		m.line("**" + md(questionText(row, m.lang)) + "**")
		m.line("")
		head, rule := "| # |", "| ---: |"
		for _, c := range tb.Columns {
			head += " " + md(c.Label) + " |"
			rule += " --- |"
		}
		m.line(head)
		m.line(rule)
		for _, tr := range tb.Rows {
			l := "| " + strconv.Itoa(tr.Number)
			if tr.Conflict {
				l += " **!**"
			}
			l += " |"
			for _, c := range tr.Text {
				l += " " + md(c) + " |"
			}
			m.line(l)
		}
		if row.Conflict {
			m.line("")
			m.line("**!** " + md(m.word("rowConflict")))
		}
	}
}
