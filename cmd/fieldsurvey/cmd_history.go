package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/find"
	"github.com/fieldsurvey/fieldsurvey/survey/review"
	"github.com/fieldsurvey/fieldsurvey/sync/client"
	"github.com/fieldsurvey/fieldsurvey/sync/server"
)

type interviewHistoryOptions struct {
	json bool
}

func newInterviewHistoryCommand(g *globals) *cobra.Command {
	var opts interviewHistoryOptions
	cmd := &cobra.Command{
		Use:   "history ID",
		Short: "Every change of an interview: who, when, what, why · Mọi thay đổi của một cuộc phỏng vấn",
		Long: `history prints every revision of an interview in causal order (a revision after those it
replaces; otherwise by time): who made it (principal and device, or the server), when,
which target, and what changed from the value it replaced — ratings by their label in
your language, comments, reasons and other texts word by word ([-removed-] {+added+}),
evidence item by item, statuses with their reasons. A settlement lists every side it
replaced, numbered as 'fieldsurvey conflicts' numbered them. ID may be the beginning of
the id. Use --db to read a hub store.

--json prints {"format": "fieldsurvey-history/1", "interview", "questionnaire",
"questionnaire_version", "entries": [...]}; each entry has id, kind, key, principal,
device, server (true for the central server's own revisions), time (UTC), value (as
stored), replaces (ids), settles (true when it replaced two or more versions) and from:
one element per replaced version, newest first (a first value has one with an empty id),
each with id, principal, device, time, same (the value was taken unchanged), missing (the
replaced revision is not in this store yet) and changes: [{field, old, new, words, items}]
— field is rating, value, comment, probes, evidence, status, reason, agency, province,
role, category, date, place, consent, questionnaire, assessor or device; old and new in
machine form (codes); words the word diff [{op: "=", "-" or "+", text}]; items the
evidence changes [{op: "+", "-" or "~", index, old, new, changes}]. Fields may be added.

history in mọi phiên bản của một cuộc phỏng vấn theo thứ tự nhân quả: ai sửa (người và
thiết bị, hoặc máy chủ), khi nào, mục nào, và thay đổi gì so với giá trị trước — mức đánh
giá theo nhãn, nhận xét và lý do theo từng từ ([-bỏ-] {+thêm+}), bằng chứng theo từng mục,
trạng thái kèm lý do. Một lần giải quyết xung đột liệt kê mọi phía mà nó thay thế.`,
		Example: `  fieldsurvey interview history 0193a5b2
  fieldsurvey --lang en interview history 0193a5b2 --json
  fieldsurvey interview history --db hub.db 0193a5b2`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runInterviewHistory(cmd.Context(), g, args[0], opts)
		},
	}
	cmd.Flags().BoolVar(&opts.json, "json", false, "print the history as JSON (format above) · in dạng JSON")
	return cmd
}

func runInterviewHistory(ctx context.Context, g *globals, ref string, opts interviewHistoryOptions) error {
	c, err := g.catalog()
	if err != nil {
		return err
	}
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
	revs, err := st.Revisions(ctx, id)
	if err != nil {
		return contextErr(ctx, failWrap(err, "read the history of %s", "đọc lịch sử của %s", id))
	}
	q := review.QuestionnaireOf(c.Get, state)
	if q == nil && state.HasMeta() && !opts.json {
		g.warn(fmt.Sprintf(g.t("questionnaire %s %s is not installed: questions are shown by id and ratings by code",
			"bảng hỏi %s %s chưa được cài: câu hỏi hiện theo mã, mức đánh giá theo mã"), state.Meta.Questionnaire, state.Meta.QuestionnaireVersion))
	}
	entries, err := survey.BuildHistory(q, revs, survey.HistoryOptions{IsServer: g.serverDevice()})
	if err != nil {
		return failWrap(err, "read the history of %s", "đọc lịch sử của %s", id)
	}
	if opts.json {
		return writeJSON(g.stdout, survey.NewHistoryDoc(id, state.Meta, entries))
	}
	fmt.Fprintln(g.stdout, survey.HistoryTitle(id, state, q, len(entries), g.lang()))
	width := g.historyWidth()
	for _, e := range entries {
		fmt.Fprintln(g.stdout)
		g.writeHistoryEntry(e, width, false)
	}
	return nil
}

// serverDevice recognises the central server's device: the one of the key pinned at
// enrolment; on a home that is not enrolled (a supervisor fed by USB), any device id that
// begins with "server-" (the form server.ServerDevice gives).
func (g *globals) serverDevice() func(string) bool {
	if e, err := client.LoadEnrolment(g.home); err == nil {
		if pub, err := e.PublicKey(); err == nil {
			dev := server.ServerDevice(pub)
			return func(d string) bool { return d == dev }
		}
	}
	return func(d string) bool { return strings.HasPrefix(d, "server-") }
}

// historyWidth is the width history is wrapped to: the terminal's, else 80.
func (g *globals) historyWidth() int {
	if fd, ok := g.stdoutTerminal(); ok {
		if w, _, err := term.GetSize(fd); err == nil && w >= 40 {
			return w
		}
	}
	return 80
}

// writeHistoryEntry writes e to stdout, its lines wrapped to width (a continuation two
// spaces further in), coloured when colour is on.
func (g *globals) writeHistoryEntry(e survey.HistoryEntry, width int, noTarget bool) {
	_ = survey.WriteHistoryEntry(g.stdout, e, survey.RenderOptions{Lang: g.lang(), NoTarget: noTarget}, width, ansi.StringWidth, g.historyPainter())
}

// historyPainter styles the spans of a history line for stdout: plain text when colour
// is off (the text reads the same: removed and added words carry their marks).
func (g *globals) historyPainter() func(survey.Span) string {
	if !g.colorEnabled() {
		return func(s survey.Span) string { return s.Text }
	}
	r := newRenderer(g.stdout)
	st := map[survey.SpanKind]lipgloss.Style{
		survey.SpanMeta:     r.NewStyle().Foreground(lipgloss.Color("245")),
		survey.SpanWhat:     r.NewStyle().Bold(true),
		survey.SpanDeleted:  r.NewStyle().Foreground(lipgloss.Color("160")),
		survey.SpanInserted: r.NewStyle().Foreground(lipgloss.Color("34")),
		survey.SpanSettle:   r.NewStyle().Bold(true).Foreground(lipgloss.Color("214")),
	}
	rating := newStyler(r)
	return func(s survey.Span) string {
		if s.Kind == survey.SpanRating {
			return rating(s.Code, s.Text)
		}
		if x, ok := st[s.Kind]; ok {
			return x.Render(s.Text)
		}
		return s.Text
	}
}
