package batch

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
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
	// badCRC names the entry of a zip archive whose CRC-32 does not match (Verify refuses
	// the batch once the signature and the payload hash pass).
	badCRC string
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
	if bytes.HasPrefix(head, []byte(zipMagic)) {
		return readZip(br, l)
	}
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
			return nil, formatErr(ErrMalformed, "", bi("unsafe entry name %q: a path leading out of the archive (nothing was extracted)",
				"tên mục %q không an toàn: một đường dẫn ra ngoài tệp lưu trữ (không giải nén gì)", clip(name)))
		}
		var limit int64
		switch {
		case i == 0 && name == NameManifest:
			limit = l.MaxManifest
		case i == 0:
			return nil, formatErr(ErrNotBatch, "", bi("a tar archive whose first entry is %q, not %s",
				"tệp tar có mục đầu tiên là %q, không phải %s", clip(name), NameManifest))
		case i == 1 && name == NameSignature:
			limit = l.MaxSignature
		case i == 2 && (name == NamePayload || name == NamePayloadAge):
			limit, payloadName = l.MaxSize, name
		default:
			return nil, unexpectedEntry(name, i)
		}
		if hdr.Typeflag != tar.TypeReg {
			return nil, formatErr(ErrMalformed, name, bi("not a regular file (tar type %q)", "không phải tệp thông thường (loại tar %q)", hdr.Typeflag))
		}
		if hdr.Size > limit || cnt.n+hdr.Size > l.MaxSize {
			return nil, overLimit(name, hdr.Size, min(limit, l.MaxSize))
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
		return nil, formatErr(ErrMalformed, "", bi("unexpected extra entry %q", "có thêm mục không mong đợi %q", clip(hdr.Name)))
	} else if err != io.EOF {
		return nil, endError(err)
	}
	if cnt.n < end+1024 {
		return nil, formatErr(ErrTruncated, "", bi("the end-of-archive marker is missing", "thiếu dấu kết thúc của tệp lưu trữ"))
	}
	rest, err := io.ReadAll(br)
	if err != nil {
		return nil, endError(err)
	}
	if len(bytes.Trim(rest, "\x00")) > 0 {
		return nil, formatErr(ErrMalformed, "", bi("data after the end of the archive", "có dữ liệu sau phần kết thúc của tệp lưu trữ"))
	}

	m, err := parseManifest(data[0])
	if err != nil {
		return nil, err
	}
	if m.FormatVersion != FormatVersion1 {
		return nil, formatErr(ErrMalformed, NameManifest, bi("format_version %d in a tar archive: version %[1]d batches are zip archives",
			"format_version %d trong một tệp tar: lô dữ liệu phiên bản %[1]d là tệp zip", m.FormatVersion))
	}
	return finish(m, data, payloadName, cnt.n+int64(len(rest)), l)
}

// finish checks the signature's encoding and the payload's name, and makes the Batch.
func finish(m *Manifest, data [3][]byte, payloadName string, size int64, l Limits) (*Batch, error) {
	sig, err := sshsig.Unarmor(data[1])
	if err != nil {
		return nil, formatErr(ErrMalformed, NameSignature, bi("not an armored SSH signature", "không phải chữ ký SSH dạng văn bản (armored)"))
	}
	if payloadName != m.Payload.Name {
		return nil, formatErr(ErrMalformed, payloadName, bi("the manifest declares payload %q", "bản kê khai (manifest) ghi phần dữ liệu là %q", m.Payload.Name))
	}
	return &Batch{Manifest: *m, ManifestBytes: data[0], SignatureBytes: data[1], Signature: sig,
		Payload: data[2], Size: size, limits: l}, nil
}

// zipMagic starts a zip archive (its first local file header).
const zipMagic = "PK\x03\x04"

