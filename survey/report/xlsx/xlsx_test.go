package xlsx

import (
	"bytes"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/report"
)

func questionnaire(t *testing.T) *survey.Questionnaire {
	t.Helper()
	q := &survey.Questionnaire{Format: survey.QuestionnaireFormat, ID: "mini", Version: "1.0",
		Title: survey.T("Mini readiness", "Đánh giá nhỏ"), Languages: []string{"vi", "en"},
		Sections: []*survey.Section{
			{ID: "1", Title: survey.T("Leadership: who [leads]?", "Lãnh đạo: ai [dẫn dắt]?"), Questions: []*survey.Question{
				{ID: "1.1", Type: survey.TypeRating, Text: survey.T("Is leadership visible?", "Lãnh đạo có rõ không?")},
				{ID: "1.2", Type: survey.TypeText, Text: survey.T("Who leads?", "Ai dẫn dắt?")},
			}},
			{ID: "2", Title: survey.T("Data", "Dữ liệu"), Questions: []*survey.Question{
				{ID: "2.1", Type: survey.TypeRating, Text: survey.T("Is data published?", "Dữ liệu có được công bố không?")},
			}},
		}}
	if err := q.Validate(); err != nil {
		t.Fatal(err)
	}
	q.Index()
	return q
}

func id(n int) string { return fmt.Sprintf("0193a5b2-7c1e-7000-8000-%012d", n) }

// states makes n interviews: 1.1 rated, 1.2 a text (hostile in the first), 2.1 rated in
// every other one, section 1 confirmed.
func states(t *testing.T, n int) []*survey.InterviewState {
	t.Helper()
	var revs []survey.Revision
	now := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	var counter uint64
	add := func(iv string, k survey.Kind, key string, v any) {
		counter++
		now = now.Add(time.Second)
		r, err := survey.NewRevision(survey.Target{Interview: iv, Kind: k, Key: key}, v, "dev-1", counter, now, "lan@example.org", nil)
		if err != nil {
			t.Fatal(err)
		}
		revs = append(revs, r)
	}
	for i := range n {
		iv := id(i + 1)
		add(iv, survey.KindInterview, "", survey.InterviewMeta{Questionnaire: "mini", QuestionnaireVersion: "1.0", Assessor: "lan@example.org"})
		add(iv, survey.KindRespondent, "", survey.Respondent{Agency: fmt.Sprintf("Sở %d", i), Province: "Đà Nẵng", Date: "2026-11-20"})
		add(iv, survey.KindAnswer, "1.1", survey.Answer{Rating: survey.Green, Comment: "ok",
			Evidence: []survey.Evidence{{Polarity: survey.Plus, Text: "NQ 05", InScope: true}}})
		text := "Chủ tịch tỉnh"
		if i == 0 {
			text = "=HYPERLINK(\"http://evil.example\",\"x\")\x1b[2J"
		}
		add(iv, survey.KindAnswer, "1.2", survey.Answer{Value: text})
		if i%2 == 0 {
			add(iv, survey.KindAnswer, "2.1", survey.Answer{Rating: survey.Amber})
		}
		add(iv, survey.KindSection, "1", survey.SectionSummary{Rating: survey.AmberGreen})
	}
	folded, err := survey.Fold(revs)
	if err != nil {
		t.Fatal(err)
	}
	var out []*survey.InterviewState
	for i := range n {
		out = append(out, folded[id(i+1)])
	}
	return out
}

