// Package report builds the readiness tables of a questionnaire's interviews and writes them
// as plain text, markdown, CSV, JSON and HTML.
//
// A report is data first: Build folds a questionnaire and the current states of its
// interviews into a Report — per interview, per section (pillar, dimension), one row per
// question (question | rating | comment, with the evidence) and an overall row with the
// assessor's confirmed section rating or, when none is confirmed, the suggested one, marked
// as suggested. The writers only lay that data out.
//
// Guarantees:
//   - Build never changes its inputs and is deterministic: the same questionnaire, states and
//     options give the same Report, and every writer gives the same bytes for it.
//   - Nothing is hidden without a mark: questions hidden by skip logic show as skipped,
//     relevant unanswered questions as not answered, answers with two competing versions as
//     conflicts, evidence that does not formally count as out of scope with its note.
//   - Every rating carries its stable code (red, amber-red, amber, amber-green, green,
//     not-assessed, dont-know) in the machine formats (CSV, JSON) and its label and symbol in
//     the human ones, so a table reads without colour.
//   - All words of a report are in Vietnamese or English (Options.Lang).
//   - The JSON field names and CSV columns are stable; fields may be added, never renamed.
//
// Colouring for a terminal is not done here: WriteText takes a Styler from the caller (the
// TUI or the command, which own the terminal styles). This package depends only on the
// standard library, golang.org/x/text and the survey domain.
package report
