package survey

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

const rosterIV = "0193a5b2-7c1e-7000-8000-000000000001"

// rosterQ is a questionnaire with a yes/no question and a key datasets roster using every
// column type, at most 3 rows, with a row constraint on the url.
func rosterQ(t testing.TB) *Questionnaire {
	t.Helper()
	lo, hi := 0.0, 100.0
	q := &Questionnaire{
		Format: QuestionnaireFormat, ID: "roster-demo", Version: "1", Languages: []string{"vi", "en"},
		Title: T("Demo", "Thử"),
		Sections: []*Section{{
			ID: "4", Title: T("Data", "Dữ liệu"),
			Questions: []*Question{
				{ID: "4.1", Type: TypeYesNo, Text: T("Inventory?", "Danh mục?"),
					Constraint: `value == false or count_rows("4.K") >= 1`, ConstraintMessage: T("list them", "liệt kê")},
				{ID: "4.K", Type: TypeRoster, Text: T("Key datasets", "Bộ dữ liệu chủ chốt"), Required: true, MaxRows: 3,
					RowConstraint:        `cell("url") == "" or cell("url") matches "^https://"`,
					RowConstraintMessage: T("the address must be https", "địa chỉ phải là https"),
					Columns: []Column{
						{ID: "agency", Type: ColumnText, Label: T("Agency", "Cơ quan"), Required: true},
						{ID: "public", Type: ColumnYesNo, Label: T("Key for the public", "Quan trọng với công chúng")},
						{ID: "openness", Type: ColumnStars, Label: T("Openness", "Mức độ mở")},
						{ID: "kind", Type: ColumnChoice, Label: T("Kind", "Loại"), Options: []Option{{"stat", T("Statistics", "Thống kê")}, {"geo", T("Geospatial", "Không gian")}}},
						{ID: "count", Type: ColumnNumber, Label: T("Count", "Số lượng"), Min: &lo, Max: &hi},
						{ID: "url", Type: ColumnURL, Label: T("URL", "Đường dẫn")},
					}},
				{ID: "4.2", Type: TypeYesNo, Text: T("Many open?", "Nhiều mở?"),
					Relevant: `count_rows_where("4.K", "openness", ">=", 3) >= 2`},
			},
		}},
	}
	if err := q.CheckExpressions(); err != nil {
		t.Fatal(err)
	}
	return q
}

func rowRev(t testing.TB, qid, row string, v any, dev string, n uint64, at time.Time, replaces ...string) Revision {
	t.Helper()
	return mustRev(t, Target{Interview: rosterIV, Kind: KindRow, Key: RowKey(qid, row)}, v, dev, n, at, replaces...)
}

func fold1(t testing.TB, revs ...Revision) *InterviewState {
	t.Helper()
	states, err := Fold(revs)
	if err != nil {
		t.Fatal(err)
	}
	if st := states[rosterIV]; st != nil {
		return st
	}
	return NewInterviewState(rosterIV)
}

func rowIDs(rows []Row) string {
	var ids []string
	for _, r := range rows {
		ids = append(ids, r.ID)
	}
	return strings.Join(ids, ",")
}

func TestRowKeySplits(t *testing.T) {
	id := NewRowID()
	if len(id) != 16 || strings.Trim(id, "0123456789abcdef") != "" {
		t.Fatalf("row id %q is not 16 hex digits", id)
	}
	if id == NewRowID() {
		t.Fatal("two row ids alike")
	}
	q, r, ok := SplitRowKey(RowKey("4.K", id))
	if !ok || q != "4.K" || r != id {
		t.Fatalf("split %q: %q %q %v", RowKey("4.K", id), q, r, ok)
	}
	for _, bad := range []string{"", "4.K", "4.K/", "/abc"} {
		if _, _, ok := SplitRowKey(bad); ok {
			t.Errorf("SplitRowKey(%q) accepted", bad)
		}
	}
}

