package survey

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)

func mustRev(t testing.TB, tg Target, v any, dev string, n uint64, at time.Time, replaces ...string) Revision {
	t.Helper()
	r, err := NewRevision(tg, v, dev, n, at, "a@example.org", replaces)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestRevisionIDIsContentHash(t *testing.T) {
	tg := Target{Interview: "i1", Kind: KindAnswer, Key: "7.1"}
	a := mustRev(t, tg, Answer{Rating: Amber, Comment: "Nghị định 13/2023"}, "dev1", 1, t0)
	b := mustRev(t, tg, Answer{Rating: Amber, Comment: "Nghị định 13/2023"}, "dev1", 1, t0)
	if a.ID != b.ID {
		t.Fatal("the same change must have the same id")
	}
	if err := a.Verify(); err != nil {
		t.Fatal(err)
	}
	c := mustRev(t, tg, Answer{Rating: Green}, "dev1", 1, t0)
	if c.ID == a.ID {
		t.Fatal("a different value must give a different id")
	}
	// Tampering with any field is detected.
	for name, mut := range map[string]func(*Revision){
		"value":    func(r *Revision) { r.Value = json.RawMessage(`{"rating":"green"}`) },
		"device":   func(r *Revision) { r.Device = "dev2" },
		"counter":  func(r *Revision) { r.Counter++ },
		"time":     func(r *Revision) { r.Time = r.Time.Add(time.Millisecond) },
		"key":      func(r *Revision) { r.Key = "7.2" },
		"replaces": func(r *Revision) { r.Replaces = []string{"x"} },
	} {
		r := a
		mut(&r)
		if err := r.Verify(); !errors.Is(err, ErrBadRevisionID) {
			t.Errorf("tampered %s: Verify = %v, want ErrBadRevisionID", name, err)
		}
	}
}

func TestRevisionJSONRoundTrip(t *testing.T) {
	r := mustRev(t, Target{"i1", KindAnswer, "1.1"}, Answer{Rating: Red, Evidence: []Evidence{{Polarity: Minus, Text: "không có", InScope: true}}}, "d", 3, t0.Add(1234567*time.Microsecond), "b", "a")
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var back Revision
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if err := back.Verify(); err != nil {
		t.Fatalf("decoded revision does not verify: %v\n%s", err, b)
	}
	b2, _ := json.Marshal(back)
	if string(b) != string(b2) {
		t.Fatalf("encoding not canonical:\n%s\n%s", b, b2)
	}
	if fmt.Sprint(back.Replaces) != "[a b]" {
		t.Fatalf("replaces must be sorted, got %v", back.Replaces)
	}
}

// history builds a realistic set of revisions: two devices editing three interviews, with
// sequential edits (each replacing the head it saw) and some concurrent ones.
func history(t testing.TB, rng *rand.Rand) []Revision {
	var all []Revision
	counters := map[string]uint64{}
	for i := 0; i < 3; i++ {
		iv := fmt.Sprintf("iv%d", i)
		all = append(all, mustRev(t, Target{iv, KindInterview, ""}, InterviewMeta{Questionnaire: "dgra-2018", QuestionnaireVersion: "2018.1"}, "d0", 0, t0))
		for _, key := range []string{"7.1", "7.2", "7.3"} {
			tg := Target{iv, KindAnswer, key}
			heads := []Revision{}
			for step := 0; step < 4; step++ {
				dev := fmt.Sprintf("d%d", rng.IntN(2)+1)
				counters[dev]++
				var rep []string
				// Usually the editor saw the current heads; sometimes it edits offline from an
				// older view (replacing nothing new), which creates a conflict.
				if rng.IntN(4) > 0 {
					for _, h := range heads {
						rep = append(rep, h.ID)
					}
				}
				codes := []Code{Red, AmberRed, Amber, AmberGreen, Green}
				r := mustRev(t, tg, Answer{Rating: codes[rng.IntN(5)], Comment: fmt.Sprint(step)}, dev, counters[dev], t0.Add(time.Duration(rng.IntN(1000))*time.Second), rep...)
				all = append(all, r)
				heads = Heads(append(heads, r))
			}
		}
	}
	return all
}

func TestFoldOrderIndependent(t *testing.T) {
	for seed := uint64(0); seed < 50; seed++ {
		rng := rand.New(rand.NewPCG(seed, 1))
		revs := history(t, rng)
		want, err := Fold(revs)
		if err != nil {
			t.Fatal(err)
		}
		for k := 0; k < 10; k++ {
			shuffled := append([]Revision(nil), revs...)
			rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
			// Duplicates (a batch merged twice) change nothing.
			shuffled = append(shuffled, shuffled[:len(shuffled)/3]...)
			got, err := Fold(shuffled)
			if err != nil {
				t.Fatal(err)
			}
			for id, st := range want {
				g := got[id]
				g.Revisions, st.Revisions = 0, 0
				if !reflect.DeepEqual(st, g) {
					t.Fatalf("seed %d: state of %s depends on order:\n%+v\n%+v", seed, id, st, g)
				}
			}
		}
	}
}

func TestConcurrentEditsConflictNotLoss(t *testing.T) {
	tg := Target{"iv", KindAnswer, "7.1"}
	base := mustRev(t, tg, Answer{Rating: Amber}, "d1", 1, t0)
	// Two assessors change the same answer independently, both from the base.
	x := mustRev(t, tg, Answer{Rating: Green, Comment: "Luật An ninh mạng 2018"}, "d1", 2, t0.Add(time.Minute), base.ID)
	y := mustRev(t, tg, Answer{Rating: Red, Comment: "chưa có hiệu lực"}, "d2", 1, t0.Add(2*time.Minute), base.ID)
	for _, order := range [][]Revision{{base, x, y}, {y, x, base}, {x, base, y}} {
		st, err := Fold(order)
		if err != nil {
			t.Fatal(err)
		}
		s := st["iv"]
		if len(s.Conflicts) != 1 || len(s.Conflicts[0].Heads) != 2 {
			t.Fatalf("want one conflict with two heads, got %+v", s.Conflicts)
		}
		h := s.Conflicts[0].Heads
		if h[0].ID != y.ID || h[1].ID != x.ID {
			t.Fatalf("heads must be newest first and both kept: %v", h)
		}
		if s.Answers["7.1"].Rating != Red {
			t.Fatalf("current value is the newest head, got %v", s.Answers["7.1"].Rating)
		}
	}
	// A settling revision replaces both heads: no conflict, history intact.
	z := mustRev(t, tg, Answer{Rating: AmberGreen, Comment: "settled"}, "sup", 1, t0.Add(time.Hour), x.ID, y.ID)
	st, _ := Fold([]Revision{z, y, base, x})
	if len(st["iv"].Conflicts) != 0 || st["iv"].Answers["7.1"].Rating != AmberGreen {
		t.Fatalf("settled state wrong: %+v", st["iv"])
	}
}

func TestClearedAnswerDisappears(t *testing.T) {
	tg := Target{"iv", KindAnswer, "1.1"}
	a := mustRev(t, tg, Answer{Rating: Green}, "d", 1, t0)
	b := mustRev(t, tg, Answer{}, "d", 2, t0.Add(time.Second), a.ID)
	st, _ := Fold([]Revision{a, b})
	if _, ok := st["iv"].Answers["1.1"]; ok {
		t.Fatal("a cleared answer must not be current")
	}
}

func TestSameChangeOnTwoDevicesIsNoConflict(t *testing.T) {
	tg := Target{"iv", KindRespondent, ""}
	r := Respondent{Agency: "Sở Tài chính", Province: "Đà Nẵng"}
	a := mustRev(t, tg, r, "d1", 1, t0)
	b := mustRev(t, tg, r, "d2", 1, t0.Add(time.Second))
	st, _ := Fold([]Revision{a, b})
	if n := len(st["iv"].Conflicts); n != 0 {
		t.Fatalf("identical values from two devices must not be a conflict, got %d", n)
	}
	if len(st["iv"].Heads[tg]) != 2 {
		t.Fatal("both heads are still kept")
	}
}

// decodeAnswer (one pass) gives what the plain decoding with the nested UnmarshalJSON
// methods gives, in_scope defaults and normalisation included.
func TestDecodeAnswerMatchesNestedDecoding(t *testing.T) {
	for _, in := range []string{
		`{}`,
		`{"rating":"green","comment":"Vie\u0302\u0323t","probes":["p1"],"evidence":[{"polarity":"+","text":"a"},{"polarity":"-","text":"b","in_scope":false,"note":"n"},{"text":"c","in_scope":null},{"polarity":"0","text":"d","in_scope":true,"source":"s"}]}`,
		`{"value":["a","b"],"comment":"x"}`,
		`{"value":12.5}`,
		`{"value":true,"unknown":1}`,
	} {
		got, err := decodeAnswer([]byte(in))
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		type plain Answer
		var p plain
		if err := json.Unmarshal([]byte(in), &p); err != nil {
			t.Fatal(err)
		}
		if want := Answer(p).Normalized(); !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %+v\nwant %+v", in, got, want)
		}
	}
	if _, err := decodeAnswer([]byte(`{"rating":`)); err == nil {
		t.Error("a truncated answer decoded")
	}
}

