package server

import (
	"context"
	"errors"
	"time"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/sync/batch"
	"github.com/fieldsurvey/fieldsurvey/sync/hub"
	"github.com/fieldsurvey/fieldsurvey/sync/wire"
)

// Store is everything the server keeps: the hub's revisions and batches, and what only a
// server needs (enrolment tokens, enrolled devices, receipts, what waits for each device,
// published questionnaires). The SQLite store (OpenSQLite) implements it; a PostgreSQL
// store can follow behind the same interface and the same conformance tests.
//
// Every method is atomic: it happens whole or not at all. Errors that a device or an
// administrator must act on are *wire.Error values (codes such as token_used,
// device_revoked, batch_conflict), so that the HTTP layer and the commands report them
// the same way.
type Store interface {
	// AddToken stores a new enrolment token (only its hash).
	AddToken(ctx context.Context, t TokenRecord) error
	// Enroll redeems the token whose hash is given and enrols d with it, in one step: an
	// unknown, used or expired token, a device id enrolled with another key, or a revoked
	// device is refused and changes nothing. Enrolling the same device with the same key
	// again (with a new token) succeeds and keeps its history.
	Enroll(ctx context.Context, tokenHash string, d Device, now time.Time) (Device, error)
	// Device returns an enrolled device (revoked or not) or wire.ErrDeviceUnknown.
	Device(ctx context.Context, id string) (Device, error)
	// Devices lists the enrolled devices with what they sent.
	Devices(ctx context.Context) ([]DeviceReport, error)
	// Revoke stops a device: its uploads and downloads are refused from now on.
	Revoke(ctx context.Context, id string, now time.Time) (Device, error)
	// Seen records that a device was heard from (a download).
	Seen(ctx context.Context, id string, now time.Time) error

	// Ingest stores a verified batch and returns its receipt, made from what the store
	// records of the batch, so that a batch already held (same id and hash: Replay true,
	// nothing stored twice) gets exactly the receipt it got the first time. The same id
	// with another hash is wire.ErrBatchConflict. A revision made by a device other than
	// the sender is refused unless the server already holds it. An interview of the
	// batch whose status is then completed (one head) is marked submitted in the same
	// transaction: a status revision made by u.Server, queued for the devices that sent
	// the interview as decisions are. Ingest returns once the batch is durable; the SQLite
	// store commits concurrent uploads together (group commit).
	Ingest(ctx context.Context, u Upload) (Ingested, error)
	// Receipt returns the receipt of a stored batch (without the server's fingerprint), or
	// ErrNotFound.
	Receipt(ctx context.Context, batchID string) (wire.Receipt, error)

	// Inbox returns what waits for a device after cursor, at most limit items.
	Inbox(ctx context.Context, device string, after int64, limit int) (InboxPage, error)
	// Decide writes a supervisor's decision (approve or return) on an interview as a status
	// revision made by the server, and queues it for every device that sent revisions of
	// that interview. Approval takes a completed or submitted interview.
	Decide(ctx context.Context, d Decision) (survey.Revision, error)
	// Publish stores a questionnaire version and queues it for every device. Publishing the
	// same version with the same file again changes nothing; with another file it is refused.
	Publish(ctx context.Context, q Published) error
	// Questionnaires lists the published questionnaire versions.
	Questionnaires(ctx context.Context) ([]Published, error)

	Close() error
}

// ErrNotFound is returned for a batch, interview or questionnaire the store does not hold.
var ErrNotFound = errors.New("not found")

// TokenRecord is an issued enrolment token as stored: its hash, never the token.
type TokenRecord struct {
	Hash     string
	Assessor string
	Created  time.Time
	Expires  time.Time
}

// Device is an enrolled device.
type Device struct {
	ID        string
	Principal string // the signer principal its batches carry
	Assessor  string // the assessor the administrator issued the token for
	PublicKey string // authorized_keys format
	Enrolled  time.Time
	Revoked   time.Time // zero: not revoked
}

// IsRevoked reports whether d was revoked.
func (d Device) IsRevoked() bool { return !d.Revoked.IsZero() }

// DeviceReport is a device with what it sent.
type DeviceReport struct {
	Device
	LastSync time.Time // last upload or download
	Batches  int       // batches received
	LastSeq  uint64    // highest sequence number received
	Missing  []hub.Gap // runs of sequence numbers below LastSeq not received
}

// Upload is a batch that passed every check, ready to store.
type Upload struct {
	Device Device
	Batch  *batch.Batch
	// Revisions are the batch's revisions as hub.Check returned them (the batch reader
	// verified each one, its id included).
	Revisions []survey.Revision
	// Server is the server's device id (ServerDevice): the device and author of the
	// status revisions "submitted" the store writes. Empty: none is written.
	Server string
	// Time is when the server received the batch.
	Time time.Time
}

// Ingested is a batch the server holds, with its receipt (not yet signed).
type Ingested struct {
	Receipt wire.Receipt
	Replay  bool // the batch was already held
}

// InboxPage is a page of what waits for a device.
type InboxPage struct {
	Revisions      []survey.Revision
	Questionnaires []Published
	Cursor         int64 // the last item's position; pass it as after next time
	More           bool
}

// Decision is a supervisor's approval or return of an interview.
type Decision struct {
	Interview string
	Status    survey.Status // survey.StatusApproved or survey.StatusReturned
	Reason    string
	By        string // the supervisor's name, the revision's author
	Device    string // the server's device id (ServerDevice), the revision's device
	Time      time.Time
}

// Published is a questionnaire version the server publishes.
type Published struct {
	ID, Version string
	Source      []byte // the file as published
	Signature   string // armored SSHSIG by the server key, namespace wire.NamespaceQuestionnaire
	Published   time.Time
}
