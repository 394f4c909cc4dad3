package tui

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/tui/session"
)

// fakeSync is a sync whose state and outcome the test sets. SyncNow runs onSync first (to
// write what a real sync would bring down into the store), then takes the result's state.
type fakeSync struct {
	mu      sync.Mutex
	info    SyncInfo
	result  SyncResult
	err     error
	calls   int
	onSync  func()
	running bool
}

func (f *fakeSync) SyncStatus(context.Context) (SyncInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.info, nil
}

func (f *fakeSync) SyncNow(context.Context) (SyncResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.running {
		return SyncResult{Info: f.info}, ErrSyncBusy
	}
	f.calls++
	if f.onSync != nil {
		f.onSync()
	}
	f.info = f.result.Info
	return f.result, f.err
}

func withSync(f *fakeSync) driverOpt { return func(o *Options) { o.Sync = f } }

// statusLine is the last line of the screen.
func (d *driver) statusLine() string {
	v := d.view()
	return v[strings.LastIndex(v, "\n")+1:]
}

func (d *driver) statusMustShow(want string) {
	d.t.Helper()
	if got := d.statusLine(); !strings.Contains(got, want) {
		d.t.Fatalf("status line %q does not show %q", got, want)
	}
}

var yesterday = time.Date(2026, 11, 22, 16, 5, 0, 0, time.UTC)

func TestStatusLineOfflineSaysHowManyBatchesWait(t *testing.T) {
	fs := &fakeSync{info: SyncInfo{Offline: true, Waiting: 3, LastSent: yesterday, LastAttempt: yesterday}}
	d := newDriver(t, 80, 24, withSync(fs))
	d.statusMustShow("offline · 3 batches waiting")
	// With a server the count of interviews "not yet sent" would contradict the sync: it is
	// not shown.
	d.mustNotSee("not yet sent")
	d.key("ctrl+l")
	d.statusMustShow("ngoại tuyến · 3 lô chờ gửi")
	if fs.calls != 0 {
		t.Fatalf("%d syncs started though none was due or asked for", fs.calls)
	}
}

func TestStatusLineLastSentAndWaiting(t *testing.T) {
	fs := &fakeSync{info: SyncInfo{Waiting: 1, LastSent: yesterday}}
	d := newDriver(t, 100, 24, withSync(fs))
	d.statusMustShow("Assessor: Nguyễn Văn An · last sent 22/11 16:05 · 1 batch waiting")
	// A sync by another program (fieldsurvey sync in a terminal) changed the outbox: the
	// status line follows, and the list is read again.
	d.create("example", "Sở Tư pháp", "Huế")
	lists := d.store.Lists
	fs.mu.Lock()
	fs.info = SyncInfo{LastSent: d.clock.now(), LastAttempt: d.clock.now()}
	fs.mu.Unlock()
	d.send(syncTickMsg{})
	d.statusMustShow("last sent 09:31")
	if strings.Contains(d.statusLine(), "waiting") {
		t.Fatalf("status line %q still shows batches waiting", d.statusLine())
	}
	if d.store.Lists == lists {
		t.Fatal("the list was not read again after a sync changed the outbox")
	}
	d.mustSee("Sở Tư pháp")
}

func TestSyncKeyStartsOneSyncAtATime(t *testing.T) {
	fs := &fakeSync{info: SyncInfo{Waiting: 1, LastSent: yesterday}}
	d := newDriver(t, 80, 24, withSync(fs))
	d.mustSee("ctrl+s sync") // in the help line of the list
	now := d.clock.now()
	fs.result = SyncResult{Info: SyncInfo{LastSent: now, LastAttempt: now}, Sent: 1}

	// The key returns the sync as a command: Update does not wait for it.
	_, first := d.app.Update(keyMsg("ctrl+s"))
	if first == nil || fs.calls != 0 {
		t.Fatalf("the key did not start a sync in a command (calls %d)", fs.calls)
	}
	d.statusMustShow("sending…")
	// A second press while it runs starts nothing and says why.
	d.key("ctrl+s")
	if fs.calls != 0 {
		t.Fatal("a second sync started while the first was running")
	}
	d.mustSee("A sync is already running")
	// Typing goes on meanwhile: the list still answers keys.
	d.key("down")
	d.statusMustShow("sending…")

	d.run(first)
	if fs.calls != 1 {
		t.Fatalf("%d syncs ran, want 1", fs.calls)
	}
	d.statusMustShow("last sent 09:30")
	d.mustNotSee("sending…", "waiting")
	// Once it is over, the key starts another.
	d.key("ctrl+s")
	if fs.calls != 2 {
		t.Fatalf("%d syncs ran after the second press, want 2", fs.calls)
	}
}

