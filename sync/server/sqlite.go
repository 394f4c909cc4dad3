package server

import (
	"bytes"
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
	"github.com/fieldsurvey/fieldsurvey/sync/hub"
	"github.com/fieldsurvey/fieldsurvey/sync/wire"
)

// DBFile is the name of the hub store in the server's data folder.
const DBFile = "hub.db"

// Component is the name of the server's tables in the store's schema_migrations.
const Component = "server"

//go:embed migrations/*.sql
var migrationFS embed.FS

// Migrations returns the server's schema steps (for store.WithMigrations).
func Migrations() []store.Migration {
	ms, err := store.MigrationsIn(migrationFS, "migrations")
	if err != nil {
		panic(err) // embedded at build time: a bad name is a programming error
	}
	return ms
}

// SQLite is the Store on SQLite: the hub store (package hub: survey/store with the hub's
// batch records) with the server's own tables added, in one database file.
type SQLite struct {
	hub *hub.Hub
	st  *store.Store
	grp *grouper
	// nonceSwept is when UseNonce last deleted expired nonces (Unix milliseconds).
	nonceSwept atomic.Int64
}

var _ Store = (*SQLite)(nil)

// walCheckpoint is the server store's checkpoint threshold (store.WithCheckpointer): about
// 200 MB of log, so that the pages every group commit changes (the index of revision ids
// above all) are copied into the database once for many transactions. The copy runs beside
// the group commit, which waits only for its last step (the grouper keeps groups small
// meanwhile: store.CheckpointSoon).
const walCheckpoint = 50000

// OpenSQLite opens (creating it if needed) the server's store in dir.
func OpenSQLite(dir string, opts ...store.Option) (*SQLite, error) {
	opts = append([]store.Option{store.WithCheckpointer(walCheckpoint)}, opts...)
	h, err := hub.Open(filepath.Join(dir, DBFile), append(opts, store.WithMigrations(Component, Migrations()))...)
	if err != nil {
		return nil, err
	}
	s := &SQLite{hub: h, st: h.Store()}
	s.grp = newGrouper(s.commitGroup)
	s.grp.small = s.st.CheckpointSoon
	return s, nil
}

// Hub returns the hub under the server's tables.
func (s *SQLite) Hub() *hub.Hub { return s.hub }

// Revisions returns the underlying revision store (interviews, reports).
func (s *SQLite) Revisions() *store.Store { return s.st }

// GroupCommits returns how many transactions stored uploaded batches (group commit) and
// how many batches they held.
func (s *SQLite) GroupCommits() (transactions, batches int, busy time.Duration) { return s.grp.stats() }

// Close waits for the uploads being stored, then closes the store.
func (s *SQLite) Close() error {
	s.grp.close()
	return s.hub.Close()
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.UnixMilli(v.Int64).UTC()
}

// AddToken stores an issued token's hash.
func (s *SQLite) AddToken(ctx context.Context, t TokenRecord) error {
	role := t.Role
	if role == "" {
		role = survey.RoleAssessor
	}
	return s.st.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO server_tokens (hash, assessor, created, expires, role, scope) VALUES (?, ?, ?, ?, ?, ?)`,
			t.Hash, t.Assessor, ms(t.Created), ms(t.Expires), string(role), joinScope(t.Scope))
		if err != nil {
			return fmt.Errorf("store token: %w", err)
		}
		return nil
	})
}

// joinScope and splitScope store a supervisor's provinces in one column, one a line.
func joinScope(scope []string) string { return strings.Join(scope, "\n") }

func splitScope(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

const deviceCols = `id, principal, assessor, public_key, enrolled, revoked, role, scope`

type scanner interface{ Scan(...any) error }

func scanDevice(sc scanner, extra ...any) (Device, error) {
	var d Device
	var enrolled, revoked sql.NullInt64
	var role, scope string
	if err := sc.Scan(append([]any{&d.ID, &d.Principal, &d.Assessor, &d.PublicKey, &enrolled, &revoked, &role, &scope}, extra...)...); err != nil {
		return Device{}, err
	}
	d.Enrolled, d.Revoked = fromMS(enrolled), fromMS(revoked)
	d.Role, d.Scope = survey.Role(role), splitScope(scope)
	return d, nil
}

func deviceTx(ctx context.Context, tx *store.Tx, id string) (Device, error) {
	d, err := scanDevice(tx.QueryRowContext(ctx, `SELECT `+deviceCols+` FROM server_devices WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Device{}, wire.Errorf(wire.CodeDeviceUnknown, "device %s", id)
	}
	if err != nil {
		return Device{}, fmt.Errorf("read device %s: %w", id, err)
	}
	return d, nil
}

