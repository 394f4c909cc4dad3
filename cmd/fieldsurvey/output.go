package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/fieldsurvey/fieldsurvey/internal/atomicfile"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// errorText returns err's message in lang: its own text in that language where it carries
// one (*survey.UserError, *survey.StepError and others with a Text method), else err.Error().
func errorText(err error, lang string) string {
	return survey.ErrorText(err).Get(lang)
}

// fail returns a *survey.UserError with the message in English and Vietnamese; args are
// formatted into both.
func fail(en, vi string, args ...any) *survey.UserError {
	return survey.UserErr(en, vi, args...)
}

// failWrap is fail with a cause.
func failWrap(err error, en, vi string, args ...any) *survey.UserError {
	e := fail(en, vi, args...)
	e.Err = err
	return e
}

// groupCommand makes cmd, a command that only holds subcommands, print its help when run
// alone and fail on an unknown subcommand (cobra would print the help and succeed).
func groupCommand(cmd *cobra.Command, subs ...*cobra.Command) *cobra.Command {
	cmd.Args = cobra.ArbitraryArgs
	cmd.RunE = func(c *cobra.Command, args []string) error {
		if len(args) == 0 {
			return c.Help()
		}
		return withHint(fail("unknown command %q for %q", "không có lệnh %q trong %q", args[0], c.CommandPath()),
			"see '%s --help'", "xem '%s --help'", c.CommandPath())
	}
	cmd.AddCommand(subs...)
	return cmd
}

// plural returns one when n is 1, else many (English; Vietnamese nouns do not change).
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// withHint attaches a hint (English and Vietnamese) to err.
func withHint(err error, en, vi string, args ...any) error {
	if err == nil {
		return nil
	}
	h := survey.T(fmt.Sprintf(en, args...), fmt.Sprintf(vi, args...))
	if ue, ok := err.(*survey.UserError); ok && ue.Hint.Empty() {
		cp := *ue
		cp.Hint = h
		return &cp
	}
	return &survey.UserError{Err: err, Hint: h}
}

// hintOf returns the first hint in err's chain: that of an error that knows the remedy
// (*survey.UserError and others with a HintText method).
func hintOf(err error) survey.Text {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if ue, ok := e.(interface{ HintText() survey.Text }); ok {
			if h := ue.HintText(); !h.Empty() {
				return h
			}
		}
	}
	return nil
}

// printError writes err as "fieldsurvey: error: …" (one line per line of the message) and
// its hint as "fieldsurvey: hint: …". A line equal to the one before it is written once: a
// PostgreSQL driver reports each connection attempt (with TLS, then without), and both
// fail alike when nothing listens.
func printError(w io.Writer, err error, lang string) {
	lines := strings.Split(strings.TrimRight(errorText(err, lang), "\n"), "\n")
	fmt.Fprintf(w, "fieldsurvey: %s: %s\n", word(lang, "error"), lines[0])
	for i, l := range lines[1:] {
		if l == lines[i] {
			continue
		}
		fmt.Fprintf(w, "  %s\n", l)
	}
	if h := hintOf(err); !h.Empty() {
		fmt.Fprintf(w, "fieldsurvey: %s: %s\n", word(lang, "hint"), h.Get(lang))
	}
}

// words are the short words of the command line's output in every language.
var words = map[string]survey.Text{
	"error":         survey.T("error", "lỗi"),
	"hint":          survey.T("hint", "gợi ý"),
	"note":          survey.T("note", "lưu ý"),
	"warning":       survey.T("warning", "cảnh báo"),
	"id":            survey.T("ID", "MÃ"),
	"version":       survey.T("VERSION", "PHIÊN BẢN"),
	"title":         survey.T("TITLE", "TÊN"),
	"sections":      survey.T("SECTIONS", "PHẦN"),
	"questions":     survey.T("QUESTIONS", "CÂU HỎI"),
	"languages":     survey.T("LANGUAGES", "NGÔN NGỮ"),
	"source":        survey.T("SOURCE", "NGUỒN"),
	"questionnaire": survey.T("QUESTIONNAIRE", "BẢNG HỎI"),
	"agency":        survey.T("AGENCY", "CƠ QUAN"),
	"province":      survey.T("PROVINCE", "TỈNH/BỘ"),
	"assessor":      survey.T("ASSESSOR", "NGƯỜI ĐÁNH GIÁ"),
	"status":        survey.T("STATUS", "TRẠNG THÁI"),
	"progress":      survey.T("PROGRESS", "TIẾN ĐỘ"),
	"updated":       survey.T("UPDATED", "CẬP NHẬT"),
	"type":          survey.T("TYPE", "LOẠI"),
	"importance":    survey.T("IMPORTANCE", "MỨC QUAN TRỌNG"),
	"text":          survey.T("TEXT", "NỘI DUNG"),
	"bundled":       survey.T("bundled", "tích hợp sẵn"),
	"file":          survey.T("file", "tệp"),
}

// word returns the word key in lang.
func word(lang, key string) string {
	if t, ok := words[key]; ok {
		return t.Get(lang)
	}
	return key
}

// table writes aligned columns. Cells must not hold tabs or newlines. Nothing reaches
// the writer before flush (the columns' widths are known only then); flush writes through
// a buffer, in a few large writes rather than one a cell (a list of 10,000 interviews made
// 186,000 write calls, half its time).
type table struct {
	tw  *tabwriter.Writer
	buf *bufio.Writer
}

func newTable(w io.Writer, header ...string) *table {
	buf := bufio.NewWriterSize(w, 64<<10)
	t := &table{tw: tabwriter.NewWriter(buf, 0, 0, 2, ' ', 0), buf: buf}
	if len(header) > 0 {
		t.row(header...)
	}
	return t
}

// cellSpaces makes the tabs and line breaks in a cell spaces (made once: a list of 100,000
// interviews has a million cells).
var cellSpaces = strings.NewReplacer("\t", " ", "\n", " ", "\r", " ")

func (t *table) row(cells ...string) {
	for len(cells) > 0 && cells[len(cells)-1] == "" {
		cells = cells[:len(cells)-1] // no padding at the end of a line
	}
	for i, c := range cells {
		cells[i] = cellSpaces.Replace(c)
	}
	fmt.Fprintln(t.tw, strings.Join(cells, "\t"))
}

func (t *table) flush() error {
	if err := t.tw.Flush(); err != nil {
		return err
	}
	return t.buf.Flush()
}

// writeJSON writes v as indented JSON with a trailing newline, HTML characters unescaped.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}

// The command line writes files through internal/atomicfile: a synced temporary file
// renamed (or, for files never to be replaced, hard-linked) into place.
var (
	writeFileAtomic  = atomicfile.Write
	createFileAtomic = atomicfile.Create
)
