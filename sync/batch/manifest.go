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
	bad := func(t survey.Text) error { return formatErr(ErrMalformed, NameManifest, t) }
	if !utf8.Valid(data) {
		return nil, bad(bi("not UTF-8 text", "không phải văn bản UTF-8"))
	}
	var probe struct {
		Format        string          `json:"format"`
		FormatVersion json.RawMessage `json:"format_version"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		j := jsonText(err)
		return nil, formatErr(ErrNotBatch, NameManifest, survey.T("not a JSON object: "+j.Get(survey.LangEN), "không phải một đối tượng JSON: "+j.Get(survey.LangVI)))
	}
	if probe.Format != FormatName {
		return nil, formatErr(ErrNotBatch, NameManifest, bi("format is %q, expected %q", "định dạng là %q, cần %q", clip(probe.Format), FormatName))
	}
	v, err := strconv.Atoi(string(probe.FormatVersion))
	if err != nil {
		return nil, bad(bi("format_version %q is not a number", "format_version %q không phải là số", clip(string(probe.FormatVersion))))
	}
	if v != FormatVersion1 && v != FormatVersion {
		t := bi("version %d: this program reads versions 1 and 2", "phiên bản %d: chương trình này đọc phiên bản 1 và 2", v)
		hint := bi("; the sender must update fieldsurvey and create the batch again", "; người gửi cần cập nhật fieldsurvey và tạo lại lô dữ liệu")
		if v > FormatVersion {
			hint = bi("; update fieldsurvey to read it", "; hãy cập nhật fieldsurvey để đọc được lô này")
		}
		return nil, formatErr(ErrUnsupportedVersion, NameManifest, survey.T(t.Get(survey.LangEN)+hint.Get(survey.LangEN), t.Get(survey.LangVI)+hint.Get(survey.LangVI)))
	}
	var m Manifest
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, bad(jsonText(err))
	}
	if dec.More() {
		return nil, bad(bi("data after the JSON object", "có dữ liệu sau đối tượng JSON"))
	}
	canon, err := m.Marshal()
	if err != nil {
		return nil, bad(bi("%v", "không mã hoá lại được: %v", err))
	}
	if !bytes.Equal(canon, data) {
		return nil, bad(bi("not in canonical form (field order, whitespace or escapes differ from what fieldsurvey writes)",
			"không ở dạng chuẩn (thứ tự trường, khoảng trắng hoặc ký tự thoát khác với những gì fieldsurvey ghi ra)"))
	}
	if err := m.check(); err != nil {
		return nil, bad(survey.ErrorText(err))
	}
	return &m, nil
}

func jsonMsg(err error) string {
	s := err.Error()
	return strings.TrimPrefix(s, "json: ")
}

// jsonText is what encoding/json found wrong, in English (its own words) and Vietnamese.
func jsonText(err error) survey.Text { return survey.JSONErrorText(err) }

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
	field := func(name, vi, v string) error {
		switch {
		case v == "":
			return failf("%[1]s is empty", "%[2]s trống", name, vi)
		case len(v) > maxManifestField:
			return failf("%[1]s is longer than %[3]d bytes", "%[2]s dài hơn %[3]d byte", name, vi, maxManifestField)
		case strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 || r == 0x7f }):
			return failf("%[1]s contains control characters", "%[2]s chứa ký tự điều khiển", name, vi)
		}
		return nil
	}
	for _, f := range []struct{ n, vi, v string }{{"device", "trường device (thiết bị)", m.Device}, {"signer", "trường signer (người ký)", m.Signer}} {
		if err := field(f.n, f.vi, f.v); err != nil {
			return err
		}
	}
	if !isHex(m.ID, 32) {
		return failf("id %q is not 32 hex digits", "id %q không phải 32 chữ số thập lục phân", clip(m.ID))
	}
	if m.Sequence == 0 {
		return failf("sequence must start at 1", "sequence phải bắt đầu từ 1")
	}
	if _, err := time.Parse(survey.TimeFormat, m.Created); err != nil {
		return failf("created %q is not a time like %s", "created %q không phải thời điểm dạng %s", clip(m.Created), survey.TimeFormat)
	}
	if !slices.IsSortedFunc(m.Questionnaires, compareRef) {
		return failf("questionnaires are not sorted", "danh sách questionnaires (bảng hỏi) chưa được sắp xếp")
	}
	for i, q := range m.Questionnaires {
		if err := field("questionnaire id", "mã bảng hỏi", q.ID); err != nil {
			return err
		}
		if err := field("questionnaire version", "phiên bản bảng hỏi", q.Version); err != nil {
			return err
		}
		if i > 0 && m.Questionnaires[i-1] == q {
			return failf("questionnaire %s listed twice", "bảng hỏi %s được liệt kê hai lần", q)
		}
	}
	if m.Interviews < 0 || m.Revisions < 0 || m.Interviews > m.Revisions {
		return failf("counts are inconsistent (%d interviews, %d revisions)", "các số đếm không khớp nhau (%d cuộc phỏng vấn, %d thay đổi)", m.Interviews, m.Revisions)
	}
	if m.Content.Size < 0 || !isHex(m.Content.SHA256, 64) {
		return failf("content digest is not a size and a SHA-256", "content (tóm lược nội dung) không phải một kích thước và một SHA-256")
	}
	if m.Payload.Size < 0 || !isHex(m.Payload.SHA256, 64) {
		return failf("payload digest is not a size and a SHA-256", "payload (tóm lược phần dữ liệu) không phải một kích thước và một SHA-256")
	}
	want := NamePayload
	if m.Payload.Encrypted {
		want = NamePayloadAge
	}
	if m.Payload.Name != want {
		return failf("payload name %q does not match encrypted=%v", "tên phần dữ liệu %q không khớp với encrypted=%v", clip(m.Payload.Name), m.Payload.Encrypted)
	}
	if id := batchID(m.FormatVersion, m.Device, m.Sequence, m.Content.SHA256); id != m.ID {
		return failf("id %s is not derived from device, sequence and content", "id %s không được suy ra từ device, sequence và content", m.ID)
	}
	return nil
}

func compareRef(a, b QuestionnaireRef) int {
	if c := strings.Compare(a.ID, b.ID); c != 0 {
		return c
	}
	return strings.Compare(a.Version, b.Version)
}
