package survey

import (
	"errors"
	"testing"
)

func TestCheckDecision(t *testing.T) {
	cases := []struct {
		role      Role
		cur       Status
		conflicts int
		to        Status
		reason    string
		ok        bool
	}{
		{RoleSupervisor, StatusCompleted, 0, StatusApproved, "", true},
		{RoleSupervisor, StatusSubmitted, 0, StatusApproved, "", true},
		{RoleServer, StatusSubmitted, 0, StatusApproved, "", true},
		{RoleAssessor, StatusSubmitted, 0, StatusApproved, "", false},
		{RoleSupervisor, StatusSubmitted, 1, StatusApproved, "", false},
		{RoleSupervisor, StatusDraft, 0, StatusApproved, "", false},
		{RoleSupervisor, StatusReturned, 0, StatusApproved, "", false},
		{RoleSupervisor, StatusSubmitted, 0, StatusReturned, "fix 7.1", true},
		{RoleSupervisor, StatusSubmitted, 3, StatusReturned, "fix 7.1", true},
		{RoleSupervisor, StatusSubmitted, 0, StatusReturned, "  ", false},
		{RoleSupervisor, StatusApproved, 0, StatusReturned, "x", false},
		{RoleSupervisor, StatusApproved, 0, StatusReopened, "new evidence", true},
		{RoleSupervisor, StatusApproved, 0, StatusReopened, "", false},
		{RoleSupervisor, StatusSubmitted, 0, StatusReopened, "x", false},
		{RoleAssessor, StatusApproved, 0, StatusReopened, "x", false},
		{RoleSupervisor, StatusSubmitted, 0, StatusCompleted, "", false},
		{RoleSupervisor, StatusResubmitted, 0, StatusApproved, "", true},
		{RoleSupervisor, StatusResubmitted, 2, StatusApproved, "", false},
		{RoleSupervisor, StatusResubmitted, 0, StatusReturned, "7.1 still has no evidence", true},
		{RoleSupervisor, StatusResubmitted, 0, StatusReturned, "", false},
		{RoleAssessor, StatusResubmitted, 0, StatusApproved, "", false},
		{RoleSupervisor, StatusResubmitted, 0, StatusReopened, "x", false},
	}
	for _, c := range cases {
		err := CheckDecision(c.role, c.cur, c.conflicts, c.to, c.reason)
		if (err == nil) != c.ok {
			t.Errorf("CheckDecision(%s, %s, %d, %s, %q) = %v, want ok=%v", c.role, c.cur, c.conflicts, c.to, c.reason, err, c.ok)
		}
		if err != nil {
			var re *RuleError
			if !errors.Is(err, ErrNotAllowed) || !errors.As(err, &re) || re.Text().Get(LangVI) == "" || re.Text().Get(LangVI) == re.Text().Get(LangEN) {
				t.Errorf("CheckDecision(%s, %s → %s): error %v is not a RuleError in both languages", c.role, c.cur, c.to, err)
			}
		}
	}
}

func TestCheckEditAndSettle(t *testing.T) {
	for _, c := range []struct {
		role Role
		cur  Status
		kind Kind
		edit bool
		set  bool
	}{
		{RoleAssessor, StatusDraft, KindAnswer, true, true},
		{RoleAssessor, StatusReturned, KindAnswer, true, true},
		{RoleAssessor, StatusReopened, KindAnswer, true, true},
		{RoleAssessor, StatusCompleted, KindAnswer, false, false},
		{RoleAssessor, StatusSubmitted, KindAnswer, false, false},
		{RoleAssessor, StatusApproved, KindAnswer, false, false},
		{RoleAssessor, StatusDraft, KindStatus, true, false},
		{RoleSupervisor, StatusSubmitted, KindAnswer, true, true},
		{RoleSupervisor, StatusDraft, KindAnswer, true, true},
		{RoleSupervisor, StatusApproved, KindAnswer, false, false},
		{RoleSupervisor, StatusApproved, KindStatus, false, true},
		{RoleSupervisor, StatusSubmitted, KindStatus, true, true},
		{RoleAssessor, StatusResubmitted, KindAnswer, false, false},
		{RoleSupervisor, StatusResubmitted, KindAnswer, true, true},
	} {
		if err := CheckEdit(c.role, c.cur); (err == nil) != c.edit {
			t.Errorf("CheckEdit(%s, %s) = %v, want ok=%v", c.role, c.cur, err, c.edit)
		}
		if err := CheckSettle(c.role, c.cur, c.kind); (err == nil) != c.set {
			t.Errorf("CheckSettle(%s, %s, %s) = %v, want ok=%v", c.role, c.cur, c.kind, err, c.set)
		}
	}
}

func TestParseRole(t *testing.T) {
	for in, want := range map[string]Role{"": RoleAssessor, "assessor": RoleAssessor, "Supervisor": RoleSupervisor} {
		if got, err := ParseRole(in); err != nil || got != want {
			t.Errorf("ParseRole(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseRole("boss"); err == nil {
		t.Error("ParseRole(boss) succeeded")
	}
}
