package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/fieldsurvey/fieldsurvey/questionnaires"
	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/find"
	"github.com/fieldsurvey/fieldsurvey/survey/report"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
)

func newInterviewCommand(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "interview",
		Aliases: []string{"interviews", "i"},
		Short:   "List, show, export, import, approve, return and reopen interviews · Liệt kê, xem, xuất, nhập, duyệt, trả lại và mở lại phỏng vấn",
		Long: `Interviews live in the device's database in the home folder (or, with --db, a hub store).
export and import use JSON Lines, one interview a line (format fieldsurvey-interview/1).
On a supervisor's home (init --role supervisor), approve, return and reopen record the
supervisor's decisions, which travel back to the laptops signed by the supervisor's key.

Các cuộc phỏng vấn nằm trong cơ sở dữ liệu của máy (hoặc kho tổng hợp với --db). Xuất và
nhập dùng JSON Lines, mỗi dòng một cuộc phỏng vấn (định dạng fieldsurvey-interview/1).
Trên thư mục của người giám sát, approve, return và reopen ghi quyết định của người giám
sát, được gửi về các máy kèm chữ ký của người giám sát.`,
		Example: `  fieldsurvey interview list
  fieldsurvey interview show 0193a5b2
  fieldsurvey interview export --out interviews.jsonl
  fieldsurvey interview import interviews.jsonl
  fieldsurvey interview return 0193a5b2 --reason "7.1 lacks evidence"`,
	}
	subs := []*cobra.Command{newInterviewListCommand(g), newInterviewShowCommand(g),
		newInterviewExportCommand(g), newInterviewImportCommand(g), newInterviewHistoryCommand(g),
		newInterviewUpgradeCommand(g)}
	return groupCommand(cmd, append(subs, newDecideCommands(g)...)...)
}

// shortIDs returns the shortest unique prefix (at least 8 characters) of each id: one
// length for all, one more than the longest prefix two ids share (found between neighbours
// in sorted order).
func shortIDs(ids []string) map[string]string {
	sorted := slices.Clone(ids)
	sort.Strings(sorted)
	n, longest := 8, 0
	for i, id := range sorted {
		longest = max(longest, len(id))
		if i > 0 {
			prev := sorted[i-1]
			k := 0
			for k < len(prev) && k < len(id) && prev[k] == id[k] {
				k++
			}
			n = max(n, k+1)
		}
	}
	n = min(n, max(8, longest))
	out := make(map[string]string, len(ids))
	for _, id := range ids {
		out[id] = prefix(id, n)
	}
	return out
}

