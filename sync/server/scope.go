package server

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/sync/wire"
)

// scoped is what a supervisor's batch does that the device's scope must cover (see
// Server.checkScope): the interviews it decides on (approved, returned, reopened), and
// those it assigns, with the provinces the batch itself gives them.
type scoped struct {
	decided  []string
	assigned []string
	// given holds, for each assigned interview, the provinces of the respondent revisions
	// the batch holds of it (a planned interview's province comes in the same batch as its
	// creation, see survey/assign.Changes; the server does not hold it yet).
	given map[string][]string
}

// scopedOf returns what the revisions dev made in revs do that its scope must cover. An
// assignment is a revision of an interview's creation (survey.InterviewMeta) naming an
// Assignee: the server makes the assignee's devices follow it (see assigneesTx), so a
// supervisor may make one only in its provinces. Revisions of other devices the batch
// relays were checked when their own device sent them.
func scopedOf(dev Device, revs []survey.Revision) scoped {
	sc := scoped{given: map[string][]string{}}
	for _, r := range revs {
		if r.Device != dev.ID {
			continue
		}
		switch r.Kind {
		case survey.KindStatus:
			var st survey.StatusChange
			if json.Unmarshal(r.Value, &st) == nil && st.Status.IsDecision() && !slices.Contains(sc.decided, r.Interview) {
				sc.decided = append(sc.decided, r.Interview)
			}
		case survey.KindInterview:
			var m survey.InterviewMeta
			if json.Unmarshal(r.Value, &m) == nil && m.Assigned() && !slices.Contains(sc.assigned, r.Interview) {
				sc.assigned = append(sc.assigned, r.Interview)
			}
		}
	}
	for _, r := range revs {
		if r.Kind != survey.KindRespondent || !slices.Contains(sc.assigned, r.Interview) {
			continue
		}
		var resp survey.Respondent
		if json.Unmarshal(r.Value, &resp) == nil {
			sc.given[r.Interview] = append(sc.given[r.Interview], resp.Province)
		}
	}
	return sc
}

// checkAssigned refuses the first assignment outside dev's scope: one of whose provinces
// (those the batch gives, and the one the server holds, provs) the scope does not cover,
// or that has none. scope is dev's scope as shown in messages.
func (sc scoped) checkAssigned(dev Device, provs map[string]string, scope string) error {
	reason := survey.T("assignment outside the supervisor's provinces", "phân công ngoài các tỉnh của người giám sát")
	for _, iv := range sc.assigned {
		ps := sc.given[iv]
		if p, ok := provs[iv]; ok {
			ps = append(ps, p)
		}
		if len(ps) == 0 {
			return contentError(wire.CodeOutOfScope, reason, survey.T(
				fmt.Sprintf("the batch assigns interview %s without its province, and the server does not hold it, so it cannot check that it is in this supervisor's provinces (%s)", clip(iv, 64), scope),
				fmt.Sprintf("lô dữ liệu phân công cuộc phỏng vấn %s mà không có tỉnh, và máy chủ chưa có nó, nên không thể kiểm tra nó thuộc các tỉnh của người giám sát này (%s)", clip(iv, 64), scope)))
		}
		for _, p := range ps {
			if !dev.Covers(p) {
				return contentError(wire.CodeOutOfScope, reason, survey.T(
					fmt.Sprintf("interview %s, assigned by this supervisor, is in %q, outside its provinces (%s)", clip(iv, 64), p, scope),
					fmt.Sprintf("cuộc phỏng vấn %s, do người giám sát này phân công, ở %q, ngoài các tỉnh của họ (%s)", clip(iv, 64), p, scope)))
			}
		}
	}
	return nil
}
