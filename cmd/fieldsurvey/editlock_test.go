package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/fieldsurvey/fieldsurvey/internal/editlock"
)

// TestSecondWindowOnOneInterviewIsRefused (issue 11.1): while one window edits an interview,
// a second window (here the line mode) on the same interview is refused before it reads or
// writes anything, with a message naming the first window; once the first lets go, the
// second can open it.
func TestSecondWindowOnOneInterviewIsRefused(t *testing.T) {
	ctx := context.Background()
	home := t.TempDir()
	const id = "0193a5b2-7c1e-7000-8000-0000000000e1"
	rec := `{"format":"fieldsurvey-interview/1","id":"` + id + `","questionnaire":"example","questionnaire_version":"1.0.0","assessor":"An","status":"draft","respondent":{"agency":"Sở Y tế","province":"Huế","role":"Giám đốc","category":"agency","date":"2026-11-20","place":"Huế","consent":true},"answers":{},"sections":{}}` + "\n"
	file := filepath.Join(t.TempDir(), "one.jsonl")
	if err := os.WriteFile(file, []byte(rec), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := runCLI(t, ctx, "--home", home, "interview", "import", file); code != 0 {
		t.Fatalf("import: %d %s", code, errOut)
	}
	before, _, _ := runCLI(t, ctx, "--home", home, "interview", "export")

	first, err := editlock.Acquire(editlock.Dir(filepath.Join(home, storeFileName)), id, "fieldsurvey collect")
	if err != nil {
		t.Fatal(err)
	}
	second := func() (string, int) {
		var out, errb strings.Builder
		code := run(ctx, []string{"--home", home, "--lang", "en", "collect", "--accessible", "--interview", id},
			strings.NewReader("1\nthe second window's answer\n"), &out, &errb)
		return errb.String(), code
	}
	errOut, code := second()
	want := "is open in another window (fieldsurvey collect, process " + strconv.Itoa(os.Getpid())
	if code == 0 || !strings.Contains(errOut, want) || !strings.Contains(errOut, "close it there first") {
		t.Fatalf("second window: exit %d, stderr %q; want a refusal naming the first window", code, errOut)
	}
	if after, _, _ := runCLI(t, ctx, "--home", home, "interview", "export"); after != before {
		t.Fatalf("the refused window changed the interview:\n%s\n%s", before, after)
	}
	if err := first.Release(); err != nil {
		t.Fatal(err)
	}
	if errOut, _ := second(); strings.Contains(errOut, "another window") {
		t.Fatalf("after the first window closed: %s", errOut)
	}
	if _, err := editlock.Acquire(editlock.Dir(filepath.Join(home, storeFileName)), id, "x"); errors.Is(err, editlock.ErrHeld) {
		t.Fatal("the line mode kept the lock after it ended")
	}
}
