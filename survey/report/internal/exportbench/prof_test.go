package main

import (
	"context"
	"io"
	"os"
	"testing"

	"github.com/fieldsurvey/fieldsurvey/questionnaires"
	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/report"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
)

// TestProf runs the CSV export in-process, to io.Discard, on a store exportbench made
// (EB_DB: the store; EB_CAT: the questionnaires folder of its home), so that it can be
// profiled: EB_DB=… EB_CAT=… go test -run TestProf -cpuprofile cpu.out. Skipped otherwise.
func TestProf(t *testing.T) {
	db := os.Getenv("EB_DB")
	if db == "" {
		t.Skip()
	}
	ctx := context.Background()
	c, err := questionnaires.OpenCatalog(os.Getenv("EB_CAT"))
	if err != nil {
		t.Fatal(err)
	}
	q, err := c.Get("bench-100-10", "1.0")
	if err != nil {
		t.Fatal(err)
	}
	s, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	var keys []report.Key
	s.EachSummary(ctx, store.ListOptions{}, func(sm survey.Summary) error { keys = append(keys, report.KeyOf(sm)); return nil })
	ids := report.Order(keys)
	b, _ := report.NewBuilder(q, report.Options{Lang: "vi"})
	err = report.Stream(b, func(fn func(*survey.InterviewState) error) error { return s.EachInterview(ctx, ids, fn) }, report.NewCSVWriter(io.Discard, report.CSVOptions{}))
	if err != nil {
		t.Fatal(err)
	}
}
