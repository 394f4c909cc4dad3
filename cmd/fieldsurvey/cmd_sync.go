package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
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
waits for this device: every change made elsewhere to the interviews it holds or is
assigned (other laptops, supervisors, the server), with the decisions among them
(returned interviews reopen with the reason, approvals, reopenings), questionnaire versions
the server publishes, and the keys of the supervisors the server vouches for
(trusted_supervisors). Everything is checked against the server key pinned at enrolment.
A batch leaves the outbox only when the server's signed receipt for it is here. A batch the
server refuses for what it holds comes back with a signed refusal: it moves to
outbox/refused (its changes stay on this device), the reason is shown once, and 'batch
list' keeps it. Faults on the way are retried with growing pauses. It is safe to interrupt
at any moment and to run again: nothing is lost or stored twice.

sync đóng gói mọi thay đổi chưa gửi thành một lô có chữ ký, gửi các lô trong outbox lên máy
chủ theo thứ tự, rồi nhận về mọi thay đổi do nơi khác thực hiện trên các cuộc phỏng vấn của
thiết bị (máy khác, người giám sát, máy chủ): trả lại kèm lý do, phê duyệt, mở lại, cùng các
bảng hỏi mới và khoá của người giám sát. Lô bị máy chủ từ chối (có chữ ký) được chuyển vào
outbox/refused, thay đổi vẫn nằm trên thiết bị; 'batch list' cho biết lý do. Có thể ngắt bất
cứ lúc nào và chạy lại: không mất dữ liệu, không lưu trùng.`,
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

// packOutbox makes batches of the pending revisions into the outbox as `batch create` does
// (with its messages on stderr, without the paths on stdout) and returns the last one,
// with the revisions of all, or nil when nothing was pending.
func packOutbox(ctx context.Context, g *globals, st *store.Store) (*client.Packed, error) {
	if pending, err := st.Pending(ctx); err != nil || len(pending) == 0 {
		return nil, err // nothing to pack: no message about it
	}
	if err := g.ownStoreOnly(); err != nil {
		return nil, err
	}
	co, err := g.createOptions()
	if err != nil {
		return nil, err
	}
	res, err := createBatches(ctx, g, st, co)
	if err != nil {
		return nil, err
	}
	printMade(g, res, co)
	return res.Packed(), nil
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
				g.warn(errorText(ev.Err, g.lang()))
			}
		case client.EventRefused:
			who := g.t("your supervisor", "giám sát viên")
			if g.role() == survey.RoleSupervisor {
				who = g.t("the administrator", "quản trị viên")
			}
			g.warn(fmt.Sprintf(g.t("the server refused batch %d for good: %s; it was moved to %s, and its changes stay on this device: tell %s",
				"máy chủ từ chối hẳn lô %d: %s; lô đã được chuyển vào %s, các thay đổi vẫn nằm trên thiết bị này: hãy báo %s"),
				ev.Seq, errorText(ev.Err, g.lang()), client.RefusedDir, who))
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
	for _, r := range res.Refused {
		fmt.Fprintf(g.stdout, g.t("batch %d refused by the server: %s (moved to %s)\n", "lô %d bị máy chủ từ chối: %s (đã chuyển vào %s)\n"),
			r.Seq, survey.T(r.Reason, r.ReasonVI).Get(g.lang()), client.RefusedDir)
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
	for _, d := range res.Reopened {
		fmt.Fprintf(g.stdout, g.t("reopened by %s: %s: %s\n", "được %s mở lại: %s: %s\n"), d.By, d.Interview, d.Reason)
	}
	for _, q := range res.Questionnaires {
		fmt.Fprintf(g.stdout, g.t("new questionnaire: %s\n", "bảng hỏi mới: %s\n"), q)
	}
	if len(res.Sent) == 0 && len(res.Refused) == 0 && res.Waiting == 0 && res.Downloaded == 0 && len(res.Questionnaires) == 0 {
		fmt.Fprintln(g.stdout, g.t("up to date: nothing to send, nothing new from the server", "đã đồng bộ: không có gì để gửi, không có gì mới từ máy chủ"))
	}
}

// tuiSync is the interview screen's sync (tui.SyncStatus). The screen asks for the state
// every half minute, in a command of its own, never on its UI loop; the state says when
// sync.interval has passed, and the screen then runs SyncNow, also in a command. At most
// one sync runs at a time (client.Background). What the status line says is the client's
// own account of the last attempt: offline when the server could not be reached, else the
// server's refusal (or the local fault) in a short sentence in both languages.
type tuiSync struct {
	bg       *client.Background
	interval time.Duration
	now      func() time.Time

	mu    sync.Mutex
	tried time.Time // when this program last started a sync
	// The outcome of the last sync this program ran (ran false: none yet, the state file
	// in the home folder speaks for the earlier ones).
	ran      bool
	offline  bool
	failure  survey.Text
	prepared error          // why the last sync could not start (key, store, catalog)
	refused  []client.Event // batches the server refused in the last sync
}

// tuiSyncAttempts is how many times the screen's sync tries a request before it calls the
// server unreachable: the next interval, or the key, tries again.
const tuiSyncAttempts = 3

// newTUISync returns the interview screen's sync, or nil when this device is not enrolled
// with a server.
func newTUISync(g *globals) tui.SyncStatus {
	if _, err := client.LoadEnrolment(g.home); err != nil {
		return nil
	}
	// Nothing may be written to the terminal the screen owns.
	quiet := *g
	quiet.stdout, quiet.stderr = io.Discard, io.Discard
	t := &tuiSync{interval: g.cfg.Sync.Interval, now: g.now}
	if t.interval <= 0 {
		t.interval = 5 * time.Minute
	}
	t.bg = &client.Background{Home: g.home, Interval: t.interval, Now: g.now,
		Prepare: func(ctx context.Context) (client.Options, func(), error) {
			o, release, err := prepareSync(&quiet)
			t.mu.Lock()
			t.prepared, t.refused = err, nil
			t.mu.Unlock()
			o.Retry = client.Retry{Attempts: tuiSyncAttempts}
			o.Progress = func(ev client.Event) {
				if ev.Kind == client.EventWarning && ev.Batch != "" {
					t.mu.Lock()
					t.refused = append(t.refused, ev)
					t.mu.Unlock()
				}
			}
			return o, release, err
		}}
	return t
}

// prepareSync opens what one sync needs: the device key, the store and the catalog.
func prepareSync(g *globals) (client.Options, func(), error) {
	signer, _, err := g.deviceSigner()
	if err != nil {
		return client.Options{}, nil, err
	}
	st, err := g.openStore()
	if err != nil {
		return client.Options{}, nil, err
	}
	cat, err := g.catalog()
	if err != nil {
		st.Close()
		return client.Options{}, nil, err
	}
	return client.Options{Home: g.home, URL: g.cfg.Server.URL, Store: st, Signer: signer, Catalog: cat,
		Pack: func(ctx context.Context) (*client.Packed, error) { return packOutbox(ctx, g, st) },
		Now:  g.now, Rand: g.rand}, func() { st.Close() }, nil
}

// SyncStatus returns the state without syncing: the outbox, the last attempt and its
// outcome, whether a sync runs, and whether one is due.
func (t *tuiSync) SyncStatus(ctx context.Context) (tui.SyncInfo, error) {
	st, err := t.bg.State()
	return t.info(st), err
}

// SyncNow syncs at once, unless a sync is already running (tui.ErrSyncBusy).
func (t *tuiSync) SyncNow(ctx context.Context) (tui.SyncResult, error) {
	t.mu.Lock()
	t.tried = t.now()
	t.mu.Unlock()
	res, err := t.bg.Run(ctx)
	if errors.Is(err, client.ErrBusy) {
		st, _ := t.bg.State()
		return tui.SyncResult{Info: t.info(st)}, tui.ErrSyncBusy
	}
	if ctx.Err() == nil { // an interrupted sync (the screen closing) says nothing of the server
		t.mu.Lock()
		t.ran = true
		t.offline, t.failure = syncOutcome(err, t.prepared, t.refused)
		t.mu.Unlock()
	}
	st, serr := t.bg.State()
	out := tui.SyncResult{Info: t.info(st), Sent: len(res.Sent), Questionnaires: res.Questionnaires}
	for _, d := range res.Returned {
		out.Returned = append(out.Returned, tui.SyncDecision{Interview: d.Interview, Reason: d.Reason, By: d.By})
	}
	for _, d := range res.Approved {
		out.Approved = append(out.Approved, tui.SyncDecision{Interview: d.Interview, Reason: d.Reason, By: d.By})
	}
	if err == nil {
		err = serr
	}
	return out, err
}

func (t *tuiSync) info(st client.BackgroundState) tui.SyncInfo {
	t.mu.Lock()
	defer t.mu.Unlock()
	in := tui.SyncInfo{Waiting: st.Waiting, LastSent: st.LastSent, LastAttempt: st.LastAttempt, Sending: st.Sending,
		Refused: refusedText(st.State)}
	if t.ran {
		in.Offline, in.LastError = t.offline, t.failure
	} else {
		// Before this program's first sync: what the last one recorded.
		in.Offline = st.Offline
		if !st.Offline && st.LastError != "" {
			in.LastError = recordedFailure(st.LastError)
		}
	}
	last := st.LastAttempt
	if t.tried.After(last) {
		last = t.tried
	}
	in.Due = !st.Sending && t.now().Sub(last) >= t.interval
	return in
}

// refusedText says, for the status line, which batch the server refused last and why, and
// how many are refused in all (empty when none is).
func refusedText(st client.State) survey.Text {
	r := st.LastRefused
	if r == nil {
		return nil
	}
	en := fmt.Sprintf("batch %d refused: %s", r.Seq, r.Reason.Get(survey.LangEN))
	vi := fmt.Sprintf("lô %d bị từ chối: %s", r.Seq, r.Reason.Get(survey.LangVI))
	if st.Refused > 1 {
		en = fmt.Sprintf("%d batches refused, last %d: %s", st.Refused, r.Seq, r.Reason.Get(survey.LangEN))
		vi = fmt.Sprintf("%d lô bị từ chối, gần nhất lô %d: %s", st.Refused, r.Seq, r.Reason.Get(survey.LangVI))
	}
	return survey.T(en, vi)
}

// syncOutcome says what the status line shows of a sync that ended with err: offline when
// the server could not be reached at all, else a short sentence of what refused or failed.
// prepared is the error of opening the key, store and catalog (if that failed); refused are
// the batches the server refused.
func syncOutcome(err, prepared error, refused []client.Event) (offline bool, msg survey.Text) {
	if err == nil {
		return false, nil
	}
	if prepared != nil {
		return false, survey.T(errorText(prepared, survey.LangEN), errorText(prepared, survey.LangVI))
	}
	if errors.Is(err, client.ErrNotEnrolled) {
		return false, survey.T("not enrolled: no server", "chưa đăng ký: không có máy chủ")
	}
	var device *wire.Error
	unreachable := false
	walkErrors(err, func(e error) {
		var we *wire.Error
		switch {
		case errors.As(e, &we):
			if !isBatchRefusal(we) && device == nil {
				device = we // the device refused, or the server failed
			}
		case isUnreachable(e):
			unreachable = true
		}
	})
	switch {
	case device != nil:
		en, vi := headline(device.Message), headline(device.MessageVI)
		return false, survey.T(en, vi)
	case len(refused) > 0:
		var we *wire.Error
		errors.As(refused[0].Err, &we)
		seqs := make([]string, len(refused))
		for i, ev := range refused {
			seqs[i] = fmt.Sprint(ev.Seq)
		}
		en, vi := "server refused batch ", "máy chủ từ chối lô "
		if len(refused) > 1 {
			en = "server refused batches "
		}
		en += strings.Join(seqs, ", ")
		vi += strings.Join(seqs, ", ")
		if we != nil {
			en += ": " + headline(we.Message)
			vi += ": " + headline(cmp.Or(we.MessageVI, we.Message))
		}
		return unreachable, survey.T(en, vi)
	case unreachable:
		return true, survey.T("no answer from the server", "máy chủ không trả lời")
	}
	return false, survey.T(errorText(err, survey.LangEN), errorText(err, survey.LangVI))
}

// batchPrefix is how the client names a batch in its errors ("send batch 3 (000003-….fsbatch): ").
var batchPrefix = regexp.MustCompile(`^send batch (\d+) \([^)]*\): `)

// recordedFailure shortens the error a sync recorded in the home folder (English, the
// whole chain) for the status line: a server's sentence is recognised by its code and
// given in both languages.
func recordedFailure(s string) survey.Text {
	var seq string
	if m := batchPrefix.FindStringSubmatch(s); m != nil {
		seq = m[1]
	}
	for _, c := range wire.Codes() {
		we := wire.NewError(c, "")
		if !strings.Contains(s, we.Message) {
			continue
		}
		en, vi := headline(we.Message), headline(we.MessageVI)
		if seq != "" && isBatchRefusal(we) {
			en, vi = "server refused batch "+seq+": "+en, "máy chủ từ chối lô "+seq+": "+vi
		}
		return survey.T(en, vi)
	}
	s = headline(s)
	return survey.T(s, s)
}

// walkErrors calls fn on each branch of err's tree: the errors joined (errors.Join, or
// several %w) are taken one by one, and a chain without joins is one branch.
func walkErrors(err error, fn func(error)) {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, b := range j.Unwrap() {
				walkErrors(b, fn)
			}
			return
		}
	}
	if err != nil {
		fn(err)
	}
}

// isUnreachable reports whether err is a failure to reach the server or to hear its answer
// (no network, refused connection, timeout, cut connection).
func isUnreachable(err error) bool {
	var ne net.Error
	var ue *url.Error
	return errors.As(err, &ne) || errors.As(err, &ue) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}

// isBatchRefusal reports whether we refuses one batch for what it holds (the sync goes on
// with the next), as opposed to the device or a fault of the server.
func isBatchRefusal(we *wire.Error) bool {
	switch we.Code {
	case wire.CodeBadSignature, wire.CodePayloadHash, wire.CodeNotBatch, wire.CodeUnsupportedVersion,
		wire.CodeUnknownQuestionnaire, wire.CodeBadBatch, wire.CodeBatchConflict, wire.CodeTooLarge, wire.CodeWrongSigner,
		wire.CodeDecisionNotAllowed, wire.CodeOutOfScope:
		return true
	}
	return false
}

// headline is the first clause of a server's sentence ("this device has been revoked by
// the administrator; contact …" gives "this device has been revoked by the administrator").
func headline(s string) string {
	if i := strings.Index(s, "; "); i > 0 {
		return s[:i]
	}
	return s
}
