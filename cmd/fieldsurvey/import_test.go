package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// An import with many bad lines prints the first 50 problems and how many more there are,
// not thousands of lines.
func TestImportProblemsCapped(t *testing.T) {
	home := batchHome(t)
	var lines []string
	for i := range 120 {
		lines = append(lines, interviewLine(fmt.Sprintf("0193a5b2-7c1e-7000-8000-%012d", i), "purple"))
	}
	f := filepath.Join(t.TempDir(), "bad.jsonl")
	os.WriteFile(f, []byte(strings.Join(lines, "")), 0o600)
	_, errOut, code := runCLI(t, context.Background(), "--lang", "en", "--home", home, "interview", "import", f)
	if code == 0 {
		t.Fatal("imported")
	}
	problems := regexp.MustCompile(`(?m)^`+regexp.QuoteMeta(f)+`:\d+: answers.1.1.rating: unknown rating "purple"$`).FindAllString(errOut, -1)
	if len(problems) != 50 {
		t.Errorf("%d problem lines printed, want the first 50:\n%s", len(problems), errOut)
	}
	if !strings.Contains(errOut, f+":50: ") || strings.Contains(errOut, f+":51: ") {
		t.Errorf("not the first 50:\n%s", errOut)
	}
	for _, want := range []string{"fieldsurvey: note: 70 more problems not shown\n", "fieldsurvey: error: nothing imported: 120 problems in " + f + "\n"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("missing %q in:\n%s", want, errOut)
		}
	}
	if n := strings.Count(errOut, "\n"); n > 55 {
		t.Errorf("%d lines of output", n)
	}
}

// An answer larger than any receiver takes is refused at import, with its size and the
// limit, and nothing is imported.
func TestImportRefusesOversize(t *testing.T) {
	home := batchHome(t)
	big := strings.Replace(interviewLine("0193a5b2-7c1e-7000-8000-000000000001", "red"), `"rating":"red"`, `"rating":"red","comment":"`+strings.Repeat("Đ", 1_000_000)+`"`, 1)
	f := filepath.Join(t.TempDir(), "big.jsonl")
	os.WriteFile(f, []byte(big+interviewLine("0193a5b2-7c1e-7000-8000-000000000002", "red")), 0o600)
	_, errOut, code := runCLI(t, context.Background(), "--lang", "en", "--home", home, "interview", "import", f)
	if code == 0 || !strings.Contains(errOut, f+":1: answers.1.1: 2.0 MB, over the limit of 1 MB for one change\n") ||
		!strings.Contains(errOut, "nothing imported: 1 problem in") {
		t.Fatalf("exit %d:\n%s", code, errOut)
	}
	out, _ := mustRun(t, "--home", home, "interview", "list", "--json")
	if strings.TrimSpace(out) != "[]" {
		t.Errorf("imported: %s", out)
	}
}
