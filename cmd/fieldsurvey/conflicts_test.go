package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
)

// TestSettleStatusFollowsTheReviewRules: a status conflict (completed on one laptop, draft
// on another) is settled by a supervisor, but not into an approval while an answer is in
// conflict too, nor into a return without a reason; an assessor may not settle it at all.
func TestSettleStatusFollowsTheReviewRules(t *testing.T) {
	ctx := context.Background()
	home := t.TempDir()
	t.Setenv("FIELDSURVEY_HOME", home)
	id := "0193a5b2-7c1e-7000-8000-000000000077"
	rec := `{"format":"fieldsurvey-interview/1","id":"` + id + `","questionnaire":"example","questionnaire_version":"1.0.0","status":"completed",` +
		`"respondent":{"agency":"Sở Y tế","province":"Huế","consent":true},"answers":{"1.1":{"value":"ministry"}},"sections":{}}`
	in := filepath.Join(home, "one.jsonl")
	if err := writeFileAtomic(in, []byte(rec+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := runCLI(t, ctx, "--lang", "en", "interview", "import", in); code != 0 {
		t.Fatal(errOut)
	}
	// Another laptop recorded the same interview independently: a draft, another answer.
	st, err := store.Open(filepath.Join(home, storeFileName))
	if err != nil {
		t.Fatal(err)
	}
	status := survey.Target{Interview: id, Kind: survey.KindStatus}
	answer := survey.Target{Interview: id, Kind: survey.KindAnswer, Key: "1.1"}
	at := time.Now().Add(time.Minute)
	r1, _ := survey.NewRevision(status, survey.StatusChange{Status: survey.StatusDraft}, "lap-b", 1, at, "binh", nil)
	r2, _ := survey.NewRevision(answer, survey.Answer{Value: "agency"}, "lap-b", 2, at, "binh", nil)
	if _, err := st.Append(ctx, r1, r2); err != nil {
		t.Fatal(err)
	}
	st.Close()

	settle := func(value string) (string, int) {
		_, errOut, code := runCLI(t, ctx, "--lang", "en", "conflicts", "settle", id[:8], "status", "--value", value)
		return errOut, code
	}
	t.Setenv("FIELDSURVEY_ROLE", "assessor")
	if errOut, code := settle(`{"status":"completed"}`); code != 1 || !strings.Contains(errOut, "a conflict of the status is settled by a supervisor") {
		t.Fatalf("an assessor settled the status (exit %d): %s", code, errOut)
	}
	t.Setenv("FIELDSURVEY_ROLE", "supervisor")
	if errOut, code := settle(`{"status":"approved"}`); code != 1 || !strings.Contains(errOut, "cannot settle the status as approved: the interview has 1 conflicting answer") {
		t.Fatalf("approved while an answer conflicts (exit %d): %s", code, errOut)
	}
	if errOut, code := settle(`{"status":"returned"}`); code != 1 || !strings.Contains(errOut, "status returned needs a reason") {
		t.Fatalf("returned without a reason (exit %d): %s", code, errOut)
	}
	if _, _, code := runCLI(t, ctx, "conflicts"); code != exitConflicts {
		t.Fatalf("conflicts exit %d before settling, want %d", code, exitConflicts)
	}
	if errOut, code := settle(`{"status":"returned","reason":"câu 1.1 có hai câu trả lời"}`); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	out, _, _ := runCLI(t, ctx, "interview", "show", id, "--json")
	if !strings.Contains(out, `"status": "returned"`) || !strings.Contains(out, `"status_reason": "câu 1.1 có hai câu trả lời"`) {
		t.Fatalf("after settling: %s", out)
	}
}
