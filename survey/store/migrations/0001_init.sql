-- 0001_init: the revision model of fieldsurvey.
-- Frozen once released: later changes go into new numbered files.

-- Every revision ever seen, clustered by target so that a target's revisions (its history
-- and its heads) sit together. value holds the canonical JSON bytes as given; replaces is
-- the space-separated, sorted list of the ids it replaces; time is Unix milliseconds;
-- batch is the id of the batch that carried or will carry it (NULL: pending).
-- head is 1 when no known revision of the same target replaces it: the heads of every
-- target, maintained on every insert (a revision that arrives after its replacement is
-- stored with head 0).
-- (device, counter) is deliberately not UNIQUE: a clash is a bug elsewhere and must not
-- make a merge fail; Append reports it instead.
-- Columns read often (head) come before the large value, which is last.
CREATE TABLE revisions (
    interview TEXT    NOT NULL,
    kind      TEXT    NOT NULL,
    key       TEXT    NOT NULL DEFAULT '',
    id        TEXT    NOT NULL,
    head      INTEGER NOT NULL,
    device    TEXT    NOT NULL,
    counter   INTEGER NOT NULL,
    time      INTEGER NOT NULL,
    author    TEXT    NOT NULL DEFAULT '',
    replaces  TEXT    NOT NULL DEFAULT '',
    batch     TEXT,
    value     BLOB    NOT NULL,
    PRIMARY KEY (interview, kind, key, id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX revisions_id ON revisions (id);
CREATE INDEX revisions_device ON revisions (device, counter, batch);

-- One row per interview: what the lists show, kept in step with the heads in the same
-- transaction. sections is a JSON object {section id: confirmed rating}. search holds the
-- agency, province and role folded to lower case without diacritics.
CREATE TABLE interviews (
    id            TEXT    NOT NULL PRIMARY KEY,
    questionnaire TEXT    NOT NULL DEFAULT '',
    version       TEXT    NOT NULL DEFAULT '',
    status        TEXT    NOT NULL DEFAULT 'draft',
    reason        TEXT    NOT NULL DEFAULT '',
    agency        TEXT    NOT NULL DEFAULT '',
    province      TEXT    NOT NULL DEFAULT '',
    role          TEXT    NOT NULL DEFAULT '',
    category      TEXT    NOT NULL DEFAULT '',
    assessor      TEXT    NOT NULL DEFAULT '',
    answered      INTEGER NOT NULL DEFAULT 0,
    sections      TEXT    NOT NULL DEFAULT '{}',
    conflicts     INTEGER NOT NULL DEFAULT 0,
    created       INTEGER NOT NULL DEFAULT 0,
    updated       INTEGER NOT NULL DEFAULT 0,
    revisions     INTEGER NOT NULL DEFAULT 0,
    search        TEXT    NOT NULL DEFAULT ''
) WITHOUT ROWID;

-- Small settings: device id, last sync, ...
CREATE TABLE meta (
    key   TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
