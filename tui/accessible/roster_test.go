package accessible

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fieldsurvey/fieldsurvey/questionnaires"
	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/tui/session"
)

const rosterYAML = `format: fieldsurvey-questionnaire/1
id: kd
version: "1"
title: {en: Key datasets, vi: Bộ dữ liệu chủ chốt}
languages: [vi, en]
sections:
  - id: "4"
    title: {en: Data, vi: Dữ liệu}
    questions:
      - id: "4.K"
        type: roster
        required: true
        max_rows: 2
        text: {en: Key datasets, vi: Bộ dữ liệu chủ chốt}
        row_constraint: 'cell("url") == "" or cell("url") startsWith "https://"'
        row_constraint_message: {en: the address must start with https://, vi: địa chỉ phải bắt đầu bằng https://}
        columns:
          - {id: agency, type: text, required: true, label: {en: Agency, vi: Cơ quan}}
          - {id: public, type: yesno, label: {en: Key for the public, vi: Quan trọng với công chúng}}
          - {id: kind, type: choice, label: {en: Kind, vi: Loại}, options: [{code: stat, label: {en: Statistics, vi: Thống kê}}, {code: geo, label: {en: Geospatial, vi: Không gian}}]}
          - {id: openness, type: stars, label: {en: Openness, vi: Mức độ mở}}
          - {id: size, type: number, min: 0, label: {en: Size (GB), vi: Dung lượng (GB)}}
          - {id: url, type: url, label: {en: URL, vi: Đường dẫn}}
`