func TestRosterFoldOrderEditDelete(t *testing.T) {
	a := rowRev(t, "4.K", "aaaa", RosterRow{Pos: 2, Cells: map[string]any{"agency": "GSO"}}, "d1", 1, t0)
	b := rowRev(t, "4.K", "bbbb", RosterRow{Pos: 1, Cells: map[string]any{"agency": "MONRE"}}, "d1", 2, t0)
	c := rowRev(t, "4.K", "cccc", RosterRow{Pos: 3, Cells: map[string]any{"agency": "MOF"}}, "d1", 3, t0)
	st := fold1(t, a, b, c)
	if got := rowIDs(st.Rows("4.K")); got != "bbbb,aaaa,cccc" {
		t.Fatalf("order by pos: %s", got)
	}
	// Move c between b and a (pos 1.5), edit a, delete b.
	c2 := rowRev(t, "4.K", "cccc", RosterRow{Pos: 1.5, Cells: map[string]any{"agency": "MOF"}}, "d1", 4, t0.Add(time.Minute), c.ID)
	a2 := rowRev(t, "4.K", "aaaa", RosterRow{Pos: 2, Cells: map[string]any{"agency": "GSO (Tổng cục Thống kê)"}}, "d1", 5, t0.Add(time.Minute), a.ID)
	b2 := rowRev(t, "4.K", "bbbb", nil, "d1", 6, t0.Add(time.Minute), b.ID)
	st = fold1(t, a, b, c, c2, a2, b2)
	rows := st.Rows("4.K")
	if got := rowIDs(rows); got != "cccc,aaaa" {
		t.Fatalf("after move and delete: %s", got)
	}
	if rows[1].Cells["agency"] != "GSO (Tổng cục Thống kê)" {
		t.Fatalf("edited row: %v", rows[1].Cells)
	}
	if len(st.Conflicts) != 0 {
		t.Fatalf("conflicts: %v", st.Conflicts)
	}
	// Equal positions: by row id.
	st = fold1(t, rowRev(t, "4.K", "zz", RosterRow{Pos: 1}, "d", 1, t0), rowRev(t, "4.K", "yy", RosterRow{Pos: 1}, "d", 2, t0))
	if got := rowIDs(st.Rows("4.K")); got != "yy,zz" {
		t.Fatalf("ties: %s", got)
	}
	// Deleting every row leaves no answer at all.
	st = fold1(t, b, b2)
	if _, ok := st.Answers["4.K"]; ok || len(st.Rows("4.K")) != 0 {
		t.Fatalf("deleted roster still answered: %v", st.Answers)
	}
}

func TestRosterTwoDevicesDifferentRowsNoConflict(t *testing.T) {
	a := rowRev(t, "4.K", "aaaa", RosterRow{Pos: 1, Cells: map[string]any{"agency": "GSO"}}, "d1", 1, t0)
	b := rowRev(t, "4.K", "bbbb", RosterRow{Pos: 2, Cells: map[string]any{"agency": "MOF"}}, "d1", 2, t0)
	// Laptop 1 edits a, laptop 2 edits b: both kept, no conflict.
	a1 := rowRev(t, "4.K", "aaaa", RosterRow{Pos: 1, Cells: map[string]any{"agency": "GSO", "public": true}}, "d1", 3, t0.Add(time.Minute), a.ID)
	b2 := rowRev(t, "4.K", "bbbb", RosterRow{Pos: 2, Cells: map[string]any{"agency": "MOF", "openness": 4}}, "d2", 1, t0.Add(time.Minute), b.ID)
	st := fold1(t, a, b, a1, b2)
	if len(st.Conflicts) != 0 {
		t.Fatalf("conflicts: %v", st.Conflicts)
	}
	rows := st.Rows("4.K")
	if rows[0].Cells["public"] != true || rows[1].Cells["openness"] != 4.0 {
		t.Fatalf("rows: %+v", rows)
	}
	// The same row edited on both: an ordinary conflict on that row's target.
	a2 := rowRev(t, "4.K", "aaaa", RosterRow{Pos: 1, Cells: map[string]any{"agency": "Tổng cục Thống kê"}}, "d2", 2, t0.Add(2*time.Minute), a.ID)
	st = fold1(t, a, b, a1, b2, a2)
	if len(st.Conflicts) != 1 || st.Conflicts[0].Target.Key != RowKey("4.K", "aaaa") {
		t.Fatalf("want one conflict on row aaaa, got %v", st.Conflicts)
	}
	rows = st.Rows("4.K")
	if !rows[0].Conflict || rows[1].Conflict {
		t.Fatalf("conflict flags: %+v", rows)
	}
	if rows[0].Cells["agency"] != "Tổng cục Thống kê" {
		t.Fatalf("newest head shown: %v", rows[0].Cells)
	}
}

func TestRosterRowNormalized(t *testing.T) {
	r := RosterRow{Pos: 1, Cells: map[string]any{"agency": "  Tô\u0309ng cu\u0323c  ", "url": "", "n": 3, "x": nil}}.Normalized()
	if len(r.Cells) != 2 || r.Cells["agency"] != "Tổng cục" || r.Cells["n"] != 3.0 {
		t.Fatalf("normalized: %#v", r.Cells)
	}
	var back RosterRow
	b, _ := json.Marshal(r)
	if err := json.Unmarshal(b, &back); err != nil || back.Cells["n"] != 3.0 {
		t.Fatalf("round trip %s: %v %v", b, back, err)
	}
	if !(RosterRow{}).IsEmpty() || (RosterRow{Pos: 1}).IsEmpty() {
		t.Fatal("IsEmpty")
	}
}

