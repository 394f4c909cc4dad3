package report

import (
	"io"
	"strings"
)

// Answers are typed by people and arrive from other devices: a comment may hold terminal
// control characters (an escape sequence that retitles or clears the terminal of whoever
// reads the report) or text that a spreadsheet would run as a formula. Every writer makes
// them harmless:
//   - text and markdown drop control characters from every piece of interview text (clean);
//   - HTML, markdown and CSV pass through a controlFilter that drops whatever control
//     character is left, whatever its origin;
//   - JSON keeps the text as it is, with every control character escaped (\u001b, \u009b):
//     a JSON reader gets the exact answer back and a terminal shows only the escape;
//   - CSV and xlsx cells go through CellText: control characters dropped, and a CSV cell
//     that a spreadsheet would read as a formula (=, +, -, @ first) starts with ' instead.

// isControl reports whether r is a control character a terminal may act on: C0 (but the
// caller decides about tab and line ends), DEL, and C1.
func isControl(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) }

// controlFilter copies to w what is written to it, dropping control characters (C0 but
// tab, line feed and carriage return; DEL; C1), or, in JSON mode, writing DEL and C1 as
// \u escapes (encoding/json escapes C0 itself; DEL and C1 appear only inside strings).
// A C1 character split between two writes is handled.
type controlFilter struct {
	w    io.Writer
	json bool
	held bool // the last write ended in 0xC2, the first byte of a C1 character
	buf  []byte
}

// special marks the bytes controlFilter looks at: C0 but tab and line ends, DEL, and
// 0xC2 (which starts C1 characters).
var special = func() (t [256]bool) {
	for c := 0; c < 0x20; c++ {
		t[c] = c != '\t' && c != '\n' && c != '\r'
	}
	t[0x7f], t[0xc2] = true, true
	return t
}()

func (f *controlFilter) Write(p []byte) (int, error) {
	if !f.held {
		clean := true
		for _, c := range p {
			if special[c] {
				clean = false
				break
			}
		}
		if clean { // the usual case: nothing to drop or escape
			if _, err := f.w.Write(p); err != nil {
				return 0, err
			}
			return len(p), nil
		}
	}
	out := f.buf[:0]
	i := 0
	if f.held {
		f.held = false
		if len(p) > 0 && p[0] >= 0x80 && p[0] < 0xa0 {
			out = f.control(out, rune(p[0]))
			i = 1
		} else {
			out = append(out, 0xc2)
		}
	}
	for ; i < len(p); i++ {
		c := p[i]
		switch {
		case c == 0xc2:
			if i+1 == len(p) {
				f.held = true
				continue
			}
			if n := p[i+1]; n >= 0x80 && n < 0xa0 {
				out = f.control(out, rune(n))
				i++
				continue
			}
			out = append(out, c)
		case (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f:
			out = f.control(out, rune(c))
		default:
			out = append(out, c)
		}
	}
	f.buf = out
	if _, err := f.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (f *controlFilter) control(out []byte, r rune) []byte {
	if !f.json {
		return out
	}
	const hex = "0123456789abcdef"
	return append(out, '\\', 'u', '0', '0', hex[r>>4], hex[r&0xf])
}

// Close writes a byte held back at the end (a lone 0xC2, which is not a control
// character but invalid UTF-8, kept as it came).
func (f *controlFilter) Close() error {
	if f.held {
		f.held = false
		_, err := f.w.Write([]byte{0xc2})
		return err
	}
	return nil
}

// plainASCII reports whether s holds printable ASCII only: nothing to clean.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// CellText is s made safe for a spreadsheet cell: line ends as "\n", tabs as spaces, no
// other control character; and, for CSV (formula true), a leading ' when the cell would
// otherwise start with =, +, -, @ and is not a plain number, so that a spreadsheet shows
// it as text instead of running it. Text that holds no control character is returned as
// it is (the store keeps every string in NFC): exports call this for every cell.
func CellText(s string, formula bool) string {
	if hasControl(s) {
		s = clean(s)
	}
	if formula && s != "" && strings.IndexByte("=+-@", s[0]) >= 0 && !plainNumber(s) {
		return "'" + s
	}
	return s
}

// hasControl reports whether s holds a control character other than a line feed: C0, DEL,
// or C1 (U+0080–U+009F, encoded C2 80–C2 9F). It looks at bytes, not runes: fast.
func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 && c != '\n', c == 0x7f:
			return true
		case c == 0xc2 && i+1 < len(s) && s[i+1] >= 0x80 && s[i+1] < 0xa0:
			return true
		}
	}
	return false
}

// plainNumber reports whether s is a number and nothing else: an optional sign, digits,
// and at most one decimal point or comma followed by digits ("-5", "+3", "42,5").
func plainNumber(s string) bool {
	if s[0] == '+' || s[0] == '-' {
		s = s[1:]
	}
	digits, sep := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case (c == '.' || c == ',') && !sep && digits > 0 && i+1 < len(s):
			sep = true
		default:
			return false
		}
	}
	return digits > 0
}

// TerminalText is s for one line of a terminal table: NFC, no control characters, line
// breaks and tabs as spaces.
func TerminalText(s string) string {
	if plainASCII(s) {
		return s
	}
	return strings.ReplaceAll(clean(s), "\n", " ")
}

// StripControls returns a writer that passes what is written to w without control
// characters (C0 but tab and line ends, DEL, C1): for text other commands print from
// answers (lists, messages). Close it to write a byte it held back.
func StripControls(w io.Writer) io.WriteCloser { return &controlFilter{w: w} }

// EscapeJSONControls returns a writer for JSON output (from encoding/json, which escapes
// C0 itself) that writes DEL and C1 characters as \u escapes, so that JSON printed to a
// terminal cannot act on it and still decodes to the same text. Close it after the last
// write.
func EscapeJSONControls(w io.Writer) io.WriteCloser { return &controlFilter{w: w, json: true} }
