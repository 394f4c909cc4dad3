package store

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

func TestQueueOrderFiltersAndAssessor(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	id := func(n string) string { return "0193a5b2-7c1e-7000-8000-00000000000" + n }
	setStatus := func(by Author, iv string, st survey.Status, reason string) {
		t.Helper()
		if _, err := s.Put(ctx, by, survey.Change{Target: tgt(iv, survey.KindStatus, ""), Value: survey.StatusChange{Status: st, Reason: reason}}); err != nil {
			t.Fatal(err)
		}
	}
	an := Author{Device: "lap-an", Principal: "an@example.org"}
	binh := Author{Device: "lap-binh", Principal: "binh@example.org"}
	sup := Author{Device: "sup", Principal: "lan@example.org"}
	newInterview(t, s, an, id("1"), "Sở Tư pháp", "Đà Nẵng")
	setStatus(an, id("1"), survey.StatusCompleted, "")
	newInterview(t, s, an, id("2"), "Sở Y tế", "Huế")
	setStatus(an, id("2"), survey.StatusCompleted, "")
	setStatus(sup, id("2"), survey.StatusApproved, "")
	// An interview created without an assessor name: the queue names its creator.
	if _, err := s.Put(ctx, binh,
		survey.Change{Target: tgt(id("3"), survey.KindInterview, ""), Value: survey.InterviewMeta{Questionnaire: "example", QuestionnaireVersion: "1", Device: binh.Device}},
		survey.Change{Target: tgt(id("3"), survey.KindRespondent, ""), Value: survey.Respondent{Agency: "Sở Thông tin", Province: "Đà Nẵng", Consent: true}}); err != nil {
		t.Fatal(err)
	}
	setStatus(binh, id("3"), survey.StatusCompleted, "")
	setStatus(sup, id("3"), survey.StatusReturned, "thiếu bằng chứng")
	newInterview(t, s, binh, id("4"), "Sở Tài chính", "Huế")
	setStatus(binh, id("4"), survey.StatusResubmitted, "")
	// An interview whose creation has not arrived: not in the queue.
	setStatus(sup, id("5"), survey.StatusReturned, "x")

	ids := func(rows []QueueRow) string {
		var out []string
		for _, r := range rows {
			out = append(out, r.ID[len(r.ID)-1:]+":"+r.Who())
		}
		return strings.Join(out, " ")
	}
	rows, total, err := s.Queue(ctx, QueueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Waiting first (newest first), then returned, then approved.
	if got, want := ids(rows), "4:binh@example.org 1:an@example.org 3:binh@example.org 2:an@example.org"; got != want || total != 4 {
		t.Fatalf("queue: %s (%d), want %s (4)", got, total, want)
	}
	if rows[2].Assessor != "binh@example.org" || rows[2].Principal != "binh@example.org" || rows[2].Reason != "thiếu bằng chứng" {
		t.Fatalf("unnamed interview (attributed to the principal that made it): %+v", rows[2])
	}
	for _, c := range []struct {
		o    QueueOptions
		want string
	}{
		{QueueOptions{Statuses: []survey.Status{survey.StatusCompleted, survey.StatusSubmitted, survey.StatusResubmitted}}, "4:binh@example.org 1:an@example.org"},
		{QueueOptions{Province: "Huế"}, "4:binh@example.org 2:an@example.org"},
		{QueueOptions{Assessor: "binh@example.org"}, "4:binh@example.org 3:binh@example.org"},
		{QueueOptions{Search: "so tu phap"}, "1:an@example.org"},
		{QueueOptions{Sort: SortAgency}, "3:binh@example.org 4:binh@example.org 1:an@example.org 2:an@example.org"},
		{QueueOptions{Sort: SortProgress, Desc: true}, "4:binh@example.org 2:an@example.org 1:an@example.org 3:binh@example.org"},
		{QueueOptions{Questionnaire: "dgra-2018"}, ""},
	} {
		rows, _, err := s.Queue(ctx, c.o)
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(rows); got != c.want {
			t.Errorf("Queue(%+v) = %s, want %s", c.o, got, c.want)
		}
	}
	page, total, err := s.Queue(ctx, QueueOptions{Limit: 2, Offset: 2})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(page); got != "3:binh@example.org 2:an@example.org" || total != 4 {
		t.Fatalf("second page: %s of %d", got, total)
	}
	if _, _, err := s.Queue(ctx, QueueOptions{Sort: "colour"}); err == nil {
		t.Fatal("an unknown sort was accepted")
	}

	f, err := s.Facets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := QueueFacets{
		Statuses:       map[survey.Status]int{survey.StatusCompleted: 1, survey.StatusApproved: 1, survey.StatusReturned: 1, survey.StatusResubmitted: 1},
		Provinces:      []string{"Đà Nẵng", "Huế"},
		Assessors:      []string{"an@example.org", "binh@example.org"},
		Questionnaires: []string{"example"},
	}
	if !reflect.DeepEqual(f, want) {
		t.Fatalf("facets:\n got %+v\nwant %+v", f, want)
	}
}

func TestPendingOf(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	an := Author{Device: "lap-an", Principal: "an@example.org"}
	sup := Author{Device: "sup", Principal: "lan@example.org"}
	revs := newInterview(t, s, an, "0193a5b2-7c1e-7000-8000-000000000001", "Sở Tư pháp", "Đà Nẵng")
	var ids []string
	for _, r := range revs {
		ids = append(ids, r.ID)
	}
	if err := s.Update(ctx, func(tx *Tx) error { return tx.MarkBatched("b1", ids) }); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(ctx, sup, survey.Change{Target: tgt("0193a5b2-7c1e-7000-8000-000000000001", survey.KindStatus, ""),
		Value: survey.StatusChange{Status: survey.StatusApproved}}); err != nil {
		t.Fatal(err)
	}
	for dev, want := range map[string]int{"sup": 1, "lap-an": 0, "other": 0} {
		if n, err := s.PendingOf(ctx, dev); err != nil || n != want {
			t.Errorf("PendingOf(%s) = %d, %v; want %d", dev, n, err, want)
		}
	}
}