func TestCheckCells(t *testing.T) {
	q := rosterQ(t)
	qu, _ := q.Question("4.K")
	good := map[string]any{"agency": "GSO", "public": true, "openness": 5.0, "kind": "stat", "count": 12.0, "url": "https://gso.gov.vn/data"}
	if is := q.CheckRow(qu, good, Answers{}); len(is) != 0 {
		t.Fatalf("good row refused: %v", is)
	}
	na := map[string]any{"agency": "GSO", "openness": "na"}
	if is := q.CheckRow(qu, na, Answers{}); len(is) != 0 {
		t.Fatalf("N/A refused: %v", is)
	}
	for _, c := range []struct {
		cells       map[string]any
		col, en, vi string
	}{
		{map[string]any{"public": true}, "agency", "required", "bắt buộc"},
		{map[string]any{"agency": "  "}, "agency", "required", "bắt buộc"},
		{map[string]any{"agency": 3.0}, "agency", "expected text", "cần nhập văn bản"},
		{map[string]any{"agency": "A", "public": "yes"}, "public", "expected yes or no", "có hoặc không"},
		{map[string]any{"agency": "A", "openness": 6.0}, "openness", "stars are 0 to 5 or N/A", "số sao"},
		{map[string]any{"agency": "A", "openness": 2.5}, "openness", "stars are 0 to 5 or N/A", "số sao"},
		{map[string]any{"agency": "A", "openness": "five"}, "openness", "stars are 0 to 5 or N/A", "số sao"},
		{map[string]any{"agency": "A", "kind": "other"}, "kind", `"other" is not one of the options`, "không thuộc các lựa chọn"},
		{map[string]any{"agency": "A", "count": 101.0}, "count", "must be at most 100", "không được quá 100"},
		{map[string]any{"agency": "A", "count": "many"}, "count", "expected a number", "cần nhập một số"},
		{map[string]any{"agency": "A", "url": "gso.gov.vn"}, "url", "is not a web address", "không phải địa chỉ web"},
		{map[string]any{"agency": "A", "url": "ftp://gso.gov.vn"}, "url", "is not a web address", "không phải địa chỉ web"},
		{map[string]any{"agency": "A", "url": "https://"}, "url", "is not a web address", "không phải địa chỉ web"},
		{map[string]any{"agency": strings.Repeat("x", MaxCellText+1)}, "agency", "over the limit", "quá giới hạn"},
		{map[string]any{"agency": "bad \xff"}, "agency", "invalid UTF-8", "UTF-8"},
		{map[string]any{"agency": "A", "colour": "red"}, "colour", `no column "colour"`, "không có cột"},
		// The row constraint: http is a web address, but the rule wants https.
		{map[string]any{"agency": "A", "url": "http://gso.gov.vn"}, "", "the address must be https", "địa chỉ phải là https"},
	} {
		is := q.CheckRow(qu, c.cells, Answers{})
		if len(is) == 0 {
			t.Errorf("%v accepted", c.cells)
			continue
		}
		if is[0].Column != c.col || !strings.Contains(is[0].Msg.Get(LangEN), c.en) || !strings.Contains(is[0].Msg.Get(LangVI), c.vi) {
			t.Errorf("%v: got %s %q / %q, want %s %q / %q", c.cells, is[0].Column, is[0].Msg.Get(LangEN), is[0].Msg.Get(LangVI), c.col, c.en, c.vi)
		}
	}
}

func TestCheckAddRowMax(t *testing.T) {
	q := rosterQ(t)
	qu, _ := q.Question("4.K")
	if err := qu.CheckAddRow(2); err != nil {
		t.Fatalf("third row refused: %v", err)
	}
	err := qu.CheckAddRow(3)
	var full *RosterFullError
	if !errors.As(err, &full) || err.Error() != "roster 4.K holds at most 3 rows: delete a row before adding one" ||
		!strings.Contains(full.Text().Get(LangVI), "tối đa 3 dòng") {
		t.Fatalf("fourth row: %v", err)
	}
	unlimited := &Question{ID: "x", Type: TypeRoster}
	if err := unlimited.CheckAddRow(100000); err != nil {
		t.Fatalf("max_rows 0 limits: %v", err)
	}
}

