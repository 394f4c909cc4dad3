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
		return checkErr(ErrBadSignature, bi("no signature", "không có chữ ký"))
	}
	fp := ssh.FingerprintSHA256(sig.PublicKey)
	if sig.Namespace != Namespace {
		return checkErr(ErrBadSignature, bi("signed for namespace %q, not %q", "ký cho không gian tên (namespace) %q, không phải %q", clip(sig.Namespace), Namespace))
	}
	if t := sig.PublicKey.Type(); t != ssh.KeyAlgoED25519 {
		return checkErr(ErrBadSignature, bi("signed with a %s key; batches are signed with Ed25519 device keys", "ký bằng khoá %s; lô dữ liệu được ký bằng khoá Ed25519 của thiết bị", t))
	}
	if err := sig.HashAlgorithm.Supported(); err != nil {
		return checkErr(ErrBadSignature, bi("unsupported hash algorithm %q", "thuật toán băm %q không được hỗ trợ", clip(string(sig.HashAlgorithm))))
	}
	if err := sshsig.Verify(bytes.NewReader(b.ManifestBytes), sig, sig.PublicKey, sig.HashAlgorithm, Namespace); err != nil {
		return checkErr(ErrBadSignature, bi("%s does not match %s (key %s); the manifest was altered after signing",
			"%s không khớp với %s (khoá %s); bản kê khai (manifest) đã bị sửa sau khi ký", NameSignature, NameManifest, fp))
	}
	if signers == nil {
		return checkErr(ErrUnknownSigner, bi("no allowed signers given", "không có danh sách người ký được phép"))
	}
	if err := signers.Check(sig.PublicKey, b.Manifest.Signer, Namespace, now); err != nil {
		t := signerText(err)
		return &checkError{class: ErrUnknownSigner, msg: survey.T(fmt.Sprintf("%q: %s", b.Manifest.Signer, t.Get(survey.LangEN)),
			fmt.Sprintf("%q: %s", b.Manifest.Signer, t.Get(survey.LangVI))), sep: " "}
	}
	p := b.Manifest.Payload
	if int64(len(b.Payload)) != p.Size {
		return checkErr(ErrPayloadHash, bi("%s has %d bytes, the manifest says %d", "%s có %d byte, bản kê khai (manifest) ghi %d", p.Name, len(b.Payload), p.Size))
	}
	if got := sha256Hex(b.Payload); got != p.SHA256 {
		return checkErr(ErrPayloadHash, bi("%s has SHA-256 %.16s…, the manifest says %.16s…", "%s có SHA-256 %.16s…, bản kê khai (manifest) ghi %.16s…", p.Name, got, p.SHA256))
	}
	if b.badCRC != "" {
		return formatErr(ErrMalformed, b.badCRC, bi("the zip archive's CRC-32 does not match the entry (the signed content is intact: the archive was altered around it)",
			"CRC-32 của tệp zip không khớp với mục (nội dung đã ký vẫn nguyên vẹn: tệp zip bị sửa quanh nó)"))
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
			return nil, checkErr(ErrNoIdentity, bi("the payload is encrypted with age; give an identity that can decrypt it (merge --identity FILE)",
				"phần dữ liệu được mã hoá bằng age; hãy đưa tệp khoá giải mã được nó (merge --identity TỆP)"))
		}
		r, err := age.Decrypt(src, identities...)
		if err != nil {
			var nm *age.NoIdentityMatchError
			if errors.As(err, &nm) {
				return nil, checkErr(ErrNoIdentity, bi("none of the given identities is a recipient of this batch", "không khoá giải mã nào được đưa vào là của một người nhận lô dữ liệu này"))
			}
			return nil, formatErr(ErrMalformed, NamePayloadAge, bi("not a readable age file", "không phải tệp age đọc được"))
		}
		src = r
	}
	c := b.Manifest.Content
	if c.Size > l.MaxContent {
		return nil, formatErr(ErrTooLarge, b.Manifest.Payload.Name, bi("the manifest declares %d bytes of revisions, over the limit of %d",
			"bản kê khai (manifest) khai báo %d byte thay đổi, vượt giới hạn %d", c.Size, l.MaxContent))
	}
	zr, _ := gzipReaders.Get().(*gzip.Reader)
	var err error
	if zr == nil {
		zr, err = gzip.NewReader(src)
	} else {
		err = zr.Reset(src)
	}
	if err != nil {
		return nil, formatErr(ErrMalformed, b.Manifest.Payload.Name, bi("not gzip data", "không phải dữ liệu gzip"))
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
		return nil, checkErr(ErrPayloadHash, bi("the revisions decompress to more than the %d bytes the manifest declares (a corrupt or hostile batch)",
			"các thay đổi giải nén ra nhiều hơn %d byte mà bản kê khai (manifest) khai báo (lô dữ liệu bị hỏng hoặc có ý phá hoại)", c.Size))
	case errors.Is(derr, errRead):
		return nil, formatErr(ErrMalformed, b.Manifest.Payload.Name, bi("corrupt compressed data", "dữ liệu nén bị hỏng"))
	case derr != nil:
		return nil, derr
	case cr.n != c.Size || hex.EncodeToString(h.Sum(nil)) != c.SHA256:
		return nil, checkErr(ErrPayloadHash, bi("the decompressed revisions are not the content the manifest declares",
			"các thay đổi sau khi giải nén không phải nội dung mà bản kê khai (manifest) khai báo"))
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
	bad := func(line int, t survey.Text) error {
		return formatErr(ErrMalformed, entryRevisions, survey.T(fmt.Sprintf("line %d: %s", line, t.Get(survey.LangEN)),
			fmt.Sprintf("dòng %d: %s", line, t.Get(survey.LangVI))))
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
			return nil, formatErr(ErrTooLarge, entryRevisions, bi("line %d is longer than %d bytes", "dòng %d dài hơn %d byte", n, maxLine))
		}
		if err == io.EOF {
			if len(line) > 0 {
				return nil, formatErr(ErrMalformed, entryRevisions, bi("the last line has no newline", "dòng cuối không có ký tự xuống dòng"))
			}
			return revs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %w", errRead, err)
		}
		r, err := ld.decode(line[:len(line)-1])
		if err != nil {
			return nil, bad(n, survey.ErrorText(err))
		}
		// Lines of one interview follow each other: its id is checked on the first.
		if len(revs) == 0 || r.Interview != revs[len(revs)-1].Interview {
			if err := survey.CheckInterviewID(r.Interview); err != nil {
				return nil, bad(n, interviewIDText(err, r.Interview))
			}
		}
		if len(revs) > 0 && compareRevision(revs[len(revs)-1], r) >= 0 {
			return nil, bad(n, bi("revisions are not sorted by device, counter and id, or repeat",
				"các thay đổi không được sắp xếp theo thiết bị, bộ đếm và mã, hoặc bị lặp lại"))
		}
		revs = append(revs, r)
	}
}