// Enroll redeems a token and enrols a device (see Store).
func (s *SQLite) Enroll(ctx context.Context, tokenHash string, d Device, now time.Time) (Device, error) {
	want := d.Role
	if want == "" {
		want = survey.RoleAssessor
	}
	var out Device
	err := s.st.Update(ctx, func(tx *store.Tx) error {
		var assessor, role, scope string
		var expires int64
		var used sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT assessor, expires, used, role, scope FROM server_tokens WHERE hash = ?`, tokenHash).Scan(&assessor, &expires, &used, &role, &scope)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return wire.NewError(wire.CodeTokenUnknown, "")
		case err != nil:
			return fmt.Errorf("read token: %w", err)
		case used.Valid:
			return wire.Errorf(wire.CodeTokenUsed, "used %s", fromMS(used).Format(time.RFC3339))
		case ms(now) > expires:
			return wire.Errorf(wire.CodeTokenExpired, "expired %s", time.UnixMilli(expires).UTC().Format(time.RFC3339))
		case survey.Role(role) != want:
			return wire.Errorf(wire.CodeRoleMismatch, "the token is for %s's device; this device's home is %s's", aRole(survey.Role(role)), aRole(want))
		}
		old, err := deviceTx(ctx, tx, d.ID)
		isNew := errors.Is(err, wire.ErrDeviceUnknown)
		switch {
		case isNew:
		case err != nil:
			return err
		case old.IsRevoked():
			return wire.Errorf(wire.CodeDeviceRevoked, "device %s was revoked %s; a revoked device id cannot be enrolled again: run `fieldsurvey init` in a new home folder", d.ID, old.Revoked.Format(time.RFC3339))
		case old.PublicKey != d.PublicKey:
			return wire.Errorf(wire.CodeDeviceExists, "device %s", d.ID)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE server_tokens SET used = ?, used_by = ? WHERE hash = ?`, ms(now), d.ID, tokenHash); err != nil {
			return fmt.Errorf("use token: %w", err)
		}
		if isNew {
			_, err = tx.ExecContext(ctx, `INSERT INTO server_devices (id, principal, assessor, public_key, enrolled, last_seen, role, scope) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
				d.ID, d.Principal, assessor, d.PublicKey, ms(now), ms(now), role, scope)
			if err == nil {
				// Every published questionnaire waits for a new device.
				_, err = tx.ExecContext(ctx, `INSERT INTO server_feed (sender, device, qid, qversion, created)
					SELECT '', ?, id, version, ? FROM server_questionnaires ORDER BY published, id, version`, d.ID, ms(now))
			}
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE server_devices SET principal = ?, assessor = ?, last_seen = ?, role = ?, scope = ? WHERE id = ?`,
				d.Principal, assessor, ms(now), role, scope, d.ID)
		}
		if err != nil {
			return fmt.Errorf("store device: %w", err)
		}
		out, err = deviceTx(ctx, tx, d.ID)
		if err != nil {
			return err
		}
		if out.Role == survey.RoleSupervisor {
			return followScopeTx(ctx, tx, out, now)
		}
		return followAssignedTx(ctx, tx, out, now)
	})
	return out, err
}

// aRole is "an assessor", "a supervisor".
func aRole(r survey.Role) string {
	if r == survey.RoleAssessor {
		return "an " + string(r)
	}
	return "a " + string(r)
}