func prefix(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// catalogProgress counts an interview's progress with its questionnaire from c, for the
// questionnaires c has; a questionnaire's content is named by questionnaires.ContentOf.
func catalogProgress(c *questionnaires.Catalog) store.ProgressFunc {
	return func(qn, version string) *store.ProgressCounter {
		q, err := c.Get(qn, version)
		if err != nil {
			return nil
		}
		of, err := questionnaires.ContentOf(q)
		if err != nil {
			return nil
		}
		return &store.ProgressCounter{Of: of, Count: q.Progress}
	}
}

type interviewListOptions struct {
	json          bool
	questionnaire string
	search        string
	filter        filterFlags
}

func newInterviewListCommand(g *globals) *cobra.Command {
	var opts interviewListOptions
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List interviews, most recently changed first · Liệt kê phỏng vấn, mới thay đổi trước",
		Long: `interview list shows each interview with its questionnaire, agency, province, assessor,
status and progress, most recently changed first. The filters --status, --province,
--agency, --category and --assessor are those of report (repeat them or separate values
with commas; a value matches whole, accents optional); --search finds text anywhere in the
agency, province or role.

interview list liệt kê các cuộc phỏng vấn kèm bảng hỏi, cơ quan, tỉnh, người đánh giá,
trạng thái và tiến độ. Bộ lọc giống lệnh report; --search tìm một phần tên.`,
		Example: `  fieldsurvey interview list
  fieldsurvey interview list --status completed,submitted --questionnaire odra-3.1
  fieldsurvey interview list --province "da nang" --assessor lan@example.org
  fieldsurvey interview list --search "Da Nang" --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runInterviewList(cmd.Context(), g, opts)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&opts.json, "json", false, "print JSON · in dạng JSON")
	f.StringVar(&opts.questionnaire, "questionnaire", "", "only interviews of this questionnaire id · chỉ bảng hỏi này")
	f.StringVar(&opts.search, "search", "", "text in the agency, province or role, or the start of the id (accents optional) · tìm kiếm")
	opts.filter.register(f)
	return cmd
}

// interviewInfo is one interview in `interview list --json`.
type interviewInfo struct {
	ID            string                 `json:"id"`
	Questionnaire string                 `json:"questionnaire"`
	Version       string                 `json:"version"`
	Status        survey.Status          `json:"status"`
	Reason        string                 `json:"reason,omitempty"`
	Agency        string                 `json:"agency"`
	Province      string                 `json:"province"`
	Role          string                 `json:"role"`
	Category      string                 `json:"category"`
	Assessor      string                 `json:"assessor"`
	Answered      int                    `json:"answered"`
	Total         *int                   `json:"total"` // relevant questions; null when the questionnaire is unknown
	Sections      map[string]survey.Code `json:"sections"`
	Conflicts     int                    `json:"conflicts"`
	Created       string                 `json:"created,omitempty"`
	Updated       string                 `json:"updated"`
	Revisions     int                    `json:"revisions"`
	// Upgrade is the newer questionnaire version the interview can move to ('fieldsurvey
	// interview upgrade'); empty when none.
	Upgrade string `json:"upgrade,omitempty"`
	// Assignee, Due and Note are a planned interview's (see 'fieldsurvey assign').
	Assignee string `json:"assignee,omitempty"`
	Due      string `json:"due,omitempty"`
	Note     string `json:"note,omitempty"`
}

func parseStatus(s string) (survey.Status, error) {
	if s == "" {
		return "", nil
	}
	st := survey.Status(strings.ToLower(strings.TrimSpace(s)))
	if !st.Valid() {
		names := make([]string, len(survey.Statuses))
		for i, x := range survey.Statuses {
			names[i] = string(x)
		}
		return "", fail("unknown status %q (expected %s)", "trạng thái %q không hợp lệ (cần là %s)", s, strings.Join(names, ", "))
	}
	return st, nil
}

func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(survey.TimeFormat)
}

func runInterviewList(ctx context.Context, g *globals, opts interviewListOptions) error {
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
	sums, err := st.ListProgress(ctx, store.ListOptions{Questionnaire: opts.questionnaire, Search: opts.search, Filter: filter, Created: true},
		catalogProgress(c))
	if err != nil {
		return contextErr(ctx, failWrap(err, "list interviews", "liệt kê phỏng vấn"))
	}
	waiting, err := st.List(ctx, store.ListOptions{Waiting: true})
	if err != nil {
		return contextErr(ctx, failWrap(err, "list interviews", "liệt kê phỏng vấn"))
	}
	if n := len(waiting); n > 0 {
		ids := make([]string, n)
		for i, w := range waiting {
			ids[i] = w.ID
		}
		sort.Strings(ids)
		g.notef("%[1]d %[2]s not listed: only changes of %[3]s are here (such as a supervisor's decision), kept until %[4]s: %[5]s",
			"%[1]d cuộc phỏng vấn không được liệt kê: mới chỉ có các thay đổi của chúng (ví dụ quyết định của người giám sát), được giữ lại cho tới khi phỏng vấn được nhận: %[5]s",
			n, plural(n, "interview is", "interviews are"), plural(n, "it", "them"), plural(n, "it arrives", "they arrive"), strings.Join(ids, ", "))
	}
	infos := make([]interviewInfo, 0, len(sums))
	upgrades := map[[2]string]string{} // (questionnaire, version) → the version it can move to
	for _, s := range sums {
		in := interviewInfo{ID: s.ID, Questionnaire: s.Questionnaire, Version: s.Version, Status: s.Status,
			Reason: s.Reason, Agency: s.Agency, Province: s.Province, Role: s.Role, Category: s.Category,
			Assessor: s.Assessor, Answered: s.Answered, Sections: s.Sections, Conflicts: s.Conflicts,
			Created: timeText(s.Created), Updated: timeText(s.Updated), Revisions: s.Revisions,
			Assignee: s.Assignee, Due: s.Due, Note: s.Note}
		if survey.AssessorEditable(s.Status) && s.Record != survey.RecordAssessment {
			key := [2]string{s.Questionnaire, s.Version}
			to, seen := upgrades[key]
			if !seen {
				to, _ = c.Upgradable(s.Questionnaire, s.Version)
				upgrades[key] = to
			}
			in.Upgrade = to
		}
		if p := s.Progress; p != nil {
			in.Answered, in.Total = p.Answered, &p.Total
		}
		infos = append(infos, in)
	}
	if opts.json {
		return writeJSON(g.stdout, infos)
	}
	if len(infos) == 0 {
		if opts.filter.isSet() || opts.search != "" || opts.questionnaire != "" {
			g.infof("no interviews match", "không có cuộc phỏng vấn nào khớp")
			return nil
		}
		g.infof("no interviews", "không có cuộc phỏng vấn nào")
		return nil
	}
	ids := make([]string, len(infos))
	for i, in := range infos {
		ids[i] = in.ID
	}
	short := shortIDs(ids)
	l := g.lang()
	t := newTable(g.stdout, word(l, "id"), word(l, "questionnaire"), word(l, "agency"), word(l, "province"),
		word(l, "assessor"), word(l, "status"), word(l, "progress"), word(l, "updated"))
	for i, in := range infos {
		total := "?"
		if in.Total != nil {
			total = strconv.Itoa(*in.Total)
		}
		status := in.Status.Label().Get(l)
		if in.Conflicts > 0 {
			status += fmt.Sprintf(" (%d %s)", in.Conflicts, g.t("conflicts", "xung đột"))
		}
		// Names come from other devices: nothing in them may act on the terminal.
		t.row(short[in.ID], in.Questionnaire+" "+in.Version, report.TerminalText(in.Agency), report.TerminalText(in.Province),
			report.TerminalText(in.Assessor), status, fmt.Sprintf("%d/%s", in.Answered, total), sums[i].Updated.Local().Format("2006-01-02 15:04"))
	}
	if err := t.flush(); err != nil {
		return err
	}
	// The lines under the table, one per interview at most, buffered as the table is.
	out := bufio.NewWriter(g.stdout)
	// Interviews that can move to a newer questionnaire version.
	for _, in := range infos {
		if in.Upgrade != "" {
			fmt.Fprintf(out, g.t("%s: %s version %s is available: 'fieldsurvey interview upgrade %s' shows what changes\n",
				"%s: đã có %s phiên bản %s: 'fieldsurvey interview upgrade %s' cho biết những gì thay đổi\n"),
				short[in.ID], in.Questionnaire, in.Upgrade, short[in.ID])
		}
	}
	// Planned interviews: to whom, by when, and the supervisor's note.
	for _, in := range infos {
		if in.Assignee == "" {
			continue
		}
		line := fmt.Sprintf(g.t("%s assigned to %s", "%s giao cho %s"), short[in.ID], report.TerminalText(in.Assignee))
		if in.Due != "" {
			line += fmt.Sprintf(g.t(", due %s", ", hạn %s"), report.TerminalText(in.Due))
		}
		if in.Note != "" {
			line += ": " + report.TerminalText(in.Note)
		}
		fmt.Fprintln(out, line)
	}
	return out.Flush()
}

type interviewShowOptions struct {
	json bool
}

func newInterviewShowCommand(g *globals) *cobra.Command {
	var opts interviewShowOptions
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show one interview: respondent, status and answers · Xem một cuộc phỏng vấn",
		Long: `show prints an interview: respondent, status, and the answers section by section with
their ratings, comments and evidence. ID may be the beginning of the id. --json prints the
interview as an interchange record (the format of export).

show in một cuộc phỏng vấn: người trả lời, trạng thái và các câu trả lời theo từng phần. Có
thể chỉ nhập phần đầu của mã. --json in bản ghi trao đổi (định dạng của export).`,
		Example: `  fieldsurvey interview show 0193a5b2
  fieldsurvey interview show 0193a5b2 --json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runInterviewShow(cmd.Context(), g, args[0], opts)
		},
	}
	cmd.Flags().BoolVar(&opts.json, "json", false, "print the interchange record as JSON · in bản ghi dạng JSON")
	return cmd
}

