package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/sync/client"
	"github.com/fieldsurvey/fieldsurvey/sync/wire"
)

type enrollOptions struct {
	server string
	token  string
	json   bool
}

func newEnrollCommand(g *globals) *cobra.Command {
	var opts enrollOptions
	cmd := &cobra.Command{
		Use:   "enroll --server URL --token TOKEN",
		Short: "Register this device with a central server · Đăng ký thiết bị này với máy chủ trung tâm",
		Long: `enroll registers this device's key and signer principal with the central server, using the
one-time token the administrator gave you ('fieldsurvey server token'). The token carries
the fingerprint of the server's key: enroll checks that the server answering is that one,
and pins its key, so that everything the server sends later is checked against it. The
enrolment is kept in server.json in the home folder; 'fieldsurvey sync' uses it.

The token is made for a role: an assessor's device, or a supervisor's (whose home was made
with 'fieldsurvey init --role supervisor'). A token of the other role is refused, nothing is
written, and the token stays unused. The keys of the supervisors the server vouches for are
written to trusted_supervisors in the home folder (and kept up to date by every sync), so
that their batches can be merged from a USB stick too.

enroll đăng ký khoá và danh tính người ký của thiết bị này với máy chủ trung tâm, bằng mã
dùng một lần do quản trị viên cấp. Mã mang dấu vân tay khoá máy chủ: enroll kiểm tra đúng
máy chủ và ghi nhớ khoá đó để kiểm tra mọi dữ liệu máy chủ gửi về sau này.`,
		Example: `  fieldsurvey enroll --server https://survey.example.org:8750 --token fst1.…
  fieldsurvey sync`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runEnroll(cmd.Context(), g, opts)
		},
	}
	cmd.Flags().StringVar(&opts.server, "server", "", "the server's URL (default: server.url of the configuration) · URL của máy chủ")
	cmd.Flags().StringVar(&opts.token, "token", "", "the one-time token from the administrator · mã dùng một lần")
	cmd.Flags().BoolVar(&opts.json, "json", false, "print the enrolment as JSON · in kết quả dạng JSON")
	return cmd
}

func runEnroll(ctx context.Context, g *globals, opts enrollOptions) error {
	url := opts.server
	if url == "" {
		url = g.cfg.Server.URL
	}
	if url == "" {
		return withHint(fail("no server given", "chưa chỉ định máy chủ"),
			"give its address with --server URL", "cho biết địa chỉ bằng --server URL")
	}
	if opts.token == "" {
		return withHint(fail("no enrolment token given", "chưa có mã đăng ký"),
			"ask the administrator for one ('fieldsurvey server token') and pass it with --token",
			"xin quản trị viên một mã ('fieldsurvey server token') và truyền bằng --token")
	}
	if g.flags.db != "" {
		return fail("enroll registers this device: --db cannot be used with it", "enroll đăng ký thiết bị này: không dùng --db với lệnh này")
	}
	signer, principal, err := g.deviceSigner()
	if err != nil {
		return err
	}
	if g.cfg.Device == "" {
		return withHint(fail("this device has no id", "thiết bị chưa có mã"), "run 'fieldsurvey init'", "chạy 'fieldsurvey init'")
	}
	role := g.role()
	e, err := client.Enroll(ctx, client.EnrollOptions{Home: g.home, URL: url, Token: opts.token, Device: g.cfg.Device,
		Principal: principal, Signer: signer, Role: role})
	if errors.Is(err, client.ErrRoleMismatch) {
		if role == survey.RoleSupervisor {
			return withHint(fail("the token is not for a supervisor's device, and this home is a supervisor's; the token was not used and nothing was written",
				"mã đăng ký không dành cho thiết bị giám sát, mà thư mục này là của người giám sát; mã chưa bị dùng và không có gì được ghi"),
				"ask the administrator for a supervisor's token ('fieldsurvey server token --role supervisor'), or enrol from an assessor's home",
				"hãy xin quản trị viên mã cho người giám sát ('fieldsurvey server token --role supervisor'), hoặc đăng ký từ thư mục của người đánh giá")
		}
		return withHint(fail("the token is for a supervisor's device, and this home is an assessor's; the token was not used and nothing was written",
			"mã đăng ký dành cho thiết bị giám sát, mà thư mục này là của người đánh giá; mã chưa bị dùng và không có gì được ghi"),
			"a supervisor enrols from a home made with 'fieldsurvey init --role supervisor' (in a new folder); an assessor needs an assessor's token",
			"người giám sát đăng ký từ thư mục tạo bằng 'fieldsurvey init --role supervisor' (thư mục mới); người đánh giá cần mã dành cho người đánh giá")
	}
	if err != nil && e == nil {
		return contextErr(ctx, syncError(err, "enrol", "đăng ký"))
	}
	if err != nil { // enrolled; only the supervisors' file failed
		g.warn(err.Error())
	}
	if opts.json {
		return writeJSON(g.stdout, e)
	}
	if e.Role == survey.RoleSupervisor {
		fmt.Fprintf(g.stdout, g.t("enrolled device %s as %s (supervisor %s, %s) with %s\nserver key %s pinned\n",
			"đã đăng ký thiết bị %s với danh tính %s (người giám sát %s, %s) tại %s\nđã ghi nhớ khoá máy chủ %s\n"),
			e.Device, e.Principal, e.Assessor, scopeText(g, e.Scope), e.URL, e.Fingerprint)
		g.infof("sync brings down every interview of your provinces; decide on them here, then sync",
			"đồng bộ sẽ tải về mọi cuộc phỏng vấn thuộc các tỉnh của bạn; quyết định tại đây rồi đồng bộ")
		return nil
	}
	fmt.Fprintf(g.stdout, g.t("enrolled device %s as %s (assessor %s) with %s\nserver key %s pinned\n",
		"đã đăng ký thiết bị %s với danh tính %s (người đánh giá %s) tại %s\nđã ghi nhớ khoá máy chủ %s\n"),
		e.Device, e.Principal, e.Assessor, e.URL, e.Fingerprint)
	g.infof("send your interviews with 'fieldsurvey sync'; to encrypt batches to the server, add its key to recipients: %s",
		"gửi các cuộc phỏng vấn bằng 'fieldsurvey sync'; để mã hoá lô dữ liệu cho máy chủ, thêm khoá này vào recipients: %s",
		e.ServerKey)
	return nil
}

// syncError presents an error of enrolment or sync: a protocol error in the user's
// language, with what to do.
func syncError(err error, en, vi string) error {
	var we *wire.Error
	if errors.As(err, &we) {
		// The chain says which batch; the server's sentence is given in the user's language.
		full := err.Error()
		vifull := strings.ReplaceAll(full, we.Message, we.MessageVI)
		if we.Retryable() {
			return &survey.UserError{Msg: survey.T(en+": "+full, vi+": "+vifull)}
		}
		return &survey.UserError{Msg: survey.T(en+": the server refused: "+full, vi+": máy chủ từ chối: "+vifull)}
	}
	if errors.Is(err, client.ErrNotEnrolled) {
		return withHint(fail("this device is not enrolled with a server", "thiết bị này chưa đăng ký với máy chủ nào"),
			"run 'fieldsurvey enroll --server URL --token TOKEN' with a token from the administrator",
			"chạy 'fieldsurvey enroll --server URL --token MÃ' với mã do quản trị viên cấp")
	}
	return &survey.UserError{Msg: survey.T(en, vi), Err: err}
}
