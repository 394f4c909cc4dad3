package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/fieldsurvey/fieldsurvey/questionnaires"
	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/find"
	"github.com/fieldsurvey/fieldsurvey/survey/upgrade"
)

type interviewUpgradeOptions struct {
	to     string
	dryRun bool
	json   bool
}

func newInterviewUpgradeCommand(g *globals) *cobra.Command {
	var opts interviewUpgradeOptions
	cmd := &cobra.Command{
		Use:   "upgrade ID",
		Short: "Move a draft to a newer version of its questionnaire · Chuyển bản nháp sang phiên bản bảng hỏi mới",
		Long: `upgrade moves an interview in progress (a draft, or one returned or reopened) to a newer
version of its questionnaire, as that version declares in its migrates_from block: answers
to renamed questions move to their new ids, choice codes are recoded, the overall rating
and comment of a renamed section move with it, ratings on a changed scale are recoded as
the version maps them, and answers whose question no longer exists are listed and kept (in
the interview and its history). It prints
what changes; --dry-run prints it and writes nothing. The upgrade is one change by this
device, which travels with the next sync or batch. Completed, submitted and approved
interviews keep their version.

upgrade chuyển một cuộc phỏng vấn đang làm (bản nháp, hoặc bị trả lại, được mở lại) sang
phiên bản mới hơn của bảng hỏi theo khai báo migrates_from: câu trả lời của câu hỏi đổi mã
được chuyển sang mã mới, mã lựa chọn được đổi, đánh giá chung và nhận xét của phần đổi mã đi
theo phần đó, mức đánh giá trên thang đã thay đổi được quy đổi theo khai báo của phiên bản,
câu trả lời không còn câu hỏi được liệt kê và giữ lại. --dry-run chỉ in, không ghi. Phỏng vấn đã hoàn thành, đã gửi, đã duyệt giữ phiên
bản của chúng.`,
		Example: `  fieldsurvey interview upgrade 0193a5b2 --dry-run
  fieldsurvey interview upgrade 0193a5b2
  fieldsurvey interview upgrade 0193a5b2 --to 2.0`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runInterviewUpgrade(cmd.Context(), g, args[0], opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.to, "to", "", "the version to move to (default: the newest that declares how) · phiên bản đích")
	f.BoolVar(&opts.dryRun, "dry-run", false, "print what would change, write nothing · chỉ in, không ghi")
	f.BoolVar(&opts.json, "json", false, "print JSON · in dạng JSON")
	return cmd
}

// upgradeInfo is `interview upgrade --json`.
type upgradeInfo struct {
	Interview     string               `json:"interview"`
	Questionnaire string               `json:"questionnaire"`
	From          string               `json:"from"`
	To            string               `json:"to"`
	Moved         []survey.Move        `json:"moved"`
	Recoded       []survey.Recode      `json:"recoded"`
	Orphaned      []survey.Orphan      `json:"orphaned"`
	Sections      []string             `json:"orphaned_sections"`
	MovedSections []survey.SectionMove `json:"moved_sections"`
	Rerated       []survey.Rerate      `json:"rerated"`
	KeptRatings   []survey.KeptRating  `json:"kept_ratings"`
	DryRun        bool                 `json:"dry_run"`
	Revisions     int                  `json:"revisions"`
}

func runInterviewUpgrade(ctx context.Context, g *globals, ref string, opts interviewUpgradeOptions) error {
	if !opts.dryRun {
		if err := refuseHubWrite(g, "interview upgrade"); err != nil {
			return err
		}
		if err := g.needHome(); err != nil {
			return err
		}
	}
	cat, err := g.catalog()
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
	var u *survey.Upgrade
	var revs []survey.Revision
	if opts.dryRun {
		u, err = upgrade.Plan(ctx, st, cat, id, opts.to)
	} else {
		by, aerr := g.author()
		if aerr != nil {
			return aerr
		}
		u, revs, err = upgrade.Apply(ctx, st, cat, by, id, opts.to)
	}
	if err != nil {
		return contextErr(ctx, upgradeError(id, err))
	}
	if opts.json {
		return writeJSON(g.stdout, upgradeInfo{Interview: id, Questionnaire: u.Questionnaire, From: u.From, To: u.To,
			Moved: emptyIfNil(u.Moved), Recoded: emptyIfNil(u.Recoded), Orphaned: emptyIfNil(u.Orphaned), Sections: emptyIfNil(u.OrphanedSections),
			MovedSections: emptyIfNil(u.MovedSections), Rerated: emptyIfNil(u.Rerated), KeptRatings: emptyIfNil(u.KeptRatings),
			DryRun: opts.dryRun, Revisions: len(revs)})
	}
	for _, line := range u.Describe() {
		fmt.Fprintln(g.stdout, line.Get(g.lang()))
	}
	if opts.dryRun {
		g.infof("dry run: nothing written; run it again without --dry-run to upgrade",
			"chạy thử: chưa ghi gì; chạy lại không có --dry-run để chuyển phiên bản")
		return nil
	}
	g.infof("interview %s is now on %s version %s (%d %s written; they travel with the next sync or batch)",
		"phỏng vấn %[1]s nay dùng %[2]s phiên bản %[3]s (đã ghi %[4]d thay đổi; được gửi đi ở lần đồng bộ hoặc gói dữ liệu tiếp theo)",
		id, u.Questionnaire, u.To, len(revs), plural(len(revs), "change", "changes"))
	return nil
}

func emptyIfNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// upgradeError says why an interview cannot be upgraded, and what to do.
func upgradeError(id string, err error) error {
	var rule *survey.RuleError
	switch {
	case errors.As(err, &rule):
		msg := rule.Text()
		return &survey.UserError{Msg: survey.T(fmt.Sprintf("interview %s: %s; nothing changed", id, msg.Get(survey.LangEN)),
			fmt.Sprintf("phỏng vấn %s: %s; không có gì thay đổi", id, msg.Get(survey.LangVI)))}
	case errors.Is(err, survey.ErrNoUpgrade), errors.Is(err, questionnaires.ErrNotFound):
		return withHint(failWrap(err, "interview %s cannot be upgraded; nothing changed", "không thể chuyển phiên bản phỏng vấn %s; không có gì thay đổi", id),
			"'fieldsurvey questionnaire list' shows the versions this device holds; a newer one arrives with 'fieldsurvey sync' or 'questionnaire add'",
			"'fieldsurvey questionnaire list' liệt kê các phiên bản máy này có; phiên bản mới đến qua 'fieldsurvey sync' hoặc 'questionnaire add'")
	}
	return failWrap(err, "upgrade interview %s", "chuyển phiên bản phỏng vấn %s", id)
}
