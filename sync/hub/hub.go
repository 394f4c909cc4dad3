// Package hub is the supervisor's (and the server's) store of merged batches: the same
// revision model as a device's database (survey/store), plus a record of every batch
// merged, which device sent it, under which sequence number and signed by which key.
//
// Guarantees:
//   - A batch is verified whole (signature, trust, payload hash, every revision, the
//     questionnaire versions) before anything of it is stored, and stored in one
//     transaction with its batch record: a rejected batch adds nothing, an accepted one
//     adds all its revisions and its record, or (on a failure of the disk) nothing.
//     AddTx stores a batch inside a caller's transaction that may hold other batches (the
//     server's group commit): a batch is rejected before any of it is written, so a
//     rejected one does not spoil the others, and a failure fails the whole transaction.
//   - Merging is a union: the same batches in any order give the same revisions, heads
//     and interview states. A batch merged again (same id, same manifest hash) is "already
//     present" and changes nothing; the same id with another hash is refused.
//   - A device's batches are numbered 1, 2, 3…: Gaps lists the numbers not yet merged, and
//     a number already merged for another batch is refused (so is a device id first seen
//     with another key).
//   - The schema is added to the store's through store.WithMigrations under the component
//     "hub"; its migrations are numbered and never edited once released.
package hub

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"filippo.io/age"
	"golang.org/x/crypto/ssh"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
	"github.com/fieldsurvey/fieldsurvey/sync/batch"
	"github.com/fieldsurvey/fieldsurvey/sync/keys"
)

// Component is the name of the hub's migrations in the store.
const Component = "hub"

// Migrations are the hub's tables, applied after the store's own.
var Migrations = []store.Migration{{Version: 1, Name: "batches", SQL: `
-- Every batch merged: who sent it, its number, and the signed manifest kept as evidence.
CREATE TABLE hub_batches (
    id          TEXT    NOT NULL PRIMARY KEY,
    hash        TEXT    NOT NULL,            -- SHA-256 of manifest.json
    device      TEXT    NOT NULL,
    sequence    INTEGER NOT NULL,
    signer      TEXT    NOT NULL,            -- the principal
    key         TEXT    NOT NULL,            -- SHA256 fingerprint of the signing key
    created     INTEGER NOT NULL,            -- Unix ms, as the manifest says
    merged      INTEGER NOT NULL,            -- Unix ms
    revisions   INTEGER NOT NULL,
    added       INTEGER NOT NULL,            -- revisions new to the hub when merged
    encrypted   INTEGER NOT NULL,
    manifest    BLOB    NOT NULL,
    signature   BLOB    NOT NULL,
    UNIQUE (device, sequence)
);
-- Every device seen, bound to the key its first batch was signed with.
CREATE TABLE hub_devices (
    device      TEXT    NOT NULL PRIMARY KEY,
    key         TEXT    NOT NULL,
    signer      TEXT    NOT NULL,
    first       INTEGER NOT NULL,            -- Unix ms of the first merge
    last        INTEGER NOT NULL             -- Unix ms of the last merge
);
`}}

// Reasons a verified batch is refused by the hub. They wrap nothing of package batch: the
// batch itself is sound, but it contradicts what the hub already holds.
var (
	ErrBatchConflict  = errors.New("batch id already merged with other content")
	ErrSequenceReused = errors.New("sequence number already used")
	ErrDeviceKey      = errors.New("device signed by another key")
)

// Reason names the check err failed, in English and Vietnamese: those of package batch
// and the hub's own. It returns nil for an error of no known class.
func Reason(err error) survey.Text {
	switch {
	case errors.Is(err, ErrBatchConflict):
		return survey.T("same batch id, other content", "trùng mã lô nhưng khác nội dung")
	case errors.Is(err, ErrSequenceReused):
		return survey.T("sequence number reused", "số thứ tự lô bị dùng lại")
	case errors.Is(err, ErrDeviceKey):
		return survey.T("device signed by another key", "thiết bị ký bằng khoá khác")
	case errors.Is(err, survey.ErrBadRevision), errors.Is(err, survey.ErrBadRevisionID):
		return survey.T("malformed revision", "bản ghi thay đổi sai định dạng")
	case errors.Is(err, ErrDecisionNotAllowed):
		return survey.T("decision by an assessor's key", "quyết định được ký bằng khoá của người đánh giá")
	case errors.Is(err, ErrForeignRevision):
		return survey.T("revision of another device", "bản ghi thay đổi của thiết bị khác")
	}
	return batch.Reason(err)
}

