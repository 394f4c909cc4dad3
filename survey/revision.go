package survey

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Kind says what a revision changes.
type Kind string

// The kinds of revision target.
const (
	KindInterview  Kind = "interview"  // creates the interview; value InterviewMeta
	KindRespondent Kind = "respondent" // the respondent block; value Respondent
	KindAnswer     Kind = "answer"     // one answer; key the question id; value Answer
	KindSection    Kind = "section"    // a section summary; key the section id; value SectionSummary
	KindStatus     Kind = "status"     // the status; value StatusChange
	// KindRow (roster.go): one row of a roster; key RowKey(question, row); value RosterRow.

	// Kinds only assessments have (their ratings and remarks are KindAnswer and KindSection).
	KindAssessment Kind = "assessment" // creates an assessment; value AssessmentMeta
	KindText       Kind = "text"       // a long text; key TextSummary, …, or AnalysisKey(section); value TextValue
	KindAction     Kind = "action"     // one action plan item; key its id; value ActionItem
	KindDataset    Kind = "dataset"    // one key-dataset row; key its id; value DatasetRow
)

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool {
	switch k {
	case KindInterview, KindRespondent, KindAnswer, KindSection, KindStatus, KindRow,
		KindAssessment, KindText, KindAction, KindDataset:
		return true
	}
	return false
}

// Target is the thing a revision changes: one field of one interview.
type Target struct {
	Interview string `json:"interview"`
	Kind      Kind   `json:"kind"`
	Key       string `json:"key,omitempty"`
}

func (t Target) String() string {
	if t.Key == "" {
		return t.Interview + "/" + string(t.Kind)
	}
	return t.Interview + "/" + string(t.Kind) + "/" + t.Key
}

// Revision is one immutable change. Its ID is the SHA-256 of its canonical encoding
// (every field but the ID), so the same change has the same ID everywhere and any
// alteration is detected.
type Revision struct {
	ID        string          `json:"id"`
	Interview string          `json:"interview"`
	Kind      Kind            `json:"kind"`
	Key       string          `json:"key,omitempty"`
	Value     json.RawMessage `json:"value"`
	Device    string          `json:"device"`
	Counter   uint64          `json:"counter"`
	Time      time.Time       `json:"time"`
	Author    string          `json:"author,omitempty"`
	Replaces  []string        `json:"replaces,omitempty"`
}

// Target returns the target r changes.
func (r Revision) Target() Target { return Target{Interview: r.Interview, Kind: r.Kind, Key: r.Key} }

// hashed is the canonical encoding hashed into a revision ID: field order fixed here,
// forever. Changing it changes every ID: add a new format version instead.
type hashed struct {
	Interview string          `json:"interview"`
	Kind      Kind            `json:"kind"`
	Key       string          `json:"key"`
	Value     json.RawMessage `json:"value"`
	Device    string          `json:"device"`
	Counter   uint64          `json:"counter"`
	Time      string          `json:"time"`
	Author    string          `json:"author"`
	Replaces  []string        `json:"replaces"`
}

// TimeFormat is how revision times are written: UTC, milliseconds.
const TimeFormat = "2006-01-02T15:04:05.000Z"

