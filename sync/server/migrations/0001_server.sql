-- 0001_server: what only the central server keeps, beside the hub's revisions and batch
-- records. (Receipts are not stored: a receipt is made from the hub's record of its batch
-- and signed with Ed25519, which is deterministic, so the same batch always gets the same
-- receipt, byte for byte.)
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
CREATE UNIQUE INDEX server_inbox_decision ON server_inbox (device, decision) WHERE decision IS NOT NULL;
CREATE UNIQUE INDEX server_inbox_questionnaire ON server_inbox (device, qid, qversion) WHERE qid IS NOT NULL;
