package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fieldsurvey/fieldsurvey/questionnaires"
	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
	"github.com/fieldsurvey/fieldsurvey/sync/client"
	"github.com/fieldsurvey/fieldsurvey/sync/server"
	"github.com/fieldsurvey/fieldsurvey/sync/server/servertest"
	"github.com/fieldsurvey/fieldsurvey/sync/wire"
	"github.com/fieldsurvey/fieldsurvey/tui"
	"github.com/fieldsurvey/fieldsurvey/tui/session"
	"github.com/fieldsurvey/fieldsurvey/tui/storeadapter"
)

func TestSyncOutcome(t *testing.T) {
	refusedConn := fmt.Errorf("no answer from the server after 3 attempts; what is not sent stays in the outbox for next time: %w",
		&url.Error{Op: "Post", URL: "http://127.0.0.1:9/v1/batches", Err: syscall.ECONNREFUSED})
	revoked := fmt.Errorf("send batch 2 (000002-x.fsbatch): %w", wire.NewError(wire.CodeDeviceRevoked, ""))
	badSig := fmt.Errorf("send batch 3 (000003-x.fsbatch): %w", wire.NewError(wire.CodeBadSignature, ""))
	unavailable := fmt.Errorf("no answer from the server after 3 attempts; what is not sent stays in the outbox for next time: %w",
		wire.NewError(wire.CodeUnavailable, ""))
	refused3 := []client.Event{{Kind: client.EventWarning, Seq: 3, Batch: "b3", Err: badSig}}
	cases := []struct {
		name     string
		err      error
		prepared error
		refused  []client.Event
		offline  bool
		en, vi   string
	}{
		{name: "ok"},
		{name: "no network", err: refusedConn, offline: true, en: "no answer from the server", vi: "máy chủ không trả lời"},
		{name: "revoked", err: revoked, en: "this device has been revoked by the administrator",
			vi: "thiết bị này đã bị quản trị viên thu hồi"},
		{name: "a batch refused", err: errors.Join(badSig), refused: refused3,
			en: "server refused batch 3: the batch signature does not verify", vi: "máy chủ từ chối lô 3: chữ ký của lô không hợp lệ"},
		{name: "a batch refused, then no network", err: errors.Join(badSig, refusedConn), refused: refused3, offline: true,
			en: "server refused batch 3: the batch signature does not verify", vi: "máy chủ từ chối lô 3: chữ ký của lô không hợp lệ"},
		{name: "a batch refused, then the device", err: errors.Join(errors.Join(badSig, revoked)), refused: refused3,
			en: "this device has been revoked by the administrator", vi: "thiết bị này đã bị quản trị viên thu hồi"},
		{name: "server down", err: unavailable, en: "the server is not available right now", vi: "máy chủ tạm thời không sẵn sàng"},
		{name: "not enrolled", err: fmt.Errorf("sync: %w", client.ErrNotEnrolled), en: "not enrolled: no server", vi: "chưa đăng ký: không có máy chủ"},
		{name: "no key", err: errors.New("x"), prepared: fail("no device key", "không có khóa thiết bị"),
			en: "no device key", vi: "không có khóa thiết bị"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			offline, msg := syncOutcome(c.err, c.prepared, c.refused)
			if offline != c.offline || msg.Get("en") != c.en || (c.vi != "" && msg.Get("vi") != c.vi) {
				t.Fatalf("offline %v, %q / %q; want %v, %q / %q", offline, msg.Get("en"), msg.Get("vi"), c.offline, c.en, c.vi)
			}
		})
	}
}

func TestRecordedFailure(t *testing.T) {
	for _, c := range []struct{ recorded, en, vi string }{
		{"send batch 5 (000005-8e20.fsbatch): this device has been revoked by the administrator; contact the supervisor, and hand over unsent batches as files (`fieldsurvey batch create --out DIR`)",
			"this device has been revoked by the administrator", "thiết bị này đã bị quản trị viên thu hồi"},
		{"send batch 3 (000003-aa.fsbatch): the batch signature does not verify; the file was altered or damaged: make it again from the device",
			"server refused batch 3: the batch signature does not verify", "máy chủ từ chối lô 3: chữ ký của lô không hợp lệ"},
		{"make a batch of pending changes: disk full; try again", "make a batch of pending changes: disk full", "make a batch of pending changes: disk full"},
	} {
		got := recordedFailure(c.recorded)
		if got.Get("en") != c.en || got.Get("vi") != c.vi {
			t.Errorf("%q: %q / %q", c.recorded, got.Get("en"), got.Get("vi"))
		}
	}
}

// loadGlobals returns the globals of a command run on home, configuration loaded.
func loadGlobals(t *testing.T, home string) *globals {
	t.Helper()
	g := newGlobals(strings.NewReader(""), io.Discard, io.Discard)
	root := newRootCommand(g)
	root.SetArgs([]string{"--home", home, "identity"})
	if err := root.ExecuteContext(context.Background()); err != nil {
		t.Fatal(err)
	}
	return g
}

