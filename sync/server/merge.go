package server

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/sync/batch"
	"github.com/fieldsurvey/fieldsurvey/sync/hub"
	"github.com/fieldsurvey/fieldsurvey/sync/keys"
	"github.com/fieldsurvey/fieldsurvey/sync/wire"
)

// FileMerge merges batch files into a server's store (`fieldsurvey merge --into
// postgres://…`): the batches a supervisor collected on USB sticks go where the server's
// devices and supervisors receive them. Each file is checked whole before anything of it
// is stored, as an upload is (hub.Check with Options: a signer of Options.Signers, the
// payload hash, every revision, questionnaire versions that Options.Known knows; a
// decision — approve, return, reopen — is refused, as it is merging into a hub file), and
// then by the store (Store.Ingest: the same batch again is a replay that changes nothing,
// the same id with other content or a reused sequence number is refused, so is a device
// bound to another key and a revision of another device the store does not hold). Two
// more checks come from the server's records: a device enrolled with the server must
// have signed with its enrolled key, and a revoked device's batches are refused.
//
// A stored batch joins the feed as an upload does: the supervisors whose scope covers
// its interviews, the devices they are assigned to and its own device (when enrolled)
// receive its revisions when they next sync. Unlike an upload, it does not mark an
// interview submitted (the server's own revision): the store then holds the union of
// the batches' revisions, the same as `merge --into HUB.db` of the same files.
//
// It is safe while `serve` nodes run on the same database: Ingest takes the store's
// locks (on PostgreSQL, advisory locks shared with every node), so a batch merged here
// and uploaded there at the same moment is stored once.
type FileMerge struct {
	Store Store
	// Options are the checks of every batch: Signers (required), Identities, Known (see
	// KnownQuestionnaires). Role is ignored: every signer is an assessor here.
	Options hub.Options
	// Now is the time recorded as the batches' arrival (time.Now when nil).
	Now func() time.Time
}

// Errors of the server's records, for a batch file merged into its store.
var (
	// ErrDeviceRevoked: the batch's device was revoked on the server.
	ErrDeviceRevoked = errors.New("device revoked on the server")
)

// Merge merges files in order, one transaction a batch, reading and checking the files
// ahead of the one being stored, and calls done with each file's result once stored (or
// refused: Result.Rejected, and nothing of it is stored). The error is a failure of the
// store or a cancelled context: the files before the one being stored are merged, the
// others are not, and merging the same files again is safe.
func (m FileMerge) Merge(ctx context.Context, files []string, done func(i int, file string, res hub.Result)) error {
	opts := m.Options
	opts.Role = nil
	now := m.Now
	if now == nil {
		now = time.Now
	}
	type checked struct {
		b    *batch.Batch
		revs []survey.Revision
		err  error
	}
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := max(1, runtime.GOMAXPROCS(0))
	ahead := make(chan chan checked, 2*workers)
	slots := make(chan struct{}, workers)
	go func() {
		defer close(ahead)
		for _, file := range files {
			c := make(chan checked, 1)
			select {
			case ahead <- c:
			case <-rctx.Done():
				return
			}
			slots <- struct{}{}
			go func() {
				defer func() { <-slots }()
				b, err := batch.ReadFile(file)
				if err != nil {
					c <- checked{err: err}
					return
				}
				revs, err := hub.Check(b, opts)
				c <- checked{b: b, revs: revs, err: err}
			}()
		}
	}()
	i := 0
	for c := range ahead {
		ck := <-c
		file := files[i]
		res := hub.Result{Rejected: ck.err}
		if ck.b != nil {
			mf := &ck.b.Manifest
			res.ID, res.Device, res.Sequence, res.Signer = mf.ID, mf.Device, mf.Sequence, mf.Signer
		}
		if ck.err == nil {
			if err := ctx.Err(); err != nil {
				return err
			}
			out, err := m.ingest(ctx, ck.b, ck.revs, now())
			var ce *ContentError
			switch {
			case errors.As(err, &ce), errors.Is(err, ErrDeviceRevoked), errors.Is(err, hub.ErrDeviceKey):
				res.Rejected = err
			case err != nil:
				return fmt.Errorf("merge %s: %w", file, err)
			case out.Replay:
				res.Replay, res.Present = true, out.Receipt.Revisions
			default:
				res.Added, res.Present = out.Receipt.Added, out.Receipt.Present
			}
		}
		done(i, file, res)
		i++
	}
	return ctx.Err()
}

