package batch

import (
	"archive/tar"
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/hiddeco/sshsig"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// Limits bound what Read and Revisions accept. A zero field takes its default.
type Limits struct {
	MaxSize      int64 // the whole batch file (default 64 MiB)
	MaxManifest  int64 // manifest.json (default 1 MiB)
	MaxSignature int64 // manifest.json.sig (default 64 KiB)
	MaxContent   int64 // the revisions once decompressed (default 512 MiB)
	MaxRevision  int   // one revision line (default 8 MiB)
}

// DefaultLimits are the limits used for zero fields. A revision line is bounded by
// survey.MaxRevisionSize, the limit every copy of fieldsurvey shares (a device refuses
// larger changes at entry and import, survey.MaxValueSize).
var DefaultLimits = Limits{MaxSize: 64 << 20, MaxManifest: 1 << 20, MaxSignature: 64 << 10, MaxContent: 512 << 20, MaxRevision: survey.MaxRevisionSize}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	if l.MaxSize > 0 {
		d.MaxSize = l.MaxSize
	}
	if l.MaxManifest > 0 {
		d.MaxManifest = l.MaxManifest
	}
	if l.MaxSignature > 0 {
		d.MaxSignature = l.MaxSignature
	}
	if l.MaxContent > 0 {
		d.MaxContent = l.MaxContent
	}
	if l.MaxRevision > 0 {
		d.MaxRevision = l.MaxRevision
	}
	return d
}

// Batch is a batch file read by Read: its parts, checked for structure but not yet for
// trust. Call Verify before using anything in it, then Revisions.
type Batch struct {
	Manifest       Manifest
	ManifestBytes  []byte // exactly as signed
	SignatureBytes []byte // armored SSHSIG
	Signature      *sshsig.Signature
	Payload        []byte // as stored (encrypted or not)
	// Size is the number of bytes of the archive read.
	Size   int64
	limits Limits
}

// Hash is the SHA-256 (hex) of the manifest's bytes. The manifest holds the payload's hash,
// so two batches with the same Hash carry the same revisions: a hub uses (ID, Hash) to tell
// a replay (same both) from a forgery (same id, other hash).
func (b *Batch) Hash() string { return sha256Hex(b.ManifestBytes) }

// Encrypted reports whether the payload is encrypted with age.
func (b *Batch) Encrypted() bool { return b.Manifest.Payload.Encrypted }

var errOverLimit = errors.New("over the size limit")

// limitReader reads at most n bytes from r and then fails with errOverLimit if r has more.
type limitReader struct {
	r io.Reader
	n int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		var one [1]byte
		if n, _ := l.r.Read(one[:]); n > 0 {
			return 0, errOverLimit
		}
		return 0, io.EOF
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}

