package batch

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/sync/keys"
)

// englishWords are short English words a sentence can hardly do without, and which
// Vietnamese does not write without diacritics ("in", "to" and "do" are Vietnamese words:
// left out).
var englishWords = map[string]bool{"the": true, "a": true, "an": true, "is": true, "are": true, "was": true,
	"not": true, "of": true, "does": true, "has": true, "than": true, "with": true, "by": true, "and": true,
	"or": true, "after": true, "before": true, "from": true, "for": true, "this": true, "which": true,
	"its": true, "it": true, "no": true, "be": true, "as": true, "at": true, "on": true, "ends": true}

// englishSentence returns the first three words in a row of s that are ASCII letters only,
// one of them a common English word: what an untranslated English message leaves in a
// Vietnamese one. It returns "" if there is none. Names (manifest.json, SHA256:…, quoted
// values) are not words: they hold other characters.
func englishSentence(s string) string {
	words := strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || strings.ContainsRune(`,;:()[]`, r) })
	ascii := func(w string) bool {
		for _, r := range w {
			if r > unicode.MaxASCII || !unicode.IsLetter(r) {
				return false
			}
		}
		return w != ""
	}
	for i := 0; i+3 <= len(words); i++ {
		w := words[i : i+3]
		if ascii(w[0]) && ascii(w[1]) && ascii(w[2]) && slices.ContainsFunc(w, func(x string) bool { return englishWords[strings.ToLower(x)] }) {
			return strings.Join(w, " ")
		}
	}
	return ""
}

func TestEnglishSentence(t *testing.T) {
	for s, want := range map[string]string{
		// What a Vietnamese user saw before the messages were translated.
		"tệp bị cắt cụt: the zip archive does not end with its directory":                                                "the zip archive",
		"người ký không có trong danh sách tin cậy: \"an@example.org\": key SHA256:x is not in the allowed signers file": "x is not",
		"lô dữ liệu sai định dạng: revisions: line 3: not in canonical form: the time at byte 9":                         "not in canonical",
		"tệp bị cắt cụt: tệp zip không kết thúc bằng thư mục của nó":                                                     "",
		"lô dữ liệu sai định dạng: manifest.json: trường device (thiết bị) trống":                                        "",
		"phiên bản 3: chương trình này đọc phiên bản 1 và 2; hãy cập nhật fieldsurvey để đọc được lô này":                "",
	} {
		if got := englishSentence(s); got != want {
			t.Errorf("englishSentence(%q) = %q, want %q", s, got, want)
		}
	}
}

// checkVietnamese fails t unless err, a refusal of this package, reads in Vietnamese with
// no English sentence left in it, names its check (Reason) and its detail (Detail) in both
// languages, and keeps its English (Error) for logs.
func checkVietnamese(t *testing.T, name string, err error) {
	t.Helper()
	text := survey.ErrorText(err)
	en, vi := text.Get(survey.LangEN), text.Get(survey.LangVI)
	if en != err.Error() {
		t.Errorf("%s: English text %q is not Error() %q", name, en, err.Error())
	}
	if s := englishSentence(vi); s != "" {
		t.Errorf("%s: English (%q) in the Vietnamese message %q", name, s, vi)
	}
	r, d := Reason(err), Detail(err)
	if r == nil || d == nil {
		t.Errorf("%s: no reason (%v) or detail (%v): %v", name, r, d, err)
		return
	}
	if want := r.Get(survey.LangVI) + ": " + d.Get(survey.LangVI); vi != want {
		t.Errorf("%s: Vietnamese message %q is not the reason and the detail %q", name, vi, want)
	}
}

