package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"golang.org/x/text/unicode/norm"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// golden compares got with testdata/name, or rewrites the file under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (review, then go test -update):\n--- got ---\n%s", name, got)
	}
}

type writer func(*bytes.Buffer, *Report) error

func render(t *testing.T, r *Report, w writer) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := w(&buf, r); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func textAt(width int, style Styler) writer {
	return func(b *bytes.Buffer, r *Report) error { return WriteText(b, r, style, width) }
}

func TestGolden(t *testing.T) {
	for _, lang := range []string{"en", "vi"} {
		r := build(t, Options{Lang: lang})
		golden(t, "report."+lang+".txt", render(t, r, textAt(80, nil)))
		golden(t, "report."+lang+".md", render(t, r, func(b *bytes.Buffer, r *Report) error { return WriteMarkdown(b, r) }))
	}
	r := build(t, Options{Lang: "vi"})
	golden(t, "report.vi.csv", render(t, r, func(b *bytes.Buffer, r *Report) error { return WriteCSV(b, r, CSVOptions{}) }))
	golden(t, "report.vi.json", render(t, r, func(b *bytes.Buffer, r *Report) error { return WriteJSON(b, r) }))
	golden(t, "report.vi.html", render(t, r, func(b *bytes.Buffer, r *Report) error { return WriteHTML(b, r) }))
	golden(t, "report.en.html", render(t, build(t, Options{Lang: "en"}), func(b *bytes.Buffer, r *Report) error { return WriteHTML(b, r) }))
}

// tableLines returns the lines of out that belong to a table (they start with a border).
func tableLines(out string) []string {
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if l != "" && strings.ContainsRune("┌│├╞└", []rune(l)[0]) {
			lines = append(lines, l)
		}
	}
	return lines
}

func TestTextTablesAlign(t *testing.T) {
	for _, lang := range []string{"en", "vi"} {
		r := build(t, Options{Lang: lang})
		for _, width := range []int{40, 57, 80, 132} {
			out := string(render(t, r, textAt(width, nil)))
			lines := tableLines(out)
			if len(lines) < 20 {
				t.Fatalf("%s at %d: only %d table lines", lang, width, len(lines))
			}
			for _, l := range lines {
				// Measured by an independent implementation, the one the TUI uses.
				if w := ansi.StringWidth(l); w != width {
					t.Errorf("%s at width %d: line is %d columns wide: %q", lang, width, w, l)
				}
			}
			for _, l := range strings.Split(out, "\n") {
				if w := ansi.StringWidth(l); w > width {
					t.Errorf("%s at width %d: line of %d columns: %q", lang, width, w, l)
				}
			}
		}
	}
}

func TestTextMarks(t *testing.T) {
	out := string(render(t, build(t, Options{Lang: "vi"}), textAt(132, nil)))
	for _, want := range []string{
		"●●●●● Xanh", "●●●○○ Vàng", "●●●●○ Vàng/Xanh", "(gợi ý)", "Đánh giá chung", "bỏ qua", "— chưa trả lời",
		"— chưa có mức đánh giá", "? Không biết", "! phiên bản xung đột", "Bằng chứng", "42,5",
		"- Law on Access to Information not yet in force (nguồn: Luật 104/2016/QH13) [ngoài phạm vi: in force from 1 July 2018]",
		"+ Decision on the open data portal", "0 Press coverage is mixed",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the Vietnamese text report lacks %q", want)
		}
	}
	if strings.Contains(out, "stale answer") {
		t.Error("the answer of a skipped question shows")
	}
}

func TestTextStyler(t *testing.T) {
	r := build(t, Options{Lang: "vi"})
	var codes []survey.Code
	style := func(c survey.Code, label string) string {
		codes = append(codes, c)
		return "\x1b[1;31m" + label + "\x1b[0m"
	}
	plain := string(render(t, r, textAt(80, nil)))
	styled := string(render(t, r, textAt(80, style)))
	if styled == plain {
		t.Fatal("the styler was not used")
	}
	if ansi.Strip(styled) != plain {
		t.Error("styling changed the layout: stripped of colour, the output must equal the plain one")
	}
	seen := map[survey.Code]bool{}
	for _, c := range codes {
		seen[c] = true
	}
	for _, c := range []survey.Code{survey.Green, survey.AmberRed, survey.Amber, survey.AmberGreen, survey.DontKnow} {
		if !seen[c] {
			t.Errorf("the styler never got %s", c)
		}
	}
	for _, l := range tableLines(styled) {
		if w := ansi.StringWidth(l); w != 80 {
			t.Errorf("styled line is %d columns wide: %q", w, l)
		}
	}
}