func (r Revision) computeID() (string, error) {
	var val bytes.Buffer
	if err := json.Compact(&val, r.Value); err != nil {
		return "", fmt.Errorf("revision value is not JSON: %w", err)
	}
	rep := r.Replaces
	if rep == nil {
		rep = []string{}
	}
	b, err := json.Marshal(hashed{r.Interview, r.Kind, r.Key, val.Bytes(), r.Device, r.Counter,
		r.Time.UTC().Format(TimeFormat), r.Author, rep})
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// Errors a revision can fail verification with.
var (
	ErrBadRevisionID = errors.New("revision id does not match its content")
	ErrBadRevision   = errors.New("malformed revision")
)

// RevisionError is a revision that fails a check: Err is the class (ErrBadRevision or
// ErrBadRevisionID) and Msg what exactly is wrong, in every language. Error gives the
// English ("malformed revision: no device"), Text the whole message in every language.
type RevisionError struct {
	Err error
	Msg Text
}

// BadRevision returns a *RevisionError of class ErrBadRevision; en and vi are formatted
// with args.
func BadRevision(en, vi string, args ...any) *RevisionError {
	return &RevisionError{Err: ErrBadRevision, Msg: T(fmt.Sprintf(en, args...), fmt.Sprintf(vi, args...))}
}

func (e *RevisionError) Error() string { return e.Text().Get(LangEN) }

// Unwrap returns the class.
func (e *RevisionError) Unwrap() error { return e.Err }

// Text returns the class and the message in every language.
func (e *RevisionError) Text() Text {
	class := T(e.Err.Error(), "thay đổi sai định dạng")
	if e.Err == ErrBadRevisionID {
		class = T(e.Err.Error(), "mã thay đổi không khớp với nội dung")
	}
	return T(class.Get(LangEN)+": "+e.Msg.Get(LangEN), class.Get(LangVI)+": "+e.Msg.Get(LangVI))
}

// CheckForm makes the checks of Verify other than the id's: the fields a revision must
// have, and its replaced ids sorted.
func (r Revision) CheckForm() error {
	switch {
	case r.Interview == "":
		return BadRevision("no interview id", "không có mã phỏng vấn")
	case !r.Kind.Valid():
		return BadRevision("unknown kind %q", "loại %q không xác định", r.Kind)
	case r.Kind.Keyed() && r.Key == "":
		return BadRevision("%s revision without key", "thay đổi %s không có khoá", r.Kind)
	case r.Kind == KindRow && !ValidRowKey(r.Key):
		return BadRevision("row revision keyed %q, not QUESTION/ROW", "thay đổi của dòng có khoá %q, không theo dạng CÂU_HỎI/DÒNG", r.Key)
	case r.Device == "":
		return BadRevision("no device", "không có thiết bị")
	case !slices.IsSorted(r.Replaces):
		return BadRevision("replaces not sorted", "danh sách thay thế không được sắp xếp")
	}
	return nil
}

// Verify checks that r is well formed (CheckForm) and that its ID is the hash of its
// content.
func (r Revision) Verify() error {
	if err := r.CheckForm(); err != nil {
		return err
	}
	id, err := r.computeID()
	if err != nil {
		return BadRevision("%v", "%v", err)
	}
	if id != r.ID {
		return &RevisionError{Err: ErrBadRevisionID, Msg: T("revision "+short(r.ID), "thay đổi "+short(r.ID))}
	}
	return nil
}

func short(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// NewRevision builds a revision of target t with value v (marshalled to canonical JSON),
// made on device as its counter-th change at time now, replacing the given heads.
func NewRevision(t Target, v any, device string, counter uint64, now time.Time, author string, replaces []string) (Revision, error) {
	val, err := json.Marshal(v)
	if err != nil {
		return Revision{}, fmt.Errorf("encode %s value: %w", t.Kind, err)
	}
	rep := slices.Clone(replaces)
	slices.Sort(rep)
	rep = slices.Compact(rep)
	if len(rep) == 0 {
		rep = nil
	}
	r := Revision{
		Interview: t.Interview, Kind: t.Kind, Key: t.Key, Value: val,
		Device: device, Counter: counter, Time: now.UTC().Truncate(time.Millisecond),
		Author: author, Replaces: rep,
	}
	r.ID, err = r.computeID()
	return r, err
}

// MarshalJSON writes r with its time in TimeFormat and its value compact, so that the
// encoding of a revision is canonical.
func (r Revision) MarshalJSON() ([]byte, error) {
	type wire struct {
		ID        string          `json:"id"`
		Interview string          `json:"interview"`
		Kind      Kind            `json:"kind"`
		Key       string          `json:"key,omitempty"`
		Value     json.RawMessage `json:"value"`
		Device    string          `json:"device"`
		Counter   uint64          `json:"counter"`
		Time      string          `json:"time"`
		Author    string          `json:"author,omitempty"`
		Replaces  []string        `json:"replaces,omitempty"`
	}
	var val bytes.Buffer
	if err := json.Compact(&val, r.Value); err != nil {
		return nil, fmt.Errorf("revision %s value: %w", short(r.ID), err)
	}
	return json.Marshal(wire{r.ID, r.Interview, r.Kind, r.Key, val.Bytes(), r.Device, r.Counter,
		r.Time.UTC().Format(TimeFormat), r.Author, r.Replaces})
}

// Heads returns the revisions among revs (all of one target) that no other revision in
// revs replaces, newest first (by time, then by ID, so the order is the same everywhere).
func Heads(revs []Revision) []Revision {
	if len(revs) == 1 {
		// The usual case (a target's one head): a revision cannot replace itself, its id
		// hashes what it replaces.
		return []Revision{revs[0]}
	}
	replaced := map[string]bool{}
	for _, r := range revs {
		for _, p := range r.Replaces {
			replaced[p] = true
		}
	}
	var heads []Revision
	seen := map[string]bool{}
	for _, r := range revs {
		if !replaced[r.ID] && !seen[r.ID] {
			seen[r.ID] = true
			heads = append(heads, r)
		}
	}
	SortNewestFirst(heads)
	return heads
}

// SortNewestFirst orders revisions by time, newest first, then by ID descending: the
// deterministic order in which heads are shown and the first head is taken as current.
func SortNewestFirst(revs []Revision) {
	slices.SortFunc(revs, func(a, b Revision) int {
		if c := b.Time.Compare(a.Time); c != 0 {
			return c
		}
		switch {
		case a.ID > b.ID:
			return -1
		case a.ID < b.ID:
			return 1
		}
		return 0
	})
}
