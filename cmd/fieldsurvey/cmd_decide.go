package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/find"
	"github.com/fieldsurvey/fieldsurvey/survey/review"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
)

// decideVerb is one of the supervisor's decisions as a subcommand of interview.
type decideVerb struct {
	use      string
	to       survey.Status
	en, vi   string // the verb, for messages
	short    string
	long     string
	example  string
	reasonEN string // the help of --reason
}

var decideVerbs = []decideVerb{
	{use: "approve ID", to: survey.StatusApproved, en: "approve", vi: "duyệt",
		short: "Supervisor: approve a completed interview · Người giám sát: duyệt phỏng vấn đã hoàn thành",
		long: `approve marks a completed (or submitted) interview approved, on a supervisor's home: a
revision of this home's device, by its principal, that travels with the next
'fieldsurvey sync' or 'fieldsurvey batch create --out DIR', signed by this home's key.
An interview with conflicting answers cannot be approved: settle them first, or return it.

approve duyệt một phỏng vấn đã hoàn thành (hoặc đã gửi), trên thư mục của người giám sát;
quyết định được gửi đi cùng lần 'fieldsurvey sync' hoặc 'batch create --out' tiếp theo.`,
		example: `  fieldsurvey interview approve 0193a5b2
  fieldsurvey interview approve 0193a5b2-7c1e-7000-8000-000000000001 --reason "Tốt / well evidenced"`,
		reasonEN: "a note for the assessor (optional) · ghi chú cho người đánh giá (không bắt buộc)"},
	{use: "return ID --reason TEXT", to: survey.StatusReturned, en: "return", vi: "trả lại",
		short: "Supervisor: return a completed interview to its assessor, with a reason · Người giám sát: trả lại phỏng vấn kèm lý do",
		long: `return sends a completed (or submitted) interview back to its assessor with a reason, on a
supervisor's home; the assessor sees the reason, fixes the interview and completes it
again. The decision is a revision of this home's device that travels with the next
'fieldsurvey sync' or 'fieldsurvey batch create --out DIR', signed by this home's key.

return trả phỏng vấn về cho người đánh giá kèm lý do; người đánh giá xem lý do, sửa và
hoàn thành lại.`,
		example:  `  fieldsurvey interview return 0193a5b2 --reason "Câu 7.1 thiếu bằng chứng / 7.1 lacks evidence"`,
		reasonEN: "why it is returned: the assessor reads it (required) · lý do trả lại (bắt buộc)"},
	{use: "reopen ID --reason TEXT", to: survey.StatusReopened, en: "reopen", vi: "mở lại",
		short: "Supervisor: reopen an approved interview, with a reason · Người giám sát: mở lại phỏng vấn đã duyệt kèm lý do",
		long: `reopen opens an approved interview again for its assessor, with a reason, on a supervisor's
home. The decision travels like approve and return.

reopen mở lại một phỏng vấn đã duyệt cho người đánh giá, kèm lý do.`,
		example:  `  fieldsurvey interview reopen 0193a5b2 --reason "Số liệu 2026 đã có / 2026 figures are out"`,
		reasonEN: "why it is reopened: the assessor reads it (required) · lý do mở lại (bắt buộc)"},
}

type decideOptions struct {
	reason string
}

func newDecideCommands(g *globals) []*cobra.Command {
	var out []*cobra.Command
	for _, v := range decideVerbs {
		var opts decideOptions
		cmd := &cobra.Command{
			Use: v.use, Short: v.short, Long: v.long, Example: v.example,
			Args: cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				return runDecide(cmd.Context(), g, v, args[0], opts)
			},
		}
		cmd.Flags().StringVar(&opts.reason, "reason", "", v.reasonEN)
		out = append(out, cmd)
	}
	return out
}

func runDecide(ctx context.Context, g *globals, v decideVerb, ref string, opts decideOptions) error {
	if g.flags.db != "" {
		return withHint(fail("interview %s writes this home's own decision: --db names a store to read", "interview %s ghi quyết định vào thư mục làm việc này: --db chỉ dùng để đọc", v.en),
			"leave out --db; decisions on a server's store are 'fieldsurvey server approve|return'",
			"bỏ --db; quyết định trên kho dữ liệu của máy chủ dùng 'fieldsurvey server approve|return'")
	}
	if err := g.needHome(); err != nil {
		return err
	}
	role := g.role()
	if !role.Decides() {
		// The rule's own words, before anything else is looked at.
		return withHint(failWrap(survey.CheckDecision(role, "", 0, v.to, opts.reason), "cannot %[1]s the interview", "không thể %[2]s phỏng vấn", v.en, v.vi),
			"decisions are made on a supervisor's home, with its own key: 'fieldsurvey --home DIR init --role supervisor'",
			"quyết định được đưa ra trên thư mục của người giám sát, với khoá riêng: 'fieldsurvey --home THƯ-MỤC init --role supervisor'")
	}
	_, principal, err := g.deviceSigner()
	if err != nil {
		return err
	}
	st, err := g.openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	id, err := find.Interview(ctx, st, ref)
	if err != nil {
		return contextErr(ctx, err)
	}
	by := store.Author{Device: g.cfg.Device, Principal: principal}
	rev, err := review.Decide(ctx, st, role, by, review.Decision{Interview: id, To: v.to, Reason: opts.reason})
	if err != nil {
		e := failWrap(err, "cannot %[1]s interview %[3]s", "không thể %[2]s phỏng vấn %[3]s", v.en, v.vi, id)
		switch {
		case errors.Is(err, survey.ErrNotAllowed) && v.to.NeedsReason():
			return withHint(e, "give the reason with --reason TEXT; nothing changed", "nêu lý do bằng --reason NỘI-DUNG; không có gì thay đổi")
		case errors.Is(err, survey.ErrNotAllowed):
			return withHint(e, "nothing changed; 'fieldsurvey interview show %s' shows the interview", "không có gì thay đổi; 'fieldsurvey interview show %s' hiển thị phỏng vấn", id)
		}
		return contextErr(ctx, e)
	}
	line := fmt.Sprintf(g.t("interview %s is now %s", "phỏng vấn %s giờ ở trạng thái %s"), id, v.to.Label().Get(g.lang()))
	if note := survey.NFC(strings.TrimSpace(opts.reason)); note != "" {
		line += ": " + note
	}
	fmt.Fprintln(g.stdout, line)
	g.infof("recorded as %s on device %s (revision %.12s); it travels with the next 'fieldsurvey sync' or 'fieldsurvey batch create --out DIR', signed by this home's key",
		"đã ghi với danh tính %s trên thiết bị %s (thay đổi %.12s); quyết định được gửi đi cùng lần 'fieldsurvey sync' hoặc 'fieldsurvey batch create --out THƯ-MỤC' tiếp theo, ký bằng khoá của thư mục này",
		principal, g.cfg.Device, rev.ID)
	return nil
}