func TestRosterProgressRequiredAndMax(t *testing.T) {
	q := rosterQ(t)
	qu, _ := q.Question("4.K")
	st := NewInterviewState(rosterIV)
	is := q.Check(qu, st.Answers)
	if len(is) != 1 || is[0].Kind != IssueMissing || is[0].Msg.Get(LangEN) != "at least 1 row is required" {
		t.Fatalf("empty required roster: %v", is)
	}
	revs := []Revision{rowRev(t, "4.K", "r1", RosterRow{Pos: 1, Cells: map[string]any{"agency": "GSO"}}, "d", 1, t0)}
	st = fold1(t, revs...)
	if q.AnswerState(qu, st.Answers) != AnswerOK {
		t.Fatalf("one good row: %v", q.Check(qu, st.Answers))
	}
	answered, total := q.Progress(st.Answers)
	if answered != 1 || total != 2 { // 4.1 unanswered, 4.2 not relevant
		t.Fatalf("progress %d/%d", answered, total)
	}
	// A bad row: needs attention, with the row's number and column.
	revs = append(revs, rowRev(t, "4.K", "r2", RosterRow{Pos: 2, Cells: map[string]any{"agency": "MOF", "openness": 9}}, "d", 2, t0))
	st = fold1(t, revs...)
	is = q.Check(qu, st.Answers)
	if len(is) != 1 || is[0].Kind != IssueInvalid || !strings.HasPrefix(is[0].Msg.Get(LangEN), "row 2: openness: stars") ||
		!strings.HasPrefix(is[0].Msg.Get(LangVI), "dòng 2: openness: số sao") {
		t.Fatalf("bad row: %v", is)
	}
	if q.AnswerState(qu, st.Answers) != AnswerNeedsAttention {
		t.Fatal("bad row counted as answered")
	}
	// Over max_rows (rows merged from two laptops): needs attention.
	for i := 3; i <= 4; i++ {
		revs = append(revs, rowRev(t, "4.K", fmt.Sprintf("r%d", i), RosterRow{Pos: float64(i), Cells: map[string]any{"agency": "X"}}, "d", uint64(i), t0))
	}
	st = fold1(t, revs...)
	if is := q.Check(qu, st.Answers); len(is) != 1 || is[0].Msg.Get(LangEN) != "4 rows, over the maximum of 3" {
		t.Fatalf("over max: %v", is)
	}
	// The summary's count is of answers, not rows.
	if sm := st.Summary(); sm.Answered != 0 {
		t.Fatalf("summary counts roster: %d", sm.Answered)
	}
}

func TestRosterMinRows(t *testing.T) {
	q := rosterQ(t)
	qu, _ := q.Question("4.K")
	qu.MinRows = 2
	st := fold1(t, rowRev(t, "4.K", "r1", RosterRow{Pos: 1, Cells: map[string]any{"agency": "GSO"}}, "d", 1, t0))
	is := q.Check(qu, st.Answers)
	if len(is) != 1 || is[0].Kind != IssueInvalid || is[0].Msg.Get(LangEN) != "1 of the 2 rows needed at least" {
		t.Fatalf("min rows: %v", is)
	}
	is = q.Check(qu, Answers{})
	if len(is) != 1 || is[0].Msg.Get(LangEN) != "at least 2 rows are required" {
		t.Fatalf("required min rows: %v", is)
	}
}

func TestRosterExpressions(t *testing.T) {
	q := rosterQ(t)
	q41, _ := q.Question("4.1")
	q42, _ := q.Question("4.2")
	st := NewInterviewState(rosterIV)
	st.Answers["4.1"] = Answer{Value: true}
	if is := q.Check(q41, st.Answers); len(is) != 1 || is[0].Msg.Get(LangEN) != "list them" {
		t.Fatalf("count_rows 0: %v", is)
	}
	revs := []Revision{
		rowRev(t, "4.K", "r1", RosterRow{Pos: 1, Cells: map[string]any{"agency": "A", "openness": 3}}, "d", 1, t0),
		rowRev(t, "4.K", "r2", RosterRow{Pos: 2, Cells: map[string]any{"agency": "B", "openness": "na"}}, "d", 2, t0),
		rowRev(t, "4.K", "r3", RosterRow{Pos: 3, Cells: map[string]any{"agency": "C"}}, "d", 3, t0),
	}
	st = fold1(t, revs...)
	st.Answers["4.1"] = Answer{Value: true}
	if is := q.Check(q41, st.Answers); len(is) != 0 {
		t.Fatalf("count_rows 3: %v", is)
	}
	// One row at 3 stars or more (N/A and empty never match): 4.2 not asked.
	if q.Relevant(q42, st.Answers) {
		t.Fatal("4.2 relevant with one open dataset")
	}
	revs = append(revs, rowRev(t, "4.K", "r3", RosterRow{Pos: 3, Cells: map[string]any{"agency": "C", "openness": 5}}, "d", 4, t0.Add(time.Second), revs[2].ID))
	st = fold1(t, revs...)
	if !q.Relevant(q42, st.Answers) {
		t.Fatal("4.2 not relevant with two open datasets")
	}
	for src, want := range map[string]bool{
		`count(rows("4.K"), #.agency == "C") == 1`:             true,
		`all(rows("4.K"), #.agency != "")`:                     true,
		`count_rows_where("4.K", "agency", "==", "B") == 1`:    true,
		`count_rows_where("4.K", "openness", "!=", 3) == 2`:    true,
		`count_rows_where("4.K", "openness", "==", "na") == 1`: true,
		`count_rows("9.9") == 0`:                               true,
	} {
		e, err := CompileExpr(src)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := e.Eval(Answer{}, st.Answers); err != nil || got != want {
			t.Errorf("%s = %v, %v", src, got, err)
		}
	}
	for src, msg := range map[string]string{
		`count_rows(x) > 0`: "count_rows() needs a quoted question id",
		`count_rows_where("4.K", "openness", "~", 3) > 0`: `not "~"`,
		`count_rows_where("4.K", "openness") > 0`:         "takes a roster, a column, a comparison and a value",
		`cell(1) == ""`: "cell() needs a quoted column id",
	} {
		if _, err := CompileExpr(src); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%s: want %q, got %v", src, msg, err)
		}
	}
}

