package store

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// fakeClock returns a clock that starts at start and advances by step on every call.
func fakeClock(start time.Time, step time.Duration) func() time.Time {
	t := start
	return func() time.Time {
		now := t
		t = t.Add(step)
		return now
	}
}

var t0 = time.Date(2026, 11, 22, 8, 30, 0, 0, time.UTC)

func openTest(t *testing.T, opts ...Option) *Store {
	t.Helper()
	opts = append([]Option{WithClock(fakeClock(t0, time.Second))}, opts...)
	s, err := Open(filepath.Join(t.TempDir(), "home", "survey.db"), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func tgt(iv string, k survey.Kind, key string) survey.Target {
	return survey.Target{Interview: iv, Kind: k, Key: key}
}

// newInterview writes a complete small interview through Put.
func newInterview(t *testing.T, s *Store, by Author, id, agency, province string) []survey.Revision {
	t.Helper()
	revs, err := s.Put(context.Background(), by,
		survey.Change{Target: tgt(id, survey.KindInterview, ""), Value: survey.InterviewMeta{Questionnaire: "example", QuestionnaireVersion: "1", Assessor: by.Principal, Device: by.Device}},
		survey.Change{Target: tgt(id, survey.KindRespondent, ""), Value: survey.Respondent{Agency: agency, Province: province, Role: "Giám đốc", Category: "gov", Date: "2026-11-22", Consent: true}},
		survey.Change{Target: tgt(id, survey.KindAnswer, "1.1"), Value: survey.Answer{Rating: survey.Amber, Evidence: []survey.Evidence{{Polarity: survey.Plus, Text: "Có chiến lược", InScope: true}}}},
		survey.Change{Target: tgt(id, survey.KindAnswer, "1.2"), Value: survey.Answer{Comment: "chưa rõ"}},
		survey.Change{Target: tgt(id, survey.KindSection, "1"), Value: survey.SectionSummary{Rating: survey.Amber, Comment: "ok"}},
	)
	if err != nil {
		t.Fatal(err)
	}
	return revs
}

func TestPutAndRead(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	by := Author{Device: "dev-a", Principal: "lan@example.org"}
	revs := newInterview(t, s, by, "iv1", "Sở Thông tin và Truyền thông", "Đà Nẵng")
	if len(revs) != 5 {
		t.Fatalf("Put wrote %d revisions, want 5", len(revs))
	}
	for i, r := range revs {
		if r.Counter != uint64(i+1) || r.Device != "dev-a" || r.Author != by.Principal {
			t.Errorf("revision %d: counter %d device %q author %q", i, r.Counter, r.Device, r.Author)
		}
	}
	st, err := s.Interview(ctx, "iv1")
	if err != nil {
		t.Fatal(err)
	}
	all, err := s.Revisions(ctx, "iv1")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range all {
		if err := r.Verify(); err != nil {
			t.Errorf("read back revision fails Verify: %v", err)
		}
	}
	folded, err := survey.Fold(all)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(st, folded["iv1"]) {
		t.Errorf("Interview differs from Fold:\n got %+v\nwant %+v", st, folded["iv1"])
	}
	if st.Respondent.Province != "Đà Nẵng" || st.Answers["1.1"].Rating != survey.Amber {
		t.Errorf("state: %+v", st)
	}
	list, err := s.List(ctx, ListOptions{Search: "da nang"})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Answered != 1 || list[0].Sections["1"] != survey.Amber || list[0].Revisions != 5 {
		t.Fatalf("List: %+v", list)
	}
	if _, err := s.Interview(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown interview: %v, want ErrNotFound", err)
	}
}
