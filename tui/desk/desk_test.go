package desk_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/tui"
	"github.com/fieldsurvey/fieldsurvey/tui/desk"
)

// at moves the queue's cursor to the row of agency (the queue is in status order).
func (d *driver) at(agency string) {
	d.t.Helper()
	d.keys("home")
	for range 10 {
		for _, l := range strings.Split(d.view(), "\n") {
			if strings.HasPrefix(l, "▸ ") && strings.Contains(l, agency) {
				return
			}
		}
		d.keys("down")
	}
	d.t.Fatalf("no row of %s in the queue:\n%s", agency, d.view())
}

func TestQueueOrderAndAssessors(t *testing.T) {
	f := newFixture(t)
	d := newDriver(t, f, supervisorOptions("en"), 120, 40)
	v := d.view()
	// Waiting first (completed, resubmitted, newest change first), then approved, then the draft.
	order := []string{"Cục Thống kê", "Sở Tư pháp", "Sở Thông tin", "Sở Tài chính", "Sở Y tế"}
	last := -1
	for _, a := range order {
		i := strings.Index(v, a)
		if i < 0 || i < last {
			t.Fatalf("queue order: want %v; screen:\n%s", order, v)
		}
		last = i
	}
	for _, want := range []string{"Nguyễn Văn An", "binh@example.org", "resubmitted", "approved", "5 interviews"} {
		if !strings.Contains(v, want) {
			t.Errorf("queue lacks %q:\n%s", want, v)
		}
	}
	// The status filter: waiting for a decision.
	d.keys("f")
	v = d.view()
	if !strings.Contains(v, "3 interviews") || strings.Contains(v, "Sở Tài chính") || strings.Contains(v, "Sở Y tế") {
		t.Errorf("waiting filter:\n%s", v)
	}
	// Search ignores accents; esc clears search and filters.
	d.keys("esc", "/")
	d.typeText("tu phap")
	d.keys("enter")
	if v := d.view(); !strings.Contains(v, "1 interview") || !strings.Contains(v, "Sở Tư pháp") {
		t.Errorf("search for 'tu phap':\n%s", v)
	}
	d.keys("esc")
	if v := d.view(); !strings.Contains(v, "5 interviews") {
		t.Errorf("esc did not clear the search:\n%s", v)
	}
	// The assessor filter cycles through principals (for interviews without a name) and
	// names, in Vietnamese order.
	d.keys("w")
	if v := d.view(); !strings.Contains(v, "Assessor: binh@example.org") || !strings.Contains(v, "2 interviews") {
		t.Errorf("assessor filter:\n%s", v)
	}
	d.keys("w")
	if v := d.view(); !strings.Contains(v, "Assessor: Nguyễn Văn An") || !strings.Contains(v, "3 interviews") {
		t.Errorf("assessor filter:\n%s", v)
	}
}

func TestApproveRefusedWhileAConflictStands(t *testing.T) {
	f := newFixture(t)
	d := newDriver(t, f, supervisorOptions("en"), 80, 24)
	d.at("Cục Thống kê")
	d.keys("a")
	v := d.view()
	if !strings.Contains(v, "conflicts: 7.1") {
		t.Errorf("the refusal does not name the conflicting answer:\n%s", v)
	}
	if strings.Contains(v, "[ Approve ]") {
		t.Errorf("the approve form opened despite the conflict:\n%s", v)
	}
	if got := f.statusRevisions(t, ivID(4)); len(got) != 2 {
		t.Errorf("status revisions after a refused approval: %v", got)
	}
}

