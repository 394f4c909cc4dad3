package store

import (
	"strconv"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// The summary needs little of most values: whether an answer has a value, a section's
// rating. Decoding them with encoding/json (and normalising every string to NFC, as
// survey.Answer's decoder does) cost more than the rest of checking a batch, for one bit
// per answer. scanAnswer and scanSection read the values in the one layout json.Marshal
// gives survey.Answer and survey.SectionSummary (compact, fields in declaration order,
// each at most once, strings and numbers as JSON has them) and check them on the way;
// whatever else they meet (another key order, another key, whitespace, a number out of
// range, a value of another shape) they give up on (ok false), and the caller decodes the
// value with encoding/json as before, which accepts or refuses it with its own error. So
// a value they accept is one encoding/json decodes, with the same fact (FuzzScanAnswer,
// FuzzScanSection hold them to that).

// valueScanner reads one JSON value in the layout json.Marshal writes.
type valueScanner struct {
	b []byte
	i int
}

// lit consumes p if the input continues with it.
func (s *valueScanner) lit(p string) bool {
	if len(s.b)-s.i >= len(p) && string(s.b[s.i:s.i+len(p)]) == p {
		s.i += len(p)
		return true
	}
	return false
}

// field consumes sep and then p (a field's name after what separates it from the one
// before), or nothing: lit(sep + p) without making the string.
func (s *valueScanner) field(sep, p string) bool {
	i := s.i
	if s.lit(sep) && s.lit(p) {
		return true
	}
	s.i = i
	return false
}

// peek returns the next byte, or 0 at the end.
func (s *valueScanner) peek() byte {
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

// str consumes a JSON string encoding/json accepts and returns its raw bytes between the
// quotes (see plainASCII).
func (s *valueScanner) str() (raw []byte, ok bool) {
	if s.peek() != '"' {
		return nil, false
	}
	s.i++
	start := s.i
	for s.i < len(s.b) {
		// A run of bytes that need no attention, eight at a time while it lasts.
		b, i := s.b, s.i
		for i+8 <= len(b) && asIs[b[i]] && asIs[b[i+1]] && asIs[b[i+2]] && asIs[b[i+3]] &&
			asIs[b[i+4]] && asIs[b[i+5]] && asIs[b[i+6]] && asIs[b[i+7]] {
			i += 8
		}
		for i < len(b) && asIs[b[i]] {
			i++
		}
		if s.i = i; i >= len(b) {
			break
		}
		c := b[i]
		switch {
		case c == '"':
			raw = s.b[start:s.i]
			s.i++
			return raw, true
		case c < 0x20:
			return nil, false
		default: // a backslash
			if s.i+1 >= len(s.b) {
				return nil, false
			}
			switch s.b[s.i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.i += 2
			case 'u':
				if s.i+6 > len(s.b) {
					return nil, false
				}
				for _, h := range s.b[s.i+2 : s.i+6] {
					if !isHex(h) {
						return nil, false
					}
				}
				s.i += 6
			default:
				return nil, false
			}
		}
	}
	return nil, false
}

// asIs tells the bytes valueScanner.str passes over: all from space on but the quote and
// the backslash (encoding/json takes any other byte in a string as it is, or as U+FFFD).
var asIs = func() (t [256]bool) {
	for c := 0x20; c < 0x100; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// plainASCII reports whether the raw bytes of a string (str) are ASCII without escapes:
// then its Go string is those bytes.
func plainASCII(raw []byte) bool {
	for _, c := range raw {
		if c >= 0x80 || c == '\\' {
			return false
		}
	}
	return true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// number consumes a JSON number that fits a float64 (encoding/json refuses one that does
// not when it decodes it into an interface).
func (s *valueScanner) number() bool {
	start := s.i
	if s.peek() == '-' {
		s.i++
	}
	switch c := s.peek(); {
	case c == '0':
		s.i++
	case '1' <= c && c <= '9':
		for isDigit(s.peek()) {
			s.i++
		}
	default:
		return false
	}
	if s.peek() == '.' {
		s.i++
		if !isDigit(s.peek()) {
			return false
		}
		for isDigit(s.peek()) {
			s.i++
		}
	}
	if c := s.peek(); c == 'e' || c == 'E' {
		s.i++
		if c := s.peek(); c == '+' || c == '-' {
			s.i++
		}
		if !isDigit(s.peek()) {
			return false
		}
		for isDigit(s.peek()) {
			s.i++
		}
	}
	_, err := strconv.ParseFloat(string(s.b[start:s.i]), 64)
	return err == nil
}

// strings consumes an array of strings and returns its length.
func (s *valueScanner) strings() (int, bool) {
	if !s.lit("[") {
		return 0, false
	}
	if s.lit("]") {
		return 0, true
	}
	n := 0
	for {
		if _, ok := s.str(); !ok {
			return 0, false
		}
		n++
		if s.lit("]") {
			return n, true
		}
		if !s.lit(",") {
			return 0, false
		}
	}
}

// answerValue consumes an answer's "value" when it is one of the kinds a question gives
// it (a string, a number, a boolean, a list of strings, or null), and reports whether it
// makes the answer answered (survey.Answer.HasValue).
func (s *valueScanner) answerValue() (answered, ok bool) {
	switch c := s.peek(); {
	case c == '"':
		raw, ok := s.str()
		return len(raw) > 0, ok // a non-empty JSON string decodes to a non-empty string
	case c == '[':
		n, ok := s.strings()
		return n > 0, ok
	case c == '-' || isDigit(c):
		return true, s.number()
	case s.lit("true"), s.lit("false"):
		return true, true
	case s.lit("null"):
		return false, true
	}
	return false, false
}

// evidence consumes an answer's evidence list: objects with the fields of survey.Evidence
// in order (source and note may be missing, as omitempty leaves them).
func (s *valueScanner) evidence() bool {
	if !s.lit("[") {
		return false
	}
	if s.lit("]") {
		return true
	}
	for {
		if !s.lit(`{"polarity":`) {
			return false
		}
		if _, ok := s.str(); !ok || !s.lit(`,"text":`) {
			return false
		}
		if _, ok := s.str(); !ok {
			return false
		}
		if s.lit(`,"source":`) {
			if _, ok := s.str(); !ok {
				return false
			}
		}
		if !s.lit(`,"in_scope":`) || !(s.lit("true") || s.lit("false")) {
			return false
		}
		if s.lit(`,"note":`) {
			if _, ok := s.str(); !ok {
				return false
			}
		}
		if !s.lit("}") {
			return false
		}
		if s.lit("]") {
			return true
		}
		if !s.lit(",") {
			return false
		}
	}
}

// scanAnswer reads an answer value as json.Marshal writes survey.Answer and reports
// whether it has a value (survey.Answer.HasValue); ok is false when b is not in that
// layout (see valueScanner).
func scanAnswer(b []byte) (answered, ok bool) {
	s := valueScanner{b: b}
	if !s.lit("{") {
		return false, false
	}
	if s.lit("}") {
		return false, s.i == len(b)
	}
	// The fields in order, each optional; sep is what comes before the next one.
	sep := ""
	if s.field(sep, `"rating":`) {
		raw, ok := s.str()
		if !ok {
			return false, false
		}
		answered = len(raw) > 0
		sep = ","
	}
	if s.field(sep, `"value":`) {
		has, ok := s.answerValue()
		if !ok {
			return false, false
		}
		answered = answered || has
		sep = ","
	}
	if s.field(sep, `"comment":`) {
		if _, ok := s.str(); !ok {
			return false, false
		}
		sep = ","
	}
	if s.field(sep, `"probes":`) {
		if _, ok := s.strings(); !ok {
			return false, false
		}
		sep = ","
	}
	if s.field(sep, `"evidence":`) {
		if !s.evidence() {
			return false, false
		}
		sep = ","
	}
	if sep == "" || !s.lit("}") || s.i != len(b) {
		return false, false
	}
	return answered, true
}

// scanSection reads a section summary as json.Marshal writes survey.SectionSummary and
// returns its rating; ok is false when b is not in that layout, or when the rating is
// not plain ASCII without escapes (its Go string would differ from its bytes).
func scanSection(b []byte) (rating survey.Code, ok bool) {
	s := valueScanner{b: b}
	if !s.lit("{") {
		return "", false
	}
	sep := ""
	if s.lit(`"rating":`) {
		raw, ok := s.str()
		if !ok || !plainASCII(raw) {
			return "", false
		}
		rating = survey.Code(raw)
		sep = ","
	}
	if s.field(sep, `"comment":`) {
		if _, ok := s.str(); !ok {
			return "", false
		}
	}
	if !s.lit("}") || s.i != len(b) {
		return "", false
	}
	return rating, true
}
