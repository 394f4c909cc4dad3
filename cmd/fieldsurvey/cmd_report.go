package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/term"
	"github.com/muesli/termenv"
	"github.com/spf13/cobra"

	"github.com/fieldsurvey/fieldsurvey/questionnaires"
	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/report"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
)

type reportOptions struct {
	interviews    []string
	sections      []string
	format        string
	questionnaire string
	width         int
	assessment    string // --assessment: the published report of the team's assessment (cmd_assessment.go)
	include       string // --include, with --assessment
}

// reportFormats are the values of --format; the machine formats hold one report each.
var reportFormats = map[string]bool{"text": false, "markdown": false, "csv": true, "json": true, "html": true}

func newReportCommand(g *globals) *cobra.Command {
	var opts reportOptions
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Print the readiness tables · In các bảng đánh giá mức độ sẵn sàng",
		Long: `report prints, for each interview and each section, the table of a published assessment:
question, rating and comment, and a last row with the section's overall rating (the
assessor's, or the suggested one, marked as such) and overall comment. Ratings show their
symbol and label, and in a terminal their colour.

Without --questionnaire there is one report per questionnaire that has interviews, in order
(csv, json and html hold one questionnaire: choose it with --questionnaire).

report in bảng đánh giá của từng phần cho từng cuộc phỏng vấn: câu hỏi, mức đánh giá, nhận
xét và dòng "Đánh giá chung". Mức đánh giá có ký hiệu và nhãn, và có màu khi in ra terminal.`,
		Example: `  fieldsurvey report
  fieldsurvey report --questionnaire odra-3.1 --section 1 --section 2
  fieldsurvey --lang en report --format markdown > report.md
  fieldsurvey report --format csv --questionnaire dgra-2018 > ratings.csv
  fieldsurvey --db hub.db report --format html --questionnaire odra-3.1 > report.html`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runReport(cmd.Context(), g, opts)
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&opts.interviews, "interview", nil, "only these interviews (ids or their beginnings; repeat or separate with commas) · chỉ các cuộc phỏng vấn này")
	f.StringSliceVar(&opts.sections, "section", nil, "only these sections (ids; repeat or separate with commas) · chỉ các phần này")
	f.StringVar(&opts.format, "format", "text", "text, markdown, csv, json or html · định dạng")
	f.StringVar(&opts.questionnaire, "questionnaire", "", "only interviews of this questionnaire id · chỉ bảng hỏi này")
	f.IntVar(&opts.width, "width", 0, "width of text output (default: the terminal's, else 100) · độ rộng")
	f.StringVar(&opts.assessment, "assessment", "", "the published report of this assessment (html, markdown, json, csv) · báo cáo của bản đánh giá này")
	f.StringVar(&opts.include, "include", "approved", "with --assessment: which interviews count, approved or submitted · phỏng vấn được tính")
	return cmd
}

// reportGroup is the interviews of one questionnaire version.
type reportGroup struct {
	id, version string
	states      []*survey.InterviewState
	asked       []string // interview ids asked for, in order
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
		return fail("unknown format %q (expected text, markdown, csv, json or html)",
			"định dạng %q không hợp lệ (cần là text, markdown, csv, json hoặc html)", opts.format)
	}
	if opts.width != 0 && opts.width < report.MinTextWidth {
		return fail("--width %d is too narrow: use at least %d", "--width %d quá hẹp: cần ít nhất %d", opts.width, report.MinTextWidth)
	}
	c, err := g.catalog()
	if err != nil {
		return err
	}
	st, err := g.openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	groups, err := reportGroups(ctx, g, st, opts)
	if err != nil {
		return contextErr(ctx, err)
	}
	if len(groups) == 0 {
		if opts.questionnaire == "" {
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
		r, err := report.Build(q, gr.states, report.Options{Lang: g.lang(), Interviews: gr.asked, Sections: opts.sections})
		if err != nil {
			return err
		}
		if i > 0 {
			fmt.Fprintln(g.stdout)
		}
		if err := writeReport(g, r, format, opts.width); err != nil {
			return err
		}
	}
	return nil
}

// reportGroups reads the interviews to report and groups them by questionnaire version,
// sorted by questionnaire id and version.
func reportGroups(ctx context.Context, g *globals, st *store.Store, opts reportOptions) ([]*reportGroup, error) {
	asked := len(opts.interviews) > 0
	ids, err := interviewIDs(ctx, st, opts.interviews, opts.questionnaire)
	if err != nil {
		return nil, err
	}
	byKey := map[[2]string]*reportGroup{}
	var groups []*reportGroup
	incomplete := 0
	for _, id := range ids {
		state, err := st.Interview(ctx, id)
		if err != nil {
			return nil, failWrap(err, "read interview %s", "đọc phỏng vấn %s", id)
		}
		if !state.HasMeta() {
			incomplete++
			continue
		}
		m := state.Meta
		if opts.questionnaire != "" && m.Questionnaire != opts.questionnaire {
			return nil, fail("interview %s uses questionnaire %s, not %s", "phỏng vấn %s dùng bảng hỏi %s, không phải %s",
				id, m.Questionnaire, opts.questionnaire)
		}
		key := [2]string{m.Questionnaire, m.QuestionnaireVersion}
		gr := byKey[key]
		if gr == nil {
			gr = &reportGroup{id: m.Questionnaire, version: m.QuestionnaireVersion}
			byKey[key] = gr
			groups = append(groups, gr)
		}
		gr.states = append(gr.states, state)
		if asked {
			gr.asked = append(gr.asked, id)
		}
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

func writeReport(g *globals, r *report.Report, format string, width int) error {
	switch format {
	case "markdown":
		return report.WriteMarkdown(g.stdout, r)
	case "csv":
		return report.WriteCSV(g.stdout, r)
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
