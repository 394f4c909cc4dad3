// Package desk is the supervisor's desk, `fieldsurvey review`: the queue of interviews
// waiting for a decision, one interview read section by section with its conflicts and what
// changed since it was returned, the decisions (approve, return, reopen), and the province ×
// section overview, and the team's assessment (T: the home's assessments; one assessment
// section by section, each question's distribution of the interviews' ratings and their
// median, marked as a suggestion, beside the team's rating), in Vietnamese and English.
//
// Shape: one Bubble Tea model per screen (queue, interview, decide, overview, assessments,
// assessment) composed by
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
//   - Letters typed into the reason never act as keys: a, x, o and q are text there; the
//     same holds in the assessment's remarks and analysis fields.
//   - A team rating, remarks or analysis is one revision through Store.Put with the home's
//     device and principal, built from the assessment read again at that moment (the rating
//     keeps the remarks and the other way round); a target with two competing versions is
//     refused with the conflicts settle command that settles it, since a Put would replace
//     both versions unseen. "✓ saved" is shown only after Put returns. A text field is saved
//     when it is left (esc, or ctrl+c which saves before quitting) and when typing pauses
//     (Options.SavePause; review sets 2 s).
//   - The queue is read a page at a time (Store.Queue with a limit), without loading any
//     interview's answers, so the first screen comes at once on a large hub; the overview
//     reads summaries only (confirmed section ratings), never revisions.
//   - The store comes in as an interface (Store): this package imports no SQL; settling a
//     conflict is handed to Options.Settle (the side-by-side view lives elsewhere).
package desk
