-- 0008_names: the revision tables name interviews, devices, authors and batches by number.
-- Frozen once released: later changes go into new numbered files.
--
-- Until 0007 every row of revision_rows held its interview id (36 characters), its device
-- and author names and its batch id (64 hex digits) as text, and every entry of
-- revision_targets its interview id again: ~130 bytes a revision of names repeated on
-- every row, written to the log and then to the database file. The same rows with small
-- integers instead (a standalone copy of the server's writer, 354,000 DGRA revisions in
-- groups of 512 interviews) took ~30% less CPU to insert and wrote ~45% fewer log bytes;
-- in the store (BenchmarkWriterDGRA, with the id below) the log went from 677 to 489 bytes
-- a revision and the writer's CPU down by 14-22%.
-- Now:
--   - revision_names numbers every name the revision tables refer to (n, the rowid; name,
--     unique): an interview id, a device, an author (the empty author too), a batch id. One
--     table for all kinds: a name is looked up the same way whatever it names, and a device
--     and an interview that happen to share a name share its number harmlessly. A name is
--     added when first stored and never renumbered or removed.
--   - revision_rows' interview, device, author and batch (NULL: pending) and
--     revision_targets' interview hold the numbers. New interviews get new numbers, so
--     their entries are added at the end of revision_targets, not among the others.
--   - A revision's id (32 bytes) is kept in its target entry only, no longer in its row as
--     well (the same copy: ~12% fewer log bytes and ~7% less insert CPU, measured as
--     above). A row finds its entry by its target and seq: head is 0 or 1, two seeks of
--     the entries' key, none a scan (the views and Store.Check).
--   - A revision's kind is a number in revision_rows and revision_targets, one of those
--     revision_kinds names (the store's kindNums in Go, the same pairs): the kinds are a
--     closed set, and an Append binds the kind twice a revision (row and entry), a number
--     cheaper than its name (sync/server BenchmarkWriter, see h49's commit).
--   - revisions and pending_revisions, the views of the old shape, give the names back
--     (the same columns, the same text values): other components' queries read them
--     unchanged. A condition on the view's interview is a look-up by name, then the
--     interview's entries (EXPLAIN QUERY PLAN: no scan).
-- revision_counters keeps its device names (a few rows a device, written once a batch).
-- Every row and entry is copied (a kind revision_kinds does not name would be NULL, which
-- NOT NULL refuses: the upgrade fails rather than leave a revision out), the old tables dropped and the new ones renamed, in this
-- one transaction: a crash leaves the 0007 tables as they were.
CREATE TABLE revision_names (
    n    INTEGER PRIMARY KEY,
    name TEXT    NOT NULL UNIQUE
);
CREATE TABLE revision_kinds (
    n    INTEGER PRIMARY KEY,
    name TEXT    NOT NULL UNIQUE
);
INSERT INTO revision_kinds (n, name) VALUES (1, 'interview'), (2, 'respondent'), (3, 'answer'),
    (4, 'section'), (5, 'status'), (6, 'row'), (7, 'assessment'), (8, 'text'), (9, 'action'),
    (10, 'dataset');
INSERT OR IGNORE INTO revision_names (name) SELECT interview FROM revision_rows ORDER BY seq;
INSERT OR IGNORE INTO revision_names (name) SELECT device FROM revision_rows ORDER BY seq;
INSERT OR IGNORE INTO revision_names (name) SELECT author FROM revision_rows ORDER BY seq;
INSERT OR IGNORE INTO revision_names (name) SELECT batch FROM revision_rows WHERE batch IS NOT NULL ORDER BY seq;
CREATE TABLE revision_rows_0008 (
    seq       INTEGER PRIMARY KEY,
    interview INTEGER NOT NULL, -- revision_names (Store.Check verifies every reference)
    kind      INTEGER NOT NULL, -- revision_kinds (Store.Check verifies it)
    key       TEXT    NOT NULL DEFAULT '',
    device    INTEGER NOT NULL, -- revision_names
    counter   INTEGER NOT NULL,
    time      INTEGER NOT NULL,
    author    INTEGER NOT NULL, -- revision_names (the empty author has a name too)
    replaces  TEXT    NOT NULL DEFAULT '',
    batch     INTEGER,          -- revision_names; NULL: pending
    value     BLOB    NOT NULL
);
INSERT INTO revision_rows_0008 (seq, interview, kind, key, device, counter, time, author, replaces, batch, value)
SELECT r.seq, ni.n, (SELECT n FROM revision_kinds WHERE name = r.kind), r.key, nd.n, r.counter, r.time, na.n, r.replaces, nb.n, r.value
FROM revision_rows r
    JOIN revision_names ni ON ni.name = r.interview
    JOIN revision_names nd ON nd.name = r.device
    JOIN revision_names na ON na.name = r.author
    LEFT JOIN revision_names nb ON nb.name = r.batch
ORDER BY r.seq;
CREATE TABLE revision_targets_0008 (
    interview INTEGER NOT NULL, -- revision_names
    kind      INTEGER NOT NULL, -- revision_kinds
    key       TEXT    NOT NULL,
    head      INTEGER NOT NULL, -- 1: no known revision of the target replaces it
    seq       INTEGER NOT NULL, -- its row in revision_rows (Store.Check verifies them)
    id        BLOB    NOT NULL CHECK (length(id) = 32), -- the 32 bytes of the revision id
    PRIMARY KEY (interview, kind, key, head, seq)
) WITHOUT ROWID;
INSERT INTO revision_targets_0008 (interview, kind, key, head, seq, id)
SELECT ni.n, (SELECT n FROM revision_kinds WHERE name = t.kind) AS k, t.key, t.head, t.seq, t.id
FROM revision_targets t JOIN revision_names ni ON ni.name = t.interview
ORDER BY ni.n, k, t.key, t.head, t.seq;
DROP VIEW revisions;
DROP VIEW pending_revisions;
DROP TABLE revision_rows;
DROP TABLE revision_targets;
ALTER TABLE revision_rows_0008 RENAME TO revision_rows;
ALTER TABLE revision_targets_0008 RENAME TO revision_targets;
-- As in 0005 the join names both ways between an entry and its row; the interview's name
-- is read first when the query names it (the unique index on name), its number otherwise.
CREATE VIEW revisions AS
SELECT ni.name AS interview, nk.name AS kind, t.key, lower(hex(t.id)) AS id, t.head,
    nd.name AS device, r.counter, r.time, na.name AS author, r.replaces, nb.name AS batch, r.value
FROM revision_targets t
    JOIN revision_names ni ON ni.n = t.interview
    JOIN revision_kinds nk ON nk.n = t.kind
    JOIN revision_rows r
        ON r.seq = t.seq AND r.interview = t.interview AND r.kind = t.kind AND r.key = t.key
    JOIN revision_names nd ON nd.n = r.device
    JOIN revision_names na ON na.n = r.author
    LEFT JOIN revision_names nb ON nb.n = r.batch;
-- As in 0006: the tail after low and the rows listed, each with batch IS NULL, rows first.
CREATE VIEW pending_revisions AS
SELECT ni.name AS interview, nk.name AS kind, t.key, lower(hex(t.id)) AS id, t.head,
    nd.name AS device, r.counter, r.time, na.name AS author, r.replaces, NULL AS batch, r.value
FROM revision_rows r CROSS JOIN revision_targets t
        ON t.interview = r.interview AND t.kind = r.kind AND t.key = r.key AND t.head IN (0, 1) AND t.seq = r.seq
    CROSS JOIN revision_names ni ON ni.n = r.interview
    CROSS JOIN revision_kinds nk ON nk.n = r.kind
    CROSS JOIN revision_names nd ON nd.n = r.device
    CROSS JOIN revision_names na ON na.n = r.author
WHERE r.seq >= (SELECT low FROM revision_pending_low) AND r.batch IS NULL
UNION ALL
SELECT ni.name AS interview, nk.name AS kind, t.key, lower(hex(t.id)) AS id, t.head,
    nd.name AS device, r.counter, r.time, na.name AS author, r.replaces, NULL AS batch, r.value
FROM revision_pending p CROSS JOIN revision_rows r ON r.seq = p.seq CROSS JOIN revision_targets t
        ON t.interview = r.interview AND t.kind = r.kind AND t.key = r.key AND t.head IN (0, 1) AND t.seq = r.seq
    CROSS JOIN revision_names ni ON ni.n = r.interview
    CROSS JOIN revision_kinds nk ON nk.n = r.kind
    CROSS JOIN revision_names nd ON nd.n = r.device
    CROSS JOIN revision_names na ON na.n = r.author
WHERE p.seq < (SELECT low FROM revision_pending_low) AND r.batch IS NULL;