func (b *Batch) checkSummary(revs []survey.Revision) error {
	m := &b.Manifest
	refs, interviews, err := summarize(revs, nil)
	if err != nil {
		return formatErr(ErrMalformed, entryRevisions, survey.ErrorText(err))
	}
	if len(revs) != m.Revisions || interviews != m.Interviews {
		return formatErr(ErrMalformed, entryRevisions, bi("%d revisions of %d interviews, the manifest says %d of %d",
			"%d thay đổi của %d cuộc phỏng vấn, bản kê khai (manifest) ghi %d thay đổi của %d cuộc phỏng vấn",
			len(revs), interviews, m.Revisions, m.Interviews))
	}
	for _, r := range refs {
		if _, ok := slices.BinarySearchFunc(m.Questionnaires, r, compareRef); !ok {
			return formatErr(ErrMalformed, entryRevisions, bi("an interview uses questionnaire %s, which the manifest does not list",
				"một cuộc phỏng vấn dùng bảng hỏi %s, không có trong bản kê khai (manifest)", r))
		}
	}
	return nil
}

// CheckQuestionnaires returns ErrUnknownQuestionnaire, naming the first questionnaire
// version of m for which known is false.
func CheckQuestionnaires(m *Manifest, known func(QuestionnaireRef) bool) error {
	for _, q := range m.Questionnaires {
		if !known(q) {
			return checkErr(ErrUnknownQuestionnaire, bi("questionnaire %s version %s is not known here; add it (fieldsurvey questionnaire add FILE) and merge again",
				"bảng hỏi %s phiên bản %s không có ở đây; hãy thêm nó (fieldsurvey questionnaire add TỆP) rồi hợp nhất lại", q.ID, q.Version))
		}
	}
	return nil
}
