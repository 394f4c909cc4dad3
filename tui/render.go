package tui

import (
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// tr picks the English or Vietnamese form of a user-facing string.
func tr(lang, en, vi string) string {
	if lang == survey.LangVI {
		return vi
	}
	return en
}

// width measures s in terminal cells (ANSI codes ignored, Vietnamese composed or decomposed
// alike).
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

// wrap word-wraps s to w cells and returns its lines.
func wrap(s string, w int) []string {
	if w < 4 {
		w = 4
	}
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return nil
	}
	out := ansi.Wrap(s, w, "")
	return strings.Split(out, "\n")
}

// clip keeps at most n lines, marking the cut with a last line "…" when lines were dropped.
func clip(lines []string, n int) []string {
	if n <= 0 {
		return nil
	}
	if len(lines) <= n {
		return lines
	}
	out := append([]string(nil), lines[:n]...)
	last := out[n-1]
	out[n-1] = ansi.Truncate(last, max(0, width(last)-1), "") + "…"
	return out
}

// fit returns exactly h lines: lines cut to h, or padded with empty lines.
func fit(lines []string, h int) []string {
	if h <= 0 {
		return nil
	}
	if len(lines) > h {
		return lines[:h]
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return lines
}

// window returns the start of a window of h rows that keeps row cur visible in n rows.
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
	if start+h > n {
		start = n - h
	}
	if start < 0 {
		start = 0
	}
	return start
}

// lines splits a rendered block into lines (nil for "").
func lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}
