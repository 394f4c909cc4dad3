package batch

import (
	"errors"

	"github.com/fieldsurvey/fieldsurvey/survey"
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
// Entry the tar entry concerned, if any, and Msg what is wrong.
type FormatError struct {
	Err   error
	Entry string
	Msg   string
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

func formatErr(class error, entry, msg string) error {
	return &FormatError{Err: class, Entry: entry, Msg: msg}
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
