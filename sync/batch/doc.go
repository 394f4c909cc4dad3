// Package batch reads and writes fieldsurvey batch files (*.fsbatch): the unit in which an
// assessor's revisions travel to a supervisor or a server, over the network or on a USB
// stick. It signs, verifies, encrypts and decrypts them, and nothing else: it knows no
// store, no network and no terminal.
//
// # Format (version 2, written by default)
//
// A batch is a zip archive holding exactly three entries, in this order, each stored as it
// is (method 0: the payload is compressed already), with no data descriptor, no extra
// field and no comment, every entry's time the batch's creation second (MS-DOS format):
//
//   - manifest.json: canonical JSON (fixed field order, no insignificant whitespace, no
//     trailing newline) of Manifest: "format" ("fieldsurvey-batch"), "format_version" (2),
//     the batch "id", the "device", the "signer" principal, the per-device "sequence"
//     number, the "created" time, the "questionnaires" (id and version) the revisions belong
//     to, the counts of "interviews" and "revisions", the size and SHA-256 of the
//     uncompressed revisions ("content") and the name, encryption, size and SHA-256 of the
//     payload entry as stored ("payload").
//   - manifest.json.sig: an armored OpenSSH signature (SSHSIG) of manifest.json by the
//     device's Ed25519 key, namespace "fieldsurvey-batch", hash sha512, which the standard
//     tools check:
//     unzip BATCH manifest.json manifest.json.sig
//     ssh-keygen -Y verify -f allowed_signers -I PRINCIPAL -n fieldsurvey-batch -s manifest.json.sig < manifest.json
//   - revisions.jsonl.gz: the revisions, one a line, sorted by device, counter and id,
//     gzip-compressed with an empty header (no name, no mtime); or revisions.jsonl.gz.age,
//     the same bytes encrypted with age to X25519 or ssh-ed25519 recipients. A line is the
//     revision's canonical encoding, the bytes its id is the SHA-256 of (survey.Revision:
//     interview, kind, key, value, device, counter, time, author, replaces, every field
//     present, compact JSON as encoding/json writes it), without the id, which the
//     receiver computes; a replaced revision that is on an earlier line of the batch is
//     written "@N" (N its line number, from 1), and must be. See lines.go.
//
// The zip framing costs about 350 bytes a batch, where version 1's tar framing costs
// 2.5–4 KB; shipping no ids and referring to replaced revisions by line saves about 40
// bytes of incompressible hex digits per revision and per replacement. Interview ids,
// devices and authors repeat on every line, but gzip already stores those repetitions in
// under a byte a line (leaving the three fields out altogether saved 40 bytes of a
// 43-revision batch, 66 of a 215-revision one), and keeping every line the exact hashed
// bytes lets a receiver check a revision by one scan and one hash: no per-batch
// dictionary. The payload stays gzip: zstd at its best level (the reference tool, -19)
// made DGRA batches' revisions 8% (one interview) to 13% (five) smaller, not worth a
// dependency and giving up inspection with gzip -dc.
//
// # Format (version 1, still read)
//
// A tar archive (ustar, regular files only, mode 0644, uid and gid 0, no user or group
// names, every mtime the batch's creation second) of the same three entries, a line being
// the revision's JSON (survey.Revision.MarshalJSON: its id first, key, author and replaces
// left out when empty). Options.FormatVersion writes it for receivers that read nothing
// else.
//
// The batch id is the first 32 hex digits of the SHA-256 of the format version, the
// device, the sequence number and the content hash, so the same revisions packed as the
// same sequence number by the same device in the same format give the same id, and
// (unencrypted, at the same time) byte-identical files.
//
// # Guarantees
//
//   - Read checks the structure before anything else: entry names, order and types (no path
//     can escape, nothing is ever extracted to disk), declared sizes before reading and
//     actual sizes while reading (ErrTooLarge), truncation (ErrTruncated), a non-batch file
//     (ErrNotBatch), and the format version (ErrUnsupportedVersion); a zip archive must be
//     byte for byte the one this package writes of its three entries.
//   - Verify checks the signature over the exact manifest bytes against an allowed_signers
//     file (ErrUnknownSigner, ErrBadSignature), then the payload hash (ErrPayloadHash).
//   - Revisions decrypts and decompresses as a stream, never past the content size the
//     signed manifest declares (one byte more is a payload hash mismatch: a gzip bomb costs
//     the memory of what it declares, not of what it would expand to) nor past MaxContent,
//     and checks every revision in one pass (its line canonical, its id the SHA-256 of
//     its canonical encoding, rebuilt from the received bytes), its interview id (a UUID:
//     survey.CheckInterviewID), the order, the counts and the content hash the manifest
//     declares. Create refuses to pack a revision whose interview id is not a UUID.
//   - Every failure wraps one of the exported sentinel errors, so callers can branch with
//     errors.Is; Reason names the failed check in English and Vietnamese, and Detail says
//     what exactly is wrong in both (every error of this package has a Text method giving
//     the whole message in both; Error is the English, for logs and wrapping). No error
//     ever holds key material.
//
// # Compatibility
//
// Readers refuse a format_version they do not know with ErrUnsupportedVersion. A later
// version may add manifest fields; readers refuse unknown fields, so any addition comes
// with a new version number. Version 1 and 2 files will be read by every later release.
// A release that reads only version 1 takes a version 2 file for "not a tar archive": a
// server must be updated before its devices.
package batch
