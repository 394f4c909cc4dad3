-- 0006_pending_tail: the pending revisions are found without an index a save writes.
-- Frozen once released: later changes go into new numbered files.
--
-- Since 0004 the pending revisions (batch IS NULL: no batch carries them yet) had their own
-- index revision_rows_pending (device, counter): one B-tree of the five a local edit wrote
-- (~7 µs of a save's commit here, one log frame of ~4 KB). A save is appended at the end
-- of revision_rows, so the pending revisions are mostly its tail. Now:
--   - revision_pending_low holds one number, low: every row of revision_rows with
--     batch IS NULL has seq >= low, or is listed in revision_pending. A save writes neither
--     (its row goes after every other): low moves only when revisions are marked batched
--     (MarkBatched, a batch received: written once a batch, not once a save), and the
--     pending rows it passes are listed in revision_pending.
--   - revision_pending lists pending rows below low (a revision left out of the batches
--     made since it was saved). An entry whose row has been marked batched since is ignored
--     by readers and removed when low next moves.
--   - pending_revisions is the view of the pending revisions (the columns of revisions):
--     the tail after low and the rows listed, each with batch IS NULL. CROSS JOIN: the
--     rows are read first (a query of the view constrained by kind or interview would
--     otherwise read revision_targets whole).
-- The batched index (device, counter) WHERE batch IS NOT NULL stays: it gives the last
-- counter of a device and the counters used twice among revisions in batches; the pending
-- ones are few (those made or received since the last batch) and read from the tail.
-- Every pending revision at the upgrade is listed, and low is after the last row: exact
-- from the start, in this one transaction.
CREATE TABLE revision_pending_low (
    one INTEGER PRIMARY KEY CHECK (one = 1),
    low INTEGER NOT NULL
);
CREATE TABLE revision_pending (
    seq INTEGER PRIMARY KEY -- a row of revision_rows (Store.Check verifies them)
);
INSERT INTO revision_pending_low (one, low) SELECT 1, coalesce(max(seq), 0) + 1 FROM revision_rows;
INSERT INTO revision_pending (seq) SELECT seq FROM revision_rows WHERE batch IS NULL ORDER BY seq;
DROP INDEX revision_rows_pending;
CREATE VIEW pending_revisions AS
SELECT t.interview, t.kind, t.key, lower(hex(t.id)) AS id, t.head,
    r.device, r.counter, r.time, r.author, r.replaces, r.batch, r.value
FROM revision_rows r CROSS JOIN revision_targets t
    ON t.seq = r.seq AND t.interview = r.interview AND t.kind = r.kind AND t.key = r.key AND t.id = r.id
WHERE r.seq >= (SELECT low FROM revision_pending_low) AND r.batch IS NULL
UNION ALL
SELECT t.interview, t.kind, t.key, lower(hex(t.id)) AS id, t.head,
    r.device, r.counter, r.time, r.author, r.replaces, r.batch, r.value
FROM revision_pending p CROSS JOIN revision_rows r ON r.seq = p.seq JOIN revision_targets t
    ON t.seq = r.seq AND t.interview = r.interview AND t.kind = r.kind AND t.key = r.key AND t.id = r.id
WHERE p.seq < (SELECT low FROM revision_pending_low) AND r.batch IS NULL;