func TestRosterValidateRefuses(t *testing.T) {
	for name, c := range map[string]struct {
		edit func(qu *Question, q *Questionnaire)
		msg  string
	}{
		"no columns":       {func(qu *Question, _ *Questionnaire) { qu.Columns = nil }, `roster "4.K" has no columns`},
		"duplicate column": {func(qu *Question, _ *Questionnaire) { qu.Columns[1].ID = "agency" }, `duplicate column id "agency"`},
		"unknown type":     {func(qu *Question, _ *Questionnaire) { qu.Columns[1].Type = "date" }, `unknown type "date"`},
		"choice no options": {func(qu *Question, _ *Questionnaire) { qu.Columns[3].Options = nil },
			`choice column "kind" of roster "4.K" has no options`},
		"options on text":  {func(qu *Question, _ *Questionnaire) { qu.Columns[0].Options = qu.Columns[3].Options }, "only choice columns take options"},
		"min on stars":     {func(qu *Question, _ *Questionnaire) { qu.Columns[2].Min = qu.Columns[4].Min }, "only number columns take min and max"},
		"min over max":     {func(qu *Question, _ *Questionnaire) { qu.MinRows = 5 }, "max_rows 3 is below min_rows 5"},
		"negative max":     {func(qu *Question, _ *Questionnaire) { qu.MaxRows = -1 }, "max_rows -1 is negative"},
		"missing label":    {func(qu *Question, _ *Questionnaire) { qu.Columns[1].Label = Text{"en": "Public"} }, `missing translation "vi"`},
		"constraint":       {func(qu *Question, _ *Questionnaire) { qu.Constraint = "true" }, "checked by row_constraint"},
		"unknown cell":     {func(qu *Question, _ *Questionnaire) { qu.RowConstraint = `cell("link") != ""` }, `reads cell "link"`},
		"cell outside row": {func(_ *Question, q *Questionnaire) { q.Sections[0].Questions[0].Relevant = `cell("url") != ""` }, "only a roster's row_constraint may use it"},
		"columns on text": {func(_ *Question, q *Questionnaire) {
			q.Sections[0].Questions[0].Columns = []Column{{ID: "a", Type: ColumnText, Label: T("A", "A")}}
		}, "only roster questions take columns"},
		"count unknown column": {func(_ *Question, q *Questionnaire) {
			q.Sections[0].Questions[2].Relevant = `count_rows_where("4.K", "stars", ">=", 3) > 0`
		}, `names column "stars", which roster "4.K" does not have`},
		"row constraint fails": {func(qu *Question, _ *Questionnaire) { qu.RowConstraint = `cell("count") > "x"` }, "row constraint of roster \"4.K\" fails on a row"},
	} {
		t.Run(name, func(t *testing.T) {
			q := rosterQ(t)
			qu, _ := q.Question("4.K")
			c.edit(qu, q)
			err := q.CheckExpressions()
			if err == nil || !strings.Contains(err.Error(), c.msg) {
				t.Fatalf("want %q, got %v", c.msg, err)
			}
		})
	}
}

func TestRosterNotStoredAsAnswer(t *testing.T) {
	st := fold1(t, rowRev(t, "4.K", "r1", RosterRow{Pos: 1, Cells: map[string]any{"agency": "GSO"}}, "d", 1, t0))
	rec := st.Record()
	if _, ok := rec.Answers["4.K"]; ok {
		t.Fatal("roster exported as an answer")
	}
	for _, c := range rec.Changes(st) {
		if c.Target.Kind == KindAnswer {
			t.Fatalf("change of a roster as answer: %+v", c)
		}
	}
	b, err := json.Marshal(st.Answers["4.K"].Value)
	if err != nil || string(b) != `[{"id":"r1","pos":1,"cells":{"agency":"GSO"}}]` {
		t.Fatalf("roster JSON %s %v", b, err)
	}
}

