package tui

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fieldsurvey/fieldsurvey/questionnaires"
	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/tui/internal/fakestore"
	"github.com/fieldsurvey/fieldsurvey/tui/session"
)

const rosterInterview = "0193a5b2-7c1e-7000-8000-000000000001"

// keyDatasets loads the key datasets test questionnaire (testdata/keydatasets.yaml): a
// fresh copy, which a test may change (its max_rows).
func keyDatasets(t testing.TB) *survey.Questionnaire {
	t.Helper()
	q, err := questionnaires.LoadFile("testdata/keydatasets.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return q
}

var (
	sampleAgencies = []string{"Sở Tài nguyên và Môi trường", "Cục Thống kê", "Sở Y tế", "Sở Giáo dục và Đào tạo", "Sở Giao thông vận tải"}
	sampleSources  = []string{"Sổ đăng ký đất đai", "Niên giám thống kê tỉnh", "Hồ sơ sức khỏe điện tử", "Cơ sở dữ liệu học sinh",
		"Bản đồ mạng lưới xe buýt", "Danh bạ doanh nghiệp", "Dữ liệu quan trắc không khí"}
)

// sampleRow is row i (from 0) of a generated inventory: every column filled in a pattern,
// each row valid.
func sampleRow(i int) survey.RosterRow {
	cells := map[string]any{
		"agency":  sampleAgencies[i%len(sampleAgencies)],
		"source":  fmt.Sprintf("%s %d", sampleSources[i%len(sampleSources)], i+1),
		"public":  i%3 != 0,
		"service": i%2 == 0,
		"kind":    []string{"stat", "geo", "admin"}[i%3],
		"count":   float64((i * 37) % 500),
	}
	if i%3 == 0 {
		cells["openness"] = survey.StarsNA
	} else {
		cells["openness"] = float64(i % 6)
	}
	if i%4 == 0 {
		cells["url"] = fmt.Sprintf("https://data.danang.gov.vn/dataset/%d", i+1)
	}
	return survey.RosterRow{Pos: float64(i + 1), Cells: cells}
}

// rowID is the id of generated row i.
func rowID(i int) string { return fmt.Sprintf("%016x", i+1) }

// rosterStore is a store holding one interview of q (id rosterInterview) with n generated
// rows in roster 4.K.
func rosterStore(t testing.TB, q *survey.Questionnaire, n int) (*fakestore.Store, *clock) {
	t.Helper()
	ck := newClock()
	fs := fakestore.New(ck.now)
	w := &session.Writer{Store: fs, Author: session.Author{Device: "dev1", Principal: "an"}, Assessor: "Nguyễn Văn An",
		IDs: func() (string, error) { return rosterInterview, nil }}
	ctx := context.Background()
	if _, err := w.Create(ctx, q, survey.Respondent{Agency: "Sở Thông tin và Truyền thông", Province: "Đà Nẵng",
		Role: "Phó giám đốc", Date: "2026-11-23", Consent: true}); err != nil {
		t.Fatal(err)
	}
	ck.add(time.Minute)
	var ch []survey.Change
	for i := 0; i < n; i++ {
		ch = append(ch, survey.Change{Target: survey.Target{Interview: rosterInterview, Kind: survey.KindRow,
			Key: survey.RowKey("4.K", rowID(i))}, Value: sampleRow(i)})
	}
	if len(ch) > 0 {
		if err := w.Put(ctx, ch...); err != nil {
			t.Fatal(err)
		}
	}
	ck.add(time.Minute)
	return fs, ck
}

// rosterDriver opens roster 4.K of an interview of q holding n rows, at w×h.
func rosterDriver(t *testing.T, q *survey.Questionnaire, n, w, h int, opts ...driverOpt) *driver {
	t.Helper()
	fs, ck := rosterStore(t, q, n)
	d := newDriverOn(t, w, h, fs, ck, opts...)
	d.app.c.cat = catalog{q}
	d.send(OpenInterviewMsg{ID: rosterInterview, At: session.Place{Question: "4.K"}})
	if d.app.question == nil || d.app.question.ro == nil {
		t.Fatalf("the roster did not open:\n%s", d.view())
	}
	return d
}

// storedRows reads roster 4.K back from the store.
func (d *driver) storedRows() []survey.Row {
	d.t.Helper()
	return d.state(rosterInterview).Rows("4.K")
}

func TestRosterAddARowSavesOneRevision(t *testing.T) {
	d := rosterDriver(t, keyDatasets(t), 0, 80, 24)
	d.mustSee("4.K", "Key datasets held by the agency", "No rows yet: a adds the first one.", "Agency*")
	puts := d.store.Puts
	d.key("a")
	d.mustSee("New row (1)", "Agency*", "Data source*", "Remarks / URL")
	if !d.app.question.Typing() {
		t.Fatal("the row form does not take letters as text")
	}
	d.typeText("Sở Tài nguyên và Môi trường")
	d.key("tab")
	d.typeText("Sổ đăng ký đất đai q?") // q and ? are text here
	d.key("tab", "y", "tab", "n", "tab", "4", "tab", "2", "tab")
	d.typeText("12,5")
	d.key("tab")
	d.typeText("https://stnmt.danang.gov.vn/dat-dai")
	if d.quit || d.app.showAll {
		t.Fatal("letters typed in the form acted as keys")
	}
	d.mustSee("● unsaved")
	if d.store.Puts != puts {
		t.Fatal("the row was written before enter")
	}
	d.key("enter")
	if got := d.store.Puts - puts; got != 1 {
		t.Fatalf("saving a row took %d Puts, want 1", got)
	}
	rows := d.storedRows()
	if len(rows) != 1 {
		t.Fatalf("%d rows stored, want 1", len(rows))
	}
	want := map[string]any{"agency": "Sở Tài nguyên và Môi trường", "source": "Sổ đăng ký đất đai q?", "public": true,
		"service": false, "openness": 4.0, "kind": "geo", "count": 12.5, "url": "https://stnmt.danang.gov.vn/dat-dai"}
	if fmt.Sprint(rows[0].Cells) != fmt.Sprint(want) || rows[0].Pos != 1 {
		t.Fatalf("stored row: pos %v %v\nwant %v", rows[0].Pos, rows[0].Cells, want)
	}
	if len(d.store.Revisions(rosterInterview)) != 4 { // creation (3) + the row
		t.Fatalf("%d revisions, want 4", len(d.store.Revisions(rosterInterview)))
	}
	d.mustSee("✓ saved", "rows 1–1 of 1", "Sở Tài nguyên v…", "★★★★☆", "1/2 answered")
}

func TestRosterBadRowIsNotSavedAndSaysWhyBesideTheField(t *testing.T) {
	d := rosterDriver(t, keyDatasets(t), 0, 120, 40)
	puts := d.store.Puts
	d.key("a", "enter")
	d.mustSee("The row is empty: fill in at least one cell")
	d.typeText("Cục Thống kê")
	d.key("enter")
	d.mustSee("Not saved: 1 problem(s) in this row", "Data source*", "✗ required")
	if d.app.question.ro.form.cur != 1 {
		t.Fatalf("focus on field %d, want the bad one (1)", d.app.question.ro.form.cur)
	}
	d.typeText("Niên giám")
	d.mustNotSee("✗ required") // fixed: the message goes at once
	// A bad address, then the row constraint (key for the public with N/A openness).
	d.key("tab", "y", "tab", "tab", "n", "tab", "tab", "tab")
	d.typeText("ftp://gso.gov.vn")
	d.key("enter")
	d.mustSee(`✗ "ftp://gso.gov.vn" is not a web address`)
	for range len("ftp://gso.gov.vn") {
		d.key("backspace")
	}
	d.key("enter")
	d.mustSee("✗ a dataset that is key for the public cannot have N/A openness")
	// Out of range number.
	d.key("up")
	d.typeText("-3")
	d.key("enter")
	if d.store.Puts != puts {
		t.Fatal("a bad row was written")
	}
	d.mustSee("must be at least 0")
	d.key("backspace", "backspace")
	d.key("up", "up", "3") // openness: 3 stars
	d.key("enter")
	if d.store.Puts != puts+1 || len(d.storedRows()) != 1 {
		t.Fatalf("the good row was not written: %d Puts, rows %v", d.store.Puts-puts, d.storedRows())
	}
}

func TestRosterVietnameseMessages(t *testing.T) {
	d := rosterDriver(t, keyDatasets(t), 0, 80, 24, func(o *Options) { o.Lang = "vi" })
	d.mustSee("Chưa có dòng nào: a để thêm dòng đầu tiên.")
	d.key("a")
	d.typeText("Sở Y tế")
	d.key("enter")
	d.mustSee("Dòng mới (1)", "✗ bắt buộc", "Chưa lưu: dòng này có 1 lỗi")
}

func TestRosterMaxRowsRefusesAnotherRow(t *testing.T) {
	q := keyDatasets(t)
	qu, _ := q.Question("4.K")
	qu.MaxRows = 3
	d := rosterDriver(t, q, 3, 80, 24)
	puts := d.store.Puts
	d.key("a")
	d.mustSee("roster 4.K holds at most 3 rows: delete a row before adding one")
	if d.app.question.ro.form != nil || d.store.Puts != puts {
		t.Fatal("a row was offered or written beyond max_rows")
	}
	d.mustSee("rows 1–3 of 3 (at most 3)")
}

func TestRosterEditDeleteAndReorder(t *testing.T) {
	d := rosterDriver(t, keyDatasets(t), 5, 120, 40)
	// Edit row 2: its source.
	d.key("down", "enter")
	d.mustSee("Row 2 of 5")
	d.key("tab", "ctrl+u")
	d.typeText("Niên giám thống kê 2025")
	d.key("enter")
	rows := d.storedRows()
	if got := rows[1].Cells["source"]; got != "Niên giám thống kê 2025" || rows[1].ID != rowID(1) {
		t.Fatalf("row 2 after the edit: %v %v", rows[1].ID, rows[1].Cells)
	}
	if got := rows[1].Cells["agency"]; got != "Cục Thống kê" {
		t.Fatalf("the other cells changed: %v", rows[1].Cells)
	}
	// Reorder: row 2 down, then row 3 (it) up twice: first.
	d.key("J")
	if ids := idsOf(d.storedRows()); ids[2] != rowID(1) {
		t.Fatalf("after J: %v", ids)
	}
	d.mustSee("▸")
	if d.app.question.ro.cur != 2 {
		t.Fatalf("selection on %d after J, want 2 (follows the row)", d.app.question.ro.cur)
	}
	d.key("K", "K", "K")
	if ids := idsOf(d.storedRows()); ids[0] != rowID(1) || len(ids) != 5 {
		t.Fatalf("after K×3: %v", ids)
	}
	// Delete: asked first; another key keeps it.
	d.key("end", "d")
	d.mustSee("Delete row 5 (Sở Giao thông vận tải · Bản đồ mạng lưới xe buýt 5)? y deletes it")
	d.key("x")
	if len(d.storedRows()) != 5 {
		t.Fatal("deleted without y")
	}
	d.mustSee("Not deleted.")
	d.key("d", "y")
	if len(d.storedRows()) != 4 {
		t.Fatal("not deleted after d y")
	}
	d.mustSee("Row deleted; 4 rows left", "rows 1–4 of 4")
	// The history keeps the deleted row: its last revision is a tombstone.
	var last survey.Revision
	for _, r := range d.store.Revisions(rosterInterview) {
		if r.Key == survey.RowKey("4.K", rowID(4)) {
			last = r
		}
	}
	var gone survey.RosterRow
	if err := json.Unmarshal(last.Value, &gone); err != nil || !gone.Normalized().IsEmpty() {
		t.Fatalf("deleted row's last revision: %s", last.Value)
	}
}

func idsOf(rows []survey.Row) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.ID)
	}
	return out
}

