package tui

import (
	"github.com/charmbracelet/x/ansi"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/tui/internal/cells"
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
func width(s string) int { return cells.Width(s) }

// pad pads s with spaces to w cells, or cuts it with an ellipsis when longer.
func pad(s string, w int) string { return cells.Pad(s, w) }

// cut shortens s to w cells with an ellipsis.
func cut(s string, w int) string { return cells.Cut(s, w) }

// wrap word-wraps s to w cells and returns its lines.
func wrap(s string, w int) []string { return cells.Wrap(s, w) }

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
func fit(lines []string, h int) []string { return cells.Fit(lines, h) }

// window returns the start of a window of h rows that keeps row cur visible in n rows.
func window(cur, n, h, start int) int { return cells.Window(cur, n, h, start) }

// lines splits a rendered block into lines (nil for "").
func lines(s string) []string { return cells.Lines(s) }