func TestSyncKeyWhileABackgroundSyncRuns(t *testing.T) {
	// The sync says one is already running (started before the screen asked): the key
	// reports it.
	fs := &fakeSync{info: SyncInfo{Sending: true}, running: true}
	d := newDriver(t, 80, 24, withSync(fs))
	d.statusMustShow("sending…")
	d.key("ctrl+s")
	d.mustSee("A sync is already running")
	if fs.calls != 0 {
		t.Fatal("a sync started while another was running")
	}
	// The sync answers busy even when the screen did not know.
	fs.mu.Lock()
	fs.info.Sending = false
	fs.mu.Unlock()
	d.send(syncTickMsg{})
	d.key("ctrl+s")
	d.mustSee("A sync is already running")
	if d.app.syncing {
		t.Fatal("the screen still thinks its sync runs")
	}
}

func TestDueSyncStartsInTheBackgroundOnce(t *testing.T) {
	fs := &fakeSync{info: SyncInfo{Due: true, Waiting: 2}}
	now := newClock().now()
	fs.result = SyncResult{Info: SyncInfo{LastSent: now, LastAttempt: now}, Sent: 2}
	d := newDriver(t, 80, 24, withSync(fs))
	if fs.calls != 1 {
		t.Fatalf("%d syncs at start, want 1 (one was due)", fs.calls)
	}
	d.statusMustShow("last sent 09:30")
	// No notice for a background sync that only sent.
	d.mustNotSee("Up to date")

	// While a sync started by the screen runs, a due state starts no other.
	fs.mu.Lock()
	fs.info = SyncInfo{Due: true}
	fs.mu.Unlock()
	_, cmd := d.app.Update(keyMsg("ctrl+s"))
	d.send(syncTickMsg{})
	if fs.calls != 1 {
		t.Fatalf("a due state started a second sync while one ran (%d calls)", fs.calls)
	}
	d.run(cmd)
	if fs.calls != 2 {
		t.Fatalf("%d calls, want 2", fs.calls)
	}
}

func TestSyncOfflineAndRefusalShown(t *testing.T) {
	fs := &fakeSync{info: SyncInfo{LastSent: yesterday}}
	d := newDriver(t, 80, 24, withSync(fs))

	// No network: offline, with what waits.
	fs.result = SyncResult{Info: SyncInfo{Offline: true, Waiting: 2, LastSent: yesterday}}
	fs.err = errors.New("dial tcp 127.0.0.1:8750: connect: connection refused")
	d.key("ctrl+s")
	d.statusMustShow("offline · 2 batches waiting")
	d.mustNotSee("connection refused") // the network's own words are for the command line

	// A refusal: the reason, in the user's language.
	fs.result = SyncResult{Info: SyncInfo{Waiting: 2, LastSent: yesterday,
		LastError: survey.T("this device has been revoked by the administrator", "thiết bị này đã bị quản trị viên thu hồi")}}
	fs.err = errors.New("device revoked")
	d.key("ctrl+s")
	d.statusMustShow("sync failed: this device has been revoked")
	d.mustNotSee("offline")
	d.key("ctrl+l")
	d.statusMustShow("đồng bộ lỗi: thiết bị này đã bị quản trị viên thu hồi")

	// A failure the sync did not put into words still shows.
	fs.result = SyncResult{Info: SyncInfo{Waiting: 2}}
	fs.err = errors.New("open survey database: disk I/O error")
	d.key("ctrl+s")
	d.statusMustShow("đồng bộ lỗi: open survey database: disk I/O error")

	// Success clears the error.
	fs.result, fs.err = SyncResult{Info: SyncInfo{LastSent: d.clock.now()}, Sent: 1}, nil
	d.key("ctrl+s")
	d.statusMustShow("gửi lần cuối 09:30")
	d.mustNotSee("lỗi")
}

func TestSyncUpToDateNotice(t *testing.T) {
	fs := &fakeSync{info: SyncInfo{LastSent: yesterday}}
	d := newDriver(t, 80, 24, withSync(fs))
	fs.result = SyncResult{Info: SyncInfo{LastSent: yesterday, LastAttempt: d.clock.now()}}
	d.key("ctrl+s")
	d.statusMustShow("Up to date: nothing to send, nothing new from the server.")
	d.key("down") // a key clears the notice
	d.statusMustShow("last sent 22/11 16:05")
}

func TestSyncKeyWithoutServer(t *testing.T) {
	d := newDriver(t, 80, 24)
	d.mustNotSee("ctrl+s", "offline", "sending")
	d.statusMustShow("0 not yet sent")
	d.key("ctrl+s")
	d.mustSee("No server: this device is not enrolled")
	d.key("?")
	d.mustNotSee("ctrl+s")
}

func TestSyncKeyWorksWhileTyping(t *testing.T) {
	fs := &fakeSync{info: SyncInfo{LastSent: yesterday}}
	d, _ := openDGRA(t, 80, 24, withSync(fs))
	fs.result = SyncResult{Info: SyncInfo{LastSent: d.clock.now()}, Sent: 1}
	d.key("c")
	d.typeText("có")
	d.key("ctrl+s")
	if fs.calls != 1 {
		t.Fatalf("ctrl+s in a comment started %d syncs, want 1", fs.calls)
	}
	d.typeText(" kế hoạch")
	d.idle()
	if got := d.app.iv.st.Answers["1.1"].Comment; got != "có kế hoạch" {
		t.Fatalf("comment %q: the sync key got in the way of typing", got)
	}
	d.key("esc", "f1")
	d.mustSee("ctrl+s sync")
}

