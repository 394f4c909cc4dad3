-- 0007_counter_runs: the counters a device's revisions in batches hold, as runs.
-- Frozen once released: later changes go into new numbered files.
--
-- Since 0004 every revision stored with its batch (all of a server's and a hub's) had an
-- entry in revision_rows_batched (device, counter): a third B-tree written per revision
-- (6-12% of a server writer's CPU, BenchmarkWriterDGRA), read only for a device's highest
-- counter and for a counter used twice. revision_counters holds the same facts once per
-- run: (device, lo, hi) says that every counter from lo to hi is held by at least one of
-- the device's revisions in a batch, and no run touches another (a gap of at least one
-- counter lies between two runs of a device). A device's revisions come in counter
-- order, so a batch usually extends its device's last run: a few statements a batch, not
-- one a revision.
-- The pending revisions (batch IS NULL: the tail of revision_rows since 0006) are not in
-- the runs; a revision that leaves them for a batch (MarkBatched, or received again with a
-- batch) joins the runs. Store.Check verifies the runs against the rows.
-- (The server found the interviews its supervisors planned through that index; it looks
-- up each interview's creation target instead, at a device's enrolment.)
-- The runs are built from the rows, and the index dropped, in this one transaction.
CREATE TABLE revision_counters (
    device TEXT    NOT NULL,
    lo     INTEGER NOT NULL,
    hi     INTEGER NOT NULL CHECK (hi >= lo),
    PRIMARY KEY (device, lo)
) WITHOUT ROWID;
INSERT INTO revision_counters (device, lo, hi)
SELECT device, min(counter), max(counter) FROM (
    SELECT device, counter, counter - row_number() OVER (PARTITION BY device ORDER BY counter) AS run
    FROM (SELECT DISTINCT device, counter FROM revision_rows WHERE batch IS NOT NULL))
GROUP BY device, run;
DROP INDEX revision_rows_batched;
