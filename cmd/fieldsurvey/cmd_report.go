package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/term"
	"github.com/muesli/termenv"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/fieldsurvey/fieldsurvey/questionnaires"
	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/find"
	"github.com/fieldsurvey/fieldsurvey/survey/report"
	"github.com/fieldsurvey/fieldsurvey/survey/report/xlsx"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
)

type reportOptions struct {
	interviews    []string
	sections      []string
	format        string
	questionnaire string
	width         int
	excel         bool
	filter        filterFlags
	assessment    string // --assessment: the published report of the team's assessment (cmd_assessment.go)
	include       string // --include, with --assessment
	overview      bool
	distribution  bool
}

// reportFormats are the values of --format; the machine formats hold one report each.
var reportFormats = map[string]bool{"text": false, "markdown": false, "csv": true, "json": true, "html": true, "xlsx": true}

func newReportCommand(g *globals) *cobra.Command {
	var opts reportOptions
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Print the readiness tables · In các bảng đánh giá mức độ sẵn sàng",
		Long: `report prints, for each interview and each section, the table of a published assessment:
question, rating and comment, and a last row with the section's overall rating (the
assessor's, or the suggested one, marked as such) and overall comment. Ratings show their
symbol and label, and in a terminal their colour. Every format names each interview's
status and assessor.

Without --questionnaire there is one report per questionnaire that has interviews, in order
(csv, json, html and xlsx hold one questionnaire: choose it with --questionnaire).

Filters (repeat them or separate values with commas; a value matches whole, with or
without accents and in any case: "da nang" selects "Đà Nẵng"):
  --status draft|completed|submitted|approved|returned|reopened
  --province, --agency, --assessor   names as recorded
  --category                         a stakeholder category code or label

--format csv is a long table, one row per interview × question, then one row for each
section's overall rating (kind "overall"); its columns, in order:
  interview, questionnaire, version, status, assessor, agency, province, role, category
  (code), date, section, section_title, kind (question|overall), question, question_text,
  importance, rating (code: red … green, not-assessed, dont-know), label, value (answers
  that are not ratings), comment, evidence_plus, evidence_minus, evidence_neutral,
  evidence_out_of_scope (counts of evidence items), suggested, answered, skipped,
  conflict (true|false), updated (the interview's latest change, UTC).
A cell that a spreadsheet would run as a formula (starting with = + - @) starts with '.
--excel starts the file with a UTF-8 byte-order mark, which Excel needs to show Vietnamese
correctly; it is not the default because other programs (scripts, databases, Unix tools)
read the mark as part of the first column's name.
--format xlsx writes an Excel workbook: the same long table, then one sheet per section
(a column per question, a row per interview). Redirect it to a file.
csv, json and xlsx read and write one interview at a time: memory does not grow with the
number of interviews.

Views across interviews (the same filters apply):
  --overview       a province × section grid of the overall section ratings the assessors
                   confirmed, with the number of interviews in each cell and per status
                   (text, markdown, html, json)
  --distribution   per rating question, how many interviews chose each step of the scale,
                   a bar, and the rating they suggest: their median, a suggestion only
                   (text, markdown, html, json, csv)

report in bảng đánh giá của từng phần cho từng cuộc phỏng vấn: câu hỏi, mức đánh giá, nhận
xét và dòng "Đánh giá chung". Mức đánh giá có ký hiệu và nhãn, và có màu khi in ra terminal.
Mọi định dạng đều ghi trạng thái và người đánh giá của từng cuộc phỏng vấn. Bộ lọc --status,
--province, --agency, --category, --assessor (lặp lại hoặc ngăn cách bằng dấu phẩy; có dấu
hay không dấu đều được). --format csv là bảng dài, mỗi dòng một câu hỏi của một cuộc phỏng
vấn (các cột như trên); ô bắt đầu bằng = + - @ được thêm dấu ' để bảng tính không chạy công
thức. --excel thêm BOM UTF-8 để Excel hiển thị đúng tiếng Việt (không mặc định vì các chương
trình khác đọc BOM như một phần tên cột đầu). --format xlsx ghi sổ tính Excel: bảng dài và
mỗi phần một trang. --overview: bảng tỉnh × phần với các đánh giá chung đã xác nhận;
--distribution: phân bố mức đánh giá của từng câu hỏi và mức gợi ý (trung vị, chỉ là gợi ý).`,
		Example: `  fieldsurvey report
  fieldsurvey report --questionnaire odra-3.1 --section 1 --section 2
  fieldsurvey report --status approved --province "Đà Nẵng,Hà Nội"
  fieldsurvey --lang en report --format markdown > report.md
  fieldsurvey report --format csv --questionnaire dgra-2018 > ratings.csv
  fieldsurvey report --format csv --excel --questionnaire dgra-2018 > ratings-excel.csv
  fieldsurvey report --format xlsx --questionnaire odra-3.1 --status approved > odra.xlsx
  fieldsurvey report --overview --status approved,submitted
  fieldsurvey report --distribution --questionnaire dgra-2018 --province "Đà Nẵng"
  fieldsurvey --db hub.db report --format html --questionnaire odra-3.1 > report.html`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runReport(cmd.Context(), g, opts)
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&opts.interviews, "interview", nil, "only these interviews (ids or their beginnings; repeat or separate with commas) · chỉ các cuộc phỏng vấn này")
	f.StringSliceVar(&opts.sections, "section", nil, "only these sections (ids; repeat or separate with commas) · chỉ các phần này")
	f.StringVar(&opts.format, "format", "text", "text, markdown, csv, json, html or xlsx · định dạng")
	f.StringVar(&opts.questionnaire, "questionnaire", "", "only interviews of this questionnaire id · chỉ bảng hỏi này")
	f.IntVar(&opts.width, "width", 0, "width of text output (default: the terminal's, else 100) · độ rộng")
	f.BoolVar(&opts.excel, "excel", false, "csv: start with a UTF-8 byte-order mark for Excel · thêm BOM cho Excel")
	f.BoolVar(&opts.overview, "overview", false, "province × section grid of the confirmed overall ratings · bảng tổng quan tỉnh × phần")
	f.BoolVar(&opts.distribution, "distribution", false, "per question, the ratings over the scale and the median suggestion · phân bố mức đánh giá")
	opts.filter.register(f)
	f.StringVar(&opts.assessment, "assessment", "", "the published report of this assessment (html, markdown, json, csv, xlsx) · báo cáo của bản đánh giá này")
	f.StringVar(&opts.include, "include", "approved", "with --assessment: which interviews count, approved or submitted · phỏng vấn được tính")
	return cmd
}