func TestPositions(t *testing.T) {
	rows := []Row{{ID: "a", Pos: 1}, {ID: "b", Pos: 2.5}}
	if NextPos(rows) != 3 || NextPos(nil) != 1 {
		t.Fatalf("next %v", NextPos(rows))
	}
	if p, ok := PosBetween(1, 2); !ok || p != 1.5 {
		t.Fatalf("between %v %v", p, ok)
	}
	if _, ok := PosBetween(1, 1+1e-12); ok {
		t.Fatal("no gap left, but ok")
	}
	re := Renumber(rows)
	if re[0].Pos != 1 || re[1].Pos != 2 || rows[1].Pos != 2.5 {
		t.Fatalf("renumber %v (input %v)", re, rows)
	}
}

// BenchmarkFoldRoster1000 folds an interview holding a 1,000-row roster (each row its
// target) and reads its rows in order, as opening the interview does.
func BenchmarkFoldRoster1000(b *testing.B) {
	revs := make([]Revision, 1000)
	for i := range revs {
		revs[i] = rowRev(b, "4.K", fmt.Sprintf("%016x", i*7919%1000), RosterRow{Pos: float64(i + 1), Cells: map[string]any{
			"agency": "Tổng cục Thống kê", "source": fmt.Sprintf("Dataset %d", i), "public": i%2 == 0, "openness": float64(i % 6), "url": "https://gso.gov.vn/data"}},
			"d", uint64(i+1), t0)
	}
	b.ResetTimer()
	for b.Loop() {
		st := fold1(b, revs...)
		if n := len(st.Rows("4.K")); n != 1000 {
			b.Fatalf("%d rows", n)
		}
	}
}

func TestFoldRoster1000(t *testing.T) {
	revs := make([]Revision, 1000)
	for i := range revs {
		revs[i] = rowRev(t, "4.K", fmt.Sprintf("%016x", i), RosterRow{Pos: float64(1000 - i), Cells: map[string]any{"agency": fmt.Sprint(i)}}, "d", uint64(i+1), t0)
	}
	rows := fold1(t, revs...).Rows("4.K")
	if len(rows) != 1000 || rows[0].Cells["agency"] != "999" || rows[999].Cells["agency"] != "0" {
		t.Fatalf("%d rows, first %v last %v", len(rows), rows[0].Cells, rows[len(rows)-1].Cells)
	}
}

