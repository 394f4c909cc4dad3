package client

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"filippo.io/age"
	"golang.org/x/crypto/ssh"

	"github.com/fieldsurvey/fieldsurvey/internal/atomicfile"
	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
	"github.com/fieldsurvey/fieldsurvey/sync/batch"
	"github.com/fieldsurvey/fieldsurvey/sync/keys"
)

// UncommittedDir (in the home folder) keeps batch files written to the outbox but never
// recorded in the store, because the program stopped in between, and that are not the
// batch a later CreateBatch made: their revisions went into that later batch.
const UncommittedDir = "outbox/uncommitted"

// The store settings of batch creation.
const (
	// metaSequence holds the last batch sequence number used.
	metaSequence = "batch.sequence"
	// metaCopied holds the sequence number of the last batch CopyOutbox copied.
	metaCopied = "batch.copied"
)

// outboxRE matches the name of a batch in the outbox (OutboxName) and captures its
// sequence number.
var outboxRE = regexp.MustCompile(`^([0-9]+)-[0-9a-f]{32}\.fsbatch$`)

// OutboxName is the file name of a batch in the outbox: its sequence number, then its id.
func OutboxName(m *batch.Manifest) string {
	return fmt.Sprintf("%06d-%s%s", m.Sequence, m.ID, batch.Ext)
}

// CreateOptions configure CreateBatch: who the batches are from, and for whom.
type CreateOptions struct {
	Home       string          // the home folder: batches go to Home/outbox
	Device     string          // this device's id (config device); required
	Signer     ssh.Signer      // the device key; required
	Principal  string          // the name the key signs as (assessor.principal)
	Recipients []age.Recipient // encrypt the payload to these (none: not encrypted)
	// Limits are the receivers' limits the batches must fit (zero fields: the defaults
	// every receiver applies).
	Limits batch.Limits
}

// Made is a batch file CreateBatch recorded: one it wrote, or one it adopted.
type Made struct {
	Path     string
	Manifest *batch.Manifest
	// Adopted: the file was in the outbox already, written by a run that stopped before
	// recording it, and is exactly the batch this run would make; it was recorded as it is.
	Adopted bool
}

// Staying is an interview whose pending revisions no receiver would take (made before the
// checks at entry and import existed): they stay on the device, unbatched.
type Staying struct {
	Interview string
	Revisions int   // how many of its revisions stay
	Err       error // why the first of them cannot travel (batch.CheckRevision)
}

// CreateResult is what CreateBatch did. It is filled as far as the run went, also when it
// returns an error: files already moved aside are in Quarantined.
type CreateResult struct {
	// Made are the batches recorded, in sequence order (adopted leftovers first). None: nothing
	// was pending that could travel, and nothing was written.
	Made []Made
	// Staying are the interviews with revisions that stay on the device, in the order of
	// their first pending revision.
	Staying []Staying
	// Quarantined are the names of the leftover files moved to UncommittedDir, in sequence
	// order.
	Quarantined []string
}

// Packed is what Options.Pack reports of res: the last batch made, with the revisions of
// all; nil when none was made.
func (res CreateResult) Packed() *Packed {
	var p *Packed
	for _, b := range res.Made {
		n := b.Manifest.Revisions
		if p != nil {
			n += p.Revisions
		}
		p = &Packed{Seq: b.Manifest.Sequence, Batch: b.Manifest.ID, Revisions: n, Path: b.Path}
	}
	return p
}

// errNothingPending ends the transaction of a run that has nothing to record.
var errNothingPending = errors.New("nothing pending")

