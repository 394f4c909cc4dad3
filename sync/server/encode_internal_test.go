package server

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/sync/wire"
)

// encodeInbox writes what json.Marshal writes, but for the escaping of <, > and & (both
// are the same JSON), with or without revisions and questionnaires.
func TestEncodeInboxIsTheInboxJSON(t *testing.T) {
	t0 := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	var revs []survey.Revision
	for i, c := range []string{`Sở "Tư pháp" <Huế> & "revisions":[]`, "Đà Nẵng"} {
		r, err := survey.NewRevision(survey.Target{Interview: "0193a5b2-7c1e-7000-8000-000000000001", Kind: survey.KindAnswer, Key: "1.1"},
			survey.Answer{Rating: survey.Amber, Comment: c}, "laptop-1", uint64(i+1), t0, "an@example.org", nil)
		if err != nil {
			t.Fatal(err)
		}
		revs = append(revs, r)
	}
	for _, n := range []int{0, 1, 2} {
		in := wire.Inbox{Protocol: 1, Device: "laptop-1", Nonce: "00ff", Cursor: 42, More: n == 1,
			Questionnaires: []wire.Questionnaire{{ID: "dgra-2018", Version: "2018.2", Source: []byte(`"revisions":[]`)}},
			Supervisors:    []string{`"revisions":[] namespaces="fieldsurvey-batch" ssh-ed25519 AAAA`}}
		got, err := encodeInbox(in, revs[:n])
		if err != nil {
			t.Fatal(err)
		}
		in.Revisions = []json.RawMessage{}
		for _, r := range revs[:n] {
			b, _ := r.MarshalJSON()
			in.Revisions = append(in.Revisions, b)
		}
		want, _ := json.Marshal(in)
		var a, b wire.Inbox
		if err := json.Unmarshal(got, &a); err != nil {
			t.Fatalf("%d revisions: %v\n%s", n, err, got)
		}
		json.Unmarshal(want, &b)
		if len(a.Revisions) != n {
			t.Fatalf("%d revisions came back as %d", n, len(a.Revisions))
		}
		for i := range a.Revisions {
			var ra, rb survey.Revision
			if err := json.Unmarshal(a.Revisions[i], &ra); err != nil || ra.Verify() != nil {
				t.Fatalf("revision %d: %v", i, err)
			}
			json.Unmarshal(b.Revisions[i], &rb)
			if !reflect.DeepEqual(ra, rb) {
				t.Fatalf("revision %d: %+v, want %+v", i, ra, rb)
			}
		}
		a.Revisions, b.Revisions = nil, nil
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("%d revisions: %+v, want %+v", n, a, b)
		}
	}
}
