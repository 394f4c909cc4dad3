package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/fieldsurvey/fieldsurvey/sync/batch"
)

const batchTestQuestionnaire = `format: fieldsurvey-questionnaire/1
id: mini
version: "1.0"
title: {en: "Mini", vi: "Nhỏ"}
languages: [vi, en]
sections:
  - id: "1"
    title: {en: "One", vi: "Một"}
    questions:
      - id: "1.1"
        type: rating
        text: {en: "Q?", vi: "H?"}
`

func interviewLine(id, rating string) string {
	return `{"format":"fieldsurvey-interview/1","id":"` + id + `","questionnaire":"mini","questionnaire_version":"1.0","status":"draft","respondent":{"agency":"Sở A","province":"Huế","role":"","category":"","date":"","place":"","consent":true},"answers":{"1.1":{"rating":"` + rating + `"}},"sections":{}}` + "\n"
}

// batchHome sets up a device home with the test questionnaire and a principal.
func batchHome(t *testing.T) string {
	t.Helper()
	home := filepath.Join(t.TempDir(), "home")
	mustRun(t, "--home", home, "init", "--principal", "an@example.org")
	q := filepath.Join(t.TempDir(), "mini.yaml")
	os.WriteFile(q, []byte(batchTestQuestionnaire), 0o600)
	mustRun(t, "--home", home, "questionnaire", "add", q)
	return home
}

func mustRun(t *testing.T, args ...string) (string, string) {
	t.Helper()
	out, errOut, code := runCLI(t, context.Background(), append([]string{"--lang", "en"}, args...)...)
	if code != 0 {
		t.Fatalf("fieldsurvey %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out, errOut
}

func importInterviews(t *testing.T, home string, lines ...string) {
	t.Helper()
	f := filepath.Join(t.TempDir(), "iv.jsonl")
	os.WriteFile(f, []byte(strings.Join(lines, "")), 0o600)
	mustRun(t, "--home", home, "interview", "import", f)
}

func inspect(t *testing.T, path string) batch.Manifest {
	t.Helper()
	out, _ := mustRun(t, "batch", "inspect", "--json", path)
	var res []inspectResult
	if err := json.Unmarshal([]byte(out), &res); err != nil || len(res) != 1 {
		t.Fatalf("inspect: %v\n%s", err, out)
	}
	return *res[0].Manifest
}

func outboxFiles(t *testing.T, dir string) []string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(dir, "*"+batch.Ext))
	return m
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o700)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), data, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestBatchCreateSequence(t *testing.T) {
	home := batchHome(t)
	importInterviews(t, home, interviewLine("0193a5b2-7c1e-7000-8000-000000000001", "red"), interviewLine("0193a5b2-7c1e-7000-8000-000000000002", "green"))
	out, _ := mustRun(t, "--home", home, "batch", "create")
	first := strings.TrimSpace(out)
	m1 := inspect(t, first)
	if m1.Sequence != 1 || m1.Revisions != 6 || m1.Interviews != 2 || filepath.Base(first) != outboxName(&m1) {
		t.Fatalf("first batch %s: %+v", first, m1)
	}
	// Only what is new goes into the next batch: a changed answer of iv-1 and a new interview.
	importInterviews(t, home, interviewLine("0193a5b2-7c1e-7000-8000-000000000001", "amber"), interviewLine("0193a5b2-7c1e-7000-8000-000000000003", "amber"))
	out, _ = mustRun(t, "--home", home, "batch", "create")
	m2 := inspect(t, strings.TrimSpace(out))
	if m2.Sequence != 2 || m2.Revisions != 4 || m2.Interviews != 2 {
		t.Fatalf("second batch: %+v", m2)
	}
	// The second batch names the questionnaire of iv-1 although iv-1 was created in batch 1.
	if len(m2.Questionnaires) != 1 || m2.Questionnaires[0] != (batch.QuestionnaireRef{ID: "mini", Version: "1.0"}) {
		t.Errorf("questionnaires %v", m2.Questionnaires)
	}
	_, errOut := mustRun(t, "--home", home, "batch", "create")
	if !strings.Contains(errOut, "nothing to send") || len(outboxFiles(t, filepath.Join(home, outboxDir))) != 2 {
		t.Errorf("third create: %s", errOut)
	}
}

