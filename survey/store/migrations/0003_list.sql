-- 0003_list: what 'interview list' shows, kept in the summary row so that a list reads no
-- interview. assignee, due and note are a planned interview's (its newest creation head,
-- as the fold chooses it), kept in step on every write like the other summary columns;
-- rows that exist before this migration are backfilled from their heads here.
-- progress_answered and progress_total are the skip-aware progress (the questionnaire's
-- relevant questions answered, of all relevant): the store cannot compute it when it
-- writes (it needs the questionnaire), so it is a cache that ListProgress fills, valid
-- while progress_at equals revisions (-1: never computed) and progress_of names the
-- content of the questionnaire it was counted with. Every write adds revisions, so a write
-- makes it stale without touching it; so does a questionnaire whose content changed.
-- Frozen once released: later changes go into new numbered files.
ALTER TABLE interviews ADD COLUMN assignee TEXT NOT NULL DEFAULT '';
ALTER TABLE interviews ADD COLUMN due      TEXT NOT NULL DEFAULT '';
ALTER TABLE interviews ADD COLUMN note     TEXT NOT NULL DEFAULT '';
ALTER TABLE interviews ADD COLUMN progress_answered INTEGER NOT NULL DEFAULT 0;
ALTER TABLE interviews ADD COLUMN progress_total    INTEGER NOT NULL DEFAULT 0;
ALTER TABLE interviews ADD COLUMN progress_at       INTEGER NOT NULL DEFAULT -1;
ALTER TABLE interviews ADD COLUMN progress_of       TEXT    NOT NULL DEFAULT '';
UPDATE interviews SET (assignee, due, note) = (
    SELECT coalesce(json_extract(CAST(r.value AS TEXT), '$.assignee'), ''),
           coalesce(json_extract(CAST(r.value AS TEXT), '$.due'), ''),
           coalesce(json_extract(CAST(r.value AS TEXT), '$.note'), '')
    FROM revisions r
    WHERE r.interview = interviews.id AND r.kind = 'interview' AND r.key = '' AND r.head = 1
    ORDER BY r.time DESC, r.id DESC LIMIT 1)
WHERE record = 'interview' AND EXISTS (
    SELECT 1 FROM revisions r WHERE r.interview = interviews.id AND r.kind = 'interview' AND r.key = '' AND r.head = 1);
-- Lists read a page at a time, newest first then by id (ListOptions.Limit and Offset): this
-- index gives them in that order, so a page reads only its rows; it also holds status and
-- questionnaire, so that counting a list by status (CountByStatus) reads only the index.
-- It replaces the index of 0002, whose order it contains. (Every write changes updated, so
-- the entry is rewritten on every write whatever columns it holds.)
DROP INDEX interviews_record;
CREATE INDEX interviews_list ON interviews (record, updated DESC, id, status, questionnaire);
