package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/fieldsurvey/fieldsurvey/survey/assign"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
	"github.com/fieldsurvey/fieldsurvey/sync/hub"
)

type assignOptions struct {
	from string
	a    assign.Assignment
}

func newAssignCommand(g *globals) *cobra.Command {
	var opts assignOptions
	cmd := &cobra.Command{
		Use:   "assign --questionnaire Q --agency A --province P --to PRINCIPAL | --from plan.csv",
		Short: "Supervisor: plan interviews for assessors · Người giám sát: giao phỏng vấn cho người đánh giá",
		Long: `assign creates planned interviews on a supervisor's home: each is a draft of the
questionnaire with its respondent's agency and province filled in, assigned to an assessor
(their principal: a line of this home's allowed_signers file, a device whose batches
were merged here, or the author of an interview this home received), with an optional due date and note. The planned interviews travel
with the next 'fieldsurvey sync' or 'fieldsurvey batch create --out DIR', signed by this
home's key; the assessor's laptop lists them under "To do" and the assessor carries them
out as any draft.

--from plan.csv loads a whole plan: comma-separated UTF-8, a first line naming the columns
(any order): questionnaire, agency, province, assessor, due (YYYY-MM-DD, optional), note
(optional). Every row is checked first: any bad row is reported as FILE:LINE: column:
message and nothing is created.

assign tạo các cuộc phỏng vấn theo kế hoạch trên thư mục của người giám sát: mỗi cuộc là
một bản nháp đã điền cơ quan và tỉnh, giao cho một người đánh giá (danh tính trong tệp
allowed_signers), kèm hạn và ghi chú nếu có. Chúng được gửi đi cùng lần 'fieldsurvey sync'
hoặc 'batch create --out' tiếp theo. --from plan.csv nạp cả kế hoạch: dòng đầu nêu các cột
questionnaire, agency, province, assessor, due, note; có dòng sai thì không tạo gì.`,
		Example: `  fieldsurvey assign --questionnaire dgra-2.0 --agency "Sở Tài chính" --province "Đà Nẵng" --to lan@example.org --due 2026-12-20 --note "gặp chị Hoa"
  fieldsurvey assign --from plan.csv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runAssign(cmd.Context(), g, cmd, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.from, "from", "", "a plan CSV file (columns: questionnaire, agency, province, assessor, due, note) · tệp CSV kế hoạch")
	f.StringVar(&opts.a.Questionnaire, "questionnaire", "", "questionnaire id · mã bảng hỏi")
	f.StringVar(&opts.a.Agency, "agency", "", "the agency to interview · cơ quan được phỏng vấn")
	f.StringVar(&opts.a.Province, "province", "", "province or ministry · tỉnh hoặc bộ")
	f.StringVar(&opts.a.Assignee, "to", "", "the assessor's principal · danh tính người đánh giá")
	f.StringVar(&opts.a.Due, "due", "", "due date, YYYY-MM-DD · hạn hoàn thành")
	f.StringVar(&opts.a.Note, "note", "", "a note for the assessor · ghi chú cho người đánh giá")
	return cmd
}

func runAssign(ctx context.Context, g *globals, cmd *cobra.Command, opts assignOptions) error {
	if g.flags.db != "" {
		return withHint(fail("assign writes this home's own planned interviews: --db names a store to read", "assign ghi vào thư mục làm việc này: --db chỉ dùng để đọc"),
			"leave out --db; planned interviews travel with 'fieldsurvey sync' or 'fieldsurvey batch create --out DIR'",
			"bỏ --db; phỏng vấn theo kế hoạch được gửi đi bằng 'fieldsurvey sync' hoặc 'fieldsurvey batch create --out THƯ-MỤC'")
	}
	if err := g.needHome(); err != nil {
		return err
	}
	if !g.role().Decides() {
		return withHint(fail("only a supervisor assigns interviews: this home is an assessor's", "chỉ người giám sát mới giao phỏng vấn: đây là thư mục của người đánh giá"),
			"assign on a supervisor's home: 'fieldsurvey --home DIR init --role supervisor'",
			"giao việc trên thư mục của người giám sát: 'fieldsurvey --home THƯ-MỤC init --role supervisor'")
	}
	single := false
	for _, name := range []string{"questionnaire", "agency", "province", "to", "due", "note"} {
		single = single || cmd.Flags().Changed(name)
	}
	if opts.from != "" && single {
		return withHint(fail("give either --from plan.csv or one assignment's flags, not both", "chỉ dùng --from plan.csv hoặc các cờ của một phân công, không dùng cả hai"),
			"see 'fieldsurvey assign --help'", "xem 'fieldsurvey assign --help'")
	}
	if opts.from == "" && !single {
		return withHint(fail("nothing to assign", "không có gì để giao"),
			"give --questionnaire, --agency, --province and --to, or --from plan.csv",
			"dùng --questionnaire, --agency, --province và --to, hoặc --from plan.csv")
	}
	_, principal, err := g.deviceSigner()
	if err != nil {
		return err
	}
	c, err := g.catalog()
	if err != nil {
		return err
	}
	h, err := g.openHomeHub()
	if err != nil {
		return err
	}
	defer h.Close()
	known, err := g.knownPrincipals(ctx, h.Devices)
	if err != nil {
		return err
	}
	var lookErr error // from looking a principal up in the store
	checker := assign.Checker{
		Questionnaire: func(id string) (string, error) {
			q, err := c.Latest(id)
			if err != nil {
				return "", err
			}
			return q.Version, nil
		},
		Known: func(p string) bool {
			if ok, seen := known[p]; seen {
				return ok
			}
			ok, err := h.Store().HasAuthor(ctx, p)
			if err != nil && lookErr == nil {
				lookErr = err
			}
			known[p] = ok
			return ok
		},
	}
	var plan []assign.Assignment
	if opts.from != "" {
		f, err := os.Open(opts.from)
		if err != nil {
			return failWrap(err, "read the plan", "đọc kế hoạch")
		}
		rows, err := assign.ReadPlan(opts.from, f, checker)
		f.Close()
		if lookErr != nil {
			return contextErr(ctx, failWrap(lookErr, "check the assessors", "kiểm tra người đánh giá"))
		}
		var pe assign.PlanError
		if errors.As(err, &pe) {
			lines := make([]string, len(pe))
			for i, r := range pe {
				lines[i] = r.Text(g.lang())
			}
			return withHint(fail("%d %s in the plan, nothing created:\n%s", "kế hoạch có %[1]d lỗi, không tạo gì:\n%[3]s",
				len(pe), plural(len(pe), "problem", "problems"), strings.Join(lines, "\n")),
				"fix those rows and run 'fieldsurvey assign --from %s' again", "sửa các dòng đó rồi chạy lại 'fieldsurvey assign --from %s'", opts.from)
		}
		if err != nil {
			return failWrap(err, "read the plan", "đọc kế hoạch")
		}
		for _, r := range rows {
			plan = append(plan, r.Assignment)
		}
	} else {
		a, probs := checker.Check(opts.a)
		if lookErr != nil {
			return contextErr(ctx, failWrap(lookErr, "check the assessors", "kiểm tra người đánh giá"))
		}
		if len(probs) > 0 {
			flag := map[string]string{"assessor": "to"}
			lines := make([]string, len(probs))
			for i, p := range probs {
				name := p.Column
				if f, ok := flag[name]; ok {
					name = f
				}
				lines[i] = "--" + name + ": " + p.Msg.Get(g.lang())
			}
			return withHint(fail("cannot assign the interview, nothing created:\n%s", "không thể giao phỏng vấn, không tạo gì:\n%s", strings.Join(lines, "\n")),
				"an assessor is known by the line of their laptop ('fieldsurvey identity' prints it) in %s",
				"người đánh giá được biết qua dòng của máy họ ('fieldsurvey identity' in ra) trong %s", g.allowedSignersPath())
		}
		plan = []assign.Assignment{a}
	}
	by := store.Author{Device: g.cfg.Device, Principal: principal}
	made, err := assign.Create(ctx, h.Store(), by, plan, func() (string, error) {
		u, err := uuid.NewV7FromReader(g.rand)
		return u.String(), err
	})
	if err != nil {
		return contextErr(ctx, failWrap(err, "create the planned interviews", "tạo phỏng vấn theo kế hoạch"))
	}
	for _, m := range made {
		line := fmt.Sprintf(g.t("%s %s %s, %s: assigned to %s", "%s %s %s, %s: giao cho %s"), m.ID, m.Questionnaire, m.Agency, m.Province, m.Assignee)
		if m.Due != "" {
			line += fmt.Sprintf(g.t(", due %s", ", hạn %s"), m.Due)
		}
		if m.Note != "" {
			line += ": " + m.Note
		}
		fmt.Fprintln(g.stdout, line)
	}
	g.infof("%[1]d planned %[2]s recorded on device %[3]s as %[4]s; %[5]s with the next 'fieldsurvey sync' or 'fieldsurvey batch create --out DIR', signed by this home's key",
		"đã ghi %[1]d phỏng vấn theo kế hoạch trên thiết bị %[3]s với danh tính %[4]s; chúng được gửi đi cùng lần 'fieldsurvey sync' hoặc 'fieldsurvey batch create --out THƯ-MỤC' tiếp theo, ký bằng khoá của thư mục này",
		len(made), plural(len(made), "interview", "interviews"), g.cfg.Device, principal, plural(len(made), "it travels", "they travel"))
	return nil
}

// knownPrincipals returns the principals this home knows: those of its allowed_signers
// file and the signers of the devices whose batches it merged.
func (g *globals) knownPrincipals(ctx context.Context, devices func(context.Context) ([]hub.Device, error)) (map[string]bool, error) {
	known := map[string]bool{}
	as, err := loadSignersFile(g.allowedSignersPath(), false)
	if err != nil {
		return nil, err
	}
	for _, s := range as.Signers {
		for _, p := range s.Principals {
			known[p] = true
		}
	}
	devs, err := devices(ctx)
	if err != nil {
		return nil, failWrap(err, "list the devices of this home", "liệt kê thiết bị của thư mục này")
	}
	for _, d := range devs {
		known[d.Signer] = true
	}
	return known, nil
}