func runInterviewShow(ctx context.Context, g *globals, ref string, opts interviewShowOptions) error {
	st, err := g.openReader(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	id, err := find.Interview(ctx, st, ref)
	if err != nil {
		return contextErr(ctx, err)
	}
	state, err := st.Interview(ctx, id)
	if err != nil {
		return contextErr(ctx, failWrap(err, "read interview %s", "đọc phỏng vấn %s", id))
	}
	if opts.json {
		return writeJSON(g.stdout, state.Record())
	}
	c, err := g.catalog()
	if err != nil {
		return err
	}
	l := g.lang()
	q, err := c.Get(state.Meta.Questionnaire, state.Meta.QuestionnaireVersion)
	if err != nil {
		g.warn(fmt.Sprintf(g.t("%v: showing the stored record", "%v: hiển thị bản ghi đã lưu"), err))
		return writeJSON(g.stdout, state.Record())
	}
	r, err := report.Build(q, []*survey.InterviewState{state}, report.Options{Lang: l, Interviews: []string{id}})
	if err != nil {
		return err
	}
	if err := report.WriteText(g.stdout, r, g.styler(), g.textWidth(0)); err != nil {
		return err
	}
	answered, total := q.Progress(state.Answers)
	facts := []string{
		g.t("Assessor", "Người đánh giá") + ": " + state.Meta.Assessor,
		g.t("Created", "Tạo lúc") + ": " + timeText(state.Created),
		g.t("Updated", "Cập nhật") + ": " + timeText(state.Updated),
		g.t("Progress", "Tiến độ") + fmt.Sprintf(": %d/%d", answered, total),
		g.t("Revisions", "Số phiên bản") + ": " + strconv.Itoa(state.Revisions),
	}
	if state.Status.Reason != "" {
		facts = append(facts, g.t("Reason", "Lý do")+": "+state.Status.Reason)
	}
	if n := len(state.Conflicts); n > 0 {
		facts = append(facts, fmt.Sprintf(g.t("Conflicts: %d (the newest side is shown; 'fieldsurvey conflicts' shows both)",
			"Xung đột: %d (hiển thị bản mới nhất; 'fieldsurvey conflicts' hiển thị cả hai)"), n))
	}
	_, err = fmt.Fprintf(g.stdout, "\n%s\n", strings.Join(facts, " · "))
	return err
}

type interviewExportOptions struct {
	out string
}

func newInterviewExportCommand(g *globals) *cobra.Command {
	var opts interviewExportOptions
	cmd := &cobra.Command{
		Use:   "export [ID...]",
		Short: "Write interviews as JSON Lines · Xuất phỏng vấn dạng JSON Lines",
		Long: `export writes the interviews (all, or those named) as JSON Lines, one interview a line,
sorted by id: the current value of every field, without history (format
fieldsurvey-interview/1). The same interviews always give the same bytes, and
export → import → export gives a byte-identical file. Answers that a move to a newer
questionnaire version left without a question (kept in the interview) are written under
"orphaned" ("orphaned_sections", "orphaned_rosters"), and import keeps them; so is the
summary of a section the version no longer rates (overall: false).

export ghi các cuộc phỏng vấn (tất cả, hoặc theo mã) dạng JSON Lines, mỗi dòng một cuộc,
sắp theo mã. Xuất → nhập → xuất cho ra tệp giống hệt từng byte. Câu trả lời không còn câu
hỏi sau khi chuyển sang phiên bản bảng hỏi mới được ghi trong "orphaned" và được giữ khi nhập;
nhận xét chung của phần không còn đánh giá chung (overall: false) cũng vậy.`,
		Example: `  fieldsurvey interview export > all.jsonl
  fieldsurvey interview export --out two.jsonl 0193a5b2 0193a5c7`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runInterviewExport(cmd.Context(), g, args, opts)
		},
	}
	cmd.Flags().StringVarP(&opts.out, "out", "o", "", "write to this file (atomically) instead of stdout · ghi ra tệp này")
	return cmd
}

