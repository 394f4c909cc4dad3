package server

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// The group commit on PostgreSQL reads an interview's province and status heads from its
// revisions without folding it (memInterview.province, statusHeads): they must be what
// survey.Fold makes of the same revisions, conflicts included.
func TestMemInterviewAgreesWithFold(t *testing.T) {
	const iv = "0193a5b2-7c1e-7000-8000-000000000001"
	t0 := time.Date(2026, 12, 5, 8, 0, 0, 0, time.UTC)
	m := &memInterview{id: iv, ids: map[string]bool{}}
	add := func(kind survey.Kind, v any, device string, counter uint64, at time.Duration, replaces ...survey.Revision) survey.Revision {
		t.Helper()
		ids := make([]string, len(replaces))
		for i, r := range replaces {
			ids[i] = r.ID
		}
		r, err := survey.NewRevision(survey.Target{Interview: iv, Kind: kind}, v, device, counter, t0.Add(at), device, ids)
		if err != nil {
			t.Fatal(err)
		}
		m.add(r, "")
		return r
	}
	check := func(step string) {
		t.Helper()
		revs := make([]survey.Revision, len(m.revs))
		for i, r := range m.revs {
			revs[i] = r.Revision
		}
		states, err := survey.Fold(revs)
		if err != nil {
			t.Fatal(err)
		}
		st := states[iv]
		if st == nil {
			st = survey.NewInterviewState(iv)
		}
		prov, err := m.province()
		if err != nil {
			t.Fatal(err)
		}
		if prov != st.Respondent.Province {
			t.Errorf("%s: province %q, the fold says %q", step, prov, st.Respondent.Province)
		}
		heads := m.statusHeads()
		want := st.Heads[survey.Target{Interview: iv, Kind: survey.KindStatus}]
		var got []string
		for _, h := range heads {
			got = append(got, h.ID)
		}
		if len(got) != len(want) || (len(got) > 0 && got[0] != want[0]) {
			t.Errorf("%s: status heads %v, the fold says %v", step, got, want)
		}
		if len(heads) > 0 && st.Status.Status != statusOf(t, heads[0]) {
			t.Errorf("%s: newest status head %s, the fold says %s", step, statusOf(t, heads[0]), st.Status.Status)
		}
	}
	check("no revisions")
	r1 := add(survey.KindRespondent, survey.Respondent{Agency: "Sở Tư pháp", Province: "Huế"}, "laptop-1", 1, 0)
	check("one respondent")
	r2 := add(survey.KindRespondent, survey.Respondent{Agency: "Sở Tư pháp", Province: "Đà Nẵng"}, "laptop-1", 2, time.Minute, r1)
	check("respondent changed")
	add(survey.KindRespondent, survey.Respondent{Agency: "Sở Tư pháp", Province: "Quảng Nam"}, "laptop-2", 1, 2*time.Minute, r1)
	check("respondent in conflict")
	add(survey.KindRespondent, survey.Respondent{Agency: "Sở Tư pháp", Province: "Hà Nội"}, "laptop-3", 1, -time.Minute, r2)
	check("an older head in conflict")
	s1 := add(survey.KindStatus, survey.StatusChange{Status: survey.StatusCompleted}, "laptop-1", 3, 3*time.Minute)
	check("completed")
	add(survey.KindStatus, survey.StatusChange{Status: survey.StatusSubmitted}, "server", 1, 4*time.Minute, s1)
	check("submitted")
	add(survey.KindStatus, survey.StatusChange{Status: survey.StatusCompleted}, "laptop-2", 2, 5*time.Minute, s1)
	check("status in conflict")
}

func statusOf(t *testing.T, r survey.Revision) survey.Status {
	t.Helper()
	var v survey.StatusChange
	if err := json.Unmarshal(r.Value, &v); err != nil {
		t.Fatal(err)
	}
	return v.Status
}
