package store

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// Errors of Settle; test with errors.Is. The error itself is a *SettleError that says what
// is wrong in every language.
var (
	// ErrNoConflict: the target has no two heads that disagree, so there is nothing to
	// settle (edit it as usual).
	ErrNoConflict = errors.New("no conflict to settle")
	// ErrStaleConflict: the heads of the target are no longer the ones the caller saw (a
	// merge or a sync brought another version, or someone settled it meanwhile).
	ErrStaleConflict = errors.New("the conflict changed since it was listed")
)

// SettleError is a refusal of Settle: which target, why (ErrNoConflict or
// ErrStaleConflict), and the message in every language.
type SettleError struct {
	Target survey.Target
	Err    error
	Msg    survey.Text
}

func (e *SettleError) Error() string { return e.Msg.Get(survey.LangEN) }

// Unwrap returns ErrNoConflict or ErrStaleConflict.
func (e *SettleError) Unwrap() error { return e.Err }

// Text returns the message in every language.
func (e *SettleError) Text() survey.Text { return e.Msg }

// CheckConflict returns nil when heads (the heads of target t) disagree, and otherwise the
// *SettleError (wrapping ErrNoConflict) that Settle would return: a caller that checks a
// new value before settling refuses a target without conflict first, with the same words.
func CheckConflict(t survey.Target, heads []survey.Revision) error {
	if survey.Disagree(heads) {
		return nil
	}
	what := survey.TargetText(nil, t)
	msg := survey.T(fmt.Sprintf("%s of interview %s has no conflict to settle: it has one version", what.Get(survey.LangEN), t.Interview),
		fmt.Sprintf("%s của phỏng vấn %s không có xung đột cần giải quyết: chỉ có một phiên bản", what.Get(survey.LangVI), t.Interview))
	if len(heads) > 1 {
		msg = survey.T(fmt.Sprintf("%s of interview %s has no conflict to settle: its %d versions are the same", what.Get(survey.LangEN), t.Interview, len(heads)),
			fmt.Sprintf("%s của phỏng vấn %s không có xung đột cần giải quyết: %d phiên bản giống nhau", what.Get(survey.LangVI), t.Interview, len(heads)))
	}
	if len(heads) == 0 {
		msg = survey.T(fmt.Sprintf("%s of interview %s has no conflict to settle: it has no value yet", what.Get(survey.LangEN), t.Interview),
			fmt.Sprintf("%s của phỏng vấn %s không có xung đột cần giải quyết: chưa có giá trị nào", what.Get(survey.LangVI), t.Interview))
	}
	return &SettleError{Target: t, Err: ErrNoConflict, Msg: msg}
}

// Settle is Tx.Settle in its own durable transaction.
func (s *Store) Settle(ctx context.Context, by Author, t survey.Target, value any, seen []string) (survey.Revision, error) {
	var out survey.Revision
	err := s.Update(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.Settle(by, t, value, seen)
		return err
	})
	if err != nil {
		return survey.Revision{}, err
	}
	return out, nil
}

// Settle writes value as the settlement of the conflict of target t: one revision made by
// by that replaces every head of t. seen are the ids of the heads the caller showed (the
// sides of the conflict as listed); if the heads are no longer exactly those, nothing is
// written and the error wraps ErrStaleConflict, so that nobody settles a version they have
// not seen. A target whose heads agree (or that has one head, or none) is refused with
// ErrNoConflict. Afterwards t has one head, the returned revision, and no conflict.
//
// Settle does not check value against the questionnaire: callers do (the command line
// checks it like an import; the screens take a side or use their editors).
func (tx *Tx) Settle(by Author, t survey.Target, value any, seen []string) (survey.Revision, error) {
	if tx.readOnly {
		return survey.Revision{}, fmt.Errorf("settle: %w", ErrReadOnly)
	}
	if err := checkTarget(t); err != nil {
		return survey.Revision{}, fmt.Errorf("settle: %w", err)
	}
	heads, err := tx.Heads(t)
	if err != nil {
		return survey.Revision{}, fmt.Errorf("settle: %w", err)
	}
	if err := CheckConflict(t, heads); err != nil {
		return survey.Revision{}, err
	}
	what := survey.TargetText(nil, t)
	cur := make([]string, len(heads))
	for i, h := range heads {
		cur[i] = h.ID
	}
	want := slices.Compact(slices.Sorted(slices.Values(seen)))
	if !slices.Equal(slices.Sorted(slices.Values(cur)), want) {
		return survey.Revision{}, &SettleError{Target: t, Err: ErrStaleConflict, Msg: survey.T(
			fmt.Sprintf("the conflict of %s of interview %s changed since it was listed (it now has %d versions); nothing was written: look at it again", what.Get(survey.LangEN), t.Interview, len(heads)),
			fmt.Sprintf("xung đột của %s của phỏng vấn %s đã thay đổi từ khi được liệt kê (hiện có %d phiên bản); chưa ghi gì: hãy xem lại", what.Get(survey.LangVI), t.Interview, len(heads)))}
	}
	out, err := tx.Put(by, survey.Change{Target: t, Value: value})
	if err != nil {
		return survey.Revision{}, fmt.Errorf("settle %s: %w", t, err)
	}
	if len(out) != 1 {
		// Put writes a change unless it equals a single head; t has several.
		return survey.Revision{}, fmt.Errorf("settle %s: wrote %d revisions, want 1", t, len(out))
	}
	return out[0], nil
}
