// Package fakestore is an in-memory stand-in for survey/store in the tests of the screens
// and the line mode. It keeps real revisions (survey.NewRevision, content-hash ids, heads
// replaced on every Put, no-op changes skipped) and folds them with survey.Fold, so what the
// screens see matches what the SQLite store would give; it can be told to fail or to be slow.
package fakestore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"golang.org/x/text/unicode/norm"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/tui/session"
)

// Store is the fake. The zero value is not usable: call New.
type Store struct {
	mu       sync.Mutex
	revs     []survey.Revision
	counters map[string]uint64
	meta     map[string]string
	now      func() time.Time
	states   map[string]*survey.InterviewState
	dirty    bool

	// FailPut, when set, is returned by the next Puts (and nothing is written).
	FailPut error
	// Delay is slept in every Put (to test the "saving" state).
	Delay time.Duration
	// Puts counts successful Put calls (a settlement is one too); Lists counts List calls;
	// Settles counts settlements.
	Puts, Lists, Settles int
}

// New returns an empty fake whose clock is now.
func New(now func() time.Time) *Store {
	return &Store{counters: map[string]uint64{}, meta: map[string]string{}, now: now}
}

// Put writes changes as revisions, replacing each target's heads.
func (s *Store) Put(ctx context.Context, by session.Author, changes ...survey.Change) ([]survey.Revision, error) {
	if s.Delay > 0 {
		time.Sleep(s.Delay)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.FailPut != nil {
		return nil, s.FailPut
	}
	if by.Device == "" {
		return nil, errors.New("put: no device")
	}
	st, err := s.foldLocked()
	if err != nil {
		return nil, err
	}
	var out []survey.Revision
	counter := s.counters[by.Device]
	for _, ch := range changes {
		t := ch.Target
		val, err := json.Marshal(ch.Value)
		if err != nil {
			return nil, fmt.Errorf("put: %w", err)
		}
		var heads []string
		if cur := st[t.Interview]; cur != nil {
			heads = cur.Heads[t]
		}
		if len(heads) == 1 && (ch.Base == nil || slices.Contains(ch.Base, heads[0])) {
			if v := s.valueOf(heads[0]); v != nil && bytes.Equal(v, val) {
				continue
			}
		}
		replaces := heads
		if ch.Base != nil {
			replaces = ch.Base // as the SQLite store: made from these, a newer head stays
		}
		counter++
		r, err := survey.NewRevision(t, json.RawMessage(val), by.Device, counter, s.now(), by.Principal, replaces)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
		// Later changes of the same call see this one as the head.
		if st[t.Interview] == nil {
			st[t.Interview] = survey.NewInterviewState(t.Interview)
		}
		st[t.Interview].Heads[t] = append(slices.DeleteFunc(slices.Clone(st[t.Interview].Heads[t]), func(h string) bool {
			return slices.Contains(replaces, h)
		}), r.ID)
	}
	s.counters[by.Device] = counter
	s.revs = append(s.revs, out...)
	s.dirty = true
	s.Puts++
	return out, nil
}

func (s *Store) valueOf(id string) json.RawMessage {
	for _, r := range s.revs {
		if r.ID == id {
			return r.Value
		}
	}
	return nil
}

// Settle writes value as the settlement of target t's conflict, refusing (and writing
// nothing) as the SQLite store does: no conflict, or heads other than seen.
func (s *Store) Settle(ctx context.Context, by session.Author, t survey.Target, value any, seen []string) (survey.Revision, error) {
	s.mu.Lock()
	var heads []survey.Revision
	for _, r := range s.revs {
		if r.Target() == t {
			heads = append(heads, r)
		}
	}
	heads = survey.Heads(heads)
	fail := s.FailPut
	s.mu.Unlock()
	if fail != nil {
		return survey.Revision{}, fail
	}
	if !survey.Disagree(heads) {
		return survey.Revision{}, &SettleError{Err: session.ErrNoConflict, Msg: survey.T("no conflict to settle", "không có xung đột cần giải quyết")}
	}
	cur := make([]string, len(heads))
	for i, h := range heads {
		cur[i] = h.ID
	}
	slices.Sort(cur)
	want := slices.Compact(slices.Sorted(slices.Values(seen)))
	if !slices.Equal(cur, want) {
		return survey.Revision{}, &SettleError{Err: session.ErrStaleConflict, Msg: survey.T(
			fmt.Sprintf("the conflict changed since it was listed (it now has %d versions); nothing was written: look at it again", len(heads)),
			fmt.Sprintf("xung đột đã thay đổi từ khi được liệt kê (hiện có %d phiên bản); chưa ghi gì: hãy xem lại", len(heads)))}
	}
	out, err := s.Put(ctx, by, survey.Change{Target: t, Value: value})
	if err != nil {
		return survey.Revision{}, err
	}
	s.mu.Lock()
	s.Settles++
	s.mu.Unlock()
	return out[0], nil
}

// SettleError is the fake's refusal of Settle, with its text in every language.
type SettleError struct {
	Err error
	Msg survey.Text
}

func (e *SettleError) Error() string     { return e.Msg.Get(survey.LangEN) }
func (e *SettleError) Unwrap() error     { return e.Err }
func (e *SettleError) Text() survey.Text { return e.Msg }

// History returns every revision of target t, in the order written.
func (s *Store) History(ctx context.Context, t survey.Target) ([]survey.Revision, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []survey.Revision
	for _, r := range s.revs {
		if r.Target() == t {
			out = append(out, r)
		}
	}
	return out, nil
}

// Append adds revisions made elsewhere (used to build conflicts in tests).
func (s *Store) Append(revs ...survey.Revision) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.revs = append(s.revs, revs...)
	s.dirty = true
}