func TestRowHistory(t *testing.T) {
	q := rosterQ(t)
	c := rowRev(t, "4.K", "0011223344556677", RosterRow{Pos: 1, Cells: map[string]any{"agency": "GSO", "public": true, "openness": 3}}, "d", 1, t0)
	e := rowRev(t, "4.K", "0011223344556677", RosterRow{Pos: 2.5, Cells: map[string]any{"agency": "GSO Việt Nam", "public": true, "openness": "na"}}, "d", 2, t0.Add(time.Minute), c.ID)
	d := rowRev(t, "4.K", "0011223344556677", nil, "d", 3, t0.Add(2*time.Minute), e.ID)
	h, err := BuildHistory(q, []Revision{d, c, e}, HistoryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 3 || h[0].What.Get(LangEN) != "row 00112233 of roster 4.K — Key datasets" ||
		h[0].What.Get(LangVI) != "dòng 00112233 của bảng 4.K — Bộ dữ liệu chủ chốt" {
		t.Fatalf("what: %v", h[0].What)
	}
	fields := func(ch []FieldChange) string {
		var out []string
		for _, c := range ch {
			out = append(out, fmt.Sprintf("%s:%s>%s[%s>%s]", c.Field, c.Old, c.New, c.OldText.Get(LangEN), c.NewText.Get(LangEN)))
		}
		return strings.Join(out, " ")
	}
	if got := fields(h[0].From[0].Changes); got != "cells.agency:>GSO[>GSO] cells.public:>true[>yes] cells.openness:>3[>★★★☆☆]" {
		t.Errorf("created: %s", got)
	}
	if got := fields(h[1].From[0].Changes); got != "pos:1>2.5[>] cells.agency:GSO>GSO Việt Nam[GSO>GSO Việt Nam] cells.openness:3>na[★★★☆☆>N/A]" {
		t.Errorf("edited: %s", got)
	}
	if got := fields(h[2].From[0].Changes); !strings.HasPrefix(got, "row:present>deleted[present>deleted] cells.agency:GSO Việt Nam>") {
		t.Errorf("deleted: %s", got)
	}
}

func TestRosterRecordRoundTrip(t *testing.T) {
	q := rosterQ(t)
	meta := mustRev(t, Target{Interview: rosterIV, Kind: KindInterview}, InterviewMeta{Questionnaire: q.ID, QuestionnaireVersion: q.Version}, "d", 1, t0)
	r1 := rowRev(t, "4.K", "r1", RosterRow{Pos: 1, Cells: map[string]any{"agency": "GSO", "openness": 4}}, "d", 2, t0)
	r2 := rowRev(t, "4.K", "r2", RosterRow{Pos: 1.5, Cells: map[string]any{"agency": "MOF", "url": "https://mof.gov.vn"}}, "d", 3, t0)
	st := fold1(t, meta, r1, r2)
	line, err := st.Record().MarshalLine()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(line), `"rosters":{"4.K":[{"id":"r1","pos":1,"cells":{"agency":"GSO","openness":4}},{"id":"r2","pos":1.5,"cells":{"agency":"MOF","url":"https://mof.gov.vn"}}]}`) {
		t.Fatalf("line: %s", line)
	}
	rec, err := ParseRecord(line)
	if err != nil {
		t.Fatal(err)
	}
	if errs := rec.Check(q); len(errs) != 0 {
		t.Fatalf("check: %v", errs)
	}
	if ch := rec.Changes(st); len(ch) != 0 {
		t.Fatalf("re-import changes %v", ch)
	}
	// Drop r1, edit r2, add r3 without a position (its place in the list).
	rec.Rosters["4.K"] = []RecordRow{{ID: "r2", Pos: 1.5, Cells: map[string]any{"agency": "Bộ Tài chính"}}, {ID: "r3", Cells: map[string]any{"agency": "GSO"}}}
	ch := rec.Changes(st)
	var got []string
	for _, c := range ch {
		b, _ := json.Marshal(c.Value)
		got = append(got, c.Target.Key+"="+string(b))
	}
	if strings.Join(got, " ") != `4.K/r2={"pos":1.5,"cells":{"agency":"Bộ Tài chính"}} 4.K/r3={"pos":2,"cells":{"agency":"GSO"}} 4.K/r1={"pos":0}` {
		t.Fatalf("changes: %v", got)
	}
	// Refusals: over max_rows, a bad cell, a duplicate id, rows of a question that is no roster.
	rec.Rosters["4.K"] = []RecordRow{{ID: "a", Cells: map[string]any{"agency": "A"}}, {ID: "a", Cells: map[string]any{"agency": "B", "openness": 7}},
		{ID: "c", Cells: map[string]any{"agency": "C"}}, {ID: "d/x", Cells: map[string]any{"agency": "D"}}}
	rec.Rosters["4.1"] = []RecordRow{{ID: "z", Cells: map[string]any{}}}
	var fe []string
	for _, e := range rec.Check(q) {
		fe = append(fe, e.Error())
	}
	want := []string{
		"rosters.4.1: question 4.1 is a yesno question, not a roster: its answer goes in answers",
		"rosters.4.K: 4 rows, over the maximum of 3",
		`rosters.4.K[1].cells.openness: stars are 0 to 5 or N/A, not 7`,
		`rosters.4.K[1].id: row id "a" appears twice`,
		`rosters.4.K[3].id: row id "d/x" must be 1 to 64 letters, digits, '_' or '-'`,
	}
	if strings.Join(fe, "\n") != strings.Join(want, "\n") {
		t.Fatalf("check:\n%s\nwant:\n%s", strings.Join(fe, "\n"), strings.Join(want, "\n"))
	}
}

func TestMoveRow(t *testing.T) {
	rows := []Row{{ID: "a", Pos: 1}, {ID: "b", Pos: 2}, {ID: "c", Pos: 3}, {ID: "d", Pos: 4}}
	pos := func(ch []Row) string {
		var out []string
		for _, r := range ch {
			out = append(out, fmt.Sprintf("%s=%g", r.ID, r.Pos))
		}
		return strings.Join(out, " ")
	}
	for _, c := range []struct {
		from, to int
		want     string
	}{
		{3, 0, "d=0.5"}, // to the top: between 0 and a
		{0, 3, "a=5"},   // to the end: after d
		{0, 1, "a=2.5"}, // one down: between b and c
		{2, 1, "c=1.5"}, // one up: between a and b
		{1, 1, ""},      // nowhere
		{5, 1, ""},      // out of range
	} {
		if got := pos(MoveRow(rows, c.from, c.to)); got != c.want {
			t.Errorf("move %d→%d: %q, want %q", c.from, c.to, got, c.want)
		}
	}
	// No room left between two positions: every row renumbered in the new order.
	tight := []Row{{ID: "a", Pos: 1}, {ID: "b", Pos: 1 + 1e-12}, {ID: "c", Pos: 3}}
	if got := pos(MoveRow(tight, 2, 1)); got != "c=2 b=3" {
		t.Errorf("renumber: %q", got)
	}
	// Moving to the top a thousand times still orders the rows as asked.
	many := []Row{{ID: "x", Pos: 1}, {ID: "y", Pos: 2}}
	for i := range 1000 {
		for _, ch := range MoveRow(many, 1, 0) {
			for j := range many {
				if many[j].ID == ch.ID {
					many[j].Pos = ch.Pos
				}
			}
		}
		slices.SortFunc(many, compareRows)
		if many[0].ID != []string{"y", "x"}[i%2] {
			t.Fatalf("move %d: order %v", i, many)
		}
	}
}

