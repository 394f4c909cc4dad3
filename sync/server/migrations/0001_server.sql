-- 0001_server: what only the central server keeps, beside the hub's revisions.
-- Frozen once released: later changes go into new numbered files.

-- Enrolment tokens: only the SHA-256 of the secret is stored. Times are Unix milliseconds.
CREATE TABLE server_tokens (
    hash     TEXT    NOT NULL PRIMARY KEY,
    assessor TEXT    NOT NULL,
    created  INTEGER NOT NULL,
    expires  INTEGER NOT NULL,
    used     INTEGER,
    used_by  TEXT
);

-- Enrolled devices and the key each signs its batches and requests with.
CREATE TABLE server_devices (
    id         TEXT    NOT NULL PRIMARY KEY,
    principal  TEXT    NOT NULL,
    assessor   TEXT    NOT NULL,
    public_key TEXT    NOT NULL,
    enrolled   INTEGER NOT NULL,
    revoked    INTEGER,
    last_seen  INTEGER
);

-- One row per batch received, with the receipt given for it (its canonical bytes and the
-- server's signature), so that a replay gets the same receipt.
CREATE TABLE server_receipts (
    batch     TEXT    NOT NULL PRIMARY KEY,
    hash      TEXT    NOT NULL,
    device    TEXT    NOT NULL REFERENCES server_devices (id),
    seq       INTEGER NOT NULL,
    receipt   BLOB    NOT NULL,
    signature TEXT    NOT NULL,
    received  INTEGER NOT NULL
);
CREATE INDEX server_receipts_device ON server_receipts (device, seq);

-- Which devices sent revisions of which interviews: they get the decisions on them.
CREATE TABLE server_device_interviews (
    device    TEXT NOT NULL REFERENCES server_devices (id),
    interview TEXT NOT NULL,
    PRIMARY KEY (device, interview)
) WITHOUT ROWID;
CREATE INDEX server_device_interviews_interview ON server_device_interviews (interview);

-- Supervisors' decisions: the status revisions the server wrote (canonical JSON).
CREATE TABLE server_decisions (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    interview TEXT    NOT NULL,
    revision  BLOB    NOT NULL,
    created   INTEGER NOT NULL
);
CREATE INDEX server_decisions_interview ON server_decisions (interview);

-- Published questionnaire versions: the file as published and the server's signature.
CREATE TABLE server_questionnaires (
    id        TEXT    NOT NULL,
    version   TEXT    NOT NULL,
    source    BLOB    NOT NULL,
    signature TEXT    NOT NULL,
    published INTEGER NOT NULL,
    PRIMARY KEY (id, version)
);

-- What waits for each device, in order: a decision or a questionnaire version. A device
-- reads its rows after the cursor it last saw.
CREATE TABLE server_inbox (
    seq      INTEGER PRIMARY KEY AUTOINCREMENT,
    device   TEXT    NOT NULL REFERENCES server_devices (id),
    decision INTEGER REFERENCES server_decisions (seq),
    qid      TEXT,
    qversion TEXT,
    CHECK ((decision IS NULL) <> (qid IS NULL))
);
CREATE INDEX server_inbox_device ON server_inbox (device, seq);
