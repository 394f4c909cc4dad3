package server

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/sync/batch"
	"github.com/fieldsurvey/fieldsurvey/sync/hub"
	"github.com/fieldsurvey/fieldsurvey/sync/wire"
)

// Store is everything the server keeps: the hub's revisions and batches, and what only a
// server needs (enrolment tokens, enrolled devices, receipts, what waits for each device,
// published questionnaires). The SQLite store (OpenSQLite) and the PostgreSQL store
// (OpenPostgres) implement it, and the same tests run on both (servertest.ForEachStore).
//
// Every method is atomic: it happens whole or not at all. Errors that a device or an
// administrator must act on are *wire.Error values (codes such as token_used,
// device_revoked, batch_conflict), so that the HTTP layer and the commands report them
// the same way.
//
// # The feed
//
// What devices receive is one feed in one increasing sequence of positions: a row for
// each (batch, interview) stored, for each revision the server makes itself ("submitted",
// an administrator's decision), for each published questionnaire version (one per device),
// and a backfill row when a device starts to receive an interview that already has
// revisions. Who receives an interview is an interest (device, interview), added when the
// device sends revisions of it, when a supervisor's scope covers its province (at ingest
// and at the supervisor's enrolment) and when it is assigned (Follow). Inbox reads the rows
// after the device's cursor that concern it and expands each to its revisions, minus the
// device's own; a page holds whole rows, so its cursor is the position of its last row.
//
// The guarantee a store must keep: once Inbox has returned a page whose cursor is c, no row
// at or below c that concerns the device may appear later, or the device would skip it. On
// SQLite this is free: one writer at a time, so positions become visible in the order they
// are handed out. A store with concurrent writers (PostgreSQL: it takes the first way, an
// advisory lock around the feed rows at the end of each transaction) must not give a
// sequence value as a position directly: sequence values commit out of order (a
// transaction holding position 10 may commit after one holding 11, and a reader that saw 11
// would move its cursor past 10 for good). It must either hand positions out at commit in
// one serialised step (a single feed row counter updated under the row lock of a counter
// table, or an advisory lock held only around the insert of the feed rows at the end of the
// transaction), or serve only the positions below the oldest position still in flight (the
// "visible horizon", e.g. from pg_snapshot_xmin of the transactions writing the feed).
// Duplicates are harmless (a device storing a revision it has counts it as present); a
// skipped row is not.
type Store interface {
	// AddToken stores a new enrolment token (only its hash).
	AddToken(ctx context.Context, t TokenRecord) error
	// Enroll redeems the token whose hash is given and enrols d with it, in one step: an
	// unknown, used or expired token, a token made for another role than d.Role
	// (wire.CodeRoleMismatch: the token stays unused), a device id enrolled with another
	// key, or a revoked device is refused and changes nothing. The device takes the
	// token's role and scope. Enrolling the same device with the same key again (with a new
	// token) succeeds, keeps its history and takes the new token's role and scope. A new
	// device is queued every published questionnaire; a supervisor's device becomes
	// interested in every interview its scope covers.
	Enroll(ctx context.Context, tokenHash string, d Device, now time.Time) (Device, error)
	// Device returns an enrolled device (revoked or not) or wire.ErrDeviceUnknown.
	Device(ctx context.Context, id string) (Device, error)
	// Supervisors lists the active (not revoked) supervisor devices, by id.
	Supervisors(ctx context.Context) ([]Device, error)
	// Devices lists the enrolled devices with what they sent.
	Devices(ctx context.Context) ([]DeviceReport, error)
	// Revoke stops a device: its uploads and downloads are refused from now on.
	Revoke(ctx context.Context, id string, now time.Time) (Device, error)
	// Seen records that a device was heard from (a download).
	Seen(ctx context.Context, id string, now time.Time) error

	// Ingest stores a verified batch and returns its receipt, made from what the store
	// records of the batch, so that a batch already held (same id and hash: Replay true,
	// nothing stored twice) gets exactly the receipt it got the first time. In the same
	// transaction it adds the batch to the feed (a row per interview), makes the sender
	// and the supervisors whose scope covers each interview's province interested in it,
	// and marks submitted each interview whose status is then completed (one head): a
	// status revision made by u.Server, in the feed too.
	//
	// Refusals for the batch's content are *ContentError values (the handler signs and
	// records them, see Refuse): the same id with another hash (wire.CodeBatchConflict), a
	// sequence number the device already used for another batch, a device id bound to
	// another key, a revision made by another device that the server does not hold, a
	// revision the store's checks refuse. Ingest returns once the batch is durable; the
	// SQLite store commits concurrent uploads together (group commit).
	Ingest(ctx context.Context, u Upload) (Ingested, error)
	// Receipt returns the receipt of a stored batch (without the server's fingerprint), or
	// ErrNotFound.
	Receipt(ctx context.Context, batchID string) (wire.Receipt, error)

	// Refuse records the refusal of a batch for its content (see wire.Refusal) and returns
	// the refusal as recorded: when the same batch (id and manifest hash) was refused
	// before, the first refusal, unchanged.
	Refuse(ctx context.Context, r RefusalRecord) (RefusalRecord, error)
	// Refusal returns the recorded refusal of the batch with id and manifest hash, or
	// ErrNotFound.
	Refusal(ctx context.Context, batchID, hash string) (RefusalRecord, error)
	// Provinces returns the province of each interview of ids that the server holds (an
	// interview it does not hold is absent from the map).
	Provinces(ctx context.Context, ids []string) (map[string]string, error)

	// Inbox returns the feed rows after cursor that concern a device, expanded to their
	// revisions (minus the device's own) and questionnaires: whole rows, about limit
	// revisions (a single row may hold more), and the allowed_signers lines of the active
	// supervisor devices other than this one.
	Inbox(ctx context.Context, device string, after int64, limit int) (InboxPage, error)
	// Follow makes a device interested in interviews (an assignment): it receives their
	// revisions from now on, and what they already have in a backfill. Following an
	// interview again changes nothing.
	Follow(ctx context.Context, device string, interviews ...string) error
	// Decide writes the administrator's decision (approve, return or reopen, checked with
	// survey.CheckDecision for the server's role) on an interview as a status revision made
	// by the server, and adds it to the feed.
	Decide(ctx context.Context, d Decision) (survey.Revision, error)
	// Publish stores a questionnaire version and queues it for every device. Publishing the
	// same version with the same file again changes nothing; with another file it is refused.
	Publish(ctx context.Context, q Published) error
	// Questionnaires lists the published questionnaire versions.
	Questionnaires(ctx context.Context) ([]Published, error)

	// UseNonce records the nonce key of a signed request at now and reports whether it is
	// fresh: false when the same key was recorded within keep before now (a replay). It
	// keeps keys durably, across restarts, for at least keep, and forgets expired ones
	// now and then (not necessarily on every call).
	UseNonce(ctx context.Context, key string, now time.Time, keep time.Duration) (fresh bool, err error)
	// NonceUsed reports whether the nonce key of a signed request is recorded and not
	// expired at now: whether UseNonce would find it not fresh. It records nothing.
	NonceUsed(ctx context.Context, key string, now time.Time) (bool, error)

	Close() error
}