// CreateBatch packs every revision of st not yet in a batch into signed batch files in the
// outbox (Home/outbox), numbered with the device's next sequence numbers, several when the
// revisions are more than one batch may hold (o.Limits), and marks the revisions as batched.
//
// Guarantees:
//   - It runs inside the store's write transaction: a second CreateBatch (in this process
//     or another) waits, so sequence numbers never repeat.
//   - Each file is durable (synced, its folder synced) before its revisions are marked and
//     its number recorded; the sequence number is recorded last.
//   - If the program stops in between, the files stay in the outbox. The next run records
//     each one that is the batch it would make anyway (same number, this device's, signed by
//     its key, holding exactly the next pending revisions: the same id), keeping its bytes,
//     so a receiver that saw it meanwhile sees the same batch again (Made.Adopted). Any
//     other leftover numbered above the last recorded is moved to UncommittedDir
//     (Quarantined), never deleted, and its number is used again.
//   - Revisions no receiver would take stay unbatched (Staying); the rest travel.
//   - With nothing that can travel and nothing to adopt it writes nothing and returns a
//     result with no Made.
//
// Errors are *survey.StepError (with a text in every language), or the context's.
func CreateBatch(ctx context.Context, st *store.Store, o CreateOptions) (CreateResult, error) {
	if o.Device == "" || o.Signer == nil {
		return CreateResult{}, errors.New("create batch: no device id or no device key")
	}
	outbox := filepath.Join(o.Home, OutboxDir)
	if err := os.MkdirAll(outbox, 0o700); err != nil {
		return CreateResult{}, survey.StepErr(err, "create the outbox", "tạo thư mục outbox")
	}
	var res CreateResult
	err := st.Update(ctx, func(tx *store.Tx) error {
		res = CreateResult{}
		last, err := readSequence(ctx, tx)
		if err != nil {
			return err
		}
		pending, err := st.Pending(ctx)
		if err != nil {
			return err
		}
		// What no receiver would take stays here, with a warning (made before the checks
		// at entry and import existed); the rest travels.
		var travel []survey.Revision
		for _, r := range pending {
			if err := batch.CheckRevision(r, o.Limits); err != nil {
				res.stay(r, err)
				continue
			}
			travel = append(travel, r)
		}
		left, err := leftovers(outbox, last)
		if err != nil {
			return err
		}
		seq := last + 1
		for {
			p, ok := left[seq]
			if !ok {
				break
			}
			b, ok := adoptable(p, travel, o)
			if !ok {
				break
			}
			n := b.Manifest.Revisions
			if err := tx.MarkBatched(b.Manifest.ID, revisionIDs(travel[:n])); err != nil {
				return err
			}
			res.Made = append(res.Made, Made{Path: p, Manifest: &b.Manifest, Adopted: true})
			travel = travel[n:]
			delete(left, seq)
			seq++
		}
		if err := quarantine(o.Home, left, &res); err != nil {
			return err
		}
		if len(travel) == 0 && len(res.Made) == 0 {
			return errNothingPending
		}
		runs, err := batch.Split(travel, o.Limits)
		if err != nil {
			return err
		}
		for _, run := range runs {
			refs, err := questionnaireRefs(ctx, st, run)
			if err != nil {
				return err
			}
			data, m, err := batch.Create(run, batch.Options{Device: o.Device, Signer: o.Signer, Principal: o.Principal,
				Sequence: seq, Recipients: o.Recipients, Questionnaires: refs})
			if err != nil {
				return err
			}
			if limit := cmp.Or(o.Limits.MaxSize, batch.DefaultLimits.MaxSize); int64(len(data)) > limit {
				return fmt.Errorf("batch %d has %d bytes, over the limit receivers accept (a bug: please report it)", m.Sequence, len(data))
			}
			p := filepath.Join(outbox, OutboxName(m))
			if err := writeNewDurable(p, data); err != nil {
				return survey.StepErr(err, "write %s", "ghi %s", p)
			}
			res.Made = append(res.Made, Made{Path: p, Manifest: m})
			if err := tx.MarkBatched(m.ID, revisionIDs(run)); err != nil {
				return err
			}
			seq++
		}
		return tx.SetMeta(metaSequence, strconv.FormatUint(seq-1, 10))
	})
	switch {
	case errors.Is(err, errNothingPending):
		return res, nil
	case err != nil:
		// Files written before the failure stay in the outbox, unrecorded: the next run
		// records them if they are still the batches it would make, or moves them aside.
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		return res, survey.StepErr(err, "create batch", "tạo lô dữ liệu")
	}
	return res, nil
}

