-- 0004_compact_revisions: revisions move into a rowid table with compact ids, read through
-- a view of the old shape.
-- Frozen once released: later changes go into new numbered files.
--
-- Until 0003 every revision lived in a WITHOUT ROWID table keyed by (interview, kind, key,
-- id) with its value inside the key's B-tree, and every index entry repeated that whole key:
-- a revision cost three B-tree writes, one of them at a random place of an index keyed by
-- the 64-hex id (~2.4 KiB of write-ahead log a revision on a server). Now:
--   - revision_rows is a rowid table (seq): a revision is appended where the last one went, in
--     the order revisions arrive (an interview's revisions sit together as they come in one
--     batch); its id is the 32 bytes of the SHA-256, not 64 hex characters.
--   - revision_rows_target (interview, kind, key, id) is unique: it finds a target's
--     revisions and heads, and refuses a revision stored twice (an id is the hash of the
--     revision, target included, so the same id never names two targets). Its writes land
--     where the interview's other revisions are, not at a random place.
--   - revision_heads (interview, kind, key, seq) lists the heads: reading a target's or an
--     interview's heads visits its heads, not its whole history, and a revision that
--     stops being a head is one entry deleted beside the one inserted (its row in
--     revision_rows is never rewritten).
--   - revision_rows_pending (device, counter) holds the revisions no batch carries yet
--     (batch IS NULL): what batch create and sync send, and MarkBatched looks up;
--     revision_rows_batched (device, counter) the others. Each revision is in one of the
--     two: a local edit enters the first, a revision received with its batch (a hub's, a
--     server's) the second, a batch create moves entries from the first to the second.
--     Together they give the counter a device used last and the counters used twice; a
--     device's revisions arrive in counter order, so writes land at its end.
-- There is no index by id alone: a lookup by id goes through the target (Tx.Has), or the
-- pending revisions (MarkBatched).
-- revisions is a view with the columns of the old table (id as 64 lowercase hex digits):
-- readers and other components' queries work unchanged; writes go to revision_rows.
-- Every revision is copied, in the old key order, and the old table dropped, in this one
-- transaction: a crash leaves the old table as it was.
CREATE TABLE revision_rows (
    seq       INTEGER PRIMARY KEY,
    interview TEXT    NOT NULL,
    kind      TEXT    NOT NULL,
    key       TEXT    NOT NULL DEFAULT '',
    id        BLOB    NOT NULL CHECK (length(id) = 32),
    device    TEXT    NOT NULL,
    counter   INTEGER NOT NULL,
    time      INTEGER NOT NULL,
    author    TEXT    NOT NULL DEFAULT '',
    replaces  TEXT    NOT NULL DEFAULT '',
    batch     TEXT,
    value     BLOB    NOT NULL
);
CREATE TABLE revision_heads (
    interview TEXT    NOT NULL,
    kind      TEXT    NOT NULL,
    key       TEXT    NOT NULL,
    seq       INTEGER NOT NULL, -- a row of revision_rows (Store.Check verifies the heads)
    PRIMARY KEY (interview, kind, key, seq)
) WITHOUT ROWID;
INSERT INTO revision_rows (interview, kind, key, id, device, counter, time, author, replaces, batch, value)
SELECT interview, kind, key, unhex(id), device, counter, time, author, replaces, batch, value
FROM revisions ORDER BY interview, kind, key, id;
INSERT INTO revision_heads (interview, kind, key, seq)
SELECT r.interview, r.kind, r.key, r.seq FROM revision_rows r
JOIN revisions o ON o.interview = r.interview AND o.kind = r.kind AND o.key = r.key AND o.id = lower(hex(r.id))
WHERE o.head = 1;
DROP TABLE revisions;
CREATE UNIQUE INDEX revision_rows_target ON revision_rows (interview, kind, key, id);
CREATE INDEX revision_rows_pending ON revision_rows (device, counter) WHERE batch IS NULL;
CREATE INDEX revision_rows_batched ON revision_rows (device, counter) WHERE batch IS NOT NULL;
CREATE VIEW revisions AS
SELECT r.interview, r.kind, r.key, lower(hex(r.id)) AS id,
    EXISTS (SELECT 1 FROM revision_heads h WHERE h.interview = r.interview AND h.kind = r.kind AND h.key = r.key AND h.seq = r.seq) AS head,
    r.device, r.counter, r.time, r.author, r.replaces, r.batch, r.value
FROM revision_rows r;