// BenchmarkCheckRoster1000 checks a 1,000-row roster with a row constraint (every row's
// cells and the rule), as progress and completion do.
func BenchmarkCheckRoster1000(b *testing.B) {
	q := rosterQ(b)
	qu, _ := q.Question("4.K")
	qu.MaxRows = 0
	revs := make([]Revision, 1000)
	for i := range revs {
		revs[i] = rowRev(b, "4.K", fmt.Sprintf("%016x", i), RosterRow{Pos: float64(i + 1), Cells: map[string]any{
			"agency": "Tổng cục Thống kê", "public": i%2 == 0, "openness": float64(i % 6), "url": "https://gso.gov.vn/data"}}, "d", uint64(i+1), t0)
	}
	st := fold1(b, revs...)
	b.ResetTimer()
	for b.Loop() {
		if is := q.Check(qu, st.Answers); len(is) != 0 {
			b.Fatal(is)
		}
	}
}

// A row's remembered check is dropped when the row changes.
func TestRosterCheckFollowsEdits(t *testing.T) {
	q := rosterQ(t)
	qu, _ := q.Question("4.K")
	r1 := rowRev(t, "4.K", "r1", RosterRow{Pos: 1, Cells: map[string]any{"agency": "GSO"}}, "d", 1, t0)
	st := fold1(t, r1)
	if is := q.Check(qu, st.Answers); len(is) != 0 {
		t.Fatal(is)
	}
	bad := rowRev(t, "4.K", "r1", RosterRow{Pos: 1, Cells: map[string]any{"agency": "GSO", "url": "http://gso.gov.vn"}}, "d", 2, t0.Add(time.Second), r1.ID)
	if err := st.ApplyHeads(bad.Target(), []Revision{bad}); err != nil {
		t.Fatal(err)
	}
	if is := q.Check(qu, st.Answers); len(is) != 1 || is[0].Kind != IssueConstraint {
		t.Fatalf("edited row not checked again: %v", is)
	}
	good := rowRev(t, "4.K", "r1", RosterRow{Pos: 1, Cells: map[string]any{"agency": "GSO", "url": "https://gso.gov.vn"}}, "d", 3, t0.Add(2*time.Second), bad.ID)
	if err := st.ApplyHeads(good.Target(), []Revision{good}); err != nil {
		t.Fatal(err)
	}
	if is := q.Check(qu, st.Answers); len(is) != 0 {
		t.Fatalf("fixed row still refused: %v", is)
	}
}

// A row revision keyed otherwise than QUESTION/ROW (a tampered or foreign batch) fails
// verification, so that no store keeps a revision that would stop its interview folding.
func TestRowRevisionKeyVerified(t *testing.T) {
	for _, key := range []string{"4.K", "4.K/", "/r1"} {
		r := mustRev(t, Target{Interview: rosterIV, Kind: KindRow, Key: key}, RosterRow{Pos: 1}, "d", 1, t0)
		if err := r.Verify(); !errors.Is(err, ErrBadRevision) || !strings.Contains(err.Error(), "not QUESTION/ROW") {
			t.Errorf("key %q: %v", key, err)
		}
	}
	if err := rowRev(t, "4.K", "r1", RosterRow{Pos: 1}, "d", 1, t0).Verify(); err != nil {
		t.Fatal(err)
	}
}

func TestRowSizeError(t *testing.T) {
	big := map[string]any{}
	for i := range 120 {
		big[fmt.Sprintf("c%d", i)] = strings.Repeat("x", MaxCellText)
	}
	err := CheckChangeSize(Change{Target: RowTarget(rosterIV, "4.K", "0011223344556677"), Value: RosterRow{Pos: 1, Cells: big}})
	var se *SizeError
	if !errors.As(err, &se) || !strings.HasPrefix(err.Error(), "row 00112233 of roster 4.K is ") || !strings.HasSuffix(err.Error(), "shorten its cells") ||
		!strings.HasPrefix(se.Text().Get(LangVI), "dòng 00112233 của bảng 4.K") {
		t.Fatalf("%v", err)
	}
}
