package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/spf13/cobra"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/find"
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
	st, err := g.openReader(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	conflicts, err := review.Conflicts(ctx, st, c.Get)
	if err != nil {
		return contextErr(ctx, failWrap(err, "read conflicts", "đọc xung đột"))
	}
	out := []conflictJSON{}
	for _, cf := range conflicts {
		cj := conflictJSON{Interview: cf.Target.Interview, Agency: cf.State.Respondent.Agency, Province: cf.State.Respondent.Province,
			Kind: cf.Target.Kind, Key: cf.Target.Key, Target: review.TargetArg(cf.Target), Question: cf.Question(g.lang())}
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
		var ids []string
		for _, cf := range conflicts {
			if !slices.Contains(ids, cf.Target.Interview) {
				ids = append(ids, cf.Target.Interview)
			}
		}
		short := shortIDs(ids)
		width := g.historyWidth()
		line := func(indent int, text string) {
			for _, l := range (survey.Line{Indent: indent, Spans: []survey.Span{{Text: text}}}).Wrap(width, ansi.StringWidth) {
				fmt.Fprintln(g.stdout, l.String())
			}
		}
		for i, cf := range conflicts {
			if i > 0 {
				fmt.Fprintln(g.stdout)
			}
			where := strings.Trim(cf.State.Respondent.Agency+", "+cf.State.Respondent.Province, ", ")
			line(0, cf.Target.Interview+" · "+where)
			line(2, survey.TargetText(cf.Questionnaire, cf.Target).Get(g.lang()))
			for j, h := range cf.Heads {
				line(2, fmt.Sprintf("[%d] %s · %s %s · %s", j+1, review.OrDash(h.Author), g.t("device", "thiết bị"), h.Device,
					h.Time.UTC().Format("2006-01-02 15:04")))
				line(6, review.SideText(cf.Questionnaire, h, g.lang()))
			}
			line(2, fmt.Sprintf("%s: fieldsurvey conflicts settle %s %s --take N", g.t("settle", "giải quyết"), short[cf.Target.Interview], review.TargetArg(cf.Target)))
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
	id, err := find.Record(ctx, st, ref)
	if err != nil {
		return contextErr(ctx, err)
	}
	req := review.SettleRequest{ID: id, Target: targetArgument, Role: g.role(),
		Author: store.Author{Device: g.cfg.Device, Principal: g.cfg.Assessor.Principal}}
	if opts.valueSet {
		req.Value = &opts.value
	} else {
		req.Take = opts.take
	}
	res, err := review.Settle(ctx, st, c.Get, req)
	if err != nil {
		var se *review.SettleError
		if errors.As(err, &se) {
			err = se
		}
		return contextErr(ctx, err)
	}
	entries, err := survey.BuildHistory(res.Questionnaire, append(slices.Clone(res.Heads), res.Rev), survey.HistoryOptions{IsServer: g.serverDevice()})
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.ID == res.Rev.ID {
			g.writeHistoryEntry(e, g.historyWidth(), false)
		}
	}
	g.infof("settled %s of interview %s (the %d sides stay in the history)",
		"đã giải quyết %s của phỏng vấn %s (%d phía vẫn còn trong lịch sử)",
		survey.TargetText(nil, res.Target).Get(g.lang()), prefix(id, 8), len(res.Heads))
	return nil
}
