package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/fieldsurvey/fieldsurvey/questionnaires"
	"github.com/fieldsurvey/fieldsurvey/survey"
)

type conflictsOptions struct {
	json bool
}

func newConflictsCommand(g *globals) *cobra.Command {
	var opts conflictsOptions
	cmd := &cobra.Command{
		Use:   "conflicts",
		Short: "List answers with two versions, both sides shown · Liệt kê các câu trả lời có hai phiên bản",
		Long: `conflicts lists every answer, section summary, respondent block or status that two people
changed independently (a target with two heads), with both sides: device, author, time,
rating or value, and comment. Nothing is lost: both are kept until a new revision settles
them. Use --db to look at a hub store.

conflicts liệt kê mọi câu trả lời, tóm tắt phần, thông tin người trả lời hoặc trạng thái
mà hai người đã sửa độc lập, hiển thị cả hai phía: thiết bị, người sửa, thời gian, mức
đánh giá hoặc giá trị, và nhận xét. Không mất gì: cả hai được giữ lại.`,
		Example: `  fieldsurvey conflicts --db hub.db
  fieldsurvey conflicts --db hub.db --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runConflicts(cmd.Context(), g, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.json, "json", false, "print the conflicts as JSON · in dạng JSON")
	return cmd
}

type conflictSide struct {
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
	for _, cf := range conflicts {
		s, ok := states[cf.Target.Interview]
		if !ok {
			if s, err = st.Interview(ctx, cf.Target.Interview); err != nil {
				return failWrap(err, "read interview %s", "đọc phỏng vấn %s", cf.Target.Interview)
			}
			states[cf.Target.Interview] = s
		}
		cj := conflictJSON{Interview: cf.Target.Interview, Agency: s.Respondent.Agency, Province: s.Respondent.Province,
			Kind: cf.Target.Kind, Key: cf.Target.Key, Question: questionText(c, s, cf.Target, g.lang())}
		for _, h := range cf.Heads {
			rep := h.Replaces
			if rep == nil {
				rep = []string{}
			}
			cj.Heads = append(cj.Heads, conflictSide{ID: h.ID, Device: h.Device, Author: h.Author,
				Time: h.Time.UTC().Format(survey.TimeFormat), Value: h.Value, Replaces: rep})
		}
		out = append(out, cj)
	}
	if opts.json {
		return writeJSON(g.stdout, out)
	}
	if len(out) == 0 {
		g.infof("no conflicts", "không có xung đột")
		return nil
	}
	for i, cj := range out {
		if i > 0 {
			fmt.Fprintln(g.stdout)
		}
		where := strings.Trim(cj.Agency+", "+cj.Province, ", ")
		fmt.Fprintf(g.stdout, "%s · %s · %s\n", cj.Interview, where, targetText(g, cj))
		for j, h := range conflicts[i].Heads {
			fmt.Fprintf(g.stdout, "  [%d] %s · %s %s · %s · %s\n", j+1, h.Time.UTC().Format("2006-01-02 15:04"),
				g.t("device", "thiết bị"), h.Device, orDash(h.Author), valueText(g, h))
		}
	}
	g.infof("%d conflicts; a new change to each settles it", "%d xung đột; sửa lại từng mục sẽ giải quyết xung đột đó", len(out))
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// questionText is the question's text when the interview's questionnaire is known.
func questionText(c *questionnaires.Catalog, s *survey.InterviewState, t survey.Target, lang string) string {
	if t.Kind != survey.KindAnswer || !s.HasMeta() {
		return ""
	}
	q, err := c.Get(s.Meta.Questionnaire, s.Meta.QuestionnaireVersion)
	if err != nil {
		return ""
	}
	if qu, ok := q.Question(t.Key); ok {
		return qu.Text.Get(lang)
	}
	return ""
}

func targetText(g *globals, cj conflictJSON) string {
	switch cj.Kind {
	case survey.KindAnswer:
		s := g.t("answer ", "câu trả lời ") + cj.Key
		if cj.Question != "" {
			s += " — " + cj.Question
		}
		return s
	case survey.KindSection:
		return g.t("summary of section ", "tóm tắt phần ") + cj.Key
	case survey.KindStatus:
		return g.t("status", "trạng thái")
	case survey.KindRespondent:
		return g.t("respondent", "người trả lời")
	case survey.KindInterview:
		return g.t("interview record", "thông tin cuộc phỏng vấn")
	}
	return string(cj.Kind)
}

// valueText says what one side holds.
func valueText(g *globals, r survey.Revision) string {
	quote := func(s string) string {
		if s == "" {
			return ""
		}
		return fmt.Sprintf(" · %q", s)
	}
	switch r.Kind {
	case survey.KindAnswer:
		var a survey.Answer
		if json.Unmarshal(r.Value, &a) == nil {
			var parts []string
			if a.Rating != "" {
				parts = append(parts, g.t("rating ", "mức ")+string(a.Rating))
			}
			if a.Value != nil {
				parts = append(parts, g.t("value ", "giá trị ")+fmt.Sprint(a.Value))
			}
			if len(a.Evidence) > 0 {
				parts = append(parts, fmt.Sprintf(g.t("%d evidence", "%d bằng chứng"), len(a.Evidence)))
			}
			if len(parts) == 0 {
				parts = append(parts, g.t("cleared", "đã xoá"))
			}
			return strings.Join(parts, ", ") + quote(a.Comment)
		}
	case survey.KindSection:
		var s survey.SectionSummary
		if json.Unmarshal(r.Value, &s) == nil {
			return g.t("rating ", "mức ") + orDash(string(s.Rating)) + quote(s.Comment)
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
	}
	return string(r.Value)
}