// Explain splits a rejection into the check that failed (see Reason) and the details (in
// English: Describe gives them in every language), without the check's English name in front, for a line such as
// "rejected: bad signature: manifest.json.sig does not match manifest.json (…)".
func Explain(err error) (reason survey.Text, detail string) {
	reason = Reason(err)
	detail = err.Error()
	for _, class := range classes {
		if errors.Is(err, class) {
			detail = strings.TrimPrefix(detail, class.Error())
			detail = strings.TrimLeft(detail, ": ")
			break
		}
	}
	if reason == nil {
		reason = survey.T("rejected", "bị từ chối")
	}
	return reason, detail
}

// Describe is Explain with the details in every language too: the hub's own refusals,
// those of package batch (batch.Detail) and any other error that has its text in every
// language (a Text method: a revision the store refuses) in English and Vietnamese, the
// rest in English in both.
func Describe(err error) (reason, detail survey.Text) {
	reason, d := Explain(err)
	var r *refusal
	if errors.As(err, &r) {
		return reason, r.msg
	}
	if t := batch.Detail(err); t != nil {
		return reason, t
	}
	// Any other error that carries its text in every language gives it: the first such
	// along err's chain (a revision the store refuses: its survey.RevisionError placed on
	// the revision by a survey.StepError).
	var texted interface{ Text() survey.Text }
	if errors.As(err, &texted) {
		if t := texted.Text(); !t.Empty() {
			return reason, t
		}
	}
	return reason, survey.T(d, d)
}

// BatchConflict is the refusal of batch m, whose id was merged before with manifest hash
// oldHash, where m's is hash (ErrBatchConflict).
func BatchConflict(m *batch.Manifest, oldHash, hash string) error {
	return refuse(ErrBatchConflict, "batch %s (device %s, sequence %d) was merged before with manifest hash %.16s…, this one has %.16s…",
		"lô %s (thiết bị %s, số thứ tự %d) đã được hợp nhất trước đây với mã băm bản kê khai %.16s…, lô này có %.16s…",
		m.ID, m.Device, m.Sequence, oldHash, hash)
}

// SequenceReused is the refusal of batch m, whose device sent batch other under the same
// sequence number (ErrSequenceReused).
func SequenceReused(m *batch.Manifest, other string) error {
	return refuse(ErrSequenceReused, "device %s already sent batch %s as number %d; this is batch %s",
		"thiết bị %s đã gửi lô %s với số thứ tự %d; lô này là %s", m.Device, other, m.Sequence, m.ID)
}

// DeviceKey is the refusal of batch m, signed by the key of fingerprint fp, where its
// device's earlier batches were signed by bound (ErrDeviceKey).
func DeviceKey(m *batch.Manifest, bound, fp string) error {
	return refuse(ErrDeviceKey, "device %s sent its earlier batches signed by key %s, this one is signed by %s",
		"thiết bị %s đã gửi các lô trước được ký bằng khoá %s, lô này được ký bằng khoá %s", m.Device, bound, fp)
}

// refusal is a rejection by the hub's own checks: the class (ErrBatchConflict, …) and
// what exactly is wrong, in English (Error: "CLASS: DETAIL") and Vietnamese (Text).
type refusal struct {
	class error
	msg   survey.Text
}

func refuse(class error, en, vi string, args ...any) error {
	return &refusal{class: class, msg: survey.T(fmt.Sprintf(en, args...), fmt.Sprintf(vi, args...))}
}

func (r *refusal) Error() string { return r.class.Error() + ": " + r.msg.Get(survey.LangEN) }
func (r *refusal) Unwrap() error { return r.class }

// Text returns the whole message in English (Error) and Vietnamese: the check (Reason),
// then the detail.
func (r *refusal) Text() survey.Text {
	return survey.T(r.Error(), Reason(r.class).Get(survey.LangVI)+": "+r.msg.Get(survey.LangVI))
}

