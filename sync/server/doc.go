// Package server is fieldsurvey's central server: devices enrol with it, send it their
// signed batches, and fetch what a supervisor decided; administrators issue tokens, revoke
// devices, approve or return interviews and publish questionnaire versions. It stores
// everything in the hub store (package hub over survey/store, SQLite by default) behind the
// Store interface, so that a PostgreSQL store can follow.
//
// # API (protocol version 1)
//
// Every error is JSON with a stable code and a sentence a person can act on, in English
// and Vietnamese (package wire lists the codes and their HTTP statuses):
//
//	{"error":{"code":"device_revoked","message":"…","message_vi":"…"}}
//
//	GET  /healthz                        "ok", or 503 while shutting down or if the store fails
//	GET  /metrics                        Prometheus metrics (requests, durations, batches, revisions)
//	GET  /v1/server                      protocol range, the server's public key and fingerprint
//	POST /v1/enroll                      JSON wire.EnrollRequest → wire.EnrollResponse, signed
//	POST /v1/batches                     a batch file → wire.SignedReceipt
//	GET  /v1/devices/{id}/inbox?after=N  signed request → wire.Inbox, signed
//
// # Authentication
//
//   - Enrolment: a one-time token (`server token`), of which the server keeps only the
//     SHA-256; it expires, works once, and carries the fingerprint of the server key, so
//     the device pins the key at enrolment instead of trusting the first key it sees. The
//     server signs its answer (namespace fieldsurvey-enroll); the device checks it names
//     its own id and key.
//   - Upload: the batch authenticates itself. Its manifest must name the device given in
//     the Fieldsurvey-Device header, and its SSHSIG signature must verify with the key that
//     device enrolled (for its principal): a batch signed by any other key, or from a
//     revoked or unknown device, is refused. The whole batch is verified (signature,
//     payload hash, every revision, questionnaire versions, no revision forged in another
//     device's name, no approval or return made by a device) before anything is stored.
//   - Download: the device signs the request (method, path and query, device, time, a
//     random nonce; namespace fieldsurvey-request; see wire.RequestAuth). The server
//     accepts a time within ClockSkew of its clock and each nonce once, and signs its
//     answer (namespace fieldsurvey-inbox). Behind a proxy, the path and query must reach
//     the server unchanged.
//
// # Guarantees
//
//   - Exactly once: a batch is stored by hub.AddTx in one transaction with its record; the
//     same batch again (same id and manifest hash) stores nothing and gets the same
//     receipt, byte for byte (the receipt is made from the hub's record and signed with
//     Ed25519, which is deterministic); the same id with another hash is refused
//     (batch_conflict). A batch fully received is stored even if the device hangs up, so
//     its next attempt gets the receipt at once.
//   - Group commit: uploads that arrive while the store is writing are stored together in
//     the next transaction (one fsync for all), each checked whole before; a batch refused
//     there spoils none of the others, and if the transaction fails each batch is tried
//     alone. A receipt is sent only once the transaction holding its batch is durable.
//   - Submitted: when a stored batch leaves an interview completed (one status head), the
//     server marks it submitted in the same transaction, with a status revision of its own
//     (device ServerDevice) that the device receives in its inbox like a decision.
//   - A refused request changes nothing.
//   - Limits: request bodies are bounded (MaxBatchBytes, MaxJSONBytes) and an upload must
//     declare its length; uploads hold at most UploadBudget bytes in memory together; read,
//     write and idle timeouts bound slow clients.
//   - Shutdown (Serve's context cancelled) stops accepting connections and lets requests
//     in flight, uploads included, finish (up to ShutdownTimeout).
//   - The server key (server_ed25519 in the data folder) is made once and never replaced.
//
// The SQLite store reads the survey store's revisions table and the hub's hub_batches
// table (both versioned by their migrations) to route decisions and rebuild receipts.
package server
