package desk

import (
	"strings"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/tui/internal/cells"
)

func tr(lang, en, vi string) string {
	if lang == survey.LangVI {
		return vi
	}
	return en
}

// width measures s in terminal cells (ANSI codes ignored).
func width(s string) int { return cells.Width(s) }

// pad pads s with spaces to w cells, or cuts it with an ellipsis when longer.
func pad(s string, w int) string { return cells.Pad(s, w) }

// rpad aligns s to the right of w cells.
func rpad(s string, w int) string {
	if n := width(s); n < w {
		return strings.Repeat(" ", w-n) + s
	}
	return cut(s, w)
}

// cut shortens s to w cells with an ellipsis.
func cut(s string, w int) string { return cells.Cut(s, w) }

// wrap word-wraps s to w cells.
func wrap(s string, w int) []string { return cells.Wrap(s, w) }

// fit returns exactly h lines.
func fit(ls []string, h int) []string { return cells.Fit(ls, h) }

// window returns the first row of a window of h rows that keeps row cur visible in n rows.
func window(cur, n, h, start int) int { return cells.Window(cur, n, h, start) }

func lines(s string) []string { return cells.Lines(s) }

// oneLine flattens s (a reason, a comment) onto one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func shortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}