func runInterviewExport(ctx context.Context, g *globals, refs []string, opts interviewExportOptions) error {
	st, err := g.openReader(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	ids, err := find.Interviews(ctx, st, refs, "")
	if err != nil {
		return contextErr(ctx, err)
	}
	sort.Strings(ids)
	cat, err := g.catalog()
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	exported := 0
	for _, id := range ids {
		state, err := st.Interview(ctx, id)
		if err != nil {
			return contextErr(ctx, failWrap(err, "read interview %s", "đọc phỏng vấn %s", id))
		}
		if !state.HasMeta() {
			g.warn(fmt.Sprintf(g.t("interview %s is left out: %d changes of it are here, but not the change that creates it",
				"phỏng vấn %s bị bỏ qua: đã có %d thay đổi của nó nhưng chưa có thay đổi tạo ra nó"), id, state.Revisions))
			continue
		}
		if n := len(state.Conflicts); n > 0 {
			g.warn(fmt.Sprintf(g.t("interview %s has %d conflicts: the export holds the newest side of each",
				"phỏng vấn %s có %d xung đột: tệp xuất chứa bản mới nhất của mỗi xung đột"), id, n))
		}
		rec := state.Record()
		// Answers an upgrade left without a question go in "orphaned", so that the line
		// imports again (survey.Record.MarkOrphaned).
		if q, err := cat.Get(rec.Questionnaire, rec.QuestionnaireVersion); err == nil {
			rec.MarkOrphaned(q)
		} else {
			g.warn(fmt.Sprintf(g.t("interview %s: questionnaire %s version %s is not installed, so answers to questions it no longer has cannot be told apart: they are exported as answers",
				"phỏng vấn %s: bảng hỏi %s phiên bản %s chưa được cài nên không phân biệt được câu trả lời của câu hỏi không còn trong bảng hỏi: chúng được xuất như câu trả lời"), id, rec.Questionnaire, rec.QuestionnaireVersion))
		}
		line, err := rec.MarshalLine()
		if err != nil {
			return err
		}
		buf.Write(line)
		exported++
	}
	if opts.out == "" {
		_, err = g.stdout.Write(buf.Bytes())
		return err
	}
	if err := writeFileAtomic(opts.out, buf.Bytes(), 0o644); err != nil {
		return failWrap(err, "write %s", "ghi %s", opts.out)
	}
	g.infof("exported %d interviews to %s", "đã xuất %d cuộc phỏng vấn ra %s", exported, opts.out)
	return nil
}

func newInterviewImportCommand(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "import FILE|-",
		Short: "Read interviews from JSON Lines, all or nothing · Nhập phỏng vấn từ JSON Lines, tất cả hoặc không gì cả",
		Long: `import reads interviews written by export (JSON Lines, one interview a line; - reads
stdin). Every line is checked against its questionnaire (unknown question, bad rating code,
failed constraint, …). An import never sets a status that only a supervisor (approved,
returned, reopened) or the server (submitted) sets; a line that would is bad too (a
status it leaves as it is, as in export then import on the same device, is fine). When
any line is bad, nothing is imported and the problems are printed as FILE:LINE: field:
message (the first 50, then how many more). Otherwise every interview is written in one
transaction: new interviews are created, existing ones get what changed.

import đọc tệp do export tạo ra (- là đọc từ stdin). Mỗi dòng được kiểm tra theo bảng hỏi
của nó. Nếu có dòng lỗi thì không nhập gì và in các lỗi dạng TỆP:DÒNG: trường: thông báo
(50 lỗi đầu, rồi số lỗi còn lại). Nếu không, tất cả được ghi trong một giao dịch.`,
		Example: `  fieldsurvey interview import interviews.jsonl
  ssh field-laptop fieldsurvey interview export | fieldsurvey interview import -`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runInterviewImport(cmd.Context(), g, args[0])
		},
	}
}

