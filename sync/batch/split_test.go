package batch

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// bulkyRevs makes n revisions of one interview whose comments are size bytes of text that
// compresses badly.
func bulkyRevs(t testing.TB, n, size int) []survey.Revision {
	t.Helper()
	var out []survey.Revision
	id := "0193a5b2-7c1e-7000-8000-000000000001"
	seed := uint32(1)
	for i := range n {
		var b strings.Builder
		for b.Len() < size {
			seed = seed*1664525 + 1013904223
			b.WriteByte("abcdefghijklmnopqrstuvwxyzĐđ0123456789 "[seed>>27])
		}
		r, err := survey.NewRevision(survey.Target{Interview: id, Kind: survey.KindAnswer, Key: fmt.Sprintf("%d.1", i+1)},
			survey.Answer{Rating: survey.Amber, Comment: b.String()}, "dev-a", uint64(i+1), testNow, testPrincipal, nil)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// Split cuts revisions into consecutive runs, in batch order, each of which makes a batch
// that a receiver with the same limits accepts, encrypted or not.
func TestSplitFitsTheLimits(t *testing.T) {
	revs := bulkyRevs(t, 40, 20_000)
	l := Limits{MaxSize: 200_000}
	shuffled := slices.Clone(revs)
	slices.Reverse(shuffled)
	runs, err := Split(shuffled, l)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) < 4 {
		t.Fatalf("%d runs for 800 KB of revisions in 200 KB batches", len(runs))
	}
	var all []survey.Revision
	id, _ := age.GenerateX25519Identity()
	for i, run := range runs {
		all = append(all, run...)
		for _, enc := range []bool{false, true} {
			opts := testOptions(uint64(i + 1))
			var ids []age.Identity
			if enc {
				opts.Recipients, ids = []age.Recipient{id.Recipient()}, []age.Identity{id}
			}
			opts.Questionnaires = []QuestionnaireRef{exampleQ}
			data := mustCreate(t, run, opts)
			b, err := Read(bytes.NewReader(data), l)
			if err != nil {
				t.Fatalf("run %d (%d revisions, %d bytes): %v", i, len(run), len(data), err)
			}
			if err := verifyAt(b, testAllowed(t), testNow); err != nil {
				t.Fatal(err)
			}
			if got, err := b.Revisions(ids...); err != nil || len(got) != len(run) {
				t.Fatalf("run %d: %d revisions, %v", i, len(got), err)
			}
		}
	}
	if !reflect.DeepEqual(all, revs) {
		t.Fatal("the runs are not the revisions in batch order")
	}
	// Within the default limits, everything travels in one batch.
	if runs, err := Split(revs, Limits{}); err != nil || len(runs) != 1 {
		t.Errorf("default limits: %d runs, %v", len(runs), err)
	}
	if runs, err := Split(nil, Limits{}); err != nil || len(runs) != 0 {
		t.Errorf("no revisions: %d runs, %v", len(runs), err)
	}
}

// A revision longer than a batch line may be travels in no batch: CheckRevision says so, and
// Split refuses it.
func TestSplitRefusesWhatCannotTravel(t *testing.T) {
	revs := bulkyRevs(t, 3, 5_000)
	l := Limits{MaxSize: 200_000, MaxRevision: 4_000}
	err := CheckRevision(revs[1], l)
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "over the limit of 4000") {
		t.Fatalf("CheckRevision: %v", err)
	}
	if _, err := Split(revs, l); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Split: %v", err)
	}
	bad := revs[0]
	bad.Interview = "iv-1"
	bad, _ = survey.NewRevision(bad.Target(), bad.Value, bad.Device, bad.Counter, bad.Time, bad.Author, nil)
	if err := CheckRevision(bad, Limits{}); !errors.Is(err, survey.ErrBadInterviewID) {
		t.Fatalf("bad id: %v", err)
	}
	if err := CheckRevision(revs[0], Limits{}); err != nil {
		t.Fatal(err)
	}
}