// counter counts the bytes the tar reader consumes.
type counter struct {
	r io.Reader
	n int64
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// Read reads a batch archive from r, checking its structure within limits: entry names,
// order and types, declared and actual sizes, truncation, trailing data, the manifest's
// format version and fields, and the signature's encoding. It never writes anything.
func Read(r io.Reader, limits Limits) (*Batch, error) {
	l := limits.withDefaults()
	br := bufio.NewReader(&limitReader{r: r, n: l.MaxSize})
	head, _ := br.Peek(512)
	cnt := &counter{r: br}
	tr := tar.NewReader(cnt)

	var data [3][]byte
	var payloadName string
	for i := range 3 {
		hdr, err := tr.Next()
		if err != nil {
			return nil, entryError(err, i, head)
		}
		name := hdr.Name
		if unsafeName(name) {
			return nil, formatErr(ErrMalformed, "", fmt.Sprintf("unsafe entry name %q: a path leading out of the archive (nothing was extracted)", clip(name)))
		}
		var limit int64
		switch {
		case i == 0 && name == NameManifest:
			limit = l.MaxManifest
		case i == 0:
			return nil, formatErr(ErrNotBatch, "", fmt.Sprintf("a tar archive whose first entry is %q, not %s", clip(name), NameManifest))
		case i == 1 && name == NameSignature:
			limit = l.MaxSignature
		case i == 2 && (name == NamePayload || name == NamePayloadAge):
			limit, payloadName = l.MaxSize, name
		default:
			return nil, formatErr(ErrMalformed, "", fmt.Sprintf("unexpected entry %q in position %d (expected %s)", clip(name), i+1, expectedAt(i)))
		}
		if hdr.Typeflag != tar.TypeReg {
			return nil, formatErr(ErrMalformed, name, fmt.Sprintf("not a regular file (tar type %q)", hdr.Typeflag))
		}
		if hdr.Size > limit || cnt.n+hdr.Size > l.MaxSize {
			return nil, formatErr(ErrTooLarge, name, fmt.Sprintf("declares %d bytes, over the limit of %d", hdr.Size, min(limit, l.MaxSize)))
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			return nil, dataError(err, name)
		}
		data[i] = b
	}
	// The archive must end here: two zero blocks, then nothing but zero padding.
	end := (cnt.n + 511) / 512 * 512
	if hdr, err := tr.Next(); err == nil {
		return nil, formatErr(ErrMalformed, "", fmt.Sprintf("unexpected extra entry %q", clip(hdr.Name)))
	} else if err != io.EOF {
		return nil, dataError(err, "end of archive")
	}
	if cnt.n < end+1024 {
		return nil, formatErr(ErrTruncated, "", "the end-of-archive marker is missing")
	}
	rest, err := io.ReadAll(br)
	if err != nil {
		return nil, dataError(err, "end of archive")
	}
	if len(bytes.Trim(rest, "\x00")) > 0 {
		return nil, formatErr(ErrMalformed, "", "data after the end of the archive")
	}

	m, err := parseManifest(data[0])
	if err != nil {
		return nil, err
	}
	sig, err := sshsig.Unarmor(data[1])
	if err != nil {
		return nil, formatErr(ErrMalformed, NameSignature, "not an armored SSH signature")
	}
	if payloadName != m.Payload.Name {
		return nil, formatErr(ErrMalformed, payloadName, fmt.Sprintf("the manifest declares payload %q", m.Payload.Name))
	}
	return &Batch{Manifest: *m, ManifestBytes: data[0], SignatureBytes: data[1], Signature: sig,
		Payload: data[2], Size: cnt.n + int64(len(rest)), limits: l}, nil
}

func expectedAt(i int) string {
	switch i {
	case 0:
		return NameManifest
	case 1:
		return NameSignature
	}
	return NamePayload + " or " + NamePayloadAge
}

// unsafeName reports a name that would leave a folder if extracted.
func unsafeName(name string) bool {
	if strings.HasPrefix(name, "/") || strings.Contains(name, `\`) || strings.Contains(name, ":") {
		return true
	}
	for _, part := range strings.Split(name, "/") {
		if part == ".." {
			return true
		}
	}
	return false
}

// entryError classifies a failure to read the header of entry i.
func entryError(err error, i int, head []byte) error {
	switch {
	case errors.Is(err, errOverLimit):
		return formatErr(ErrTooLarge, "", "the file is larger than the batch size limit")
	case i == 0 && err == io.EOF:
		return formatErr(ErrNotBatch, "", "the file is empty")
	case i == 0 && !bytes.HasPrefix(head, []byte(NameManifest+"\x00")):
		return formatErr(ErrNotBatch, "", "not a tar archive")
	case err == io.EOF:
		return formatErr(ErrTruncated, "", fmt.Sprintf("the archive ends before %s", expectedAt(i)))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return formatErr(ErrTruncated, "", fmt.Sprintf("the archive ends inside the header of entry %d", i+1))
	}
	return formatErr(ErrMalformed, "", fmt.Sprintf("bad tar header for entry %d: %v", i+1, strings.TrimPrefix(err.Error(), "archive/tar: ")))
}

func dataError(err error, name string) error {
	switch {
	case errors.Is(err, errOverLimit):
		return formatErr(ErrTooLarge, name, "the file is larger than the batch size limit")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return formatErr(ErrTruncated, name, "the file ends early")
	}
	return formatErr(ErrMalformed, name, strings.TrimPrefix(err.Error(), "archive/tar: "))
}
