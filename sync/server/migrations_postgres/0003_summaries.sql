-- 0003_summaries: what the reading commands list from a server's PostgreSQL database
-- (`fieldsurvey --db postgres://… interview list|report|assessment list`, pgreader.go),
-- kept beside interviews as a cache that those readers fill: the interviews table holds what
-- the server decides on, not everything a list shows (role, category, answers counted,
-- confirmed section ratings, creation, an assessment's title and scope, a planned
-- interview's assignee…).
-- summary is survey.Summary as JSON (format names its encoding), folded from the interview's
-- revisions when it had `revisions` of them: valid while interviews.revisions is the same
-- (an interview's revisions only grow, so their count names the set that was folded).
-- progress_answered and progress_total are the skip-aware progress, counted when the
-- interview had progress_at revisions (-1: never) with the questionnaire content progress_of,
-- as the SQLite store's interviews columns of the same names.
-- A reader that cannot write (a read-only role) lists the same, only folding again.
-- Numbered 0003 so that 0002 stays free for the ingest work of the same release.
-- Frozen once released: later changes go into new numbered files.
CREATE TABLE interview_summaries (
    id                TEXT    NOT NULL PRIMARY KEY,
    revisions         INTEGER NOT NULL,
    format            INTEGER NOT NULL,
    summary           BYTEA   NOT NULL,
    progress_answered INTEGER NOT NULL DEFAULT 0,
    progress_total    INTEGER NOT NULL DEFAULT 0,
    progress_at       INTEGER NOT NULL DEFAULT -1,
    progress_of       TEXT    NOT NULL DEFAULT ''
);
