package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/user"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/crypto/ssh"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/sync/hub"
	"github.com/fieldsurvey/fieldsurvey/sync/server"
	"github.com/fieldsurvey/fieldsurvey/sync/wire"
)

// serverKey is the server's key and where it lives.
type serverKey struct {
	signer ssh.Signer
	path   string
}

type serverOptions struct {
	data string
}

func newServerCommand(g *globals) *cobra.Command {
	var opts serverOptions
	cmd := &cobra.Command{
		Use:   "server",
		Short: "Administer a server's data: tokens, devices, decisions, questionnaires · Quản trị dữ liệu máy chủ",
		Long: `server administers the data folder of a central server (the one 'fieldsurvey serve --data
DIR' uses), while it runs or not: enrolment tokens, devices, supervisors' decisions and
published questionnaires.

server quản trị thư mục dữ liệu của máy chủ trung tâm: mã đăng ký, thiết bị, quyết định của
người giám sát và các bảng hỏi được công bố.`,
		Example: `  fieldsurvey server token --data /srv/fieldsurvey --assessor "Nguyễn Văn An"
  fieldsurvey server devices --data /srv/fieldsurvey
  fieldsurvey server return --data /srv/fieldsurvey 0193… --reason "7.1: thiếu bằng chứng"`,
	}
	cmd.PersistentFlags().StringVar(&opts.data, "data", "", "the server's data folder · thư mục dữ liệu của máy chủ")
	return groupCommand(cmd,
		newServerTokenCommand(g, &opts), newServerDevicesCommand(g, &opts), newServerRevokeCommand(g, &opts),
		newServerDecideCommand(g, &opts, survey.StatusApproved), newServerDecideCommand(g, &opts, survey.StatusReturned),
		newServerPublishCommand(g, &opts))
}

type serverTokenOptions struct {
	assessor string
	expires  time.Duration
	json     bool
}

func newServerTokenCommand(g *globals, so *serverOptions) *cobra.Command {
	var opts serverTokenOptions
	cmd := &cobra.Command{
		Use:   "token --assessor NAME [--expires 72h]",
		Short: "Print a one-time enrolment token for a device · In mã đăng ký dùng một lần cho một thiết bị",
		Long: `token prints a one-time enrolment token for the assessor's device. It expires (72 hours by
default), works once, and carries the fingerprint of the server's key, so that the device
checks it talks to this server. The server keeps only a hash of it. Hand it to the assessor
(it is a secret until used), who runs 'fieldsurvey enroll --server URL --token TOKEN'.

token in ra mã đăng ký dùng một lần cho thiết bị của người đánh giá. Mã hết hạn (mặc định 72
giờ), chỉ dùng được một lần, và mang dấu vân tay khoá máy chủ để thiết bị kiểm tra đúng máy
chủ. Người đánh giá chạy 'fieldsurvey enroll --server URL --token MÃ'.`,
		Example: `  fieldsurvey server token --data /srv/fieldsurvey --assessor "Nguyễn Văn An"
  fieldsurvey server token --data /srv/fieldsurvey --assessor an@example.org --expires 24h`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runServerToken(cmd.Context(), g, so, opts)
		},
	}
	cmd.Flags().StringVar(&opts.assessor, "assessor", "", "the assessor the device belongs to · người đánh giá sở hữu thiết bị")
	cmd.Flags().DurationVar(&opts.expires, "expires", server.DefaultTokenLifetime, "how long the token stays valid · thời hạn của mã")
	cmd.Flags().BoolVar(&opts.json, "json", false, "print as JSON · in dạng JSON")
	return cmd
}

func runServerToken(ctx context.Context, g *globals, so *serverOptions, opts serverTokenOptions) error {
	if strings.TrimSpace(opts.assessor) == "" {
		return withHint(fail("no assessor named", "chưa nêu tên người đánh giá"),
			"name the assessor with --assessor NAME", "nêu tên bằng --assessor TÊN")
	}
	st, key, err := openServerData(g, so.data, false)
	if err != nil {
		return err
	}
	defer st.Close()
	tok, expires, err := server.IssueToken(ctx, st, key.signer, opts.assessor, opts.expires)
	if err != nil {
		return failWrap(err, "issue token", "cấp mã đăng ký")
	}
	if opts.json {
		return writeJSON(g.stdout, map[string]any{"token": tok.String(), "assessor": opts.assessor,
			"expires": wire.FormatTime(expires), "server_key": tok.Fingerprint})
	}
	fmt.Fprintln(g.stdout, tok.String())
	g.infof("one-time token for %s, valid until %s; server key %s\nthe assessor enrols with: fieldsurvey enroll --server URL --token TOKEN",
		"mã dùng một lần cho %s, hiệu lực đến %s; khoá máy chủ %s\nngười đánh giá đăng ký bằng: fieldsurvey enroll --server URL --token MÃ",
		opts.assessor, expires.Local().Format("2006-01-02 15:04"), tok.Fingerprint)
	return nil
}

