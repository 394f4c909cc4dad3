package batch

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"cmp"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"slices"
	"time"

	"filippo.io/age"
	"github.com/hiddeco/sshsig"
	"golang.org/x/crypto/ssh"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/sync/keys"
)

// Options say who makes a batch and for whom.
type Options struct {
	// Device is the id of the device whose revisions these are (config `device`).
	Device string
	// Signer is the device's Ed25519 key; Principal the name it signs as (config
	// `assessor.principal`), which must appear for that key in the hub's allowed_signers.
	Signer    ssh.Signer
	Principal string
	// Sequence is this batch's per-device number, from 1, one more than the last batch.
	Sequence uint64
	// Recipients, when any, get the payload encrypted to them with age.
	Recipients []age.Recipient
	// Questionnaires adds the questionnaire versions of interviews whose creating revision
	// travelled in an earlier batch; those of the interviews created in this batch are
	// found in the revisions.
	Questionnaires []QuestionnaireRef
	// FormatVersion is the format to write: 0 or FormatVersion (2), or FormatVersion1 for
	// receivers that read only version 1.
	FormatVersion int
}

func (o Options) version() (int, error) {
	switch o.FormatVersion {
	case 0, FormatVersion:
		return FormatVersion, nil
	case FormatVersion1:
		return FormatVersion1, nil
	}
	return 0, fmt.Errorf("create batch: no format version %d (this program writes versions 1 and 2)", o.FormatVersion)
}

// Create packs revs into a signed batch, created now, and returns the file's bytes and its
// manifest. Duplicate revisions count once; a revision that fails survey.Revision.Verify is
// an error (nothing is packed).
func Create(revs []survey.Revision, opts Options) ([]byte, *Manifest, error) {
	return createWithNow(revs, opts, time.Now())
}

func createWithNow(revs []survey.Revision, opts Options, now time.Time) ([]byte, *Manifest, error) {
	var buf bytes.Buffer
	m, err := writeWithNow(&buf, revs, opts, now)
	if err != nil {
		return nil, nil, err
	}
	return buf.Bytes(), m, nil
}

// Write writes the batch of revs to w, created now, and returns its manifest. See Create.
func Write(w io.Writer, revs []survey.Revision, opts Options) (*Manifest, error) {
	return writeWithNow(w, revs, opts, time.Now())
}

func writeWithNow(w io.Writer, revs []survey.Revision, opts Options, now time.Time) (*Manifest, error) {
	if opts.Device == "" {
		return nil, errors.New("create batch: no device id (set `device` in the configuration)")
	}
	if opts.Sequence == 0 {
		return nil, errors.New("create batch: sequence numbers start at 1")
	}
	if opts.Signer == nil {
		return nil, errors.New("create batch: no signing key")
	}
	if t := opts.Signer.PublicKey().Type(); t != ssh.KeyAlgoED25519 {
		return nil, fmt.Errorf("create batch: signing key is %s, batches are signed with Ed25519 keys", t)
	}
	principal, err := keys.CheckPrincipal(opts.Principal)
	if err != nil {
		return nil, fmt.Errorf("create batch: %w", err)
	}
	version, err := opts.version()
	if err != nil {
		return nil, err
	}
	sorted, err := sortRevisions(revs)
	if err != nil {
		return nil, fmt.Errorf("create batch: %w", err)
	}
	content, err := encodeRevisions(sorted, version)
	if err != nil {
		return nil, fmt.Errorf("create batch: %w", err)
	}
	refs, interviews, err := summarize(sorted, opts.Questionnaires)
	if err != nil {
		return nil, fmt.Errorf("create batch: %w", err)
	}
	payload, err := compress(content)
	if err != nil {
		return nil, fmt.Errorf("create batch: compress revisions: %w", err)
	}
	payloadName := NamePayload
	if len(opts.Recipients) > 0 {
		if payload, err = encrypt(payload, opts.Recipients); err != nil {
			return nil, fmt.Errorf("create batch: encrypt revisions: %w", err)
		}
		payloadName = NamePayloadAge
	}
	contentSHA := sha256Hex(content)
	m := &Manifest{
		Format: FormatName, FormatVersion: version,
		ID:     batchID(version, opts.Device, opts.Sequence, contentSHA),
		Device: opts.Device, Signer: principal, Sequence: opts.Sequence,
		Created:        now.UTC().Format(survey.TimeFormat),
		Questionnaires: refs, Interviews: interviews, Revisions: len(sorted),
		Content: Digest{Size: int64(len(content)), SHA256: contentSHA},
		Payload: Payload{Name: payloadName, Encrypted: len(opts.Recipients) > 0,
			Size: int64(len(payload)), SHA256: sha256Hex(payload)},
	}
	if err := m.check(); err != nil {
		return nil, fmt.Errorf("create batch: %w", err)
	}
	mb, err := m.Marshal()
	if err != nil {
		return nil, err
	}
	sig, err := sshsig.Sign(bytes.NewReader(mb), opts.Signer, sshsig.HashSHA512, Namespace)
	if err != nil {
		return nil, fmt.Errorf("create batch: sign manifest: %w", err)
	}
	parts := parts{manifest: mb, signature: sshsig.Armor(sig), payloadName: payloadName, payload: payload}
	if err := parts.write(w, version, now); err != nil {
		return nil, fmt.Errorf("create batch: write archive: %w", err)
	}
	return m, nil
}