// stay notes that r stays on the device, because of err.
func (res *CreateResult) stay(r survey.Revision, err error) {
	for i := range res.Staying {
		if res.Staying[i].Interview == r.Interview {
			res.Staying[i].Revisions++
			return
		}
	}
	res.Staying = append(res.Staying, Staying{Interview: r.Interview, Revisions: 1, Err: err})
}

func revisionIDs(revs []survey.Revision) []string {
	ids := make([]string, len(revs))
	for i, r := range revs {
		ids[i] = r.ID
	}
	return ids
}

// readSequence returns the last sequence number recorded (0: none yet).
func readSequence(ctx context.Context, tx *store.Tx) (uint64, error) {
	var v string
	err := tx.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = ?", metaSequence).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read the last batch number: %w", err)
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("the last batch number %q in the database is not a number", v)
	}
	return n, nil
}

// outboxFile is a batch file of the outbox and its sequence number.
type outboxFile struct {
	seq  uint64
	path string
}

// outboxBatches returns the batch files of the outbox numbered above after, in sequence
// order.
func outboxBatches(outbox string, after uint64) ([]outboxFile, error) {
	ents, err := os.ReadDir(outbox)
	if err != nil {
		return nil, err
	}
	var out []outboxFile
	for _, e := range ents {
		sm := outboxRE.FindStringSubmatch(e.Name())
		if sm == nil || e.IsDir() {
			continue
		}
		if seq, err := strconv.ParseUint(sm[1], 10, 64); err == nil && seq > after {
			out = append(out, outboxFile{seq, filepath.Join(outbox, e.Name())})
		}
	}
	slices.SortStableFunc(out, func(a, b outboxFile) int { return cmp.Compare(a.seq, b.seq) })
	return out, nil
}

// leftovers returns the outbox files numbered above last (written, never recorded), by
// sequence number.
func leftovers(outbox string, last uint64) (map[uint64]string, error) {
	files, err := outboxBatches(outbox, last)
	if err != nil {
		return nil, fmt.Errorf("read the outbox: %w", err)
	}
	out := map[uint64]string{}
	for _, f := range files {
		out[f.seq] = f.path
	}
	return out, nil
}

// adoptable reads the leftover batch at path and reports whether it is the batch this run
// would make first: this device's, signed by its key as principal, holding exactly the
// first revisions of pending (in batch order).
func adoptable(path string, pending []survey.Revision, o CreateOptions) (*batch.Batch, bool) {
	f, err := os.Open(path)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	b, err := batch.Read(f, o.Limits)
	if err != nil {
		return nil, false
	}
	m := &b.Manifest
	if m.Device != o.Device || m.Signer != o.Principal || m.Revisions == 0 || m.Revisions > len(pending) {
		return nil, false
	}
	own, err := keys.ParseAllowedSigners(strings.NewReader(keys.SignerLine(o.Principal, o.Signer.PublicKey(), batch.Namespace)))
	if err != nil || batch.Verify(b, own) != nil {
		return nil, false
	}
	sum, err := batch.ContentHash(pending[:m.Revisions], m.FormatVersion)
	if err != nil || sum != m.Content.SHA256 {
		return nil, false
	}
	return b, true
}