func write(t *testing.T, lang string, sts []*survey.InterviewState) *excelize.File {
	t.Helper()
	b, err := report.NewBuilder(questionnaire(t), report.Options{Lang: lang})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	each := func(fn func(*survey.InterviewState) error) error {
		for _, st := range sts {
			if err := fn(st); err != nil {
				return err
			}
		}
		return nil
	}
	if err := report.Stream(b, each, New(&buf)); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatalf("the workbook does not open: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func rows(t *testing.T, f *excelize.File, sheet string) [][]string {
	t.Helper()
	rs, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func TestWorkbook(t *testing.T) {
	f := write(t, "en", states(t, 3))
	if got, want := f.GetSheetList(), []string{"Answers", "1 Leadership who leads", "2 Data"}; !slices.Equal(got, want) {
		t.Fatalf("sheets %q, want %q", got, want)
	}
	long := rows(t, f, "Answers")
	if !slices.Equal(long[0], report.CSVHeader) {
		t.Fatalf("long header %q", long[0])
	}
	// 3 interviews × (2 questions + overall, 1 question + overall) rows, and the header.
	if len(long) != 1+3*5 {
		t.Fatalf("%d rows in the long table, want 16", len(long))
	}
	col := map[string]int{}
	for i, h := range long[0] {
		col[h] = i
	}
	r := long[1]
	if r[col["interview"]] != id(1) || r[col["status"]] != "draft" || r[col["assessor"]] != "lan@example.org" ||
		r[col["question"]] != "1.1" || r[col["rating"]] != "green" || r[col["label"]] != "Green" ||
		r[col["evidence_plus"]] != "1" || r[col["answered"]] != "TRUE" {
		t.Errorf("first row %q", r)
	}
	// The hostile answer is a string cell with no formula and no control character.
	cell, _ := excelize.CoordinatesToCellName(col["value"]+1, 3)
	v, _ := f.GetCellValue("Answers", cell)
	if v != `=HYPERLINK("http://evil.example","x")[2J` {
		t.Errorf("hostile value = %q", v)
	}
	if ty, _ := f.GetCellType("Answers", cell); ty != excelize.CellTypeInlineString {
		t.Errorf("hostile value has cell type %v, want an inline string", ty)
	}
	if fo, _ := f.GetCellFormula("Answers", cell); fo != "" {
		t.Errorf("hostile value became a formula %q", fo)
	}

	sec := rows(t, f, "1 Leadership who leads")
	if want := []string{"Interview", "Status", "Assessor", "Agency", "Province or ministry", "Date", "1.1", "1.2", "Overall"}; !slices.Equal(sec[0], want) {
		t.Errorf("section header %q", sec[0])
	}
	if len(sec) != 4 {
		t.Fatalf("%d rows in section 1, want a header and 3 interviews", len(sec))
	}
	if got := sec[2]; got[0] != id(2) || got[6] != "Green" || got[7] != "Chủ tịch tỉnh" || got[8] != "Amber/Green" {
		t.Errorf("section 1, second interview: %q", got)
	}
	sec2 := rows(t, f, "2 Data")
	// 2.1 rated in interviews 1 and 3 only; the overall is the suggestion, marked.
	if sec2[1][6] != "Amber" || (len(sec2[2]) > 6 && sec2[2][6] != "") || sec2[1][7] != "Amber (suggested)" {
		t.Errorf("section 2 rows %q", sec2)
	}
}

func TestWorkbookVietnamese(t *testing.T) {
	f := write(t, "vi", states(t, 1))
	if got := f.GetSheetList(); got[0] != "Câu trả lời" || got[1] != "1 Lãnh đạo ai dẫn dắt" {
		t.Fatalf("sheets %q", got)
	}
	sec := rows(t, f, f.GetSheetList()[1])
	if sec[0][0] != "Phỏng vấn" || sec[1][1] != "nháp" || sec[1][6] != "Xanh" {
		t.Errorf("section sheet in Vietnamese: %q", sec)
	}
}

// Past Excel's row limit the long table goes on in another sheet, header repeated.
func TestLongTableSplitsAtTheRowLimit(t *testing.T) {
	defer func(n int) { MaxRows = n }(MaxRows)
	MaxRows = 7                       // a header and 6 rows a sheet
	f := write(t, "en", states(t, 4)) // 20 rows
	var parts []string
	total := 0
	for _, s := range f.GetSheetList() {
		if strings.HasPrefix(s, "Answers") {
			parts = append(parts, s)
			rs := rows(t, f, s)
			if !slices.Equal(rs[0], report.CSVHeader) {
				t.Errorf("%s has no header row", s)
			}
			if len(rs) > MaxRows {
				t.Errorf("%s has %d rows, more than %d", s, len(rs), MaxRows)
			}
			total += len(rs) - 1
		}
	}
	if want := []string{"Answers", "Answers (2)", "Answers (3)", "Answers (4)"}; !slices.Equal(parts, want) {
		t.Errorf("long table sheets %q, want %q", parts, want)
	}
	if total != 20 {
		t.Errorf("%d data rows in all, want 20", total)
	}
}

func TestLongTextIsCutWithAMark(t *testing.T) {
	s := strings.Repeat("Việt ", 10000) // 50,000 characters
	got := fit(s, " … [cut]")
	if n := len([]rune(got)); n > cellLimit {
		t.Fatalf("%d characters, more than Excel's %d", n, cellLimit)
	}
	if !strings.HasSuffix(got, " … [cut]") || !strings.HasPrefix(s, strings.TrimSuffix(got, " … [cut]")) {
		t.Error("the cut text is not the beginning of the text with the mark")
	}
	if fit("short", "x") != "short" {
		t.Error("a short text changed")
	}
}

func TestSheetNames(t *testing.T) {
	used := map[string]bool{"answers": true}
	for _, c := range []struct{ in, want string }{
		{"Answers", "Answers (2)"},
		{"'quoted'", "quoted"},
		{"1 Khung chính sách pháp lý cho dữ liệu mở", "1 Khung chính sách pháp lý cho"},
		{"1 Khung chính sách pháp lý cho dữ liệu", "1 Khung chính sách pháp lý (2)"},
		{"a/b\\c?d*e:f", "a b c d e f"},
	} {
		if got := sheetName(c.in, used); got != c.want {
			t.Errorf("sheetName(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// releaseBuffer must work with the excelize in go.mod: without it every finished sheet
// keeps 16 MB until the workbook is written. The rows of a sheet whose buffer it emptied
// are all in the workbook.
func TestReleaseBuffer(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	const rows, cols = 12000, 30 // about 24 MB of sheet XML: past the 16 MB kept in memory
	row := make([]any, cols)
	for c := range row {
		row[c] = strings.Repeat("x", 20)
	}
	for r := 1; r <= rows; r++ {
		if err := sw.SetRow(cellRef(1, r), row); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	if !releaseBuffer(sw) {
		t.Fatal("releaseBuffer did nothing: excelize's StreamWriter is not as it expects (update it for this version)")
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer back.Close()
	it, err := back.Rows("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for it.Next() {
		n++
	}
	if n != rows {
		t.Fatalf("%d rows read back, want %d", n, rows)
	}

	// A sheet small enough to stay in memory keeps its buffer: it holds the rows.
	small := excelize.NewFile()
	defer small.Close()
	sw, _ = small.NewStreamWriter("Sheet1")
	sw.SetRow("A1", []any{"kept"})
	sw.Flush()
	if releaseBuffer(sw) {
		t.Fatal("releaseBuffer emptied the buffer of a sheet that lives in it")
	}
}

// A stream that fails leaves no temporary file behind; one that ends leaves none either.
func TestTemporaryFilesRemoved(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	b, err := report.NewBuilder(questionnaire(t), report.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sts := states(t, 3)
	boom := fmt.Errorf("disk unplugged")
	failing := func(fn func(*survey.InterviewState) error) error {
		if err := fn(sts[0]); err != nil {
			return err
		}
		return boom
	}
	if err := report.Stream(b, failing, New(&bytes.Buffer{})); err != boom {
		t.Fatalf("Stream = %v, want the reader's error", err)
	}
	each := func(fn func(*survey.InterviewState) error) error { return fn(sts[1]) }
	if err := report.Stream(b, each, New(&bytes.Buffer{})); err != nil {
		t.Fatal(err)
	}
	left, _ := os.ReadDir(dir)
	for _, e := range left {
		t.Errorf("left behind: %s", e.Name())
	}
}

// A roster gets its own sheet, a row per roster row, and a line per row in the long table.
func TestWorkbookRoster(t *testing.T) {
	q := &survey.Questionnaire{Format: survey.QuestionnaireFormat, ID: "mini", Version: "1.0",
		Title: survey.T("Mini readiness", "Đánh giá nhỏ"), Languages: []string{"vi", "en"},
		Sections: []*survey.Section{{ID: "4", Title: survey.T("Data", "Dữ liệu"), Questions: []*survey.Question{
			{ID: "4.K", Type: survey.TypeRoster, Text: survey.T("Key datasets", "Bộ dữ liệu chủ chốt"), Columns: []survey.Column{
				{ID: "agency", Type: survey.ColumnText, Label: survey.T("Agency", "Cơ quan")},
				{ID: "public", Type: survey.ColumnYesNo, Label: survey.T("Key for the public", "Quan trọng với công chúng")},
				{ID: "openness", Type: survey.ColumnStars, Label: survey.T("Openness", "Mức độ mở")},
			}},
		}}}}
	if err := q.Validate(); err != nil {
		t.Fatal(err)
	}
	var revs []survey.Revision
	for i, v := range []any{
		survey.InterviewMeta{Questionnaire: "mini", QuestionnaireVersion: "1.0"},
		survey.RosterRow{Pos: 2, Cells: map[string]any{"agency": "Cục Thống kê", "openness": "na"}},
		survey.RosterRow{Pos: 1, Cells: map[string]any{"agency": "=1+1", "public": true, "openness": 4}},
	} {
		tg := survey.Target{Interview: id(1), Kind: survey.KindInterview}
		if i > 0 {
			tg = survey.Target{Interview: id(1), Kind: survey.KindRow, Key: survey.RowKey("4.K", fmt.Sprintf("row%d", i))}
		}
		r, err := survey.NewRevision(tg, v, "dev-1", uint64(i+1), time.Date(2026, 11, 20, 8, 0, i, 0, time.UTC), "lan@example.org", nil)
		if err != nil {
			t.Fatal(err)
		}
		revs = append(revs, r)
	}
	folded, err := survey.Fold(revs)
	if err != nil {
		t.Fatal(err)
	}
	b, err := report.NewBuilder(q, report.Options{Lang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	each := func(fn func(*survey.InterviewState) error) error { return fn(folded[id(1)]) }
	if err := report.Stream(b, each, New(&buf)); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got, want := f.GetSheetList(), []string{"Answers", "4 Data", "4.K Key datasets"}; !slices.Equal(got, want) {
		t.Fatalf("sheets %q, want %q", got, want)
	}
	ro := rows(t, f, "4.K Key datasets")
	want := [][]string{
		{"Interview", "Status", "Assessor", "Agency", "Province or ministry", "Date", "#", "Agency", "Key for the public", "Openness"},
		{id(1), "draft", "lan@example.org", "", "", "", "1", "=1+1", "Yes", "★★★★☆"},
		{id(1), "draft", "lan@example.org", "", "", "", "2", "Cục Thống kê", "", "N/A"},
	}
	if fmt.Sprint(ro) != fmt.Sprint(want) {
		t.Fatalf("roster sheet\n%q\nwant\n%q", ro, want)
	}
	if fo, _ := f.GetCellFormula("4.K Key datasets", "H2"); fo != "" {
		t.Errorf("a cell became a formula %q", fo)
	}
	long := rows(t, f, "Answers")
	col := map[string]int{}
	for i, h := range long[0] {
		col[h] = i
	}
	// question line, 2 row lines, overall line
	if len(long) != 5 || long[1][col["value"]] != "2 rows" || long[2][col["kind"]] != "row" || long[2][col["row"]] != "1" ||
		long[3][col["row_id"]] != "row1" || long[3][col["cells"]] != `{"agency":"Cục Thống kê","openness":"na"}` {
		t.Fatalf("long table %q", long)
	}
	// The row number is a number cell (no string type), as the evidence counts are.
	if ty, _ := f.GetCellType("Answers", "AD3"); ty == excelize.CellTypeInlineString || ty == excelize.CellTypeSharedString {
		t.Errorf("row number is a text cell (type %v)", ty)
	}
}
