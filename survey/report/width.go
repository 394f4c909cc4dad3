package report

import (
	"strings"
	"unicode"

	"golang.org/x/text/width"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// displayWidth is the number of terminal columns s takes: combining marks (the tone marks
// of decomposed Vietnamese) and format characters take none, East Asian wide and fullwidth
// characters two, everything else one; a character joined to the previous one by a
// zero-width joiner (emoji sequences) adds nothing. s must hold no escape sequences.
func displayWidth(s string) int {
	w := 0
	joined := false
	for _, r := range s {
		rw := runeWidth(r)
		if joined && rw > 0 {
			rw = 0
		}
		joined = r == '\u200d'
		w += rw
	}
	return w
}

func runeWidth(r rune) int {
	switch {
	case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
		return 0
	case r < 0x7f:
		return 1
	case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf):
		return 0
	case r >= 0x1160 && r <= 0x11ff: // Hangul medial vowels and final consonants
		return 0
	}
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return 2
	}
	return 1
}

// clean makes text safe and tidy for a terminal or a table cell: NFC, line ends as "\n",
// tabs as spaces, and no other control characters (an escape sequence in a comment must not
// reach the terminal).
func clean(s string) string {
	s = survey.NFC(strings.ReplaceAll(s, "\r\n", "\n"))
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return r
		case r == '\t' || r == '\r':
			return ' '
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			return -1
		}
		return r
	}, s)
}

// wrap breaks s into lines of at most w columns: at spaces where it can, inside a word only
// when the word alone is wider than w (a long URL). Line breaks in s are kept; runs of spaces
// become one. Empty text gives no lines.
func wrap(s string, w int) []string {
	if w < 1 {
		w = 1
	}
	var out []string
	paras := strings.Split(clean(s), "\n")
	for _, p := range paras {
		words := strings.Fields(p)
		if len(words) == 0 {
			out = append(out, "")
			continue
		}
		line, lw := "", 0
		for _, word := range words {
			ww := displayWidth(word)
			switch {
			case lw == 0 && ww <= w:
				line, lw = word, ww
			case lw > 0 && lw+1+ww <= w:
				line, lw = line+" "+word, lw+1+ww
			default:
				if lw > 0 {
					out = append(out, line)
				}
				line, lw = "", 0
				for ww > w {
					head, rest := cut(word, w)
					out = append(out, head)
					word = rest
					ww = displayWidth(word)
				}
				line, lw = word, ww
			}
		}
		out = append(out, line)
	}
	// Leading and trailing blank lines carry nothing.
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	for len(out) > 0 && out[0] == "" {
		out = out[1:]
	}
	return out
}

// cut splits word after at most w columns (at least one character), keeping combining marks
// with their base character.
func cut(word string, w int) (head, rest string) {
	cols := 0
	for i, r := range word {
		rw := runeWidth(r)
		if rw > 0 && cols+rw > w && cols > 0 {
			return word[:i], word[i:]
		}
		cols += rw
	}
	return word, ""
}

// pad returns s followed by spaces up to w columns.
func pad(s string, w int) string {
	if n := w - displayWidth(s); n > 0 {
		return s + strings.Repeat(" ", n)
	}
	return s
}
