-- 0002_assessments: the store also holds the assessment team's records (assessments), made
-- of revisions like interviews. Their summary rows live in the interviews table, told apart
-- by record ('interview' or 'assessment'); title and scope are an assessment's. Every row
-- that exists before this migration is an interview (no earlier program could store an
-- assessment), which the default backfills.
-- Frozen once released: later changes go into new numbered files.
ALTER TABLE interviews ADD COLUMN record TEXT NOT NULL DEFAULT 'interview';
ALTER TABLE interviews ADD COLUMN title  TEXT NOT NULL DEFAULT '';
ALTER TABLE interviews ADD COLUMN scope  TEXT NOT NULL DEFAULT '';
CREATE INDEX interviews_record ON interviews (record, updated);
