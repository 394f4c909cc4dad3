package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/crypto/ssh"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/find"
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
	data     string
	database string
}

// open opens the server's store and key (see openServerData).
func (so *serverOptions) open(ctx context.Context, g *globals) (server.Store, *serverKey, error) {
	return openServerData(ctx, g, so.data, serverDatabase(g, so.database), false)
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
  fieldsurvey server token --data /srv/fieldsurvey --assessor "Trần Thị Bình" --role supervisor --scope "Đà Nẵng,Thừa Thiên Huế"
  fieldsurvey server devices --data /srv/fieldsurvey
  fieldsurvey server return --data /srv/fieldsurvey 0193… --reason "7.1: thiếu bằng chứng"`,
	}
	cmd.PersistentFlags().StringVar(&opts.data, "data", "", "the server's data folder · thư mục dữ liệu của máy chủ")
	cmd.PersistentFlags().StringVar(&opts.database, "database", "", "the server's postgres:// database, as 'serve --database' (also FIELDSURVEY_DATABASE); empty: SQLite in --data · cơ sở dữ liệu postgres:// của máy chủ")
	return groupCommand(cmd,
		newServerTokenCommand(g, &opts), newServerDevicesCommand(g, &opts), newServerRevokeCommand(g, &opts),
		newServerDecideCommand(g, &opts, survey.StatusApproved), newServerDecideCommand(g, &opts, survey.StatusReturned),
		newServerDecideCommand(g, &opts, survey.StatusReopened), newServerPublishCommand(g, &opts),
		newServerMigrateCommand(g, &opts), newServerBackupCommand(g, &opts))
}

type serverTokenOptions struct {
	assessor string
	role     string
	scope    string
	expires  time.Duration
	json     bool
}

func newServerTokenCommand(g *globals, so *serverOptions) *cobra.Command {
	var opts serverTokenOptions
	cmd := &cobra.Command{
		Use:   "token --assessor NAME [--role assessor|supervisor] [--scope PROVINCE,...] [--expires 72h]",
		Short: "Print a one-time enrolment token for a device · In mã đăng ký dùng một lần cho một thiết bị",
		Long: `token prints a one-time enrolment token for a person's device. It expires (72 hours by
default), works once, and carries the fingerprint of the server's key, so that the device
checks it talks to this server. The server keeps only a hash of it. Hand it to the person
(it is a secret until used), who runs 'fieldsurvey enroll --server URL --token TOKEN'.

With --role supervisor the device is a supervisor's (its home made with 'fieldsurvey init
--role supervisor'): its sync brings down every interview of its scope, and its batches may
approve, return and reopen interviews of its scope. --scope lists the provinces it covers,
separated by commas (compared ignoring case); without it, every province. A device whose
home has another role than the token's is refused, and the token stays unused.

token in ra mã đăng ký dùng một lần cho thiết bị. Mã hết hạn (mặc định 72 giờ), chỉ dùng
được một lần, và mang dấu vân tay khoá máy chủ để thiết bị kiểm tra đúng máy chủ. Với --role
supervisor, thiết bị là của người giám sát: đồng bộ nhận mọi cuộc phỏng vấn thuộc phạm vi
(--scope: các tỉnh, cách nhau bởi dấu phẩy; bỏ trống: mọi tỉnh), và được duyệt, trả lại, mở
lại các cuộc phỏng vấn đó. Người dùng chạy 'fieldsurvey enroll --server URL --token MÃ'.`,
		Example: `  fieldsurvey server token --data /srv/fieldsurvey --assessor "Nguyễn Văn An"
  fieldsurvey server token --data /srv/fieldsurvey --assessor an@example.org --expires 24h
  fieldsurvey server token --data /srv/fieldsurvey --assessor "Trần Thị Bình" --role supervisor --scope "Đà Nẵng,Quảng Nam"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runServerToken(cmd.Context(), g, so, opts)
		},
	}
	cmd.Flags().StringVar(&opts.assessor, "assessor", "", "the person the device belongs to · người sở hữu thiết bị")
	cmd.Flags().StringVar(&opts.role, "role", "assessor", "the device's role: assessor or supervisor · vai trò của thiết bị")
	cmd.Flags().StringVar(&opts.scope, "scope", "", "a supervisor's provinces, separated by commas (default: all) · các tỉnh của người giám sát")
	cmd.Flags().DurationVar(&opts.expires, "expires", server.DefaultTokenLifetime, "how long the token stays valid · thời hạn của mã")
	cmd.Flags().BoolVar(&opts.json, "json", false, "print as JSON · in dạng JSON")
	return cmd
}

