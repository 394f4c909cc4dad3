package storetest_test

import (
	"context"
	"testing"
	"time"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
	"github.com/fieldsurvey/fieldsurvey/survey/store/storetest"
)

func TestOpenGivesARealStoreWithAFixedClock(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	var times []time.Time
	for _, code := range []survey.Code{survey.Red, survey.Green} {
		revs, err := s.Put(ctx, store.Author{Device: "dev-test"}, survey.Change{
			Target: survey.Target{Interview: "iv", Kind: survey.KindAnswer, Key: "1"},
			Value:  survey.Answer{Rating: code},
		})
		if err != nil {
			t.Fatal(err)
		}
		times = append(times, revs[0].Time)
	}
	if !times[0].Equal(storetest.Start) || times[1].Sub(times[0]) != time.Second {
		t.Errorf("revision times %v, want %v and one second later", times, storetest.Start)
	}
	st, err := s.Interview(ctx, "iv")
	if err != nil {
		t.Fatal(err)
	}
	if st.Answers["1"].Rating != survey.Green {
		t.Errorf("answer %+v", st.Answers["1"])
	}
}
