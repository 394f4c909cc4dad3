package survey

import (
	"errors"
	"fmt"
	"strings"
)

// Role is what a key may do to interviews. The role of a device is set when its home is
// made (`fieldsurvey init --role`) and, for a device enrolled with a server, by the
// enrolment token; the server's own key acts for the administrator.
type Role string

// The roles.
const (
	// RoleAssessor records interviews: creates, answers, completes, settles conflicts of
	// its own drafts and returned interviews. It never approves, returns or reopens.
	RoleAssessor Role = "assessor"
	// RoleSupervisor reviews: approves, returns and reopens interviews, settles conflicts
	// of any interview not yet approved, hands out assignments.
	RoleSupervisor Role = "supervisor"
	// RoleServer is the central server's own key: the administrator's local decisions and
	// the "submitted" mark of interviews that reach the server.
	RoleServer Role = "server"
)

// Roles lists the roles a home can have.
var Roles = []Role{RoleAssessor, RoleSupervisor}

// ParseRole accepts "assessor" and "supervisor" (and "" as assessor).
func ParseRole(s string) (Role, error) {
	switch Role(strings.ToLower(strings.TrimSpace(s))) {
	case "", RoleAssessor:
		return RoleAssessor, nil
	case RoleSupervisor:
		return RoleSupervisor, nil
	}
	return "", fmt.Errorf("unknown role %q (expected assessor or supervisor)", s)
}

// Decides reports whether r may approve, return and reopen interviews.
func (r Role) Decides() bool { return r == RoleSupervisor || r == RoleServer }

// Label returns the human label of r.
func (r Role) Label() Text {
	switch r {
	case RoleAssessor:
		return T("assessor", "người đánh giá")
	case RoleSupervisor:
		return T("supervisor", "người giám sát")
	case RoleServer:
		return T("server", "máy chủ")
	}
	return T(string(r), string(r))
}

// IsDecision reports whether s is a status only a supervisor (or the server) sets:
// approved, returned or reopened.
func (s Status) IsDecision() bool {
	return s == StatusApproved || s == StatusReturned || s == StatusReopened
}

// NeedsReason reports whether a change to status s must say why (a return or a reopening:
// the assessor reads it).
func (s Status) NeedsReason() bool { return s == StatusReturned || s == StatusReopened }

// ErrNotAllowed is wrapped by every refusal of CheckDecision, CheckEdit and CheckSettle.
var ErrNotAllowed = errors.New("not allowed")

// RuleError is a refusal by the rules of the review cycle: what is refused and why, in
// every language. It wraps ErrNotAllowed.
type RuleError struct {
	Msg Text
}

func (e *RuleError) Error() string { return e.Msg.Get(LangEN) }

// Unwrap returns ErrNotAllowed.
func (e *RuleError) Unwrap() error { return ErrNotAllowed }

// Text returns the message in every language.
func (e *RuleError) Text() Text { return e.Msg }

func refuse(en, vi string) error { return &RuleError{Msg: T(en, vi)} }

