// Package client is the device side of sync: it enrols a device with a central server,
// sends the outbox (the signed batch files waiting in HOME/outbox) in sequence order, and
// brings down what the server holds for the device: every revision of the interviews it
// holds or is assigned (a supervisor's device: of its provinces) made elsewhere (other
// laptops, supervisors, the server: decisions, settlements, edits), the questionnaire
// versions the server publishes, and the keys of the supervisors the server vouches for.
//
// CreateBatch packs the revisions of the local store not yet in a batch into signed batch
// files in the outbox (what `batch create` and `sync` do first), and CopyOutbox copies the
// outbox to a folder (`batch create --out`, a USB stick).
//
// # Guarantees
//
//   - Batch sequence numbers never repeat: CreateBatch runs in the store's write
//     transaction, and each outbox file is durable before its revisions are marked and its
//     number recorded. A file left by a run that stopped in between is adopted when it is
//     the batch the next run would make (its bytes kept), else moved to outbox/uncommitted.
//   - The server's key is pinned at enrolment from the fingerprint the one-time token
//     carries (no trust on first use), and everything the server sends that matters is
//     checked against that key before use: the enrolment answer, every receipt, every
//     inbox page and every published questionnaire file.
//   - A batch leaves the outbox (it moves to HOME/sent, with its receipt beside it) only
//     when the device holds the server's valid signed receipt for exactly that batch (id,
//     hash, device, sequence). Until then it stays in the outbox and is sent again; the
//     server answers a batch it already holds with the same receipt and stores nothing
//     twice.
//   - Downloads are applied in one local transaction with the inbox cursor, so an
//     interrupted sync never loses or repeats anything: run it again. What comes down is
//     marked as carried (no batch of the device sends it back). The cursor is kept per
//     server key under a meta key of its own (sync.feed_cursor:…): a device coming from
//     the version before the feed reads it from the start, and what it holds counts as
//     present.
//   - A batch the server refuses for its content, with a refusal signed by the pinned key
//     that names exactly that batch, moves to HOME/outbox/refused with NAME.refusal.json
//     beside it (durably, the refusal first), and is not sent again; its revisions stay in
//     the local store and its history. The sync goes on and succeeds; Status and Batches
//     report the refusal. A refusal that does not verify is not trusted: the batch stays.
//   - Enrolment sends the home's role; a token of another role is refused before anything
//     is written. The supervisors' keys (allowed_signers lines) are written to
//     HOME/trusted_supervisors (keys.SetManagedSigners) at enrolment and on every sync, so
//     a revoked supervisor drops out; lines added by hand stay.
//   - Sync is safe to interrupt at any moment (a cut network, a closed laptop, Ctrl-C) and
//     to run again. Faults on the way (cut connections, timeouts, 5xx answers) are retried
//     with exponential backoff and jitter; refusals (a revoked device, a tampered batch)
//     stop the sync with the server's sentence saying what to do.
//
// For a program that stays open (the interview screen), Background runs syncs one at a
// time, on an interval or at once, and Status reads the state cheaply from the home folder
// (batches waiting, last sent, last error, offline) for a status line.
//
// # Protocol
//
// See package wire: POST /v1/enroll, POST /v1/batches (the batch file as body, the device
// id in a header, authenticated by the batch's own signature), GET
// /v1/devices/{id}/inbox?after=CURSOR (a request signed by the device key, answered with a
// body signed by the server key).
package client