// TestErrorsInVietnamese: every way a batch can be refused — cut short, another entry,
// too large, not a batch, tampered with, badly signed, signed by a stranger — says what is
// wrong in Vietnamese from end to end, in full for the commonest.
func TestErrorsInVietnamese(t *testing.T) {
	data := mustCreate(t, testRevs(t, "dev-a", 0, 1, 1, exampleQ), testOptions(1))
	good := mustRead(t, data)
	std := []entry{{NameManifest, good.ManifestBytes}, {NameSignature, good.SignatureBytes}, {NamePayload, good.Payload}}
	renamed := slices.Clone(std)
	renamed[1].name = "signature.sig"
	payloadAt := bytes.Index(data, good.Payload)
	var notArmored bytes.Buffer
	p := parts{manifest: good.ManifestBytes, signature: []byte("nope"), payloadName: NamePayload, payload: good.Payload}
	if err := p.writeZip(&notArmored, good.Manifest.CreatedTime()); err != nil {
		t.Fatal(err)
	}
	flip := func(at int) []byte {
		out := slices.Clone(data)
		out[at] ^= 1
		return out
	}
	stranger := testOptions(1)
	stranger.Signer = seedSigner(2)
	strangerFP := keys.Fingerprint(seedSigner(2).PublicKey())
	content := contentOf(t, good)
	badLine := resigned(t, FormatVersion, bytes.Replace(content, []byte(`,"kind":`), []byte(`, "kind":`), 1))

	cases := []struct {
		name   string
		data   []byte
		limits Limits
		class  error
		vi     string // the whole Vietnamese message, when given
	}{
		{name: "cut short", data: data[:500], class: ErrTruncated,
			vi: "tệp bị cắt cụt: tệp zip không kết thúc bằng thư mục của nó (tệp bị cắt cụt, hoặc bị thêm dữ liệu vào sau)"},
		{name: "empty", data: nil, class: ErrNotBatch, vi: "không phải tệp lô dữ liệu: tệp rỗng"},
		{name: "text file", data: []byte("Báo cáo đánh giá mức độ sẵn sàng\n"), class: ErrNotBatch,
			vi: "không phải tệp lô dữ liệu: không phải tệp tar"},
		{name: "entry renamed", data: zipOf(t, renamed, 0, ""), class: ErrMalformed,
			vi: `lô dữ liệu sai định dạng: mục không mong đợi "signature.sig" ở vị trí 2 (cần manifest.json.sig)`},
		{name: "file over the limit", data: data, limits: Limits{MaxSize: 400}, class: ErrTooLarge,
			vi: "quá lớn: tệp lớn hơn giới hạn kích thước của lô dữ liệu"},
		{name: "manifest over the limit", data: data, limits: Limits{MaxManifest: 100}, class: ErrTooLarge,
			vi: "quá lớn: manifest.json: khai báo " + strconv.Itoa(len(good.ManifestBytes)) + " byte, vượt giới hạn 100"},
		{name: "signature not armored", data: notArmored.Bytes(), class: ErrMalformed,
			vi: "lô dữ liệu sai định dạng: manifest.json.sig: không phải chữ ký SSH dạng văn bản (armored)"},
		{name: "payload byte flipped", data: flip(payloadAt + 20), class: ErrPayloadHash},
		{name: "manifest byte flipped", data: flip(bytes.Index(data, []byte(`"interviews":`)) + len(`"interviews":`)), class: ErrBadSignature},
		{name: "manifest not JSON", data: flip(bytes.Index(data, []byte(`"format"`))), class: ErrNotBatch},
		{name: "unknown signer", data: mustCreate(t, testRevs(t, "dev-a", 0, 1, 1, exampleQ), stranger), class: ErrUnknownSigner,
			vi: `người ký không có trong danh sách tin cậy: "an@example.org": khoá ` + strangerFP +
				" không có trong tệp danh sách người ký được phép (allowed signers)"},
		{name: "revision line not canonical", data: badLine, class: ErrMalformed,
			vi: "lô dữ liệu sai định dạng: các thay đổi: dòng 1: không ở dạng chuẩn: trường \"kind\" ở byte 52"},
	}
	for _, f := range loadFixtures(t) {
		if f.batch != "ok" {
			cases = append(cases, struct {
				name   string
				data   []byte
				limits Limits
				class  error
				vi     string
			}{name: "fixture " + f.name, data: f.data, class: classOf(f.batch)})
		}
	}
	allowed := testAllowed(t)
	for _, c := range cases {
		b, err := Read(bytes.NewReader(c.data), c.limits)
		if err == nil {
			err = verifyAt(b, allowed, testNow)
		}
		if err == nil {
			_, err = b.Revisions()
		}
		if err == nil {
			err = CheckQuestionnaires(&b.Manifest, knownQuestionnaires)
		}
		if !errors.Is(err, c.class) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.class)
			continue
		}
		checkVietnamese(t, c.name, err)
		if vi := survey.ErrorText(err).Get(survey.LangVI); c.vi != "" && vi != c.vi {
			t.Errorf("%s: Vietnamese\n got %s\nwant %s", c.name, vi, c.vi)
		}
	}
}

func classOf(s string) error {
	for _, r := range reasons {
		if r.err.Error() == s {
			return r.err
		}
	}
	return nil
}

// TestDetail: the detail of a batch's error is found under wrapping and in a joined error,
// and only there.
func TestDetail(t *testing.T) {
	_, cut := Read(bytes.NewReader([]byte("PK\x03\x04 cut")), Limits{})
	signed := CheckQuestionnaires(&Manifest{Questionnaires: []QuestionnaireRef{{"odra", "3.1"}}}, knownQuestionnaires)
	for _, c := range []struct {
		err error
		vi  string
	}{
		{fmt.Errorf("merge cut.fsbatch: %w", cut), "tệp zip không kết thúc bằng thư mục của nó (tệp bị cắt cụt, hoặc bị thêm dữ liệu vào sau)"},
		{errors.Join(errors.New("other"), signed), "bảng hỏi odra phiên bản 3.1 không có ở đây; hãy thêm nó (fieldsurvey questionnaire add TỆP) rồi hợp nhất lại"},
		{errors.New("disk on fire"), ""},
	} {
		d := Detail(c.err)
		if d.Get(survey.LangVI) != c.vi || (c.vi == "") != (d == nil) {
			t.Errorf("Detail(%v) = %q, want %q", c.err, d.Get(survey.LangVI), c.vi)
		}
	}
}

// TestCheckFormRowKey: the one-pass check refuses a row revision keyed otherwise than
// QUESTION/ROW, as survey.Revision.Verify (and so version 1's slow path) does.
func TestCheckFormRowKey(t *testing.T) {
	r := survey.Revision{Interview: "0193a5b2-7c1e-7000-8000-000000000001", Kind: survey.KindRow, Key: "3.1", Device: "dev-a"}
	err := checkForm(r)
	if !errors.Is(err, survey.ErrBadRevision) || err.Error() != `malformed revision: row revision keyed "3.1", not QUESTION/ROW` {
		t.Fatalf("err = %v", err)
	}
	if vi := survey.ErrorText(err).Get(survey.LangVI); vi != `thay đổi sai định dạng: thay đổi loại row có khoá (key) "3.1", không phải CÂU_HỎI/DÒNG` {
		t.Errorf("Vietnamese: %s", vi)
	}
	r.Key = "3.1/r1"
	if err := checkForm(r); err != nil {
		t.Errorf("QUESTION/ROW refused: %v", err)
	}
}
