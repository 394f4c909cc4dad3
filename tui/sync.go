package tui

import (
	"cmp"
	"errors"
	"fmt"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// The background sync (issue 5). Options.Sync is asked for its state every syncEvery, in a
// command; when the state says a sync is due, or the assessor presses the sync-now key,
// the root starts one SyncNow in a command and remembers that it runs, so that a second
// one is never started from this screen. What the sync did comes back as syncDoneMsg.

// syncCmd asks for the sync state (no network).
func (a *App) syncCmd() tea.Cmd {
	if a.c.opts.Sync == nil {
		return nil
	}
	src, ctx := a.c.opts.Sync, a.c.ctx
	return func() tea.Msg {
		info, err := src.SyncStatus(ctx)
		return syncMsg{info: info, err: err}
	}
}

// syncState handles the answer to syncCmd: the status line takes it, the list is read
// again when the outbox changed (a sync from another program), a due sync starts, and the
// next question is scheduled.
func (a *App) syncState(m syncMsg) tea.Cmd {
	var cmds []tea.Cmd
	if m.err == nil {
		info := m.info
		if prev := a.sync; prev != nil && (prev.Waiting != info.Waiting || !prev.LastSent.Equal(info.LastSent) ||
			!prev.LastAttempt.Equal(info.LastAttempt)) {
			// A sync ran: statuses (submitted, returned) may have changed.
			cmds = append(cmds, a.home.reload())
		}
		a.sync = &info
		if info.Due && !info.Sending && !a.syncing {
			cmds = append(cmds, a.startSync(false))
		}
	}
	cmds = append(cmds, tea.Tick(a.syncEvery, func(time.Time) tea.Msg { return syncTickMsg{} }))
	return tea.Batch(cmds...)
}

// syncNow is the sync-now key: it starts a sync unless one is running, and says so.
func (a *App) syncNow() tea.Cmd {
	switch {
	case a.c.opts.Sync == nil:
		a.setNotice(survey.T("No server: this device is not enrolled. Ask the administrator for a token and run 'fieldsurvey enroll'; meanwhile 'fieldsurvey batch create --out DIR' writes the batches to carry.",
			"Chưa có máy chủ: thiết bị này chưa đăng ký. Hãy xin quản trị viên một mã và chạy 'fieldsurvey enroll'; trong lúc chờ, 'fieldsurvey batch create --out DIR' ghi các lô để mang đi."), false)
		return nil
	case a.syncing || (a.sync != nil && a.sync.Sending):
		a.setNotice(survey.T("A sync is already running: its outcome will show in the status line.",
			"Đang đồng bộ: kết quả sẽ hiện ở dòng trạng thái."), false)
		return nil
	}
	return a.startSync(true)
}

// startSync runs one SyncNow in a command; manual is true when the assessor asked for it.
func (a *App) startSync(manual bool) tea.Cmd {
	a.syncing = true
	src, ctx := a.c.opts.Sync, a.c.ctx
	return func() tea.Msg {
		res, err := src.SyncNow(ctx)
		return syncDoneMsg{res: res, err: err, manual: manual}
	}
}

// syncDone takes the outcome of a sync: the status line shows the state after it, the list
// is read again (returned and approved interviews), and a notice says what came down.
func (a *App) syncDone(m syncDoneMsg) tea.Cmd {
	a.syncing = false
	info := m.res.Info
	if m.err != nil && !errors.Is(m.err, ErrSyncBusy) && !info.Offline && info.LastError.Empty() {
		info.LastError = survey.T(m.err.Error(), m.err.Error())
	}
	a.sync = &info
	switch {
	case errors.Is(m.err, ErrSyncBusy):
		if m.manual {
			a.setNotice(survey.T("A sync is already running: its outcome will show in the status line.",
				"Đang đồng bộ: kết quả sẽ hiện ở dòng trạng thái."), false)
		}
		return nil
	case len(m.res.Returned) > 0 || len(m.res.Approved) > 0:
		a.setNotice(decisionsNotice(m.res), len(m.res.Returned) > 0)
	case m.err == nil && m.manual && m.res.Sent == 0:
		a.setNotice(survey.T("Up to date: nothing to send, nothing new from the server.",
			"Đã đồng bộ: không có gì để gửi, không có gì mới từ máy chủ."), false)
	}
	return tea.Batch(a.home.reload(), a.checkUpgrade(m.res))
}

// decisionsNotice says which interviews the supervisor returned (with the reason when
// there is one) or approved.
func decisionsNotice(res SyncResult) survey.Text {
	var en, vi string
	switch n := len(res.Returned); {
	case n == 1:
		r := res.Returned[0].Reason
		en = "An interview was returned by the supervisor: " + cmp.Or(r, "(no reason given)")
		vi = "Một cuộc phỏng vấn bị giám sát viên trả lại: " + cmp.Or(r, "(không có lý do)")
	case n > 1:
		en = fmt.Sprintf("%d interviews were returned by the supervisor: select one in the list to see why", n)
		vi = fmt.Sprintf("%d cuộc phỏng vấn bị giám sát viên trả lại: chọn trong danh sách để xem lý do", n)
	}
	if n := len(res.Approved); n > 0 {
		if en != "" {
			en, vi = en+" · ", vi+" · "
		}
		en += fmt.Sprintf("%d approved", n)
		vi += fmt.Sprintf("%d được duyệt", n)
	}
	return survey.T(en, vi)
}

// syncStatus is the sync's part of the status line: sending, offline, failed, or when a
// batch was last sent, with the batches waiting and the last batch the server refused.
// Empty without a server, or before the first answer. When it is wider than room, the
// failure's sentence and then the refusal's are shortened so that the count of batches
// waiting stays in view.
func (a *App) syncStatus(room int) string {
	c := a.c
	if c.opts.Sync == nil {
		return ""
	}
	if a.syncing || (a.sync != nil && a.sync.Sending) {
		return c.t("sending…", "đang gửi…")
	}
	in := a.sync
	if in == nil {
		return ""
	}
	var s, tail, refused string
	if in.Waiting > 0 {
		tail = " · " + batchesWaiting(c.lang, in.Waiting)
	}
	if !in.Refused.Empty() {
		refused = " · " + c.get(in.Refused)
	}
	switch {
	case in.Offline:
		s = c.t("offline", "ngoại tuyến")
	case !in.LastError.Empty():
		s = c.t("sync failed: ", "đồng bộ lỗi: ") + c.get(in.LastError)
		if room > 0 && width(s+tail) > room {
			s = cut(s, max(room-width(tail), 20))
		}
	case !in.LastSent.IsZero():
		s = c.t("last sent ", "gửi lần cuối ") + a.when(in.LastSent)
	default:
		s = c.t("nothing sent yet", "chưa gửi lần nào")
	}
	if refused != "" && room > 0 && width(s+tail+refused) > room {
		refused = cut(refused, max(room-width(s+tail), 16))
	}
	return s + tail + refused
}

// when is a time of today as 15:04, of another day as 02/01 15:04 (local time).
func (a *App) when(t time.Time) string {
	t = t.Local()
	now := a.c.now().Local()
	if y, m, d := t.Date(); y == now.Year() && m == now.Month() && d == now.Day() {
		return t.Format("15:04")
	}
	return t.Format("02/01 15:04")
}

func batchesWaiting(lang string, n int) string {
	if n == 1 {
		return tr(lang, "1 batch waiting", "1 lô chờ gửi")
	}
	return fmt.Sprintf(tr(lang, "%d batches waiting", "%d lô chờ gửi"), n)
}
