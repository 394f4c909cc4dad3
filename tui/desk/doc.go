// Package desk is the supervisor's desk, `fieldsurvey review`: the queue of interviews
// waiting for a decision, one interview read section by section with its conflicts and what
// changed since it was returned, the decisions (approve, return, reopen), and the province ×
// section overview, in Vietnamese and English.
//
// Shape: one Bubble Tea model per screen (queue, interview, decide, overview) composed by
// the root model App, which routes window sizes to every screen, then its own messages,
// then global keys, then the active screen only. Screens talk upward through message types;
// every read and write runs in a tea.Cmd, never in Update or View.
//
// Guarantees:
//   - A decision is one status revision written through Store.Put with the home's device
//     and principal (Options.Device, Options.Principal), after survey.CheckDecision has
//     accepted it against the interview's state read again at that moment: approve is
//     refused while a conflict stands (the conflicting questions are named), a return or a
//     reopening without a reason is refused, and a refusal writes nothing. The status line
//     then says the decision is saved and waiting to sync (or sent, after a sync).
//   - Read-only desks (Options.ReadOnly: a hub opened with --db, or an assessor's home)
//     decide nothing and say why on the screen.
//   - Letters typed into the reason never act as keys: a, x, o and q are text there.
//   - The queue is read a page at a time (Store.Queue with a limit), without loading any
//     interview's answers, so the first screen comes at once on a large hub; the overview
//     reads summaries only (confirmed section ratings), never revisions.
//   - The store comes in as an interface (Store): this package imports no SQL; settling a
//     conflict is handed to Options.Settle (the side-by-side view lives elsewhere).
package desk