func TestTextWidthLimits(t *testing.T) {
	r := build(t, Options{})
	var buf bytes.Buffer
	err := WriteText(&buf, r, nil, 30)
	if err == nil || !strings.Contains(err.Error(), "at least 40") {
		t.Errorf("width 30: err = %v, want a message naming the minimum", err)
	}
	if buf.Len() != 0 {
		t.Error("a refused width wrote something")
	}
	if got := render(t, r, textAt(0, nil)); !bytes.Equal(got, render(t, r, textAt(DefaultTextWidth, nil))) {
		t.Error("width 0 is not the default width")
	}
}

func TestTextHostileInput(t *testing.T) {
	r := build(t, Options{Lang: "en", Interviews: []string{idDaNang}, Sections: []string{"1"}})
	r.Interviews[0].Sections[0].Rows[1].Comment = "evil\x1b]0;pwned\x07 \x1b[2Jtext\twith tab\r\nand CRLF"
	// A report built by hand may hold decomposed text, and a name may be in wide characters:
	// they must align all the same.
	r.Interviews[0].Sections[0].Rows[3].Comment = norm.NFD.String(strings.Repeat("Việc phối hợp giữa các sở còn rời rạc. ", 4)) +
		"数据开放数据开放数据开放数据开放数据开放数据开放"
	r.Interviews[0].Sections[0].Overall.Label = norm.NFD.String("Vàng/Đỏ")
	out := string(render(t, r, textAt(80, nil)))
	if strings.ContainsAny(out, "\x1b\x07\r\t") {
		t.Errorf("control characters reached the terminal: %q", out)
	}
	for _, l := range tableLines(out) {
		if w := ansi.StringWidth(l); w != 80 {
			t.Errorf("line is %d columns wide: %q", w, l)
		}
	}
}

func TestMarkdownEscapes(t *testing.T) {
	r := build(t, Options{Lang: "en", Interviews: []string{idDaNang}, Sections: []string{"1"}})
	out := string(render(t, r, func(b *bytes.Buffer, r *Report) error { return WriteMarkdown(b, r) }))
	// 1.1's comment holds a pipe and a line break: its row stays one row of three cells.
	var row string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "| 1.1 ") {
			row = l
		}
	}
	if row == "" {
		t.Fatal("no table row for 1.1")
	}
	if n := strings.Count(row, "|") - strings.Count(row, `\|`); n != 4 {
		t.Errorf("row 1.1 has %d cell borders, want 4: %q", n, row)
	}
	if !strings.Contains(row, `portal \| and champions it.<br>He reports`) {
		t.Errorf("pipe and line break not escaped: %q", row)
	}
	for _, want := range []string{"**Overall**", "**●●●○○ Amber**", "*skipped*", "— *not answered*",
		"  - `-` Law on Access to Information not yet in force (source: Luật 104/2016/QH13) — *out of scope: in force from 1 July 2018*"} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
}