func TestReturnNeedsAReasonAndLettersAreText(t *testing.T) {
	f := newFixture(t)
	d := newDriver(t, f, supervisorOptions("vi"), 80, 24)
	d.at("Sở Thông tin")
	d.keys("x")
	if v := d.view(); !strings.Contains(v, "Vì sao trả lại?") {
		t.Fatalf("the return form did not open:\n%s", v)
	}
	before := f.statusRevisions(t, ivID(1))
	// Without a reason, the button refuses.
	d.keys("tab", "enter")
	if v := d.view(); !strings.Contains(v, "Hãy viết lý do trước") {
		t.Errorf("return without a reason was not refused:\n%s", v)
	}
	if got := f.statusRevisions(t, ivID(1)); !reflect.DeepEqual(got, before) {
		t.Fatalf("a refused return wrote %v", got)
	}
	// Back in the text: a, x, o, q and ? are letters of the reason, nothing else.
	d.keys("tab")
	d.typeText("axoq? Câu 7.1 cần thêm bằng chứng;")
	d.keys("enter")
	d.typeText("xác nhận lại với Sở.")
	if d.quit {
		t.Fatal("typing q in the reason quit")
	}
	v := d.view()
	for _, want := range []string{"┃ axoq? Câu 7.1 cần thêm bằng chứng;", "┃ xác nhận lại với Sở.", "Trả lại người đánh giá"} {
		if !strings.Contains(v, want) {
			t.Errorf("the form lacks %q:\n%s", want, v)
		}
	}
	if got := f.statusRevisions(t, ivID(1)); !reflect.DeepEqual(got, before) {
		t.Fatalf("typing into the reason decided something: %v", got)
	}
	d.keys("tab", "enter")
	got := f.statusRevisions(t, ivID(1))
	want := append(before, "lan@example.org@sup-lan:returned:axoq? Câu 7.1 cần thêm bằng chứng;\nxác nhận lại với Sở.")
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("status revisions:\n got %q\nwant %q", got, want)
	}
	v = d.view()
	if !strings.Contains(v, "đã lưu, chờ đóng lô") {
		t.Errorf("the notice does not say the decision is saved and waiting:\n%s", v)
	}
	d.keys("down")
	if v := d.view(); !strings.Contains(v, "1 quyết định · 1 thay đổi chờ đóng lô") {
		t.Errorf("the status line does not count what waits:\n%s", v)
	}
}

func TestApproveWritesOneRevisionByTheHome(t *testing.T) {
	f := newFixture(t)
	d := newDriver(t, f, supervisorOptions("en"), 80, 24)
	d.at("Sở Tư pháp") // resubmitted
	d.keys("a")
	if v := d.view(); !strings.Contains(v, "[ Approve ]") || !strings.Contains(v, "resubmitted → approved") {
		t.Fatalf("approve form:\n%s", v)
	}
	d.keys("enter")
	got := f.statusRevisions(t, ivID(2))
	if n := len(got); n != 5 || got[n-1] != "lan@example.org@sup-lan:approved:" {
		t.Fatalf("status revisions: %q", got)
	}
	if v := d.view(); !strings.Contains(v, "Sở Tư pháp (0193a5b2) approved · saved, waiting for a batch") {
		t.Errorf("notice after approving:\n%s", v)
	}
	// Approving it again is refused by the rules: it is approved now.
	d.at("Sở Tư pháp")
	d.keys("a")
	if v := d.view(); !strings.Contains(v, "the interview is approved") {
		t.Errorf("second approval:\n%s", v)
	}
}

func TestReopenAnApprovedOneWithAReason(t *testing.T) {
	f := newFixture(t)
	d := newDriver(t, f, supervisorOptions("en"), 80, 24)
	d.at("Sở Tài chính")
	d.keys("o")
	d.typeText("Số liệu mới của Sở")
	d.keys("tab", "enter")
	got := f.statusRevisions(t, ivID(3))
	if got[len(got)-1] != "lan@example.org@sup-lan:reopened:Số liệu mới của Sở" {
		t.Fatalf("status revisions: %q", got)
	}
	// Reopening a completed one is refused.
	d.at("Sở Thông tin")
	d.keys("o")
	if v := d.view(); !strings.Contains(v, "only an approved interview can be reopened") {
		t.Errorf("reopen of a completed interview:\n%s", v)
	}
}

func TestReadOnlyDecidesNothing(t *testing.T) {
	f := newFixture(t)
	o := supervisorOptions("en")
	o.ReadOnly = survey.T("reading hub.db (--db)", "đang đọc hub.db (--db)")
	d := newDriver(t, f, o, 80, 24)
	if v := d.view(); !strings.Contains(v, "Read-only: reading hub.db (--db)") {
		t.Errorf("no read-only banner:\n%s", v)
	}
	d.at("Sở Thông tin")
	d.keys("a", "enter", "x")
	if got := f.statusRevisions(t, ivID(1)); len(got) != 2 {
		t.Fatalf("a read-only desk wrote %v", got)
	}
	// An assessor's home is read-only by its role.
	o = supervisorOptions("en")
	o.Role = survey.RoleAssessor
	d = newDriver(t, f, o, 80, 24)
	if v := d.view(); !strings.Contains(v, "Read-only: this home is an assessor's") {
		t.Errorf("assessor's home:\n%s", v)
	}
}