func runServerToken(ctx context.Context, g *globals, so *serverOptions, opts serverTokenOptions) error {
	if strings.TrimSpace(opts.assessor) == "" {
		return withHint(fail("no assessor named", "chưa nêu tên người đánh giá"),
			"name the assessor with --assessor NAME", "nêu tên bằng --assessor TÊN")
	}
	role, err := survey.ParseRole(opts.role)
	if err != nil {
		return withHint(fail("--role %s is not a role", "--role %s không phải là vai trò", opts.role),
			"give --role assessor or --role supervisor", "dùng --role assessor hoặc --role supervisor")
	}
	var scope []string
	if strings.TrimSpace(opts.scope) != "" {
		if role != survey.RoleSupervisor {
			return withHint(fail("--scope is for a supervisor's device", "--scope chỉ dùng cho thiết bị của người giám sát"),
				"add --role supervisor, or leave out --scope", "thêm --role supervisor, hoặc bỏ --scope")
		}
		if scope, err = server.CleanScope(strings.Split(opts.scope, ",")); err != nil {
			return withHint(fail("--scope %q has an empty province", "--scope %q có một tỉnh để trống", opts.scope),
				"give provinces separated by commas, such as --scope \"Đà Nẵng,Thừa Thiên Huế\"",
				"liệt kê các tỉnh, cách nhau bởi dấu phẩy, ví dụ --scope \"Đà Nẵng,Thừa Thiên Huế\"")
		}
	}
	st, key, err := so.open(ctx, g)
	if err != nil {
		return err
	}
	defer st.Close()
	tok, expires, err := server.IssueTokenFor(ctx, st, key.signer, server.TokenSpec{Assessor: opts.assessor, Role: role, Scope: scope, Lifetime: opts.expires})
	if err != nil {
		return failWrap(err, "issue token", "cấp mã đăng ký")
	}
	if opts.json {
		return writeJSON(g.stdout, map[string]any{"token": tok.String(), "assessor": opts.assessor, "role": role, "scope": nonNil(scope),
			"expires": wire.FormatTime(expires), "server_key": tok.Fingerprint})
	}
	fmt.Fprintln(g.stdout, tok.String())
	if role == survey.RoleSupervisor {
		g.infof("one-time token for %s's supervisor device (%s), valid until %s; server key %s\nthe supervisor enrols from a home made with 'fieldsurvey init --role supervisor': fieldsurvey enroll --server URL --token TOKEN",
			"mã dùng một lần cho thiết bị giám sát của %s (%s), hiệu lực đến %s; khoá máy chủ %s\nngười giám sát đăng ký từ thư mục tạo bằng 'fieldsurvey init --role supervisor': fieldsurvey enroll --server URL --token MÃ",
			opts.assessor, scopeText(g, scope), expires.Local().Format("2006-01-02 15:04"), tok.Fingerprint)
		return nil
	}
	g.infof("one-time token for %s, valid until %s; server key %s\nthe assessor enrols with: fieldsurvey enroll --server URL --token TOKEN",
		"mã dùng một lần cho %s, hiệu lực đến %s; khoá máy chủ %s\nngười đánh giá đăng ký bằng: fieldsurvey enroll --server URL --token MÃ",
		opts.assessor, expires.Local().Format("2006-01-02 15:04"), tok.Fingerprint)
	return nil
}

