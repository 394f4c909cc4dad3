package batch_test

import (
	"bytes"
	"crypto/ed25519"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/sync/batch"
	"github.com/fieldsurvey/fieldsurvey/sync/keys"
)

// An assessor's device packs its revisions into a signed batch; a supervisor who trusts the
// device's key reads, verifies and unpacks it.
func Example() {
	// The device: its key (normally keys.LoadSigner(HOME/device_ed25519)) and a revision.
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))
	signer, _ := ssh.NewSignerFromKey(priv)
	rev, _ := survey.NewRevision(survey.Target{Interview: "0193a5b2-7c1e-7000-8000-000000000001", Kind: survey.KindInterview},
		survey.InterviewMeta{Questionnaire: "example", QuestionnaireVersion: "1"},
		"laptop-7", 1, time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC), "an@example.org", nil)

	var file bytes.Buffer
	_, err := batch.Write(&file, []survey.Revision{rev}, batch.Options{
		Device: "laptop-7", Signer: signer, Principal: "an@example.org", Sequence: 1,
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	// The supervisor: an allowed_signers file (the line `fieldsurvey identity` prints).
	allowed, _ := keys.ParseAllowedSigners(strings.NewReader(
		keys.SignerLine("an@example.org", signer.PublicKey(), batch.Namespace)))
	b, err := batch.Read(&file, batch.Limits{})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := batch.Verify(b, allowed); err != nil {
		fmt.Println("rejected:", batch.Reason(err).Get("en"), "-", err)
		return
	}
	revs, err := b.Revisions()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("batch %d from %s signed by %s: %d revision(s), questionnaires %v\n",
		b.Manifest.Sequence, b.Manifest.Device, b.Manifest.Signer, len(revs), b.Manifest.Questionnaires)
	// Output: batch 1 from laptop-7 signed by an@example.org: 1 revision(s), questionnaires [example@1]
}
