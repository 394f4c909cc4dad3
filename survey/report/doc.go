// Package report builds the readiness tables of a questionnaire's interviews and the views
// across them, and writes them as plain text, markdown, CSV, JSON and HTML (package
// report/xlsx adds Excel workbooks).
//
// A report is data first: Build folds a questionnaire and the current states of its
// interviews into a Report — per interview, per section (pillar, dimension), one row per
// question (question | rating | comment, with the evidence) and an overall row with the
// assessor's confirmed section rating or, when none is confirmed, the suggested one, marked
// as suggested. The writers only lay that data out. The views across interviews are data
// too: an Overview (province × section grid of the confirmed overall ratings, counted from
// summaries) and Distributions (per question, the ratings over the scale and the median
// they suggest — a suggestion only).
//
// Exports of any size: a Builder builds one interview at a time and Stream hands each to a
// StreamWriter (CSV, JSON, xlsx), so that with a store's EachInterview memory holds a few
// interviews, never all; the order is computed first from summaries (Order). The overview
// and distribution builders count one interview at a time as well.
//
// Guarantees:
//   - Build never changes its inputs and is deterministic: the same questionnaire, states and
//     options give the same Report, and every writer gives the same bytes for it.
//   - Nothing is hidden without a mark: questions hidden by skip logic show as skipped,
//     relevant unanswered questions as not answered, answers with two competing versions as
//     conflicts, evidence that does not formally count as out of scope with its note.
//   - Every rating carries its stable code (red, amber-red, amber, amber-green, green,
//     not-assessed, dont-know) in the machine formats (CSV, JSON) and its label and symbol in
//     the human ones, so a table reads without colour. Every format names each interview's
//     status and assessor.
//   - Suggested ratings (a section's, from its questions; a question's, the median of the
//     interviews) are always marked as suggestions.
//   - Safe output: no control character from an answer reaches the output raw (dropped in
//     text, markdown, HTML, CSV and xlsx; escaped in JSON, which keeps the exact text); a CSV
//     cell a spreadsheet would run as a formula starts with '; xlsx cells are strings.
//   - All words of a report are in Vietnamese or English (Options.Lang).
//   - The JSON field names and CSV columns are stable; fields may be added, never renamed.
//     The CSV report is a long table (CSVHeader documents its columns).
//
// Colouring for a terminal is not done here: WriteText takes a Styler from the caller (the
// TUI or the command, which own the terminal styles). This package depends only on the
// standard library, golang.org/x/text and the survey domain.
//
// An assessment report (the team's record) reuses the section table of every format: a
// section of an assessment is a Section (rows Question | Rating | remarks, the Overall row
// last); textWriter.section, mdWriter.section and the "section" HTML template take the word
// that heads the third column, LongRows makes its long-table rows, and the distribution of
// each question comes from DistributionBuilder.
package report