// followScopeTx makes a supervisor's device interested in every interview its scope covers.
func followScopeTx(ctx context.Context, tx *store.Tx, d Device, now time.Time) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, province FROM interviews ORDER BY id`)
	if err != nil {
		return fmt.Errorf("list interviews: %w", err)
	}
	var ivs []string
	for rows.Next() {
		var id, province string
		if err := rows.Scan(&id, &province); err != nil {
			rows.Close()
			return err
		}
		if d.Covers(province) {
			ivs = append(ivs, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, iv := range ivs {
		if err := followTx(ctx, tx, d.ID, iv, "", 0, now, false); err != nil {
			return err
		}
	}
	return nil
}

// followAssignedTx makes device d follow the planned interviews supervisors assigned to its
// principal before it enrolled (see assigneesTx for those assigned after). It reads the
// creation revisions of supervisors' devices: the pending ones (few: pending_revisions,
// the tail of the store since 0006), those in batches through each interview's creation
// target (the store keeps no index of revisions in batches by device since 0007: one
// look-up per interview held, at enrolment).
func followAssignedTx(ctx context.Context, tx *store.Tx, d Device, now time.Time) error {
	rows, err := tx.QueryContext(ctx, `SELECT r.interview, r.value FROM pending_revisions r
		JOIN server_devices s ON s.id = r.device WHERE s.role = ?1 AND r.kind = ?2
		UNION ALL SELECT r.interview, r.value FROM interviews
		CROSS JOIN revisions r ON r.interview = interviews.id AND r.kind = ?2 AND r.key = ''
		WHERE r.batch IS NOT NULL AND r.device IN (SELECT s.id FROM server_devices s WHERE s.role = ?1)
		ORDER BY 1`,
		string(survey.RoleSupervisor), string(survey.KindInterview))
	if err != nil {
		return fmt.Errorf("list planned interviews: %w", err)
	}
	var ivs []string
	for rows.Next() {
		var iv string
		var value []byte
		if err := rows.Scan(&iv, &value); err != nil {
			rows.Close()
			return err
		}
		var meta survey.InterviewMeta
		if json.Unmarshal(value, &meta) == nil && meta.Assignee != "" && meta.Assignee == d.Principal {
			ivs = append(ivs, iv)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, iv := range ivs {
		if err := followTx(ctx, tx, d.ID, iv, "", 0, now, false); err != nil {
			return err
		}
	}
	return nil
}

// Device returns an enrolled device.
func (s *SQLite) Device(ctx context.Context, id string) (Device, error) {
	var d Device
	err := s.st.View(ctx, func(tx *store.Tx) error {
		var err error
		d, err = deviceTx(ctx, tx, id)
		return err
	})
	return d, err
}

// Supervisors lists the active (not revoked) supervisor devices, by id.
func (s *SQLite) Supervisors(ctx context.Context) ([]Device, error) {
	var out []Device
	err := s.st.View(ctx, func(tx *store.Tx) error {
		var err error
		out, err = supervisorsTx(ctx, tx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list supervisors: %w", err)
	}
	return out, nil
}

func supervisorsTx(ctx context.Context, tx *store.Tx) ([]Device, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+deviceCols+` FROM server_devices WHERE role = ? AND revoked IS NULL ORDER BY id`, string(survey.RoleSupervisor))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Device
	for rows.Next() {
		d, err := scanDevice(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// Devices lists the enrolled devices, by id, with what they sent (from the hub's batch
// records: counts, highest sequence number, gaps) and what was refused.
func (s *SQLite) Devices(ctx context.Context) ([]DeviceReport, error) {
	var out []DeviceReport
	refused := map[string][]RefusalRecord{}
	err := s.st.View(ctx, func(tx *store.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+deviceCols+`, last_seen FROM server_devices ORDER BY id`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var r DeviceReport
			var seen sql.NullInt64
			if r.Device, err = scanDevice(rows, &seen); err != nil {
				rows.Close()
				return err
			}
			r.LastSync = fromMS(seen)
			out = append(out, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = tx.QueryContext(ctx, `SELECT `+refusalCols+` FROM server_refusals ORDER BY device, sequence, refused, batch`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			rf, err := scanRefusal(rows, false)
			if err != nil {
				return err
			}
			refused[rf.Device] = append(refused[rf.Device], rf)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list devices: %w", err)
	}
	hd, err := s.hub.Devices(ctx)
	if err != nil {
		return nil, err
	}
	byID := map[string]hub.Device{}
	for _, d := range hd {
		byID[d.ID] = d
	}
	for i := range out {
		r := &out[i]
		r.Refused = refused[r.ID]
		if d, ok := byID[r.ID]; ok {
			r.Batches, r.LastSeq = d.Batches, d.LastSequence
			r.Missing = withoutRefused(d.Missing, r.Refused)
			if d.Last.After(r.LastSync) {
				r.LastSync = d.Last
			}
		}
	}
	return out, nil
}

// withoutRefused removes the refused sequence numbers from gaps: a refused batch arrived.
func withoutRefused(gaps []hub.Gap, refused []RefusalRecord) []hub.Gap {
	if len(refused) == 0 {
		return gaps
	}
	out := []hub.Gap{}
	for _, g := range gaps {
		from := g.From
		for _, rf := range refused { // ordered by sequence number
			if rf.Seq < from || rf.Seq > g.To {
				continue
			}
			if rf.Seq > from {
				out = append(out, hub.Gap{Device: g.Device, From: from, To: rf.Seq - 1})
			}
			from = rf.Seq + 1
		}
		if from <= g.To {
			out = append(out, hub.Gap{Device: g.Device, From: from, To: g.To})
		}
	}
	return out
}

// Revoke revokes a device; revoking it again changes nothing.
func (s *SQLite) Revoke(ctx context.Context, id string, now time.Time) (Device, error) {
	var d Device
	err := s.st.Update(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE server_devices SET revoked = ? WHERE id = ? AND revoked IS NULL`, ms(now), id); err != nil {
			return fmt.Errorf("revoke device %s: %w", id, err)
		}
		var err error
		d, err = deviceTx(ctx, tx, id)
		return err
	})
	return d, err
}