// scopeText names a supervisor's provinces, or says it covers all.
func scopeText(g *globals, scope []string) string {
	if len(scope) == 0 {
		return g.t("every province", "mọi tỉnh")
	}
	return strings.Join(scope, ", ")
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

type serverDevicesOptions struct{ json bool }

type deviceLine struct {
	Device    string        `json:"device"`
	Assessor  string        `json:"assessor"`
	Role      survey.Role   `json:"role"`
	Scope     []string      `json:"scope"`
	Principal string        `json:"principal"`
	Key       string        `json:"key"`
	Enrolled  string        `json:"enrolled"`
	Revoked   string        `json:"revoked,omitempty"`
	LastSync  string        `json:"last_sync,omitempty"`
	Batches   int           `json:"batches"`
	LastSeq   uint64        `json:"last_sequence"`
	Missing   []string      `json:"missing"`
	Refused   []refusedLine `json:"refused"`
}

// refusedLine is a batch the server refused for its content.
type refusedLine struct {
	Seq     uint64      `json:"seq"`
	Batch   string      `json:"batch"`
	Code    wire.Code   `json:"code"`
	Reason  survey.Text `json:"reason"`
	Message survey.Text `json:"message"`
	Refused string      `json:"refused"`
}

func newServerDevicesCommand(g *globals, so *serverOptions) *cobra.Command {
	var opts serverDevicesOptions
	cmd := &cobra.Command{
		Use:   "devices",
		Short: "List enrolled devices, their last sync and missing batches · Liệt kê các thiết bị đã đăng ký",
		Long: `devices lists the enrolled devices: the person, the role (a supervisor's with its
provinces), signer principal, key, when each last synced, how many batches the server
received from it, the sequence numbers missing between them (a batch the device made but
the server never got: look for it on the laptop or a USB stick), and the batches the server
refused for what they hold, with the reason (the device has them in outbox/refused; their
numbers are not missing).

devices liệt kê các thiết bị đã đăng ký: người dùng, vai trò (người giám sát kèm các tỉnh),
lần đồng bộ cuối, số lô đã nhận, các số thứ tự lô còn thiếu, và các lô bị từ chối kèm lý do.`,
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
	st, _, err := so.open(ctx, g)
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
		role := d.Role
		if role == "" {
			role = survey.RoleAssessor
		}
		l := deviceLine{Device: d.ID, Assessor: d.Assessor, Role: role, Scope: nonNil(d.Scope), Principal: d.Principal, Enrolled: wire.FormatTime(d.Enrolled),
			Batches: d.Batches, LastSeq: d.LastSeq, Missing: []string{}, Refused: []refusedLine{}}
		for _, rf := range d.Refused {
			l.Refused = append(l.Refused, refusedLine{Seq: rf.Seq, Batch: rf.Batch, Code: rf.Code, Reason: rf.Reason, Message: rf.Message, Refused: wire.FormatTime(rf.Time)})
		}
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
	t := newTable(g.stdout, g.t("DEVICE", "THIẾT BỊ"), g.t("PERSON", "NGƯỜI DÙNG"), g.t("ROLE", "VAI TRÒ"), g.t("PRINCIPAL", "DANH TÍNH"),
		g.t("LAST SYNC", "ĐỒNG BỘ CUỐI"), g.t("BATCHES", "SỐ LÔ"), g.t("MISSING", "THIẾU"), g.t("REFUSED", "BỊ TỪ CHỐI"), g.t("STATUS", "TRẠNG THÁI"))
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
		role := l.Role.Label().Get(g.lang())
		if l.Role == survey.RoleSupervisor {
			role += ": " + scopeText(g, l.Scope)
		}
		var refused []string
		for _, rf := range l.Refused {
			refused = append(refused, fmt.Sprintf("%d: %s", rf.Seq, rf.Reason.Get(g.lang())))
		}
		if len(refused) == 0 {
			refused = []string{"-"}
		}
		t.row(l.Device, l.Assessor, role, l.Principal, local(l.LastSync), fmt.Sprint(l.Batches), missing, strings.Join(refused, "; "), status)
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
	st, _, err := so.open(ctx, g)
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
		Use:   "approve INTERVIEW",
		Short: "Approve a completed interview, as the server · Duyệt một cuộc phỏng vấn đã hoàn thành, với khoá máy chủ",
		Long: `approve marks a completed (or submitted) interview approved. The decision is a revision
made and signed by the server key (its principal is the server's, such as server-3f2a9c0d1e4b):
it is the administrator's. Supervisors decide from their own devices ('fieldsurvey server
token --role supervisor'). It travels to every device holding the interview on its next
sync. An interview with conflicting answers cannot be approved: settle them or return it.

approve đánh dấu một cuộc phỏng vấn đã hoàn thành là đã duyệt. Quyết định là một bản ghi
thay đổi do khoá máy chủ tạo (của quản trị viên); người giám sát quyết định trên thiết bị của
mình. Quyết định đến mọi thiết bị có cuộc phỏng vấn ở lần đồng bộ tiếp theo.`,
		Example: `  fieldsurvey server approve --data /srv/fieldsurvey 0193a1b2-…`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runServerDecide(cmd.Context(), g, so, status, args[0], opts)
		},
	}
	switch status {
	case survey.StatusReturned:
		cmd.Use = "return INTERVIEW --reason TEXT"
		cmd.Short = "Return an interview to its assessor with a reason · Trả lại cuộc phỏng vấn cho người đánh giá kèm lý do"
		cmd.Long = `return sends a completed (or submitted) interview back to its assessor with a reason. The
decision is a revision made and signed by the server key (the administrator's); on the
device's next sync the interview reopens and the assessor sees the reason on the home
screen. Completing it again sends it back. An approved interview is reopened instead.

return trả lại cuộc phỏng vấn cho người đánh giá kèm lý do. Quyết định do khoá máy chủ tạo;
ở lần đồng bộ tiếp theo, cuộc phỏng vấn được mở lại trên thiết bị và người đánh giá thấy lý
do trên màn hình chính. Cuộc phỏng vấn đã duyệt thì dùng reopen.`
		cmd.Example = `  fieldsurvey server return --data /srv/fieldsurvey 0193a1b2-… --reason "Câu 7.1 thiếu bằng chứng / 7.1 lacks evidence"`
	case survey.StatusReopened:
		cmd.Use = "reopen INTERVIEW --reason TEXT"
		cmd.Short = "Reopen an approved interview with a reason · Mở lại cuộc phỏng vấn đã duyệt kèm lý do"
		cmd.Long = `reopen takes an approved interview back for changes, with a reason the assessor reads. The
decision is a revision made and signed by the server key (the administrator's); on the
device's next sync the assessor can change the interview again, and completes it anew.

reopen mở lại một cuộc phỏng vấn đã duyệt để sửa, kèm lý do người đánh giá sẽ đọc. Quyết
định do khoá máy chủ tạo và đến thiết bị ở lần đồng bộ tiếp theo.`
		cmd.Example = `  fieldsurvey server reopen --data /srv/fieldsurvey 0193a1b2-… --reason "Sở đã ban hành quyết định mới / a new decree was issued"`
	}
	cmd.Flags().StringVar(&opts.reason, "reason", "", "why: the assessor reads it · lý do: người đánh giá sẽ đọc")
	cmd.Flags().StringVar(&opts.by, "by", "", "no longer accepted: the author is the server key's principal · không còn dùng")
	cmd.Flags().MarkHidden("by")
	cmd.Flags().BoolVar(&opts.json, "json", false, "print the revision written as JSON · in bản ghi thay đổi dạng JSON")
	return cmd
}

