package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/fieldsurvey/fieldsurvey/survey/assessment"
	"github.com/fieldsurvey/fieldsurvey/survey/report"
	"github.com/fieldsurvey/fieldsurvey/survey/report/xlsx"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
)

func newAssessmentCommand(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "assessment",
		Short: "The team's assessment: ratings, remarks, action plan, key datasets · Bản đánh giá của nhóm",
		Long: `assessment keeps the assessment team's record for one questionnaire and scope (national or
one province): per question the team's rating and remarks, per section the overall rating,
remarks and analysis, the executive summary, conclusions, disclaimer, action plan and key
datasets. It is made of revisions like an interview: it is signed, travels in batches,
merges and keeps its history. 'report --assessment ID' publishes it.

assessment lưu bản đánh giá của nhóm cho một bảng hỏi và một phạm vi (toàn quốc hoặc một
tỉnh). 'report --assessment MÃ' xuất bản báo cáo.`,
		Example: `  fieldsurvey assessment new --questionnaire odra-3.1 --scope national --title "ODRA 2026"
  fieldsurvey assessment import --assessment 0193a5b2 team.jsonl
  fieldsurvey assessment show 0193a5b2
  fieldsurvey report --assessment 0193a5b2 --format html > report.html`,
	}
	return groupCommand(cmd, newAssessmentNewCommand(g), newAssessmentListCommand(g), newAssessmentShowCommand(g),
		newAssessmentExportCommand(g), newAssessmentImportCommand(g))
}

// refuseHubWrite refuses a write with --db: the team's changes go to the home store, with
// this device's id and principal, so that batches and sync carry them.
func refuseHubWrite(g *globals, what string) error {
	if g.flags.db == "" {
		return nil
	}
	return withHint(fail("%s writes to this device's database, not to a hub store (--db)",
		"%s ghi vào cơ sở dữ liệu của máy này, không ghi vào kho tổng hợp (--db)", what),
		"leave out --db: the change travels to the others with 'fieldsurvey sync' or 'fieldsurvey batch create'",
		"bỏ --db: thay đổi được gửi đi bằng 'fieldsurvey sync' hoặc 'fieldsurvey batch create'")
}

func (g *globals) author() (store.Author, error) {
	if g.cfg.Device == "" {
		return store.Author{}, withHint(fail("this device has no id", "máy này chưa có mã thiết bị"), "run 'fieldsurvey init'", "chạy 'fieldsurvey init'")
	}
	return store.Author{Device: g.cfg.Device, Principal: g.cfg.Assessor.Principal}, nil
}

type assessmentNewOptions struct {
	questionnaire, scope, title string
	team                        []string
}

