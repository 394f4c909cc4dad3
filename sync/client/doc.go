// Package client is the device side of sync: it enrols a device with a central server,
// sends the outbox (the signed batch files waiting in HOME/outbox) in sequence order, and
// brings down what the server holds for the device: interviews a supervisor returned or
// approved, and the questionnaire versions the server publishes.
//
// # Guarantees
//
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
//     interrupted sync never loses or repeats anything: run it again.
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
