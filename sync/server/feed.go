package server

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
	"github.com/fieldsurvey/fieldsurvey/sync/wire"
)

// The feed of the SQLite store (see Store and migrations/0002_feed.sql): server_feed holds
// the rows in one increasing sequence, server_interest says which device receives which
// interview. SQLite has one writer at a time, so the positions become visible in the order
// they are given: a reader never sees position n+1 without n.

// feedBatchTx adds a stored batch to the feed: a row per interview of ivs (unless every
// revision the batch holds of it was already held: a row would bring nothing), and the
// interests of the sender and of the supervisors whose scope covers the interview's
// province, and the devices of the assessor a supervisor's planned interview is assigned
// to (assignees, see assigneesTx). allAdded says that every revision of the batch was new
// to the server.
// news are the interviews of ivs the server held no revision of before the batch
// (newInterviewsTx): all their revisions came with it, so no follower needs a backfill.
func feedBatchTx(ctx context.Context, tx *store.Tx, u Upload, ivs []string, allAdded bool, sups []Device, assignees map[string][]string, news map[string]bool) error {
	m := &u.Batch.Manifest
	now := ms(u.Time)
	for _, iv := range ivs {
		var row int64
		carries := allAdded
		if !carries {
			var one int
			err := tx.QueryRowContext(ctx, `SELECT 1 FROM revisions WHERE interview = ? AND batch = ? LIMIT 1`, iv, m.ID).Scan(&one)
			switch {
			case err == nil:
				carries = true
			case !errors.Is(err, sql.ErrNoRows):
				return fmt.Errorf("feed: %w", err)
			}
		}
		if carries {
			res, err := tx.ExecContext(ctx, `INSERT INTO server_feed (interview, batch, sender, created) VALUES (?, ?, ?, ?)`, iv, m.ID, u.Device.ID, now)
			if err != nil {
				return fmt.Errorf("feed: %w", err)
			}
			if row, err = res.LastInsertId(); err != nil {
				return err
			}
		}
		if !u.Unenrolled {
			if err := followTx(ctx, tx, u.Device.ID, iv, m.ID, row, u.Time, news[iv]); err != nil {
				return err
			}
		}
		for _, dev := range assignees[iv] {
			if err := followTx(ctx, tx, dev, iv, m.ID, row, u.Time, news[iv]); err != nil {
				return err
			}
		}
		if len(sups) == 0 {
			continue
		}
		var province string
		if err := tx.QueryRowContext(ctx, `SELECT province FROM interviews WHERE id = ?`, iv).Scan(&province); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("feed: read province: %w", err)
		}
		for _, sup := range sups {
			if sup.ID != u.Device.ID && sup.Covers(province) {
				if err := followTx(ctx, tx, sup.ID, iv, m.ID, row, u.Time, news[iv]); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// newInterviewsTx returns the interviews of ivs of which tx holds no revision (one index
// lookup each): called before a batch is stored, they are the interviews whose every
// revision comes with that batch.
func newInterviewsTx(ctx context.Context, tx *store.Tx, ivs []string) (map[string]bool, error) {
	news := map[string]bool{}
	for _, iv := range ivs {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM revisions WHERE interview = ? LIMIT 1`, iv).Scan(&one)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			news[iv] = true
		case err != nil:
			return nil, fmt.Errorf("feed: %w", err)
		}
	}
	return news, nil
}

// assigneesTx returns, for each planned interview that revs create (a creation revision
// naming an Assignee, see survey/assign), the enrolled devices, not revoked, whose
// principal is that assignee: they follow the interview, so that the assessor's laptop
// receives it on its next sync. Only a supervisor's batch assigns: an assessor's batch
// naming an assignee makes no one else follow it.
func assigneesTx(ctx context.Context, tx *store.Tx, u Upload, v store.Verified) (map[string][]string, error) {
	if !u.Device.Role.Decides() {
		return nil, nil
	}
	revs := v.Revisions()
	out := map[string][]string{}
	devices := map[string][]string{} // by principal
	for _, r := range revs {
		if r.Kind != survey.KindInterview {
			continue
		}
		var meta survey.InterviewMeta
		if err := json.Unmarshal(r.Value, &meta); err != nil || meta.Assignee == "" {
			continue
		}
		devs, ok := devices[meta.Assignee]
		if !ok {
			rows, err := tx.QueryContext(ctx, `SELECT id FROM server_devices WHERE principal = ? AND revoked IS NULL AND id != ? ORDER BY id`, meta.Assignee, u.Device.ID)
			if err != nil {
				return nil, fmt.Errorf("devices of %s: %w", meta.Assignee, err)
			}
			for rows.Next() {
				var id string
				if err := rows.Scan(&id); err != nil {
					rows.Close()
					return nil, err
				}
				devs = append(devs, id)
			}
			if err := rows.Close(); err != nil {
				return nil, err
			}
			if err := rows.Err(); err != nil {
				return nil, err
			}
			devices[meta.Assignee] = devs
		}
		out[r.Interview] = append(out[r.Interview], devs...)
	}
	return out, nil
}

// serverBatch names the batch a revision the server made (a "submitted", an
// administrator's decision) is recorded in, on either store: no batch will carry it, so it
// is stored as travelling in "server:ID" (store.Tx.PutBatched), which its feed row names.
func serverBatch(rev survey.Revision) string { return "server:" + rev.ID }

// putServerTx stores the changes the server makes (a "submitted", an administrator's
// decision), by the server's device, each recorded in its serverBatch, and their feed
// rows, which go to every device interested in the interview, at the time at gives for
// it. A change that changes nothing makes no revision.
func putServerTx(ctx context.Context, tx *store.Tx, server string, changes []survey.Change, at func(interview string) time.Time) ([]survey.Revision, error) {
	if len(changes) == 0 {
		return nil, nil
	}
	revs, err := tx.PutBatched(store.Author{Device: server, Principal: server}, serverBatch, changes...)
	if err != nil {
		return nil, err
	}
	for _, rev := range revs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO server_feed (interview, batch, sender, created) VALUES (?, ?, ?, ?)`,
			rev.Interview, serverBatch(rev), rev.Device, ms(at(rev.Interview))); err != nil {
			return nil, fmt.Errorf("feed: %w", err)
		}
	}
	return revs, nil
}

// followTx makes device interested in interview, unless it already is. When the interview
// has revisions the device does not hold and no later row will bring (made by other
// devices, outside batch), the device gets a backfill row of them all, and receives the
// interview's rows after it; otherwise it receives the rows from row (the row of batch
// being stored, 0: none) on, or the rows to come. onlyBatch says that every revision of the
// interview came with batch (newInterviewsTx): then there is nothing to backfill, and the
// revisions are not searched.
func followTx(ctx context.Context, tx *store.Tx, device, interview, batch string, row int64, now time.Time, onlyBatch bool) error {
	var since int64
	err := tx.QueryRowContext(ctx, `SELECT since FROM server_interest WHERE device = ? AND interview = ?`, device, interview).Scan(&since)
	if err == nil {
		return nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("read interest: %w", err)
	}
	var one int
	if onlyBatch {
		err = sql.ErrNoRows
	} else {
		err = tx.QueryRowContext(ctx, `SELECT 1 FROM revisions WHERE interview = ? AND device != ? AND (batch IS NULL OR batch != ?) LIMIT 1`,
			interview, device, batch).Scan(&one)
	}
	switch {
	case err == nil:
		res, err := tx.ExecContext(ctx, `INSERT INTO server_feed (interview, device, sender, created) VALUES (?, ?, '', ?)`, interview, device, ms(now))
		if err != nil {
			return fmt.Errorf("feed: backfill: %w", err)
		}
		if since, err = res.LastInsertId(); err != nil {
			return err
		}
	case !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("feed: %w", err)
	case row > 0:
		since = row - 1
	default:
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM server_feed`).Scan(&since); err != nil {
			return fmt.Errorf("feed: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO server_interest (device, interview, since) VALUES (?, ?, ?)`, device, interview, since); err != nil {
		return fmt.Errorf("record interest: %w", err)
	}
	return nil
}

// Follow makes a device interested in interviews (see Store).
func (s *SQLite) Follow(ctx context.Context, device string, interviews ...string) error {
	return s.st.Update(ctx, func(tx *store.Tx) error {
		if _, err := deviceTx(ctx, tx, device); err != nil {
			return err
		}
		now := time.Now()
		for _, iv := range interviews {
			if err := followTx(ctx, tx, device, iv, "", 0, now, false); err != nil {
				return err
			}
		}
		return nil
	})
}

// feedChunk is how many feed rows Inbox reads at a time; feedRowsPerPage bounds the rows
// one page looks at (rows that bring nothing, such as a device's own batches seen by
// nobody else, advance the cursor all the same).
const (
	feedChunk       = 256
	feedRowsPerPage = 8 * feedChunk
)

// qFeedRows reads the feed rows after a cursor that concern a device: the broadcast rows
// of the interviews it is interested in (after it became interested, not its own batches),
// and the rows made for it alone.
const qFeedRows = `SELECT seq, interview, batch, qid, qversion FROM (
	SELECT f.seq, f.interview, f.batch, f.qid, f.qversion FROM server_interest i
		JOIN server_feed f ON f.interview = i.interview AND f.device IS NULL AND f.seq > i.since
		WHERE i.device = ?1 AND f.seq > ?2 AND f.sender != ?1
	UNION ALL
	SELECT seq, interview, batch, qid, qversion FROM server_feed WHERE device = ?1 AND seq > ?2
) ORDER BY seq LIMIT ?3`

type feedRow struct {
	seq              int64
	interview, batch sql.NullString
	qid, qversion    sql.NullString
}

// inboxPager fills an inbox page a feed row at a time, by the rule both stores keep: a
// page holds whole rows (its cursor is the position of its last row), each revision once,
// at most limit items (a published questionnaire counts one), and looks at no more than
// feedRowsPerPage rows.
type inboxPager struct {
	page           InboxPage
	seen           map[string]bool
	limit          int
	items, scanned int
}

func newInboxPager(after int64, limit int) *inboxPager {
	return &inboxPager{page: InboxPage{Cursor: after}, seen: map[string]bool{}, limit: limit}
}

// add adds the row at position seq: its revisions (those already on the page left out)
// or one published questionnaire q. It returns false, with More set and the row not added,
// when the row does not fit.
func (p *inboxPager) add(seq int64, revs []survey.Revision, q *Published) bool {
	fresh := revs[:0]
	for _, r := range revs {
		if !p.seen[r.ID] {
			fresh = append(fresh, r)
		}
	}
	n := len(fresh)
	if q != nil {
		n = 1
	}
	if p.items > 0 && p.items+n > p.limit {
		p.page.More = true
		return false
	}
	for _, r := range fresh {
		p.seen[r.ID] = true
	}
	p.page.Revisions = append(p.page.Revisions, fresh...)
	if q != nil {
		p.page.Questionnaires = append(p.page.Questionnaires, *q)
	}
	p.items += n
	p.page.Cursor = seq
	return true
}

// chunkRead says whether the page is done after a chunk of n rows (of at most feedChunk)
// was added: the feed has no more rows, or the page is full.
func (p *inboxPager) chunkRead(n int) bool {
	p.scanned += n
	if n < feedChunk {
		return true
	}
	if p.items >= p.limit || p.scanned >= feedRowsPerPage {
		p.page.More = true
		return true
	}
	return false
}

const revCols = "id, interview, kind, key, value, device, counter, time, author, replaces"

// Inbox returns the feed rows after cursor that concern a device, expanded (see Store).
func (s *SQLite) Inbox(ctx context.Context, device string, after int64, limit int) (InboxPage, error) {
	pg := newInboxPager(after, limit)
	err := s.st.View(ctx, func(tx *store.Tx) error {
		for {
			rows, err := readFeedRows(ctx, tx, device, pg.page.Cursor)
			if err != nil {
				return err
			}
			for _, fr := range rows {
				var revs []survey.Revision
				var q *Published
				switch {
				case fr.qid.Valid:
					p, err := publishedTx(ctx, tx, fr.qid.String, fr.qversion.String)
					if err != nil {
						return err
					}
					q = &p
				case fr.batch.Valid:
					revs, err = readRevisions(ctx, tx, `interview = ? AND batch = ? AND device != ?`, fr.interview.String, fr.batch.String, device)
				default: // a backfill
					revs, err = readRevisions(ctx, tx, `interview = ? AND device != ?`, fr.interview.String, device)
				}
				if err != nil {
					return err
				}
				if !pg.add(fr.seq, revs, q) {
					return nil
				}
			}
			if pg.chunkRead(len(rows)) {
				return nil
			}
		}
	})
	if err != nil {
		return InboxPage{}, fmt.Errorf("read inbox of device %s: %w", device, err)
	}
	return pg.page, nil
}

func readFeedRows(ctx context.Context, tx *store.Tx, device string, after int64) ([]feedRow, error) {
	rows, err := tx.QueryContext(ctx, qFeedRows, device, after, feedChunk)
	if err != nil {
		return nil, fmt.Errorf("read feed: %w", err)
	}
	defer rows.Close()
	var out []feedRow
	for rows.Next() {
		var fr feedRow
		if err := rows.Scan(&fr.seq, &fr.interview, &fr.batch, &fr.qid, &fr.qversion); err != nil {
			return nil, fmt.Errorf("read feed: %w", err)
		}
		out = append(out, fr)
	}
	return out, rows.Err()
}

// readRevisions reads the revisions where cond holds (with args), ordered by device and
// counter.
func readRevisions(ctx context.Context, tx *store.Tx, cond string, args ...any) ([]survey.Revision, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+revCols+` FROM revisions WHERE `+cond+` ORDER BY device, counter, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("read revisions: %w", err)
	}
	defer rows.Close()
	var out []survey.Revision
	for rows.Next() {
		var r survey.Revision
		var kind, replaces string
		var counter, tm int64
		var value []byte
		if err := rows.Scan(&r.ID, &r.Interview, &kind, &r.Key, &value, &r.Device, &counter, &tm, &r.Author, &replaces); err != nil {
			return nil, fmt.Errorf("read revisions: %w", err)
		}
		r.Kind, r.Value, r.Counter, r.Time = survey.Kind(kind), json.RawMessage(value), uint64(counter), time.UnixMilli(tm).UTC()
		if replaces != "" {
			r.Replaces = splitIDs(replaces)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func splitIDs(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ' ' {
			if i > start {
				out = append(out, s[start:i])
			}
			start = i + 1
		}
	}
	return out
}

func publishedTx(ctx context.Context, tx *store.Tx, id, version string) (Published, error) {
	p := Published{ID: id, Version: version}
	var pub sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT source, signature, published FROM server_questionnaires WHERE id = ? AND version = ?`, id, version).
		Scan(&p.Source, &p.Signature, &pub)
	if err != nil {
		return Published{}, fmt.Errorf("read published questionnaire %s %s: %w", id, version, err)
	}
	p.Published = fromMS(pub)
	return p, nil
}

const refusalCols = `batch, hash, device, sequence, code, reason_en, reason_vi, message_en, message_vi, refused`

func scanRefusal(sc scanner, evidence bool) (RefusalRecord, error) {
	var r RefusalRecord
	var seq, refused int64
	var code, ren, rvi, men, mvi string
	dest := []any{&r.Batch, &r.Hash, &r.Device, &seq, &code, &ren, &rvi, &men, &mvi, &refused}
	if evidence {
		dest = append(dest, &r.Manifest, &r.Signature)
	}
	if err := sc.Scan(dest...); err != nil {
		return RefusalRecord{}, err
	}
	r.Seq, r.Code, r.Time = uint64(seq), wire.Code(code), time.UnixMilli(refused).UTC()
	r.Reason, r.Message = survey.T(ren, rvi), survey.T(men, mvi)
	return r, nil
}

// Refuse records a batch's refusal (see Store).
func (s *SQLite) Refuse(ctx context.Context, r RefusalRecord) (RefusalRecord, error) {
	var out RefusalRecord
	err := s.st.Update(ctx, func(tx *store.Tx) error {
		old, err := scanRefusal(tx.QueryRowContext(ctx, `SELECT `+refusalCols+`, manifest, signature FROM server_refusals WHERE batch = ? AND hash = ?`, r.Batch, r.Hash), true)
		if err == nil {
			out = old
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO server_refusals (`+refusalCols+`, manifest, signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.Batch, r.Hash, r.Device, int64(r.Seq), string(r.Code), r.Reason.Get(survey.LangEN), r.Reason.Get(survey.LangVI),
			r.Message.Get(survey.LangEN), r.Message.Get(survey.LangVI), ms(r.Time), r.Manifest, r.Signature); err != nil {
			return err
		}
		out = r
		out.Time = time.UnixMilli(ms(r.Time)).UTC()
		return nil
	})
	if err != nil {
		return RefusalRecord{}, fmt.Errorf("record the refusal of batch %s: %w", r.Batch, err)
	}
	return out, nil
}

// Refusal returns a recorded refusal (see Store).
func (s *SQLite) Refusal(ctx context.Context, batchID, hash string) (RefusalRecord, error) {
	var out RefusalRecord
	err := s.st.View(ctx, func(tx *store.Tx) error {
		var err error
		out, err = scanRefusal(tx.QueryRowContext(ctx, `SELECT `+refusalCols+`, manifest, signature FROM server_refusals WHERE batch = ? AND hash = ?`, batchID, hash), true)
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return RefusalRecord{}, fmt.Errorf("refusal of batch %s: %w", batchID, ErrNotFound)
	}
	if err != nil {
		return RefusalRecord{}, fmt.Errorf("read the refusal of batch %s: %w", batchID, err)
	}
	return out, nil
}
