package batch

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// Format constants.
const (
	// FormatName is the "format" field of every manifest.
	FormatName = "fieldsurvey-batch"
	// FormatVersion is the version this package writes by default: a zip archive, revision
	// lines without ids (see the package documentation).
	FormatVersion = 2
	// FormatVersion1 is the first version (a tar archive, every revision line with its id),
	// still read, and written on request (Options.FormatVersion).
	FormatVersion1 = 1
	// Namespace is the SSHSIG namespace of manifest signatures.
	Namespace = "fieldsurvey-batch"
	// Ext is the file name extension of batch files.
	Ext = ".fsbatch"

	NameManifest     = "manifest.json"
	NameSignature    = "manifest.json.sig"
	NamePayload      = "revisions.jsonl.gz"
	NamePayloadAge   = "revisions.jsonl.gz.age"
	hashAlgorithm    = "sha512"
	maxManifestField = 4096
)

// QuestionnaireRef names one questionnaire version a batch's interviews use.
type QuestionnaireRef struct {
	ID      string `json:"id"`
	Version string `json:"version"`
}

func (q QuestionnaireRef) String() string { return q.ID + "@" + q.Version }

// Digest is the size and SHA-256 (hex) of some bytes.
type Digest struct {
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Payload describes the payload entry as stored in the archive.
type Payload struct {
	Name      string `json:"name"`
	Encrypted bool   `json:"encrypted"`
	Size      int64  `json:"size"`
	SHA256    string `json:"sha256"`
}

// Manifest is manifest.json. Field order here is the canonical order, the same in versions
// 1 and 2.
type Manifest struct {
	Format         string             `json:"format"`
	FormatVersion  int                `json:"format_version"`
	ID             string             `json:"id"`
	Device         string             `json:"device"`
	Signer         string             `json:"signer"`
	Sequence       uint64             `json:"sequence"`
	Created        string             `json:"created"`
	Questionnaires []QuestionnaireRef `json:"questionnaires"`
	Interviews     int                `json:"interviews"`
	Revisions      int                `json:"revisions"`
	Content        Digest             `json:"content"`
	Payload        Payload            `json:"payload"`
}

// CreatedTime returns the manifest's creation time.
func (m *Manifest) CreatedTime() time.Time {
	t, _ := time.Parse(survey.TimeFormat, m.Created)
	return t
}

// Marshal returns the canonical encoding of m: the bytes that are signed.
func (m *Manifest) Marshal() ([]byte, error) {
	c := *m
	if c.Questionnaires == nil {
		c.Questionnaires = []QuestionnaireRef{}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(c); err != nil {
		return nil, fmt.Errorf("encode manifest: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// batchID derives the batch id from what the batch is: its device, its sequence number and
// the hash of its content.
func batchID(version int, device string, seq uint64, contentSHA string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s/%d\n%s\n%d\n%s\n", FormatName, version, device, seq, contentSHA)
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// parseManifest decodes manifest.json: the format and version first (so a newer file is
// refused as such, not as malformed), then every field strictly, then the canonical form.
func parseManifest(data []byte) (*Manifest, error) {
	bad := func(format string, args ...any) error {
		return formatErr(ErrMalformed, NameManifest, fmt.Sprintf(format, args...))
	}
	if !utf8.Valid(data) {
		return nil, bad("not UTF-8 text")
	}
	var probe struct {
		Format        string          `json:"format"`
		FormatVersion json.RawMessage `json:"format_version"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, formatErr(ErrNotBatch, NameManifest, "not a JSON object: "+jsonMsg(err))
	}
	if probe.Format != FormatName {
		return nil, formatErr(ErrNotBatch, NameManifest, fmt.Sprintf("format is %q, expected %q", clip(probe.Format), FormatName))
	}
	v, err := strconv.Atoi(string(probe.FormatVersion))
	if err != nil {
		return nil, bad("format_version %q is not a number", clip(string(probe.FormatVersion)))
	}
	if v != FormatVersion1 && v != FormatVersion {
		hint := "this program reads versions 1 and 2"
		if v > FormatVersion {
			hint += "; update fieldsurvey to read it"
		} else {
			hint += "; the sender must update fieldsurvey and create the batch again"
		}
		return nil, formatErr(ErrUnsupportedVersion, NameManifest, fmt.Sprintf("version %d: %s", v, hint))
	}
	var m Manifest
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, bad("%s", jsonMsg(err))
	}
	if dec.More() {
		return nil, bad("data after the JSON object")
	}
	canon, err := m.Marshal()
	if err != nil {
		return nil, bad("%v", err)
	}
	if !bytes.Equal(canon, data) {
		return nil, bad("not in canonical form (field order, whitespace or escapes differ from what fieldsurvey writes)")
	}
	if err := m.check(); err != nil {
		return nil, bad("%v", err)
	}
	return &m, nil
}

func jsonMsg(err error) string {
	s := err.Error()
	return strings.TrimPrefix(s, "json: ")
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

var hexDigits = "0123456789abcdef"

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, c := range s {
		if !strings.ContainsRune(hexDigits, c) {
			return false
		}
	}
	return true
}

// check validates the fields of a manifest whose format and version are known.
func (m *Manifest) check() error {
	field := func(name, v string) error {
		switch {
		case v == "":
			return fmt.Errorf("%s is empty", name)
		case len(v) > maxManifestField:
			return fmt.Errorf("%s is longer than %d bytes", name, maxManifestField)
		case strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 || r == 0x7f }):
			return fmt.Errorf("%s contains control characters", name)
		}
		return nil
	}
	for _, f := range []struct{ n, v string }{{"device", m.Device}, {"signer", m.Signer}} {
		if err := field(f.n, f.v); err != nil {
			return err
		}
	}
	if !isHex(m.ID, 32) {
		return fmt.Errorf("id %q is not 32 hex digits", clip(m.ID))
	}
	if m.Sequence == 0 {
		return fmt.Errorf("sequence must start at 1")
	}
	if _, err := time.Parse(survey.TimeFormat, m.Created); err != nil {
		return fmt.Errorf("created %q is not a time like %s", clip(m.Created), survey.TimeFormat)
	}
	if !slices.IsSortedFunc(m.Questionnaires, compareRef) {
		return fmt.Errorf("questionnaires are not sorted")
	}
	for i, q := range m.Questionnaires {
		if err := field("questionnaire id", q.ID); err != nil {
			return err
		}
		if err := field("questionnaire version", q.Version); err != nil {
			return err
		}
		if i > 0 && m.Questionnaires[i-1] == q {
			return fmt.Errorf("questionnaire %s listed twice", q)
		}
	}
	if m.Interviews < 0 || m.Revisions < 0 || m.Interviews > m.Revisions {
		return fmt.Errorf("counts are inconsistent (%d interviews, %d revisions)", m.Interviews, m.Revisions)
	}
	if m.Content.Size < 0 || !isHex(m.Content.SHA256, 64) {
		return fmt.Errorf("content digest is not a size and a SHA-256")
	}
	if m.Payload.Size < 0 || !isHex(m.Payload.SHA256, 64) {
		return fmt.Errorf("payload digest is not a size and a SHA-256")
	}
	want := NamePayload
	if m.Payload.Encrypted {
		want = NamePayloadAge
	}
	if m.Payload.Name != want {
		return fmt.Errorf("payload name %q does not match encrypted=%v", clip(m.Payload.Name), m.Payload.Encrypted)
	}
	if id := batchID(m.FormatVersion, m.Device, m.Sequence, m.Content.SHA256); id != m.ID {
		return fmt.Errorf("id %s is not derived from device, sequence and content", m.ID)
	}
	return nil
}

func compareRef(a, b QuestionnaireRef) int {
	if c := strings.Compare(a.ID, b.ID); c != 0 {
		return c
	}
	return strings.Compare(a.Version, b.Version)
}
