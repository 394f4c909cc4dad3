// Package scalekeys maps the keys of a rating scale to its steps, one implementation for the
// assessor's screens (package tui) and the supervisor's desk (tui/desk): the counted steps
// are 1–9 in scale order, not assessed is 0, don't know is d, and a step that names its own
// key (U on ODRA) has that key.
package scalekeys

import (
	"strconv"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// Key returns the key that sets step st of scale sc: its position among the counted steps
// (1–9), "0" for not assessed, "d" for don't know, the step's own key, or "" when none.
func Key(sc *survey.Scale, st survey.Step) string {
	if !st.Uncounted {
		for i, c := range sc.Counted() {
			if c.Code == st.Code && i < 9 {
				return strconv.Itoa(i + 1)
			}
		}
		return ""
	}
	switch {
	case st.Key != "":
		return st.Key
	case st.Code == survey.NotAssessed:
		return "0"
	case st.Code == survey.DontKnow:
		return "d"
	}
	return ""
}

// ForKey maps key k to a step code of sc ("" when the key sets nothing). Aliases (the
// assessor's n for not assessed) are the caller's.
func ForKey(sc *survey.Scale, k string) survey.Code {
	for _, st := range sc.Uncounted() {
		if st.Key != "" && st.Key == k {
			return st.Code
		}
	}
	switch k {
	case "0":
		if _, ok := sc.Step(survey.NotAssessed); ok {
			return survey.NotAssessed
		}
		return ""
	case "d":
		if _, ok := sc.Step(survey.DontKnow); ok {
			return survey.DontKnow
		}
		return ""
	}
	if len(k) == 1 && k[0] >= '1' && k[0] <= '9' {
		i := int(k[0] - '1')
		if c := sc.Counted(); i < len(c) {
			return c[i].Code
		}
	}
	return ""
}