func TestRosterMoveRenumbersWhenNoGapIsLeft(t *testing.T) {
	d := rosterDriver(t, keyDatasets(t), 3, 80, 24)
	// Move row 3 up and down many times: the gap halves each time, then every row is
	// renumbered in one Put; the order stays right throughout.
	for i := 0; i < 80; i++ {
		d.key("end", "K")
		if ids := idsOf(d.storedRows()); ids[1] != rowID(2) {
			t.Fatalf("move %d: %v", i, ids)
		}
		d.key("J")
		if ids := idsOf(d.storedRows()); ids[2] != rowID(2) {
			t.Fatalf("move %d back: %v", i, ids)
		}
	}
}

func TestRosterEscOnAChangedRowAsksFirst(t *testing.T) {
	d := rosterDriver(t, keyDatasets(t), 2, 80, 24)
	puts := d.store.Puts
	d.key("enter", "ctrl+u")
	d.typeText("Sở Nội vụ")
	d.key("esc")
	d.mustSee("The row is not saved: enter saves it, esc again drops the changes.")
	d.key("esc")
	if d.app.question.ro.form != nil || d.store.Puts != puts {
		t.Fatal("esc esc did not drop the changes, or wrote them")
	}
	// esc on an unchanged form closes it at once; enter on it writes nothing.
	d.key("enter", "esc")
	if d.app.question.ro.form != nil {
		t.Fatal("esc did not close an unchanged form")
	}
	d.key("enter", "enter")
	if d.store.Puts != puts {
		t.Fatal("an unchanged row was written")
	}
}

