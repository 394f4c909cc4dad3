package store

import (
	"cmp"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"bytes"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// call is one Put or Append inside a transaction: it inserts revisions, keeps the heads
// of every touched target in memory (loaded once, then kept in step with the heads
// table), and at the end brings the summary row of every touched interview up to date
// from the change of those targets' heads.
type call struct {
	tx      *Tx
	targets map[survey.Target]*targetState
	order   []survey.Target
	ivs     map[string]*ivDelta
	ivOrder []string
	reused  []string
	// batch, when set, is the batch the call's revisions travelled in (the batch column).
	batch string
	// replacedInCall holds the revisions of a target that a revision of this call (an
	// Append) replaces: they are stored as non-heads at once, whatever the order of the
	// call, instead of being stored as heads and updated when their replacement comes.
	replacedInCall map[targetRev]bool
	// devMax is the highest counter stored per device, read on first use and kept up to
	// date: a revision above it cannot share its counter with another.
	devMax map[string]int64
	// batched holds, per device, the counters of the revisions this call put in a batch
	// (stored with c.batch, or stored before and recorded with it now): finish adds them to
	// the device's runs (revision_counters).
	batched map[string][]int64
	// preloaded interviews have the heads of all their targets in targets already.
	preloaded map[string]bool
	pending   map[survey.Target]*targetState
	// lastSeq is the highest row of revision_rows (0: not read yet): a revision's row is
	// chosen before its target entry is written, so that the entry decides whether it is new.
	lastSeq int64
	// firstSeq is the first row the call stored (0: none yet).
	firstSeq int64
	// entries are the target entries this call adds, written to revision_targets by
	// flushEntries, many a statement (a merge adds ~120 an interview), before anything
	// reads that table and when the call finishes; entryAt finds a head among them by its
	// row, so that a revision of the call that replaces it makes it history in place.
	entries []entry
	entryAt map[int64]int
	// rows are the arguments of the revision_rows rows this call received (an Append's,
	// not a Put's), written rowsPerStatement a statement by flushRows, before anything
	// reads revision_rows and when the call finishes: one statement a row cost a merge or
	// a server's writer more than the row itself (binding, stepping, resetting).
	rows []any
	// entryArgs is flushEntries' buffer of arguments.
	entryArgs []any
	// added holds the revisions this call stored (a revision received twice in one call
	// is stored once).
	// Keyed by id alone: an Append's revisions are verified, so one id is one revision
	// (its target included), and a string hashes faster than a target and an id.
	added map[string]bool
	// pendingIDs holds the ids of the pending revisions by device and counter (nil: not
	// read yet), read once a call that needs them (pendingRows) and kept up to date: what
	// the pending index gave before 0006 (the device's last counter among them, the
	// counters used twice).
	pendingIDs map[devCounter][][]byte
	// pendingTop is the highest counter per device among the pending revisions, with
	// pendingIDs.
	pendingTop map[string]int64
}

type devCounter struct {
	device  string
	counter int64
}

// entry is a row of revision_targets.
type entry struct {
	t    survey.Target
	iv   int64 // the number of t.Interview (revision_names)
	head bool
	id   []byte
	seq  int64
}

type head struct {
	id     string
	seq    int64 // its row in revision_rows
	time   int64
	author string
	value  []byte
	// fact is what value contributes to the summary when already decoded (a verified
	// revision of this call); nil for heads read from the table.
	fact *fact
}

type targetState struct {
	old, cur []head
	// iv is the number of the target's interview (revision_names), 0 until known: an
	// interview the store has no name for has no revision yet.
	iv int64
}

// targetRev names one revision of one target.
type targetRev struct {
	t  survey.Target
	id string
}

type ivDelta struct {
	added   int
	maxTime int64
	// created is the earliest time of the revisions of the creation target added (0: none):
	// one that arrives after the revisions replacing it is no head, yet it is the creation.
	created int64
}

func newCall(tx *Tx) *call {
	// devMax and preloaded are made on first use: a Put (one edit, the common call) uses
	// neither.
	return &call{tx: tx, targets: map[survey.Target]*targetState{}, ivs: map[string]*ivDelta{}}
}

// qHeads reads the heads of a target, its interview given by number (revision_names).
const qHeads = `SELECT r.seq, t.id, r.time, na.name, r.value FROM revision_targets t JOIN revision_rows r ON r.seq = t.seq
	JOIN revision_names na ON na.n = r.author
	WHERE t.interview = ? AND t.kind = ? AND t.key = ? AND t.head = 1`

// qName finds the number of a name (revision_names); qAddName adds one.
const (
	qName    = `SELECT n FROM revision_names WHERE name = ?`
	qAddName = `INSERT INTO revision_names (name) VALUES (?)`
)

// num returns the number of name in revision_names, adding it if add says so; ok is false
// when it has none (add false). Numbers are kept for the transaction (Tx.names, 0: none):
// a name is never renumbered, one added is rolled back with the transaction that keeps it,
// and only num adds names.
func (tx *Tx) num(name string, add bool) (n int64, ok bool, err error) {
	n, seen := tx.names[name]
	switch {
	case n != 0:
		return n, true, nil
	case !seen:
		err = tx.queryRow(qName, name).Scan(&n)
	default:
		err = sql.ErrNoRows // looked up before: none (0)
	}
	switch {
	case err == nil:
	case !errors.Is(err, sql.ErrNoRows):
		return 0, false, fmt.Errorf("look up name %q: %w", name, err)
	case !add:
		tx.noteName(name, 0)
		return 0, false, nil
	default:
		res, err := tx.exec(qAddName, name)
		if err != nil {
			return 0, false, fmt.Errorf("add name %q: %w", name, err)
		}
		if n, err = res.LastInsertId(); err != nil {
			return 0, false, fmt.Errorf("add name %q: %w", name, err)
		}
	}
	tx.noteName(name, n)
	return n, true, nil
}

// noteName records the number of name for the rest of the transaction.
func (tx *Tx) noteName(name string, n int64) {
	if tx.names == nil {
		tx.names = map[string]int64{}
	}
	tx.names[name] = n
}

// start reads what a Put by device and author needs first (qPutStart): the last row, which
// it returns, the numbers of t's interview, device and author (kept in tx.names), and the
// heads of target t, which it keeps as touch would.
func (c *call) start(t survey.Target, device, author string) (int64, error) {
	q, iv, dev, auth := qPutStart, any(t.Interview), any(device), any(author)
	if ni, nd, na, ok := c.tx.s.names.get(t.Interview, device, author); ok {
		q, iv, dev, auth = qPutStartKnown, ni, nd, na
	}
	c.tx.putNames = append(c.tx.putNames, t.Interview, device, author)
	rows, err := c.tx.query(q, iv, kindNum(t.Kind), t.Key, dev, auth)
	if err != nil {
		return 0, fmt.Errorf("read heads: %w", err)
	}
	defer rows.Close()
	ts := &targetState{}
	// Declared once, not once a row: each variable Scan is given escapes (an allocation).
	// Scan gives id and value fresh bytes every row.
	var last, niv, ndev, nauth, seq, tm sql.NullInt64
	var id, value []byte
	var hauthor sql.NullString
	for rows.Next() {
		if err := rows.Scan(&last, &niv, &ndev, &nauth, &seq, &id, &tm, &hauthor, &value); err != nil {
			return 0, fmt.Errorf("read heads: %w", err)
		}
		if last.Valid {
			c.lastSeq = last.Int64
			// 0 (NULL): none yet.
			c.tx.noteName(t.Interview, niv.Int64)
			c.tx.noteName(device, ndev.Int64)
			c.tx.noteName(author, nauth.Int64)
		}
		if seq.Valid {
			ts.old = append(ts.old, head{id: hex.EncodeToString(id), seq: seq.Int64, time: tm.Int64, author: hauthor.String, value: value})
		}
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("read heads: %w", err)
	}
	if niv.Valid {
		ts.iv = niv.Int64
	}
	sortHeads(ts.old)
	ts.cur = append([]head(nil), ts.old...)
	c.targets[t] = ts
	c.order = append(c.order, t)
	return c.lastSeq, nil
}

// loadPending reads the device and counter of every pending revision (qPendingRows), once
// a call: what insert checks a received revision's counter against, beside the batched
// index. The rows the call adds afterwards are added to it as they are stored.
func (c *call) loadPending() error {
	if c.pendingIDs != nil {
		return nil
	}
	rows, err := c.tx.query(qPendingRows)
	if err != nil {
		return fmt.Errorf("read pending revisions: %w", err)
	}
	defer rows.Close()
	c.pendingIDs, c.pendingTop = map[devCounter][][]byte{}, map[string]int64{}
	for rows.Next() {
		var seq, counter int64
		var id []byte
		var device string
		if err := rows.Scan(&seq, &id, &device, &counter); err != nil {
			c.pendingIDs = nil
			return fmt.Errorf("read pending revisions: %w", err)
		}
		c.notePending(device, counter, id)
	}
	if err := rows.Err(); err != nil {
		c.pendingIDs = nil
		return fmt.Errorf("read pending revisions: %w", err)
	}
	return nil
}

func (c *call) notePending(device string, counter int64, id []byte) {
	k := devCounter{device, counter}
	c.pendingIDs[k] = append(c.pendingIDs[k], id)
	c.pendingTop[device] = max(c.pendingTop[device], counter)
}

// touch returns the state of target t, loading its heads on first use.
func (c *call) touch(t survey.Target) (*targetState, error) {
	if ts, ok := c.targets[t]; ok {
		return ts, nil
	}
	iv, known, err := c.tx.num(t.Interview, false)
	if err != nil {
		return nil, err
	}
	if c.preloaded[t.Interview] || !known {
		// Preloaded, or an interview the store has no revision of: no heads to read.
		ts := &targetState{iv: iv}
		c.targets[t] = ts
		c.order = append(c.order, t)
		return ts, nil
	}
	rows, err := c.tx.query(qHeads, iv, kindNum(t.Kind), t.Key)
	if err != nil {
		return nil, fmt.Errorf("read heads: %w", err)
	}
	defer rows.Close()
	ts := &targetState{iv: iv}
	for rows.Next() {
		var h head
		var id []byte
		if err := rows.Scan(&h.seq, &id, &h.time, &h.author, &h.value); err != nil {
			return nil, fmt.Errorf("read heads: %w", err)
		}
		h.id = hex.EncodeToString(id)
		ts.old = append(ts.old, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read heads: %w", err)
	}
	sortHeads(ts.old)
	ts.cur = append([]head(nil), ts.old...)
	c.targets[t] = ts
	c.order = append(c.order, t)
	return ts, nil
}

const qInterviewHeads = `SELECT t.kind, t.key, r.seq, t.id, r.time, na.name, r.value FROM revision_targets t JOIN revision_rows r ON r.seq = t.seq
	JOIN revision_names na ON na.n = r.author
	WHERE t.interview = ? AND t.head = 1`

// preload reads the heads of every target of interview id in one query, for a call that
// brings many revisions of it (a merge) rather than one (an edit).
func (c *call) preload(id string) error {
	if c.preloaded[id] {
		return nil
	}
	iv, known, err := c.tx.num(id, false)
	if err != nil {
		return err
	}
	if !known {
		// No revision of it stored: no heads.
		if c.preloaded == nil {
			c.preloaded = map[string]bool{}
		}
		c.preloaded[id] = true
		return nil
	}
	rows, err := c.tx.query(qInterviewHeads, iv)
	if err != nil {
		return fmt.Errorf("read heads: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var key string
		var kn int64
		var h head
		var rid []byte
		if err := rows.Scan(&kn, &key, &h.seq, &rid, &h.time, &h.author, &h.value); err != nil {
			return fmt.Errorf("read heads: %w", err)
		}
		kind, err := kindOf(kn)
		if err != nil {
			return fmt.Errorf("read heads of interview %s: %w", id, err)
		}
		h.id = hex.EncodeToString(rid)
		t := survey.Target{Interview: id, Kind: kind, Key: key}
		if _, ok := c.targets[t]; ok {
			continue // touched before: its state is newer than the table's
		}
		ts := c.pending[t]
		if ts == nil {
			ts = &targetState{iv: iv}
			if c.pending == nil {
				c.pending = map[survey.Target]*targetState{}
			}
			c.pending[t] = ts
		}
		ts.old = append(ts.old, h)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read heads: %w", err)
	}
	for t, ts := range c.pending {
		sortHeads(ts.old)
		ts.cur = append([]head(nil), ts.old...)
		c.targets[t] = ts
		c.order = append(c.order, t)
	}
	clear(c.pending)
	if c.preloaded == nil {
		c.preloaded = map[string]bool{}
	}
	c.preloaded[id] = true
	return nil
}

// sortHeads orders heads as survey.SortNewestFirst does: newest first, then id descending.
// (slices.SortFunc: sort.Slice's swapper cost an allocation for every sort, here a Put's
// two and every revision a call received.)
func sortHeads(hs []head) {
	if len(hs) < 2 {
		return
	}
	slices.SortFunc(hs, func(a, b head) int {
		if c := cmp.Compare(b.time, a.time); c != 0 {
			return c
		}
		return strings.Compare(b.id, a.id)
	})
}

const (
	// qStored finds the row of a revision among its target's entries (history and heads).
	qStored = `SELECT seq FROM revision_targets WHERE interview = ?1 AND kind = ?2 AND key = ?3 AND id = ?4`
	// Interview, device, author and batch are numbers of revision_names (0008).
	// The id is in the revision's entry only (revision_targets).
	qInsertRev = `INSERT INTO revision_rows (seq, interview, kind, key, device, counter, time, author, replaces, batch, value)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	// qUnhead removes a stored head from its target's heads; flushEntries writes it back
	// as history (an edit writes that entry and its own in one statement).
	qUnhead  = `DELETE FROM revision_targets WHERE interview = ? AND kind = ? AND key = ? AND head = 1 AND seq = ?`
	qLastSeq = `SELECT coalesce(max(seq), 0) FROM revision_rows`
	// qBatchedCounter is the last counter of a device among revisions in batches (the end
	// of its last run, 0007); the pending ones are the call's pendingTop.
	qBatchedCounter = `SELECT coalesce(max(hi), 0) FROM revision_counters WHERE device = ?1`
	qReplacedBy     = `SELECT EXISTS (SELECT 1 FROM revision_targets t JOIN revision_rows r ON r.seq = t.seq
		WHERE t.interview = ? AND t.kind = ? AND t.key = ? AND instr(r.replaces, ?) > 0)`
	// qReused looks among the runs of counters the device's revisions in batches hold (0007;
	// of another revision than the one looked for, which is not stored yet). The pending
	// revisions are the call's pendingIDs (0006).
	qReused = `SELECT EXISTS (SELECT 1 FROM revision_counters WHERE device = ?1 AND lo <= ?2 AND hi >= ?2)`
	// qBatchedAgain records the batch of a revision already stored, found by its target.
	qBatchedAgain = `UPDATE revision_rows SET batch = ? WHERE seq = ? AND batch IS NULL`
)

// noteReplaced records, before an Append inserts anything, which revisions of each
// target the call's revisions replace.
func (c *call) noteReplaced(revs []survey.Revision) {
	c.replacedInCall = make(map[targetRev]bool, len(revs))
	for _, r := range revs {
		t := r.Target()
		for _, p := range r.Replaces {
			c.replacedInCall[targetRev{t, p}] = true
		}
	}
}

// insert stores r (already verified) and updates the heads of its target. fresh says r
// was just made by Put, so no stored revision can replace it or share its counter. f is
// what its value contributes to the summary, when known. It reports whether r was new.
func (c *call) insert(r survey.Revision, fresh bool, f *fact) (bool, error) {
	t := r.Target()
	ts, err := c.touch(t)
	if err != nil {
		return false, err
	}
	if r.Counter > 1<<63-1 {
		return false, fmt.Errorf("%w: counter %d out of range", survey.ErrBadRevision, r.Counter)
	}
	// A revision is a head unless a known revision of its target replaces it: one of this
	// call, or one stored before (it arrived after its replacement).
	replaced := false
	if !fresh {
		replaced = c.replacedInCall[targetRev{t, r.ID}]
		if !replaced && len(ts.old) > 0 {
			if err := c.flush(); err != nil {
				return false, err
			}
			if err := c.tx.queryRow(qReplacedBy, ts.iv, kindNum(t.Kind), t.Key, r.ID).Scan(&replaced); err != nil {
				return false, fmt.Errorf("check heads: %w", err)
			}
		}
	}
	tm := ms(r.Time)
	rid, err := idBytes(r.ID)
	if err != nil {
		return false, err
	}
	if c.lastSeq == 0 {
		if err := c.tx.queryRow(qLastSeq).Scan(&c.lastSeq); err != nil {
			return false, fmt.Errorf("insert revision: %w", err)
		}
	}
	if !fresh && c.added[r.ID] {
		return false, nil // stored by this call already, with its batch
	}
	// A revision received may be stored already: among its target's entries, which has
	// none when it has no heads (a target's revisions always leave one head).
	if !fresh && len(ts.old) > 0 {
		if err := c.flush(); err != nil {
			return false, err
		}
		var have int64
		err := c.tx.queryRow(qStored, ts.iv, kindNum(t.Kind), t.Key, rid).Scan(&have)
		if err == nil {
			// Already stored: it keeps its heads; it travelled in this batch too, and keeps
			// the first batch it was recorded in (as MarkBatched).
			if c.batch != "" {
				nb, _, err := c.tx.num(c.batch, true)
				if err != nil {
					return false, err
				}
				res, err := c.tx.exec(qBatchedAgain, nb, have)
				if err != nil {
					return false, fmt.Errorf("mark batched: %w", err)
				}
				if n, err := res.RowsAffected(); err != nil {
					return false, fmt.Errorf("mark batched: %w", err)
				} else if n == 1 {
					c.noteBatched(r.Device, int64(r.Counter)) // it was pending
				}
			}
			return false, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return false, fmt.Errorf("insert revision: %w", err)
		}
	}
	seq := c.lastSeq + 1
	// The numbers of its names (revision_names), added if new.
	var batch any
	if c.batch != "" {
		nb, _, err := c.tx.num(c.batch, true)
		if err != nil {
			return false, err
		}
		batch = nb
	}
	if ts.iv == 0 {
		if ts.iv, _, err = c.tx.num(t.Interview, true); err != nil {
			return false, err
		}
	}
	ndev, _, err := c.tx.num(r.Device, true)
	if err != nil {
		return false, err
	}
	nauth, _, err := c.tx.num(r.Author, true)
	if err != nil {
		return false, err
	}
	if fresh && c.batch != "" {
		c.noteBatched(r.Device, int64(r.Counter)) // a PutBatched's
	}
	if !fresh {
		if err := c.loadPending(); err != nil {
			return false, err
		}
		top, ok := c.devMax[r.Device]
		if !ok {
			if err := c.flush(); err != nil {
				return false, err
			}
			if err := c.tx.queryRow(qBatchedCounter, r.Device).Scan(&top); err != nil {
				return false, fmt.Errorf("read device counter: %w", err)
			}
			top = max(top, c.pendingTop[r.Device])
		}
		if int64(r.Counter) <= top {
			clash := slices.ContainsFunc(c.pendingIDs[devCounter{r.Device, int64(r.Counter)}], func(id []byte) bool { return !bytes.Equal(id, rid) })
			if !clash {
				if err := c.flush(); err != nil {
					return false, err
				}
				if err := c.tx.queryRow(qReused, r.Device, int64(r.Counter), rid).Scan(&clash); err != nil {
					return false, fmt.Errorf("check device counter: %w", err)
				}
			}
			if !clash {
				clash = slices.Contains(c.batched[r.Device], int64(r.Counter)) // this call's, not in the runs yet
			}
			if clash {
				c.reused = append(c.reused, r.ID)
			}
		}
		if c.devMax == nil {
			c.devMax = map[string]int64{}
		}
		c.devMax[r.Device] = max(top, int64(r.Counter))
		if c.batch != "" {
			c.noteBatched(r.Device, int64(r.Counter))
		} else {
			c.notePending(r.Device, int64(r.Counter), rid)
		}
	}
	// The revisions it replaces stop being heads: their entries leave the target's heads
	// for its history, beside them (mostly on the page the new entry goes to). (Replaced
	// revisions not known yet will be stored as non-heads when they arrive; those of another
	// target are not its to replace, as in survey.Heads. Revisions of this call that it
	// replaces were stored as non-heads and are not among the current heads.)
	var gone []head
	for _, p := range r.Replaces {
		for i, h := range ts.cur {
			if h.id == p {
				gone = append(gone, h)
				ts.cur = append(ts.cur[:i], ts.cur[i+1:]...)
				break
			}
		}
	}
	for _, h := range gone {
		if i, ok := c.entryAt[h.seq]; ok {
			c.entries[i].head = false // added by this call: history before it is written
			delete(c.entryAt, h.seq)
			continue
		}
		old, err := idBytes(h.id)
		if err != nil {
			return false, err
		}
		if _, err := c.tx.exec(qUnhead, ts.iv, kindNum(t.Kind), t.Key, h.seq); err != nil {
			return false, fmt.Errorf("update heads: %w", err)
		}
		c.entries = append(c.entries, entry{t: t, iv: ts.iv, id: old, seq: h.seq})
	}
	if !replaced {
		if c.entryAt == nil {
			c.entryAt = map[int64]int{}
		}
		c.entryAt[seq] = len(c.entries)
	}
	c.entries = append(c.entries, entry{t: t, iv: ts.iv, head: !replaced, id: rid, seq: seq})
	if !fresh {
		if c.added == nil {
			c.added = map[string]bool{}
		}
		c.added[r.ID] = true
	}
	if len(c.entries) >= entriesPerStatement {
		if err := c.flushEntries(); err != nil {
			return false, err
		}
	}
	if fresh {
		if _, err := c.tx.exec(qInsertRev, seq, ts.iv, kindNum(t.Kind), t.Key,
			ndev, int64(r.Counter), tm, nauth, joinIDs(r.Replaces), batch, []byte(r.Value)); err != nil {
			return false, fmt.Errorf("insert revision: %w", err)
		}
	} else {
		c.rows = append(c.rows, seq, ts.iv, kindNum(t.Kind), t.Key,
			ndev, int64(r.Counter), tm, nauth, joinIDs(r.Replaces), batch, []byte(r.Value))
		if len(c.rows) >= rowArgs*rowsPerStatement {
			if err := c.flushRows(); err != nil {
				return false, err
			}
		}
	}
	c.lastSeq = seq
	if c.firstSeq == 0 {
		c.firstSeq = seq
	}
	if !replaced {
		ts.cur = append(ts.cur, head{id: r.ID, seq: seq, time: tm, author: r.Author, value: r.Value, fact: f})
		sortHeads(ts.cur)
	}
	d := c.ivs[r.Interview]
	if d == nil {
		d = &ivDelta{maxTime: tm}
		c.ivs[r.Interview] = d
		c.ivOrder = append(c.ivOrder, r.Interview)
	}
	d.added++
	d.maxTime = max(d.maxTime, tm)
	if (r.Kind == survey.KindInterview || r.Kind == survey.KindAssessment) && (d.created == 0 || tm < d.created) {
		d.created = tm
	}
	return true, nil
}

// row is an interview's summary row.
type row struct {
	Summary
	sections []byte
}

const (
	qSelectIV = `SELECT questionnaire, version, status, reason, agency, province, role, category, assessor,
		answered, sections, conflicts, created, updated, revisions, record, title, scope, assignee, due, note FROM interviews WHERE id = ?`
	qUpsertIV = `INSERT INTO interviews (id, questionnaire, version, status, reason, agency, province, role, category,
		assessor, answered, sections, conflicts, created, updated, revisions, search, record, title, scope, assignee, due, note)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET questionnaire = excluded.questionnaire, version = excluded.version,
		status = excluded.status, reason = excluded.reason, agency = excluded.agency, province = excluded.province,
		role = excluded.role, category = excluded.category, assessor = excluded.assessor, answered = excluded.answered,
		sections = excluded.sections, conflicts = excluded.conflicts, created = excluded.created,
		updated = excluded.updated, revisions = excluded.revisions, search = excluded.search,
		record = excluded.record, title = excluded.title, scope = excluded.scope, assignee = excluded.assignee,
		due = excluded.due, note = excluded.note`
)

// finish updates the summary row of every interview the call added revisions to.
func (c *call) finish() error {
	if err := c.flush(); err != nil {
		return err
	}
	if err := c.tx.addRuns(c.batched); err != nil {
		return err
	}
	// The targets of each interview, in the order touched: c.order itself when they are all
	// of one interview (a Put), without a map.
	targetsOf := func(string) []survey.Target { return c.order }
	if len(c.ivOrder) != 1 || slices.ContainsFunc(c.order, func(t survey.Target) bool { return t.Interview != c.ivOrder[0] }) {
		byIV := map[string][]survey.Target{}
		for _, t := range c.order {
			byIV[t.Interview] = append(byIV[t.Interview], t)
		}
		targetsOf = func(id string) []survey.Target { return byIV[id] }
	}
	for _, id := range c.ivOrder {
		d := c.ivs[id]
		if done, err := c.updateCounts(id, d, targetsOf(id)); err != nil {
			return err
		} else if done {
			continue
		}
		rw, err := c.loadRow(id)
		if err != nil {
			return err
		}
		rw.Revisions += d.added
		if d.maxTime > ms(rw.Updated) || rw.Revisions == d.added {
			rw.Updated = fromMS(d.maxTime)
		}
		for _, t := range targetsOf(id) {
			ts := c.targets[t]
			if sameHeads(ts.old, ts.cur) {
				continue
			}
			if err := applyTarget(&rw.Summary, t, ts.old, ts.cur); err != nil {
				return err
			}
		}
		if d.created != 0 {
			rw.Created = earlierOf(rw.Created, d.created)
		}
		if err := c.saveRow(rw); err != nil {
			return err
		}
	}
	return nil
}

// noteBatched records that the call put the revision of device with counter in a batch.
func (c *call) noteBatched(device string, counter int64) {
	if c.batched == nil {
		c.batched = map[string][]int64{}
	}
	c.batched[device] = append(c.batched[device], counter)
}

const (
	// qTakeRuns removes and returns a device's runs that overlap or touch ?2..?3 (one
	// counter wider than the run being added on each side).
	qTakeRuns = `DELETE FROM revision_counters WHERE device = ?1 AND lo <= ?3 AND hi >= ?2 RETURNING lo, hi`
	qAddRun   = `INSERT INTO revision_counters (device, lo, hi) VALUES (?, ?, ?)`
)

// addRuns adds the counters of held (per device) to the devices' runs of counters held
// by revisions in batches: each run of consecutive counters takes in the stored runs it
// overlaps or touches. A device's revisions come in counter order, so a batch is mostly
// one run extending the device's last: two statements.
func (tx *Tx) addRuns(held map[string][]int64) error {
	for _, d := range slices.Sorted(maps.Keys(held)) {
		cs := slices.Clone(held[d])
		slices.Sort(cs)
		cs = slices.Compact(cs)
		for i := 0; i < len(cs); {
			j := i
			for j+1 < len(cs) && cs[j+1] == cs[j]+1 {
				j++
			}
			lo, hi := cs[i], cs[j]
			i = j + 1
			below, above := lo, hi
			if below > math.MinInt64 {
				below--
			}
			if above < math.MaxInt64 {
				above++
			}
			rows, err := tx.query(qTakeRuns, d, below, above)
			if err != nil {
				return fmt.Errorf("record counters: %w", err)
			}
			for rows.Next() {
				var l, h int64
				if err := rows.Scan(&l, &h); err != nil {
					rows.Close()
					return fmt.Errorf("record counters: %w", err)
				}
				lo, hi = min(lo, l), max(hi, h)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return fmt.Errorf("record counters: %w", err)
			}
			if _, err := tx.exec(qAddRun, d, lo, hi); err != nil {
				return fmt.Errorf("record counters: %w", err)
			}
		}
	}
	return nil
}

// entriesPerStatement is how many entries flushEntries writes in one INSERT.
const entriesPerStatement = 64

// qEntries is the INSERT of n entries of revision_targets.
func qEntries(n int) string {
	return `INSERT INTO revision_targets (interview, kind, key, head, id, seq) VALUES ` +
		strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?), ", n), ", ")
}

// The INSERTs of an edit's entries (its own, and the head it replaced, now history), of
// a new target's, and of a full group, prepared when the store opens.
var qEntries1, qEntries2, qEntries64 = qEntries(1), qEntries(2), qEntries(entriesPerStatement)

// qEntriesBy holds the INSERTs of 64, 32, 16, 8, 4, 2 and 1 entries, prepared when the
// store opens: as qRowsBy, the entries a call keeps are written in the largest that fit.
var qEntriesBy = func() map[int]string {
	m := map[int]string{}
	for n := entriesPerStatement; n >= 1; n /= 2 {
		m[n] = qEntries(n)
	}
	return m
}()

// rowsPerStatement is how many rows flushRows writes in one INSERT; rowArgs the
// arguments of a row (qInsertRev's).
const rowsPerStatement, rowArgs = 32, 11

// qRows is the INSERT of n rows of revision_rows (qInsertRev's columns).
func qRows(n int) string {
	return `INSERT INTO revision_rows (seq, interview, kind, key, device, counter, time, author, replaces, batch, value) VALUES ` +
		strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?), ", n), ", ")
}

// qRowsBy holds the INSERTs of 32, 16, 8, 4, 2 and 1 rows, prepared when the store
// opens: the rows a call keeps are written in the largest that fit, so that a few
// statements, always the same, write any number.
var qRowsBy = func() map[int]string {
	m := map[int]string{}
	for n := rowsPerStatement; n >= 1; n /= 2 {
		m[n] = qRows(n)
	}
	return m
}()

// flush writes what the call keeps for later (its rows, then its entries) before a read
// that must see them.
func (c *call) flush() error {
	if err := c.flushRows(); err != nil {
		return err
	}
	return c.flushEntries()
}

// flushRows writes the rows the call keeps to revision_rows.
func (c *call) flushRows() error {
	rest := c.rows
	for len(rest) > 0 {
		n := rowsPerStatement
		for n*rowArgs > len(rest) {
			n /= 2
		}
		if err := c.tx.execRaw(qRowsBy[n], rest[:n*rowArgs]); err != nil {
			return fmt.Errorf("insert revision: %w", err)
		}
		rest = rest[n*rowArgs:]
	}
	clear(c.rows)
	c.rows = c.rows[:0]
	return nil
}

// flushEntries writes the entries the call added to revision_targets.
func (c *call) flushEntries() error {
	if len(c.entries) == 0 {
		return nil
	}
	for len(c.entries) > 0 {
		n := entriesPerStatement
		for n > len(c.entries) {
			n /= 2
		}
		args := c.entryArgs[:0]
		for _, e := range c.entries[:n] {
			args = append(args, e.iv, kindNum(e.t.Kind), e.t.Key, e.head, e.id, e.seq)
		}
		err := c.tx.execRaw(qEntriesBy[n], args)
		clear(args)
		c.entryArgs = args[:0]
		if err != nil {
			return fmt.Errorf("insert revision: %w", err)
		}
		c.entries = c.entries[n:]
	}
	c.entries, c.entryAt = c.entries[:0], nil
	return nil
}

// qUpdateCounts moves the summary row of an interview that has revisions already by
// what answers and a status change do to it (applyTarget's effect for those kinds), in
// one statement that writes only those columns. ?5 NULL: the status stays.
const qUpdateCounts = `UPDATE interviews SET revisions = revisions + ?1, updated = max(updated, ?2),
	conflicts = conflicts + ?3, answered = answered + ?4,
	status = coalesce(?5, status), reason = CASE WHEN ?5 IS NULL THEN reason ELSE ?6 END
	WHERE id = ?7 AND revisions > 0`

// updateCounts brings the summary row of interview id up to date without reading it,
// when the call changed only the heads of answers and of the status (an edit, the common
// Put): the row moves by counts and the new status. It reports false, having written
// nothing, when the call changed anything else or the interview has no row with
// revisions yet: then finish reads and rewrites the whole row.
func (c *call) updateCounts(id string, d *ivDelta, targets []survey.Target) (bool, error) {
	if d.created != 0 {
		return false, nil // a revision of the creation target, head or not, may move created
	}
	var conflicts, answered int
	var status, reason any
	for _, t := range targets {
		ts := c.targets[t]
		if sameHeads(ts.old, ts.cur) {
			continue
		}
		if t.Kind != survey.KindAnswer && t.Kind != survey.KindStatus {
			return false, nil
		}
		if disagree(ts.old) {
			conflicts--
		}
		if disagree(ts.cur) {
			conflicts++
		}
		if len(ts.cur) == 0 {
			continue
		}
		f, err := ts.cur[0].decode(t)
		if err != nil {
			return false, err
		}
		if t.Kind == survey.KindStatus {
			status, reason = string(f.status), f.reason
			continue
		}
		if len(ts.old) > 0 {
			of, err := ts.old[0].decode(t)
			if err != nil {
				return false, err
			}
			if of.answered {
				answered--
			}
		}
		if f.answered {
			answered++
		}
	}
	res, err := c.tx.exec(qUpdateCounts, d.added, d.maxTime, conflicts, answered, status, reason, id)
	if err != nil {
		return false, fmt.Errorf("write interview %s: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("write interview %s: %w", id, err)
	}
	return n == 1, nil
}

func sameHeads(a, b []head) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].id != b[i].id {
			return false
		}
	}
	return true
}

func (c *call) loadRow(id string) (*row, error) {
	rw := &row{Summary: Summary{ID: id, Status: survey.StatusDraft, Sections: map[string]survey.Code{}, Record: survey.RecordInterview}}
	var created, updated int64
	var status, record string
	err := c.tx.queryRow(qSelectIV, id).Scan(&rw.Questionnaire, &rw.Version, &status, &rw.Reason,
		&rw.Agency, &rw.Province, &rw.Role, &rw.Category, &rw.Assessor, &rw.Answered, &rw.sections,
		&rw.Conflicts, &created, &updated, &rw.Revisions, &record, &rw.Title, &rw.Scope, &rw.Assignee, &rw.Due, &rw.Note)
	if errors.Is(err, sql.ErrNoRows) {
		return rw, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read interview %s: %w", id, err)
	}
	rw.Status, rw.Record = survey.Status(status), survey.RecordKind(record)
	rw.Created, rw.Updated = fromMS0(created), fromMS(updated)
	if err := json.Unmarshal(rw.sections, &rw.Sections); err != nil {
		return nil, fmt.Errorf("read interview %s: sections: %w", id, err)
	}
	if rw.Sections == nil {
		rw.Sections = map[string]survey.Code{}
	}
	return rw, nil
}

func (c *call) saveRow(rw *row) error {
	secs, err := json.Marshal(rw.Sections)
	if err != nil {
		return err
	}
	created := int64(0)
	if !rw.Created.IsZero() {
		created = ms(rw.Created)
	}
	_, err = c.tx.exec(qUpsertIV, rw.ID, rw.Questionnaire, rw.Version, string(rw.Status), rw.Reason,
		rw.Agency, rw.Province, rw.Role, rw.Category, rw.Assessor, rw.Answered, secs, rw.Conflicts,
		created, ms(rw.Updated), rw.Revisions, searchKey(rw.Agency, rw.Province, rw.Role),
		string(rw.Record), rw.Title, rw.Scope, rw.Assignee, rw.Due, rw.Note)
	if err != nil {
		return fmt.Errorf("write interview %s: %w", rw.ID, err)
	}
	return nil
}

// applyTarget moves summary s from the contribution of target t with heads old to its
// contribution with heads cur (both newest first).
func applyTarget(s *Summary, t survey.Target, old, cur []head) error {
	if disagree(old) {
		s.Conflicts--
	}
	if disagree(cur) {
		s.Conflicts++
	}
	if len(cur) == 0 {
		return nil // cannot happen: a target that received a revision has a head
	}
	f, err := cur[0].decode(t)
	if err != nil {
		return err
	}
	switch t.Kind {
	case survey.KindInterview:
		s.Questionnaire, s.Version, s.Assessor = f.questionnaire, f.version, f.assessor
		s.Assignee, s.Due, s.Note = f.assignee, f.due, f.note
		s.Created = earlierOf(s.Created, earliest(cur))
	case survey.KindRespondent:
		s.Agency, s.Province, s.Role, s.Category = f.agency, f.province, f.role, f.category
	case survey.KindStatus:
		s.Status, s.Reason = f.status, f.reason
	case survey.KindAnswer:
		if len(old) > 0 {
			of, err := old[0].decode(t)
			if err != nil {
				return err
			}
			if of.answered {
				s.Answered--
			}
		}
		if f.answered {
			s.Answered++
		}
	case survey.KindSection:
		if f.rating != "" {
			s.Sections[t.Key] = f.rating
		} else {
			delete(s.Sections, t.Key)
		}
	case survey.KindAssessment:
		s.Questionnaire, s.Version, s.Assessor = f.questionnaire, f.version, f.assessor
		s.Title, s.Scope = f.title, f.scope
		s.Created = earlierOf(s.Created, earliest(cur))
	}
	if t.Kind.IsAssessmentKind() {
		s.Record = survey.RecordAssessment
	}
	return nil
}

// decode returns what h's value contributes to the summary of target t's interview.
func (h head) decode(t survey.Target) (*fact, error) {
	if h.fact != nil {
		return h.fact, nil
	}
	f, err := decodeFact(t.Kind, h.value, h.author)
	if err != nil {
		return nil, fmt.Errorf("decode %s revision %s of interview %s: %w", t.Kind, shortID(h.id), t.Interview, err)
	}
	return &f, nil
}

// encodeValue returns the canonical JSON of a change's value, normalising the domain's
// own types (strings to NFC). A value of another Go type than the kind's is checked to
// decode as the kind's value.
func encodeValue(k survey.Kind, v any) (json.RawMessage, error) {
	typed := false
	switch x := v.(type) {
	case survey.Answer:
		v, typed = x.Normalized(), k == survey.KindAnswer
	case *survey.Answer:
		if x != nil {
			v, typed = x.Normalized(), k == survey.KindAnswer
		}
	case survey.Respondent:
		v, typed = x.Normalized(), k == survey.KindRespondent
	case *survey.Respondent:
		if x != nil {
			v, typed = x.Normalized(), k == survey.KindRespondent
		}
	case survey.SectionSummary:
		x.Comment = survey.NFC(x.Comment)
		v, typed = x, k == survey.KindSection
	case survey.StatusChange:
		x.Reason = survey.NFC(x.Reason)
		v, typed = x, k == survey.KindStatus
	case survey.InterviewMeta:
		typed = k == survey.KindInterview
	case survey.AssessmentMeta:
		x.Title, x.Scope = survey.NFC(x.Title), survey.NFC(x.Scope)
		v, typed = x, k == survey.KindAssessment
	case survey.TextValue:
		x.Text = survey.NFC(x.Text)
		v, typed = x, k == survey.KindText
	case survey.ActionItem:
		v, typed = x.Normalized(), k == survey.KindAction
	case survey.DatasetRow:
		v, typed = x.Normalized(), k == survey.KindDataset
	case survey.RosterRow:
		if x = x.Normalized(); x.IsEmpty() {
			v = nil // a deleted row is null, however it was written
		} else {
			v = x
		}
		typed = k == survey.KindRow
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode value: %w", err)
	}
	if !typed {
		if err := checkValue(k, b); err != nil {
			return nil, fmt.Errorf("value is not a %s value: %w", k, err)
		}
	}
	return b, nil
}

// sameJSON reports whether stored value a has the bytes of b (compact, as json.Marshal
// writes) once compacted. Values are canonical JSON, so that is value equality; a value
// some other program wrote with another key order merely costs one redundant revision.
func sameJSON(a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	var buf bytes.Buffer
	if json.Compact(&buf, a) != nil {
		return false
	}
	return bytes.Equal(buf.Bytes(), b)
}

// disagree is survey.Disagree on stored heads: more than one distinct value.
func disagree(hs []head) bool {
	for _, h := range hs[min(1, len(hs)):] {
		if !survey.SameValue(h.value, hs[0].value) {
			return true
		}
	}
	return false
}

// earlierOf is the creation time a summary keeps: the earliest revision of the creation
// target it has seen (cur, in ms, its heads now), so that a newer revision of that target
// (a reassignment, an upgrade, a settlement) does not move it; merging is a set union, so
// the minimum is the same on every copy that holds the same revisions.
func earlierOf(was time.Time, cur int64) time.Time {
	if was.IsZero() || cur < ms(was) {
		return fromMS(cur)
	}
	return was
}

// earliest is the earliest time among heads hs: the creation time of an interview whose
// creation two devices made alike (survey.InterviewState.ApplyHeads does the same).
func earliest(hs []head) int64 {
	t := hs[0].time
	for _, h := range hs[1:] {
		t = min(t, h.time)
	}
	return t
}

// idBytes returns the 32 bytes of revision id hex (64 lowercase hex digits), as the
// revision_rows table stores them.
func idBytes(id string) ([]byte, error) {
	if !isRevID(id) {
		return nil, fmt.Errorf("%w: id %q is not 64 lowercase hex digits", survey.ErrBadRevision, shortID(id))
	}
	return hex.DecodeString(id)
}