func TestHTML(t *testing.T) {
	r := build(t, Options{Lang: "vi"})
	r.Interviews[1].Sections[0].Rows[0].Comment = `<script>alert("x")</script>`
	out := string(render(t, r, func(b *bytes.Buffer, r *Report) error { return WriteHTML(b, r) }))
	if strings.Contains(out, "<script") || !strings.Contains(out, "&lt;script&gt;") {
		t.Error("interview text is not escaped in HTML")
	}
	for _, want := range []string{`<html lang="vi">`, `class="step c-green" data-code="green">●●●●● Xanh</span>`,
		`<strong class="step c-amber-green" data-code="amber-green">●●●●○ Vàng/Xanh</strong> <span class="muted">(gợi ý)</span>`,
		"Đánh giá chung", "[ngoài phạm vi: in force from 1 July 2018]", ".c-amber-red {"} {
		if !strings.Contains(out, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	// Nothing is loaded from anywhere; the only href is the roster's URL cell, a link.
	for _, bad := range []string{"<link", "src=", "url(", "@import"} {
		if strings.Contains(out, bad) {
			t.Errorf("the page is not self-contained: it holds %q", bad)
		}
	}
	const link = `<td class="text"><a href="https://stnmt.danang.gov.vn/ban-do-hien-trang-su-dung-dat-2025" rel="noreferrer">https://stnmt.danang.gov.vn/ban-do-hien-trang-su-dung-dat-2025</a></td>`
	if !strings.Contains(out, link) || strings.Count(out, "href=") != 1 {
		t.Errorf("the roster's URL cell is not the page's one link (%d href)", strings.Count(out, "href="))
	}
	// Stars say what they show to a screen reader.
	if !strings.Contains(out, `<span role="img" aria-label="3 trên 5 sao" title="3 trên 5 sao">★★★☆☆</span>`) {
		t.Error("the stars cell has no text alternative")
	}
}

// TestHTMLLinksOnlyHTTP: a URL cell becomes a link only for http(s) with a host (a
// tampered batch could carry anything); whatever it holds is escaped.
func TestHTMLLinksOnlyHTTP(t *testing.T) {
	r := build(t, Options{Lang: "en"})
	var tbl *Table
	for i := range r.Interviews {
		for j := range r.Interviews[i].Sections {
			for k := range r.Interviews[i].Sections[j].Rows {
				if tb := r.Interviews[i].Sections[j].Rows[k].Table; tb != nil && len(tb.Rows) > 1 {
					tbl = tb
				}
			}
		}
	}
	if tbl == nil {
		t.Fatal("no roster in the fixture")
	}
	urlCol := -1
	for i, c := range tbl.Columns {
		if c.Type == survey.ColumnURL {
			urlCol = i
		}
	}
	for _, bad := range []string{`javascript:alert(1)`, `data:text/html,<script>alert(1)</script>`, `ftp://example.org/x`, `https://x.org/"><script>alert(1)</script>`} {
		tbl.Rows[1].Text[urlCol] = bad
		out := string(render(t, r, func(b *bytes.Buffer, r *Report) error { return WriteHTML(b, r) }))
		if strings.Contains(out, "<script") || strings.Contains(out, `href="javascript`) || strings.Contains(out, `href="data`) || strings.Contains(out, `href="ftp`) {
			t.Errorf("URL cell %q: unsafe page", bad)
		}
	}
}

func TestCSVParsesBack(t *testing.T) {
	r := build(t, Options{Lang: "vi"})
	recs, err := csv.NewReader(bytes.NewReader(render(t, r, func(b *bytes.Buffer, r *Report) error { return WriteCSV(b, r, CSVOptions{}) }))).ReadAll()
	if err != nil {
		t.Fatalf("the CSV does not parse: %v", err)
	}
	if !reflect.DeepEqual(recs[0], CSVHeader) {
		t.Fatalf("header = %v", recs[0])
	}
	want := 1
	for _, in := range r.Interviews {
		for _, s := range in.Sections {
			want += len(s.Rows) + 1
			for _, row := range s.Rows {
				if row.Table != nil {
					want += len(row.Table.Rows) // a line per roster row
				}
			}
		}
	}
	if want != 49 {
		t.Fatalf("the fixture has %d lines, want 49 (3 roster rows)", want)
	}
	if len(recs) != want {
		t.Fatalf("%d records, want %d", len(recs), want)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	find := func(interview, section, kind, question string) []string {
		for _, rec := range recs[1:] {
			if rec[col["interview"]] == interview && rec[col["section"]] == section && rec[col["kind"]] == kind && rec[col["question"]] == question {
				return rec
			}
		}
		t.Fatalf("no CSV row %s %s %s %s", interview, section, kind, question)
		return nil
	}
	rec := find(idDaNang, "1", "question", "1.1")
	if rec[col["rating"]] != "green" || rec[col["label"]] != "Xanh" || rec[col["province"]] != "Đà Nẵng" ||
		rec[col["comment"]] != "The chairman opened the portal | and champions it.\nHe reports on it every quarter." {
		t.Errorf("row 1.1 = %q", rec)
	}
	rec = find(idDaNang, "2", "overall", "")
	if rec[col["rating"]] != "amber-green" || rec[col["suggested"]] != "true" || rec[col["comment"]] != "Cần thêm văn bản hướng dẫn." {
		t.Errorf("overall 2 = %q", rec)
	}
	if rec = find(idDaNang, "1", "overall", ""); rec[col["rating"]] != "amber" || rec[col["suggested"]] != "false" {
		t.Errorf("overall 1 = %q", rec)
	}
	if rec = find(idDaNang, "1", "question", "1.3"); rec[col["skipped"]] != "true" || rec[col["rating"]] != "" {
		t.Errorf("skipped 1.3 = %q", rec)
	}
	if rec = find(idHaNoi, "2", "question", "2.2"); rec[col["conflict"]] != "true" {
		t.Errorf("conflicting 2.2 = %q", rec)
	}
	// The roster: its question line says how many rows, then a line per row, in order.
	if rec = find(idDaNang, "2", "question", "2.K"); rec[col["value"]] != "3 dòng" || rec[col["answered"]] != "true" || rec[col["conflict"]] != "true" {
		t.Errorf("roster 2.K = %q", rec)
	}
	var rows [][]string
	for _, rec := range recs[1:] {
		if rec[col["kind"]] == "row" {
			rows = append(rows, rec)
		}
	}
	if len(rows) != 3 {
		t.Fatalf("%d row lines", len(rows))
	}
	for i, want := range []struct{ n, id, cells, value, conflict string }{
		{"1", "cccc000000000003", `{"agency":"Sở Tài chính","public":false,"source":"=SUM(A1:A9)"}`, "Cơ quan: Sở Tài chính; Nguồn dữ liệu: =SUM(A1:A9); Quan trọng với công chúng: Không", "false"},
		{"2", "aaaa000000000001", `{"agency":"Sở Tài nguyên và Môi trường","openness":3,"public":true,"size":12.5,"source":"Bản đồ hiện trạng sử dụng đất | 2025","url":"https://stnmt.danang.gov.vn/ban-do-hien-trang-su-dung-dat-2025"}`, "", "false"},
		{"3", "bbbb000000000002", `{"agency":"Cục Thống kê","openness":2,"public":false,"source":"Niên giám thống kê 2025"}`, "Cơ quan: Cục Thống kê; Nguồn dữ liệu: Niên giám thống kê 2025; Quan trọng với công chúng: Không; Mức độ mở: ★★☆☆☆", "true"},
	} {
		rec := rows[i]
		if rec[col["row"]] != want.n || rec[col["row_id"]] != want.id || rec[col["question"]] != "2.K" || rec[col["interview"]] != idDaNang ||
			rec[col["conflict"]] != want.conflict || (want.value != "" && rec[col["value"]] != want.value) {
			t.Errorf("row line %d = %q", i+1, rec)
		}
		if rec[col["cells"]] != want.cells {
			t.Errorf("row %d cells = %s\nwant %s", i+1, rec[col["cells"]], want.cells)
		}
	}
}

func TestJSONParsesBack(t *testing.T) {
	r := build(t, Options{Lang: "vi"})
	b := render(t, r, func(b *bytes.Buffer, r *Report) error { return WriteJSON(b, r) })
	var doc struct {
		Format string `json:"format"`
		Report
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("the JSON does not parse back: %v", err)
	}
	if doc.Format != JSONFormat {
		t.Errorf("format = %q", doc.Format)
	}
	want := *r
	want.Layout = nil // the layout is for writers, not part of the document
	if !reflect.DeepEqual(doc.Report, want) {
		t.Error("the JSON does not parse back to the same report")
	}
	if !bytes.Contains(b, []byte(`"rating": "amber-green"`)) || !bytes.Contains(b, []byte(`"in_scope": false`)) {
		t.Error("the JSON lacks the rating codes or the in_scope flag")
	}
}

func TestEmptyReport(t *testing.T) {
	r, err := Build(testQuestionnaire(t), nil, Options{Lang: "vi"})
	if err != nil {
		t.Fatal(err)
	}
	for name, w := range map[string]writer{
		"text":     textAt(80, nil),
		"markdown": func(b *bytes.Buffer, r *Report) error { return WriteMarkdown(b, r) },
		"html":     func(b *bytes.Buffer, r *Report) error { return WriteHTML(b, r) },
	} {
		if out := string(render(t, r, w)); !strings.Contains(out, "Không có phỏng vấn nào để báo cáo.") {
			t.Errorf("%s of an empty report does not say so:\n%s", name, out)
		}
	}
	if out := string(render(t, r, func(b *bytes.Buffer, r *Report) error { return WriteJSON(b, r) })); !strings.Contains(out, `"interviews": []`) {
		t.Errorf("empty JSON report: %s", out)
	}
}