type serverDevicesOptions struct{ json bool }

type deviceLine struct {
	Device    string   `json:"device"`
	Assessor  string   `json:"assessor"`
	Principal string   `json:"principal"`
	Key       string   `json:"key"`
	Enrolled  string   `json:"enrolled"`
	Revoked   string   `json:"revoked,omitempty"`
	LastSync  string   `json:"last_sync,omitempty"`
	Batches   int      `json:"batches"`
	LastSeq   uint64   `json:"last_sequence"`
	Missing   []string `json:"missing"`
}

func newServerDevicesCommand(g *globals, so *serverOptions) *cobra.Command {
	var opts serverDevicesOptions
	cmd := &cobra.Command{
		Use:   "devices",
		Short: "List enrolled devices, their last sync and missing batches · Liệt kê các thiết bị đã đăng ký",
		Long: `devices lists the enrolled devices: assessor, signer principal, key, when each last synced,
how many batches the server received from it, and the sequence numbers missing between
them (a batch the device made but the server never got: look for it on the laptop or a
USB stick).

devices liệt kê các thiết bị đã đăng ký: người đánh giá, lần đồng bộ cuối, số lô đã nhận và
các số thứ tự lô còn thiếu.`,
		Example: `  fieldsurvey server devices --data /srv/fieldsurvey
  fieldsurvey server devices --data /srv/fieldsurvey --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runServerDevices(cmd.Context(), g, so, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.json, "json", false, "print as JSON · in dạng JSON")
	return cmd
}

func runServerDevices(ctx context.Context, g *globals, so *serverOptions, opts serverDevicesOptions) error {
	st, _, err := openServerData(g, so.data, false)
	if err != nil {
		return err
	}
	defer st.Close()
	devs, err := st.Devices(ctx)
	if err != nil {
		return err
	}
	lines := make([]deviceLine, 0, len(devs))
	for _, d := range devs {
		l := deviceLine{Device: d.ID, Assessor: d.Assessor, Principal: d.Principal, Enrolled: wire.FormatTime(d.Enrolled),
			Batches: d.Batches, LastSeq: d.LastSeq, Missing: []string{}}
		if pub, _, _, _, err := ssh.ParseAuthorizedKey([]byte(d.PublicKey)); err == nil {
			l.Key = ssh.FingerprintSHA256(pub)
		}
		if d.IsRevoked() {
			l.Revoked = wire.FormatTime(d.Revoked)
		}
		if !d.LastSync.IsZero() {
			l.LastSync = wire.FormatTime(d.LastSync)
		}
		for _, gp := range d.Missing {
			l.Missing = append(l.Missing, hub.FormatGaps([]hub.Gap{gp}))
		}
		lines = append(lines, l)
	}
	if opts.json {
		return writeJSON(g.stdout, lines)
	}
	if len(lines) == 0 {
		g.infof("no device is enrolled yet; make a token with 'fieldsurvey server token'",
			"chưa có thiết bị nào đăng ký; tạo mã bằng 'fieldsurvey server token'")
		return nil
	}
	t := newTable(g.stdout, g.t("DEVICE", "THIẾT BỊ"), g.t("ASSESSOR", "NGƯỜI ĐÁNH GIÁ"), g.t("PRINCIPAL", "DANH TÍNH"),
		g.t("LAST SYNC", "ĐỒNG BỘ CUỐI"), g.t("BATCHES", "SỐ LÔ"), g.t("MISSING", "THIẾU"), g.t("STATUS", "TRẠNG THÁI"))
	local := func(s string) string {
		if s == "" {
			return "-"
		}
		tm, _ := time.Parse(wire.TimeFormat, s)
		return tm.Local().Format("2006-01-02 15:04")
	}
	for _, l := range lines {
		status := g.t("active", "hoạt động")
		if l.Revoked != "" {
			status = g.t("revoked ", "đã thu hồi ") + local(l.Revoked)
		}
		missing := strings.Join(l.Missing, ", ")
		if missing == "" {
			missing = "-"
		}
		t.row(l.Device, l.Assessor, l.Principal, local(l.LastSync), fmt.Sprint(l.Batches), missing, status)
	}
	return t.flush()
}

func newServerRevokeCommand(g *globals, so *serverOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "revoke DEVICE",
		Short: "Stop a device (a lost laptop) · Thu hồi một thiết bị (máy bị mất)",
		Long: `revoke stops a device: from now on the server refuses its uploads and downloads. What it
sent before stays. Use it for a lost or stolen laptop; the assessor enrols a new device
with a new token.

revoke thu hồi một thiết bị: từ nay máy chủ từ chối mọi lượt tải lên và tải xuống của nó.
Dữ liệu đã gửi trước đó vẫn được giữ.`,
		Example: `  fieldsurvey server revoke --data /srv/fieldsurvey 3f2a9c0d1e4b5a67`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runServerRevoke(cmd.Context(), g, so, args[0])
		},
	}
}

func runServerRevoke(ctx context.Context, g *globals, so *serverOptions, id string) error {
	st, _, err := openServerData(g, so.data, false)
	if err != nil {
		return err
	}
	defer st.Close()
	d, err := st.Revoke(ctx, id, g.now())
	if errors.Is(err, wire.ErrDeviceUnknown) {
		return withHint(fail("no device %s is enrolled", "không có thiết bị %s nào đã đăng ký", id),
			"list them with 'fieldsurvey server devices'", "xem danh sách bằng 'fieldsurvey server devices'")
	}
	if err != nil {
		return failWrap(err, "revoke device %s", "thu hồi thiết bị %s", id)
	}
	fmt.Fprintf(g.stdout, g.t("device %s (%s) revoked %s\n", "thiết bị %s (%s) đã bị thu hồi lúc %s\n"),
		d.ID, d.Assessor, d.Revoked.Local().Format("2006-01-02 15:04"))
	return nil
}

type serverDecideOptions struct {
	reason string
	by     string
	json   bool
}

func newServerDecideCommand(g *globals, so *serverOptions, status survey.Status) *cobra.Command {
	var opts serverDecideOptions
	cmd := &cobra.Command{
		Use:   "approve INTERVIEW [--reason TEXT]",
		Short: "Approve a completed interview · Duyệt một cuộc phỏng vấn đã hoàn thành",
		Long: `approve marks a completed interview approved. The decision is a revision written by the
server as the supervisor (--by, default assessor.name of this machine or the user name),
and travels to the assessor's device on its next sync. An interview with conflicting
answers cannot be approved: settle them or return it.

approve đánh dấu một cuộc phỏng vấn đã hoàn thành là đã duyệt. Quyết định được gửi về thiết
bị của người đánh giá ở lần đồng bộ tiếp theo.`,
		Example: `  fieldsurvey server approve --data /srv/fieldsurvey 0193a1b2-…`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runServerDecide(cmd.Context(), g, so, status, args[0], opts)
		},
	}
	if status == survey.StatusReturned {
		cmd.Use = "return INTERVIEW --reason TEXT"
		cmd.Short = "Return an interview to its assessor with a reason · Trả lại cuộc phỏng vấn cho người đánh giá kèm lý do"
		cmd.Long = `return sends an interview back to its assessor with a reason. The decision is a revision
written by the server as the supervisor; on the device's next sync the interview reopens
and the assessor sees the reason on the home screen. Completing it again sends it back.

return trả lại cuộc phỏng vấn cho người đánh giá kèm lý do. Ở lần đồng bộ tiếp theo, cuộc
phỏng vấn được mở lại trên thiết bị và người đánh giá thấy lý do trên màn hình chính.`
		cmd.Example = `  fieldsurvey server return --data /srv/fieldsurvey 0193a1b2-… --reason "Câu 7.1 thiếu bằng chứng / 7.1 lacks evidence"`
	}
	cmd.Flags().StringVar(&opts.reason, "reason", "", "why: the assessor reads it · lý do: người đánh giá sẽ đọc")
	cmd.Flags().StringVar(&opts.by, "by", "", "the supervisor's name (default: assessor.name, or the user name) · tên người giám sát")
	cmd.Flags().BoolVar(&opts.json, "json", false, "print the revision written as JSON · in bản ghi thay đổi dạng JSON")
	return cmd
}

func supervisorName(g *globals, by string) string {
	if by = strings.TrimSpace(by); by != "" {
		return by
	}
	if g.cfg.Assessor.Name != "" {
		return g.cfg.Assessor.Name
	}
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "supervisor"
}

func runServerDecide(ctx context.Context, g *globals, so *serverOptions, status survey.Status, id string, opts serverDecideOptions) error {
	st, key, err := openServerData(g, so.data, false)
	if err != nil {
		return err
	}
	defer st.Close()
	// Like every command that names an interview, accept the unique beginning of its id;
	// anything else is left to Decide, which says the server holds no such interview.
	if full, err := resolveInterview(ctx, st.Revisions(), id); err == nil {
		id = full
	}
	rev, err := st.Decide(ctx, server.Decision{Interview: id, Status: status, Reason: opts.reason,
		By: supervisorName(g, opts.by), Device: server.ServerDevice(key.signer.PublicKey()), Time: g.now()})
	switch {
	case errors.Is(err, server.ErrNotFound):
		return withHint(fail("the server holds no interview %s", "máy chủ không có cuộc phỏng vấn %s", id),
			"list them with 'fieldsurvey interview list --db %s'", "xem danh sách bằng 'fieldsurvey interview list --db %s'",
			so.data+string(os.PathSeparator)+server.DBFile)
	case errors.Is(err, server.ErrUnchanged), errors.Is(err, server.ErrNotDecidable):
		return fail("%s; nothing changed", "%s; không có gì thay đổi", strings.TrimPrefix(err.Error(), server.ErrNotDecidable.Error()+": "))
	case err != nil:
		return failWrap(err, "record the decision", "ghi quyết định")
	}
	if opts.json {
		return writeJSON(g.stdout, rev)
	}
	if status == survey.StatusApproved {
		fmt.Fprintf(g.stdout, g.t("interview %s approved\n", "cuộc phỏng vấn %s đã được duyệt\n"), id)
	} else {
		fmt.Fprintf(g.stdout, g.t("interview %s returned: %s\n", "cuộc phỏng vấn %s đã bị trả lại: %s\n"), id, survey.NFC(strings.TrimSpace(opts.reason)))
	}
	g.infof("it reaches the assessor's device on its next sync", "quyết định sẽ đến thiết bị của người đánh giá ở lần đồng bộ tiếp theo")
	return nil
}

func newServerPublishCommand(g *globals, so *serverOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "publish FILE",
		Short: "Publish a questionnaire version to every device · Công bố một phiên bản bảng hỏi cho mọi thiết bị",
		Long: `publish checks a questionnaire file, signs it with the server key and publishes it: every
enrolled device downloads it on its next sync, checks the signature with the key it pinned
at enrolment, and adds it to its catalog. A version once published cannot change: publish
changes under a new version.

publish kiểm tra tệp bảng hỏi, ký bằng khoá máy chủ và công bố: mọi thiết bị đã đăng ký sẽ
tải về ở lần đồng bộ tiếp theo, kiểm tra chữ ký và thêm vào danh mục.`,
		Example: `  fieldsurvey server publish --data /srv/fieldsurvey odra-3.2.yaml`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runServerPublish(cmd.Context(), g, so, args[0])
		},
	}
}

func runServerPublish(ctx context.Context, g *globals, so *serverOptions, file string) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return failWrap(err, "read questionnaire", "đọc bảng hỏi")
	}
	st, key, err := openServerData(g, so.data, false)
	if err != nil {
		return err
	}
	defer st.Close()
	q, err := server.Publish(ctx, st, key.signer, file, data)
	if errors.Is(err, server.ErrUnchanged) {
		g.infof("%s version %s is already published; nothing changed", "%s phiên bản %s đã được công bố; không có gì thay đổi", q.ID, q.Version)
		return nil
	}
	if err != nil {
		return failWrap(err, "publish %s", "công bố %s", file)
	}
	fmt.Fprintf(g.stdout, g.t("published %s version %s; devices get it on their next sync\n",
		"đã công bố %s phiên bản %s; các thiết bị sẽ nhận ở lần đồng bộ tiếp theo\n"), q.ID, q.Version)
	return nil
}
