// Package server is fieldsurvey's central server: devices (assessors' laptops and
// supervisors' devices) enrol with it, send it their signed batches, and receive every
// revision of the interviews they hold, whoever made it; administrators issue tokens,
// revoke devices, approve, return or reopen interviews with the server key, and publish
// questionnaire versions. It stores everything behind the Store interface: the hub store
// (package hub over survey/store, SQLite, the default: OpenSQLite) or PostgreSQL
// (OpenPostgres, postgres.go), on which several server nodes share one database and the
// server key (the Store documentation says what a store must guarantee; one conformance
// suite, servertest.ForEachStore, runs the server's tests on both).
//
// # API (protocol version 1)
//
// Every error is JSON with a stable code and a sentence a person can act on, in English
// and Vietnamese (package wire lists the codes and their HTTP statuses):
//
//	{"error":{"code":"device_revoked","message":"…","message_vi":"…"}}
//
//	GET  /healthz                        wire.Health: 200, or 503 naming the failing check
//	GET  /metrics                        Prometheus metrics (requests, durations, batches, revisions)
//	GET  /v1/server                      protocol range, the server's public key and fingerprint
//	POST /v1/enroll                      JSON wire.EnrollRequest → wire.EnrollResponse, signed
//	POST /v1/batches?length=N            signed request, a batch file → wire.SignedReceipt, or an
//	                                     error (with a wire.SignedRefusal beside it for a content
//	                                     refusal)
//	GET  /v1/devices/{id}/inbox?after=N  signed request → wire.Inbox, signed (gzip if accepted)
//
// # Authentication
//
//   - Enrolment: a one-time token (`server token`), of which the server keeps only the
//     SHA-256; it expires, works once, and carries the fingerprint of the server key, so
//     the device pins the key at enrolment instead of trusting the first key it sees. The
//     server signs its answer (namespace fieldsurvey-enroll); the device checks it names
//     its own id and key. A token is made for a role (assessor, or supervisor with a scope
//     of provinces); the device says the role of its home, and a token of another role is
//     refused without being used. The answer carries the device's role and scope and the
//     allowed_signers lines of the active supervisor devices.
//   - Upload: the request is signed like a download (below), on wire.UploadPath, whose
//     length must be the Content-Length; it is checked before the server reads the body
//     or reserves memory for it, so knowing a device id (every manifest has it) is not
//     enough to hold the server's upload budget. Then the batch authenticates itself.
//     Its manifest must name the device given in
//     the Fieldsurvey-Device header, and its SSHSIG signature must verify with the key that
//     device enrolled (for its principal): a batch signed by any other key, or from a
//     revoked or unknown device, is refused. The whole batch is verified (signature,
//     payload hash, every revision, questionnaire versions, no revision forged in another
//     device's name) before anything is stored. Decisions (approve, return, reopen) are
//     accepted from supervisor devices only (hub.Options.Role, from the device's record),
//     on interviews of their scope; the server checks who decides, not the transition
//     (the decision was checked where it was made; refusing it for the state the server
//     holds would strand the batch).
//   - Download: the device signs the request (method, path and query, device, time, a
//     random nonce; namespace fieldsurvey-request; see wire.RequestAuth). The server
//     accepts a time within ClockSkew of its clock and each nonce once (kept in the store
//     for twice ClockSkew, so not even a restart lets a request be replayed), and signs its
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
//     alone. A receipt is sent only once the transaction holding its batch is durable. On
//     SQLite the signed requests' nonces go into the same transactions (a request is
//     answered once its nonce is durable), not one transaction (one fsync) each.
//   - Submitted: when a stored batch leaves an interview completed (one status head), the
//     server marks it submitted in the same transaction, with a status revision of its own
//     (device ServerDevice).
//   - Convergence: every device receives, in its inbox, every revision of every interview
//     it sent revisions of, is assigned (Store.Follow) or (a supervisor's device) covers by
//     its scope, whoever made it, except its own; what an interview had before the device
//     became interested comes in one backfill. The inbox is a feed read after the device's
//     cursor (see Store), in pages of whole rows; a revision may come twice, never not at
//     all. The inbox also lists the supervisors' keys, which the device trusts for USB.
//   - Refused batches: a batch whose signature verified with its device's key but whose
//     content is refused (a decision its role does not make, outside its scope, another
//     device's revisions the server does not hold, an undecryptable or malformed payload
//     or revision, a reused sequence number or batch id) gets a signed refusal
//     (wire.Refusal, namespace fieldsurvey-refusal), recorded: the same batch sent again
//     gets the same bytes, and its sequence number is reported refused, not missing. A
//     damaged batch, one of an unknown questionnaire version or over the size limit is
//     refused without a record (an intact copy, a published version or a higher limit lets
//     it in).
//   - A refused request changes nothing.
//   - Limits: request bodies are bounded (MaxBatchBytes, MaxJSONBytes) and an upload must
//     declare its length; uploads hold at most UploadBudget bytes in memory together, a
//     device one upload at a time; an upload body must arrive at MinUploadRate on average
//     after UploadGrace or it is cut; read, write and idle timeouts bound slow clients.
//     The upload's read deadline is lifted once its body is in: waiting for the writer is
//     not cut by it (a deadline left on the connection cancelled the connection's context
//     in net/http's background read, and with it the device's next request).
//   - Busy: a request the server cannot take now (no memory budget, the device's previous
//     upload still in) is answered 503 with Retry-After (RetryAfter), which
//     sync/client waits for. A request whose client went away while it waited is logged
//     and counted (fieldsurvey_requests_cancelled_total), never answered 500; an answer
//     written on a cancelled request closes the connection.
//   - Health: /healthz checks that the store answers, that the store file and the data
//     folder are writable and that the data folder's disk has MinFreeBytes free.
//   - Shutdown (Serve's context cancelled) stops accepting connections and lets requests
//     in flight, uploads included, finish (up to ShutdownTimeout).
//   - The server key (server_ed25519 in the data folder) is made once and never replaced.
//
// The SQLite store reads the survey store's revisions and interviews tables and the hub's
// hub_batches table (all versioned by their migrations) to expand the feed and rebuild
// receipts. Its own tables are in migrations/ (0002 moved the per-device queue of the
// first version into the feed, keeping everything queued; 0003 keeps request nonces). The
// PostgreSQL store has the same tables in one schema (migrations_postgres/), folds each
// interview's state with survey.Fold in the transaction that adds its revisions, and
// orders concurrent writers with advisory locks (postgres.go); its group commit reads what
// a group's checks need in one round trip, decides each batch in Go and writes the group
// with COPY and one statement a table (postgres_ingest.go). FileMerge takes batch files
// into either store with an upload's checks and feed (`merge --into postgres://…`, safe
// beside running nodes). MigrateToPostgres copies a
// SQLite server into it and verifies the copy; Backup copies a SQLite store while it runs.
package server
