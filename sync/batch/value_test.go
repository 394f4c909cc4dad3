package batch

import (
	"bytes"
	"encoding/json"
	mrand "math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

// valueByJSONValid is lineScanner.value as it was: the same scan for the end of the value,
// then encoding/json.Valid on it. TestValueAsJSONValid and FuzzValue hold value to it.
func valueByJSONValid(b []byte) []byte {
	s := lineScanner{b: b}
	depth := 0
	for s.i < len(s.b) {
		switch c := s.b[s.i]; c {
		case '"':
			if !s.skipString() {
				return nil
			}
		case '{', '[':
			depth++
			s.i++
		case '}', ']':
			if depth == 0 {
				goto end
			}
			depth--
			s.i++
		case ',':
			if depth == 0 {
				goto end
			}
			s.i++
		case ' ', '\t', '\n', '\r':
			return nil
		default:
			s.i++
		}
	}
end:
	v := s.b[:s.i]
	if len(v) == 0 || depth != 0 || !json.Valid(v) {
		return nil
	}
	return v
}

func checkValue(t *testing.T, in []byte) {
	t.Helper()
	s := lineScanner{b: in}
	got, want := s.value(), valueByJSONValid(in)
	if (got == nil) != (want == nil) || !bytes.Equal(got, want) {
		t.Fatalf("value(%q) = %q, json.Valid's scan: %q", in, got, want)
	}
	if got != nil && s.i != len(got) {
		t.Fatalf("value(%q) left the scanner at %d, after %d bytes", in, s.i, len(got))
	}
}

var valueSeeds = []string{
	`{}`, `[]`, `""`, `0`, `-0`, `1`, `-1.5e+3`, `1E9`, `0.0`, `true`, `false`, `null`,
	`{"rating":"green","evidence":[{"polarity":"+","text":"Luật \u003c2018\u003e","in_scope":true}],"comment":""}`,
	`{"a":{"b":[1,2,{"c":null}]}}`, `[[[[]]]]`, `{"a":1}x`, `{"a":1},"device":"d"`, `1}`, `1]`,
	`01`, `-`, `1.`, `.5`, `1e`, `1e+`, `+1`, `tru`, `nul`, `truex`, `{"a"}`, `{"a":}`, `{,}`, `[1,]`,
	`[,1]`, `{"a":1,}`, `{1:2}`, `[1 ]`, ` 1`, `{"a":1]`, `[1}`, `"\u2028"`, "\"\u2028\"", `"<"`,
	`"\x"`, `"\u12"`, "\"\xff\"", `"a`, `[`, `{`, `{"a":[1,2]`, `-01`, `1.5e-07`, `[true,false,null]`,
	strings.Repeat("[", maxNesting) + strings.Repeat("]", maxNesting),
	strings.Repeat("[", maxNesting+1) + strings.Repeat("]", maxNesting+1),
	strings.Repeat(`{"a":`, maxNesting) + "1" + strings.Repeat("}", maxNesting),
}

// TestValueAsJSONValid: the one-pass value accepts exactly what the scan and json.Valid
// accepted, on hand-made values and on 200,000 random mutations of them.
func TestValueAsJSONValid(t *testing.T) {
	for _, v := range valueSeeds {
		checkValue(t, []byte(v))
		checkValue(t, []byte(v+`,"device":"d"}`))
	}
	rnd := mrand.New(mrand.NewPCG(1, 2))
	alphabet := []byte(`{}[]",:0123456789-+.eEtrufalsn \x\u<>` + "\xff\u2028é")
	for range 200000 {
		b := []byte(valueSeeds[rnd.IntN(len(valueSeeds)-3)])
		for range 1 + rnd.IntN(3) {
			switch i := rnd.IntN(len(b) + 1); rnd.IntN(3) {
			case 0: // insert
				b = append(b[:i], append([]byte{alphabet[rnd.IntN(len(alphabet))]}, b[i:]...)...)
			case 1: // delete
				if i < len(b) {
					b = append(b[:i], b[i+1:]...)
				}
			default: // replace
				if i < len(b) {
					b[i] = alphabet[rnd.IntN(len(alphabet))]
				}
			}
		}
		checkValue(t, b)
	}
}

func FuzzValue(f *testing.F) {
	for _, v := range valueSeeds {
		f.Add([]byte(v))
	}
	f.Fuzz(func(t *testing.T, b []byte) { checkValue(t, b) })
}

// skipStringByRune is lineScanner.skipString as it was, a byte or a rune at a time:
// TestSkipStringAsBefore holds the table-driven one to it.
func skipStringByRune(s *lineScanner) bool {
	s.i++
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			return true
		case c == '\\':
			if s.i+1 >= len(s.b) {
				return false
			}
			switch s.b[s.i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.i += 2
			case 'u':
				if s.i+6 > len(s.b) {
					return false
				}
				for _, h := range s.b[s.i+2 : s.i+6] {
					if !strings.ContainsRune("0123456789abcdefABCDEF", rune(h)) {
						return false
					}
				}
				s.i += 6
			default:
				return false
			}
		case c < 0x20:
			return false
		case c == '<' || c == '>' || c == '&':
			return false
		case c < utf8.RuneSelf:
			s.i++
		default:
			r, n := utf8.DecodeRune(s.b[s.i:])
			if r == utf8.RuneError && n == 1 || r == '\u2028' || r == '\u2029' {
				return false
			}
			s.i += n
		}
	}
	return false
}

// TestSkipStringAsBefore: skipString accepts the strings the rune-at-a-time scan accepted
// and stops where it stopped (the position errors name), on 300,000 random strings of
// every length around the 8-byte steps, from an alphabet of plain text and every byte
// class that ends a run.
func TestSkipStringAsBefore(t *testing.T) {
	rnd := mrand.New(mrand.NewPCG(3, 4))
	pieces := []string{"a", "Z", " ", "~", "/", "0", `"`, `\`, `\"`, `\\`, `\n`, `\u00e9`, `\u003c`, `\u12`,
		`\x`, "<", ">", "&", "\x00", "\x1f", "\x7f", "\x80", "\xff", "é", "ệ", "\u2028", "\u2029", "\U0001F600",
		"\xe1\xbb", "\xed\xa0\x80", "plain text ", "Luật Đất đai "}
	for range 300000 {
		var b strings.Builder
		b.WriteByte('"')
		for range rnd.IntN(24) {
			if rnd.IntN(4) == 0 {
				b.WriteString(pieces[rnd.IntN(len(pieces))])
			} else {
				b.WriteString(pieces[rnd.IntN(2)])
			}
		}
		if rnd.IntN(8) != 0 {
			b.WriteByte('"')
		}
		if rnd.IntN(2) == 0 {
			b.WriteString(`,"device":"d"}`)
		}
		in := []byte(b.String())
		got, want := lineScanner{b: in}, lineScanner{b: in}
		okGot, okWant := got.skipString(), skipStringByRune(&want)
		if okGot != okWant || got.i != want.i {
			t.Fatalf("skipString(%q) = %v at %d, the rune-at-a-time scan %v at %d", in, okGot, got.i, okWant, want.i)
		}
	}
}