// ErrNotFound is returned for a batch, interview or questionnaire the store does not hold.
var ErrNotFound = errors.New("not found")

// TokenRecord is an issued enrolment token as stored: its hash, never the token.
type TokenRecord struct {
	Hash     string
	Assessor string      // the person the device belongs to
	Role     survey.Role // the role the device takes: assessor (empty) or supervisor
	Scope    []string    // a supervisor's provinces (empty: all)
	Created  time.Time
	Expires  time.Time
}

// Device is an enrolled device.
type Device struct {
	ID        string
	Principal string // the signer principal its batches carry
	Assessor  string // the person the administrator issued the token for
	PublicKey string // authorized_keys format
	// Role is what the device's batches may do: a supervisor's carry decisions (approve,
	// return, reopen) on interviews of its Scope (provinces; empty: all). Given by the
	// token; asked for by the device at enrolment (Enroll refuses a mismatch).
	Role     survey.Role
	Scope    []string
	Enrolled time.Time
	Revoked  time.Time // zero: not revoked
}

// IsRevoked reports whether d was revoked.
func (d Device) IsRevoked() bool { return !d.Revoked.IsZero() }

// Covers reports whether a supervisor's device covers province: every province when it has
// no scope; else a province of its scope, compared as survey.SameProvince compares names
// ("Ha Noi" is "Hà Nội", "Thừa Thiên Huế" is "Huế").
func (d Device) Covers(province string) bool { return covers(d.Scope, province) }

