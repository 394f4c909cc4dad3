package store

import (
	"context"
	"errors"
	"maps"
	"testing"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// The numbers of names (revision_names, 0008) a Store remembers for its Puts are those of
// committed transactions only: a name added by a transaction rolled back is not kept,
// though another writer may then give its number to another name. Two handles on one file
// take turns adding names, and every revision reads back with its own.
func TestPutNamesOnlyCommitted(t *testing.T) {
	ctx := context.Background()
	s1, s2 := twoHandles(t)
	const (
		ivA = "0193a5b2-7c1e-7000-8000-00000000000a"
		ivB = "0193a5b2-7c1e-7000-8000-00000000000b"
		ivC = "0193a5b2-7c1e-7000-8000-00000000000c"
	)
	lan := Author{Device: "dev-lan", Principal: "lan@example.org"}
	minh := Author{Device: "dev-minh", Principal: "minh@example.org"}
	mustPut(t, s1, lan, answer(ivA, "1.1", survey.Answer{Rating: survey.Green}))
	// Rolled back: ivB and dev-new were numbered, then dropped with the transaction.
	errUndo := errors.New("undo")
	err := s1.Update(ctx, func(tx *Tx) error {
		if _, err := tx.Put(Author{Device: "dev-new", Principal: "new@example.org"}, answer(ivB, "1.1", survey.Answer{Rating: survey.Red})); err != nil {
			return err
		}
		return errUndo
	})
	if !errors.Is(err, errUndo) {
		t.Fatal(err)
	}
	// The other handle takes those numbers for other names.
	mustPut(t, s2, minh, answer(ivC, "2.1", survey.Answer{Rating: survey.Amber}), answer(ivA, "1.2", survey.Answer{Rating: survey.Red}))
	// The first handle's Puts: a known interview, device and author (remembered), and the
	// names it had numbered in the transaction rolled back.
	mustPut(t, s1, lan, answer(ivA, "1.1", survey.Answer{Rating: survey.Amber}))
	mustPut(t, s1, Author{Device: "dev-new", Principal: "new@example.org"}, answer(ivB, "1.1", survey.Answer{Rating: survey.Red}))
	mustPut(t, s2, minh, answer(ivA, "1.1", survey.Answer{Rating: survey.Red}))
	mustPut(t, s1, lan, answer(ivC, "2.1", survey.Answer{Rating: survey.Green}))
	type who struct{ interview, key, device, author string }
	want := map[who]int{
		{ivA, "1.1", "dev-lan", "lan@example.org"}:   2,
		{ivA, "1.2", "dev-minh", "minh@example.org"}: 1,
		{ivA, "1.1", "dev-minh", "minh@example.org"}: 1,
		{ivB, "1.1", "dev-new", "new@example.org"}:   1,
		{ivC, "2.1", "dev-minh", "minh@example.org"}: 1,
		{ivC, "2.1", "dev-lan", "lan@example.org"}:   1,
	}
	got := map[who]int{}
	for _, iv := range []string{ivA, ivB, ivC} {
		revs, err := s1.Revisions(ctx, iv)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range revs {
			got[who{r.Interview, r.Key, r.Device, r.Author}]++
		}
	}
	if !maps.Equal(got, want) {
		t.Errorf("revisions by interview, key, device and author:\n got %v\nwant %v", got, want)
	}
	if err := s1.Check(ctx); err != nil {
		t.Fatal(err)
	}
}
