// Package find turns what a person types for an interview or an assessment (its whole id,
// or the beginning of exactly one) into its id, for the commands that take one, or says in
// every language why it cannot and what to do (*survey.UserError): an empty id, none, the
// beginning of several, an assessment where an interview is asked for, an interview held
// here without the change that creates it.
package find

import (
	"context"
	"errors"
	"strings"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/assessment"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
)

// Interview finds the interview whose id is ref or, failing that, begins with ref. An
// interview held without its creation is refused.
func Interview(ctx context.Context, st store.Reader, ref string) (string, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return "", survey.UserErr("empty interview id", "mã phỏng vấn rỗng")
	}
	if s, err := st.Interview(ctx, ref); err == nil {
		if s.Assess != nil {
			return "", survey.UserErr("%s is an assessment, not an interview", "%s là một bản đánh giá, không phải phỏng vấn", ref).
				WithHint("'fieldsurvey assessment show ID' shows it", "'fieldsurvey assessment show MÃ' hiển thị nó")
		}
		if !s.HasMeta() {
			return "", errWaiting(s)
		}
		return ref, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return "", err // the store says what it was reading
	}
	sums, err := st.List(ctx, store.ListOptions{Search: ref})
	if err != nil {
		return "", err
	}
	ids := make([]string, len(sums))
	for i, s := range sums {
		ids[i] = s.ID
	}
	id, err := survey.ByPrefix(ids, ref, survey.T("interview", "phỏng vấn"),
		survey.T("'fieldsurvey interview list' shows the interviews", "'fieldsurvey interview list' liệt kê các cuộc phỏng vấn"))
	if err != nil {
		return "", err
	}
	s, err := st.Interview(ctx, id)
	if err != nil {
		return "", err
	}
	if !s.HasMeta() {
		return "", errWaiting(s)
	}
	return id, nil
}

// errWaiting is the refusal of an interview held without its creation: revisions of it
// arrived (a supervisor's decision merged on a laptop before the interview, or a later
// batch of a device merged on a hub before its first), the change that creates it not yet.
func errWaiting(s *survey.InterviewState) error {
	changes := "changes"
	if s.Revisions == 1 {
		changes = "change"
	}
	return survey.UserErr("interview %[1]s is not here yet, only %[2]d %[3]s of it, kept until the change that creates it arrives",
		"phỏng vấn %[1]s chưa có ở đây, chỉ có %[2]d thay đổi của nó, được giữ lại cho tới khi thay đổi tạo ra phỏng vấn được nhận", s.ID, s.Revisions, changes).WithHint(
		"it arrives with a sync; on a supervisor's home or a hub, with the batches of the device that recorded it ('fieldsurvey merge' says which numbers are missing)",
		"phỏng vấn sẽ đến qua đồng bộ; trên thư mục của người giám sát hoặc kho tổng hợp, qua các lô của thiết bị đã ghi nó ('fieldsurvey merge' cho biết lô số nào còn thiếu)")
}

// Interviews returns the ids of the interviews refs name (ids or their beginnings, as
// Interview), each once, in the order given; with no refs, the ids of every interview (of
// questionnaire, when not empty).
func Interviews(ctx context.Context, st store.Reader, refs []string, questionnaire string) ([]string, error) {
	var ids []string
	if len(refs) == 0 {
		sums, err := st.List(ctx, store.ListOptions{Questionnaire: questionnaire})
		if err != nil {
			return nil, err
		}
		for _, s := range sums {
			ids = append(ids, s.ID)
		}
		return ids, nil
	}
	seen := map[string]bool{}
	for _, ref := range refs {
		id, err := Interview(ctx, st, ref)
		if err != nil {
			return nil, err
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// Record finds an interview or an assessment by its id or the beginning of it (what
// 'conflicts settle' settles); when neither is found, the error is the interview's.
func Record(ctx context.Context, st store.Reader, ref string) (string, error) {
	id, err := Interview(ctx, st, ref)
	if err == nil {
		return id, nil
	}
	if aid, aerr := assessment.Resolve(ctx, st, ref); aerr == nil {
		return aid, nil
	}
	return "", err
}