// filterFlags are the filters report and interview list share.
type filterFlags struct {
	statuses, provinces, agencies, categories, assessors []string
}

func (ff *filterFlags) register(f *pflag.FlagSet) {
	f.StringSliceVar(&ff.statuses, "status", nil, "only these statuses: draft, completed, submitted, approved, returned, reopened · chỉ các trạng thái này")
	f.StringSliceVar(&ff.provinces, "province", nil, "only these provinces or ministries (accents optional) · chỉ các tỉnh hoặc bộ này")
	f.StringSliceVar(&ff.agencies, "agency", nil, "only these agencies (accents optional) · chỉ các cơ quan này")
	f.StringSliceVar(&ff.categories, "category", nil, "only these stakeholder categories (code or label) · chỉ các nhóm đối tượng này")
	f.StringSliceVar(&ff.assessors, "assessor", nil, "only interviews by these assessors · chỉ các người đánh giá này")
}

// isSet reports whether any filter was given.
func (ff *filterFlags) isSet() bool {
	return len(ff.statuses)+len(ff.provinces)+len(ff.agencies)+len(ff.categories)+len(ff.assessors) > 0
}

// build checks the filters and returns them as a survey.Filter: statuses must be known,
// and a category must be the code or label (any language, accents optional) of a category
// some questionnaire of catalog c offers.
func (ff *filterFlags) build(c *questionnaires.Catalog) (survey.Filter, error) {
	var f survey.Filter
	for _, s := range ff.statuses {
		st, err := parseStatus(s)
		if err != nil {
			return f, err
		}
		if st != "" {
			f.Statuses = append(f.Statuses, st)
		}
	}
	trimmed := func(in []string) []string {
		var out []string
		for _, s := range in {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	f.Provinces, f.Agencies, f.Assessors = trimmed(ff.provinces), trimmed(ff.agencies), trimmed(ff.assessors)
	if len(ff.categories) == 0 {
		return f, nil
	}
	known := map[string]string{} // folded code or label → code
	var codes []string
	add := func(opts []survey.Option) {
		for _, o := range opts {
			if _, ok := known[survey.FoldText(o.Code)]; !ok {
				codes = append(codes, o.Code)
			}
			known[survey.FoldText(o.Code)] = o.Code
			for _, l := range o.Label {
				known[survey.FoldText(strings.Join(strings.Fields(l), " "))] = o.Code
			}
		}
	}
	add(survey.DefaultCategories)
	if c != nil {
		for _, q := range c.List() {
			add(q.Categories())
		}
	}
	for _, in := range trimmed(ff.categories) {
		code, ok := known[survey.FoldText(strings.Join(strings.Fields(in), " "))]
		if !ok {
			return f, fail("unknown category %q (expected one of %s)", "nhóm đối tượng %q không hợp lệ (cần là một trong %s)",
				in, strings.Join(codes, ", "))
		}
		f.Categories = append(f.Categories, code)
	}
	return f, nil
}

// reportGroup is the interviews of one questionnaire version, in report order.
type reportGroup struct {
	id, version string
	ids         []string
	keys        []report.Key
}

func runReport(ctx context.Context, g *globals, opts reportOptions) error {
	if opts.assessment != "" || opts.include != "approved" {
		return runAssessmentReport(ctx, g, opts)
	}
	format := strings.ToLower(opts.format)
	if format == "md" {
		format = "markdown"
	}
	machine, ok := reportFormats[format]
	if !ok {
		return fail("unknown format %q (expected text, markdown, csv, json, html or xlsx)",
			"định dạng %q không hợp lệ (cần là text, markdown, csv, json, html hoặc xlsx)", opts.format)
	}
	switch {
	case opts.overview && opts.distribution:
		return fail("--overview and --distribution are two reports: ask for one at a time",
			"--overview và --distribution là hai báo cáo: mỗi lần chọn một")
	case opts.overview && (format == "csv" || format == "xlsx"):
		return fail("--overview is written as text, markdown, html or json, not %s", "--overview chỉ in dạng text, markdown, html hoặc json, không phải %s", format)
	case opts.distribution && format == "xlsx":
		return fail("--distribution is written as text, markdown, html, json or csv, not xlsx", "--distribution chỉ in dạng text, markdown, html, json hoặc csv, không phải xlsx")
	}
	if opts.width != 0 && opts.width < report.MinTextWidth {
		return fail("--width %d is too narrow: use at least %d", "--width %d quá hẹp: cần ít nhất %d", opts.width, report.MinTextWidth)
	}
	if opts.excel && format != "csv" {
		return withHint(fail("--excel is for --format csv", "--excel chỉ dùng với --format csv"),
			"--format xlsx writes an Excel workbook", "--format xlsx ghi sổ tính Excel")
	}
	if _, tty := g.stdoutTerminal(); tty && format == "xlsx" {
		return withHint(fail("an xlsx workbook is not for the terminal", "sổ tính xlsx không in ra terminal được"),
			"redirect it to a file: fieldsurvey report --format xlsx > report.xlsx",
			"ghi ra tệp: fieldsurvey report --format xlsx > baocao.xlsx")
	}
	c, err := g.catalog()
	if err != nil {
		return err
	}
	filter, err := opts.filter.build(c)
	if err != nil {
		return err
	}
	st, err := g.openReader(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	// The overview needs only summaries: it is counted while they are listed.
	overviews := map[[2]string]*report.OverviewBuilder{}
	var overviewErr error
	var onSummary func(survey.Summary)
	if opts.overview {
		onSummary = func(sm survey.Summary) {
			key := [2]string{sm.Questionnaire, sm.Version}
			ob, seen := overviews[key]
			if !seen {
				if q, err := c.Get(sm.Questionnaire, sm.Version); err == nil { // a missing one is reported below
					ob, err = report.NewOverviewBuilder(q, report.Options{Lang: g.lang(), Sections: opts.sections})
					if err != nil && overviewErr == nil {
						overviewErr = err
					}
				}
				overviews[key] = ob
			}
			if ob != nil {
				ob.Add(sm)
			}
		}
	}
	groups, err := reportGroups(ctx, g, st, opts, filter, onSummary)
	if err != nil {
		return contextErr(ctx, err)
	}
	if len(groups) == 0 {
		if opts.questionnaire == "" {
			if opts.filter.isSet() {
				return withHint(fail("no interviews match the filters", "không có phỏng vấn nào khớp với bộ lọc"),
					"'fieldsurvey interview list' shows the interviews with their status, province and assessor",
					"'fieldsurvey interview list' liệt kê phỏng vấn kèm trạng thái, tỉnh và người đánh giá")
			}
			return withHint(fail("no interviews to report", "không có phỏng vấn nào để báo cáo"),
				"import interviews with 'fieldsurvey interview import', or give --questionnaire for an empty report",
				"nhập phỏng vấn bằng 'fieldsurvey interview import', hoặc dùng --questionnaire để in báo cáo trống")
		}
		q, err := c.Latest(opts.questionnaire)
		if err != nil {
			return withHint(err, "'fieldsurvey questionnaire list' shows the catalog", "'fieldsurvey questionnaire list' liệt kê danh mục")
		}
		groups = []*reportGroup{{id: q.ID, version: q.Version}}
	}
	if len(opts.sections) > 0 && len(groups) > 1 {
		groups = groupsWithSections(c, groups, opts.sections)
	}
	if machine && len(groups) > 1 {
		names := make([]string, len(groups))
		for i, gr := range groups {
			names[i] = gr.id + " " + gr.version
		}
		return withHint(fail("the interviews use %d questionnaires (%s) and a %s report holds one",
			"các cuộc phỏng vấn dùng %d bảng hỏi (%s) mà báo cáo %s chỉ chứa một", len(groups), strings.Join(names, ", "), format),
			"choose one with --questionnaire", "chọn một bảng hỏi bằng --questionnaire")
	}
	for i, gr := range groups {
		q, err := c.Get(gr.id, gr.version)
		if err != nil {
			return withHint(failWrap(err, "report the interviews of %s %s", "báo cáo phỏng vấn của %s %s", gr.id, gr.version),
				"add the questionnaire with 'fieldsurvey questionnaire add FILE'", "thêm bảng hỏi bằng 'fieldsurvey questionnaire add TỆP'")
		}
		o := report.Options{Lang: g.lang(), Interviews: gr.ids, Sections: opts.sections}
		b, err := report.NewBuilder(q, o)
		if err != nil {
			return err
		}
		each := func(fn func(*survey.InterviewState) error) error { return st.EachInterview(ctx, gr.ids, fn) }
		if i > 0 {
			fmt.Fprintln(g.stdout)
		}
		switch {
		case opts.overview:
			if overviewErr != nil {
				return overviewErr
			}
			ob := overviews[[2]string{gr.id, gr.version}]
			if ob == nil { // no interviews: an empty grid
				if ob, err = report.NewOverviewBuilder(q, o); err != nil {
					return err
				}
			}
			if err := writeOverview(g, ob.Overview(), format, opts.width); err != nil {
				return err
			}
			continue
		case opts.distribution:
			db, err := report.NewDistributionBuilder(q, o)
			if err != nil {
				return err
			}
			if err := each(db.Add); err != nil {
				return contextErr(ctx, failWrap(err, "read interviews", "đọc phỏng vấn"))
			}
			if err := writeDistribution(g, db.Distributions(), format, opts); err != nil {
				return err
			}
			continue
		}
		var sw report.StreamWriter
		switch format {
		case "csv":
			sw = report.NewCSVWriter(g.stdout, report.CSVOptions{BOM: opts.excel})
			lessGC()
		case "json":
			sw = report.NewJSONWriter(g.stdout)
			lessGC()
		case "xlsx":
			sw = xlsx.New(g.stdout)
		}
		if sw != nil {
			if err := report.Stream(b, each, sw); err != nil {
				return contextErr(ctx, err)
			}
			continue
		}
		var states []*survey.InterviewState
		if err := each(func(s *survey.InterviewState) error {
			states = append(states, s)
			return nil
		}); err != nil {
			return contextErr(ctx, failWrap(err, "read interviews", "đọc phỏng vấn"))
		}
		r, err := report.Build(q, states, o)
		if err != nil {
			return err
		}
		if err := writeReport(g, r, format, opts.width); err != nil {
			return err
		}
	}
	return nil
}

// lessGC lets the heap grow to five times what is live before collecting, unless GOGC
// says otherwise: a CSV or JSON export keeps little alive (a few interviews) but makes much
// garbage, and with the default a quarter of its time went to collecting (measured with
// exportbench: 2.6 → 1.95 s of CPU for 200,000 answers).
//
// It collects once first: what listing and ordering the interviews left behind is then
// gone, and the next collection comes at five times what the export keeps (a few
// interviews, the ids), not five times what the listing kept (peak RSS of a 100,000
// interview export: 229 MB without this collection).
func lessGC() {
	if os.Getenv("GOGC") == "" {
		runtime.GC()
		debug.SetGCPercent(400)
	}
}

// reportGroups finds the interviews to report, those asked for by id or else every one
// that matches the questionnaire and the filters, and groups them by questionnaire version,
// sorted by questionnaire id and version, each group in report order. It reads summaries
// only, one at a time: an export of any size starts without reading any interview.
func reportGroups(ctx context.Context, g *globals, st store.ReadStore, opts reportOptions, filter survey.Filter,
	onSummary func(survey.Summary)) ([]*reportGroup, error) {
	byKey := map[[2]string]*reportGroup{}
	var groups []*reportGroup
	incomplete := 0
	add := func(sm survey.Summary) {
		if sm.Questionnaire == "" {
			incomplete++
			return
		}
		key := [2]string{sm.Questionnaire, sm.Version}
		gr := byKey[key]
		if gr == nil {
			gr = &reportGroup{id: sm.Questionnaire, version: sm.Version}
			byKey[key] = gr
			groups = append(groups, gr)
		}
		gr.keys = append(gr.keys, report.KeyOf(sm))
		gr.ids = append(gr.ids, sm.ID)
		if onSummary != nil {
			onSummary(sm)
		}
	}
	if len(opts.interviews) > 0 {
		ids, err := find.Interviews(ctx, st, opts.interviews, "")
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			state, err := st.Interview(ctx, id)
			if err != nil {
				return nil, failWrap(err, "read interview %s", "đọc phỏng vấn %s", id)
			}
			if m := state.Meta; state.HasMeta() && opts.questionnaire != "" && m.Questionnaire != opts.questionnaire {
				return nil, fail("interview %s uses questionnaire %s, not %s", "phỏng vấn %s dùng bảng hỏi %s, không phải %s",
					id, m.Questionnaire, opts.questionnaire)
			}
			if sm := state.Summary(); filter.Match(sm) {
				add(sm)
			}
		}
	} else {
		err := st.EachSummary(ctx, store.ListOptions{Questionnaire: opts.questionnaire, Filter: filter}, func(sm survey.Summary) error {
			add(sm)
			return nil
		})
		if err != nil {
			return nil, failWrap(err, "list interviews", "liệt kê phỏng vấn")
		}
		for _, gr := range groups {
			gr.ids = report.Order(gr.keys)
		}
	}
	for _, gr := range groups {
		gr.keys = nil
	}
	if incomplete > 0 {
		g.warn(fmt.Sprintf(g.t("%d interviews are left out: the change that creates them has not arrived yet",
			"%d cuộc phỏng vấn bị bỏ qua: thay đổi tạo ra chúng chưa được nhận"), incomplete))
	}
	sort.SliceStable(groups, func(i, j int) bool {
		if groups[i].id != groups[j].id {
			return groups[i].id < groups[j].id
		}
		return questionnaires.CompareVersions(groups[i].version, groups[j].version) < 0
	})
	return groups, nil
}

// groupsWithSections keeps the groups whose questionnaire has every section asked for; when
// none has, it keeps them all, so that the report names the missing section.
func groupsWithSections(c *questionnaires.Catalog, groups []*reportGroup, sections []string) []*reportGroup {
	var out []*reportGroup
	for _, gr := range groups {
		q, err := c.Get(gr.id, gr.version)
		if err != nil {
			out = append(out, gr) // reported as missing below
			continue
		}
		all := true
		for _, s := range sections {
			if _, ok := q.Section(s); !ok {
				all = false
			}
		}
		if all {
			out = append(out, gr)
		}
	}
	if len(out) == 0 {
		return groups
	}
	return out
}

func writeOverview(g *globals, o *report.Overview, format string, width int) error {
	switch format {
	case "markdown":
		return report.WriteOverviewMarkdown(g.stdout, o)
	case "json":
		return report.WriteOverviewJSON(g.stdout, o)
	case "html":
		return report.WriteOverviewHTML(g.stdout, o)
	}
	return report.WriteOverviewText(g.stdout, o, g.styler(), g.textWidth(width))
}

func writeDistribution(g *globals, d *report.Distributions, format string, opts reportOptions) error {
	switch format {
	case "markdown":
		return report.WriteDistributionMarkdown(g.stdout, d)
	case "json":
		return report.WriteDistributionJSON(g.stdout, d)
	case "html":
		return report.WriteDistributionHTML(g.stdout, d)
	case "csv":
		return report.WriteDistributionCSV(g.stdout, d, report.CSVOptions{BOM: opts.excel})
	}
	return report.WriteDistributionText(g.stdout, d, g.styler(), g.textWidth(opts.width))
}

func writeReport(g *globals, r *report.Report, format string, width int) error {
	switch format {
	case "markdown":
		return report.WriteMarkdown(g.stdout, r)
	case "csv":
		return report.WriteCSV(g.stdout, r, report.CSVOptions{})
	case "json":
		return report.WriteJSON(g.stdout, r)
	case "html":
		return report.WriteHTML(g.stdout, r)
	}
	return report.WriteText(g.stdout, r, g.styler(), g.textWidth(width))
}

// ratingColors are the fixed colours (ANSI 256) of the five readiness steps. The label
// beside the colour carries the meaning; the colour only helps the eye.
var ratingColors = map[survey.Code]lipgloss.Color{
	survey.Red:        "196",
	survey.AmberRed:   "208",
	survey.Amber:      "220",
	survey.AmberGreen: "148",
	survey.Green:      "34",
	// ODRA 3.1's middle step and its grey U.
	survey.Yellow:                  "220",
	survey.InsufficientInformation: "245",
}

// stdoutTerminal returns stdout's file descriptor when it is a terminal.
func (g *globals) stdoutTerminal() (uintptr, bool) {
	f, ok := g.stdout.(*os.File)
	if !ok || !term.IsTerminal(f.Fd()) {
		return 0, false
	}
	return f.Fd(), true
}

// colorEnabled says whether ratings are coloured: never with color: never or NO_COLOR set;
// with color: always, always otherwise; with auto, when stdout is a terminal that is not
// TERM=dumb.
func (g *globals) colorEnabled() bool {
	if g.cfg.Color == "never" || os.Getenv("NO_COLOR") != "" {
		return false
	}
	if g.cfg.Color == "always" {
		return true
	}
	_, tty := g.stdoutTerminal()
	return tty && os.Getenv("TERM") != "dumb"
}

// styler returns the report Styler of stdout: nil (plain text) when colour is off.
func (g *globals) styler() report.Styler {
	if !g.colorEnabled() {
		return nil
	}
	return newStyler(newRenderer(g.stdout))
}

// newRenderer returns a lipgloss renderer for w that never queries the terminal: its colour
// profile and background are set, not detected, so a command starts at once even on a
// terminal that never answers queries. Use only plain lipgloss.Color with it (an
// AdaptiveColor would ask the renderer for the background, which is set here too).
func newRenderer(w io.Writer) *lipgloss.Renderer {
	r := lipgloss.NewRenderer(w, termenv.WithProfile(termenv.ANSI256))
	r.SetColorProfile(termenv.ANSI256)
	r.SetHasDarkBackground(true)
	return r
}

// newStyler colours the five readiness steps with r; other ratings stay plain.
func newStyler(r *lipgloss.Renderer) report.Styler {
	styles := map[survey.Code]lipgloss.Style{}
	for code, c := range ratingColors {
		styles[code] = r.NewStyle().Foreground(c).Bold(true)
	}
	return func(code survey.Code, label string) string {
		if s, ok := styles[code]; ok {
			return s.Render(label)
		}
		return label
	}
}

// textWidth is the width of text output: flag when given, else the terminal's, else 100.
func (g *globals) textWidth(flag int) int {
	if flag > 0 {
		return flag
	}
	if fd, ok := g.stdoutTerminal(); ok {
		if w, _, err := term.GetSize(fd); err == nil && w >= report.MinTextWidth {
			return w
		}
	}
	return defaultReportWidth
}