func rosterSetup(t *testing.T) (*Options, func() *survey.InterviewState) {
	t.Helper()
	fs, o := setup(t)
	q, err := questionnaires.Parse("kd.yaml", []byte(rosterYAML))
	if err != nil {
		t.Fatal(err)
	}
	o.Catalog = catalog{q}
	o.DefaultQuestionnaire = "kd"
	state := func() *survey.InterviewState {
		list, _ := fs.List(context.Background(), session.ListOptions{})
		if len(list) != 1 {
			t.Fatalf("%d interviews", len(list))
		}
		st, err := fs.Interview(context.Background(), list[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	return &o, state
}

// The respondent block of a new interview of kd.
var rosterStart = []string{"", "Sở Tài chính", "Đà Nẵng", "Chuyên viên", "1", "", "Đà Nẵng", "y"}

func TestRosterLineMode(t *testing.T) {
	o, state := rosterSetup(t)
	input := append(append([]string{}, rosterStart...),
		"",                  // done at once: a required roster with no rows is refused
		"e 1",               // no row to edit yet
		"a",                 // add row 1
		"",                  // agency: required, asked again
		"Cục Thống kê",      //
		"maybe",             // public: y or n
		"y",                 //
		"3",                 // kind: no option 3
		"1",                 // statistics
		"7",                 // openness: 0 to 5
		"na",                //
		"-3",                // size: min 0
		"12,5",              // a Vietnamese decimal
		"gso.gov.vn",        // url: not a web address
		"http://gso.gov.vn", // a web address, but the row constraint wants https: the row again
		"", "", "", "", "",  // keep agency, public, kind, openness, size
		"https://gso.gov.vn", // url
		"a",                  // add row 2
		"Sở Tài nguyên và Môi trường", "n", "2", "4", "", "",
		"a",     // a third row: over max_rows
		"m 2 1", // move row 2 to the top
		"e 2",   // edit GSO: keep everything, clear the size
		"", "", "", "", "-", "",
		"d 1", // delete Sở Tài nguyên
		"x",   // unknown command
		"l",
		"", // done
		"", // overall rating: no suggestion, required
		"amber",
		"Danh mục còn thiếu",
		"y", // complete
	)
	var out strings.Builder
	o.In = strings.NewReader(strings.Join(input, "\n") + "\n")
	o.Out = &out
	if err := Run(context.Background(), *o); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	st := state()
	rows := st.Rows("4.K")
	if len(rows) != 1 {
		t.Fatalf("%d rows\n%s", len(rows), out.String())
	}
	want := map[string]any{"agency": "Cục Thống kê", "public": true, "kind": "stat", "openness": "na", "url": "https://gso.gov.vn"}
	if got := rows[0].Cells; len(got) != len(want) {
		t.Fatalf("cells %v", got)
	} else {
		for k, v := range want {
			if got[k] != v {
				t.Fatalf("cell %s = %v, want %v (all: %v)", k, got[k], v, got)
			}
		}
	}
	if st.Status.Status != survey.StatusCompleted {
		t.Fatalf("status %s\n%s", st.Status.Status, out.String())
	}
	o2 := out.String()
	for _, w := range []string{
		"✗ at least 1 row is required. Please answer again.",
		"✗ The table has no rows yet: a adds one.",
		"✗ This column is required.",
		"✗ Answer y or n.",
		"✗ Give a number from the list.",
		"✗ stars are 0 to 5 or N/A, not 7.",
		"✗ must be at least 0.",
		`✗ "gso.gov.vn" is not a web address (http:// or https:// and a host).`,
		"✗ the address must start with https://. Please answer again.",
		"The row is not saved yet; change what is needed.",
		"✗ roster 4.K holds at most 2 rows: delete a row before adding one.",
		"✓ Row 2 moved to place 1.",
		"  1. Agency: Sở Tài nguyên và Môi trường · Key for the public: no · Kind: Geospatial · Openness: ★★★★☆",
		"  2. Agency: Cục Thống kê · Key for the public: yes · Kind: Statistics · Openness: N/A · Size (GB): 12.5 · URL: https://gso.gov.vn",
		"✓ Row 1 deleted (its history keeps it).",
		"✗ Unknown command",
		"  4.K: 1 row\n",
	} {
		if !strings.Contains(o2, w) {
			t.Errorf("output lacks %q", w)
		}
	}
	if t.Failed() || testing.Verbose() {
		t.Log(o2)
	}
}

func TestRosterLineModeVietnamese(t *testing.T) {
	o, state := rosterSetup(t)
	o.Lang = "vi"
	input := append(append([]string{}, rosterStart...), "t", "Cục Thống kê", "c", "", "5", "", "")
	var out strings.Builder
	o.In = strings.NewReader(strings.Join(input, "\n") + "\n")
	o.Out = &out
	_ = Run(context.Background(), *o) // the input ends before the summary
	for _, w := range []string{"Một bảng: nhập từng dòng một.", "a thêm dòng, e N sửa dòng N", "Cơ quan (bắt buộc)",
		"Quan trọng với công chúng (y = có, n = không)", "Mức độ mở (0 đến 5 sao, hoặc na)", "✓ Đã lưu dòng.", "Số dòng: 1 (tối đa 2)",
		"1. Cơ quan: Cục Thống kê · Quan trọng với công chúng: có · Mức độ mở: ★★★★★"} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("output lacks %q\n%s", w, out.String())
		}
	}
	if rows := state().Rows("4.K"); len(rows) != 1 {
		t.Fatalf("%d rows", len(rows))
	}
}

func TestRosterLineModePipedStopsAtBadCell(t *testing.T) {
	o, state := rosterSetup(t)
	o.Interactive = false
	input := append(append([]string{}, rosterStart...), "a", "GSO", "y", "1", "9", "", "", "a")
	var out strings.Builder
	o.In = strings.NewReader(strings.Join(input, "\n") + "\n")
	o.Out = &out
	err := Run(context.Background(), *o)
	if err == nil || !strings.Contains(err.Error(), "line 13: stars are 0 to 5 or N/A, not 9") {
		t.Fatalf("err %v\n%s", err, out.String())
	}
	if rows := state().Rows("4.K"); len(rows) != 0 {
		t.Fatalf("a row was saved: %v", rows)
	}
}

// A row with two versions (this device and a second laptop) shows both before it is
// edited; saving the edit settles it.
func TestRosterLineModeConflictedRow(t *testing.T) {
	fs, o := setup(t)
	q, err := questionnaires.Parse("kd.yaml", []byte(rosterYAML))
	if err != nil {
		t.Fatal(err)
	}
	o.Catalog = catalog{q}
	ctx := context.Background()
	o.Writer.IDs = func() (string, error) { return "0193a5b2-7c1e-7000-8000-000000000001", nil }
	id, err := o.Writer.Create(ctx, q, survey.Respondent{Agency: "Sở Tài chính", Province: "Đà Nẵng", Date: "2026-11-23", Consent: true})
	if err != nil {
		t.Fatal(err)
	}
	tg := survey.Target{Interview: id, Kind: survey.KindRow, Key: survey.RowKey("4.K", "0000000000000001")}
	if err := o.Writer.Put(ctx, survey.Change{Target: tg, Value: survey.RosterRow{Pos: 1, Cells: map[string]any{"agency": "GSO"}}}); err != nil {
		t.Fatal(err)
	}
	mine := fs.Revisions(id)
	other, err := survey.NewRevision(tg, survey.RosterRow{Pos: 1, Cells: map[string]any{"agency": "Tổng cục Thống kê", "openness": 5.0}},
		"lap-binh", 1, time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC), "Trần Thị Bình", mine[len(mine)-1].Replaces)
	if err != nil {
		t.Fatal(err)
	}
	fs.Append(other)
	o.Interview = id
	var out strings.Builder
	o.Out = &out
	o.In = strings.NewReader(strings.Join([]string{"e 1", "", "", "", "", "", "", ""}, "\n") + "\n")
	if err := Run(ctx, o); !errors.Is(err, ErrInputEnded) {
		t.Fatalf("err %v\n%s", err, out.String())
	}
	for _, w := range []string{
		"  1. ! CONFLICT · Agency: Tổng cục Thống kê · Openness: ★★★★★",
		"! CONFLICT: this row has 2 versions, made on different devices:",
		"  [1] Trần Thị Bình · device lap-binh · 2026-11-23 10:00",
		"      Agency: Tổng cục Thống kê · Openness: ★★★★★",
		"      Agency: GSO",
		"Saving this row settles the conflict",
		"✓ Row saved.",
		"  1. Agency: Tổng cục Thống kê · Openness: ★★★★★\n",
	} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("output lacks %q\n%s", w, out.String())
		}
	}
	st, err := fs.Interview(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Conflicts) != 0 || len(st.Rows("4.K")) != 1 || st.Rows("4.K")[0].Conflict {
		t.Fatalf("not settled: %v %v", st.Conflicts, st.Rows("4.K"))
	}
}
