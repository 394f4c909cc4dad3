-- 0003_nonces: the nonces of devices' signed requests (wire.RequestAuth), kept while their
-- time is still acceptable so that a captured request cannot be replayed, not even after a
-- restart. key is "device/nonce"; expires is when the row may go (Unix milliseconds).
-- Frozen once released: later changes go into new numbered files.
CREATE TABLE server_nonces (
    key     TEXT    PRIMARY KEY,
    expires INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX server_nonces_expires ON server_nonces (expires);
