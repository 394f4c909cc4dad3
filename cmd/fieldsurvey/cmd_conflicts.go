package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/spf13/cobra"

	"github.com/fieldsurvey/fieldsurvey/questionnaires"
	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/review"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
)

type conflictsOptions struct {
	json bool
}

func newConflictsCommand(g *globals) *cobra.Command {
	var opts conflictsOptions
	cmd := &cobra.Command{
		Use:   "conflicts",
		Short: "List answers with two versions, all sides shown; settle one · Liệt kê các câu trả lời có nhiều phiên bản; giải quyết",
		Long: `conflicts lists every answer, section summary, respondent block or status that people
changed independently (a target with two or more heads that disagree), with every side
numbered [1], [2], … (newest first, as the interview screen numbers them): time, device,
author, and the value in your language. Nothing is lost: all sides are kept until a new
revision settles them ('fieldsurvey conflicts settle'). Use --db to look at a hub store.

Exit status: 0 when there is no conflict, 3 when it lists any (so scripts can test for
them), 1 on an error.

conflicts liệt kê mọi câu trả lời, tóm tắt phần, thông tin người trả lời hoặc trạng thái
mà nhiều người đã sửa độc lập, đánh số từng phía [1], [2], … (mới nhất trước, như màn hình
phỏng vấn): thời gian, thiết bị, người sửa và giá trị. Không mất gì: mọi phía được giữ lại
cho đến khi được giải quyết ('fieldsurvey conflicts settle'). Mã thoát: 0 khi không có xung
đột, 3 khi có, 1 khi lỗi.`,
		Example: `  fieldsurvey conflicts
  fieldsurvey conflicts --db hub.db --json
  fieldsurvey conflicts settle 0193a5b2 7.1 --take 2`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runConflicts(cmd.Context(), g, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.json, "json", false, "print the conflicts as JSON · in dạng JSON")
	cmd.AddCommand(newConflictsSettleCommand(g))
	return cmd
}

type conflictSide struct {
	Side     int             `json:"side"`
	ID       string          `json:"id"`
	Device   string          `json:"device"`
	Author   string          `json:"author"`
	Time     string          `json:"time"`
	Value    json.RawMessage `json:"value"`
	Replaces []string        `json:"replaces"`
}

type conflictJSON struct {
	Interview string         `json:"interview"`
	Agency    string         `json:"agency"`
	Province  string         `json:"province"`
	Kind      survey.Kind    `json:"kind"`
	Key       string         `json:"key,omitempty"`
	Target    string         `json:"target"` // as 'conflicts settle' takes it
	Question  string         `json:"question,omitempty"`
	Heads     []conflictSide `json:"heads"`
}

func runConflicts(ctx context.Context, g *globals, opts conflictsOptions) error {
	c, err := g.catalog()
	if err != nil {
		return err
	}
	st, err := g.openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	conflicts, err := st.Conflicts(ctx)
	if err != nil {
		return contextErr(ctx, failWrap(err, "read conflicts", "đọc xung đột"))
	}
	out := []conflictJSON{}
	states := map[string]*survey.InterviewState{}
	qs := map[string]*survey.Questionnaire{}
	for _, cf := range conflicts {
		s, ok := states[cf.Target.Interview]
		if !ok {
			if s, err = st.Interview(ctx, cf.Target.Interview); err != nil {
				return failWrap(err, "read interview %s", "đọc phỏng vấn %s", cf.Target.Interview)
			}
			states[cf.Target.Interview] = s
			qs[s.ID] = questionnaireOf(c, s)
		}
		cj := conflictJSON{Interview: cf.Target.Interview, Agency: s.Respondent.Agency, Province: s.Respondent.Province,
			Kind: cf.Target.Kind, Key: cf.Target.Key, Target: review.TargetArg(cf.Target), Question: questionText(c, s, cf.Target, g.lang())}
		for i, h := range cf.Heads {
			rep := h.Replaces
			if rep == nil {
				rep = []string{}
			}
			cj.Heads = append(cj.Heads, conflictSide{Side: i + 1, ID: h.ID, Device: h.Device, Author: h.Author,
				Time: h.Time.UTC().Format(survey.TimeFormat), Value: h.Value, Replaces: rep})
		}
		out = append(out, cj)
	}
	if opts.json {
		if err := writeJSON(g.stdout, out); err != nil {
			return err
		}
	} else if len(out) == 0 {
		g.infof("no conflicts", "không có xung đột")
	} else {
		ids := make([]string, 0, len(states))
		for id := range states {
			ids = append(ids, id)
		}
		short := shortIDs(ids)
		width := g.historyWidth()
		line := func(indent int, text string) {
			for _, l := range (survey.Line{Indent: indent, Spans: []survey.Span{{Text: text}}}).Wrap(width, ansi.StringWidth) {
				fmt.Fprintln(g.stdout, l.String())
			}
		}
		for i, cj := range out {
			if i > 0 {
				fmt.Fprintln(g.stdout)
			}
			where := strings.Trim(cj.Agency+", "+cj.Province, ", ")
			q := qs[cj.Interview]
			line(0, cj.Interview+" · "+where)
			line(2, survey.TargetText(q, conflicts[i].Target).Get(g.lang()))
			for j, h := range conflicts[i].Heads {
				line(2, fmt.Sprintf("[%d] %s · %s %s · %s", j+1, orDash(h.Author), g.t("device", "thiết bị"), h.Device,
					h.Time.UTC().Format("2006-01-02 15:04")))
				line(6, sideText(g, q, h))
			}
			line(2, fmt.Sprintf("%s: fieldsurvey conflicts settle %s %s --take N", g.t("settle", "giải quyết"), short[cj.Interview], cj.Target))
		}
	}
	if len(out) == 0 {
		return nil
	}
	n := len(out)
	g.infof(fmt.Sprintf("%d %s; 'fieldsurvey conflicts settle --help' says how to settle them", n, plural(n, "conflict", "conflicts")),
		fmt.Sprintf("%d xung đột; 'fieldsurvey conflicts settle --help' hướng dẫn cách giải quyết", n))
	return exitStatus(exitConflicts)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// questionnaireOf returns the questionnaire of s from c, or nil when it is not installed.
func questionnaireOf(c *questionnaires.Catalog, s *survey.InterviewState) *survey.Questionnaire {
	if s.Assess != nil {
		q, err := c.Get(s.Assess.Meta.Questionnaire, s.Assess.Meta.QuestionnaireVersion)
		if err != nil {
			return nil
		}
		return q
	}
	if !s.HasMeta() {
		return nil
	}
	q, err := c.Get(s.Meta.Questionnaire, s.Meta.QuestionnaireVersion)
	if err != nil {
		return nil
	}
	return q
}

// questionText is the question's text when the interview's questionnaire is known.
func questionText(c *questionnaires.Catalog, s *survey.InterviewState, t survey.Target, lang string) string {
	key := t.Key
	switch t.Kind {
	case survey.KindAnswer:
	case survey.KindRow:
		key, _, _ = survey.SplitRowKey(t.Key)
	default:
		return ""
	}
	if q := questionnaireOf(c, s); q != nil {
		if qu, ok := q.Question(key); ok {
			return qu.Text.Get(lang)
		}
	}
	return ""
}

// sideText says what one side holds, in the user's language (ratings by their scale's
// label when the questionnaire q is known; q may be nil).
func sideText(g *globals, q *survey.Questionnaire, r survey.Revision) string {
	quote := func(s string) string {
		if s == "" {
			return ""
		}
		return fmt.Sprintf(" · %q", s)
	}
	rating := func(sc *survey.Scale, c survey.Code) string {
		if st, ok := sc.Step(c); ok {
			return st.Label.Get(g.lang())
		}
		return string(c)
	}
	switch r.Kind {
	case survey.KindAnswer:
		var a survey.Answer
		if json.Unmarshal(r.Value, &a) == nil {
			sc := survey.ReadinessScale()
			var qu *survey.Question
			if q != nil {
				if qu, _ = q.Question(r.Key); qu != nil {
					sc = q.ScaleOf(qu)
				}
			}
			var parts []string
			if a.Rating != "" {
				parts = append(parts, g.t("rating ", "mức ")+rating(sc, a.Rating))
			}
			if a.Value != nil {
				parts = append(parts, g.t("answer ", "trả lời ")+answerValueText(g, qu, a.Value))
			}
			if len(a.Evidence) > 0 {
				parts = append(parts, fmt.Sprintf(g.t("%d evidence", "%d bằng chứng"), len(a.Evidence)))
			}
			if len(parts) == 0 && a.Comment == "" {
				parts = append(parts, g.t("cleared", "đã xoá"))
			}
			return strings.TrimPrefix(strings.Join(parts, ", ")+quote(a.Comment), " · ")
		}
	case survey.KindSection:
		var s survey.SectionSummary
		if json.Unmarshal(r.Value, &s) == nil {
			sc := survey.ReadinessScale()
			if q != nil {
				if sec, ok := q.Section(r.Key); ok {
					sc = q.SectionScale(sec)
				}
			}
			rt := "-"
			if s.Rating != "" {
				rt = rating(sc, s.Rating)
			}
			return g.t("rating ", "mức ") + rt + quote(s.Comment)
		}
	case survey.KindStatus:
		var s survey.StatusChange
		if json.Unmarshal(r.Value, &s) == nil {
			return s.Status.Label().Get(g.lang()) + quote(s.Reason)
		}
	case survey.KindRespondent:
		var p survey.Respondent
		if json.Unmarshal(r.Value, &p) == nil {
			return strings.Join([]string{p.Agency, p.Province, p.Role, p.Category, p.Date}, " | ")
		}
	case survey.KindInterview:
		var m survey.InterviewMeta
		if json.Unmarshal(r.Value, &m) == nil {
			return fmt.Sprintf("%s %s, %s", m.Questionnaire, m.QuestionnaireVersion, orDash(m.Assessor))
		}
	case survey.KindRow:
		var row survey.RosterRow
		if json.Unmarshal(r.Value, &row) == nil {
			return rowText(g, q, r.Key, row)
		}
	}
	return string(r.Value)
}

// rowText says what a roster row holds: "deleted", or its cells as "label: value" in the
// roster's column order.
func rowText(g *globals, q *survey.Questionnaire, key string, row survey.RosterRow) string {
	row = row.Normalized()
	if row.IsEmpty() {
		return g.t("row deleted", "đã xoá dòng")
	}
	var cols []survey.Column
	if q != nil {
		qid, _, _ := survey.SplitRowKey(key)
		if qu, ok := q.Question(qid); ok {
			cols = qu.Columns
		}
	}
	var parts []string
	for _, c := range cols {
		if v, ok := row.Cells[c.ID]; ok {
			parts = append(parts, c.Label.Get(g.lang())+": "+c.CellText(v, g.lang()))
		}
	}
	if cols == nil {
		keys := slices.Sorted(maps.Keys(row.Cells))
		for _, k := range keys {
			parts = append(parts, k+": "+survey.CellString(row.Cells[k]))
		}
	}
	if len(parts) == 0 {
		return g.t("empty row", "dòng trống")
	}
	return strings.Join(parts, " · ")
}

// answerValueText writes a non-rating answer in words: option labels, yes or no.
func answerValueText(g *globals, qu *survey.Question, v any) string {
	label := func(code string) string {
		if qu != nil {
			for _, o := range qu.Options {
				if o.Code == code {
					return o.Label.Get(g.lang())
				}
			}
		}
		return code
	}
	switch x := v.(type) {
	case bool:
		if x {
			return g.t("yes", "có")
		}
		return g.t("no", "không")
	case string:
		return label(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case []string:
		parts := make([]string, len(x))
		for i, c := range x {
			parts[i] = label(c)
		}
		return strings.Join(parts, ", ")
	}
	return fmt.Sprint(v)
}

type conflictsSettleOptions struct {
	take     int
	value    string
	takeSet  bool // --take was given
	valueSet bool // --value was given (an empty one too: it is refused as bad JSON)
}

func newConflictsSettleCommand(g *globals) *cobra.Command {
	var opts conflictsSettleOptions
	cmd := &cobra.Command{
		Use:   "settle INTERVIEW TARGET (--take N | --value JSON)",
		Short: "Settle a conflict: take one side, or write a new value · Giải quyết xung đột: chọn một phía hoặc nhập giá trị mới",
		Long: `settle writes one new revision that replaces every side of a conflict, in this device's
own store (so that 'batch create' and 'sync' carry it): --take N takes side N as
'fieldsurvey conflicts' lists it, unchanged; --value JSON writes a new value, checked
against the questionnaire like an import before anything is written. Every side stays in
the history ('fieldsurvey interview history').

INTERVIEW is an interview id or its unique beginning. TARGET is what conflicts:
  7.1            the answer to question 7.1 (also answer:7.1)
  section:7      the overall rating and comment of section 7
  respondent     the respondent block
  status         the status (a supervisor settles it)
  interview      the interview's creation record
  row:4.K/ROW    one row of roster 4.K ('fieldsurvey conflicts' prints the whole target)
The JSON of --value is the value of that target:
  answer         {"rating":"amber","comment":"…","evidence":[{"polarity":"+","text":"…","source":"…"}]}
                 (questions that are not rated: {"value":…,"comment":"…"})
  section        {"rating":"amber","comment":"…"}
  respondent     {"agency":"…","province":"…","role":"…","category":"…","date":"2026-11-20","place":"…","consent":true}
  status         {"status":"returned","reason":"…"} (a decision follows the review rules)
  interview      {"questionnaire":"…","questionnaire_version":"…","assessor":"…","device":"…"}
  row            {"pos":3,"cells":{"agency":"…","public":true,"openness":4,"url":"https://…"}}
                 (stars 0–5 or "na"; null deletes the row, its history keeps it)
Who may settle: the assessor on a draft, returned or reopened interview; a supervisor on
any interview not yet approved. The command refuses (and writes nothing) when the target
has no conflict, side N does not exist, both or neither of --take and --value are given,
the value is refused by the questionnaire, or this home's role may not settle it; and with
--db (it writes to this device's store only).

settle ghi một phiên bản mới thay thế mọi phía của một xung đột vào cơ sở dữ liệu của máy
này: --take N chọn phía N như 'fieldsurvey conflicts' liệt kê; --value JSON ghi giá trị
mới, được kiểm tra theo bảng hỏi trước khi ghi. TARGET: 7.1 (câu trả lời), section:7 (đánh
giá chung của phần 7), respondent, status, interview, row:4.K/DÒNG (một dòng của bảng 4.K). Người đánh giá giải quyết xung đột của
bản nháp, phỏng vấn bị trả lại hoặc được mở lại; người giám sát giải quyết mọi phỏng vấn
chưa được duyệt.`,
		Example: `  fieldsurvey conflicts settle 0193a5b2 7.1 --take 2
  fieldsurvey conflicts settle 0193a5b2 7.1 --value '{"rating":"amber","comment":"Đã thống nhất với hai người đánh giá"}'
  fieldsurvey conflicts settle 0193a5b2 section:7 --take 1
  fieldsurvey conflicts settle 0193a5b2 status --value '{"status":"returned","reason":"thiếu bằng chứng"}'`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.takeSet, opts.valueSet = cmd.Flags().Changed("take"), cmd.Flags().Changed("value")
			return runConflictsSettle(cmd.Context(), g, args[0], args[1], opts)
		},
	}
	f := cmd.Flags()
	f.IntVar(&opts.take, "take", 0, "take side N as 'fieldsurvey conflicts' numbers it · chọn phía N")
	f.StringVar(&opts.value, "value", "", "the new value as JSON (see above) · giá trị mới dạng JSON")
	return cmd
}

// errUnknownTarget is refused before anything is read or written.
func unknownTarget(arg, id string) error {
	return withHint(fail("unknown target %q in interview %s: expected a question id (7.1), section:ID, respondent, status or interview",
		"mục %q không có trong phỏng vấn %s: cần là mã câu hỏi (7.1), section:MÃ, respondent, status hoặc interview", arg, id),
		"'fieldsurvey conflicts' lists the conflicts with their targets", "'fieldsurvey conflicts' liệt kê các xung đột và mục của chúng")
}

func runConflictsSettle(ctx context.Context, g *globals, ref, targetArgument string, opts conflictsSettleOptions) error {
	if g.flags.db != "" {
		return withHint(fail("settle writes to this device's own store, not to a hub store (--db)",
			"settle ghi vào cơ sở dữ liệu của máy này, không ghi vào kho tổng hợp (--db)"),
			"leave out --db; a supervisor merges batches into their own home ('fieldsurvey merge FILE…') and settles there",
			"bỏ --db; người giám sát gộp các lô vào thư mục làm việc của mình ('fieldsurvey merge TỆP…') rồi giải quyết ở đó")
	}
	switch {
	case opts.takeSet && opts.valueSet:
		return withHint(fail("give either --take N or --value JSON, not both", "chỉ dùng --take N hoặc --value JSON, không dùng cả hai"),
			"--take takes a side as it was; --value writes a new value", "--take chọn nguyên một phía; --value ghi giá trị mới")
	case !opts.takeSet && !opts.valueSet:
		return withHint(fail("say how to settle: --take N (a side as 'fieldsurvey conflicts' numbers it) or --value JSON (a new value)",
			"hãy cho biết cách giải quyết: --take N (một phía như 'fieldsurvey conflicts' đánh số) hoặc --value JSON (giá trị mới)"),
			"see 'fieldsurvey conflicts settle --help'", "xem 'fieldsurvey conflicts settle --help'")
	}
	c, err := g.catalog()
	if err != nil {
		return err
	}
	if err := g.needHome(); err != nil {
		return err
	}
	if g.cfg.Device == "" {
		return withHint(fail("this device has no id", "máy này chưa có mã thiết bị"), "run 'fieldsurvey init'", "chạy 'fieldsurvey init'")
	}
	st, err := g.openStore(store.WithClock(g.now))
	if err != nil {
		return err
	}
	defer st.Close()
	id, err := resolveRecord(ctx, st, ref)
	if err != nil {
		return contextErr(ctx, err)
	}
	state, err := st.Interview(ctx, id)
	if err != nil {
		return contextErr(ctx, failWrap(err, "read interview %s", "đọc phỏng vấn %s", id))
	}
	if state.Assess != nil && opts.valueSet {
		return withHint(fail("%s is an assessment: settle its conflicts with --take N", "%s là một bản đánh giá: giải quyết xung đột bằng --take N", id),
			"or write the new value with 'fieldsurvey assessment import', which replaces both sides",
			"hoặc ghi giá trị mới bằng 'fieldsurvey assessment import', giá trị đó thay thế cả hai phía")
	}
	q := questionnaireOf(c, state)
	t, ok := review.ParseTarget(id, targetArgument)
	if !ok {
		return unknownTarget(targetArgument, id)
	}
	var heads []survey.Revision
	if err := st.View(ctx, func(tx *store.Tx) error {
		heads, err = tx.Heads(t)
		return err
	}); err != nil {
		return contextErr(ctx, failWrap(err, "read interview %s", "đọc phỏng vấn %s", id))
	}
	if len(heads) == 0 && (q == nil || !review.Knows(q, t)) {
		return unknownTarget(targetArgument, id)
	}
	if err := store.CheckConflict(t, heads); err != nil {
		return withHint(err, "'fieldsurvey conflicts' lists what conflicts; an answer without conflict is changed in the interview screen",
			"'fieldsurvey conflicts' liệt kê các xung đột; câu trả lời không có xung đột thì sửa trên màn hình phỏng vấn")
	}
	if err := survey.CheckSettle(g.role(), state.Status.Status, t.Kind); err != nil {
		return failWrap(err, "cannot settle this conflict", "không thể giải quyết xung đột này")
	}
	var value any
	if opts.takeSet {
		if opts.take < 1 || opts.take > len(heads) {
			return withHint(fail("there is no side %d: %s has %d versions (sides 1 to %d)", "không có phía %d: %s có %d phiên bản (phía 1 đến %d)",
				opts.take, survey.TargetText(q, t).Get(g.lang()), len(heads), len(heads)),
				"'fieldsurvey conflicts' numbers the sides", "'fieldsurvey conflicts' đánh số các phía")
		}
		value = heads[opts.take-1].Value
	} else {
		if q == nil && t.Kind != survey.KindInterview {
			return withHint(fail("questionnaire %s version %s is not installed: a new value cannot be checked",
				"bảng hỏi %s phiên bản %s chưa được cài: không thể kiểm tra giá trị mới", state.Meta.Questionnaire, state.Meta.QuestionnaireVersion),
				"add it with 'fieldsurvey questionnaire add FILE', or take a side with --take N",
				"thêm bằng 'fieldsurvey questionnaire add TỆP', hoặc chọn một phía bằng --take N")
		}
		known := func(id, version string) error { _, err := c.Get(id, version); return err }
		value, err = review.SettleValue(q, state, t, opts.value, g.role(), heads, known)
		var ve *review.ValueError
		switch {
		case errors.As(err, &ve):
			return withHint(failWrap(ve.Err, "--value is refused", "--value bị từ chối"),
				"see 'fieldsurvey conflicts settle --help' for the JSON of each target", "xem 'fieldsurvey conflicts settle --help' để biết JSON của từng mục")
		case err != nil:
			var st survey.Status
			if json.Unmarshal([]byte(opts.value), &struct {
				Status *survey.Status `json:"status"`
			}{&st}) == nil && st != "" {
				return failWrap(err, "cannot settle the status as %s", "không thể giải quyết trạng thái thành %s", st)
			}
			return err
		}
	}
	seen := make([]string, len(heads))
	for i, h := range heads {
		seen[i] = h.ID
	}
	author := store.Author{Device: g.cfg.Device, Principal: g.cfg.Assessor.Principal}
	rev, err := st.Settle(ctx, author, t, value, seen)
	if err != nil {
		return contextErr(ctx, failWrap(err, "nothing settled", "chưa giải quyết"))
	}
	entries, err := survey.BuildHistory(q, append(slices.Clone(heads), rev), survey.HistoryOptions{IsServer: g.serverDevice()})
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.ID == rev.ID {
			g.writeHistoryEntry(e, g.historyWidth(), false)
		}
	}
	g.infof("settled %s of interview %s (the %d sides stay in the history)",
		"đã giải quyết %s của phỏng vấn %s (%d phía vẫn còn trong lịch sử)",
		survey.TargetText(nil, t).Get(g.lang()), prefix(id, 8), len(heads))
	return nil
}