func newAssessmentNewCommand(g *globals) *cobra.Command {
	var opts assessmentNewOptions
	cmd := &cobra.Command{
		Use:   "new",
		Short: "Create the team's assessment for a questionnaire and scope · Tạo bản đánh giá",
		Long: `new creates an assessment of the latest version of a questionnaire for a scope: "national"
(every interview counts) or the name of a province (its interviews count). It prints the new
id. A scope without interviews is allowed, with a warning: the team may rate from documents.

new tạo bản đánh giá cho phiên bản mới nhất của bảng hỏi và một phạm vi: "national" (toàn
quốc) hoặc tên một tỉnh. Lệnh in ra mã mới.`,
		Example: `  fieldsurvey assessment new --questionnaire odra-3.1 --scope national --title "Việt Nam ODRA 2026"
  fieldsurvey assessment new --questionnaire dgra-2018 --scope "Đà Nẵng" --title "Đà Nẵng" --team "Lan" --team "Minh"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runAssessmentNew(cmd.Context(), g, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.questionnaire, "questionnaire", "", "questionnaire id (required) · mã bảng hỏi")
	f.StringVar(&opts.scope, "scope", "", `"national" or a province (required) · phạm vi: "national" hoặc tên tỉnh`)
	f.StringVar(&opts.title, "title", "", "title of the report (required) · tiêu đề")
	f.StringSliceVar(&opts.team, "team", nil, "a member of the assessment team (repeat) · thành viên nhóm đánh giá")
	return cmd
}

func runAssessmentNew(ctx context.Context, g *globals, opts assessmentNewOptions) error {
	if err := refuseHubWrite(g, "assessment new"); err != nil {
		return err
	}
	var missing []string
	for _, f := range []struct{ name, v string }{{"--questionnaire", opts.questionnaire}, {"--scope", opts.scope}, {"--title", opts.title}} {
		if strings.TrimSpace(f.v) == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return withHint(fail("missing %s", "thiếu %s", strings.Join(missing, ", ")),
			"see 'fieldsurvey assessment new --help'", "xem 'fieldsurvey assessment new --help'")
	}
	c, err := g.catalog()
	if err != nil {
		return err
	}
	q, err := c.Latest(opts.questionnaire)
	if err != nil {
		return withHint(failWrap(err, "assessment new", "assessment new"),
			"'fieldsurvey questionnaire list' shows the catalog", "'fieldsurvey questionnaire list' liệt kê danh mục")
	}
	author, err := g.author()
	if err != nil {
		return err
	}
	st, err := g.openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	newID := func() (string, error) {
		u, err := uuid.NewV7FromReader(g.rand)
		return u.String(), err
	}
	cr, err := assessment.New(ctx, st, author, q, assessment.NewOptions{Scope: opts.scope, Title: opts.title, Team: opts.team}, newID)
	if err != nil {
		return contextErr(ctx, err)
	}
	id, scope, inScope := cr.ID, cr.Meta.Scope, cr.InScope
	if inScope == 0 {
		g.warn(fmt.Sprintf(g.t("no interviews of %s in scope %s yet: the team may rate from documents, and interviews count as they arrive",
			"chưa có phỏng vấn nào của %s trong phạm vi %s: nhóm có thể đánh giá dựa trên tài liệu, phỏng vấn được tính khi có"), q.ID, scope))
	}
	g.infof("created assessment %s of %s %s, scope %s (%d interviews in scope)",
		"đã tạo bản đánh giá %s của %s %s, phạm vi %s (%d phỏng vấn trong phạm vi)", id, q.ID, q.Version, scope, inScope)
	_, err = fmt.Fprintln(g.stdout, id)
	return err
}

func newAssessmentListCommand(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List the assessments, most recently changed first · Liệt kê bản đánh giá",
		Example: "  fieldsurvey assessment list\n  fieldsurvey assessment list --json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runAssessmentList(cmd.Context(), g, asJSON)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON · in dạng JSON")
	return cmd
}

func runAssessmentList(ctx context.Context, g *globals, asJSON bool) error {
	st, err := g.openReader(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	infos, err := assessment.List(ctx, st)
	if err != nil {
		return contextErr(ctx, err)
	}
	if asJSON {
		return writeJSON(g.stdout, infos)
	}
	if len(infos) == 0 {
		g.infof("no assessments: create one with 'fieldsurvey assessment new'", "chưa có bản đánh giá nào: tạo bằng 'fieldsurvey assessment new'")
		return nil
	}
	ids := make([]string, len(infos))
	for i, in := range infos {
		ids[i] = in.ID
	}
	short := shortIDs(ids)
	t := newTable(g.stdout, g.t("ID", "MÃ"), g.t("QUESTIONNAIRE", "BẢNG HỎI"), g.t("SCOPE", "PHẠM VI"),
		g.t("TITLE", "TIÊU ĐỀ"), g.t("RATED", "ĐÃ ĐÁNH GIÁ"), g.t("UPDATED", "CẬP NHẬT"))
	for _, in := range infos {
		rated := strconv.Itoa(in.Rated)
		if in.Conflicts > 0 {
			rated += fmt.Sprintf(" (%d %s)", in.Conflicts, g.t("conflicts", "xung đột"))
		}
		t.row(short[in.ID], in.Questionnaire+" "+in.Version, in.Scope, in.Title, rated, in.UpdatedAt.Local().Format("2006-01-02 15:04"))
	}
	return t.flush()
}

type assessmentShowOptions struct {
	json    bool
	include string
	width   int
}

func newAssessmentShowCommand(g *globals) *cobra.Command {
	var opts assessmentShowOptions
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show the team's ratings beside what the interviews say · Xem đánh giá của nhóm bên cạnh các phỏng vấn",
		Long: `show prints an assessment section by section: for each question the team's rating and
remarks and, beside them, the interviews in scope — how many rated it, how many chose each
step, their median (a suggestion only: the team decides) and their evidence and comments
with each interview's agency and province. Approved interviews count; --include submitted
also counts completed and submitted ones. Don't know and not assessed never count.
--json prints the same as 'report --assessment ID --format json'.

show in bản đánh giá theo từng phần: đánh giá và nhận xét của nhóm, bên cạnh số phỏng vấn
đã đánh giá, phân bố, trung vị (chỉ là gợi ý) và bằng chứng của các phỏng vấn.`,
		Example: `  fieldsurvey assessment show 0193a5b2
  fieldsurvey assessment show 0193a5b2 --include submitted`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runAssessmentShow(cmd.Context(), g, args[0], opts)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&opts.json, "json", false, "print JSON · in dạng JSON")
	f.StringVar(&opts.include, "include", "approved", "which interviews count: approved, or submitted (also completed and submitted) · phỏng vấn được tính")
	f.IntVar(&opts.width, "width", 0, "width of text output (default: the terminal's, else 100) · độ rộng")
	return cmd
}

// buildAssessmentReport reads assessment ref and the interviews of its questionnaire and
// builds its report (assessment.Report), warning of its conflicts.
func buildAssessmentReport(ctx context.Context, g *globals, ref, include string) (*report.AssessmentReport, error) {
	inc, err := report.ParseInclude(include)
	if err != nil {
		return nil, withHint(failWrap(err, "--include", "--include"), "use --include approved or --include submitted",
			"dùng --include approved hoặc --include submitted")
	}
	c, err := g.catalog()
	if err != nil {
		return nil, err
	}
	st, err := g.openReader(ctx)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	r, err := assessment.Report(ctx, st, c, ref, report.AssessmentOptions{Lang: g.lang(), Include: inc})
	if r.Conflicts > 0 {
		g.warn(fmt.Sprintf(g.t("assessment %s has %d parts with two competing versions: each is marked; the newest is shown",
			"bản đánh giá %s có %d phần có hai phiên bản xung đột: mỗi phần được đánh dấu; bản mới nhất được hiển thị"), r.ID, r.Conflicts))
	}
	if err != nil {
		return nil, contextErr(ctx, err)
	}
	return r.Report, nil
}

func runAssessmentShow(ctx context.Context, g *globals, ref string, opts assessmentShowOptions) error {
	if opts.width != 0 && opts.width < report.MinTextWidth {
		return fail("--width %d is too narrow: use at least %d", "--width %d quá hẹp: cần ít nhất %d", opts.width, report.MinTextWidth)
	}
	r, err := buildAssessmentReport(ctx, g, ref, opts.include)
	if err != nil {
		return err
	}
	if opts.json {
		return report.WriteAssessmentJSON(g.stdout, r)
	}
	return report.WriteAssessmentText(g.stdout, r, g.styler(), g.textWidth(opts.width))
}

func newAssessmentExportCommand(g *globals) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "export [ID...]",
		Short: "Write assessments as JSON Lines · Xuất bản đánh giá dạng JSON Lines",
		Long: `export writes the assessments (all, or those named) as JSON Lines, one part a line: a header
line per assessment (format fieldsurvey-assessment/1: questionnaire, version, scope, title,
team), then its texts, per section its section line (rating, remarks, analysis) and its
questions' lines (rating, remarks), its actions and its key-dataset rows. Every line names
its assessment and its type. Edit the file and bring it back with 'assessment import': a
line sets the whole part it names. The same assessments always give the same bytes.

export ghi các bản đánh giá dạng JSON Lines, mỗi dòng một phần. Sửa tệp rồi nhập lại bằng
'assessment import'.`,
		Example: `  fieldsurvey assessment export > assessments.jsonl
  fieldsurvey assessment export 0193a5b2 --out national.jsonl`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runAssessmentExport(cmd.Context(), g, args, out)
		},
	}
	cmd.Flags().StringVarP(&out, "out", "o", "", "write to this file (atomically) instead of stdout · ghi ra tệp này")
	return cmd
}

func runAssessmentExport(ctx context.Context, g *globals, refs []string, out string) error {
	c, err := g.catalog()
	if err != nil {
		return err
	}
	st, err := g.openReader(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	ex, err := assessment.Export(ctx, st, c, refs)
	if err != nil {
		return contextErr(ctx, err)
	}
	for _, id := range ex.IDs {
		if n := ex.Conflicts[id]; n > 0 {
			g.warn(fmt.Sprintf(g.t("assessment %s has %d conflicts: the export holds the newest side of each",
				"bản đánh giá %s có %d xung đột: tệp xuất chứa bản mới nhất của mỗi xung đột"), id, n))
		}
	}
	if out == "" {
		_, err = g.stdout.Write(ex.Data)
		return err
	}
	if err := writeFileAtomic(out, ex.Data, 0o644); err != nil {
		return failWrap(err, "write %s", "ghi %s", out)
	}
	g.infof("exported %d assessments to %s", "đã xuất %d bản đánh giá ra %s", len(ex.IDs), out)
	return nil
}

func newAssessmentImportCommand(g *globals) *cobra.Command {
	var into string
	cmd := &cobra.Command{
		Use:   "import FILE|-",
		Short: "Read an assessment's parts from JSON Lines, all or nothing · Nhập các phần của bản đánh giá",
		Long: `import reads the lines of one assessment (the format of export; - reads stdin): team
ratings and remarks, section ratings, remarks and analyses, texts, actions and key-dataset
rows. The assessment is the one --assessment names, else the one of the file's header line,
else the first one a line names; a line that names another is refused, a line that names
none is for it. An assessment not stored here is
created from the header line. Every line is checked against the questionnaire (a rating the
scale lacks, a question or section that does not exist, an action that depends on an
unknown action, unknown fields). When any line is bad nothing is imported and every problem
is printed as FILE:LINE: field: message. A line sets the whole part it names.

import đọc các dòng của một bản đánh giá. Nếu có dòng lỗi thì không nhập gì và in mọi lỗi
dạng TỆP:DÒNG: trường: thông báo.`,
		Example: `  fieldsurvey assessment import ratings.jsonl
  fieldsurvey assessment import --assessment 0193a5b2 remarks.jsonl`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runAssessmentImport(cmd.Context(), g, args[0], into)
		},
	}
	cmd.Flags().StringVar(&into, "assessment", "", "the assessment the file is for (id or its beginning) · mã bản đánh giá")
	return cmd
}

func runAssessmentImport(ctx context.Context, g *globals, file, into string) error {
	if err := refuseHubWrite(g, "assessment import"); err != nil {
		return err
	}
	var in io.Reader = g.stdin
	name := "stdin"
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return failWrap(err, "read assessment lines", "đọc các dòng bản đánh giá")
		}
		defer f.Close()
		in, name = f, file
	}
	lines, err := assessment.ReadFile(in, name)
	if err != nil {
		return err
	}
	c, err := g.catalog()
	if err != nil {
		return err
	}
	author, err := g.author()
	if err != nil {
		return err
	}
	st, err := g.openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	res, err := assessment.ImportFile(ctx, st, c, author, lines, into)
	var pe *assessment.ProblemsError
	if errors.As(err, &pe) {
		for _, p := range pe.Problems {
			fmt.Fprintln(g.stderr, p.Format(name))
		}
	}
	if err != nil {
		return contextErr(ctx, err)
	}
	verb := g.t("updated", "đã cập nhật")
	if res.Created {
		verb = g.t("created", "đã tạo")
	}
	g.infof("%s assessment %s from %s: %d lines, %d changes",
		"%s bản đánh giá %s từ %s: %d dòng, %d thay đổi", verb, res.ID, name, res.Lines, res.Written)
	return nil
}

// runAssessmentReport is `report --assessment ID`: the published report of the team's
// assessment in html, markdown, json, csv, xlsx or text.
func runAssessmentReport(ctx context.Context, g *globals, opts reportOptions) error {
	if opts.assessment == "" {
		return withHint(fail("--include chooses the interviews an assessment counts: it needs --assessment",
			"--include chọn các phỏng vấn được tính cho bản đánh giá: cần có --assessment"),
			"give --assessment ID, or leave out --include", "thêm --assessment MÃ, hoặc bỏ --include")
	}
	format := strings.ToLower(opts.format)
	if format == "md" {
		format = "markdown"
	}
	write := map[string]func(io.Writer, *report.AssessmentReport) error{
		"html": report.WriteAssessmentHTML, "markdown": report.WriteAssessmentMarkdown,
		"json": report.WriteAssessmentJSON, "csv": report.WriteAssessmentCSV, "xlsx": xlsx.WriteAssessment,
	}[format]
	if format == "text" {
		write = func(w io.Writer, r *report.AssessmentReport) error {
			return report.WriteAssessmentText(w, r, g.styler(), g.textWidth(opts.width))
		}
	}
	if write == nil {
		return withHint(fail("--assessment writes html, markdown, json, csv, xlsx or text, not %q",
			"--assessment xuất html, markdown, json, csv, xlsx hoặc text, không phải %q", opts.format),
			"for example: fieldsurvey report --assessment ID --format html > report.html",
			"ví dụ: fieldsurvey report --assessment MÃ --format html > baocao.html")
	}
	if len(opts.interviews) > 0 || len(opts.sections) > 0 || opts.questionnaire != "" {
		return withHint(fail("--assessment reports the whole assessment: --interview, --section and --questionnaire do not apply",
			"--assessment in toàn bộ bản đánh giá: không dùng được --interview, --section và --questionnaire"),
			"leave them out; --include submitted widens the interviews counted",
			"bỏ các cờ đó; --include submitted mở rộng các phỏng vấn được tính")
	}
	r, err := buildAssessmentReport(ctx, g, opts.assessment, opts.include)
	if err != nil {
		return err
	}
	return write(g.stdout, r)
}