// maxImportProblems is how many problems of an import file are printed; the rest are counted.
const maxImportProblems = 50

// importLine is one record of an import file with the line it came from.
type importLine struct {
	line int
	rec  survey.Record
}

// importProblem is one thing wrong with a line of an import file.
type importProblem struct {
	line       int
	field, msg string // field may be empty (a line that is not a record)
}

// format writes p as "NAME:LINE: field: message".
func (p importProblem) format(name string) string {
	if p.field == "" {
		return fmt.Sprintf("%s:%d: %s", name, p.line, p.msg)
	}
	return fmt.Sprintf("%s:%d: %s: %s", name, p.line, p.field, p.msg)
}

// readImport parses and checks every line of r against its questionnaire in c.
func readImport(r io.Reader, name string, c *questionnaires.Catalog) ([]importLine, []importProblem, error) {
	var recs []importLine
	var problems []importProblem
	first := map[string]int{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 64<<20)
	n := 0
	for sc.Scan() {
		n++
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		bad := func(field, msg string) {
			problems = append(problems, importProblem{line: n, field: field, msg: msg})
		}
		rec, err := survey.ParseRecord(text)
		var fe survey.FieldError
		if errors.As(err, &fe) {
			bad(fe.Field, fe.Msg)
			continue
		}
		if err != nil {
			bad("", "not an interview record: "+err.Error())
			continue
		}
		if prev, ok := first[rec.ID]; ok && rec.ID != "" {
			bad("id", fmt.Sprintf("interview %s is also on line %d", rec.ID, prev))
			continue
		}
		first[rec.ID] = n
		q, err := c.Get(rec.Questionnaire, rec.QuestionnaireVersion)
		if err != nil {
			bad("questionnaire", err.Error())
			continue
		}
		rec.NormalizeRatings(q)
		for _, fe := range rec.Check(q) {
			bad(fe.Field, fe.Msg)
		}
		recs = append(recs, importLine{line: n, rec: rec})
	}
	if err := sc.Err(); err != nil {
		return nil, nil, failWrap(err, "read %s", "đọc %s", name)
	}
	return recs, problems, nil
}