func (s *Store) foldLocked() (map[string]*survey.InterviewState, error) {
	if !s.dirty && s.states != nil {
		return s.copyStates(), nil
	}
	st, err := survey.Fold(s.revs)
	if err != nil {
		return nil, err
	}
	s.states = st
	s.dirty = false
	return s.copyStates(), nil
}

// copyStates returns shallow copies whose Heads maps may be changed by the caller.
func (s *Store) copyStates() map[string]*survey.InterviewState {
	out := make(map[string]*survey.InterviewState, len(s.states))
	for k, v := range s.states {
		c := *v
		c.Heads = make(map[survey.Target][]string, len(v.Heads))
		for t, h := range v.Heads {
			c.Heads[t] = h
		}
		out[k] = &c
	}
	return out
}

// Interview returns the folded state of interview id.
func (s *Store) Interview(ctx context.Context, id string) (*survey.InterviewState, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.foldLocked(); err != nil {
		return nil, err
	}
	var revs []survey.Revision
	for _, r := range s.revs {
		if r.Interview == id {
			revs = append(revs, r)
		}
	}
	if len(revs) == 0 {
		return nil, fmt.Errorf("interview %s: %w", id, session.ErrNotFound)
	}
	st, err := survey.Fold(revs)
	if err != nil {
		return nil, err
	}
	return st[id], nil
}

// Revisions returns every revision of interview id, in the order written.
func (s *Store) Revisions(id string) []survey.Revision {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []survey.Revision
	for _, r := range s.revs {
		if r.Interview == id {
			out = append(out, r)
		}
	}
	return out
}

// List returns summaries, most recently updated first.
func (s *Store) List(ctx context.Context, o session.ListOptions) ([]session.Summary, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Lists++
	states, err := s.foldLocked()
	if err != nil {
		return nil, err
	}
	var out []session.Summary
	term := fold(o.Search)
	for _, st := range states {
		sm := st.Summary()
		switch {
		case o.Questionnaire != "" && sm.Questionnaire != o.Questionnaire,
			o.Status != "" && sm.Status != o.Status,
			term != "" && !strings.Contains(fold(sm.Agency+" "+sm.Province+" "+sm.Role), term) && !strings.HasPrefix(sm.ID, term):
			continue
		}
		out = append(out, sm)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Updated.Equal(out[j].Updated) {
			return out[i].Updated.After(out[j].Updated)
		}
		return out[i].ID < out[j].ID
	})
	out = out[min(len(out), o.Offset):]
	if o.Limit > 0 && len(out) > o.Limit {
		out = out[:o.Limit]
	}
	return out, nil
}

// CountByStatus counts, by status, what List(o) returns, Limit and Offset aside.
func (s *Store) CountByStatus(ctx context.Context, o session.ListOptions) (map[survey.Status]int, error) {
	o.Limit, o.Offset = 0, 0
	all, err := s.List(ctx, o)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.Lists--
	s.mu.Unlock()
	out := map[survey.Status]int{}
	for _, sm := range all {
		out[sm.Status]++
	}
	return out, nil
}

func fold(s string) string {
	s = strings.ToLower(survey.NFC(strings.TrimSpace(s)))
	r := strings.NewReplacer("đ", "d")
	s = r.Replace(s)
	return foldMarks(s)
}

// Agencies returns the agencies used so far, sorted for Vietnamese.
func (s *Store) Agencies(ctx context.Context) ([]string, error) {
	return s.distinct(func(r survey.Respondent) string { return r.Agency })
}

// Provinces returns the provinces used so far, sorted for Vietnamese.
func (s *Store) Provinces(ctx context.Context) ([]string, error) {
	return s.distinct(func(r survey.Respondent) string { return r.Province })
}

func (s *Store) distinct(f func(survey.Respondent) string) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	states, err := s.foldLocked()
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	for _, st := range states {
		v := f(st.Respondent)
		if v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	collate.New(language.Vietnamese).SortStrings(out)
	return out, nil
}

// GetMeta reads a meta value.
func (s *Store) GetMeta(ctx context.Context, key string) (string, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.meta[key]
	return v, ok, nil
}

// SetMeta writes a meta value.
func (s *Store) SetMeta(ctx context.Context, key, value string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.meta[key] = value
	return nil
}

// foldMarks drops the combining marks of s (Vietnamese accents), keeping the base letters.
func foldMarks(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Creator returns the principal that created interview id (tui.CreatorReader), or "".
func (s *Store) Creator(ctx context.Context, id string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.revs {
		if r.Interview == id && r.Kind == survey.KindInterview {
			return r.Author, nil
		}
	}
	return "", nil
}
