package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// Summary is one interview as lists show it, kept up to date on every write.
type Summary = survey.Summary

const qList = `SELECT id, questionnaire, version, status, reason, agency, province, role, category, assessor,
	answered, sections, conflicts, created, updated, revisions, record, title, scope, assignee, due, note,
	progress_answered, progress_total, progress_at, progress_of FROM interviews`

// ListOptions filters List. Zero values do not filter.
type ListOptions struct {
	Questionnaire string
	Status        survey.Status
	// Search matches, ignoring case and Vietnamese accents, any part of the agency,
	// province or role, or the beginning of the interview id.
	Search string
	// Filter keeps the interviews whose summary it matches (survey.Filter.Match).
	Filter survey.Filter
	// Limit, when positive, returns at most that many; Offset skips that many first (a
	// page of the list). Without a Filter both go into the query, which then reads only
	// the page from the index on (record, updated, id).
	Limit, Offset int
	// Record chooses interviews (the zero value) or assessments: a list holds one kind.
	Record survey.RecordKind
	// Created lists only the interviews whose creation is held; Waiting only those held
	// without it (revisions of an interview whose first revision has not arrived: a
	// supervisor's decision merged before the interview, or a hub missing a device's first
	// batch). Neither: every interview. Lists shown to people set Created: an interview
	// waiting for its creation has no questionnaire, respondent or assessor to show yet.
	Created, Waiting bool
}

const revCols = "id, interview, kind, key, value, device, counter, time, author, replaces"

type scanner interface{ Scan(dest ...any) error }

func scanRev(sc scanner) (survey.Revision, error) {
	var r survey.Revision
	var kind, replaces string
	var counter, tm int64
	var value []byte
	if err := sc.Scan(&r.ID, &r.Interview, &kind, &r.Key, &value, &r.Device, &counter, &tm, &r.Author, &replaces); err != nil {
		return survey.Revision{}, err
	}
	r.Kind = survey.Kind(kind)
	r.Value = json.RawMessage(value)
	r.Counter = uint64(counter)
	r.Time = fromMS(tm)
	r.Replaces = splitIDs(replaces)
	return r, nil
}

