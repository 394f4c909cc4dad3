-- 0005_target_heads: a revision's target entry and its head flag in one B-tree.
-- Frozen once released: later changes go into new numbered files.
--
-- Since 0004 a local edit wrote six B-trees: its row (revision_rows), its entry in the
-- unique index by target (revision_rows_target), the head it adds and the one it replaces
-- (revision_heads), its pending entry, the summary row and its list entry: 6.5 pages of
-- write-ahead log for one answer saved, each page ~15 µs of a durable commit here.
-- revision_targets replaces both revision_rows_target and revision_heads: one entry per
-- revision keyed by its target, whether it is a head, and its row (seq), with its id. A
-- target's revisions sit together in the order they arrived, its history first and its
-- heads last: an edit deletes its target's last head and adds it at the end of the history,
-- right before the heads, where the edit's own entry goes, so the three changes are mostly
-- on one page; reading a target's heads reads no history. (Reading an interview's heads
-- reads its entries, ~90 bytes each, and keeps the heads: a few pages for an interview of a
-- few hundred revisions.) A revision (its id) is stored once per target: the store looks
-- for it among its target's entries before it adds one (a revision received, not one a
-- Put makes), and Store.Check verifies it.
-- revision_rows keeps its columns (interview, kind, key, id too: the table is not
-- rewritten); revisions, the view of the old shape, now reads the target, the id and the
-- head from revision_targets and the rest from revision_rows.
-- Every entry is built from the rows and the heads in this one transaction: a crash leaves
-- the 0004 tables as they were.
CREATE TABLE revision_targets (
    interview TEXT    NOT NULL,
    kind      TEXT    NOT NULL,
    key       TEXT    NOT NULL,
    head      INTEGER NOT NULL, -- 1: no known revision of the target replaces it
    seq       INTEGER NOT NULL, -- its row in revision_rows (Store.Check verifies them)
    -- After the key's columns: SQLite before 3.41 (the sqlite3 tool of Debian 12) reports
    -- NULL values that are not there in a column between them (PRAGMA integrity_check).
    id        BLOB    NOT NULL, -- the 32 bytes of the revision id, as in revision_rows
    PRIMARY KEY (interview, kind, key, head, seq)
) WITHOUT ROWID;
INSERT INTO revision_targets (interview, kind, key, head, id, seq)
SELECT r.interview, r.kind, r.key,
    EXISTS (SELECT 1 FROM revision_heads h WHERE h.interview = r.interview AND h.kind = r.kind AND h.key = r.key AND h.seq = r.seq) AS head,
    r.id, r.seq
FROM revision_rows r ORDER BY r.interview, r.kind, r.key, head, r.seq;
DROP VIEW revisions;
DROP TABLE revision_heads;
DROP INDEX revision_rows_target;
-- The join names both ways to a row: from an entry (seq, the rowid) and from a row (the
-- entry's key), so that a query constrained by target reads revision_targets first and one
-- constrained by device or batch reads the device indexes first.
CREATE VIEW revisions AS
SELECT t.interview, t.kind, t.key, lower(hex(t.id)) AS id, t.head,
    r.device, r.counter, r.time, r.author, r.replaces, r.batch, r.value
FROM revision_targets t JOIN revision_rows r
    ON r.seq = t.seq AND r.interview = t.interview AND r.kind = t.kind AND r.key = t.key AND r.id = t.id;
