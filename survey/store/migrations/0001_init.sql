-- 0001_init: the revision model of fieldsurvey.
-- Frozen once released: later changes go into new numbered files.

-- Every revision ever seen, as given (value holds the canonical JSON bytes).
-- replaces is the space-separated, sorted list of replaced revision ids (also in the
-- replaces table, which is indexed for the reverse lookup). time is Unix milliseconds.
-- batch is the id of the batch that carried or will carry the revision (NULL: pending).
-- (device, counter) is deliberately not UNIQUE: a clash is a bug elsewhere and must not
-- make a merge fail; the store reports it instead.
CREATE TABLE revisions (
    id        TEXT    NOT NULL PRIMARY KEY,
    interview TEXT    NOT NULL,
    kind      TEXT    NOT NULL,
    key       TEXT    NOT NULL DEFAULT '',
    value     BLOB    NOT NULL,
    device    TEXT    NOT NULL,
    counter   INTEGER NOT NULL,
    time      INTEGER NOT NULL,
    author    TEXT    NOT NULL DEFAULT '',
    replaces  TEXT    NOT NULL DEFAULT '',
    batch     TEXT
);
CREATE INDEX revisions_target ON revisions (interview, kind, key);
CREATE INDEX revisions_device ON revisions (device, counter);
CREATE INDEX revisions_pending ON revisions (device, counter) WHERE batch IS NULL;

-- rev replaces replaced. replaced need not be known yet (revisions arrive in any order).
CREATE TABLE replaces (
    rev      TEXT NOT NULL REFERENCES revisions (id),
    replaced TEXT NOT NULL,
    PRIMARY KEY (rev, replaced)
) WITHOUT ROWID;
CREATE INDEX replaces_replaced ON replaces (replaced);

-- The heads of every target: its revisions that no known revision of the same target
-- replaces. Maintained incrementally on every insert.
CREATE TABLE heads (
    interview TEXT NOT NULL,
    kind      TEXT NOT NULL,
    key       TEXT NOT NULL,
    rev       TEXT NOT NULL REFERENCES revisions (id),
    PRIMARY KEY (interview, kind, key, rev)
) WITHOUT ROWID;
CREATE INDEX heads_rev ON heads (rev);

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
);
CREATE INDEX interviews_updated ON interviews (updated DESC, id);

-- The last counter used by each device; a new local revision takes the next one.
CREATE TABLE device_counters (
    device  TEXT    NOT NULL PRIMARY KEY,
    counter INTEGER NOT NULL
);

-- Small settings: device id, last sync, ...
CREATE TABLE meta (
    key   TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
);
