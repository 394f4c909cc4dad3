package survey

import (
	"sort"

	"golang.org/x/text/unicode/norm"
)

// Languages the bundled instruments and the user interface carry. Questionnaires may add more.
const (
	LangVI = "vi"
	LangEN = "en"
)

// Text is a piece of text in several languages, keyed by language code ("vi", "en", …).
type Text map[string]string

// Get returns the text in lang, falling back to English, then Vietnamese, then any language
// (the alphabetically first), so that a screen never shows an empty label for a missing
// translation.
func (t Text) Get(lang string) string {
	if s, ok := t[lang]; ok && s != "" {
		return s
	}
	for _, l := range []string{LangEN, LangVI} {
		if s, ok := t[l]; ok && s != "" {
			return s
		}
	}
	keys := make([]string, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if t[k] != "" {
			return t[k]
		}
	}
	return ""
}

// Empty reports whether t has no non-empty text in any language.
func (t Text) Empty() bool {
	for _, s := range t {
		if s != "" {
			return false
		}
	}
	return true
}

// NFC returns s in Unicode normalisation form C. Every string the domain stores goes through
// it, so that precomposed and decomposed Vietnamese compare equal.
func NFC(s string) string { return norm.NFC.String(s) }

// T builds a Text from English and Vietnamese, the two languages every user-facing string has.
func T(en, vi string) Text { return Text{LangEN: en, LangVI: vi} }