func TestInterviewScreenAndChangesSinceReturn(t *testing.T) {
	f := newFixture(t)
	d := newDriver(t, f, supervisorOptions("en"), 120, 40)
	d.at("Sở Tư pháp")
	d.keys("enter")
	v := d.view()
	for _, want := range []string{"Section 1/7", "assessor binh@example.org", "▸ 1.1   ●●○○○ Amber/Red"} {
		if !strings.Contains(v, want) {
			t.Errorf("interview screen lacks %q:\n%s", want, v)
		}
	}
	d.keys("c")
	v = d.view()
	for _, want := range []string{"Changes since it was returned", "Reason: Câu 1.1 thiếu bằng chứng",
		"1.1        Red · “Chưa có” → Amber/Red · “Có dự thảo chiến lược”", "status     returned → resubmitted"} {
		if !strings.Contains(v, want) {
			t.Errorf("changes view lacks %q:\n%s", want, v)
		}
	}
	d.keys("esc", "esc")
	d.at("Cục Thống kê")
	d.keys("enter", "right", "right", "right", "right", "right", "right")
	if v := d.view(); !strings.Contains(v, "▸⚠7.1") || !strings.Contains(v, "Conflicts: 7.1") {
		t.Fatalf("conflict not marked:\n%s", v)
	}
	d.keys("enter")
	if v := d.view(); !strings.Contains(v, "fieldsurvey conflicts settle 0193a5b2 7.1") {
		t.Errorf("without a settlement view the desk should say how to settle:\n%s", v)
	}
}

// TestSettleHook: enter on a conflicted answer calls Options.Settle with its target, and
// the desk reads the interview again when the settlement's command ends.
func TestSettleHook(t *testing.T) {
	f := newFixture(t)
	o := supervisorOptions("en")
	var asked []survey.Target
	o.Settle = func(id string, tg survey.Target) tea.Cmd {
		asked = append(asked, tg)
		return func() tea.Msg {
			// What a settlement view would write: one revision replacing both heads.
			if _, err := f.st.Put(context.Background(), lan, survey.Change{Target: tg, Value: survey.Answer{Rating: survey.Amber, Comment: "Đã thống nhất"}}); err != nil {
				t.Error(err)
			}
			return desk.SettledMsg{Interview: id}
		}
	}
	d := newDriver(t, f, o, 80, 24)
	d.at("Cục Thống kê")
	d.keys("enter", "right", "right", "right", "right", "right", "right", "enter")
	want := []survey.Target{{Interview: ivID(4), Kind: survey.KindAnswer, Key: "7.1"}}
	if !reflect.DeepEqual(asked, want) {
		t.Fatalf("Settle called with %v, want %v", asked, want)
	}
	if v := d.view(); strings.Contains(v, "Conflicts:") || !strings.Contains(v, "Amber") {
		t.Errorf("after settling, the interview should show no conflict:\n%s", v)
	}
	// Now it can be approved.
	d.keys("a", "enter")
	if got := f.statusRevisions(t, ivID(4)); got[len(got)-1] != "lan@example.org@sup-lan:approved:" {
		t.Errorf("approve after settling: %q", got)
	}
}

func TestOverviewCountsAndEnterFilters(t *testing.T) {
	f := newFixture(t)
	d := newDriver(t, f, supervisorOptions("en"), 80, 24)
	d.keys("v")
	v := d.view()
	for _, want := range []string{"5 interviews", "Đà Nẵng", "Hà Nội", "Thừa Thiên Huế",
		"All: 1 draft · 2 completed · 1 approved · 1 resubmitted"} {
		if !strings.Contains(v, want) {
			t.Errorf("overview lacks %q:\n%s", want, v)
		}
	}
	// Đà Nẵng, pillar 1: An's amber and green; the median is the lower middle, amber.
	if v := d.view(); !strings.Contains(v, "Đà Nẵng · 1 ") || !strings.Contains(v, "●●●○○ Amber 1 · ●●●●● Green 1") {
		t.Errorf("Đà Nẵng's pillar 1:\n%s", v)
	}
	d.keys("enter")
	v = d.view()
	if !strings.Contains(v, "Province: Đà Nẵng") || !strings.Contains(v, "2 interviews") {
		t.Errorf("enter on a cell should list its interviews:\n%s", v)
	}
}