func collectRevs(rows *sql.Rows, err error) ([]survey.Revision, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []survey.Revision
	for rows.Next() {
		r, err := scanRev(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Interview returns the current state of interview id, folded from its head revisions
// exactly as survey.Fold folds all of them. An unknown id is ErrNotFound.
func (s *Store) Interview(ctx context.Context, id string) (*survey.InterviewState, error) {
	var st *survey.InterviewState
	err := s.View(ctx, func(tx *Tx) error {
		var err error
		st, err = tx.Interview(id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return st, nil
}

// InterviewsOf returns the state of every interview of questionnaire qn whose creation is
// held, in the order of List, read in one transaction: the evidence an assessment draws on
// (report.BuildAssessment chooses which count).
func (s *Store) InterviewsOf(ctx context.Context, qn string) ([]*survey.InterviewState, error) {
	sums, err := s.List(ctx, ListOptions{Questionnaire: qn, Created: true})
	if err != nil {
		return nil, err
	}
	out := make([]*survey.InterviewState, 0, len(sums))
	err = s.View(ctx, func(tx *Tx) error {
		for _, sm := range sums {
			st, err := tx.Interview(sm.ID)
			if err != nil {
				return fmt.Errorf("read interview %s: %w", sm.ID, err)
			}
			out = append(out, st)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Interview is Store.Interview inside tx.
func (tx *Tx) Interview(id string) (*survey.InterviewState, error) {
	h, err := tx.interviewHeads(id, false)
	if err != nil {
		return nil, err
	}
	return h.fold()
}

// interviewHeads is what the state of an interview is folded from: its head revisions,
// and the revision count and latest time of all its revisions.
type interviewHeads struct {
	id        string
	heads     []survey.Revision
	revisions int
	created   int64
	updated   int64
}

// headColsLean are the columns of a head revision that folding reads: a head replaces no
// other head, and device and counter do not change the state. The author does: an
// interview created without an assessor's name is attributed to it (InterviewMeta.AssessorOr).
const headColsLean = "id, kind, key, time, author, value"

// qRevsOf reads revCols of the revisions of the interview ?1 from the tables, not the
// revisions view: its entries found through its number (revision_names, 0008), each
// with its row and the names of its device and author. Callers add conditions (on t, the
// entry, and r, the row: ?2 and on) and an order.
const qRevsOf = `SELECT lower(hex(t.id)), ?1, nk.name, t.key, r.value, nd.name, r.counter, r.time, na.name, r.replaces
	FROM revision_targets t JOIN revision_rows r ON r.seq = t.seq JOIN revision_kinds nk ON nk.n = t.kind
	JOIN revision_names nd ON nd.n = r.device JOIN revision_names na ON na.n = r.author
	WHERE t.interview = (SELECT n FROM revision_names WHERE name = ?1)`

// qLeanHeads reads headColsLean of the heads of the interview ?1, as qRevsOf.
const qLeanHeads = `SELECT lower(hex(t.id)), t.kind, t.key, r.time, na.name, r.value
	FROM revision_targets t JOIN revision_rows r ON r.seq = t.seq JOIN revision_names na ON na.n = r.author
	WHERE t.interview = (SELECT n FROM revision_names WHERE name = ?1) AND t.head = 1`

// The store's readers of one interview's or one target's revisions.
const (
	qIVHeads     = qRevsOf + ` AND t.head = 1`
	qTargetHeads = qRevsOf + ` AND t.kind = ?2 AND t.key = ?3 AND t.head = 1`
	qIVRevs      = qRevsOf + ` ORDER BY nd.name, r.counter, t.id`
	qHistory     = qRevsOf + ` AND t.kind = ?2 AND t.key = ?3 ORDER BY r.time, t.id`
)

// interviewHeads reads what interview id is folded from; lean reads only headColsLean of
// each head (EachInterview: reading fewer columns is a tenth of an export's time), so the
// heads kept in the state's Conflicts lack device, counter and replaces.
func (tx *Tx) interviewHeads(id string, lean bool) (interviewHeads, error) {
	h := interviewHeads{id: id}
	err := tx.queryRow("SELECT revisions, created, updated FROM interviews WHERE id = ?", id).Scan(&h.revisions, &h.created, &h.updated)
	if errors.Is(err, sql.ErrNoRows) {
		return h, fmt.Errorf("interview %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return h, fmt.Errorf("read interview %s: %w", id, err)
	}
	if lean {
		rows, qerr := tx.query(qLeanHeads, id)
		h.heads, err = leanHeads(id, rows, qerr)
	} else {
		h.heads, err = collectRevs(tx.query(qIVHeads, id))
	}
	if err != nil {
		return h, fmt.Errorf("read interview %s: %w", id, err)
	}
	return h, nil
}

func leanHeads(id string, rows *sql.Rows, err error) ([]survey.Revision, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []survey.Revision
	for rows.Next() {
		r := survey.Revision{Interview: id}
		var kn, tm int64
		var value []byte
		if err := rows.Scan(&r.ID, &kn, &r.Key, &tm, &r.Author, &value); err != nil {
			return nil, err
		}
		kind, err := kindOf(kn)
		if err != nil {
			return nil, err
		}
		r.Kind, r.Time, r.Value = kind, fromMS(tm), json.RawMessage(value)
		out = append(out, r)
	}
	return out, rows.Err()
}

func (h interviewHeads) fold() (*survey.InterviewState, error) {
	st, err := foldHeads(h.id, h.heads)
	if err != nil {
		return nil, fmt.Errorf("read interview %s: %w", h.id, err)
	}
	// ApplyHeads saw only the heads: the count, the creation and the latest time cover all
	// revisions (the summary keeps them).
	st.Revisions = h.revisions
	st.Updated = fromMS(h.updated)
	if h.created != 0 {
		st.Created = fromMS(h.created)
	}
	return st, nil
}

// Heads returns the current heads of target t (more than one: a conflict), newest first,
// as survey.Heads orders them; none when t has no revision.
func (tx *Tx) Heads(t survey.Target) ([]survey.Revision, error) {
	heads, err := collectRevs(tx.query(qTargetHeads, t.Interview, kindNum(t.Kind), t.Key))
	if err != nil {
		return nil, fmt.Errorf("read heads of %s: %w", t, err)
	}
	survey.SortNewestFirst(heads)
	return heads, nil
}

// foldHeads applies the heads of every target of interview id, in survey.Fold's order
// (by Target.String, computed once per target).
func foldHeads(id string, heads []survey.Revision) (*survey.InterviewState, error) {
	type group struct {
		key  string
		revs []survey.Revision
	}
	byTarget := make(map[survey.Target]int, len(heads))
	groups := make([]group, 0, len(heads))
	for _, r := range heads {
		t := r.Target()
		i, ok := byTarget[t]
		if !ok {
			i = len(groups)
			byTarget[t] = i
			groups = append(groups, group{key: t.String()})
		}
		groups[i].revs = append(groups[i].revs, r)
	}
	slices.SortFunc(groups, func(a, b group) int { return strings.Compare(a.key, b.key) })
	st := survey.NewInterviewState(id)
	st.Answers = make(survey.Answers, len(groups)) // most targets are answers: no regrowth
	for _, g := range groups {
		if err := st.ApplyHeads(g.revs[0].Target(), g.revs); err != nil {
			return nil, err
		}
	}
	return st, nil
}

// Revisions returns every revision of an interview, ordered by device and counter.
func (s *Store) Revisions(ctx context.Context, interviewID string) ([]survey.Revision, error) {
	revs, err := collectRevs(s.r.QueryContext(ctx, qIVRevs, interviewID))
	if err != nil {
		return nil, fmt.Errorf("read revisions of %s: %w", interviewID, err)
	}
	return revs, nil
}

// AllRevisions calls fn with every revision, ordered by id, reading them as a stream
// from one snapshot. An error from fn stops the walk and is returned.
func (s *Store) AllRevisions(ctx context.Context, fn func(survey.Revision) error) error {
	return s.View(ctx, func(tx *Tx) error {
		rows, err := tx.q.QueryContext(ctx, `SELECT `+revCols+` FROM revisions ORDER BY id`)
		if err != nil {
			return fmt.Errorf("read revisions: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanRev(rows)
			if err != nil {
				return fmt.Errorf("read revisions: %w", err)
			}
			if err := fn(r); err != nil {
				return err
			}
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read revisions: %w", err)
		}
		return nil
	})
}

// HasAuthor reports whether the store holds a revision made by principal (its Author).
// It reads the revisions until it finds one: a full scan when there is none (but none when
// no revision has ever named that principal, revision_names).
func (s *Store) HasAuthor(ctx context.Context, principal string) (bool, error) {
	var one int
	err := s.r.QueryRowContext(ctx, `SELECT 1 FROM revision_rows WHERE author = (SELECT n FROM revision_names WHERE name = ?) LIMIT 1`, principal).Scan(&one)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	}
	return false, fmt.Errorf("look for revisions by %s: %w", principal, err)
}

// History returns every revision of target t, oldest first (by time, then id).
func (s *Store) History(ctx context.Context, t survey.Target) ([]survey.Revision, error) {
	revs, err := collectRevs(s.r.QueryContext(ctx, qHistory, t.Interview, kindNum(t.Kind), t.Key))
	if err != nil {
		return nil, fmt.Errorf("read history of %s: %w", t, err)
	}
	return revs, nil
}

// List returns the summaries of the interviews that match o, most recently updated
// first, then by id.
func (s *Store) List(ctx context.Context, o ListOptions) ([]Summary, error) {
	var out []Summary
	err := s.EachSummary(ctx, o, func(sm Summary) error {
		out = append(out, sm)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// EachSummary calls fn with the summary of each interview that matches o, in List's order,
// reading them as a stream: however many interviews match, one summary is in memory at a
// time. An error from fn stops the walk and is returned.
func (s *Store) EachSummary(ctx context.Context, o ListOptions, fn func(Summary) error) error {
	return s.eachListed(ctx, o, func(l Listed) error { return fn(l.Summary) })
}

// eachListed is EachSummary with the progress stored beside each summary.
func (s *Store) eachListed(ctx context.Context, o ListOptions, fn func(Listed) error) error {
	where, args := listWhere(o)
	q := qList + " WHERE " + where + " ORDER BY updated DESC, id"
	// The text filters fold in Go (SQLite cannot fold Vietnamese), so with a Filter the
	// page is counted here rather than in SQL.
	skip, limit := o.Offset, o.Limit
	if o.Filter.IsZero() && (limit > 0 || skip > 0) {
		lim := -1 // no limit
		if limit > 0 {
			lim = limit
		}
		q += " LIMIT ? OFFSET ?"
		args = append(args, lim, max(0, skip))
		skip, limit = 0, 0
	}
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("list interviews: %w", err)
	}
	n := 0
	err = scanListed(rows, func(l Listed) error {
		if !o.Filter.Match(l.Summary) {
			return nil
		}
		if skip > 0 {
			skip--
			return nil
		}
		if limit > 0 && n >= limit {
			return errStop
		}
		n++
		return fn(l)
	})
	if errors.Is(err, errStop) {
		return nil
	}
	return err
}

// CountByStatus returns how many interviews List(o) would return (Limit and Offset aside),
// by status, without reading them when o has no Filter.
func (s *Store) CountByStatus(ctx context.Context, o ListOptions) (map[survey.Status]int, error) {
	out := map[survey.Status]int{}
	if !o.Filter.IsZero() {
		o.Limit, o.Offset = 0, 0
		err := s.eachListed(ctx, o, func(l Listed) error {
			out[l.Status]++
			return nil
		})
		return out, err
	}
	where, args := listWhere(o)
	rows, err := s.r.QueryContext(ctx, "SELECT status, count(*) FROM interviews WHERE "+where+" GROUP BY status", args...)
	if err != nil {
		return nil, fmt.Errorf("count interviews: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, fmt.Errorf("count interviews: %w", err)
		}
		out[survey.Status(st)] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count interviews: %w", err)
	}
	return out, nil
}

// listWhere is the SQL condition (and its arguments) of the interviews o lists, but for
// the folded filters of o.Filter (other than statuses), which Go applies.
func listWhere(o ListOptions) (string, []any) {
	record := o.Record
	if record == "" {
		record = survey.RecordInterview
	}
	where := []string{"record = ?"}
	args := []any{string(record)}
	if o.Questionnaire != "" {
		where = append(where, "questionnaire = ?")
		args = append(args, o.Questionnaire)
	}
	if o.Created {
		where = append(where, "questionnaire != ''")
	}
	if o.Waiting {
		where = append(where, "questionnaire = ''")
	}
	if o.Status != "" {
		where = append(where, "status = ?")
		args = append(args, string(o.Status))
	}
	if len(o.Filter.Statuses) > 0 {
		marks := make([]string, len(o.Filter.Statuses))
		for i, st := range o.Filter.Statuses {
			marks[i] = "?"
			args = append(args, string(st))
		}
		where = append(where, "status IN ("+strings.Join(marks, ", ")+")")
	}
	if term := strings.TrimSpace(o.Search); term != "" {
		where = append(where, `(instr(search, ?) > 0 OR id LIKE ? ESCAPE '\')`)
		args = append(args, foldText(term), likePrefix(strings.ToLower(term)))
	}
	return strings.Join(where, " AND "), args
}

// errStop ends a walk early without an error.
var errStop = errors.New("stop")

// EachInterview calls fn with the current state of each interview in ids, in that order,
// read one at a time from one snapshot of the store (what a writer commits meanwhile is
// not seen), so that an export of any number of interviews holds a few in memory at a
// time. It reads ahead of fn: one goroutine reads the head revisions of the next
// interviews while others (one a processor) fold them, so that reading, folding and the
// caller's writing share the processors; fn still gets the states in order, one at a
// time. The states are those Interview returns, except that the revisions kept in their
// Conflicts carry only their id, target, time and value (not device, counter, author or
// replaces): what reports and exports use, read faster. An unknown id is ErrNotFound; an
// error from fn stops the walk and is returned.
func (s *Store) EachInterview(ctx context.Context, ids []string, fn func(*survey.InterviewState) error) error {
	return s.View(ctx, func(tx *Tx) error {
		type result struct {
			st  *survey.InterviewState
			err error
		}
		type job struct {
			h   interviewHeads
			out chan result
		}
		workers := max(1, runtime.GOMAXPROCS(0))
		jobs := make(chan job, workers)
		order := make(chan chan result, eachAhead)
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := range jobs {
					st, err := j.h.fold()
					j.out <- result{st, err} // buffered: never blocks
				}
			}()
		}
		wg.Add(1)
		go func() { // the reader: the only user of tx
			defer wg.Done()
			defer close(order)
			defer close(jobs)
			for _, id := range ids {
				out := make(chan result, 1)
				select {
				case order <- out:
				case <-stop:
					return
				}
				h, err := interviewHeads{}, ctx.Err()
				if err == nil {
					h, err = tx.interviewHeads(id, true)
				}
				if err != nil {
					out <- result{err: err}
					return
				}
				select {
				case jobs <- job{h, out}:
				case <-stop:
					return
				}
			}
		}()
		var err error
		for out := range order {
			r := <-out
			if err = r.err; err != nil {
				break
			}
			if err = fn(r.st); err != nil {
				break
			}
		}
		close(stop)
		wg.Wait() // the transaction is not used once View returns
		return err
	})
}

// eachAhead is how many interviews EachInterview reads ahead of its caller.
const eachAhead = 8

// listTx returns every summary, unordered, inside tx.
func (s *Store) listTx(ctx context.Context, tx *Tx) ([]Summary, error) {
	rows, err := tx.q.QueryContext(ctx, qList)
	if err != nil {
		return nil, fmt.Errorf("list interviews: %w", err)
	}
	var out []Summary
	err = scanSummaries(rows, func(sm Summary) error {
		out = append(out, sm)
		return nil
	})
	return out, err
}

// scanSummaries calls fn with each summary of rows, and closes rows.
func scanSummaries(rows *sql.Rows, fn func(Summary) error) error {
	return scanListed(rows, func(l Listed) error { return fn(l.Summary) })
}

// scanListed calls fn with each summary of rows and the progress stored beside it (whether
// current or not: see ListProgress), and closes rows.
func scanListed(rows *sql.Rows, fn func(Listed) error) error {
	defer rows.Close()
	for rows.Next() {
		var l Listed
		sm := &l.Summary
		var status, record string
		var secs []byte
		var created, updated int64
		if err := rows.Scan(&sm.ID, &sm.Questionnaire, &sm.Version, &status, &sm.Reason, &sm.Agency,
			&sm.Province, &sm.Role, &sm.Category, &sm.Assessor, &sm.Answered, &secs, &sm.Conflicts,
			&created, &updated, &sm.Revisions, &record, &sm.Title, &sm.Scope, &sm.Assignee, &sm.Due, &sm.Note,
			&l.stored.Answered, &l.stored.Total, &l.storedAt, &l.storedOf); err != nil {
			return fmt.Errorf("list interviews: %w", err)
		}
		sm.Status, sm.Record = survey.Status(status), survey.RecordKind(record)
		sm.Created, sm.Updated = fromMS0(created), fromMS(updated)
		var err error
		sm.Sections, err = decodeSections(secs)
		if err != nil {
			return fmt.Errorf("list interviews: %s: %w", sm.ID, err)
		}
		if err := fn(l); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list interviews: %w", err)
	}
	return nil
}

func decodeSections(b []byte) (map[string]survey.Code, error) {
	m := map[string]survey.Code{}
	if len(b) <= 2 { // "{}"
		return m, nil
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("sections: %w", err)
	}
	return m, nil
}

func likePrefix(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s) + "%"
}

// foldText is survey.FoldText: the search column and the filters fold text alike.
func foldText(s string) string { return survey.FoldText(s) }

// searchKey is the folded text List searches in; the separator keeps a term from
// matching across two fields.
func searchKey(agency, province, role string) string {
	return foldText(agency) + "\x1f" + foldText(province) + "\x1f" + foldText(role)
}

// Conflicts returns every target with more than one head, with all its heads (newest
// first), ordered by interview, kind and key.
func (s *Store) Conflicts(ctx context.Context) ([]survey.Conflict, error) {
	var out []survey.Conflict
	err := s.View(ctx, func(tx *Tx) error {
		revs, err := collectRevs(tx.q.QueryContext(ctx, `SELECT `+revCols+` FROM revisions
			WHERE head = 1 AND interview IN (SELECT id FROM interviews WHERE conflicts > 0)`))
		if err != nil {
			return fmt.Errorf("read conflicts: %w", err)
		}
		out = conflictsOf(revs)
		return nil
	})
	return out, err
}

// conflictsOf groups head revisions by target and keeps the targets with several heads.
func conflictsOf(heads []survey.Revision) []survey.Conflict {
	byTarget := map[survey.Target][]survey.Revision{}
	for _, r := range heads {
		byTarget[r.Target()] = append(byTarget[r.Target()], r)
	}
	var out []survey.Conflict
	for t, hs := range byTarget {
		if survey.Disagree(hs) {
			survey.SortNewestFirst(hs)
			out = append(out, survey.Conflict{Target: t, Heads: hs})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Target.String() < out[j].Target.String() })
	return out
}

// Pending returns the revisions not yet in a batch, ordered by device and counter. That
// includes revisions received through Append that no batch carried here; a caller that
// should not send those on marks them with Tx.MarkBatched.
func (s *Store) Pending(ctx context.Context) ([]survey.Revision, error) {
	revs, err := collectRevs(s.r.QueryContext(ctx, `SELECT `+revCols+` FROM pending_revisions ORDER BY device, counter, id`))
	if err != nil {
		return nil, fmt.Errorf("read pending revisions: %w", err)
	}
	return revs, nil
}

// GetMeta returns the value stored under key, and whether there is one.
func (s *Store) GetMeta(ctx context.Context, key string) (string, bool, error) {
	var v string
	err := s.r.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = ?", key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("read setting %s: %w", key, err)
	}
	return v, true, nil
}

// SetMeta stores value under key, durably.
func (s *Store) SetMeta(ctx context.Context, key, value string) error {
	return s.Update(ctx, func(tx *Tx) error { return tx.SetMeta(key, value) })
}

// SetMeta is Store.SetMeta inside tx.
func (tx *Tx) SetMeta(key, value string) error {
	if tx.readOnly {
		return fmt.Errorf("write setting %s: %w", key, ErrReadOnly)
	}
	if key == "" {
		return errors.New("write setting: empty key")
	}
	if _, err := tx.exec("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value); err != nil {
		return fmt.Errorf("write setting %s: %w", key, err)
	}
	return nil
}

// Agencies returns the distinct agencies of the interviews in this store, in Vietnamese
// alphabetical order.
func (s *Store) Agencies(ctx context.Context) ([]string, error) { return s.distinct(ctx, "agency") }

// Provinces returns the distinct provinces (or ministries) of the interviews in this
// store, in Vietnamese alphabetical order.
func (s *Store) Provinces(ctx context.Context) ([]string, error) {
	return s.distinct(ctx, "province")
}

func (s *Store) distinct(ctx context.Context, col string) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT DISTINCT "+col+" FROM interviews WHERE record = 'interview' AND "+col+" <> ''")
	if err != nil {
		return nil, fmt.Errorf("read %s names: %w", col, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("read %s names: %w", col, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read %s names: %w", col, err)
	}
	collate.New(language.Vietnamese).SortStrings(out)
	return out, nil
}