func covers(scope []string, province string) bool {
	if len(scope) == 0 {
		return true
	}
	return slices.ContainsFunc(scope, func(s string) bool { return survey.SameProvince(s, province) })
}

// DeviceReport is a device with what it sent.
type DeviceReport struct {
	Device
	LastSync time.Time // last upload or download
	Batches  int       // batches received
	LastSeq  uint64    // highest sequence number received
	Missing  []hub.Gap // runs of sequence numbers below LastSeq neither received nor refused
	// Refused are the batches refused for their content (their sequence numbers are not
	// missing), by sequence number.
	Refused []RefusalRecord
}

// RefusalRecord is a batch refused for its content, as the server keeps it (see
// wire.Refusal).
type RefusalRecord struct {
	Batch, Hash, Device string
	Seq                 uint64
	Code                wire.Code
	Reason              survey.Text // the check that failed, short
	Message             survey.Text // the whole sentence, with details
	Time                time.Time
	// Manifest and Signature are the batch's signed manifest, kept as evidence (empty in
	// DeviceReport).
	Manifest, Signature []byte
}

// ContentError is the refusal of a batch for what it holds, found after its signature
// verified with its device's enrolled key: the server signs it and records it (Refuse),
// so that the device stops sending the batch. It unwraps to the protocol error.
type ContentError struct {
	Err    *wire.Error
	Reason survey.Text // the check that failed, short (hub.Reason)
}

func (e *ContentError) Error() string { return e.Err.Error() }

// Unwrap returns the protocol error.
func (e *ContentError) Unwrap() error { return e.Err }

// contentError makes the refusal of code, with the check reason and the detail (in
// English and Vietnamese: survey.T(en, vi), or one string for both).
func contentError(code wire.Code, reason, detail survey.Text) *ContentError {
	we := wire.NewError(code, detail.Get(survey.LangEN))
	if vi := detail.Get(survey.LangVI); vi != "" {
		we.MessageVI = wire.NewError(code, vi).MessageVI
	}
	return &ContentError{Err: we, Reason: reason}
}

// same is one text for every language (details such as ids and hashes).
func same(s string) survey.Text { return survey.T(s, s) }

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
	// Unenrolled says Device is not enrolled with the server (a batch file merged with
	// FileMerge): it is not made interested in the batch's interviews (it could not
	// download them).
	Unenrolled bool
	// Nonce, if set, is the nonce of the signed request that carried the batch: Ingest
	// records it as UseNonce does, durably before or with the batch, and refuses the
	// upload with ErrReplayed, storing nothing of it, when it is not fresh. (The server's
	// group commit stores it in the batch's own transaction: an upload waits for one
	// commit, not two.)
	Nonce *Nonce
}

// Nonce is a signed request's nonce to record (Store.UseNonce's arguments).
type Nonce struct {
	Key  string
	Now  time.Time
	Keep time.Duration
}

// ErrReplayed is Ingest's refusal of an upload whose signed request's nonce was already
// used (Upload.Nonce): a replay.
var ErrReplayed = errors.New("this signed request was already used; it cannot be replayed")

// Ingested is a batch the server holds, with its receipt (not yet signed).
type Ingested struct {
	Receipt wire.Receipt
	Replay  bool // the batch was already held
}

// InboxPage is a page of what waits for a device.
type InboxPage struct {
	Revisions      []survey.Revision
	Questionnaires []Published
	Cursor         int64 // the last row's position; pass it as after next time
	More           bool
	// Supervisors are the allowed_signers lines of the active supervisor devices, other
	// than the device itself (never nil).
	Supervisors []string
}

// Decision is the administrator's approval, return or reopening of an interview, made
// with the server key.
type Decision struct {
	Interview string
	Status    survey.Status // survey.StatusApproved, StatusReturned or StatusReopened
	Reason    string
	// Device is the server's device id (ServerDevice): the revision's device and author
	// (the server key's principal).
	Device string
	Time   time.Time
}

// Published is a questionnaire version the server publishes.
type Published struct {
	ID, Version string
	Source      []byte // the file as published
	Signature   string // armored SSHSIG by the server key, namespace wire.NamespaceQuestionnaire
	Published   time.Time
}