func TestRosterCtrlCOnABadRowAsksOnceGoodRowIsSaved(t *testing.T) {
	d := rosterDriver(t, keyDatasets(t), 1, 80, 24)
	d.key("a")
	d.typeText("Sở Công Thương")
	d.key("ctrl+c")
	if d.quit {
		t.Fatal("ctrl+c dropped a bad row without asking")
	}
	d.mustSee("The row being edited is not saved")
	d.key("tab")
	d.typeText("Danh bạ doanh nghiệp")
	d.key("ctrl+c") // now good: saved, then quit
	if !d.quit {
		t.Fatal("ctrl+c did not quit")
	}
	if n := len(d.storedRows()); n != 2 {
		t.Fatalf("%d rows stored after quitting, want 2 (the good row saved first)", n)
	}
}

func TestRosterScrolling(t *testing.T) {
	d := rosterDriver(t, keyDatasets(t), 200, 80, 24)
	d.mustSee("rows 1–15 of 200 (at most 1000)", "  1 Sở Tài nguyên v…", " 15 Sở Giao thông v…")
	d.key("pgdown")
	if d.app.question.qu.ID != "4.K" {
		t.Fatal("PgDn left the roster")
	}
	d.mustSee("rows 16–30 of 200", " 30 Sở Giao thông v…")
	d.mustNotSee(" 15 Sở Giao thông v…")
	d.key("end")
	d.mustSee("rows 186–200 of 200", "▸ 200 ")
	d.key("home")
	d.mustSee("rows 1–15 of 200", "▸   1 ")
	d.key("pgup")
	d.mustSee("rows 1–15 of 200")
	// ctrl+n still goes to the next question.
	d.key("ctrl+n")
	if d.app.question.qu.ID == "4.K" {
		t.Fatal("ctrl+n did not leave the roster")
	}
}

