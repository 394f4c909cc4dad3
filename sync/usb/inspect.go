package usb

import (
	"context"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/sync/batch"
	"github.com/fieldsurvey/fieldsurvey/sync/hub"
	"github.com/fieldsurvey/fieldsurvey/sync/keys"
)

// Inspected is what a batch file says it holds (`batch inspect`): its structure was
// checked, its signature not, so nothing of it is to be trusted yet (Verify checks it).
type Inspected struct {
	File string `json:"file"`
	// Size is the file's size in bytes.
	Size int64 `json:"size"`
	// Key is the fingerprint of the key the file says signed it.
	Key string `json:"key"`
	// Verified is always false: Inspect does not check the signature.
	Verified bool            `json:"verified"`
	Manifest *batch.Manifest `json:"manifest"`
}

// InspectError is Inspect's error for a file that cannot be read as a batch: Err is
// batch.ReadFile's (hub.Describe names the check that failed).
type InspectError struct {
	File string
	Err  error
}

func (e *InspectError) Error() string { return e.Text().Get(survey.LangEN) }

// Unwrap returns batch.ReadFile's error.
func (e *InspectError) Unwrap() error { return e.Err }

// Text returns "FILE: CHECK: DETAIL" in each language.
func (e *InspectError) Text() survey.Text {
	reason, detail := hub.Describe(e.Err)
	return survey.T(e.File+": "+reason.Get(survey.LangEN)+": "+detail.Get(survey.LangEN),
		e.File+": "+reason.Get(survey.LangVI)+": "+detail.Get(survey.LangVI))
}

// Inspect reads each batch file in order, checking its structure (batch.ReadFile) but not
// its signature, and calls each with what the file says before reading the next; it stops
// at the first error each returns. A file that cannot be read as a batch stops it with an
// *InspectError; ctx done stops it with ctx.Err().
func Inspect(ctx context.Context, files []string, each func(Inspected) error) error {
	for _, file := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		b, err := batch.ReadFile(file)
		if err != nil {
			return &InspectError{File: file, Err: err}
		}
		if err := each(Inspected{File: file, Size: b.Size, Key: keys.Fingerprint(b.SignerKey()), Manifest: &b.Manifest}); err != nil {
			return err
		}
	}
	return nil
}