// TestBatchCreateAfterCrash recreates the state a crash between writing the outbox file and
// recording it leaves (the file there, the store not knowing it) and checks the next run:
// the leftover is kept aside, not sent, and the revisions go into a batch with that number.
func TestBatchCreateAfterCrash(t *testing.T) {
	home := batchHome(t)
	importInterviews(t, home, interviewLine("0193a5b2-7c1e-7000-8000-000000000001", "red"))
	crashed := filepath.Join(t.TempDir(), "crashed")
	copyDir(t, home, crashed)
	out, _ := mustRun(t, "--home", home, "batch", "create")
	written := strings.TrimSpace(out)
	// The crashed copy: the same store before the batch, with the file already in its outbox.
	os.MkdirAll(filepath.Join(crashed, outboxDir), 0o700)
	data, _ := os.ReadFile(written)
	leftover := filepath.Join(crashed, outboxDir, filepath.Base(written))
	os.WriteFile(leftover, data, 0o600)

	out, errOut := mustRun(t, "--home", crashed, "batch", "create")
	if !strings.Contains(errOut, "was written but never recorded") {
		t.Errorf("no warning about the leftover: %s", errOut)
	}
	kept := filepath.Join(crashed, outboxDir, uncommittedDir, filepath.Base(written))
	if got, err := os.ReadFile(kept); err != nil || string(got) != string(data) {
		t.Fatalf("leftover not kept in %s: %v", kept, err)
	}
	again := strings.TrimSpace(out)
	m := inspect(t, again)
	if m.Sequence != 1 || m.Revisions != 3 {
		t.Fatalf("batch after the crash: %+v", m)
	}
	// Same device, number and revisions: the same batch id as the one the crash interrupted.
	if m.ID != inspect(t, written).ID {
		t.Errorf("ids differ: %s and %s", m.ID, inspect(t, written).ID)
	}
	if files := outboxFiles(t, filepath.Join(crashed, outboxDir)); len(files) != 1 {
		t.Errorf("outbox holds %v", files)
	}
}

// TestBatchCreateConcurrent runs two batch creates at once: one packs everything, the other
// finds nothing left; the sequence number is used once.
func TestBatchCreateConcurrent(t *testing.T) {
	home := batchHome(t)
	importInterviews(t, home, interviewLine("0193a5b2-7c1e-7000-8000-000000000001", "red"), interviewLine("0193a5b2-7c1e-7000-8000-000000000002", "green"))
	var wg sync.WaitGroup
	outs := make([]string, 2)
	codes := make([]int, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[i], _, codes[i] = runCLI(t, context.Background(), "--lang", "en", "--home", home, "batch", "create")
		}()
	}
	wg.Wait()
	if codes[0] != 0 || codes[1] != 0 {
		t.Fatalf("exit codes %v", codes)
	}
	files := outboxFiles(t, filepath.Join(home, outboxDir))
	if len(files) != 1 || strings.TrimSpace(outs[0]+outs[1]) != files[0] {
		t.Fatalf("outbox %v, outputs %q", files, outs)
	}
	if m := inspect(t, files[0]); m.Sequence != 1 || m.Revisions != 6 {
		t.Errorf("batch %+v", m)
	}
}

func TestProgressLine(t *testing.T) {
	if got := progressLine(5, 20, "000005-abc.fsbatch", 10); got != "[##........] 5/20 000005-abc.fsbatch" {
		t.Errorf("got %q", got)
	}
	if got := progressLine(0, 0, strings.Repeat("x", 50), 4); got != "[....] 0/0 "+strings.Repeat("x", 39)+"…" {
		t.Errorf("got %q", got)
	}
	// Not a terminal: nothing is drawn.
	var b strings.Builder
	p := newProgress(&b, 100)
	p.show(3, "x")
	p.clear()
	if b.Len() != 0 {
		t.Errorf("drew %q on a non-terminal", b.String())
	}
}

func TestSetYAMLString(t *testing.T) {
	in := "# top comment\nassessor:\n  # who\n  name: \"An\"\n  principal: \"\"\nlanguage: \"vi\" # lang\n"
	out, changed, err := setYAMLString([]byte(in), "assessor", "principal", "Nguyễn Văn An")
	if err != nil || !changed {
		t.Fatal(err)
	}
	for _, want := range []string{"# top comment\n", "  # who\n", `  principal: "Nguyễn Văn An"`, `language: "vi" # lang`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	if _, changed, _ := setYAMLString(out, "assessor", "principal", "Nguyễn Văn An"); changed {
		t.Error("setting the same value changed the file")
	}
	out, _, err = setYAMLString([]byte("language: en\n"), "assessor", "principal", "a@b")
	if err != nil || !strings.Contains(string(out), "assessor:\n  principal: \"a@b\"\n") {
		t.Errorf("new section: %v\n%s", err, out)
	}
	if _, _, err := setYAMLString([]byte("assessor: 3\n"), "assessor", "principal", "a"); err == nil {
		t.Error("a scalar section was overwritten")
	}
}
