package desk

import (
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

func tr(lang, en, vi string) string {
	if lang == survey.LangVI {
		return vi
	}
	return en
}

// width measures s in terminal cells (ANSI codes ignored).
func width(s string) int { return lipgloss.Width(s) }

// pad pads s with spaces to w cells, or cuts it with an ellipsis when longer.
func pad(s string, w int) string {
	if w <= 0 {
		return ""
	}
	n := width(s)
	switch {
	case n == w:
		return s
	case n < w:
		return s + strings.Repeat(" ", w-n)
	}
	return ansi.Truncate(s, w, "…")
}

// rpad aligns s to the right of w cells.
func rpad(s string, w int) string {
	if n := width(s); n < w {
		return strings.Repeat(" ", w-n) + s
	}
	return cut(s, w)
}

// cut shortens s to w cells with an ellipsis.
func cut(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if width(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

// wrap word-wraps s to w cells.
func wrap(s string, w int) []string {
	w = max(w, 4)
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(ansi.Wrap(s, w, ""), "\n")
}

// fit returns exactly h lines.
func fit(ls []string, h int) []string {
	if h <= 0 {
		return nil
	}
	if len(ls) > h {
		return ls[:h]
	}
	for len(ls) < h {
		ls = append(ls, "")
	}
	return ls
}

// window returns the first row of a window of h rows that keeps row cur visible in n rows.
func window(cur, n, h, start int) int {
	if h <= 0 || n <= h {
		return 0
	}
	if cur < start {
		start = cur
	}
	if cur >= start+h {
		start = cur - h + 1
	}
	return max(0, min(start, n-h))
}

func lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// oneLine flattens s (a reason, a comment) onto one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func shortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}
