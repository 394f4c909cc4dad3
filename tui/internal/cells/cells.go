// Package cells measures and lays out text in terminal cells for the screens of package tui
// and tui/desk: widths that ignore ANSI codes and count Vietnamese composed or decomposed
// alike, padding and cutting with an ellipsis, word wrapping, and windows of rows.
package cells

import (
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

// Width measures s in terminal cells (ANSI codes ignored).
func Width(s string) int { return lipgloss.Width(s) }

// Pad pads s with spaces to w cells, or cuts it with an ellipsis when longer.
func Pad(s string, w int) string {
	if w <= 0 {
		return ""
	}
	n := Width(s)
	switch {
	case n == w:
		return s
	case n < w:
		return s + strings.Repeat(" ", w-n)
	}
	return ansi.Truncate(s, w, "…")
}

// Cut shortens s to w cells with an ellipsis.
func Cut(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if Width(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

// Wrap word-wraps s to w cells (at least 4) and returns its lines (nil for "").
func Wrap(s string, w int) []string {
	w = max(w, 4)
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(ansi.Wrap(s, w, ""), "\n")
}

// Fit returns exactly h lines: lines cut to h, or padded with empty lines.
func Fit(lines []string, h int) []string {
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

// Window returns the first row of a window of h rows that keeps row cur visible in n rows,
// moving from start as little as it can.
func Window(cur, n, h, start int) int {
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

// Lines splits a rendered block into lines (nil for "").
func Lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}