// TestTUISyncTellsTheTruth runs the interview screen's sync against a real server on
// loopback: sent, returned with a reason, offline with the batch waiting, then refused.
func TestTUISyncTellsTheTruth(t *testing.T) {
	ctx := context.Background()
	srv := servertest.Start(t, "", nil)
	home := t.TempDir()
	if _, errOut, code := runCLI(t, ctx, "--home", home, "init", "--principal", "an@example.org"); code != 0 {
		t.Fatal(errOut)
	}
	// Not enrolled: no sync for the screen.
	if s := newTUISync(loadGlobals(t, home)); s != nil {
		t.Fatal("a sync for a device that is not enrolled")
	}
	tok, _, err := server.IssueToken(ctx, srv.Store, srv.Key, "An", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := runCLI(t, ctx, "--home", home, "enroll", "--server", srv.URL, "--token", tok.String()); code != 0 {
		t.Fatal(errOut)
	}
	g := loadGlobals(t, home)
	ts, ok := newTUISync(g).(*tuiSync)
	if !ok {
		t.Fatal("no sync for an enrolled device")
	}

	// An interview on the device.
	st, err := store.Open(g.storePath())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	qs, err := questionnaires.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	var example *survey.Questionnaire
	for _, q := range qs {
		if q.ID == "example" {
			example = q
		}
	}
	w := &session.Writer{Store: storeadapter.New(st), Author: session.Author{Device: g.cfg.Device, Principal: "an@example.org"}}
	id, err := w.Create(ctx, example, survey.Respondent{Agency: "Sở Tư pháp", Province: "Huế", Date: "2026-11-23", Consent: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Put(ctx, session.StatusChange(id, survey.StatusChange{Status: survey.StatusCompleted})); err != nil {
		t.Fatal(err)
	}

	info, err := ts.SyncStatus(ctx)
	if err != nil || !info.Due || info.Sending || info.Offline || !info.LastSent.IsZero() {
		t.Fatalf("before the first sync: %+v %v (want due, nothing sent)", info, err)
	}

	// Sent: acknowledged, nothing waits, not due again.
	res, err := ts.SyncNow(ctx)
	if err != nil || res.Sent != 1 || res.Info.Waiting != 0 || res.Info.LastSent.IsZero() || res.Info.Offline ||
		!res.Info.LastError.Empty() || res.Info.Due {
		t.Fatalf("first sync: %+v %v", res, err)
	}

	// Returned by the supervisor: it comes down with the reason.
	reason := "Câu 2.1 thiếu bằng chứng"
	if _, errOut, code := runCLI(t, ctx, "--home", home, "server", "return", "--data", srv.Dir, id, "--reason", reason); code != 0 {
		t.Fatal(errOut)
	}
	res, err = ts.SyncNow(ctx)
	if err != nil || len(res.Returned) != 1 || res.Returned[0].Interview != id || res.Returned[0].Reason != reason {
		t.Fatalf("sync after the return: %+v %v", res, err)
	}
	if list, err := storeadapter.New(st).List(ctx, session.ListOptions{}); err != nil || list[0].Status != survey.StatusReturned ||
		list[0].Reason != reason {
		t.Fatalf("on the device: %+v %v", list, err)
	}

	// The server is gone: offline, and the new change waits in a batch.
	if err := w.Put(ctx, session.AnswerChange(id, "1.1", survey.Answer{Rating: survey.Green})); err != nil {
		t.Fatal(err)
	}
	srv.Stop()
	res, err = ts.SyncNow(ctx)
	if err == nil || !res.Info.Offline || res.Info.Waiting != 1 || res.Info.Sending {
		t.Fatalf("server stopped: %+v %v (want offline, 1 waiting)", res.Info, err)
	}

	// Back, but the device was revoked: refused, said in both languages, not offline.
	srv.Restart()
	if _, errOut, code := runCLI(t, ctx, "--home", home, "server", "revoke", "--data", srv.Dir, g.cfg.Device); code != 0 {
		t.Fatal(errOut)
	}
	res, err = ts.SyncNow(ctx)
	if err == nil || res.Info.Offline || res.Info.Waiting != 1 ||
		res.Info.LastError.Get("en") != "this device has been revoked by the administrator" ||
		res.Info.LastError.Get("vi") != "thiết bị này đã bị quản trị viên thu hồi" {
		t.Fatalf("revoked: %+v %v", res.Info, err)
	}
	// The state between syncs says the same.
	if info, _ := ts.SyncStatus(ctx); info.Offline || info.LastError.Get("en") != res.Info.LastError.Get("en") {
		t.Fatalf("state after the refusal: %+v", info)
	}
	// After a restart of the screen, the recorded outcome says the same, in both languages.
	again := newTUISync(g)
	if info, _ := again.SyncStatus(ctx); info.Offline || info.Waiting != 1 ||
		info.LastError.Get("vi") != "thiết bị này đã bị quản trị viên thu hồi" {
		t.Fatalf("state after a restart: %+v", info)
	}
	var _ tui.SyncStatus = ts
}
