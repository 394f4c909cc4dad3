// Package store is the local SQLite store of fieldsurvey: the one implementation of the
// revision model that serves the assessor's database on a laptop and, with extra tables
// added through WithMigrations, the hub of a supervisor or server.
//
// It keeps every revision ever seen, marks the heads of every target (the revisions no
// known revision of the same target replaces), and keeps a summary row per
// record for fast lists. A record is an interview or an assessment (survey.RecordKind, the
// record column since migration 0002); List shows one kind at a time, interviews unless
// ListOptions.Record says assessments, so that no interview list ever shows an assessment.
// A list can be read a page at a time (ListOptions.Limit and Offset, in the query over the
// index on (record, updated, id) when there is no Filter) and counted by status without
// reading it (CountByStatus). The summary row also holds a planned interview's assignee,
// due date and note (migration 0003), and a cache of the skip-aware progress, which needs the
// questionnaire and so is counted by ListProgress, not by the writes: valid while the
// interview has the number of revisions it was counted at. Heads and summaries are maintained incrementally in the same
// transaction as the revisions they derive from, so they always agree with a full
// survey.Fold of the stored revisions; Check verifies that, and Interview folds the heads
// with survey.InterviewState.ApplyHeads so its result equals survey.Fold's exactly.
//
// Local edits go through Put (each change becomes a revision numbered by the device's next
// counter and replacing the target's current heads); a conflict is settled with Settle,
// which writes one such revision only if the heads are still those the caller showed;
// revisions from elsewhere go through
// Append (verified first, all or nothing). A writer that takes in much (the server) checks
// revisions with Verify before its transaction, in as many goroutines as it likes, and
// stores the Verified result with Tx.AppendVerified or Tx.AppendBatch: the checks are the
// same, only their place differs, and a Verified can be made by Verify alone. Other
// components (the hub) add their own tables with WithMigrations and write them atomically
// with revisions inside Update.
//
// Storage (since migration 0004): revisions live in revision_rows, a rowid table appended
// in arrival order, with the 32 bytes of each id (not 64 hex digits), and an index by
// (device, counter) of the revisions in a batch, and one of the pending revisions (batch
// IS NULL: no batch carries them yet). Neither index is left: the pending revisions are,
// since 0006, the tail of revision_rows from a mark (revision_pending_low) that MarkBatched
// and AppendBatch move after the last row, and the pending rows it passed (listed in
// revision_pending): a save writes neither, and the view pending_revisions reads both.
// Since 0007 the counters of the revisions in batches are kept as runs per device in
// revision_counters (a few rows a device, not an index entry a revision): with the
// pending revisions they give a device's counter, and find a counter used twice.
// Since 0005 revision_targets holds one entry per revision, keyed by target, head flag and
// row (seq), with its id: a target's history in arrival order, then its heads. Reading a
// target's heads reads no history; an edit's entry, and the head it replaces moving to the
// history, land together, so a local edit writes four B-trees (its row, its entries, the
// summary row and its list entry): six on 0004, five on 0005. A Put takes its device's
// counter from the Store's memory while no revision was stored since the Store's own last
// Put (the last row tells), and reads it otherwise. A revision's id is stored
// once per target: a revision received is looked for among its target's entries before
// it is stored (Check verifies it).
// A revision stored with its batch (a hub's, a server's) touches no index at a random
// place. revisions is a read-only view of the old table's shape (ids in hex, head 0 or 1)
// for readers and other components' queries: they may read it, but not write it or
// reference it with a foreign key. There is no index by id alone:
// Tx.HasRevision looks a revision up by its target, MarkBatched among the pending ones.
// Since 0008 the revision tables name interviews, devices, authors and batches by number:
// revision_names holds each name once (n, the rowid; name, unique), and revision_rows'
// interview, device, author and batch and revision_targets' interview are its numbers (a
// DGRA revision's row lost ~130 bytes of repeated names: a fifth of the log a server's
// writer writes and of its CPU), and a revision's id is kept in its entry only (a row
// finds its entry by target and seq). A revision's kind is a number in both tables too
// (kindNums; revision_kinds holds the same pairs for the views, Check compares them).
// A name is added when first stored and never renumbered;
// a transaction keeps the numbers it looked up (a Put reads its three in its first
// statement). The views revisions and pending_revisions give the names back, with the
// columns and values they always had; the store's own readers read the tables.
//
// Guarantees:
//   - Durability: every Put, Append and Update is one SQLite transaction in WAL mode with
//     synchronous=FULL. When the call returns without error the change is on disk and
//     survives a crash or power cut; when it returns an error nothing of it was written.
//   - One writer: write transactions take turns on one connection the store holds
//     (writer.go), with BEGIN IMMEDIATE, COMMIT, ROLLBACK and its statements prepared
//     once (an Append's multi-row INSERTs as the driver's own statements, bound without
//     database/sql's per-call conversion); one waiting for its turn stops waiting when its
//     context ends. A transaction
//     whose fn fails or panics, or whose context ends, is rolled back; after a failed
//     COMMIT the connection is out of any transaction; a connection the driver calls bad
//     is replaced. Rows fn left open are closed when it returns.
//   - Nothing is lost: revisions are never updated or deleted. Two heads for one target
//     are kept and reported as a conflict until a revision that replaces both settles it.
//   - Determinism: appending the same set of revisions in any order, any number of times,
//     gives the same heads, summaries and interview states.
//   - Revisions read back exactly as written (value bytes as given; time to the millisecond,
//     the precision revision ids hash), so survey.Revision.Verify passes on everything the
//     store returns.
//   - Read-only: a database whose file or folder is not writable (by the permission bits,
//     whatever the user, root included) or on a read-only file system is opened for
//     reading only: nothing is created, migrated or written beside it, reads work, and
//     every write fails with a *FileError wrapping ErrReadOnlyDatabase that says why and
//     what to do. Its schema must be current (an upgrade needs write access).
//   - Privacy: a database Open creates, and its write-ahead log and shared-memory files,
//     are readable and writable by their owner only (0600), whatever the umask or folder.
//   - Identity: a survey database carries SQLite application_id 0x46535631 ("FSV1").
//     Open refuses any other file (another program's SQLite database, or a file that is not
//     SQLite at all) with ErrNotSurveyDB, before writing anything to it.
//   - Schema compatibility: the schema changes only through embedded numbered migrations,
//     applied in order, one transaction each, and recorded per component in
//     schema_migrations. A migration once released is never edited. A newer program opens
//     and upgrades every older database (a frozen database made by the first schema is
//     tested); an older program refuses a database whose schema is newer than it knows,
//     with ErrNewerSchema, rather than damage it.
package store
