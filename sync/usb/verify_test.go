package usb

import (
	"context"
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"filippo.io/age"

	"github.com/fieldsurvey/fieldsurvey/sync/batch"
	"github.com/fieldsurvey/fieldsurvey/sync/hub"
	"github.com/fieldsurvey/fieldsurvey/sync/keys"
)

// file writes a batch of d's into dir under its outbox name and returns its path.
func (d *device) file(t *testing.T, dir string, to []age.Recipient, q string) string {
	t.Helper()
	d.seq++
	revs := d.interview(t, "0193a5b2-7c1e-7000-8000-00000000000"+q)
	data, m, err := batch.Create(revs, batch.Options{Device: d.id, Signer: d.key, Principal: d.principal, Sequence: d.seq,
		Recipients: to, Questionnaires: []batch.QuestionnaireRef{{ID: "example", Version: "1"}}})
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, d.id+"-"+m.ID+batch.Ext)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// fourFiles are batch files in dir: good (laptop's), sealed (laptop's, encrypted to id),
// unknown (of stranger, whom no test trusts) and cut (good's first half).
type fourFiles struct {
	dir                        string
	laptop, stranger           *device
	id                         *age.X25519Identity
	good, sealed, unknown, cut string
}

func writeFourFiles(t *testing.T) fourFiles {
	t.Helper()
	f := fourFiles{dir: t.TempDir(), laptop: newDevice(t, "laptop-1", 1, "an@example.org"), stranger: newDevice(t, "laptop-9", 9, "x@example.org")}
	var err error
	if f.id, err = age.GenerateX25519Identity(); err != nil {
		t.Fatal(err)
	}
	f.good = f.laptop.file(t, f.dir, nil, "1")
	f.sealed = f.laptop.file(t, f.dir, []age.Recipient{f.id.Recipient()}, "2")
	f.unknown = f.stranger.file(t, f.dir, nil, "3")
	data, err := os.ReadFile(f.good)
	if err != nil {
		t.Fatal(err)
	}
	f.cut = filepath.Join(f.dir, "cut"+batch.Ext)
	if err := os.WriteFile(f.cut, data[:len(data)/2], 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

// Verify checks each file as a merge would and says which check failed; an encrypted batch
// without a key is checked but for its revisions.
func TestVerify(t *testing.T) {
	ff := writeFourFiles(t)
	dir, laptop, id := ff.dir, ff.laptop, ff.id
	files := []string{ff.good, ff.sealed, ff.unknown, ff.cut}
	before := dirSums(t, dir)

	check := func(opts hub.Options) []Verified {
		t.Helper()
		var got []Verified
		if err := Verify(context.Background(), files, opts, func(v Verified) { got = append(got, v) }); err != nil {
			t.Fatal(err)
		}
		if len(got) != len(files) {
			t.Fatalf("%d results for %d files", len(got), len(files))
		}
		for i, v := range got {
			if v.File != files[i] {
				t.Errorf("result %d is of %s, want %s", i, v.File, files[i])
			}
		}
		return got
	}
	opts := hub.Options{Signers: signers(t, laptop), Known: known}
	got := check(opts)
	if v := got[0]; v.Err != nil || v.Unchecked || v.Manifest == nil || v.Manifest.Device != "laptop-1" ||
		v.Key != keys.Fingerprint(laptop.key.PublicKey()) {
		t.Errorf("good batch: %+v", v)
	}
	if v := got[1]; v.Err != nil || !v.Unchecked || !v.Manifest.Payload.Encrypted {
		t.Errorf("encrypted batch without a key: %+v", v)
	}
	if v := got[2]; !errors.Is(v.Err, batch.ErrUnknownSigner) || v.Manifest == nil || v.Manifest.Device != "laptop-9" {
		t.Errorf("unknown signer: %+v", v)
	}
	if v := got[3]; v.Err == nil || v.Manifest != nil || v.Key != "" {
		t.Errorf("truncated file: %+v", v)
	}
	// With the key, the encrypted batch's revisions are checked too; with another key they
	// cannot be read.
	opts.Identities = []age.Identity{id}
	if v := check(opts)[1]; v.Err != nil || v.Unchecked {
		t.Errorf("encrypted batch with its key: %+v", v)
	}
	other, _ := age.GenerateX25519Identity()
	opts.Identities = []age.Identity{other}
	if v := check(opts)[1]; !errors.Is(v.Err, batch.ErrNoIdentity) {
		t.Errorf("encrypted batch with another key: %+v", v)
	}
	// An unknown questionnaire version fails the last check.
	opts = hub.Options{Signers: signers(t, laptop)}
	if v := check(opts)[0]; !errors.Is(v.Err, batch.ErrUnknownQuestionnaire) {
		t.Errorf("unknown questionnaire: %+v", v)
	}
	if !maps.Equal(before, dirSums(t, dir)) {
		t.Error("verify changed the folder")
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	called := false
	if err := Verify(ctx, files, opts, func(Verified) { called = true }); !errors.Is(err, context.Canceled) || called {
		t.Errorf("cancelled: %v, called %v", err, called)
	}
}

func dirSums(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = string(data)
	}
	return out
}

// BatchFiles: a folder stands for its *.fsbatch files by name (also when its name looks like
// a pattern); files are taken as given; a missing name and an empty folder are errors.
func TestBatchFiles(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "stick [2026]*")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"b" + batch.Ext, "a" + batch.Ext, "notes.txt", "c" + batch.Ext + ".part"} {
		if err := os.WriteFile(filepath.Join(dir, n), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	lone := filepath.Join(root, "z.any")
	if err := os.WriteFile(lone, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := BatchFiles([]string{lone, dir})
	want := []string{lone, filepath.Join(dir, "a"+batch.Ext), filepath.Join(dir, "b"+batch.Ext)}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("got %q %v, want %q", got, err, want)
	}
	if _, err := BatchFiles([]string{filepath.Join(root, "gone")}); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing: %v", err)
	}
	empty := t.TempDir()
	_, err = BatchFiles([]string{empty})
	var nb *NoBatchFilesError
	if !errors.As(err, &nb) || err.Error() != "no batch files (*.fsbatch) in "+empty {
		t.Errorf("empty folder: %v", err)
	}
}
