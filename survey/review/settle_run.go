package review

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
)

// SettleRequest is one settlement as `conflicts settle` asks for it: write Value (JSON)
// when it is given, else take side Take (as Conflicts numbers the sides, from 1).
type SettleRequest struct {
	ID     string  // the interview or assessment (its whole id)
	Target string  // the TARGET argument (see ParseTarget)
	Take   int     // the side to take, when Value is nil
	Value  *string // the new value as JSON, or nil
	Role   survey.Role
	Author store.Author // the home's own device and principal
}

// Settled is what Settle wrote: the settlement, and the sides it replaced.
type Settled struct {
	Target        survey.Target
	Rev           survey.Revision
	Heads         []survey.Revision
	Questionnaire *survey.Questionnaire // nil when not installed
}

// SettleError is a settlement refused, or a failure while reading or writing: what went
// wrong (Msg, may be empty), the cause (Err, may be nil) and what to do (Hint, may be
// empty), in every language. Nothing was written.
type SettleError = survey.UserError

func refuseSettle(err error, hintEN, hintVI string, en, vi string, args ...any) *SettleError {
	e := &SettleError{Err: err}
	if en != "" {
		e.Msg = survey.T(fmt.Sprintf(en, args...), fmt.Sprintf(vi, args...))
	}
	if hintEN != "" {
		e.Hint = survey.T(hintEN, hintVI)
	}
	return e
}

func unknownTarget(arg, id string) *SettleError {
	return refuseSettle(nil, "'fieldsurvey conflicts' lists the conflicts with their targets", "'fieldsurvey conflicts' liệt kê các xung đột và mục của chúng",
		"unknown target %q in interview %s: expected a question id (7.1), section:ID, respondent, status or interview",
		"mục %q không có trong phỏng vấn %s: cần là mã câu hỏi (7.1), section:MÃ, respondent, status hoặc interview", arg, id)
}

// Settle settles the conflict req names in st: it checks, before anything is written, that
// the target is one of the interview, that it has a conflict, that req.Role may settle it
// (survey.CheckSettle), and that side Take exists or Value is accepted by the questionnaire
// (SettleValue; an assessment is settled by taking a side only); then it writes one
// revision by req.Author replacing every side (store.Settle). get looks questionnaires
// up. Every refusal is a *SettleError.
func Settle(ctx context.Context, st *store.Store, get Lookup, req SettleRequest) (*Settled, error) {
	id := req.ID
	state, err := st.Interview(ctx, id)
	if err != nil {
		return nil, refuseSettle(err, "", "", "read interview %s", "đọc phỏng vấn %s", id)
	}
	if state.Assess != nil && req.Value != nil {
		return nil, refuseSettle(nil, "or write the new value with 'fieldsurvey assessment import', which replaces both sides",
			"hoặc ghi giá trị mới bằng 'fieldsurvey assessment import', giá trị đó thay thế cả hai phía",
			"%s is an assessment: settle its conflicts with --take N", "%s là một bản đánh giá: giải quyết xung đột bằng --take N", id)
	}
	q := QuestionnaireOf(get, state)
	t, ok := ParseTarget(id, req.Target)
	if !ok {
		return nil, unknownTarget(req.Target, id)
	}
	var heads []survey.Revision
	if err := st.View(ctx, func(tx *store.Tx) error {
		heads, err = tx.Heads(t)
		return err
	}); err != nil {
		return nil, refuseSettle(err, "", "", "read interview %s", "đọc phỏng vấn %s", id)
	}
	if len(heads) == 0 && (q == nil || !Knows(q, t)) {
		return nil, unknownTarget(req.Target, id)
	}
	if err := store.CheckConflict(t, heads); err != nil {
		return nil, refuseSettle(err, "'fieldsurvey conflicts' lists what conflicts; an answer without conflict is changed in the interview screen",
			"'fieldsurvey conflicts' liệt kê các xung đột; câu trả lời không có xung đột thì sửa trên màn hình phỏng vấn", "", "")
	}
	if err := survey.CheckSettle(req.Role, state.Status.Status, t.Kind); err != nil {
		return nil, refuseSettle(err, "", "", "cannot settle this conflict", "không thể giải quyết xung đột này")
	}
	var value any
	if req.Value == nil {
		if req.Take < 1 || req.Take > len(heads) {
			tt := survey.TargetText(q, t)
			return nil, &SettleError{
				Msg: survey.T(fmt.Sprintf("there is no side %d: %s has %d versions (sides 1 to %d)", req.Take, tt.Get(survey.LangEN), len(heads), len(heads)),
					fmt.Sprintf("không có phía %d: %s có %d phiên bản (phía 1 đến %d)", req.Take, tt.Get(survey.LangVI), len(heads), len(heads))),
				Hint: survey.T("'fieldsurvey conflicts' numbers the sides", "'fieldsurvey conflicts' đánh số các phía")}
		}
		value = heads[req.Take-1].Value
	} else {
		if q == nil && t.Kind != survey.KindInterview {
			return nil, refuseSettle(nil, "add it with 'fieldsurvey questionnaire add FILE', or take a side with --take N",
				"thêm bằng 'fieldsurvey questionnaire add TỆP', hoặc chọn một phía bằng --take N",
				"questionnaire %s version %s is not installed: a new value cannot be checked",
				"bảng hỏi %s phiên bản %s chưa được cài: không thể kiểm tra giá trị mới", state.Meta.Questionnaire, state.Meta.QuestionnaireVersion)
		}
		known := func(id, version string) error { _, err := get(id, version); return err }
		value, err = SettleValue(q, state, t, *req.Value, req.Role, heads, known)
		var ve *ValueError
		switch {
		case errors.As(err, &ve):
			return nil, refuseSettle(ve.Err, "see 'fieldsurvey conflicts settle --help' for the JSON of each target",
				"xem 'fieldsurvey conflicts settle --help' để biết JSON của từng mục", "--value is refused", "--value bị từ chối")
		case err != nil:
			var to survey.Status
			if json.Unmarshal([]byte(*req.Value), &struct {
				Status *survey.Status `json:"status"`
			}{&to}) == nil && to != "" {
				return nil, refuseSettle(err, "", "", "cannot settle the status as %s", "không thể giải quyết trạng thái thành %s", to)
			}
			return nil, &SettleError{Err: err}
		}
	}
	seen := make([]string, len(heads))
	for i, h := range heads {
		seen[i] = h.ID
	}
	rev, err := st.Settle(ctx, req.Author, t, value, seen)
	if err != nil {
		return nil, refuseSettle(err, "", "", "nothing settled", "chưa giải quyết")
	}
	return &Settled{Target: t, Rev: rev, Heads: heads, Questionnaire: q}, nil
}
