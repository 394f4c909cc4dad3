package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
	"github.com/fieldsurvey/fieldsurvey/sync/batch"
	"github.com/fieldsurvey/fieldsurvey/sync/client"
	"github.com/fieldsurvey/fieldsurvey/sync/usb"
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
	var res []usb.Inspected
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
	if m1.Sequence != 1 || m1.Revisions != 6 || m1.Interviews != 2 || filepath.Base(first) != client.OutboxName(&m1) {
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
	if !strings.Contains(errOut, "nothing to send") || len(outboxFiles(t, filepath.Join(home, client.OutboxDir))) != 2 {
		t.Errorf("third create: %s", errOut)
	}
}

// crashedHome returns a copy of home as a crash between writing the outbox file and
// recording it leaves it: the store before `batch create`, the file already in its outbox.
// It returns the copy and the bytes of the batch that create wrote in home.
func crashedHome(t *testing.T, home string) (string, string, []byte) {
	t.Helper()
	crashed := filepath.Join(t.TempDir(), "crashed")
	copyDir(t, home, crashed)
	out, _ := mustRun(t, "--home", home, "batch", "create")
	written := strings.TrimSpace(out)
	os.MkdirAll(filepath.Join(crashed, client.OutboxDir), 0o700)
	data, err := os.ReadFile(written)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(crashed, client.OutboxDir, filepath.Base(written)), data, 0o600)
	return crashed, written, data
}

// TestBatchCreateAfterCrash: the next run after such a crash records the file left in the
// outbox as the batch it is (same number, same id, the same bytes: a receiver that already
// saw it, say from a sync running meanwhile, sees the same batch again), and packs only
// what is new into the next batch.
func TestBatchCreateAfterCrash(t *testing.T) {
	home := batchHome(t)
	importInterviews(t, home, interviewLine("0193a5b2-7c1e-7000-8000-000000000001", "red"))
	crashed, written, data := crashedHome(t, home)

	out, errOut := mustRun(t, "--home", crashed, "batch", "create")
	again := strings.TrimSpace(out)
	if filepath.Base(again) != filepath.Base(written) {
		t.Fatalf("after the crash: %s, want the leftover %s\n%s", again, filepath.Base(written), errOut)
	}
	if got, err := os.ReadFile(again); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("the batch after the crash has other bytes than the one written before it (%v)", err)
	}
	if _, err := os.Stat(filepath.Join(crashed, client.UncommittedDir)); err == nil {
		t.Error("the leftover was moved aside")
	}
	if !strings.Contains(errOut, "batch 1: 3 revisions") {
		t.Errorf("messages: %s", errOut)
	}
	_, errOut = mustRun(t, "--home", crashed, "batch", "create")
	if !strings.Contains(errOut, "nothing to send") {
		t.Errorf("the leftover's revisions are still pending: %s", errOut)
	}
	// Changes made after a crash go into the next batch; the leftover keeps its number.
	importInterviews(t, crashed, interviewLine("0193a5b2-7c1e-7000-8000-000000000002", "red"))
	crashed2, written2, data2 := crashedHome(t, crashed)
	importInterviews(t, crashed2, interviewLine("0193a5b2-7c1e-7000-8000-000000000001", "green"))
	out, _ = mustRun(t, "--home", crashed2, "batch", "create")
	files := strings.Fields(out)
	if len(files) != 2 || filepath.Base(files[0]) != filepath.Base(written2) {
		t.Fatalf("after the crash and a change: %v, want the leftover %s first", files, filepath.Base(written2))
	}
	if got, _ := os.ReadFile(files[0]); !bytes.Equal(got, data2) {
		t.Error("the leftover's bytes changed")
	}
	if m := inspect(t, files[1]); m.Sequence != 3 || m.Revisions != 1 {
		t.Errorf("the new batch: %+v", m)
	}
}