// importClock is the clock of the store during an import: the time of each interview's
// creation while it is created (so that it keeps its creation time), now otherwise.
type importClock struct {
	now func() time.Time
	at  time.Time
}

func (c *importClock) time() time.Time {
	if !c.at.IsZero() {
		return c.at
	}
	return c.now()
}

// importedStatusProblem says why rec cannot set its status on an interview whose current
// state is cur: approved, returned and reopened are a supervisor's decisions (signed by its
// key, 'fieldsurvey interview approve|return|reopen'), submitted is the server's mark. A
// record that leaves such a status as it is (export, then import on the same device) is
// fine: nothing is written for it.
func importedStatusProblem(rec survey.Record, cur *survey.InterviewState) string {
	st := rec.Status
	if !st.IsDecision() && st != survey.StatusSubmitted {
		return ""
	}
	if (survey.StatusChange{Status: st, Reason: rec.StatusReason}) == cur.Status {
		return ""
	}
	if st == survey.StatusSubmitted {
		return fmt.Sprintf("%q is set by the server when the interview reaches it, not by an import; import the interview as draft or completed", st)
	}
	return fmt.Sprintf("%q is a supervisor's decision, signed by their key ('fieldsurvey interview %s' on a supervisor's home), not something an import sets; import the interview as draft or completed",
		st, decisionVerb(st))
}

// decisionVerb is the subcommand of interview that makes decision st.
func decisionVerb(st survey.Status) string {
	for _, v := range decideVerbs {
		if v.to == st {
			return v.en
		}
	}
	return string(st)
}

