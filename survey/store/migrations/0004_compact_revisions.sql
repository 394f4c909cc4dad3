-- 0004_compact_revisions: revisions move into a rowid table with compact ids, read through
-- a view of the old shape.
-- Frozen once released: later changes go into new numbered files.
--
-- Until 0003 every revision lived in a WITHOUT ROWID table keyed by (interview, kind, key,
-- id) with its value inside the key's B-tree, and every index entry repeated that whole key:
-- a revision cost three B-tree writes, one of them at a random place of an index keyed by
-- the 64-hex id (~2.4 KiB of write-ahead log a revision on a server). Now:
--   - revision_rows is a rowid table: a revision is appended where the last one went, in
--     the order revisions arrive (an interview's revisions sit together as they come in one
--     batch); its id is the 32 bytes of the SHA-256, not 64 hex characters.
--   - revision_rows_target (interview, kind, key, id) is unique: it finds a target's
--     revisions and heads, and refuses a revision stored twice (an id is the hash of the
--     revision, target included, so the same id never names two targets). Its writes land
--     where the interview's other revisions are, not at a random place.
--   - revision_rows_heads (interview, kind, key) only holds the heads (head = 1): reading
--     a target's heads, or an interview's, visits its heads, not its whole history.
--   - revision_rows_device (device, counter): the counter a device used last and counters
--     used twice; a device's revisions arrive in counter order, so writes land at its end.
--   - revision_rows_pending (device, counter) only holds revisions no batch carries yet
--     (batch IS NULL): what batch create and sync send, and MarkBatched looks up. A hub or
--     server stores received revisions with their batch, so they never enter it.
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
    head      INTEGER NOT NULL,
    device    TEXT    NOT NULL,
    counter   INTEGER NOT NULL,
    time      INTEGER NOT NULL,
    author    TEXT    NOT NULL DEFAULT '',
    replaces  TEXT    NOT NULL DEFAULT '',
    batch     TEXT,
    value     BLOB    NOT NULL
);
INSERT INTO revision_rows (interview, kind, key, id, head, device, counter, time, author, replaces, batch, value)
SELECT interview, kind, key, unhex(id), head, device, counter, time, author, replaces, batch, value
FROM revisions ORDER BY interview, kind, key, id;
DROP TABLE revisions;
CREATE UNIQUE INDEX revision_rows_target ON revision_rows (interview, kind, key, id);
CREATE INDEX revision_rows_heads ON revision_rows (interview, kind, key) WHERE head = 1;
CREATE INDEX revision_rows_device ON revision_rows (device, counter);
CREATE INDEX revision_rows_pending ON revision_rows (device, counter) WHERE batch IS NULL;
CREATE VIEW revisions AS
SELECT interview, kind, key, lower(hex(id)) AS id, head, device, counter, time, author, replaces, batch, value
FROM revision_rows;
