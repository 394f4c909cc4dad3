// Package batch reads and writes fieldsurvey batch files (*.fsbatch): the unit in which an
// assessor's revisions travel to a supervisor or a server, over the network or on a USB
// stick. It signs, verifies, encrypts and decrypts them, and nothing else: it knows no
// store, no network and no terminal.
//
// # Format (version 1)
//
// A batch is a tar archive (ustar, regular files only, mode 0644, uid and gid 0, no user or
// group names, every mtime the batch's creation second) holding exactly three entries, in
// this order:
//
//   - manifest.json: canonical JSON (fixed field order, no insignificant whitespace, no
//     trailing newline) of Manifest: "format" ("fieldsurvey-batch"), "format_version" (1),
//     the batch "id", the "device", the "signer" principal, the per-device "sequence"
//     number, the "created" time, the "questionnaires" (id and version) the revisions belong
//     to, the counts of "interviews" and "revisions", the size and SHA-256 of the
//     uncompressed revisions ("content") and the name, encryption, size and SHA-256 of the
//     payload entry as stored ("payload").
//   - manifest.json.sig: an armored OpenSSH signature (SSHSIG) of manifest.json by the
//     device's Ed25519 key, namespace "fieldsurvey-batch", hash sha512, which the standard
//     tool checks:
//     ssh-keygen -Y verify -f allowed_signers -I PRINCIPAL -n fieldsurvey-batch -s manifest.json.sig < manifest.json
//   - revisions.jsonl.gz: the revisions (survey.Revision, one JSON object a line, sorted by
//     device, counter and id), gzip-compressed with an empty header (no name, no mtime); or
//     revisions.jsonl.gz.age, the same bytes encrypted with age to X25519 or ssh-ed25519
//     recipients.
//
// The batch id is the first 32 hex digits of the SHA-256 of the device, the sequence number
// and the content hash, so the same revisions packed as the same sequence number by the
// same device give the same id, and (unencrypted, at the same time) byte-identical files.
//
// # Guarantees
//
//   - Read checks the structure before anything else: entry names, order and types (no path
//     can escape, nothing is ever extracted to disk), declared sizes before reading and
//     actual sizes while reading (ErrTooLarge), truncation (ErrTruncated), a non-batch file
//     (ErrNotBatch), and the format version (ErrUnsupportedVersion).
//   - Verify checks the signature over the exact manifest bytes against an allowed_signers
//     file (ErrUnknownSigner, ErrBadSignature), then the payload hash (ErrPayloadHash).
//   - Revisions decrypts and decompresses as a stream, never past the content size the
//     signed manifest declares (one byte more is a payload hash mismatch: a gzip bomb costs
//     the memory of what it declares, not of what it would expand to) nor past MaxContent,
//     and checks every revision's content hash, its interview id (a UUID:
//     survey.CheckInterviewID), the order, the counts and the content hash the manifest
//     declares. Create refuses to pack a revision whose interview id is not a UUID.
//   - Every failure wraps one of the exported sentinel errors, so callers can branch with
//     errors.Is; Reason names the failed check in English and Vietnamese. No error ever
//     holds key material.
//
// # Compatibility
//
// Readers refuse a format_version they do not know with ErrUnsupportedVersion. A later
// version may add manifest fields; version 1 readers refuse unknown fields, so any addition
// comes with a new version number. Version 1 files will be read by every later release.
package batch