func runInterviewImport(ctx context.Context, g *globals, file string) error {
	if g.flags.db != "" {
		return withHint(fail("import writes to this device's database, not to a hub store (--db)",
			"import ghi vào cơ sở dữ liệu của máy này, không ghi vào kho tổng hợp (--db)"),
			"leave out --db", "bỏ --db")
	}
	var in io.Reader = g.stdin
	name := "stdin"
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return failWrap(err, "read interviews", "đọc phỏng vấn")
		}
		defer f.Close()
		in, name = f, file
	}
	c, err := g.catalog()
	if err != nil {
		return err
	}
	recs, problems, err := readImport(in, name, c)
	if err != nil {
		return err
	}
	if err := g.needHome(); err != nil {
		return err
	}
	clock := &importClock{now: g.now}
	st, err := g.openStore(store.WithClock(clock.time))
	if err != nil {
		return err
	}
	defer st.Close()
	// An interview already stored must keep its questionnaire; an import never sets a
	// status only a supervisor or the server sets.
	for _, il := range recs {
		cur, err := st.Interview(ctx, il.rec.ID)
		if errors.Is(err, store.ErrNotFound) {
			cur, err = survey.NewInterviewState(il.rec.ID), nil
		}
		if err != nil {
			return contextErr(ctx, failWrap(err, "read interview %s", "đọc phỏng vấn %s", il.rec.ID))
		}
		if msg := importedStatusProblem(il.rec, cur); msg != "" {
			problems = append(problems, importProblem{line: il.line, field: "status", msg: msg})
		}
		if cur.HasMeta() && (cur.Meta.Questionnaire != il.rec.Questionnaire || cur.Meta.QuestionnaireVersion != il.rec.QuestionnaireVersion) {
			problems = append(problems, importProblem{line: il.line, field: "questionnaire",
				msg: fmt.Sprintf("interview %s is stored with %s %s, not %s %s", il.rec.ID,
					cur.Meta.Questionnaire, cur.Meta.QuestionnaireVersion, il.rec.Questionnaire, il.rec.QuestionnaireVersion)})
		}
	}
	if len(problems) > 0 {
		sort.SliceStable(problems, func(i, j int) bool { return problems[i].line < problems[j].line })
		for _, p := range problems[:min(len(problems), maxImportProblems)] {
			fmt.Fprintln(g.stderr, p.format(name))
		}
		n := len(problems)
		if n > maxImportProblems {
			g.notef("%d more problems not shown", "còn %d lỗi khác không hiển thị", n-maxImportProblems)
		}
		return withHint(&survey.UserError{Msg: survey.T(fmt.Sprintf("nothing imported: %d %s in %s", n, plural(n, "problem", "problems"), name),
			fmt.Sprintf("không nhập gì: %d lỗi trong %s", n, name))},
			"correct the lines named above and import the whole file again",
			"sửa các dòng nêu trên rồi nhập lại toàn bộ tệp")
	}
	if g.cfg.Device == "" {
		return withHint(fail("this device has no id", "máy này chưa có mã thiết bị"), "run 'fieldsurvey init'", "chạy 'fieldsurvey init'")
	}
	author := store.Author{Device: g.cfg.Device, Principal: g.cfg.Assessor.Principal}
	var created, updated, unchanged int
	err = st.Update(ctx, func(tx *store.Tx) error {
		created, updated, unchanged = 0, 0, 0
		for _, il := range recs {
			cur, err := tx.Interview(il.rec.ID)
			if errors.Is(err, store.ErrNotFound) {
				cur = nil
			} else if err != nil {
				return err
			}
			changes := il.rec.Changes(cur)
			switch {
			case len(changes) == 0:
				unchanged++
				continue
			case cur == nil || !cur.HasMeta():
				created++
			default:
				updated++
			}
			if changes[0].Target.Kind == survey.KindInterview {
				// The creation keeps the time the record says the interview was created.
				if t, err := time.Parse(time.RFC3339, il.rec.Created); err == nil {
					clock.at = t
				}
				_, err := tx.Put(author, changes[0])
				clock.at = time.Time{}
				if err != nil {
					return fmt.Errorf("line %d: %w", il.line, err)
				}
				changes = changes[1:]
			}
			if _, err := tx.Put(author, changes...); err != nil {
				return fmt.Errorf("line %d: %w", il.line, err)
			}
		}
		return nil
	})
	if err != nil {
		return contextErr(ctx, failWrap(err, "nothing imported", "không nhập gì"))
	}
	g.infof("imported %d interviews from %s: %d created, %d updated, %d unchanged",
		"đã nhập %d cuộc phỏng vấn từ %s: %d tạo mới, %d cập nhật, %d không đổi",
		len(recs), name, created, updated, unchanged)
	return nil
}
