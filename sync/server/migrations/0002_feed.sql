-- 0002_feed: convergence (every device receives every revision of the interviews it holds),
-- supervisor devices (role and scope), and refused batches recorded with their reason.
-- Frozen once released: later changes go into new numbered files.

-- Roles: a token is issued for an assessor's or a supervisor's device, and the device takes
-- the token's role when it enrols. scope is the provinces a supervisor's device covers, one
-- per line, as the administrator typed them (NFC); empty: every province.
ALTER TABLE server_tokens ADD COLUMN role TEXT NOT NULL DEFAULT 'assessor';
ALTER TABLE server_tokens ADD COLUMN scope TEXT NOT NULL DEFAULT '';
ALTER TABLE server_devices ADD COLUMN role TEXT NOT NULL DEFAULT 'assessor';
ALTER TABLE server_devices ADD COLUMN scope TEXT NOT NULL DEFAULT '';

-- The feed: what devices receive, in one increasing sequence (seq). A row is one of
--   - a batch's revisions of one interview: interview and batch set, device NULL; batch is
--     the revisions table's batch column (the first batch that carried a revision: a hub
--     batch id, or "server:…" for a revision the server made itself); sender is the device
--     that made them. Every device interested in the interview receives it (server_interest),
--     but not the sender.
--   - a backfill: interview and device set, batch NULL: every revision of the interview,
--     for one device that just became interested in an interview that already had some.
--   - a published questionnaire version for one device: qid, qversion and device set.
-- A device reads the rows after its cursor and gets each row expanded to the revisions it
-- names, minus the device's own. Rows are never changed or deleted.
CREATE TABLE server_feed (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    interview TEXT,
    batch     TEXT,
    sender    TEXT    NOT NULL DEFAULT '',
    device    TEXT,
    qid       TEXT,
    qversion  TEXT,
    created   INTEGER NOT NULL,
    CHECK ((qid IS NULL) = (interview IS NOT NULL)),
    CHECK (device IS NOT NULL OR batch IS NOT NULL)
);
CREATE INDEX server_feed_broadcast ON server_feed (interview, seq) WHERE device IS NULL;
CREATE INDEX server_feed_device ON server_feed (device, seq) WHERE device IS NOT NULL;

-- Which device receives which interview: the devices that sent revisions of it, the
-- supervisors whose scope covers its province, the devices it is assigned to. A device
-- receives the interview's broadcast rows after since (what came before, it got in a
-- backfill row, or it was all its own).
CREATE TABLE server_interest (
    device    TEXT    NOT NULL REFERENCES server_devices (id),
    interview TEXT    NOT NULL,
    since     INTEGER NOT NULL,
    PRIMARY KEY (device, interview)
) WITHOUT ROWID;

-- Batches refused for what they hold after their signature verified with their device's
-- key: the same batch sent again gets the same signed refusal, and the device's sequence
-- number shows as refused, not missing. The manifest and its signature are kept as
-- evidence. Times are Unix milliseconds.
CREATE TABLE server_refusals (
    batch      TEXT    NOT NULL,
    hash       TEXT    NOT NULL,
    device     TEXT    NOT NULL,
    sequence   INTEGER NOT NULL,
    code       TEXT    NOT NULL,
    reason_en  TEXT    NOT NULL,
    reason_vi  TEXT    NOT NULL,
    message_en TEXT    NOT NULL,
    message_vi TEXT    NOT NULL,
    refused    INTEGER NOT NULL,
    manifest   BLOB    NOT NULL,
    signature  BLOB    NOT NULL,
    PRIMARY KEY (batch, hash)
);
CREATE INDEX server_refusals_device ON server_refusals (device, sequence);

-- Existing data. The feed's positions start after the old inbox's, so that a device still
-- holding a cursor of the old inbox skips nothing (devices of this version start a new
-- cursor from 0).
INSERT INTO sqlite_sequence (name, seq) SELECT 'server_feed', coalesce(max(seq), 0) FROM server_inbox;

-- Every batch already stored (and every decision or "submitted" the server wrote), one row
-- per interview. The revisions a batch was the first to carry are its sender's own (the
-- server refuses another device's revisions it does not hold), so the sender is their
-- device. (The hub's tables are not used: they are made after the server's on a new store.)
INSERT INTO server_feed (interview, batch, sender, created)
SELECT interview, batch, min(device), min(time)
FROM revisions
WHERE batch IS NOT NULL
GROUP BY interview, batch
ORDER BY 4, 2, 1;

-- The enrolled devices hold the interviews they sent revisions of: from the start.
INSERT INTO server_interest (device, interview, since)
SELECT DISTINCT r.device, r.interview, 0 FROM revisions r JOIN server_devices d ON d.id = r.device;

-- The questionnaire versions queued for each device.
INSERT INTO server_feed (interview, sender, device, qid, qversion, created)
SELECT NULL, '', i.device, i.qid, i.qversion, q.published
FROM server_inbox i JOIN server_questionnaires q ON q.id = i.qid AND q.version = i.qversion
WHERE i.qid IS NOT NULL
ORDER BY i.seq;

-- The old queue is replaced by the feed; the decisions it held are in the revisions table.
DROP TABLE server_inbox;
DROP TABLE server_decisions;
