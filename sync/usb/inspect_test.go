package usb

import (
	"context"
	"errors"
	"maps"
	"os"
	"strings"
	"testing"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/sync/batch"
	"github.com/fieldsurvey/fieldsurvey/sync/hub"
	"github.com/fieldsurvey/fieldsurvey/sync/keys"
)

// Inspect says what each file holds without trusting it (an unknown signer is shown too),
// stops at the first file that is not a batch, naming it and the check, and changes nothing.
func TestInspect(t *testing.T) {
	ff := writeFourFiles(t)
	dir, good, sealed, unknown, cut := ff.dir, ff.good, ff.sealed, ff.unknown, ff.cut
	laptop, stranger := ff.laptop, ff.stranger
	fi, err := os.Stat(good)
	if err != nil {
		t.Fatal(err)
	}
	before := dirSums(t, dir)

	var got []Inspected
	each := func(in Inspected) error { got = append(got, in); return nil }
	if err := Inspect(context.Background(), []string{good, sealed, unknown}, each); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("%d results for 3 files", len(got))
	}
	if in := got[0]; in.File != good || in.Size != fi.Size() || in.Verified || in.Manifest.Device != "laptop-1" ||
		in.Manifest.Signer != "an@example.org" || in.Manifest.Payload.Encrypted || in.Key != keys.Fingerprint(laptop.key.PublicKey()) {
		t.Errorf("good batch: %+v", in)
	}
	if in := got[1]; in.File != sealed || !in.Manifest.Payload.Encrypted {
		t.Errorf("encrypted batch: %+v", in)
	}
	if in := got[2]; in.Manifest.Device != "laptop-9" || in.Key != keys.Fingerprint(stranger.key.PublicKey()) {
		t.Errorf("batch of an unknown signer: %+v", in)
	}

	// A cut file stops it: what came before was shown, nothing after is read.
	got = nil
	err = Inspect(context.Background(), []string{good, cut, sealed}, each)
	var ie *InspectError
	if !errors.As(err, &ie) || ie.File != cut || !errors.Is(err, batch.ErrTruncated) || len(got) != 1 {
		t.Fatalf("cut file: %v (%d shown)", err, len(got))
	}
	for lang, want := range map[string]string{survey.LangEN: cut + ": truncated file: ", survey.LangVI: cut + ": " + hub.Reason(batch.ErrTruncated).Get(survey.LangVI) + ": "} {
		if txt := ie.Text().Get(lang); !strings.HasPrefix(txt, want) {
			t.Errorf("cut file's message in %s: %q, want %q…", lang, txt, want)
		}
	}
	// So does an error of each, and a cancelled context.
	stop := errors.New("disk full")
	if err := Inspect(context.Background(), []string{good, sealed}, func(Inspected) error { return stop }); err != stop {
		t.Errorf("each's error: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	called := false
	if err := Inspect(ctx, []string{good}, func(Inspected) error { called = true; return nil }); !errors.Is(err, context.Canceled) || called {
		t.Errorf("cancelled: %v, called %v", err, called)
	}
	if !maps.Equal(before, dirSums(t, dir)) {
		t.Error("inspect changed the folder")
	}
}