// quarantine moves the leftover outbox files (written, never recorded, and not the batch
// the run makes) to UncommittedDir, keeping them, and notes their names in res.
func quarantine(home string, left map[uint64]string, res *CreateResult) error {
	dir := filepath.Join(home, UncommittedDir)
	for _, seq := range slices.Sorted(maps.Keys(left)) {
		name := filepath.Base(left[seq])
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("create %s: %w", dir, err)
		}
		if err := os.Rename(left[seq], filepath.Join(dir, name)); err != nil {
			return fmt.Errorf("move %s aside: %w", name, err)
		}
		res.Quarantined = append(res.Quarantined, name)
	}
	return nil
}

// questionnaireRefs lists the questionnaire version of every interview with pending revisions.
func questionnaireRefs(ctx context.Context, st *store.Store, pending []survey.Revision) ([]batch.QuestionnaireRef, error) {
	seen := map[string]bool{}
	var refs []batch.QuestionnaireRef
	for _, r := range pending {
		if seen[r.Interview] {
			continue
		}
		seen[r.Interview] = true
		s, err := st.Interview(ctx, r.Interview)
		if err != nil {
			return nil, fmt.Errorf("read interview %s: %w", r.Interview, err)
		}
		if s.HasMeta() {
			refs = append(refs, batch.QuestionnaireRef{ID: s.Meta.Questionnaire, Version: s.Meta.QuestionnaireVersion})
		}
	}
	return refs, nil
}

// writeNewDurable writes data to a new file at path (never replacing one) through a synced
// temporary file, and syncs the folder, so that the file survives a power cut once this
// returns. A file already there with the same bytes counts as written.
func writeNewDurable(path string, data []byte) error {
	created, err := atomicfile.Create(path, data, 0o600)
	if err != nil {
		return err
	}
	if !created {
		old, err := os.ReadFile(path)
		if err == nil && bytes.Equal(old, data) {
			return nil
		}
		return fmt.Errorf("%s already exists", path)
	}
	return nil
}

// CopyError is CopyOutbox's failure to write a copy: the batch stays safe in the outbox at
// From, and the next CopyOutbox copies it.
type CopyError struct {
	From string // the batch in the outbox
	Dir  string // the folder it was to be copied to
	Err  error
}

func (e *CopyError) Error() string { return fmt.Sprintf("copy the batch to %s: %v", e.Dir, e.Err) }

// Unwrap returns the cause.
func (e *CopyError) Unwrap() error { return e.Err }

// CopyOutbox copies to dir (a USB stick), in sequence order, every batch of the outbox
// that no earlier CopyOutbox copied, and returns the paths of the copies it wrote (also
// with an error: those were copied). A copy that failed is made again by the next call,
// and a batch already carried away on a stick is not copied to every later one. A batch
// already in dir byte for byte counts as copied (and is not returned); another file of
// the same name is a *CopyError: nothing is overwritten. Each copy is durable before it
// counts as copied.
func CopyOutbox(ctx context.Context, st *store.Store, home, dir string) ([]string, error) {
	copied := uint64(0)
	if v, ok, err := st.GetMeta(ctx, metaCopied); err != nil {
		return nil, err
	} else if ok {
		copied, _ = strconv.ParseUint(v, 10, 64)
	}
	outbox := filepath.Join(home, OutboxDir)
	todo, err := outboxBatches(outbox, copied)
	if err != nil {
		return nil, survey.StepErr(err, "read the outbox", "đọc thư mục outbox")
	}
	var wrote []string
	for _, f := range todo {
		from, to := f.path, filepath.Join(dir, filepath.Base(f.path))
		data, err := os.ReadFile(from)
		if err != nil {
			return wrote, survey.StepErr(err, "read %s", "đọc %s", from)
		}
		if old, err := os.ReadFile(to); err != nil || !bytes.Equal(old, data) {
			if err := writeNewDurable(to, data); err != nil {
				return wrote, &CopyError{From: from, Dir: dir, Err: err}
			}
			wrote = append(wrote, to)
		}
		if err := st.SetMeta(ctx, metaCopied, strconv.FormatUint(f.seq, 10)); err != nil {
			return wrote, err
		}
	}
	return wrote, nil
}