func TestRosterHelpListsItsKeys(t *testing.T) {
	for _, c := range []struct{ lang, want string }{{"en", "add row"}, {"vi", "thêm dòng"}} {
		d := rosterDriver(t, keyDatasets(t), 3, 80, 24, func(o *Options) { o.Lang = c.lang })
		d.key("?")
		d.mustSee(c.want, "K/shift+↑", "J/shift+↓", "d/del", "pgdn")
		d.key("esc", "enter", "f1")
		d.mustSee("enter", "esc")
		if c.lang == "en" {
			d.mustSee("save the row", "cancel")
		} else {
			d.mustSee("lưu dòng", "huỷ")
		}
	}
}

func TestRosterConflictedRowIsMarkedAndNotEditable(t *testing.T) {
	fs, ck := rosterStore(t, keyDatasets(t), 3)
	// Another laptop edited row 2 from the same version.
	tg := survey.Target{Interview: rosterInterview, Kind: survey.KindRow, Key: survey.RowKey("4.K", rowID(1))}
	st, err := fs.Interview(context.Background(), rosterInterview)
	if err != nil {
		t.Fatal(err)
	}
	var prev survey.Revision
	for _, r := range fs.Revisions(rosterInterview) {
		if r.Target() == tg {
			prev = r
		}
	}
	other := sampleRow(1)
	other.Cells["source"] = "Niên giám thống kê tỉnh (bản in)"
	rev, err := survey.NewRevision(tg, other, "lap-binh", 9, ck.now().Add(5*time.Minute), "Trần Thị Bình", prev.Replaces)
	if err != nil {
		t.Fatal(err)
	}
	fs.Append(rev)
	if len(st.Conflicts) != 0 {
		t.Fatal("fixture: conflict before")
	}
	d := newDriverOn(t, 120, 40, fs, ck)
	d.app.c.cat = catalog{keyDatasets(t)}
	d.send(OpenInterviewMsg{ID: rosterInterview, At: session.Place{Question: "4.K"}})
	d.key("down")
	d.mustSee("!", "CONFLICT: row 2 has 2 versions", "v compare")
	puts := d.store.Puts
	d.key("d")
	d.mustSee("settles it first")
	d.key("enter")
	d.mustSee("Row 2 of 3 · read only", "v compares them and settles")
	d.key("x", "enter", "backspace")
	if d.store.Puts != puts {
		t.Fatal("a conflicted row was changed")
	}
	d.key("esc", "J")
	if d.store.Puts != puts {
		t.Fatal("a conflicted row was moved")
	}
	// v shows both versions cell by cell; taking one settles the row.
	d.key("v")
	d.mustSee("Versions of", "Data source: Niên giám thống kê tỉnh (bản in)", "≠ Data source")
	d.key("1")
	if cf := d.state(rosterInterview).Conflicts; len(cf) != 0 {
		t.Fatalf("still %d conflicts after taking version 1", len(cf))
	}
	d.mustSee("rows 1–3 of 3", "Saved: version 1 taken as it was")
	d.mustNotSee("CONFLICT", "!")
	if got := d.storedRows()[1].Cells["source"]; got != "Niên giám thống kê tỉnh (bản in)" {
		t.Fatalf("row 2 after taking version 1: %v", got)
	}
	if got := d.app.iv.rows("4.K")[1].Cells["source"]; got != "Niên giám thống kê tỉnh (bản in)" {
		t.Fatalf("row 2 on the screen after taking version 1: %v", got)
	}
}