// Seen records that a device was heard from.
func (s *SQLite) Seen(ctx context.Context, id string, now time.Time) error {
	return s.st.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE server_devices SET last_seen = max(coalesce(last_seen, 0), ?) WHERE id = ?`, ms(now), id)
		return err
	})
}

// receiptOf builds the receipt of a batch from the hub's record of it.
func receiptOf(ctx context.Context, tx *store.Tx, batchID string) (wire.Receipt, string, error) {
	var hash, device string
	var seq, merged int64
	var revisions, added int
	var manifest []byte
	err := tx.QueryRowContext(ctx, `SELECT hash, device, sequence, merged, revisions, added, manifest FROM hub_batches WHERE id = ?`, batchID).
		Scan(&hash, &device, &seq, &merged, &revisions, &added, &manifest)
	if errors.Is(err, sql.ErrNoRows) {
		return wire.Receipt{}, "", fmt.Errorf("batch %s: %w", batchID, ErrNotFound)
	}
	if err != nil {
		return wire.Receipt{}, "", fmt.Errorf("read the record of batch %s: %w", batchID, err)
	}
	var m struct {
		Payload struct {
			SHA256 string `json:"sha256"`
		} `json:"payload"`
	}
	if err := json.Unmarshal(manifest, &m); err != nil {
		return wire.Receipt{}, "", fmt.Errorf("read the manifest of batch %s: %w", batchID, err)
	}
	return wire.Receipt{Format: wire.ReceiptFormat, Batch: batchID, Hash: hash, PayloadHash: m.Payload.SHA256,
		Device: device, Seq: uint64(seq), Received: wire.FormatTime(time.UnixMilli(merged)), Revisions: revisions,
		Added: added, Present: revisions - added}, hash, nil
}

// Receipt returns the receipt of a stored batch (without the server's fingerprint, which
// the server adds when it signs it).
func (s *SQLite) Receipt(ctx context.Context, batchID string) (wire.Receipt, error) {
	var out wire.Receipt
	err := s.st.View(ctx, func(tx *store.Tx) error {
		var err error
		out, _, err = receiptOf(ctx, tx, batchID)
		return err
	})
	return out, err
}

// Ingest stores a verified batch (see Store). It checks the revisions made by other
// devices than the sender, then grouper.ingest makes the store's checks and waits for the
// group commit. In that transaction the batch goes into the hub (hub.AddTx: revisions and
// record, exactly once) and into the feed, interviews it completes are marked submitted,
// and the receipt is made from the hub's record.
func (s *SQLite) Ingest(ctx context.Context, u Upload) (Ingested, error) {
	if err := s.checkForeign(ctx, u); err != nil {
		return Ingested{}, err
	}
	return s.grp.ingest(ctx, u)
}

// refusal is a batch's refusal (a *ContentError), decided before anything of it was
// written: the transaction goes on with the other batches.
type refusal struct{ err error }

func (r refusal) Error() string { return r.err.Error() }

// commitGroup stores the batches of jobs in one transaction and sets each job's outcome.
// A batch refused by the hub leaves the transaction as it was (hub.AddTx decides before it
// writes); any other error fails the transaction, and nothing of the group is stored (the
// grouper then tries each batch alone).
func (s *SQLite) commitGroup(jobs []*ingestJob) error {
	ctx := context.Background()
	// The interviews of each batch the group's later batches do not touch are marked
	// submitted once the group's batches are stored, in one call (submitTx): their status
	// heads are then what they were right after their own batch, so the outcome is the
	// one marking them batch by batch gives.
	last := map[string]int{}
	for k, j := range jobs {
		if j.nonce == nil {
			for _, iv := range j.revs.Interviews() {
				last[iv] = k
			}
		}
	}
	return s.st.Update(ctx, func(tx *store.Tx) error {
		var sups []Device
		later := map[string][]submission{} // by the server's device
		listed := false
		for k, j := range jobs {
			if j.nonce != nil {
				if err := s.nonceTx(ctx, tx, j.nonce); err != nil {
					return err
				}
				continue
			}
			if !listed {
				var err error
				if sups, err = supervisorsTx(ctx, tx); err != nil {
					return fmt.Errorf("list supervisors: %w", err)
				}
				listed = true
			}
			if n := j.u.Nonce; n != nil {
				nj := &nonceJob{key: n.Key, now: n.Now, keep: n.Keep}
				if err := s.nonceTx(ctx, tx, nj); err != nil {
					return err
				}
				if !nj.fresh { // nothing written: the nonce was there
					j.out, j.err = Ingested{}, ErrReplayed
					continue
				}
			}
			submitNow := func(iv string) bool { return last[iv] != k }
			if err := j.settle(s.ingestTx(ctx, tx, j.u, j.revs, sups, submitNow, later)); err != nil {
				return err
			}
		}
		for _, server := range slices.Sorted(maps.Keys(later)) {
			if err := s.submitTx(ctx, tx, server, later[server]); err != nil {
				return err
			}
		}
		return nil
	})
}

// submission is an interview to mark submitted if its status says it is complete
// (submitTx), with the time its batch arrived.
type submission struct {
	interview string
	time      time.Time
}

// ingestTx stores one batch in tx (see Ingest). A refusal error leaves tx unchanged; after
// any other error tx must be rolled back. sups are the active supervisor devices. The
// batch's interviews are marked submitted (submitTx) at once when submitNow says so, else
// added to later (under u.Server), for the caller to mark once the batches that come after
// are stored.
func (s *SQLite) ingestTx(ctx context.Context, tx *store.Tx, u Upload, revs store.Verified, sups []Device,
	submitNow func(interview string) bool, later map[string][]submission) (Ingested, error) {
	m := &u.Batch.Manifest
	ivs := revs.Interviews()
	news, err := newInterviewsTx(ctx, tx, ivs)
	if err != nil {
		return Ingested{}, err
	}
	res, err := s.hub.AddTx(ctx, tx, u.Batch, revs)
	if err != nil {
		return Ingested{}, err
	}
	if res.Rejected != nil {
		return Ingested{}, refusal{rejection(res.Rejected)}
	}
	if !res.Replay {
		assignees, err := assigneesTx(ctx, tx, u, revs)
		if err != nil {
			return Ingested{}, err
		}
		if err := feedBatchTx(ctx, tx, u, ivs, res.Added == revs.Len(), sups, assignees, news); err != nil {
			return Ingested{}, err
		}
		if u.Server != "" {
			var subs []submission
			for _, iv := range ivs {
				sb := submission{interview: iv, time: u.Time}
				if submitNow(iv) {
					subs = append(subs, sb)
				} else {
					later[u.Server] = append(later[u.Server], sb)
				}
			}
			if err := s.submitTx(ctx, tx, u.Server, subs); err != nil {
				return Ingested{}, err
			}
		}
	}
	rc, hash, err := receiptOf(ctx, tx, m.ID)
	if err != nil {
		return Ingested{}, err
	}
	if hash != u.Batch.Hash() { // the hub refuses this before storing; checked again for safety
		return Ingested{}, fmt.Errorf("batch %s: the stored record has manifest hash %.16s…, the upload %.16s…", m.ID, hash, u.Batch.Hash())
	}
	return Ingested{Receipt: rc, Replay: res.Replay}, nil
}

// submitTx marks submitted every interview of subs whose status is now completed (one
// head, no conflict): a status revision "submitted" made by the server (its device server)
// that replaces it, in the feed like any revision, so that the devices' lists show it
// reached the server. One call of the store for them all (each interview is in subs once).
func (s *SQLite) submitTx(ctx context.Context, tx *store.Tx, server string, subs []submission) error {
	var changes []survey.Change
	at := map[string]time.Time{}
	for _, sb := range subs {
		target := survey.Target{Interview: sb.interview, Kind: survey.KindStatus}
		heads, err := tx.Heads(target)
		if err != nil {
			return err
		}
		if !awaitsSubmission(heads) {
			continue // no status yet, not completed, or a conflict for a person to settle
		}
		changes = append(changes, survey.Change{Target: target, Value: survey.StatusChange{Status: survey.StatusSubmitted}})
		at[sb.interview] = sb.time
	}
	if _, err := putServerTx(ctx, tx, server, changes, func(iv string) time.Time { return at[iv] }); err != nil {
		return fmt.Errorf("mark interviews submitted: %w", err)
	}
	return nil
}

// awaitsSubmission reports whether the status heads of an interview say it is complete and
// not yet marked submitted: one head "completed", or several heads that are each
// "completed" or "submitted" (two devices completed the same interview, or one completed
// it again after the server marked it: they agree it is complete, so marking it submitted
// replaces them all without deciding anything a person should). Any other mixture is a
// conflict for a person to settle.
func awaitsSubmission(heads []survey.Revision) bool {
	if len(heads) == 0 {
		return false
	}
	completed := false
	for _, h := range heads {
		var st survey.StatusChange
		if err := json.Unmarshal(h.Value, &st); err != nil {
			return false
		}
		switch st.Status {
		case survey.StatusCompleted:
			completed = true
		case survey.StatusSubmitted:
		default:
			return false
		}
	}
	return completed || len(heads) > 1
}

// rejection maps the refusal of a sound batch (by the hub, or the store's checks of its
// revisions) to a content refusal.
func rejection(err error) error {
	reason := hub.Reason(err)
	if reason == nil {
		reason = survey.T("rejected", "bị từ chối")
	}
	switch {
	case errors.Is(err, hub.ErrBatchConflict), errors.Is(err, hub.ErrSequenceReused):
		return contentError(wire.CodeBatchConflict, reason, survey.ErrorText(err))
	case errors.Is(err, hub.ErrDeviceKey):
		return contentError(wire.CodeWrongSigner, reason, survey.ErrorText(err))
	}
	if we := ErrorOf(err); we.Code != wire.CodeInternal {
		return &ContentError{Err: we, Reason: reason}
	}
	return contentError(wire.CodeBadBatch, reason, survey.ErrorText(err))
}

// checkForeign refuses revisions made by another device than the sender unless the server
// already holds them (a device echoing a supervisor's decision is fine; a device forging
// another's revisions is not). Revisions are never deleted, so checking before the hub's
// transaction is safe.
func (s *SQLite) checkForeign(ctx context.Context, u Upload) error {
	var foreign []survey.Revision
	for _, r := range u.Revisions {
		if r.Device != u.Device.ID {
			foreign = append(foreign, r)
		}
	}
	if len(foreign) == 0 {
		return nil
	}
	return s.st.View(ctx, func(tx *store.Tx) error {
		for _, r := range foreign {
			held, err := tx.HasRevision(r.Target(), r.ID)
			if err == nil && !held {
				return contentError(wire.CodeBadBatch, hub.Reason(hub.ErrForeignRevision), survey.T(
					fmt.Sprintf("revision %.12s was made by device %s, not by the device that sent the batch, and the server does not hold it", r.ID, clip(r.Device, 64)),
					fmt.Sprintf("bản ghi thay đổi %.12s do thiết bị %s tạo, không phải thiết bị gửi lô, và máy chủ không có bản ghi này", r.ID, clip(r.Device, 64))))
			}
			if err != nil {
				return fmt.Errorf("look up revision: %w", err)
			}
		}
		return nil
	})
}

// Provinces returns the province of each interview of ids the server holds.
func (s *SQLite) Provinces(ctx context.Context, ids []string) (map[string]string, error) {
	out := map[string]string{}
	err := s.st.View(ctx, func(tx *store.Tx) error {
		for _, id := range ids {
			var p string
			err := tx.QueryRowContext(ctx, `SELECT province FROM interviews WHERE id = ?`, id).Scan(&p)
			switch {
			case errors.Is(err, sql.ErrNoRows):
			case err != nil:
				return err
			default:
				out[id] = p
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read provinces: %w", err)
	}
	return out, nil
}

// Decide writes the administrator's decision (see Store).
func (s *SQLite) Decide(ctx context.Context, d Decision) (survey.Revision, error) {
	if d.Device == "" {
		return survey.Revision{}, errors.New("decision without the server's device id")
	}
	var out survey.Revision
	err := s.st.Update(ctx, func(tx *store.Tx) error {
		st, err := tx.Interview(d.Interview)
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("interview %s: %w", d.Interview, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if err := survey.CheckDecision(survey.RoleServer, st.Status.Status, len(st.Conflicts), d.Status, d.Reason); err != nil {
			return fmt.Errorf("%w: interview %s: %w", ErrNotDecidable, d.Interview, err)
		}
		revs, err := putServerTx(ctx, tx, d.Device, []survey.Change{{Target: survey.Target{Interview: d.Interview, Kind: survey.KindStatus},
			Value: survey.StatusChange{Status: d.Status, Reason: survey.NFC(strings.TrimSpace(d.Reason))}}}, func(string) time.Time { return d.Time })
		if err != nil {
			return err
		}
		if len(revs) == 0 {
			return fmt.Errorf("interview %s is already %s with this reason: %w", d.Interview, d.Status, ErrUnchanged)
		}
		out = revs[0]
		return nil
	})
	return out, err
}

// ErrUnchanged is returned by Decide when the interview already has that status.
var ErrUnchanged = errors.New("nothing changed")

// ErrNotDecidable is returned by Decide when the interview's state does not allow the
// decision; it wraps the *survey.RuleError that says why.
var ErrNotDecidable = errors.New("decision not possible")

// Publish stores a questionnaire version (see Store).
func (s *SQLite) Publish(ctx context.Context, q Published) error {
	return s.st.Update(ctx, func(tx *store.Tx) error {
		var src []byte
		err := tx.QueryRowContext(ctx, `SELECT source FROM server_questionnaires WHERE id = ? AND version = ?`, q.ID, q.Version).Scan(&src)
		if err == nil {
			if bytes.Equal(src, q.Source) {
				return fmt.Errorf("questionnaire %s version %s is already published: %w", q.ID, q.Version, ErrUnchanged)
			}
			return fmt.Errorf("questionnaire %s version %s is already published with other content; give the new file a new version", q.ID, q.Version)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO server_questionnaires (id, version, source, signature, published) VALUES (?, ?, ?, ?, ?)`,
			q.ID, q.Version, q.Source, q.Signature, ms(q.Published)); err != nil {
			return fmt.Errorf("store questionnaire: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO server_feed (sender, device, qid, qversion, created)
			SELECT '', id, ?, ?, ? FROM server_devices WHERE revoked IS NULL ORDER BY id`, q.ID, q.Version, ms(q.Published)); err != nil {
			return fmt.Errorf("queue questionnaire: %w", err)
		}
		return nil
	})
}

// Questionnaires lists the published questionnaire versions by id and version.
func (s *SQLite) Questionnaires(ctx context.Context) ([]Published, error) {
	var out []Published
	err := s.st.View(ctx, func(tx *store.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, version, source, signature, published FROM server_questionnaires ORDER BY id, version`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var p Published
			var pub sql.NullInt64
			if err := rows.Scan(&p.ID, &p.Version, &p.Source, &p.Signature, &pub); err != nil {
				return err
			}
			p.Published = fromMS(pub)
			out = append(out, p)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list published questionnaires: %w", err)
	}
	return out, nil
}