// TestCtrlCOnATypedReasonAsksFirst: a reason typed but not yet a decision is not dropped by
// one ctrl+c; a second quits, having written nothing.
func TestCtrlCOnATypedReasonAsksFirst(t *testing.T) {
	f := newFixture(t)
	d := newDriver(t, f, supervisorOptions("en"), 80, 24)
	d.at("Sở Thông tin")
	d.keys("x")
	d.typeText("Thiếu bằng chứng")
	d.send(tea.KeyMsg{Type: tea.KeyCtrlC})
	if d.quit {
		t.Fatal("the first ctrl+c dropped the typed reason")
	}
	if v := d.view(); !strings.Contains(v, "This decision is not made yet") || !strings.Contains(v, "┃ Thiếu bằng chứng") {
		t.Fatalf("after one ctrl+c:\n%s", v)
	}
	d.send(tea.KeyMsg{Type: tea.KeyCtrlC})
	if !d.quit {
		t.Fatal("the second ctrl+c did not quit")
	}
	if got := f.statusRevisions(t, ivID(1)); len(got) != 2 {
		t.Fatalf("quitting wrote %v", got)
	}
}

type fakeSync struct {
	info  tui.SyncInfo
	calls int
}

func (f *fakeSync) SyncStatus(context.Context) (tui.SyncInfo, error) { return f.info, nil }
func (f *fakeSync) SyncNow(context.Context) (tui.SyncResult, error) {
	f.calls++
	f.info = tui.SyncInfo{LastSent: t0.Add(9 * time.Hour), LastAttempt: t0.Add(9 * time.Hour)}
	return tui.SyncResult{Info: f.info, Sent: 1}, nil
}

// TestSyncAndLanguage: on an enrolled home the status line says a decision waits to sync;
// ctrl+s syncs (once) and then says when it was sent; ctrl+l switches the language and
// hands it to OnLanguage.
func TestSyncAndLanguage(t *testing.T) {
	f := newFixture(t)
	o := supervisorOptions("en")
	sy := &fakeSync{info: tui.SyncInfo{LastSent: t0}}
	o.Sync = sy
	var langs []string
	o.OnLanguage = func(l string) error { langs = append(langs, l); return nil }
	d := newDriver(t, f, o, 80, 24)
	d.at("Sở Thông tin")
	d.keys("a", "enter", "down")
	if v := d.view(); !strings.Contains(v, "1 decided · waiting to sync: 1 changes, 0 batches (ctrl+s)") {
		t.Fatalf("status line before the sync:\n%s", v)
	}
	d.keys("ctrl+s")
	if sy.calls != 1 {
		t.Fatalf("%d syncs, want 1", sy.calls)
	}
	if v := d.view(); !strings.Contains(v, "Synced: 1 batch sent.") {
		t.Errorf("after ctrl+s:\n%s", v)
	}
	d.keys("ctrl+l")
	if v := d.view(); !strings.Contains(v, "Hàng chờ") || !reflect.DeepEqual(langs, []string{"vi"}) {
		t.Errorf("ctrl+l: %v\n%s", langs, v)
	}
}

// Keys typed ahead act on the screen the first key leads to: enter then esc arriving
// together open the interview and leave it again, as when typed slowly. Before, the open
// was a command whose message came after the waiting esc: esc acted on the queue, then the
// interview opened and stayed.
func TestTypedAheadKeysLandOnTheNextScreen(t *testing.T) {
	f := newFixture(t)
	d := newDriver(t, f, supervisorOptions("en"), 120, 40)
	d.at("Sở Tư pháp")
	queue := d.view()
	var cmds []tea.Cmd
	for _, k := range []string{"enter", "esc"} {
		_, cmd := d.app.Update(keyMsg(k))
		cmds = append(cmds, cmd)
	}
	for _, cmd := range cmds {
		d.run(cmd)
	}
	if v := d.view(); strings.Contains(v, "Section 1/7") || v != queue {
		t.Fatalf("enter then esc typed ahead: want the queue again, got:\n%s", v)
	}
	d.keys("enter")
	if v := d.view(); !strings.Contains(v, "Section 1/7") {
		t.Fatalf("enter on the queue did not open the interview:\n%s", v)
	}
}