// ingest stores one checked batch as an upload of its device.
func (m FileMerge) ingest(ctx context.Context, b *batch.Batch, revs []survey.Revision, now time.Time) (Ingested, error) {
	mf := &b.Manifest
	dev := Device{ID: mf.Device, Principal: mf.Signer, Role: survey.RoleAssessor}
	unenrolled := true
	switch d, err := m.Store.Device(ctx, mf.Device); {
	case err == nil:
		if d.IsRevoked() {
			return Ingested{}, fmt.Errorf("%w: device %s was revoked on %s; its batches are no longer taken in",
				ErrDeviceRevoked, mf.Device, d.Revoked.UTC().Format(time.DateOnly))
		}
		pub, err := parseDeviceKey(d.PublicKey)
		if err != nil {
			return Ingested{}, fmt.Errorf("device %s: stored key: %w", d.ID, err)
		}
		if enrolled, signed := keys.Fingerprint(pub), keys.Fingerprint(b.SignerKey()); enrolled != signed {
			return Ingested{}, fmt.Errorf("%w: device %s is enrolled with the server with key %s, this batch is signed by %s",
				hub.ErrDeviceKey, mf.Device, enrolled, signed)
		}
		// Its own record, without a supervisor's powers: a file merged here decides nothing.
		dev, unenrolled = d, false
		dev.Role, dev.Scope = survey.RoleAssessor, nil
	case !errors.Is(err, wire.ErrDeviceUnknown):
		return Ingested{}, fmt.Errorf("look up device %s: %w", mf.Device, err)
	}
	return m.Store.Ingest(ctx, Upload{Device: dev, Batch: b, Revisions: revs, Time: now, Unenrolled: unenrolled})
}

// ExplainMerge splits a refusal of FileMerge into the check that failed and the details,
// in English and Vietnamese, like hub.Explain.
func ExplainMerge(err error) (reason, detail survey.Text) {
	var ce *ContentError
	switch {
	case errors.As(err, &ce):
		// The detail, without the sentence for devices that the code gives it
		// ("<sentence> (<detail>)", wire.NewError), nor the hub's class in front.
		en, vi := ce.Err.Message, ce.Err.MessageVI
		bare := wire.NewError(ce.Err.Code, "")
		if d, ok := strings.CutPrefix(en, bare.Message+" ("); ok && strings.HasSuffix(d, ")") {
			en = strings.TrimSuffix(d, ")")
		}
		if d, ok := strings.CutPrefix(vi, bare.MessageVI+" ("); ok && strings.HasSuffix(d, ")") {
			vi = strings.TrimSuffix(d, ")")
		}
		for _, class := range []error{hub.ErrBatchConflict, hub.ErrSequenceReused, hub.ErrDeviceKey} {
			en = strings.TrimPrefix(en, class.Error()+": ")
			vi = strings.TrimPrefix(vi, class.Error()+": ")
			vi = strings.TrimPrefix(vi, hub.Reason(class).Get(survey.LangVI)+": ")
		}
		if vi == "" {
			vi = en
		}
		reason = ce.Reason
		if reason == nil {
			reason = survey.T("rejected", "bị từ chối")
		}
		return reason, survey.T(en, vi)
	case errors.Is(err, ErrDeviceRevoked):
		d := strings.TrimPrefix(err.Error(), ErrDeviceRevoked.Error()+": ")
		return survey.T("device revoked on the server", "thiết bị đã bị thu hồi trên máy chủ"), survey.T(d, d)
	}
	return hub.Describe(err)
}

// KnownQuestionnaires reports the questionnaire versions a server knows: the bundled ones
// and those published in st (`server publish`), read now.
func KnownQuestionnaires(ctx context.Context, st Store) (func(batch.QuestionnaireRef) bool, error) {
	bundled, err := BundledKnown()
	if err != nil {
		return nil, err
	}
	pubs, err := st.Questionnaires(ctx)
	if err != nil {
		return nil, fmt.Errorf("list published questionnaires: %w", err)
	}
	set := map[batch.QuestionnaireRef]bool{}
	for _, p := range pubs {
		set[batch.QuestionnaireRef{ID: p.ID, Version: p.Version}] = true
	}
	return func(q batch.QuestionnaireRef) bool { return bundled(q) || set[q] }, nil
}

// Held reads st's HeldState (the SQLite and PostgreSQL stores).
func Held(ctx context.Context, st Store) (hub.Held, error) {
	var out hub.Held
	in, ok := st.(Inspector)
	if !ok {
		return out, fmt.Errorf("the store %T cannot be inspected", st)
	}
	recs, err := in.Batches(ctx)
	if err != nil {
		return out, err
	}
	gaps := hub.GapsOf(recs)
	switch s := st.(type) {
	case *Postgres:
		err = s.view(ctx, func(tx pgx.Tx) error {
			if err := tx.QueryRow(ctx, `SELECT coalesce(sum(conflicts), 0) FROM interviews`).Scan(&out.Conflicts); err != nil {
				return err
			}
			rows, err := tx.Query(ctx, `SELECT id FROM interviews WHERE questionnaire = '' ORDER BY id`)
			if err != nil {
				return err
			}
			out.Waiting, err = pgx.CollectRows(rows, pgx.RowTo[string])
			return err
		})
		if err != nil {
			return out, fmt.Errorf("read interviews: %w", err)
		}
	case *SQLite:
		if out, err = hub.Unsettled(ctx, s.st); err != nil {
			return out, err
		}
	default:
		return out, fmt.Errorf("the store %T cannot be inspected", st)
	}
	out.Gaps = gaps
	return out, nil
}