func TestRosterEditFromAVersionSettlesWhenSaved(t *testing.T) {
	fs, ck := rosterStore(t, keyDatasets(t), 2)
	tg := survey.Target{Interview: rosterInterview, Kind: survey.KindRow, Key: survey.RowKey("4.K", rowID(0))}
	var prev survey.Revision
	for _, r := range fs.Revisions(rosterInterview) {
		if r.Target() == tg {
			prev = r
		}
	}
	other := sampleRow(0)
	other.Cells["agency"] = "Sở TN&MT"
	rev, err := survey.NewRevision(tg, other, "lap-binh", 9, ck.now().Add(5*time.Minute), "Trần Thị Bình", prev.Replaces)
	if err != nil {
		t.Fatal(err)
	}
	fs.Append(rev)
	d := newDriverOn(t, 80, 24, fs, ck)
	d.app.c.cat = catalog{keyDatasets(t)}
	d.send(OpenInterviewMsg{ID: rosterInterview, At: session.Place{Question: "4.K"}})
	d.key("v", "e")
	d.mustSee("A new row from version 1", "Row 1 of 2")
	d.key("ctrl+u")
	d.typeText("Sở Tài nguyên và Môi trường Đà Nẵng")
	d.key("enter")
	st := d.state(rosterInterview)
	if len(st.Conflicts) != 0 {
		t.Fatalf("%d conflicts after saving a new row from a version", len(st.Conflicts))
	}
	if got := st.Rows("4.K")[0].Cells["agency"]; got != "Sở Tài nguyên và Môi trường Đà Nẵng" {
		t.Fatalf("row 1 agency: %v", got)
	}
}

func TestRosterReadOnlyWhenNotEditable(t *testing.T) {
	fs, ck := rosterStore(t, keyDatasets(t), 2)
	w := &session.Writer{Store: fs, Author: session.Author{Device: "dev1"}}
	if err := w.Put(context.Background(), session.StatusChange(rosterInterview, survey.StatusChange{Status: survey.StatusCompleted})); err != nil {
		t.Fatal(err)
	}
	d := newDriverOn(t, 80, 24, fs, ck)
	d.app.c.cat = catalog{keyDatasets(t)}
	d.send(OpenInterviewMsg{ID: rosterInterview, At: session.Place{Question: "4.K"}})
	puts := d.store.Puts
	d.key("a")
	d.mustSee("This interview is completed: to change it, open the review (r)")
	d.key("d", "J", "enter")
	d.mustSee("read only")
	d.key("y")
	if d.store.Puts != puts {
		t.Fatal("a completed interview's roster was changed")
	}
}