func TestReturnedInterviewAppearsWithItsReason(t *testing.T) {
	fs := &fakeSync{info: SyncInfo{LastSent: yesterday}}
	d := newDriver(t, 100, 24, withSync(fs))
	older := d.create("example", "Sở Tư pháp", "Thừa Thiên Huế")
	d.create("dgra-2018", "Sở Thông tin và Truyền thông", "Đà Nẵng")
	d.send(HomeMsg{})
	d.mustSee("Sở Tư pháp", "Sở Thông tin")
	reason := "Câu 2.3 thiếu bằng chứng / 2.3 lacks evidence"
	// What the real sync does: the supervisor's status revision lands in the store.
	fs.onSync = func() {
		w := &session.Writer{Store: d.store, Author: session.Author{Device: "server", Principal: "binh@example.org"}}
		if err := w.Put(context.Background(), session.StatusChange(older, survey.StatusChange{Status: survey.StatusReturned,
			Reason: reason})); err != nil {
			t.Error(err)
		}
	}
	fs.result = SyncResult{Info: SyncInfo{LastSent: d.clock.now()},
		Returned: []SyncDecision{{Interview: older, Reason: reason, By: "Trần Thị Bình"}}}
	d.key("ctrl+s")
	d.statusMustShow("An interview was returned by the supervisor: " + reason)
	// The list was read again: the returned interview, now the most recently updated, is
	// first and selected; its row says returned and the line below gives the reason.
	row := lineWith(t, d.view(), "Sở Tư pháp")
	if !strings.HasPrefix(row, "▸ ") || !strings.Contains(row, "returned") {
		t.Fatalf("row %q is not first, selected and returned", row)
	}
	d.key("down")
	d.mustNotSee("Returned: ")
	d.key("up")
	d.mustSee("Returned: " + reason)
	if st := d.state(older); st.Status.Status != survey.StatusReturned || st.Status.Reason != reason {
		t.Fatalf("store: status %q reason %q", st.Status.Status, st.Status.Reason)
	}
}

func lineWith(t *testing.T, view, part string) string {
	t.Helper()
	for _, l := range strings.Split(ansi.Strip(view), "\n") {
		if strings.Contains(l, part) {
			return l
		}
	}
	t.Fatalf("no line shows %q:\n%s", part, view)
	return ""
}

func TestDecisionsNotice(t *testing.T) {
	two := SyncResult{Returned: []SyncDecision{{Interview: "a"}, {Interview: "b"}}, Approved: []SyncDecision{{Interview: "c"}}}
	if got := decisionsNotice(two).Get("en"); got != "2 interviews were returned by the supervisor: select one in the list to see why · 1 approved" {
		t.Fatalf("en: %q", got)
	}
	one := SyncResult{Returned: []SyncDecision{{Interview: "a"}}}
	if got := decisionsNotice(one).Get("vi"); got != "Một cuộc phỏng vấn bị giám sát viên trả lại: (không có lý do)" {
		t.Fatalf("vi: %q", got)
	}
}

func TestStatusLineKeepsTheWaitingCountWhenNarrow(t *testing.T) {
	fs := &fakeSync{info: SyncInfo{Waiting: 3,
		LastError: survey.T("this device has been revoked by the administrator", "thiết bị này đã bị quản trị viên thu hồi")}}
	d := newDriver(t, 80, 24, withSync(fs))
	line := d.statusLine()
	if !strings.HasPrefix(line, "sync failed: this device has been") || !strings.Contains(line, "… · 3 batches waiting") ||
		strings.Contains(line, "Assessor") {
		t.Fatalf("status line at 80 columns: %q", line)
	}
	d.send(tea.WindowSizeMsg{Width: 140, Height: 24})
	d.statusMustShow("Assessor: Nguyễn Văn An · sync failed: this device has been revoked by the administrator · 3 batches waiting")
}

func TestStatusLineSaysWhichBatchWasRefused(t *testing.T) {
	fs := &fakeSync{info: SyncInfo{LastSent: yesterday, Waiting: 1,
		Refused: survey.T("batch 3 refused: decision by an assessor's key", "lô 3 bị từ chối: quyết định được ký bằng khoá của người đánh giá")}}
	d := newDriver(t, 140, 24, withSync(fs))
	d.statusMustShow("last sent 22/11 16:05 · 1 batch waiting · batch 3 refused: decision by an assessor's key")
	// Narrow: the refusal is shortened, the count of batches waiting stays.
	d.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	line := d.statusLine()
	if !strings.Contains(line, "last sent 22/11 16:05 · 1 batch waiting · batch 3 refused") || !strings.Contains(line, "…") {
		t.Fatalf("status line at 80 columns: %q", line)
	}
	d.key("ctrl+l")
	d.send(tea.WindowSizeMsg{Width: 160, Height: 24})
	d.statusMustShow("lô 3 bị từ chối: quyết định được ký bằng khoá của người đánh giá")
}