// readZip reads a version 2 batch: a zip archive that must be exactly what writeZip makes of
// its three entries (so nothing can hide in it: no other entry, no data before, between
// or after them, no extra field, no comment, no compression of its own).
func readZip(br *bufio.Reader, l Limits) (*Batch, error) {
	all, err := io.ReadAll(br)
	if errors.Is(err, errOverLimit) {
		return nil, formatErr(ErrTooLarge, "", fileOverLimit)
	} else if err != nil {
		return nil, dataError(err, "")
	}
	// The end of central directory record, before the directory is parsed: 3 entries and no
	// comment, so a hostile directory of a million entries costs nothing.
	const eocd = 22
	if n := len(all); n < eocd || string(all[n-eocd:n-eocd+4]) != "PK\x05\x06" || string(all[n-2:]) != "\x00\x00" {
		return nil, formatErr(ErrTruncated, "", bi("the zip archive does not end with its directory (the file was cut short, or something was added after it)",
			"tệp zip không kết thúc bằng thư mục của nó (tệp bị cắt cụt, hoặc bị thêm dữ liệu vào sau)"))
	} else if entries := all[n-eocd+10 : n-eocd+12]; entries[0] != 3 || entries[1] != 0 {
		return nil, entryCount(int(entries[0]) | int(entries[1])<<8)
	}
	zr, err := zip.NewReader(bytes.NewReader(all), int64(len(all)))
	if err != nil {
		return nil, formatErr(ErrTruncated, "", bi("the zip archive's directory is missing or damaged (the file was cut short or altered)",
			"thư mục của tệp zip bị thiếu hoặc hỏng (tệp bị cắt cụt hoặc bị sửa đổi)"))
	}
	if len(zr.File) != 3 {
		return nil, entryCount(len(zr.File))
	}
	var data [3][]byte
	var crcs [3]uint32
	var payloadName string
	for i, f := range zr.File {
		name := f.Name
		var limit int64
		switch {
		case i == 0 && name == NameManifest:
			limit = l.MaxManifest
		case i == 0:
			return nil, formatErr(ErrNotBatch, "", bi("a zip archive whose first entry is %q, not %s",
				"tệp zip có mục đầu tiên là %q, không phải %s", clip(name), NameManifest))
		case i == 1 && name == NameSignature:
			limit = l.MaxSignature
		case i == 2 && (name == NamePayload || name == NamePayloadAge):
			limit, payloadName = l.MaxSize, name
		default:
			return nil, unexpectedEntry(name, i)
		}
		if f.Method != zip.Store || f.CompressedSize64 != f.UncompressedSize64 {
			return nil, formatErr(ErrMalformed, name, bi("not stored as it is (a batch's entries are not compressed by the archive)",
				"không được lưu nguyên dạng (các mục của lô dữ liệu không được tệp zip nén)"))
		}
		if f.UncompressedSize64 > uint64(limit) {
			return nil, overLimit(name, f.UncompressedSize64, limit)
		}
		// Raw: the CRC-32 is compared after the signature and the payload hash (Verify), so
		// that a damaged manifest is a bad signature and a damaged payload a hash mismatch,
		// as in a version 1 batch.
		rc, err := f.OpenRaw()
		if err != nil {
			return nil, zipEntryError(err, name)
		}
		b, err := io.ReadAll(rc)
		switch {
		case errors.Is(err, io.ErrUnexpectedEOF):
			return nil, formatErr(ErrTruncated, name, endsEarly)
		case err != nil:
			return nil, zipEntryError(err, name)
		}
		data[i], crcs[i] = b, f.CRC32
	}
	m, err := parseManifest(data[0])
	if err != nil {
		return nil, err
	}
	if m.FormatVersion == FormatVersion1 {
		return nil, formatErr(ErrMalformed, NameManifest, bi("format_version 1 in a zip archive: version 1 batches are tar archives",
			"format_version 1 trong một tệp zip: lô dữ liệu phiên bản 1 là tệp tar"))
	}
	var canon bytes.Buffer
	p := parts{manifest: data[0], signature: data[1], payloadName: payloadName, payload: data[2], crcs: &crcs}
	if err := p.writeZip(&canon, m.CreatedTime()); err != nil {
		return nil, formatErr(ErrMalformed, "", bi("the zip archive cannot be rebuilt: %v", "không dựng lại được tệp zip: %v", err))
	}
	if !bytes.Equal(canon.Bytes(), all) {
		return nil, formatErr(ErrMalformed, "", bi("the zip archive is not in the form fieldsurvey writes (extra fields, a comment, other times, or data outside the three entries)",
			"tệp zip không ở dạng fieldsurvey ghi ra (có trường bổ sung, chú thích, thời gian khác, hoặc dữ liệu ngoài ba mục)"))
	}
	b, err := finish(m, data, payloadName, int64(len(all)), l)
	if err != nil {
		return nil, err
	}
	for i, e := range p.entries() {
		if crc32.ChecksumIEEE(e.data) != crcs[i] {
			b.badCRC = e.name
			break
		}
	}
	return b, nil
}