// Revisions that no receiver would take (made before the checks existed: an interview id
// that is not a UUID) stay on the device with a warning; the rest is sent.
func TestBatchCreateLeavesWhatCannotTravel(t *testing.T) {
	home := batchHome(t)
	importInterviews(t, home, interviewLine("0193a5b2-7c1e-7000-8000-000000000001", "red"))
	st, err := store.Open(filepath.Join(home, storeFileName))
	if err != nil {
		t.Fatal(err)
	}
	_, err = st.Put(context.Background(), store.Author{Device: "legacy"}, survey.Change{
		Target: survey.Target{Interview: "iv-1", Kind: survey.KindInterview}, Value: survey.InterviewMeta{Questionnaire: "mini", QuestionnaireVersion: "1.0"}})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	out, errOut := mustRun(t, "--home", home, "batch", "create")
	if m := inspect(t, strings.TrimSpace(out)); m.Revisions != 3 || m.Interviews != 1 {
		t.Errorf("batch %+v", m)
	}
	if !strings.Contains(errOut, `warning: interview "iv-1": 1 change cannot be sent and stays on this device: revision `) || !strings.Contains(errOut, `: interview id "iv-1" is not a UUID`) {
		t.Errorf("no warning:\n%s", errOut)
	}
	_, errOut = mustRun(t, "--home", home, "batch", "create")
	if !strings.Contains(errOut, "nothing to send") || !strings.Contains(errOut, "cannot be sent") {
		t.Errorf("second run:\n%s", errOut)
	}
}

// A leftover that is not the next run's batch (another device's file, say) is kept aside in
// outbox/uncommitted, not sent, and its number is used by a new batch.
func TestBatchCreateQuarantinesAForeignLeftover(t *testing.T) {
	home := batchHome(t)
	other := batchHome(t)
	importInterviews(t, home, interviewLine("0193a5b2-7c1e-7000-8000-000000000001", "red"))
	importInterviews(t, other, interviewLine("0193a5b2-7c1e-7000-8000-000000000009", "red"))
	out, _ := mustRun(t, "--home", other, "batch", "create")
	foreign := strings.TrimSpace(out)
	data, _ := os.ReadFile(foreign)
	os.MkdirAll(filepath.Join(home, client.OutboxDir), 0o700)
	os.WriteFile(filepath.Join(home, client.OutboxDir, filepath.Base(foreign)), data, 0o600)
	out, errOut := mustRun(t, "--home", home, "batch", "create")
	if !strings.Contains(errOut, "was written but never recorded") {
		t.Errorf("no warning about the leftover: %s", errOut)
	}
	if got, err := os.ReadFile(filepath.Join(home, client.UncommittedDir, filepath.Base(foreign))); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("leftover not kept aside: %v", err)
	}
	if m := inspect(t, strings.TrimSpace(out)); m.Sequence != 1 || m.Revisions != 3 {
		t.Errorf("batch %+v", m)
	}
}

// batch create --out after a copy that failed (or a stick taken out too early): the next
// run copies the batches no earlier --out copied, even with nothing new to pack, and leaves
// those already carried away alone.
func TestBatchCreateOutCopiesWhatIsMissing(t *testing.T) {
	home := batchHome(t)
	stick, other := t.TempDir(), t.TempDir()
	importInterviews(t, home, interviewLine("0193a5b2-7c1e-7000-8000-000000000001", "red"))
	mustRun(t, "--home", home, "batch", "create", "--out", stick)
	// The second batch is made, but its copy fails: the stick holds a file of that name.
	importInterviews(t, home, interviewLine("0193a5b2-7c1e-7000-8000-000000000002", "red"))
	out, _ := mustRun(t, "--home", home, "batch", "create")
	second := strings.TrimSpace(out)
	want := filepath.Join(other, filepath.Base(second))
	os.WriteFile(want, []byte("not the batch"), 0o600)
	_, errOut, code := runCLI(t, context.Background(), "--lang", "en", "--home", home, "batch", "create", "--out", other)
	if code == 0 || !strings.Contains(errOut, "already exists") || !strings.Contains(errOut, "run this command again") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if got, _ := os.ReadFile(want); string(got) != "not the batch" {
		t.Fatal("a file on the stick was overwritten")
	}
	// The other file moved away, the next run copies batch 2 (nothing new pending), and
	// not batch 1, which went on the first stick.
	os.Remove(want)
	out, errOut = mustRun(t, "--home", home, "batch", "create", "--out", other)
	if strings.TrimSpace(out) != want || !strings.Contains(errOut, "nothing to send") {
		t.Fatalf("stdout %q, want %q\n%s", out, want, errOut)
	}
	a, _ := os.ReadFile(second)
	b, err := os.ReadFile(want)
	if err != nil || !bytes.Equal(a, b) {
		t.Fatalf("copy differs: %v", err)
	}
	if n := len(outboxFiles(t, other)); n != 1 {
		t.Errorf("%d batches on the second stick, want 1", n)
	}
	// Everything is copied: nothing is copied again.
	if out, _ = mustRun(t, "--home", home, "batch", "create", "--out", other); strings.TrimSpace(out) != "" {
		t.Errorf("copied again: %q", out)
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
	files := outboxFiles(t, filepath.Join(home, client.OutboxDir))
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
