package usb

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/sync/batch"
	"github.com/fieldsurvey/fieldsurvey/sync/hub"
)

// Files reads and checks files in groups bounded by count and by the revisions' size: a
// group ends before the batch that would take it past MaxContent, and every file is in
// exactly one group, in order.
func TestMergeGroupsBoundedByContent(t *testing.T) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var files []string
	var size int64
	for i := range 5 {
		id := fmt.Sprintf("0193a5b2-7c1e-7000-8000-%012d", i+1)
		r, err := survey.NewRevision(survey.Target{Interview: id, Kind: survey.KindAnswer, Key: "1.1"},
			survey.Answer{Rating: survey.Green, Comment: "Có văn bản"}, "dev-a", uint64(i+1), time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC), "a@example.org", nil)
		if err != nil {
			t.Fatal(err)
		}
		data, m, err := batch.Create([]survey.Revision{r}, batch.Options{Device: "dev-a", Signer: signer, Principal: "a@example.org", Sequence: uint64(i + 1)})
		if err != nil {
			t.Fatal(err)
		}
		size = max(size, m.Content.Size)
		files = append(files, filepath.Join(dir, fmt.Sprintf("%d.fsbatch", i+1)))
		if err := os.WriteFile(files[i], data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	m := Files{Options: hub.Options{}, MaxContent: 2*size + size/2} // two batches a group
	var sizes []int
	var seen []string
	for gr := range m.groups(context.Background(), files) {
		sizes = append(sizes, len(gr.Files))
		seen = append(seen, gr.Files...)
		if gr.checked.Len() != len(gr.Files) {
			t.Errorf("group of %d files checks %d batches", len(gr.Files), gr.checked.Len())
		}
	}
	if !slices.Equal(sizes, []int{2, 2, 1}) || !slices.Equal(seen, files) {
		t.Errorf("groups of %v files: %v", sizes, seen)
	}
}
