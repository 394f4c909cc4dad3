// Package tui is the assessor's terminal interface: the list of interviews, the new-interview
// form, the question screen with its rating, evidence and comment, the section summary, and
// the review that completes an interview, in Vietnamese and English.
//
// Shape: one Bubble Tea model per screen, composed by the root model App, which routes
// window sizes to every screen, then global keys, then the active screen only. Screens talk
// upward only through the exported message types (SaveMsg, GotoMsg, OpenInterviewMsg, …);
// all store I/O runs in tea.Cmds, never in Update or View.
//
// Guarantees:
//   - Nothing to lose: a choice (a rating, a tick, a polarity) is queued for the store at
//     once; typed text after a pause of about a second (Options.CommitDelay), when its field
//     loses focus, or when the screen is left. The root writes the queue in order, one
//     durable Put at a time, and shows "saved" only after a Put returned. Quitting writes
//     everything first; a failed write is retried and reported, never dropped.
//   - Letters typed into a text field never trigger global keys: q, ? and the other single
//     letters only act when no text field has focus.
//   - The terminal is never queried (see package styles and tui/internal/noprobe), so the
//     program starts at once on any terminal, and every screen reads without colour.
//   - Sync (Options.Sync, when the device is enrolled with a server) never blocks the screen:
//     its state is read and its syncs run in commands, one at a time (a due sync or ctrl+s
//     while one runs starts no other). The status line says what is true of the last
//     attempt: sending…, offline with the batches waiting, the refusal in a short sentence,
//     or when a batch was last sent; interviews the supervisor returned appear in the list
//     with the reason.
//   - Conflicts are shown, never settled unseen: an answer or section summary with versions
//     from different devices says so (and ! marks it in the tables); v shows every version
//     side by side, and taking one (Store.Settle, with the versions shown: a version that
//     arrived meanwhile makes it refuse, and the interview is read again) or saving a new
//     answer from one replaces them all. Who may settle follows survey.CheckSettle for
//     Options.Role; h shows the history of a question or section.
//   - A roster question (a table of rows, survey.TypeRoster) is edited a row at a time
//     (roster.go): a row is checked by its columns and row constraint before it is queued,
//     and then written as one revision of that row alone (adding, editing, deleting and
//     moving alike), so two devices editing different rows never conflict. A bad row
//     stays in its form with the messages beside its fields; a conflicted row is marked
//     and read only until its versions are settled (v). Keystrokes cost the same at 1,000
//     rows as at 10: only the visible rows are drawn and checked (BenchmarkRosterKeystroke).
//   - The assessor's name: with none set (and Options.OnName), the first run asks for it
//     once (skipping is remembered); the settings screen (s on the list) changes it. New
//     interviews record it; an interview without one is shown with the principal that
//     created it (a Store that is also a CreatorReader).
//   - The store and the questionnaires come in as interfaces (Store, Catalog) and the
//     configuration as Options: this package imports no SQL driver and no config library.
package tui