func runServerDecide(ctx context.Context, g *globals, so *serverOptions, status survey.Status, id string, opts serverDecideOptions) error {
	if opts.by != "" {
		return withHint(fail("--by is no longer accepted: a decision made here is signed by the server key, and its author is the server's principal",
			"--by không còn được chấp nhận: quyết định ở đây được ký bằng khoá máy chủ, và người tạo là danh tính của máy chủ"),
			"leave out --by; a supervisor decides from their own device, enrolled with 'fieldsurvey server token --role supervisor'",
			"bỏ --by; người giám sát quyết định trên thiết bị của mình, đăng ký bằng 'fieldsurvey server token --role supervisor'")
	}
	st, key, err := so.open(ctx, g)
	if err != nil {
		return err
	}
	defer st.Close()
	// Like every command that names an interview, accept the unique beginning of its id;
	// anything else is left to Decide, which says the server holds no such interview.
	if sq, ok := st.(*server.SQLite); ok {
		if full, err := find.Interview(ctx, sq.Revisions(), id); err == nil {
			id = full
		}
	}
	dev := server.ServerDevice(key.signer.PublicKey())
	rev, err := st.Decide(ctx, server.Decision{Interview: id, Status: status, Reason: opts.reason, Device: dev, Time: g.now()})
	var rule *survey.RuleError
	switch {
	case errors.Is(err, server.ErrNotFound) && serverDatabase(g, so.database) != "":
		return withHint(fail("the server holds no interview %s", "máy chủ không có cuộc phỏng vấn %s", id),
			"give the whole interview id, as a device syncing with the server lists it ('fieldsurvey interview list')",
			"nhập đầy đủ mã cuộc phỏng vấn, như thiết bị đồng bộ với máy chủ liệt kê ('fieldsurvey interview list')")
	case errors.Is(err, server.ErrNotFound):
		return withHint(fail("the server holds no interview %s", "máy chủ không có cuộc phỏng vấn %s", id),
			"list them with 'fieldsurvey interview list --db %s'", "xem danh sách bằng 'fieldsurvey interview list --db %s'",
			so.data+string(os.PathSeparator)+server.DBFile)
	case errors.As(err, &rule):
		msg := rule.Text()
		return &survey.UserError{Msg: survey.T(fmt.Sprintf("interview %s: %s; nothing changed", id, msg.Get(survey.LangEN)),
			fmt.Sprintf("cuộc phỏng vấn %s: %s; không có gì thay đổi", id, msg.Get(survey.LangVI)))}
	case errors.Is(err, server.ErrUnchanged):
		return fail("%s; nothing changed", "%s; không có gì thay đổi", err.Error())
	case err != nil:
		return failWrap(err, "record the decision", "ghi quyết định")
	}
	if opts.json {
		return writeJSON(g.stdout, rev)
	}
	reason := survey.NFC(strings.TrimSpace(opts.reason))
	switch status {
	case survey.StatusApproved:
		fmt.Fprintf(g.stdout, g.t("interview %s approved by %s\n", "cuộc phỏng vấn %s đã được %s duyệt\n"), id, dev)
	case survey.StatusReturned:
		fmt.Fprintf(g.stdout, g.t("interview %s returned by %s: %s\n", "cuộc phỏng vấn %s đã bị %s trả lại: %s\n"), id, dev, reason)
	case survey.StatusReopened:
		fmt.Fprintf(g.stdout, g.t("interview %s reopened by %s: %s\n", "cuộc phỏng vấn %s đã được %s mở lại: %s\n"), id, dev, reason)
	}
	g.infof("it reaches every device holding the interview on its next sync", "quyết định sẽ đến mọi thiết bị có cuộc phỏng vấn ở lần đồng bộ tiếp theo")
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
	st, key, err := so.open(ctx, g)
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
