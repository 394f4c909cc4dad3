// Package survey is the domain of fieldsurvey: questionnaires and their rating scales,
// interviews, answers with evidence, section summaries, statuses, and the revision model
// that makes every change an immutable, content-addressed record.
//
// An assessment (the assessment team's synthesised record for one questionnaire and scope)
// is made of revisions too, in the same stores and batches: its team ratings and remarks are
// KindAnswer and KindSection targets keyed like an interview's, and it adds KindAssessment
// (its creation), KindText (summary, conclusions, disclaimer, introduction, a section's
// analysis), KindAction and KindDataset. Fold puts those into InterviewState.Assess;
// InterviewState.Assessment reads the record, RecordKind tells the two apart, and the
// interchange lines of `assessment export|import` are AssessmentLine.
//
// A roster question (TypeRoster, roster.go) is a table of typed columns; each of its rows
// is its own target (KindRow, keyed RowKey(question, row id), value RosterRow), so that two
// devices editing different rows never conflict. Fold gathers the rows into a *Roster, the
// Value of the roster's entry in InterviewState.Answers, so that progress, checks and
// expressions (count_rows, count_rows_where, rows; cell in a row constraint) see it like
// any other answer; InterviewState.Rows reads them in order. It is never stored as a
// KindAnswer. InterviewState.SetRow and DeleteRow record a row in memory as a Put of it
// will fold (what a screen does while the save is queued). A *Roster belongs to the state
// that folded it: ApplyHeads, SetRow and DeleteRow on a copy of that state (its Answers
// map cloned) copy the roster before changing it, so the copies never share a change.
//
// The package is pure: it imports only the standard library and small pure libraries
// (the expr expression evaluator, golang.org/x/text). It knows nothing of SQL, terminals or
// networks. The same validators, skip logic and scoring serve the TUI, the line-prompt mode,
// imports and the hub.
//
// Guarantees:
//   - A Revision's ID is the SHA-256 of its canonical encoding; the same change made twice
//     on two machines has one ID, and any tampering changes it.
//   - Fold is deterministic: the same set of revisions, in any order, gives the same state.
//     Two heads for one target are reported as a Conflict, never silently dropped.
//   - Stored strings are normalised to Unicode NFC, so the same Vietnamese words typed on two
//     keyboards compare equal.
//   - History (BuildHistory) puts every revision after those it replaces, the same order
//     for any arrival order, and compares each with every version it replaced: ratings by
//     their scale's labels, texts word by word (DiffWords, on NFC text), evidence item by
//     item. The command line and the screens only present it (HistoryEntry.Lines).
package survey
