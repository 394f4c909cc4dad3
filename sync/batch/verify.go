package batch

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
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
// failure is returned: ErrBadSignature, ErrUnknownSigner or ErrPayloadHash; then, for a
// version 2 (zip) batch, the archive's CRC-32s (ErrMalformed).
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
	if b.badCRC != "" {
		return formatErr(ErrMalformed, b.badCRC, "the zip archive's CRC-32 does not match the entry (the signed content is intact: the archive was altered around it)")
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
	c := b.Manifest.Content
	if c.Size > l.MaxContent {
		return nil, formatErr(ErrTooLarge, b.Manifest.Payload.Name, fmt.Sprintf("the manifest declares %d bytes of revisions, over the limit of %d", c.Size, l.MaxContent))
	}
	zr, _ := gzipReaders.Get().(*gzip.Reader)
	var err error
	if zr == nil {
		zr, err = gzip.NewReader(src)
	} else {
		err = zr.Reset(src)
	}
	if err != nil {
		return nil, formatErr(ErrMalformed, b.Manifest.Payload.Name, "not gzip data")
	}
	defer gzipReaders.Put(zr)
	zr.Multistream(false)
	// Decompress as a stream, never more than one byte past the size the signed manifest
	// declares: memory stays bounded by one line (MaxRevision) and the revisions decoded,
	// whatever the payload would expand to.
	h := sha256.New()
	cr := &counter{r: io.LimitReader(zr, c.Size+1)}
	// Room for the values, as the manifest declares them but no more than the payload
	// could plausibly hold (a hostile manifest does not reserve memory).
	hint := min(c.Size, 16*int64(len(b.Payload)), 64<<20)
	revs, derr := decodeRevisions(io.TeeReader(cr, h), b.Manifest.FormatVersion, l.MaxRevision, hint)
	switch {
	case cr.n > c.Size:
		return nil, fmt.Errorf("%w: the revisions decompress to more than the %d bytes the manifest declares (a corrupt or hostile batch)", ErrPayloadHash, c.Size)
	case errors.Is(derr, errRead):
		return nil, formatErr(ErrMalformed, b.Manifest.Payload.Name, "corrupt compressed data")
	case derr != nil:
		return nil, derr
	case cr.n != c.Size || hex.EncodeToString(h.Sum(nil)) != c.SHA256:
		return nil, fmt.Errorf("%w: the decompressed revisions are not the content the manifest declares", ErrPayloadHash)
	}
	if err := b.checkSummary(revs); err != nil {
		return nil, err
	}
	return revs, nil
}

// A receiver decodes batch after batch: the decompressor (a 32 KiB window and its tables)
// and the line buffer (64 KiB) of one batch serve the next, instead of ~100 KiB of garbage
// a batch. Nothing decoded refers to them (lineDecoder copies what it keeps).
var (
	gzipReaders sync.Pool // *gzip.Reader
	lineReaders sync.Pool // *bufio.Reader of lineBuffer bytes
)

// lineBuffer is the size of the buffer revision lines are read through; a longer line is
// gathered apart (up to the line limit).
const lineBuffer = 64 << 10

// errRead marks a failure of the reader under decodeRevisions (corrupt compressed data).
var errRead = errors.New("read revisions")

// decodeRevisions parses the revisions' JSON Lines of a batch of version v from r as they
// arrive: strictly, each verified (lines.go), in order, no line longer than maxLine bytes.
func decodeRevisions(r io.Reader, v int, maxLine int, sizeHint int64) ([]survey.Revision, error) {
	ld := getLineDecoder(v, sizeHint)
	defer ld.release()
	bad := func(line int, format string, args ...any) error {
		return formatErr(ErrMalformed, "revisions", fmt.Sprintf("line %d: ", line)+fmt.Sprintf(format, args...))
	}
	var br *bufio.Reader
	if maxLine < lineBuffer {
		br = bufio.NewReaderSize(r, max(16, maxLine))
	} else if br, _ = lineReaders.Get().(*bufio.Reader); br != nil {
		br.Reset(r)
	} else {
		br = bufio.NewReaderSize(r, lineBuffer)
	}
	if br.Size() == lineBuffer {
		defer func() {
			br.Reset(nil)
			lineReaders.Put(br)
		}()
	}
	revs := make([]survey.Revision, 0, min(sizeHint/256, 1<<16))
	var long []byte
	for n := 1; ; n++ {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// A line longer than the buffer: gather it, up to maxLine.
			long = append(long[:0], line...)
			for errors.Is(err, bufio.ErrBufferFull) {
				if len(long) > maxLine {
					break
				}
				line, err = br.ReadSlice('\n')
				long = append(long, line...)
			}
			line = long
		}
		if len(line) > maxLine+1 || (len(line) > maxLine && line[len(line)-1] != '\n') {
			return nil, formatErr(ErrTooLarge, "revisions", fmt.Sprintf("line %d is longer than %d bytes", n, maxLine))
		}
		if err == io.EOF {
			if len(line) > 0 {
				return nil, formatErr(ErrMalformed, "revisions", "the last line has no newline")
			}
			return revs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %w", errRead, err)
		}
		r, err := ld.decode(line[:len(line)-1])
		if err != nil {
			return nil, bad(n, "%v", err)
		}
		// Lines of one interview follow each other: its id is checked on the first.
		if len(revs) == 0 || r.Interview != revs[len(revs)-1].Interview {
			if err := survey.CheckInterviewID(r.Interview); err != nil {
				return nil, bad(n, "%v", err)
			}
		}
		if len(revs) > 0 && compareRevision(revs[len(revs)-1], r) >= 0 {
			return nil, bad(n, "revisions are not sorted by device, counter and id, or repeat")
		}
		revs = append(revs, r)
	}
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