func expectedAt(i int) survey.Text {
	switch i {
	case 0:
		return survey.T(NameManifest, NameManifest)
	case 1:
		return survey.T(NameSignature, NameSignature)
	}
	return bi("%s or %s", "%s hoặc %s", NamePayload, NamePayloadAge)
}

// Messages several checks give.
var (
	endsEarly     = bi("the file ends early", "tệp kết thúc sớm")
	fileOverLimit = bi("the file is larger than the batch size limit", "tệp lớn hơn giới hạn kích thước của lô dữ liệu")
)

func unexpectedEntry(name string, i int) error {
	e := expectedAt(i)
	return formatErr(ErrMalformed, "", survey.T(
		fmt.Sprintf("unexpected entry %q in position %d (expected %s)", clip(name), i+1, e.Get(survey.LangEN)),
		fmt.Sprintf("mục không mong đợi %q ở vị trí %d (cần %s)", clip(name), i+1, e.Get(survey.LangVI))))
}

func overLimit[N int64 | uint64](name string, n N, limit int64) error {
	return formatErr(ErrTooLarge, name, bi("declares %d bytes, over the limit of %d", "khai báo %d byte, vượt giới hạn %d", n, limit))
}

func entryCount(n int) error {
	return formatErr(ErrMalformed, "", bi("a zip archive of %d entries; a batch has 3 (%s, %s and the payload)",
		"tệp zip có %d mục; một lô dữ liệu có 3 mục (%s, %s và phần dữ liệu)", n, NameManifest, NameSignature))
}

// zipEntryError is a failure of archive/zip to open or read an entry.
func zipEntryError(err error, name string) error {
	return formatErr(ErrMalformed, name, survey.T(strings.TrimPrefix(err.Error(), "zip: "), "không đọc được mục này trong tệp zip (tệp bị hỏng)"))
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
		return formatErr(ErrTooLarge, "", fileOverLimit)
	case i == 0 && err == io.EOF:
		return formatErr(ErrNotBatch, "", bi("the file is empty", "tệp rỗng"))
	case i == 0 && !bytes.HasPrefix(head, []byte(NameManifest+"\x00")):
		return formatErr(ErrNotBatch, "", bi("not a tar archive", "không phải tệp tar"))
	case err == io.EOF:
		e := expectedAt(i)
		return formatErr(ErrTruncated, "", survey.T("the archive ends before "+e.Get(survey.LangEN), "tệp lưu trữ kết thúc trước "+e.Get(survey.LangVI)))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return formatErr(ErrTruncated, "", bi("the archive ends inside the header of entry %d", "tệp lưu trữ kết thúc giữa phần đầu của mục %d", i+1))
	}
	return formatErr(ErrMalformed, "", survey.T(fmt.Sprintf("bad tar header for entry %d: %v", i+1, strings.TrimPrefix(err.Error(), "archive/tar: ")),
		fmt.Sprintf("phần đầu tar của mục %d không hợp lệ", i+1)))
}

func dataError(err error, name string) error {
	switch {
	case errors.Is(err, errOverLimit):
		return formatErr(ErrTooLarge, name, fileOverLimit)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return formatErr(ErrTruncated, name, endsEarly)
	}
	return formatErr(ErrMalformed, name, survey.T(strings.TrimPrefix(err.Error(), "archive/tar: "), "không đọc được mục này trong tệp tar (tệp bị hỏng)"))
}

// endError is a failure to read what follows the last entry.
func endError(err error) error {
	fe := dataError(err, "").(*FormatError)
	fe.Msg, fe.MsgVI = "end of archive: "+fe.Msg, "phần kết thúc của tệp lưu trữ: "+fe.MsgVI
	return fe
}
