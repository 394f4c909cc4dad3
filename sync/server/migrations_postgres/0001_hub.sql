-- 0001_hub: the hub store on PostgreSQL (the server's Store, see postgres.go): the revision
-- model, the hub's batch records and what only the server keeps, in one schema. The tables
-- and columns follow the SQLite store's (survey/store's 0001_init, sync/hub, and
-- migrations/0001–0003 here) so that `server migrate` copies rows as they are. Times are
-- Unix milliseconds, as there.
-- Frozen once released: later changes go into new numbered files.

-- Every revision ever received. value is the canonical JSON as given; replaces the
-- space-separated sorted ids it replaces; batch the first batch that carried it
-- ("server:ID" for a revision the server made itself).
CREATE TABLE revisions (
    id        TEXT    NOT NULL PRIMARY KEY,
    interview TEXT    NOT NULL,
    kind      TEXT    NOT NULL,
    key       TEXT    NOT NULL DEFAULT '',
    device    TEXT    NOT NULL,
    counter   BIGINT  NOT NULL,
    time      BIGINT  NOT NULL,
    author    TEXT    NOT NULL DEFAULT '',
    replaces  TEXT    NOT NULL DEFAULT '',
    batch     TEXT,
    value     BYTEA   NOT NULL
);
CREATE INDEX revisions_interview ON revisions (interview, batch);
CREATE INDEX revisions_device ON revisions (device, kind);

-- One row per interview, kept in step with its revisions in the transaction that adds
-- them (folded with survey.Fold): what the server decides on (province for supervisors'
-- scopes, status and conflicts for decisions) and what lists show.
CREATE TABLE interviews (
    id            TEXT    NOT NULL PRIMARY KEY,
    questionnaire TEXT    NOT NULL DEFAULT '',
    version       TEXT    NOT NULL DEFAULT '',
    status        TEXT    NOT NULL DEFAULT 'draft',
    reason        TEXT    NOT NULL DEFAULT '',
    agency        TEXT    NOT NULL DEFAULT '',
    province      TEXT    NOT NULL DEFAULT '',
    assessor      TEXT    NOT NULL DEFAULT '',
    conflicts     INTEGER NOT NULL DEFAULT 0,
    revisions     INTEGER NOT NULL DEFAULT 0,
    updated       BIGINT  NOT NULL DEFAULT 0
);

-- The counters of the revisions the server makes itself (device ServerDevice): a sequence,
-- so that two nodes never give the same number and never wait for each other (a counter
-- row would be locked until each transaction marking an interview submitted commits).
-- Numbers may skip (a transaction rolled back); they only need to be unique and growing.
-- `server migrate` moves it past the counters it copies.
CREATE SEQUENCE server_counter_seq;

-- The hub's record of the devices it merged batches from and of every batch (sync/hub).
CREATE TABLE hub_devices (
    device TEXT   NOT NULL PRIMARY KEY,
    key    TEXT   NOT NULL,
    signer TEXT   NOT NULL,
    first  BIGINT NOT NULL,
    last   BIGINT NOT NULL
);
CREATE TABLE hub_batches (
    id        TEXT    NOT NULL PRIMARY KEY,
    hash      TEXT    NOT NULL,
    device    TEXT    NOT NULL,
    sequence  BIGINT  NOT NULL,
    signer    TEXT    NOT NULL,
    key       TEXT    NOT NULL,
    created   BIGINT  NOT NULL,
    merged    BIGINT  NOT NULL,
    revisions INTEGER NOT NULL,
    added     INTEGER NOT NULL,
    encrypted INTEGER NOT NULL DEFAULT 0,
    manifest  BYTEA   NOT NULL,
    signature BYTEA   NOT NULL,
    UNIQUE (device, sequence)
);

CREATE TABLE server_tokens (
    hash     TEXT   NOT NULL PRIMARY KEY,
    assessor TEXT   NOT NULL,
    created  BIGINT NOT NULL,
    expires  BIGINT NOT NULL,
    used     BIGINT,
    used_by  TEXT,
    role     TEXT   NOT NULL DEFAULT 'assessor',
    scope    TEXT   NOT NULL DEFAULT ''
);

CREATE TABLE server_devices (
    id         TEXT   NOT NULL PRIMARY KEY,
    principal  TEXT   NOT NULL,
    assessor   TEXT   NOT NULL,
    public_key TEXT   NOT NULL,
    enrolled   BIGINT NOT NULL,
    revoked    BIGINT,
    last_seen  BIGINT,
    role       TEXT   NOT NULL DEFAULT 'assessor',
    scope      TEXT   NOT NULL DEFAULT ''
);

CREATE TABLE server_questionnaires (
    id        TEXT   NOT NULL,
    version   TEXT   NOT NULL,
    source    BYTEA  NOT NULL,
    signature TEXT   NOT NULL,
    published BIGINT NOT NULL,
    PRIMARY KEY (id, version)
);

-- The feed (see Store): positions are handed out at the end of each writing transaction
-- under one advisory lock (feedLock), so that they become visible in increasing order
-- although several nodes write at once. A sequence, not an identity column: positions
-- come from nextval under that lock.
CREATE SEQUENCE server_feed_seq;
CREATE TABLE server_feed (
    seq       BIGINT NOT NULL PRIMARY KEY,
    interview TEXT,
    batch     TEXT,
    sender    TEXT   NOT NULL DEFAULT '',
    device    TEXT,
    qid       TEXT,
    qversion  TEXT,
    created   BIGINT NOT NULL,
    CHECK ((qid IS NULL) = (interview IS NOT NULL)),
    CHECK (device IS NOT NULL OR batch IS NOT NULL)
);
CREATE INDEX server_feed_broadcast ON server_feed (interview, seq) WHERE device IS NULL;
CREATE INDEX server_feed_device ON server_feed (device, seq) WHERE device IS NOT NULL;

CREATE TABLE server_interest (
    device    TEXT   NOT NULL REFERENCES server_devices (id),
    interview TEXT   NOT NULL,
    since     BIGINT NOT NULL,
    PRIMARY KEY (device, interview)
);

CREATE TABLE server_refusals (
    batch      TEXT   NOT NULL,
    hash       TEXT   NOT NULL,
    device     TEXT   NOT NULL,
    sequence   BIGINT NOT NULL,
    code       TEXT   NOT NULL,
    reason_en  TEXT   NOT NULL,
    reason_vi  TEXT   NOT NULL,
    message_en TEXT   NOT NULL,
    message_vi TEXT   NOT NULL,
    refused    BIGINT NOT NULL,
    manifest   BYTEA  NOT NULL,
    signature  BYTEA  NOT NULL,
    PRIMARY KEY (batch, hash)
);
CREATE INDEX server_refusals_device ON server_refusals (device, sequence);

CREATE TABLE server_nonces (
    key     TEXT   NOT NULL PRIMARY KEY,
    expires BIGINT NOT NULL
);
CREATE INDEX server_nonces_expires ON server_nonces (expires);

-- Settings of the server as a whole: "server_key" is the fingerprint of the server key,
-- recorded by the first node that opens the database, so that a node started with
-- another key (a data folder without a copy of the shared key) is refused instead of
-- signing with an identity the devices did not pin.
CREATE TABLE server_meta (
    key   TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
);
