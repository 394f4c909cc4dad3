package batch

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"filippo.io/age"
	"github.com/hiddeco/sshsig"
	"golang.org/x/crypto/ssh"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/sync/keys"
)

// Verify checks that b was signed, over its exact manifest bytes and in the fieldsurvey
// namespace, by a key that signers trusts for the manifest's signer principal now, and that
// the payload is the one the manifest declares. The checks run in that order, and the first
// failure is returned: ErrBadSignature, ErrUnknownSigner or ErrPayloadHash.
func Verify(b *Batch, signers *keys.AllowedSigners) error {
	return verifyAt(b, signers, time.Now())
}

func verifyAt(b *Batch, signers *keys.AllowedSigners, now time.Time) error {
	sig := b.Signature
	if sig == nil {
		return fmt.Errorf("%w: no signature", ErrBadSignature)
	}
	fp := ssh.FingerprintSHA256(sig.PublicKey)
	if sig.Namespace != Namespace {
		return fmt.Errorf("%w: signed for namespace %q, not %q", ErrBadSignature, clip(sig.Namespace), Namespace)
	}
	if t := sig.PublicKey.Type(); t != ssh.KeyAlgoED25519 {
		return fmt.Errorf("%w: signed with a %s key; batches are signed with Ed25519 device keys", ErrBadSignature, t)
	}
	if err := sig.HashAlgorithm.Supported(); err != nil {
		return fmt.Errorf("%w: unsupported hash algorithm %q", ErrBadSignature, clip(string(sig.HashAlgorithm)))
	}
	if err := sshsig.Verify(bytes.NewReader(b.ManifestBytes), sig, sig.PublicKey, sig.HashAlgorithm, Namespace); err != nil {
		return fmt.Errorf("%w: %s does not match %s (key %s); the manifest was altered after signing", ErrBadSignature, NameSignature, NameManifest, fp)
	}
	if signers == nil {
		return fmt.Errorf("%w: no allowed signers given", ErrUnknownSigner)
	}
	if err := signers.Check(sig.PublicKey, b.Manifest.Signer, Namespace, now); err != nil {
		msg := strings.TrimPrefix(err.Error(), keys.ErrSignerNotAllowed.Error()+": ")
		return fmt.Errorf("%w %q: %s", ErrUnknownSigner, b.Manifest.Signer, msg)
	}
	p := b.Manifest.Payload
	if int64(len(b.Payload)) != p.Size {
		return fmt.Errorf("%w: %s has %d bytes, the manifest says %d", ErrPayloadHash, p.Name, len(b.Payload), p.Size)
	}
	if got := sha256Hex(b.Payload); got != p.SHA256 {
		return fmt.Errorf("%w: %s has SHA-256 %.16s…, the manifest says %.16s…", ErrPayloadHash, p.Name, got, p.SHA256)
	}
	return nil
}

// SignerKey returns the public key that signed b (trusted or not: see Verify).
func (b *Batch) SignerKey() ssh.PublicKey {
	if b.Signature == nil {
		return nil
	}
	return b.Signature.PublicKey
}