// CheckDecision says whether a key of role may move an interview whose status is cur and
// which has conflicts conflicting answers to status to, with reason:
//   - only supervisors and the server decide;
//   - approve takes a completed, submitted or resubmitted interview without conflicts;
//   - return takes a completed, submitted or resubmitted interview, with a reason;
//   - reopen takes an approved interview, with a reason.
func CheckDecision(role Role, cur Status, conflicts int, to Status, reason string) error {
	vi := func(s Status) string { return s.Label().Get(LangVI) }
	if !to.IsDecision() {
		return refuse(fmt.Sprintf("a decision approves, returns or reopens an interview, not %q", to),
			fmt.Sprintf("quyết định là duyệt, trả lại hoặc mở lại phỏng vấn, không phải %q", to))
	}
	if !role.Decides() {
		return refuse(fmt.Sprintf("only a supervisor can set an interview %s; this key is an %s's", to, role),
			fmt.Sprintf("chỉ người giám sát mới có thể chuyển phỏng vấn sang trạng thái %s; khoá này là của %s", vi(to), role.Label().Get(LangVI)))
	}
	if to.NeedsReason() && strings.TrimSpace(reason) == "" {
		return refuse(fmt.Sprintf("say why the interview is %s: the assessor reads it", to),
			fmt.Sprintf("hãy nêu lý do phỏng vấn %s: người đánh giá sẽ đọc lý do này", vi(to)))
	}
	switch to {
	case StatusApproved:
		if !cur.AwaitsDecision() {
			return refuse(fmt.Sprintf("the interview is %s; only a completed, submitted or resubmitted interview can be approved", cur),
				fmt.Sprintf("phỏng vấn đang ở trạng thái %s; chỉ phỏng vấn đã hoàn thành, đã gửi hoặc đã nộp lại mới được duyệt", vi(cur)))
		}
		if conflicts == 1 {
			return refuse("the interview has 1 conflicting answer; settle it first (fieldsurvey conflicts settle) or return it",
				"phỏng vấn có 1 câu trả lời xung đột; hãy giải quyết trước (fieldsurvey conflicts settle) hoặc trả lại")
		}
		if conflicts > 1 {
			return refuse(fmt.Sprintf("the interview has %d conflicting answers; settle them first (fieldsurvey conflicts settle) or return it", conflicts),
				fmt.Sprintf("phỏng vấn có %d câu trả lời xung đột; hãy giải quyết trước (fieldsurvey conflicts settle) hoặc trả lại", conflicts))
		}
	case StatusReturned:
		if !cur.AwaitsDecision() {
			return refuse(fmt.Sprintf("the interview is %s; only a completed, submitted or resubmitted interview can be returned (an approved one is reopened)", cur),
				fmt.Sprintf("phỏng vấn đang ở trạng thái %s; chỉ phỏng vấn đã hoàn thành, đã gửi hoặc đã nộp lại mới được trả lại (phỏng vấn đã duyệt thì mở lại)", vi(cur)))
		}
	case StatusReopened:
		if cur != StatusApproved {
			return refuse(fmt.Sprintf("the interview is %s; only an approved interview can be reopened", cur),
				fmt.Sprintf("phỏng vấn đang ở trạng thái %s; chỉ phỏng vấn đã duyệt mới được mở lại", vi(cur)))
		}
	}
	return nil
}

// CheckEdit says whether a key of role may change the answers, sections or respondent of
// an interview whose status is cur: the assessor while it is a draft, returned or
// reopened; a supervisor while it is not approved (to settle conflicts).
func CheckEdit(role Role, cur Status) error {
	switch {
	case role == RoleAssessor && AssessorEditable(cur):
		return nil
	case role.Decides() && cur != StatusApproved:
		return nil
	case role.Decides():
		return refuse("the interview is approved; reopen it first to change it",
			"phỏng vấn đã được duyệt; hãy mở lại trước khi sửa")
	}
	return refuse(fmt.Sprintf("the interview is %s; an assessor changes only drafts and interviews returned or reopened by a supervisor", cur),
		fmt.Sprintf("phỏng vấn đang ở trạng thái %s; người đánh giá chỉ sửa bản nháp và phỏng vấn bị trả lại hoặc được mở lại", cur.Label().Get(LangVI)))
}

// AssessorEditable reports whether an assessor may change an interview whose status is s.
func AssessorEditable(s Status) bool {
	return s == StatusDraft || s == StatusReturned || s == StatusReopened || s == ""
}

// CheckSettle says whether a key of role may settle a conflict of kind in an interview
// whose status is cur: whoever may edit it (CheckEdit). A conflict of the status itself is
// settled by a supervisor (or the server) only, whatever the status.
func CheckSettle(role Role, cur Status, kind Kind) error {
	if kind == KindStatus {
		if !role.Decides() {
			return refuse("a conflict of the status is settled by a supervisor",
				"xung đột về trạng thái do người giám sát giải quyết")
		}
		return nil
	}
	return CheckEdit(role, cur)
}
