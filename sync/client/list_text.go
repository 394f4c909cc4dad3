package client

import (
	"path/filepath"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// Describe says in lang what 'batch list' shows of b: its state (waiting, sent, REFUSED)
// and its details: where a waiting batch is, when the server received a sent one (local
// time), why the server refused a refused one (its reason and sentence), or why the file
// cannot be read; prefixed with the file's name when its manifest could not be read.
func (b BatchInfo) Describe(lang string) (state, details string) {
	t := func(en, vi string) string { return survey.T(en, vi).Get(lang) }
	switch b.State {
	case BatchWaiting:
		state, details = t("waiting", "đang chờ"), t("in the outbox", "trong outbox")
	case BatchSent:
		state = t("sent", "đã gửi")
		if !b.Received.IsZero() {
			details = t("received by the server ", "máy chủ nhận lúc ") + b.Received.Local().Format("2006-01-02 15:04")
		}
	case BatchRefused:
		state = t("REFUSED", "BỊ TỪ CHỐI")
		if b.Refusal != nil {
			details = b.Refusal.Reason.Get(lang) + ": " + b.Refusal.Message.Get(lang)
		}
	}
	if b.Problem != "" {
		p := b.Problem
		if !b.problem.Empty() {
			p = b.problem.Get(lang)
		}
		details = t("cannot be read: ", "không đọc được: ") + p
	}
	if b.Batch == "" {
		details = filepath.Base(b.File) + ": " + details
	}
	return state, details
}