// Revisions decrypts (with identities, when the payload is encrypted), decompresses and
// decodes the revisions of a verified batch, within the limits b was read with. It checks
// that the content is the one the manifest declares, that every revision is well formed
// and its id the hash of its content, that they are sorted and unique, and that the counts
// and questionnaires match the manifest.
func (b *Batch) Revisions(identities ...age.Identity) ([]survey.Revision, error) {
	l := b.limits.withDefaults()
	var src io.Reader = bytes.NewReader(b.Payload)
	if b.Manifest.Payload.Encrypted {
		if len(identities) == 0 {
			return nil, fmt.Errorf("%w: the payload is encrypted with age; give an identity that can decrypt it (merge --identity FILE)", ErrNoIdentity)
		}
		r, err := age.Decrypt(src, identities...)
		if err != nil {
			var nm *age.NoIdentityMatchError
			if errors.As(err, &nm) {
				return nil, fmt.Errorf("%w: none of the given identities is a recipient of this batch", ErrNoIdentity)
			}
			return nil, formatErr(ErrMalformed, NamePayloadAge, "not a readable age file")
		}
		src = r
	}
	zr, err := gzip.NewReader(src)
	if err != nil {
		return nil, formatErr(ErrMalformed, b.Manifest.Payload.Name, "not gzip data")
	}
	zr.Multistream(false)
	content, err := io.ReadAll(io.LimitReader(zr, l.MaxContent+1))
	if err != nil {
		return nil, formatErr(ErrMalformed, b.Manifest.Payload.Name, "corrupt compressed data")
	}
	if int64(len(content)) > l.MaxContent {
		return nil, formatErr(ErrTooLarge, b.Manifest.Payload.Name, fmt.Sprintf("the revisions decompress to more than %d bytes", l.MaxContent))
	}
	c := b.Manifest.Content
	if int64(len(content)) != c.Size || sha256Hex(content) != c.SHA256 {
		return nil, fmt.Errorf("%w: the decompressed revisions are not the content the manifest declares", ErrPayloadHash)
	}
	revs, err := decodeRevisions(content, l.MaxRevision)
	if err != nil {
		return nil, err
	}
	if err := b.checkSummary(revs); err != nil {
		return nil, err
	}
	return revs, nil
}

// decodeRevisions parses the revisions' JSON Lines: strictly, each verified, in order.
func decodeRevisions(content []byte, maxLine int) ([]survey.Revision, error) {
	bad := func(line int, format string, args ...any) error {
		return formatErr(ErrMalformed, "revisions", fmt.Sprintf("line %d: ", line)+fmt.Sprintf(format, args...))
	}
	if len(content) > 0 && content[len(content)-1] != '\n' {
		return nil, formatErr(ErrMalformed, "revisions", "the last line has no newline")
	}
	sc := bufio.NewScanner(bytes.NewReader(content))
	sc.Buffer(make([]byte, 0, min(64<<10, maxLine)), maxLine)
	var revs []survey.Revision
	n := 0
	for sc.Scan() {
		n++
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.DisallowUnknownFields()
		var r survey.Revision
		if err := dec.Decode(&r); err != nil {
			return nil, bad(n, "%s", jsonMsg(err))
		}
		if dec.More() {
			return nil, bad(n, "more than one JSON value")
		}
		if err := r.Verify(); err != nil {
			return nil, bad(n, "%v", err)
		}
		if len(revs) > 0 && compareRevision(revs[len(revs)-1], r) >= 0 {
			return nil, bad(n, "revisions are not sorted by device, counter and id, or repeat")
		}
		revs = append(revs, r)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, formatErr(ErrTooLarge, "revisions", fmt.Sprintf("line %d is longer than %d bytes", n+1, maxLine))
		}
		return nil, formatErr(ErrMalformed, "revisions", err.Error())
	}
	return revs, nil
}

func (b *Batch) checkSummary(revs []survey.Revision) error {
	m := &b.Manifest
	refs, interviews, err := summarize(revs, nil)
	if err != nil {
		return formatErr(ErrMalformed, "revisions", err.Error())
	}
	if len(revs) != m.Revisions || interviews != m.Interviews {
		return formatErr(ErrMalformed, "revisions", fmt.Sprintf("%d revisions of %d interviews, the manifest says %d of %d",
			len(revs), interviews, m.Revisions, m.Interviews))
	}
	for _, r := range refs {
		if _, ok := slices.BinarySearchFunc(m.Questionnaires, r, compareRef); !ok {
			return formatErr(ErrMalformed, "revisions", fmt.Sprintf("an interview uses questionnaire %s, which the manifest does not list", r))
		}
	}
	return nil
}

// CheckQuestionnaires returns ErrUnknownQuestionnaire, naming the first questionnaire
// version of m for which known is false.
func CheckQuestionnaires(m *Manifest, known func(QuestionnaireRef) bool) error {
	for _, q := range m.Questionnaires {
		if !known(q) {
			return fmt.Errorf("%w: questionnaire %s version %s is not known here; add it (fieldsurvey questionnaire add FILE) and merge again", ErrUnknownQuestionnaire, q.ID, q.Version)
		}
	}
	return nil
}
