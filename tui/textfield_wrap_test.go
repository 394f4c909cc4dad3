package tui

import (
	"math/rand/v2"
	"slices"
	"testing"
	"unicode"

	"github.com/mattn/go-runewidth"
)

// nextLineByWholeWords is the first nextLine: it measures each word whole before deciding,
// which made a pasted megabyte without a space take 21 s to wrap. nextLine must end every
// line where it did.
func nextLineByWholeWords(text []rune, s, w int) int {
	used := 0
	for i := s; i < len(text); {
		j := i
		for j < len(text) && !unicode.IsSpace(text[j]) {
			j++
		}
		word := cellsOf(text[i:j])
		if used > 0 && used+word > w {
			return i
		}
		if word > w {
			x, n := i, 0
			for x < j && (x == i || n+runewidth.RuneWidth(text[x]) <= w) {
				n += runewidth.RuneWidth(text[x])
				x++
			}
			if x < j {
				return x
			}
		}
		used += word
		for j < len(text) && unicode.IsSpace(text[j]) {
			used++
			j++
		}
		i = j
	}
	return len(text)
}

// TestNextLineEndsLinesAsWholeWordsDid: random texts of short and long words, wide runes
// (Vietnamese, CJK, emoji), runs of spaces and newlines, at widths from 1 to 40.
func TestNextLineEndsLinesAsWholeWordsDid(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 16))
	alphabet := []rune("aăâbcdđeêghiklmnoôơpqrstuưvxyẠỹ数据漢字🙂  \n")
	for n := range 4000 {
		text := make([]rune, rng.IntN(120))
		for i := range text {
			text[i] = alphabet[rng.IntN(len(alphabet))]
		}
		if rng.IntN(4) == 0 { // a long word
			at := rng.IntN(len(text) + 1)
			long := []rune(string(slices.Repeat([]rune("xữ"), 20+rng.IntN(40))))
			text = slices.Concat(text[:at:at], long, text[at:])
		}
		w := 1 + rng.IntN(40)
		for s := 0; s < len(text); {
			got, want := nextLine(text, s, w), nextLineByWholeWords(text, s, w)
			if got != want {
				t.Fatalf("case %d, width %d, line at %d: ends at %d, want %d\ntext %q", n, w, s, got, want, string(text))
			}
			s = want
		}
	}
}