// A revision that fails a check says what is wrong in English (Error, unchanged for logs)
// and in Vietnamese (Text), and stays an ErrBadRevision (or ErrBadRevisionID).
func TestRevisionErrorInBothLanguages(t *testing.T) {
	r := Revision{Interview: "0193a5b2-7c1e-7000-8000-000000000001", Kind: KindAnswer, Key: "1.1", Value: []byte(`{"rating":"3"}`)}
	err := r.Verify()
	var re *RevisionError
	if !errors.Is(err, ErrBadRevision) || !errors.As(err, &re) {
		t.Fatalf("no device: %v", err)
	}
	if got := err.Error(); got != "malformed revision: no device" {
		t.Errorf("English %q", got)
	}
	if got := ErrorText(err).Get(LangVI); got != "thay đổi sai định dạng: không có thiết bị" {
		t.Errorf("Vietnamese %q", got)
	}
	r.Device = "laptop-an"
	r.ID = "0000000000000000000000000000000000000000000000000000000000000000"
	err = r.Verify()
	if !errors.Is(err, ErrBadRevisionID) || ErrorText(err).Get(LangVI) != "mã thay đổi không khớp với nội dung: thay đổi 000000000000" {
		t.Errorf("wrong id: %v / %q", err, ErrorText(err).Get(LangVI))
	}
}

// TestJSONErrorText: what encoding/json finds wrong reads in Vietnamese too, with no
// English sentence of the library's in it.
func TestJSONErrorText(t *testing.T) {
	var a Answer
	for in, want := range map[string]string{
		`{"rating":`:         "JSON bị cắt cụt",
		`{"rating" 3}`:       "JSON không hợp lệ ở byte",
		`"not an answer"`:    "giá trị JSON kiểu string ở sai chỗ",
		`{"comment":[1, 2]}`: `trường "comment" không nhận giá trị JSON kiểu array`,
	} {
		err := json.Unmarshal([]byte(in), &a)
		if err == nil {
			t.Fatalf("%s decoded", in)
		}
		got := JSONErrorText(err)
		if vi := got.Get(LangVI); !strings.HasPrefix(vi, want) {
			t.Errorf("%s: Vietnamese %q, want it to start with %q", in, vi, want)
		}
		if en := got.Get(LangEN); en != strings.TrimPrefix(err.Error(), "json: ") {
			t.Errorf("%s: English %q, want the library's %q", in, en, err.Error())
		}
	}
}