var classes = []error{ErrBatchConflict, ErrSequenceReused, ErrDeviceKey, ErrDecisionNotAllowed, ErrForeignRevision,
	batch.ErrBadSignature, batch.ErrUnknownSigner, batch.ErrPayloadHash, batch.ErrTruncated, batch.ErrNotBatch,
	batch.ErrUnsupportedVersion, batch.ErrUnknownQuestionnaire, batch.ErrTooLarge, batch.ErrMalformed, batch.ErrNoIdentity}

// Hub is an open hub store.
type Hub struct {
	st  *store.Store
	now func() time.Time
}

// Open opens or creates the hub store at path, adding the hub's tables to the store's.
func Open(path string, opts ...store.Option) (*Hub, error) {
	return openWithNow(path, time.Now, opts...)
}

func openWithNow(path string, now func() time.Time, opts ...store.Option) (*Hub, error) {
	opts = append(slices.Clone(opts), store.WithMigrations(Component, Migrations))
	st, err := store.Open(path, opts...)
	if err != nil {
		return nil, err
	}
	return &Hub{st: st, now: now}, nil
}

// Store returns the revision store under the hub (for reports, lists and conflicts).
func (h *Hub) Store() *store.Store { return h.st }

// Close closes the store.
func (h *Hub) Close() error { return h.st.Close() }

// Options say what a hub trusts.
type Options struct {
	// Signers are the keys trusted to sign batches (an allowed_signers file).
	Signers *keys.AllowedSigners
	// Identities decrypt encrypted payloads.
	Identities []age.Identity
	// Known reports whether a questionnaire version is known here; nil knows none.
	Known func(batch.QuestionnaireRef) bool
	// Role says what the signer of a batch (its principal and key, already verified) may
	// do: a batch carries decisions (approve, return, reopen) only when its signer's role
	// decides (survey.Role.Decides). nil: every signer is an assessor.
	Role func(principal string, key ssh.PublicKey) survey.Role
	// OwnRevisionsOnly refuses a batch carrying revisions made by another device than the
	// one that signed it (a device merging a supervisor's batch takes only the
	// supervisor's own decisions and settlements, never revisions relayed in its name).
	OwnRevisionsOnly bool
}

// ErrDecisionNotAllowed: a batch carries a decision (approve, return, reopen) that its
// signer's role does not allow.
var ErrDecisionNotAllowed = errors.New("decision not allowed")

// ErrForeignRevision: a batch carries a revision made by another device than its signer,
// where only the signer's own are accepted (Options.OwnRevisionsOnly).
var ErrForeignRevision = errors.New("revision of another device")

// Result is what merging one batch did.
type Result struct {
	ID       string
	Device   string
	Sequence uint64
	Signer   string
	// Added revisions are new to the hub; Present ones it already had.
	Added, Present int
	// Replay: this very batch was merged before; nothing changed.
	Replay bool
	// Rejected is why the batch was refused (nil: merged). A rejected batch added nothing.
	Rejected error
	// Reused lists added revisions whose (device, counter) another revision already has.
	Reused []string
}

// Merge verifies each batch with opts and merges those that pass, in the order given, all
// in one transaction, and returns a result per batch: StoreGroup(ctx, CheckGroup(batches,
// opts)).
// A batch the checks reject, or the hub rejects (Result.Rejected: a reused sequence
// number, a device bound to another key), adds nothing, and the others go in. A batch
// given twice is merged once, then a replay. The error is for the hub's own failures (the
// disk, a cancelled context): then none of batches is merged. A caller with many batches
// merges them in groups (the CLI's merge: MergeGroup batches a group, the next group
// checked while this one is stored), so that a failure costs one group, memory holds a
// group or two, and each group's pages of the store are written once.
func (h *Hub) Merge(ctx context.Context, batches []*batch.Batch, opts Options) ([]Result, error) {
	return h.StoreGroup(ctx, CheckGroup(batches, opts))
}

// Checked is a group of batches through the checks that need no hub state, ready for
// Hub.StoreGroup.
type Checked struct {
	batches []*batch.Batch
	vs      []store.Verified
	out     []Result
}

// Len is the number of batches in the group.
func (c *Checked) Len() int { return len(c.batches) }

// Batch returns the group's batch i.
func (c *Checked) Batch(i int) *batch.Batch { return c.batches[i] }

