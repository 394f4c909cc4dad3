package survey

import (
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Filter selects interviews by what their summaries record: status, province (or
// ministry), agency, stakeholder category code and assessor. Each list that is not empty
// must contain the interview's value; an empty list does not filter, so the zero Filter
// selects everything. Text is compared as the store's search compares it: case, accents
// and đ folded (FoldText), NFC, and runs of spaces as one, so "da nang" selects "Đà Nẵng".
// The comparison is of whole values, not parts: "Hà" does not select "Hà Nội".
type Filter struct {
	Statuses   []Status
	Provinces  []string
	Agencies   []string
	Categories []string
	Assessors  []string
}

// IsZero reports whether f selects everything.
func (f Filter) IsZero() bool {
	return len(f.Statuses) == 0 && len(f.Provinces) == 0 && len(f.Agencies) == 0 &&
		len(f.Categories) == 0 && len(f.Assessors) == 0
}

// Match reports whether the interview summarised by s passes f.
func (f Filter) Match(s Summary) bool {
	if len(f.Statuses) > 0 && !slices.Contains(f.Statuses, s.Status) {
		return false
	}
	return matchFolded(f.Provinces, s.Province) && matchFolded(f.Agencies, s.Agency) &&
		matchFolded(f.Categories, s.Category) && matchFolded(f.Assessors, s.Assessor)
}

func matchFolded(want []string, v string) bool {
	if len(want) == 0 {
		return true
	}
	k := filterKey(v)
	for _, w := range want {
		if filterKey(w) == k {
			return true
		}
	}
	return false
}

// filterKey is s folded, trimmed and with runs of white space as one space.
func filterKey(s string) string { return strings.Join(strings.Fields(FoldText(s)), " ") }

// FoldText lowers s and strips Vietnamese (and other) diacritics, đ included, so that text
// typed without accents finds accented text: FoldText("Đà Nẵng") is "da nang".
func FoldText(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		switch r {
		case 'đ', 'Đ':
			r = 'd'
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}
