package survey

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// The size limits every copy of fieldsurvey shares, so that a device never records what its
// receivers (a supervisor's merge, the server) would refuse.
const (
	// MaxRevisionSize is the longest revision line a batch may hold (sync/batch's
	// DefaultLimits.MaxRevision): every receiver refuses a batch with a longer one.
	MaxRevisionSize = 8 << 20
	// MaxValueSize bounds one change: its value (an answer with its comment and evidence, a
	// section summary, the respondent block) encoded as JSON, as it travels. Entry, import
	// and every local write refuse more (CheckChangeSize). It leaves ample room in a
	// revision line for the revision's other fields.
	MaxValueSize = 1_000_000
)

// ErrTooLarge: a change, a revision or a file over a size limit.
var ErrTooLarge = errors.New("too large")

// SizeError is a change over MaxValueSize: what it is (an answer, a section summary…), its
// encoded size and the limit, in English and Vietnamese. It wraps ErrTooLarge.
type SizeError struct {
	Target Target
	Size   int
	Limit  int
}

func (e *SizeError) Error() string { return e.Text().Get(LangEN) }

// Unwrap returns ErrTooLarge.
func (e *SizeError) Unwrap() error { return ErrTooLarge }

// Text returns the message in every language, short enough for a status line of 80
// columns.
func (e *SizeError) Text() Text {
	var en, vi, hintEN, hintVI string
	switch e.Target.Kind {
	case KindAnswer:
		en, vi = "answer "+e.Target.Key, "câu "+e.Target.Key
		hintEN, hintVI = "shorten its comment or evidence", "hãy rút gọn nhận xét hoặc bằng chứng"
	case KindSection:
		en, vi = "the summary of section "+e.Target.Key, "phần tổng hợp "+e.Target.Key
		hintEN, hintVI = "shorten its comment", "hãy rút gọn nhận xét"
	case KindRow:
		qid, row, _ := SplitRowKey(e.Target.Key)
		en, vi = "row "+ShortRowID(row)+" of roster "+qid, "dòng "+ShortRowID(row)+" của bảng "+qid
		hintEN, hintVI = "shorten its cells", "hãy rút gọn các ô"
	case KindRespondent:
		en, vi = "the respondent block", "thông tin người trả lời"
		hintEN, hintVI = "shorten its fields", "hãy rút gọn các trường"
	default:
		en, vi = "the "+string(e.Target.Kind)+" change", "thay đổi "+string(e.Target.Kind)
		hintEN, hintVI = "shorten it", "hãy rút gọn"
	}
	return T(fmt.Sprintf("%s is %s, over the %s limit: %s", en, SizeText(e.Size), SizeText(e.Limit), hintEN),
		fmt.Sprintf("%s chiếm %s, quá giới hạn %s: %s", vi, SizeTextVI(e.Size), SizeTextVI(e.Limit), hintVI))
}

// CheckChangeSize returns a *SizeError when c's value, encoded as it travels in a
// revision, is larger than MaxValueSize.
func CheckChangeSize(c Change) error {
	b, err := json.Marshal(c.Value)
	if err != nil {
		return fmt.Errorf("encode %s value: %w", c.Target.Kind, err)
	}
	if len(b) > MaxValueSize {
		return &SizeError{Target: c.Target, Size: len(b), Limit: MaxValueSize}
	}
	return nil
}

// SizeText writes a number of bytes for people: "850 bytes", "12 KB", "1.2 MB" (decimal
// units, as file managers show them).
func SizeText(n int) string {
	switch {
	case n < 10_000:
		return fmt.Sprintf("%d bytes", n)
	case n < 1_000_000:
		return fmt.Sprintf("%d KB", (n+500)/1000)
	case n%1_000_000 == 0:
		return fmt.Sprintf("%d MB", n/1_000_000)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}

// SizeTextVI is SizeText in Vietnamese (decimal comma, "byte").
func SizeTextVI(n int) string {
	s := SizeText(n)
	s = strings.Replace(s, "bytes", "byte", 1)
	return strings.Replace(s, ".", ",", 1)
}