// sortRevisions verifies revs, drops duplicates and sorts them by device, counter and id.
func sortRevisions(revs []survey.Revision) ([]survey.Revision, error) {
	out := slices.Clone(revs)
	slices.SortFunc(out, compareRevision)
	out = slices.CompactFunc(out, func(a, b survey.Revision) bool { return a.ID == b.ID })
	for _, r := range out {
		if err := r.Verify(); err != nil {
			return nil, fmt.Errorf("revision %.12s of interview %s: %w", r.ID, r.Interview, err)
		}
		if err := survey.CheckInterviewID(r.Interview); err != nil {
			return nil, fmt.Errorf("revision %.12s: %w; receivers refuse it", r.ID, err)
		}
	}
	return out, nil
}

func compareRevision(a, b survey.Revision) int {
	return cmp.Or(cmp.Compare(a.Device, b.Device), cmp.Compare(a.Counter, b.Counter), cmp.Compare(a.ID, b.ID))
}

// summarize lists the questionnaire versions (from the revisions that create interviews and
// assessments, plus extra) and counts the records (interviews and assessments).
func summarize(revs []survey.Revision, extra []QuestionnaireRef) ([]QuestionnaireRef, int, error) {
	refs := slices.Clone(extra)
	seen := map[string]bool{}
	for _, r := range revs {
		seen[r.Interview] = true
		switch r.Kind {
		case survey.KindInterview:
			var meta survey.InterviewMeta
			if err := json.Unmarshal(r.Value, &meta); err != nil {
				return nil, 0, fmt.Errorf("revision %.12s: decode interview: %w", r.ID, err)
			}
			refs = append(refs, QuestionnaireRef{ID: meta.Questionnaire, Version: meta.QuestionnaireVersion})
		case survey.KindAssessment:
			// An assessment names its questionnaire as an interview does.
			var meta survey.AssessmentMeta
			if err := json.Unmarshal(r.Value, &meta); err != nil {
				return nil, 0, fmt.Errorf("revision %.12s: decode assessment: %w", r.ID, err)
			}
			refs = append(refs, QuestionnaireRef{ID: meta.Questionnaire, Version: meta.QuestionnaireVersion})
		}
	}
	slices.SortFunc(refs, compareRef)
	refs = slices.Compact(refs)
	if refs == nil {
		refs = []QuestionnaireRef{}
	}
	return refs, len(seen), nil
}

func compress(content []byte) ([]byte, error) {
	var buf bytes.Buffer
	// An empty header: no name, no mtime (0), OS "unknown", so the bytes depend only on the content.
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(content); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func encrypt(data []byte, recipients []age.Recipient) ([]byte, error) {
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, recipients...)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(data); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// parts are the three entries of a batch archive.
type parts struct {
	manifest, signature []byte
	payloadName         string
	payload             []byte
	// crcs, when set, are the CRC-32s a zip archive declares for the three entries (a
	// reader rebuilds an archive as it was received, to compare): else they are computed.
	crcs *[3]uint32
}

// write writes the archive of a batch of version v: a tar archive for version 1, a zip
// archive for version 2.
func (p parts) write(w io.Writer, v int, created time.Time) error {
	if v == FormatVersion1 {
		return p.writeTar(w, created)
	}
	return p.writeZip(w, created)
}

// writeZip writes the version 2 archive: a zip archive (no data descriptors, no extra
// fields, no comment) whose three entries are stored as they are (the payload is compressed
// already), each with the batch's creation second as its time, so the same parts give the
// same bytes. Its framing costs about 350 bytes, where tar's costs 2.5–4 KB (512-byte
// headers, padding to 512 bytes, two zero blocks); the standard tools still extract it
// (unzip BATCH manifest.json manifest.json.sig) for ssh-keygen -Y verify.
func (p parts) writeZip(w io.Writer, created time.Time) error {
	zw := zip.NewWriter(w)
	t := created.UTC()
	date := uint16((t.Year()-1980)<<9 | int(t.Month())<<5 | t.Day())
	tod := uint16(t.Hour()<<11 | t.Minute()<<5 | t.Second()/2)
	for i, e := range p.entries() {
		crc := crc32.ChecksumIEEE(e.data)
		if p.crcs != nil {
			crc = p.crcs[i]
		}
		hdr := &zip.FileHeader{Name: e.name, Method: zip.Store, CRC32: crc,
			CompressedSize64: uint64(len(e.data)), UncompressedSize64: uint64(len(e.data)),
			ModifiedDate: date, ModifiedTime: tod}
		fw, err := zw.CreateRaw(hdr)
		if err != nil {
			return err
		}
		if _, err := fw.Write(e.data); err != nil {
			return err
		}
	}
	return zw.Close()
}

type entry struct {
	name string
	data []byte
}

func (p parts) entries() []entry {
	return []entry{{NameManifest, p.manifest}, {NameSignature, p.signature}, {p.payloadName, p.payload}}
}

// writeTar writes the version 1 archive with fixed headers, so the same parts give the same
// bytes.
func (p parts) writeTar(w io.Writer, created time.Time) error {
	tw := tar.NewWriter(w)
	mtime := created.UTC().Truncate(time.Second)
	for _, e := range p.entries() {
		hdr := &tar.Header{
			Typeflag: tar.TypeReg, Name: e.name, Size: int64(len(e.data)), Mode: 0o644,
			ModTime: mtime, Format: tar.FormatUSTAR,
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if _, err := tw.Write(e.data); err != nil {
			return err
		}
	}
	return tw.Close()
}

// WriteTo writes b again as a canonical archive of its version (the server keeps batches
// this way).
func (b *Batch) WriteTo(w io.Writer) (int64, error) {
	cw := &countWriter{w: w}
	p := parts{manifest: b.ManifestBytes, signature: b.SignatureBytes, payloadName: b.Manifest.Payload.Name, payload: b.Payload}
	err := p.write(cw, b.Manifest.FormatVersion, b.Manifest.CreatedTime())
	return cw.n, err
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
