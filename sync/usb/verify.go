package usb

import (
	"context"
	"os"
	"path/filepath"
	"strings"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/sync/batch"
	"github.com/fieldsurvey/fieldsurvey/sync/hub"
	"github.com/fieldsurvey/fieldsurvey/sync/keys"
)

// NoBatchFilesError is BatchFiles' error when the names it was given hold no batch file.
type NoBatchFilesError struct {
	Args []string
}

func (e *NoBatchFilesError) Error() string { return e.Text().Get(survey.LangEN) }

// Text returns the message in every language.
func (e *NoBatchFilesError) Text() survey.Text {
	in := strings.Join(e.Args, ", ")
	return survey.T("no batch files (*"+batch.Ext+") in "+in, "không có tệp lô dữ liệu (*"+batch.Ext+") trong "+in)
}

// BatchFiles expands names given on a command line: a folder stands for the batch files
// (*.fsbatch) in it, by name; any other name is taken as it is, in the order given. A name
// that is not there is a *survey.StepError; none at all, a *NoBatchFilesError.
func BatchFiles(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		fi, err := os.Stat(a)
		if err != nil {
			return nil, survey.StepErr(err, "batch file", "tệp lô dữ liệu")
		}
		if !fi.IsDir() {
			out = append(out, a)
			continue
		}
		ents, err := os.ReadDir(a) // sorted by name
		if err != nil {
			return nil, survey.StepErr(err, "batch file", "tệp lô dữ liệu")
		}
		for _, e := range ents {
			if ok, _ := filepath.Match("*"+batch.Ext, e.Name()); ok {
				out = append(out, filepath.Join(a, e.Name()))
			}
		}
	}
	if len(out) == 0 {
		return nil, &NoBatchFilesError{Args: args}
	}
	return out, nil
}

// Verified is what Verify found of one batch file.
type Verified struct {
	File string
	// Manifest and Key (the fingerprint of the key that signed it) are what the file says,
	// trusted only when Err is nil; nil and "" when it cannot be read as a batch.
	Manifest *batch.Manifest
	Key      string
	// Unchecked: the payload is encrypted and no identity was given to open it; every
	// check but those of the revisions themselves was made.
	Unchecked bool
	// Err is the check that failed (hub.Explain names it); nil: the batch passed them all.
	Err error
}

// Verify checks each batch file as a merge with opts would (hub.Check: structure, size,
// format version, signature by a key opts.Signers trusts for the signer principal, payload
// hash, every revision, the questionnaire versions), in order, and changes nothing. An
// encrypted payload without opts.Identities is checked but for its revisions (Unchecked).
// It calls each with what it found of a file before reading the next, and returns only
// when all are checked or ctx is done (then ctx.Err()).
func Verify(ctx context.Context, files []string, opts hub.Options, each func(Verified)) error {
	known := opts.Known
	if known == nil {
		known = func(batch.QuestionnaireRef) bool { return false }
	}
	for _, file := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		v := Verified{File: file}
		b, err := batch.ReadFile(file)
		if err == nil {
			v.Manifest, v.Key = &b.Manifest, keys.Fingerprint(b.SignerKey())
			if b.Encrypted() && len(opts.Identities) == 0 {
				v.Unchecked = true
				if err = batch.Verify(b, opts.Signers); err == nil {
					err = batch.CheckQuestionnaires(&b.Manifest, known)
				}
			} else {
				_, err = hub.Check(b, opts)
			}
		}
		v.Err = err
		each(v)
	}
	return nil
}