// nonceSweep is how often UseNonce deletes expired nonces.
const nonceSweep = time.Minute

// UseNonce records a request's nonce key until now+keep; a key still unexpired is a replay.
// Expired rows are deleted at most once a nonceSweep. The nonce is recorded by the group
// commit (group.go), in the transaction that stores the uploads waiting then: under load,
// one fsync for many requests' nonces and batches, instead of one a request; the answer
// comes once that transaction is durable, as before.
func (s *SQLite) UseNonce(ctx context.Context, key string, now time.Time, keep time.Duration) (bool, error) {
	j := &ingestJob{nonce: &nonceJob{key: key, now: now, keep: keep}, done: make(chan struct{})}
	if err := s.grp.submit(j); err != nil {
		return false, err
	}
	select {
	case <-j.done:
		return j.err == nil && j.nonce.fresh, j.err
	case <-ctx.Done():
		return false, ctx.Err()
	}
}

// NonceUsed reports whether key is recorded and unexpired at now (see Store).
func (s *SQLite) NonceUsed(ctx context.Context, key string, now time.Time) (bool, error) {
	var used bool
	err := s.st.View(ctx, func(tx *store.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM server_nonces WHERE key = ? AND expires >= ?)`, key, ms(now)).Scan(&used)
	})
	if err != nil {
		return false, fmt.Errorf("read nonce: %w", err)
	}
	return used, nil
}

// nonceJob is a nonce to record in a group commit, and whether it was fresh.
type nonceJob struct {
	key   string
	now   time.Time
	keep  time.Duration
	fresh bool
}

// nonceTx records nonce n in tx (see UseNonce).
func (s *SQLite) nonceTx(ctx context.Context, tx *store.Tx, n *nonceJob) error {
	now := n.now
	if last := s.nonceSwept.Load(); now.UnixMilli()-last >= nonceSweep.Milliseconds() || now.UnixMilli() < last {
		if _, err := tx.ExecContext(ctx, `DELETE FROM server_nonces WHERE expires < ?`, ms(now)); err != nil {
			return fmt.Errorf("forget expired nonces: %w", err)
		}
		// Stored before the commit: a failed transaction at worst delays the next sweep.
		s.nonceSwept.Store(now.UnixMilli())
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO server_nonces (key, expires) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET expires = excluded.expires WHERE server_nonces.expires < ?`,
		n.key, ms(now.Add(n.keep)), ms(now))
	if err != nil {
		return fmt.Errorf("record nonce: %w", err)
	}
	k, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("record nonce: %w", err)
	}
	n.fresh = k == 1
	return nil
}

// ingest makes the store's checks of u's revisions (store.VerifyBatchRevisions: u.Revisions
// come from the batch reader, which verified every id, so they are not hashed again) in the
// caller's goroutine, then queues the batch for the group commit (group.go) and waits until
// the transaction holding it is durable. Both stores ingest this way.
func (g *grouper) ingest(ctx context.Context, u Upload) (Ingested, error) {
	cpuSlots <- struct{}{}
	revs, err := store.VerifyBatchRevisions(u.Revisions...)
	<-cpuSlots
	if err != nil {
		return Ingested{}, rejection(err)
	}
	j := &ingestJob{u: u, revs: revs, done: make(chan struct{})}
	if err := g.submit(j); err != nil {
		return Ingested{}, err
	}
	select {
	case <-j.done:
		return j.out, j.err
	case <-ctx.Done():
		// The batch is stored (or refused) all the same; the device's next attempt gets
		// its receipt.
		return Ingested{}, ctx.Err()
	}
}
