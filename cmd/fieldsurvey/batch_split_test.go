package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
	"github.com/fieldsurvey/fieldsurvey/sync/batch"
)

// withBatchLimits makes batch create pack for receivers with limits l during the test.
func withBatchLimits(t *testing.T, l batch.Limits) {
	old := batchLimits
	batchLimits = l
	t.Cleanup(func() { batchLimits = old })
}

// bulkyLine is an interview record whose answer has a comment of n bytes of varied text.
func bulkyLine(id string, n int, seed uint32) string {
	var b strings.Builder
	for b.Len() < n {
		seed = seed*1664525 + 1013904223
		b.WriteByte("abcdefghijklmnopqrstuvwxyz0123456789 "[seed>>27])
	}
	return strings.Replace(interviewLine(id, "red"), `"rating":"red"`, `"rating":"red","comment":"`+b.String()+`"`, 1)
}

// batch create splits pending changes into batches that each fit what receivers accept,
// numbered in order, keeping the revisions' order; together they hold every revision once.
func TestBatchCreateSplits(t *testing.T) {
	l := batch.Limits{MaxSize: 300_000}
	withBatchLimits(t, l)
	home := batchHome(t)
	var lines []string
	for i := range 6 {
		lines = append(lines, bulkyLine(fmt.Sprintf("0193a5b2-7c1e-7000-8000-%012d", i+1), 120_000, uint32(i)))
	}
	importInterviews(t, home, lines...)
	out, errOut := mustRun(t, "--home", home, "batch", "create")
	files := strings.Fields(out)
	if len(files) < 3 {
		t.Fatalf("%d batches for 720 KB in 300 KB batches:\n%s%s", len(files), out, errOut)
	}
	st, err := store.Open(filepath.Join(home, storeFileName))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var got []survey.Revision
	for i, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if len(data) > int(l.MaxSize) {
			t.Errorf("%s: %d bytes, over %d", f, len(data), l.MaxSize)
		}
		b, err := batch.Read(bytes.NewReader(data), l)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if b.Manifest.Sequence != uint64(i+1) {
			t.Errorf("%s: sequence %d", f, b.Manifest.Sequence)
		}
		revs, err := b.Revisions()
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, revs...)
	}
	if len(got) != 18 {
		t.Fatalf("%d revisions in the batches, want 18", len(got))
	}
	if !slices.IsSortedFunc(got, func(a, b survey.Revision) int { return int(a.Counter) - int(b.Counter) }) {
		t.Error("the order of the revisions is not kept across batches")
	}
	if p, err := st.Pending(context.Background()); err != nil || len(p) != 0 {
		t.Errorf("still pending: %d %v", len(p), err)
	}
	if !strings.Contains(errOut, fmt.Sprintf("batch %d:", len(files))) {
		t.Errorf("no line for the last batch:\n%s", errOut)
	}
	// The next batch continues the numbering.
	importInterviews(t, home, interviewLine("0193a5b2-7c1e-7000-8000-000000000001", "green"))
	out, _ = mustRun(t, "--home", home, "batch", "create")
	if m := inspect(t, strings.TrimSpace(out)); m.Sequence != uint64(len(files)+1) {
		t.Errorf("next sequence %d", m.Sequence)
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
