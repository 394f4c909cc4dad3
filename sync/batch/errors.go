package batch

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/sync/keys"
)

// The checks a batch can fail. Every error of this package wraps exactly one of them.
var (
	ErrNotBatch             = errors.New("not a batch")
	ErrTruncated            = errors.New("truncated batch")
	ErrTooLarge             = errors.New("batch too large")
	ErrUnsupportedVersion   = errors.New("unsupported batch format version")
	ErrMalformed            = errors.New("malformed batch")
	ErrBadSignature         = errors.New("bad signature")
	ErrUnknownSigner        = errors.New("unknown signer")
	ErrPayloadHash          = errors.New("payload hash mismatch")
	ErrUnknownQuestionnaire = errors.New("unknown questionnaire version")
	ErrNoIdentity           = errors.New("cannot decrypt payload")
)

// FormatError is a structural problem found by Read (or while decoding the payload): Err is
// the class (ErrNotBatch, ErrTruncated, ErrTooLarge, ErrUnsupportedVersion or ErrMalformed),
// Entry the entry concerned, if any, and Msg what is wrong, in English (Error, for logs
// and wrapping) and MsgVI in Vietnamese: Text and Detail give the message in the user's
// language.
type FormatError struct {
	Err   error
	Entry string
	Msg   string
	MsgVI string // Msg in Vietnamese ("": Msg)
}

func (e *FormatError) Error() string {
	s := e.Err.Error()
	if e.Entry != "" {
		s += ": " + e.Entry
	}
	if e.Msg != "" {
		s += ": " + e.Msg
	}
	return s
}

func (e *FormatError) Unwrap() error { return e.Err }

// Detail returns the entry and what is wrong with it, in English and Vietnamese, without
// the check's name (Reason gives it).
func (e *FormatError) Detail() survey.Text {
	en, vi := e.Msg, e.MsgVI
	if vi == "" {
		vi = en
	}
	if e.Entry == entryRevisions {
		en, vi = join(e.Entry, en), join("các thay đổi", vi)
	} else if e.Entry != "" {
		en, vi = join(e.Entry, en), join(e.Entry, vi)
	}
	return survey.T(en, vi)
}

// Text returns the whole message in English (Error) and Vietnamese: the check, then Detail.
func (e *FormatError) Text() survey.Text { return fullText(e.Err, e.Detail()) }

// entryRevisions is the Entry of a FormatError about the revisions, once decompressed.
const entryRevisions = "revisions"

func formatErr(class error, entry string, msg survey.Text) error {
	return &FormatError{Err: class, Entry: entry, Msg: msg.Get(survey.LangEN), MsgVI: msg.Get(survey.LangVI)}
}

// checkError is a failure of another check than the structure (Verify, Revisions,
// CheckQuestionnaires): the class and what exactly is wrong, in English and Vietnamese.
type checkError struct {
	class error
	msg   survey.Text
	sep   string // between the class and msg in Error ("": ": ")
}

func (e *checkError) Error() string {
	if e.sep != "" {
		return e.class.Error() + e.sep + e.msg.Get(survey.LangEN)
	}
	return join(e.class.Error(), e.msg.Get(survey.LangEN))
}

func (e *checkError) Unwrap() error       { return e.class }
func (e *checkError) Detail() survey.Text { return e.msg }
func (e *checkError) Text() survey.Text {
	t := fullText(e.class, e.msg)
	return survey.T(e.Error(), t.Get(survey.LangVI))
}

func checkErr(class error, msg survey.Text) error { return &checkError{class: class, msg: msg} }

// Detail returns what exactly is wrong with a batch err refuses, in English and
// Vietnamese, without the name of the check (Reason names it): the detail of the first
// error of this package in err's tree (errors.As), or nil if there is none.
func Detail(err error) survey.Text {
	var fe *FormatError
	if errors.As(err, &fe) {
		return fe.Detail()
	}
	var ce *checkError
	if errors.As(err, &ce) {
		return ce.Detail()
	}
	return nil
}

// fullText is "CHECK: DETAIL": in English the class's own text (as Error writes it), in
// Vietnamese the check's name (Reason).
func fullText(class error, detail survey.Text) survey.Text {
	vi := class.Error()
	if r := Reason(class); r != nil {
		vi = r.Get(survey.LangVI)
	}
	return survey.T(join(class.Error(), detail.Get(survey.LangEN)), join(vi, detail.Get(survey.LangVI)))
}

func join(a, b string) string {
	if b == "" {
		return a
	}
	return a + ": " + b
}

// bi is a message in English and Vietnamese, both formatted with args.
func bi(en, vi string, args ...any) survey.Text {
	if len(args) == 0 {
		return survey.T(en, vi)
	}
	return survey.T(fmt.Sprintf(en, args...), fmt.Sprintf(vi, args...))
}

// failure is an error below the one a check returns (a manifest field, a revision line),
// with its message in English (Error) and Vietnamese (Text), and the sentinel it
// wraps, if any.
type failure struct {
	en, vi string
	err    error
}

func (f *failure) Error() string     { return f.en }
func (f *failure) Text() survey.Text { return survey.T(f.en, f.vi) }
func (f *failure) Unwrap() error     { return f.err }

func failf(en, vi string, args ...any) error {
	t := bi(en, vi, args...)
	return &failure{t.Get(survey.LangEN), t.Get(survey.LangVI), nil}
}

// Reason names the check err failed, in English and Vietnamese, for a report line
// ("rejected: bad signature"). It returns nil for an error of no known class.
func Reason(err error) survey.Text {
	for _, r := range reasons {
		if errors.Is(err, r.err) {
			return r.text
		}
	}
	return nil
}

var reasons = []struct {
	err  error
	text survey.Text
}{
	{ErrBadSignature, survey.T("bad signature", "chữ ký không hợp lệ")},
	{ErrUnknownSigner, survey.T("unknown signer", "người ký không có trong danh sách tin cậy")},
	{ErrPayloadHash, survey.T("payload hash mismatch", "mã băm dữ liệu không khớp")},
	{ErrTruncated, survey.T("truncated file", "tệp bị cắt cụt")},
	{ErrNotBatch, survey.T("not a batch file", "không phải tệp lô dữ liệu")},
	{ErrUnsupportedVersion, survey.T("unsupported format version", "phiên bản định dạng không được hỗ trợ")},
	{ErrUnknownQuestionnaire, survey.T("unknown questionnaire version", "phiên bản bảng hỏi không xác định")},
	{ErrTooLarge, survey.T("too large", "quá lớn")},
	{ErrMalformed, survey.T("malformed batch", "lô dữ liệu sai định dạng")},
	{ErrNoIdentity, survey.T("encrypted, no matching key", "đã mã hoá, không có khoá giải mã phù hợp")},
}

// signerText is why keys.AllowedSigners.Check refused a key, in English and Vietnamese.
func signerText(err error) survey.Text {
	var na *keys.NotAllowedError
	if errors.As(err, &na) {
		return na.Detail
	}
	en := strings.TrimPrefix(err.Error(), keys.ErrSignerNotAllowed.Error()+": ")
	return survey.T(en, en)
}

// interviewIDText is survey.CheckInterviewID's error for id, in English and Vietnamese.
func interviewIDText(err error, id string) survey.Text {
	if len(id) > 48 {
		id = id[:48] + "…"
	}
	return survey.T(err.Error(), fmt.Sprintf("mã cuộc phỏng vấn %s không phải UUID dạng %s", strconv.QuoteToASCII(id), survey.ExampleInterviewID))
}