// CheckGroup runs Check and store.VerifyBatchRevisions on each batch, up to GOMAXPROCS
// batches at a time: a batch that fails is rejected in the result StoreGroup returns.
func CheckGroup(batches []*batch.Batch, opts Options) *Checked {
	c := &Checked{batches: batches, vs: make([]store.Verified, len(batches)), out: make([]Result, len(batches))}
	var wg sync.WaitGroup
	slots := make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))
	for i, b := range batches {
		m := &b.Manifest
		c.out[i] = Result{ID: m.ID, Device: m.Device, Sequence: m.Sequence, Signer: m.Signer}
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			revs, err := Check(b, opts)
			if err == nil {
				// The batch reader verified every revision's id (Check): the store need
				// not hash them all again.
				c.vs[i], err = store.VerifyBatchRevisions(revs...)
			}
			c.out[i].Rejected = err
		}()
	}
	wg.Wait()
	return c
}

// StoreGroup merges the batches of c that passed the checks, in order, in one transaction, and
// returns a result per batch of c (see Merge).
func (h *Hub) StoreGroup(ctx context.Context, c *Checked) ([]Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := slices.Clone(c.out)
	err := h.st.Update(ctx, func(tx *store.Tx) error {
		for i, b := range c.batches {
			if out[i].Rejected != nil {
				continue
			}
			res, err := h.AddTx(ctx, tx, b, c.vs[i])
			if err != nil {
				return err
			}
			out[i] = res
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// MergeGroup is how many batches a caller merging many passes to one Merge: 64 batches of
// 10 DGRA interviews are ~75,000 revisions in one transaction. MergeGroupContent bounds a
// group by the revisions' decompressed size (the manifests' content sizes) as well, so
// that a group of large batches stays within memory: a group ends before the batch that
// would take it past the bound (a batch larger than it is a group alone).
const (
	MergeGroup        = 64
	MergeGroupContent = 64 << 20
)

// MergeCheckpoint is the write-ahead log size (in pages, store.WithCheckpointer) past
// which a hub opened to merge many batches copies the log back into the database: ~200 MB
// rather than every 4 MB, so that pages several groups change are copied once, and beside
// its writer, on a connection of its own, so that the writer goes on storing groups while
// they are copied (it waits only for the last step: about one group's pages).
const MergeCheckpoint = 50000

// MergeCache is the page cache (KiB, store.WithCacheSize) of a hub opened to merge many
// batches: a group of MergeGroup DGRA batches dirties ~50 MB of pages; with the store's
// default of the time (32 MiB, 64 since 0006) pages spilled to the log before the commit
// and were read back (34 read calls and 137 KiB read per interview merged, 15 and 60 KiB
// with this).
const MergeCache = 256 << 10

// MergeOptions are the store options of a hub opened to merge many batches (the CLI's
// merge, into a hub or the home store): MergeCheckpoint and MergeCache.
func MergeOptions() []store.Option {
	return []store.Option{store.WithCheckpointer(MergeCheckpoint), store.WithCacheSize(MergeCache)}
}

// MergeOne verifies b with opts and, when it passes, merges it. See Merge.
func (h *Hub) MergeOne(ctx context.Context, b *batch.Batch, opts Options) (Result, error) {
	m := &b.Manifest
	res := Result{ID: m.ID, Device: m.Device, Sequence: m.Sequence, Signer: m.Signer}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	revs, err := Check(b, opts)
	if err != nil {
		res.Rejected = err
		return res, nil
	}
	// The batch reader verified every revision's id (Check): the store need not hash them
	// all again.
	v, err := store.VerifyBatchRevisions(revs...)
	if err != nil {
		res.Rejected = err
		return res, nil
	}
	return h.addVerified(ctx, b, v)
}

// Check runs every check of a batch that needs no hub state: the signature and trust, the
// payload, every revision, and the questionnaire versions. It returns the revisions.
func Check(b *batch.Batch, opts Options) ([]survey.Revision, error) {
	if err := batch.Verify(b, opts.Signers); err != nil {
		return nil, err
	}
	revs, err := b.Revisions(opts.Identities...)
	if err != nil {
		return nil, err
	}
	known := opts.Known
	if known == nil {
		known = func(batch.QuestionnaireRef) bool { return false }
	}
	if err := batch.CheckQuestionnaires(&b.Manifest, known); err != nil {
		return nil, err
	}
	if err := checkAuthority(b, revs, opts); err != nil {
		return nil, err
	}
	return revs, nil
}

// checkAuthority refuses decisions by a signer whose role does not decide, and (with
// OwnRevisionsOnly) revisions of other devices.
func checkAuthority(b *batch.Batch, revs []survey.Revision, opts Options) error {
	m := &b.Manifest
	role := survey.RoleAssessor
	if opts.Role != nil {
		role = opts.Role(m.Signer, b.SignerKey())
	}
	for _, r := range revs {
		if opts.OwnRevisionsOnly && r.Device != m.Device {
			return refuse(ErrForeignRevision, "revision %.12s of interview %s was made by device %s, but the batch is signed by device %s; only its own revisions are accepted",
				"thay đổi %.12s của cuộc phỏng vấn %s do thiết bị %s tạo, nhưng lô dữ liệu được ký bởi thiết bị %s; chỉ nhận các thay đổi của chính thiết bị đó",
				r.ID, r.Interview, r.Device, m.Device)
		}
		if r.Kind != survey.KindStatus || role.Decides() {
			continue
		}
		var st survey.StatusChange
		if err := json.Unmarshal(r.Value, &st); err != nil {
			return &refusal{class: survey.ErrBadRevision, msg: survey.T(fmt.Sprintf("status revision %.12s does not decode: %v", r.ID, err),
				fmt.Sprintf("không giải mã được thay đổi trạng thái %.12s", r.ID))}
		}
		if st.Status.IsDecision() && r.Device == m.Device {
			return &refusal{class: ErrDecisionNotAllowed, msg: survey.T(
				fmt.Sprintf("interview %s is set %s by %s, whose key is an %s's; only a supervisor approves, returns or reopens an interview",
					r.Interview, st.Status, m.Signer, role),
				fmt.Sprintf("cuộc phỏng vấn %s được đặt là %s bởi %s, người có khoá của %s; chỉ người giám sát mới duyệt, trả lại hoặc mở lại một cuộc phỏng vấn",
					r.Interview, st.Status.Label().Get(survey.LangVI), m.Signer, role.Label().Get(survey.LangVI)))}
		}
	}
	return nil
}

// errRejected carries a rejection out of the transaction (rolling it back).
type errRejected struct{ err error }

func (e errRejected) Error() string { return e.err.Error() }

// Add stores a batch that passed Check, with its revisions, in one transaction: or reports
// it as a replay (changing nothing), or rejects it when it contradicts the hub (same id
// with another hash, a reused sequence number, a device bound to another key) or when a
// revision fails store.Verify.
func (h *Hub) Add(ctx context.Context, b *batch.Batch, revs []survey.Revision) (Result, error) {
	v, err := store.Verify(revs...)
	if err != nil {
		m := &b.Manifest
		return Result{ID: m.ID, Device: m.Device, Sequence: m.Sequence, Signer: m.Signer, Rejected: err}, nil
	}
	return h.addVerified(ctx, b, v)
}

func (h *Hub) addVerified(ctx context.Context, b *batch.Batch, v store.Verified) (Result, error) {
	var res Result
	err := h.st.Update(ctx, func(tx *store.Tx) error {
		var err error
		res, err = h.AddTx(ctx, tx, b, v)
		return err
	})
	return res, err
}

// AddTx is Add inside the caller's transaction tx, for revisions already checked with
// store.Verify: several batches can be stored in one transaction (a server's group
// commit). A rejection (Result.Rejected) and a replay are decided before anything is
// written: tx is then as it was, and the caller may go on with other batches. When AddTx
// returns an error, tx may hold part of the batch: the caller must roll it back (return
// the error from its Update function). Nothing is durable before tx commits.
func (h *Hub) AddTx(ctx context.Context, tx *store.Tx, b *batch.Batch, revs store.Verified) (Result, error) {
	m := &b.Manifest
	res := Result{ID: m.ID, Device: m.Device, Sequence: m.Sequence, Signer: m.Signer}
	hash := b.Hash()
	fp := keys.Fingerprint(b.SignerKey())
	now := h.now().UnixMilli()
	// Every check comes before the first write (the device record).
	err := func() error {
		reject := func(err error) error { return errRejected{err} }
		var oldHash string
		err := tx.QueryRowContext(ctx, `SELECT hash FROM hub_batches WHERE id = ?`, m.ID).Scan(&oldHash)
		switch {
		case err == nil && oldHash == hash:
			res.Replay, res.Present = true, revs.Len()
			return nil
		case err == nil:
			return reject(BatchConflict(m, oldHash, hash))
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("look up batch: %w", err)
		}
		var otherID string
		err = tx.QueryRowContext(ctx, `SELECT id FROM hub_batches WHERE device = ? AND sequence = ?`, m.Device, int64(m.Sequence)).Scan(&otherID)
		switch {
		case err == nil:
			return reject(SequenceReused(m, otherID))
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("look up sequence: %w", err)
		}
		var boundKey string
		err = tx.QueryRowContext(ctx, `SELECT key FROM hub_devices WHERE device = ?`, m.Device).Scan(&boundKey)
		switch {
		case err == nil && boundKey != fp:
			return reject(DeviceKey(m, boundKey, fp))
		case err == nil:
			if _, err := tx.ExecContext(ctx, `UPDATE hub_devices SET last = ? WHERE device = ?`, now, m.Device); err != nil {
				return fmt.Errorf("record device: %w", err)
			}
		case errors.Is(err, sql.ErrNoRows):
			if _, err := tx.ExecContext(ctx, `INSERT INTO hub_devices (device, key, signer, first, last) VALUES (?, ?, ?, ?, ?)`,
				m.Device, fp, m.Signer, now, now); err != nil {
				return fmt.Errorf("record device: %w", err)
			}
		default:
			return fmt.Errorf("look up device: %w", err)
		}
		// The revisions go in with their batch recorded (what MarkBatched did after).
		ar, err := tx.AppendBatch(m.ID, revs)
		if err != nil {
			return err
		}
		enc := 0
		if m.Payload.Encrypted {
			enc = 1
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO hub_batches
			(id, hash, device, sequence, signer, key, created, merged, revisions, added, encrypted, manifest, signature)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			m.ID, hash, m.Device, int64(m.Sequence), m.Signer, fp, m.CreatedTime().UnixMilli(), now,
			revs.Len(), ar.Added, enc, b.ManifestBytes, b.SignatureBytes); err != nil {
			return fmt.Errorf("record batch: %w", err)
		}
		res.Added, res.Present, res.Reused = ar.Added, ar.Present, ar.Reused
		return nil
	}()
	var rej errRejected
	if errors.As(err, &rej) {
		res.Rejected = rej.err
		return res, nil
	}
	if err != nil {
		return res, fmt.Errorf("merge batch %s: %w", m.ID, err)
	}
	return res, nil
}

// Gap is a run of sequence numbers of a device that the hub has not merged.
type Gap struct {
	Device   string
	From, To uint64
}

// Gaps returns, per device, the runs of missing sequence numbers between 1 and the highest
// merged, ordered by device and number.
func (h *Hub) Gaps(ctx context.Context) ([]Gap, error) {
	devs, err := h.Devices(ctx)
	if err != nil {
		return nil, err
	}
	var out []Gap
	for _, d := range devs {
		out = append(out, d.Missing...)
	}
	return out, nil
}

// GapsOf lists the sequence numbers missing below each device's highest, from batch
// records ordered by device and sequence number (as Batches returns them), the devices in
// byte order whatever the order a database's collation gave them.
func GapsOf(recs []BatchRecord) []Gap {
	var out []Gap
	var dev string
	var last uint64
	for _, r := range recs {
		if r.Device != dev {
			dev, last = r.Device, 0
		}
		if r.Sequence > last+1 {
			out = append(out, Gap{Device: dev, From: last + 1, To: r.Sequence - 1})
		}
		last = max(last, r.Sequence)
	}
	slices.SortStableFunc(out, func(a, b Gap) int { return strings.Compare(a.Device, b.Device) })
	return out
}

// Held is what a merge reports once done: the sequence numbers missing of each device
// whose batches the store holds, the answers or fields with two versions, and the
// interviews held without their creation.
type Held struct {
	Gaps      []Gap
	Conflicts int
	Waiting   []string // sorted
}

// Held reads what the hub holds after a merge.
func (h *Hub) Held(ctx context.Context) (Held, error) {
	gaps, err := h.Gaps(ctx)
	if err != nil {
		return Held{}, err
	}
	out, err := Unsettled(ctx, h.st)
	out.Gaps = gaps
	return out, err
}

// Unsettled reads the conflicts and the interviews waiting for their creation of a survey
// store (Held without the gaps).
func Unsettled(ctx context.Context, st *store.Store) (Held, error) {
	var out Held
	cs, err := st.Conflicts(ctx)
	if err != nil {
		return out, err
	}
	out.Conflicts = len(cs)
	ws, err := st.List(ctx, store.ListOptions{Waiting: true})
	if err != nil {
		return out, err
	}
	for _, w := range ws {
		out.Waiting = append(out.Waiting, w.ID)
	}
	slices.Sort(out.Waiting)
	return out, nil
}

// FormatGaps says which numbers are missing: "4", "4–5", "2, 4–5".
func FormatGaps(gaps []Gap) string {
	parts := make([]string, len(gaps))
	for i, g := range gaps {
		if g.From == g.To {
			parts[i] = strconv.FormatUint(g.From, 10)
		} else {
			parts[i] = fmt.Sprintf("%d–%d", g.From, g.To)
		}
	}
	return strings.Join(parts, ", ")
}

// Device is a device the hub has merged batches from.
type Device struct {
	ID      string
	Signer  string
	Key     string // fingerprint
	Batches int
	// LastSequence is the highest sequence number merged.
	LastSequence uint64
	First, Last  time.Time
	Missing      []Gap
}

// Devices lists the devices, ordered by id, with their gaps.
func (h *Hub) Devices(ctx context.Context) ([]Device, error) {
	var out []Device
	err := h.st.View(ctx, func(tx *store.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT device, key, signer, first, last FROM hub_devices ORDER BY device`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var d Device
			var first, last int64
			if err := rows.Scan(&d.ID, &d.Key, &d.Signer, &first, &last); err != nil {
				rows.Close()
				return err
			}
			d.First, d.Last = time.UnixMilli(first).UTC(), time.UnixMilli(last).UTC()
			out = append(out, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = tx.QueryContext(ctx, `SELECT device, sequence FROM hub_batches ORDER BY device, sequence`)
		if err != nil {
			return err
		}
		defer rows.Close()
		byID := map[string]*Device{}
		for i := range out {
			byID[out[i].ID] = &out[i]
		}
		for rows.Next() {
			var dev string
			var seq int64
			if err := rows.Scan(&dev, &seq); err != nil {
				return err
			}
			d := byID[dev]
			if d == nil {
				continue
			}
			if s := uint64(seq); s > d.LastSequence+1 {
				d.Missing = append(d.Missing, Gap{Device: dev, From: d.LastSequence + 1, To: s - 1})
			}
			d.LastSequence = max(d.LastSequence, uint64(seq))
			d.Batches++
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list devices: %w", err)
	}
	return out, nil
}

// BatchRecord is a merged batch as the hub records it.
type BatchRecord struct {
	ID, Hash, Device, Signer, Key string
	Sequence                      uint64
	Created, Merged               time.Time
	Revisions, Added              int
	Encrypted                     bool
}

// Batches lists the merged batches, ordered by device and sequence number.
func (h *Hub) Batches(ctx context.Context) ([]BatchRecord, error) {
	var out []BatchRecord
	err := h.st.View(ctx, func(tx *store.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, hash, device, signer, key, sequence, created, merged, revisions, added, encrypted
			FROM hub_batches ORDER BY device, sequence`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r BatchRecord
			var seq, created, merged int64
			if err := rows.Scan(&r.ID, &r.Hash, &r.Device, &r.Signer, &r.Key, &seq, &created, &merged, &r.Revisions, &r.Added, &r.Encrypted); err != nil {
				return err
			}
			r.Sequence = uint64(seq)
			r.Created, r.Merged = time.UnixMilli(created).UTC(), time.UnixMilli(merged).UTC()
			out = append(out, r)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list batches: %w", err)
	}
	return out, nil
}