func TestRosterCountsInProgressAndRelevance(t *testing.T) {
	d := rosterDriver(t, keyDatasets(t), 0, 80, 24)
	d.mustSee("0/2 answered")
	// Two rows of 3+ stars make 4.2 asked (count_rows_where).
	for _, src := range []string{"Bản đồ hành chính", "Niên giám"} {
		d.key("a")
		d.typeText("Sở Nội vụ")
		d.key("tab")
		d.typeText(src)
		d.key("tab", "tab", "tab", "4", "enter")
	}
	d.mustSee("1/3 answered")
	d.key("o") // the section summary names the roster's rows
	d.mustSee("4.K", "2 rows")
	d.send(GotoMsg{Place: session.Place{Question: "4.K"}})
	if !d.app.iv.relevant[d.app.iv.index["4.2"]] {
		t.Fatal("4.2 not asked after two open datasets")
	}
	d.key("d", "y")
	if d.app.iv.relevant[d.app.iv.index["4.2"]] {
		t.Fatal("4.2 still asked after a row was deleted")
	}
	d.mustSee("1/2 answered")
	if !strings.Contains(d.view(), "rows 1–1 of 1") {
		t.Fatal(d.view())
	}
}

func TestRosterCtrlLSwitchesItsHelpAndLabels(t *testing.T) {
	d := rosterDriver(t, keyDatasets(t), 3, 120, 40)
	d.mustSee("a/ins add row", "Data source*")
	d.key("ctrl+l")
	d.mustSee("a/ins thêm dòng", "Nguồn dữ liệu*", "dòng 1–3 / 3")
	d.mustNotSee("add row")
	d.key("enter")
	d.mustSee("enter lưu dòng", "Dòng 1 / 3")
}

func TestRosterRowDeletedHereEditedElsewhereIsShownAndRestorable(t *testing.T) {
	fs, ck := rosterStore(t, keyDatasets(t), 3)
	tg := survey.Target{Interview: rosterInterview, Kind: survey.KindRow, Key: survey.RowKey("4.K", rowID(1))}
	var prev survey.Revision
	for _, r := range fs.Revisions(rosterInterview) {
		if r.Target() == tg {
			prev = r
		}
	}
	// Another laptop changed row 2; this one deleted it later, from the same version.
	edited := sampleRow(1)
	edited.Cells["source"] = "Niên giám thống kê 2025"
	other, err := survey.NewRevision(tg, edited, "lap-binh", 9, ck.now().Add(time.Minute), "Trần Thị Bình", prev.Replaces)
	if err != nil {
		t.Fatal(err)
	}
	fs.Append(other)
	w := &session.Writer{Store: fs, Author: session.Author{Device: "dev1", Principal: "an"}}
	ck.add(10 * time.Minute)
	if err := w.Put(context.Background(), survey.Change{Target: tg, Value: survey.RosterRow{}, Base: []string{prev.ID}}); err != nil {
		t.Fatal(err)
	}
	d := newDriverOn(t, 80, 24, fs, ck)
	d.app.c.cat = catalog{keyDatasets(t)}
	d.send(OpenInterviewMsg{ID: rosterInterview, At: session.Place{Question: "4.K"}})
	if len(d.app.iv.st.Conflicts) != 1 {
		t.Fatalf("fixture: %d conflicts, want 1", len(d.app.iv.st.Conflicts))
	}
	d.mustSee("rows 1–2 of 2", "! A deleted row has versions that disagree", "V ")
	d.key("V")
	d.mustSee("Versions of", "Row deleted", "Data source: Niên giám thống kê 2025")
	d.key("2") // the other laptop's edit, older: version 2
	if cf := d.state(rosterInterview).Conflicts; len(cf) != 0 {
		t.Fatalf("%d conflicts after settling", len(cf))
	}
	d.mustSee("rows 1–3 of 3")
	d.mustNotSee("A deleted row")
	if got := d.storedRows()[1].Cells["source"]; got != "Niên giám thống kê 2025" {
		t.Fatalf("restored row: %v", got)
	}
}
