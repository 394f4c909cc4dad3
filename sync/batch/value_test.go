package batch

import (
	"bytes"
	"encoding/json"
	mrand "math/rand/v2"
	"strings"
	"testing"
)

// valueByJSONValid is lineScanner.value as it was: the same scan for the end of the value,
// then encoding/json.Valid on it. TestValueAsJSONValid and FuzzValue hold value to it.
func valueByJSONValid(b []byte) []byte {
	s := lineScanner{b: b}
	depth := 0
	for s.i < len(s.b) {
		switch c := s.b[s.i]; c {
		case '"':
			if !s.skipString(true) {
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
