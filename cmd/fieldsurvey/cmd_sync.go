package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/fieldsurvey/fieldsurvey/survey/store"
	"github.com/fieldsurvey/fieldsurvey/sync/batch"
	"github.com/fieldsurvey/fieldsurvey/sync/client"
	"github.com/fieldsurvey/fieldsurvey/sync/wire"
	"github.com/fieldsurvey/fieldsurvey/tui"
)

type syncOptions struct {
	server   string
	attempts int
	json     bool
}

func newSyncCommand(g *globals) *cobra.Command {
	var opts syncOptions
	cmd := &cobra.Command{
		Use:   "sync",
		Short: "Send the outbox, receive returns and questionnaires · Gửi dữ liệu, nhận phản hồi và bảng hỏi",
		Long: `sync packs every change not yet in a batch into a new signed batch (as 'fieldsurvey batch
create' does), sends the outbox to the server in sequence order, and brings down what
waits for this device: interviews a supervisor returned (they reopen, with the reason),
approvals, and questionnaire versions the server publishes (checked against the server key
pinned at enrolment). A batch leaves the outbox only when the server's signed receipt for
it is here. Faults on the way are retried with growing pauses. It is safe to interrupt at
any moment and to run again: nothing is lost or stored twice.

sync đóng gói mọi thay đổi chưa gửi thành một lô có chữ ký, gửi các lô trong outbox lên máy
chủ theo thứ tự, rồi nhận về các cuộc phỏng vấn bị trả lại (mở lại kèm lý do), các phê duyệt
và các bảng hỏi mới. Một lô chỉ rời outbox khi đã có biên nhận có chữ ký của máy chủ. Có thể
ngắt bất cứ lúc nào và chạy lại: không mất dữ liệu, không lưu trùng.`,
		Example: `  fieldsurvey sync
  fieldsurvey sync --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSync(cmd.Context(), g, opts)
		},
	}
	cmd.Flags().StringVar(&opts.server, "server", "", "the server's URL (default: server.url, else the enrolment's) · URL của máy chủ")
	cmd.Flags().IntVar(&opts.attempts, "attempts", 5, "tries per request before giving up for now (pauses grow from 0.5 s) · số lần thử mỗi yêu cầu")
	cmd.Flags().BoolVar(&opts.json, "json", false, "print what was done as JSON · in kết quả dạng JSON")
	return cmd
}

func runSync(ctx context.Context, g *globals, opts syncOptions) error {
	if g.flags.db != "" {
		return fail("sync sends this device's own data: --db cannot be used with it", "sync gửi dữ liệu của chính thiết bị này: không dùng --db với lệnh này")
	}
	signer, _, err := g.deviceSigner()
	if err != nil {
		return err
	}
	st, err := g.openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	cat, err := g.catalog()
	if err != nil {
		return err
	}
	url := opts.server
	if url == "" {
		url = g.cfg.Server.URL
	}
	res, err := client.Sync(ctx, client.Options{Home: g.home, URL: url, Store: st, Signer: signer, Catalog: cat,
		Pack: func(ctx context.Context) (*client.Packed, error) { return packOutbox(ctx, g, st) }, Progress: syncProgress(g),
		Retry: client.Retry{Attempts: max(1, opts.attempts)}, Now: g.now, Rand: g.rand})
	if opts.json {
		if jerr := writeJSON(g.stdout, res); jerr != nil && err == nil {
			err = jerr
		}
	} else {
		printSyncResult(g, res)
	}
	if err != nil {
		var we *wire.Error
		refused := errors.As(err, &we) && !we.Retryable()
		err = contextErr(ctx, syncError(err, "sync", "đồng bộ"))
		if refused && res.Waiting > 0 {
			return withHint(err, "what the server refused stays in the outbox (%d batch(es)); tell the supervisor the reason above",
				"những gì máy chủ từ chối vẫn nằm trong outbox (%d lô); hãy báo lý do ở trên cho giám sát viên", res.Waiting)
		}
		if res.Waiting > 0 {
			err = withHint(err, "%d batch(es) wait in the outbox and go with the next 'fieldsurvey sync'; without a network, carry them: 'fieldsurvey batch create --out DIR'",
				"%d lô đang chờ trong outbox và sẽ được gửi ở lần 'fieldsurvey sync' tiếp theo; khi không có mạng, hãy mang đi: 'fieldsurvey batch create --out DIR'", res.Waiting)
		}
		return err
	}
	return nil
}

// packOutbox makes a batch of the pending revisions into the outbox with `batch create`
// (its output silenced; its messages stay on stderr) and returns it, or nil when nothing
// was pending.
func packOutbox(ctx context.Context, g *globals, st *store.Store) (*client.Packed, error) {
	if pending, err := st.Pending(ctx); err != nil || len(pending) == 0 {
		return nil, err // nothing to pack: no message about it
	}
	var out bytes.Buffer
	g2 := *g
	g2.stdout = &out
	if err := runBatchCreate(ctx, &g2, batchCreateOptions{}); err != nil {
		return nil, err
	}
	path := strings.TrimSpace(out.String())
	if path == "" {
		return nil, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := batch.Read(f, batch.Limits{})
	if err != nil {
		return nil, err
	}
	m := b.Manifest
	return &client.Packed{Seq: m.Sequence, Batch: m.ID, Revisions: m.Revisions, Path: path}, nil
}

// syncProgress prints what a sync does to stderr as it happens.
func syncProgress(g *globals) func(client.Event) {
	return func(ev client.Event) {
		switch ev.Kind {
		case client.EventSending:
			g.infof("sending batch %d (%d of %d, %s)…", "đang gửi lô %d (%d/%d, %s)…", ev.Seq, ev.N, ev.Total, byteSize(ev.Bytes))
		case client.EventSent:
			g.infof("batch %d received by the server", "máy chủ đã nhận lô %d", ev.Seq)
		case client.EventRetry:
			g.infof("no answer (%v); trying again in %s", "không có phản hồi (%v); thử lại sau %s", ev.Err, ev.Wait.Round(10*time.Millisecond))
		case client.EventDownloaded:
			g.infof("received %d change(s) from the server", "đã nhận %d thay đổi từ máy chủ", ev.N)
		case client.EventQuestionnaire:
			g.infof("installed questionnaire %s", "đã cài bảng hỏi %s", ev.Name)
		case client.EventWarning:
			if ev.Batch == "" { // a refused batch is reported with the error at the end
				g.warn(ev.Err.Error())
			}
		}
	}
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// printSyncResult writes a summary of res on stdout.
func printSyncResult(g *globals, res client.Result) {
	revs, added := 0, 0
	for _, s := range res.Sent {
		revs += s.Revisions
		added += s.Added
	}
	if len(res.Sent) > 0 {
		fmt.Fprintf(g.stdout, g.t("sent %d batch(es): %d revisions, %d new to the server\n", "đã gửi %d lô: %d thay đổi, %d thay đổi mới với máy chủ\n"),
			len(res.Sent), revs, added)
	}
	if res.Waiting > 0 {
		fmt.Fprintf(g.stdout, g.t("%d batch(es) still waiting in the outbox\n", "còn %d lô đang chờ trong outbox\n"), res.Waiting)
	}
	for _, d := range res.Returned {
		fmt.Fprintf(g.stdout, g.t("returned by %s: %s: %s\n", "bị %s trả lại: %s: %s\n"), d.By, d.Interview, d.Reason)
	}
	for _, d := range res.Approved {
		fmt.Fprintf(g.stdout, g.t("approved by %s: %s\n", "được %s duyệt: %s\n"), d.By, d.Interview)
	}
	for _, q := range res.Questionnaires {
		fmt.Fprintf(g.stdout, g.t("new questionnaire: %s\n", "bảng hỏi mới: %s\n"), q)
	}
	if len(res.Sent) == 0 && res.Waiting == 0 && res.Downloaded == 0 && len(res.Questionnaires) == 0 {
		fmt.Fprintln(g.stdout, g.t("up to date: nothing to send, nothing new from the server", "đã đồng bộ: không có gì để gửi, không có gì mới từ máy chủ"))
	}
}

// tuiSync syncs in the background for the interview screen and feeds its status line. The
// screen asks for the status in a command of its own (every 30 s), never on its UI loop;
// a sync runs then when sync.interval has passed since the last one.
type tuiSync struct{ bg *client.Background }

func (t tuiSync) SyncStatus(ctx context.Context) (tui.SyncInfo, error) {
	st, err := t.bg.Tick(ctx)
	return tui.SyncInfo{Waiting: st.Waiting, LastSent: st.LastSent}, err
}

// newTUISync returns the interview screen's sync, or nil when this device is not enrolled
// with a server.
func newTUISync(g *globals) tui.SyncStatus {
	if _, err := client.LoadEnrolment(g.home); err != nil {
		return nil
	}
	// Nothing may be written to the terminal the screen owns.
	quiet := *g
	quiet.stdout, quiet.stderr = io.Discard, io.Discard
	return tuiSync{bg: &client.Background{Home: g.home, Interval: g.cfg.Sync.Interval, Now: g.now,
		Prepare: func(ctx context.Context) (client.Options, func(), error) {
			signer, _, err := quiet.deviceSigner()
			if err != nil {
				return client.Options{}, nil, err
			}
			st, err := quiet.openStore()
			if err != nil {
				return client.Options{}, nil, err
			}
			cat, err := quiet.catalog()
			if err != nil {
				st.Close()
				return client.Options{}, nil, err
			}
			return client.Options{Home: g.home, URL: g.cfg.Server.URL, Store: st, Signer: signer, Catalog: cat,
				Pack: func(ctx context.Context) (*client.Packed, error) { return packOutbox(ctx, &quiet, st) },
				Now:  g.now, Rand: g.rand}, func() { st.Close() }, nil
		}}}
}

// SyncNow syncs at once, unless a sync is already running (for a "sync now" key on the
// interview screen; call it from a command, off the UI loop).
func (t tuiSync) SyncNow(ctx context.Context) (tui.SyncInfo, error) {
	_, err := t.bg.Run(ctx)
	st, serr := t.bg.State()
	if err == nil {
		err = serr
	}
	return tui.SyncInfo{Waiting: st.Waiting, LastSent: st.LastSent}, err
}
