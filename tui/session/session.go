// Package session is the assessor's write path, shared by the Bubble Tea screens and the
// accessible line mode: it turns what the assessor does (start an interview, answer, confirm
// a section, complete, reopen) into store changes, and says what still blocks completion,
// with the same survey validators everywhere.
//
// Guarantees:
//   - A new interview is created by one Put holding its creation (InterviewMeta), its
//     respondent block and its draft status, so a half-created interview never exists.
//   - Every other action is one Put of the new value of one target; the store replaces the
//     current heads, so history keeps every earlier value (reopening a completed interview is
//     a new status revision, never an overwrite).
//   - Completion is refused while Blockers reports anything.
package session

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// Store is what the assessor's screens need of the survey store. The screens know no SQL:
// package tui/storeadapter makes the SQLite store (survey/store) one of these, and tests use
// an in-memory fake.
type Store interface {
	// Put writes changes as revisions by author in one durable commit (no-op changes skipped).
	Put(ctx context.Context, by Author, changes ...survey.Change) ([]survey.Revision, error)
	// Interview returns the current state of interview id; an unknown id gives ErrNotFound.
	Interview(ctx context.Context, id string) (*survey.InterviewState, error)
	// List returns the summaries that match o, most recently updated first.
	List(ctx context.Context, o ListOptions) ([]Summary, error)
	Agencies(ctx context.Context) ([]string, error)
	Provinces(ctx context.Context) ([]string, error)
	GetMeta(ctx context.Context, key string) (string, bool, error)
	SetMeta(ctx context.Context, key, value string) error
	// Settle writes value as the settlement of the conflict of target t: one revision by
	// author replacing every head. seen are the ids of the heads the screen showed; when
	// the heads are no longer those, nothing is written and the error wraps
	// ErrStaleConflict; a target whose heads agree is refused with ErrNoConflict. The
	// error says what is wrong in every language (it has a Text() survey.Text method).
	Settle(ctx context.Context, by Author, t survey.Target, value any, seen []string) (survey.Revision, error)
	// History returns every revision of target t (any order).
	History(ctx context.Context, t survey.Target) ([]survey.Revision, error)
}

// Errors a Store wraps; test with errors.Is.
var (
	// ErrNotFound: the store has no such interview.
	ErrNotFound = errors.New("not found")
	// ErrNoConflict: Settle found no conflict to settle on the target.
	ErrNoConflict = errors.New("no conflict to settle")
	// ErrStaleConflict: Settle found other heads than those the screen showed.
	ErrStaleConflict = errors.New("the conflict changed since it was shown")
)

// Author says who makes local changes: the device (whose counter numbers them) and the
// signer principal (the assessor).
type Author struct {
	Device    string
	Principal string
}

// ListOptions filters List; zero values do not filter.
type ListOptions struct {
	Questionnaire string
	Status        survey.Status
	// Search matches, ignoring case and Vietnamese accents, any part of the agency, province
	// or role, or the beginning of the interview id.
	Search string
	// Limit, when positive, returns at most that many, after skipping Offset: one page.
	Limit, Offset int
}

// Counter is a Store that counts, by status, the interviews List would return (Limit and
// Offset aside) without reading them, so that a screen can list a page at a time.
type Counter interface {
	CountByStatus(ctx context.Context, o ListOptions) (map[survey.Status]int, error)
}

// Summary is one interview as lists show it, without loading its answers.
type Summary = survey.Summary

// Catalog lists the questionnaires an interview can use (every version).
// *questionnaires.Catalog satisfies it.
type Catalog interface {
	List() []*survey.Questionnaire
}

// Getter is a Catalog that loads one questionnaire without the others
// (*questionnaires.Catalog parses each questionnaire when it is first needed).
type Getter interface {
	Get(id, version string) (*survey.Questionnaire, error)
}

// Find returns the questionnaire id at version from c: from c alone when it is a Getter,
// so that a screen showing interviews of one questionnaire does not parse the others.
func Find(c Catalog, id, version string) (*survey.Questionnaire, bool) {
	if g, ok := c.(Getter); ok {
		q, err := g.Get(id, version)
		return q, err == nil
	}
	for _, q := range c.List() {
		if q.ID == id && q.Version == version {
			return q, true
		}
	}
	return nil, false
}

// Latest returns the last listed version of questionnaire id (the catalog lists versions in
// order).
func Latest(c Catalog, id string) (*survey.Questionnaire, bool) {
	var out *survey.Questionnaire
	for _, q := range c.List() {
		if q.ID == id {
			out = q
		}
	}
	return out, out != nil
}

// NewID returns a new interview id: a UUIDv7 (time-ordered).
func NewID() (string, error) {
	u, err := uuid.NewV7()
	if err != nil {
		return "", fmt.Errorf("new interview id: %w", err)
	}
	return u.String(), nil
}

// newIDWithNow builds a UUIDv7 from now and random bytes from r (tests pass fixed ones).
func newIDWithNow(now time.Time, r io.Reader) (string, error) {
	var u uuid.UUID
	if _, err := io.ReadFull(r, u[6:]); err != nil {
		return "", fmt.Errorf("new interview id: %w", err)
	}
	var ts [8]byte
	binary.BigEndian.PutUint64(ts[:], uint64(now.UnixMilli()))
	copy(u[0:6], ts[2:8])
	u[6] = 0x70 | u[6]&0x0f
	u[8] = 0x80 | u[8]&0x3f
	return u.String(), nil
}

// Writer makes the assessor's changes.
type Writer struct {
	Store  Store
	Author Author
	// Assessor is the assessor's name, recorded in every new interview.
	Assessor string
	// IDs makes new interview ids; nil means NewID.
	IDs func() (string, error)
}

// Target helpers.
func answerTarget(id, q string) survey.Target {
	return survey.Target{Interview: id, Kind: survey.KindAnswer, Key: q}
}

// AnswerChange is the change that sets question qid of interview id to a.
func AnswerChange(id, qid string, a survey.Answer) survey.Change {
	return survey.Change{Target: answerTarget(id, qid), Value: a.Normalized()}
}

// SectionChange is the change that sets the summary of section sid.
func SectionChange(id, sid string, s survey.SectionSummary) survey.Change {
	s.Comment = survey.NFC(s.Comment)
	return survey.Change{Target: survey.Target{Interview: id, Kind: survey.KindSection, Key: sid}, Value: s}
}

// StatusChange is the change that sets the status of interview id.
func StatusChange(id string, st survey.StatusChange) survey.Change {
	return survey.Change{Target: survey.Target{Interview: id, Kind: survey.KindStatus}, Value: st}
}

// RespondentChange is the change that sets the respondent block.
func RespondentChange(id string, r survey.Respondent) survey.Change {
	return survey.Change{Target: survey.Target{Interview: id, Kind: survey.KindRespondent}, Value: r.Normalized()}
}

// Create starts an interview of q with respondent r: one Put of its creation, respondent
// and draft status. It returns the new interview's id.
func (w *Writer) Create(ctx context.Context, q *survey.Questionnaire, r survey.Respondent) (string, error) {
	if probs := CheckRespondent(q, r); len(probs) > 0 {
		return "", fmt.Errorf("respondent: %s", probs[0].Msg.Get(survey.LangEN))
	}
	ids := w.IDs
	if ids == nil {
		ids = NewID
	}
	id, err := ids()
	if err != nil {
		return "", err
	}
	// The assessor is written as every reader attributes it (the name, else the principal
	// that creates it), so that the creation an import of this interview writes elsewhere
	// is the same value, not a conflict.
	meta := survey.InterviewMeta{Questionnaire: q.ID, QuestionnaireVersion: q.Version,
		Assessor: survey.NFC(survey.InterviewMeta{Assessor: w.Assessor}.AssessorOr(w.Author.Principal)), Device: w.Author.Device}
	changes := []survey.Change{
		{Target: survey.Target{Interview: id, Kind: survey.KindInterview}, Value: meta},
		RespondentChange(id, r),
		StatusChange(id, survey.StatusChange{Status: survey.StatusDraft}),
	}
	if _, err := w.Store.Put(ctx, w.Author, changes...); err != nil {
		return "", fmt.Errorf("create interview: %w", err)
	}
	return id, nil
}

// Put writes changes in one durable commit.
func (w *Writer) Put(ctx context.Context, changes ...survey.Change) error {
	_, err := w.PutRevisions(ctx, changes...)
	return err
}

// PutRevisions is Put returning the revisions written (no-op changes write none).
func (w *Writer) PutRevisions(ctx context.Context, changes ...survey.Change) ([]survey.Revision, error) {
	revs, err := w.Store.Put(ctx, w.Author, changes...)
	if err != nil {
		return nil, fmt.Errorf("save: %w", err)
	}
	return revs, nil
}

// Complete marks the interview complete, refusing while anything blocks it. An interview a
// supervisor returned or reopened becomes resubmitted rather than completed
// (CompletedStatus), so that the supervisor's queue shows it has been back.
func (w *Writer) Complete(ctx context.Context, q *survey.Questionnaire, st *survey.InterviewState) error {
	if b := Blockers(q, st); len(b) > 0 {
		return fmt.Errorf("cannot complete: %d problem(s) remain, the first: %s", len(b), b[0].Msg.Get(survey.LangEN))
	}
	if !Editable(st.Status.Status) {
		return fmt.Errorf("cannot complete an interview that is %s", st.Status.Status)
	}
	return w.Put(ctx, StatusChange(st.ID, survey.StatusChange{Status: CompletedStatus(st.Status)}))
}

// Reopen puts a completed (or resubmitted) interview back to draft: a new status revision
// (ReopenedStatus).
func (w *Writer) Reopen(ctx context.Context, st *survey.InterviewState) error {
	to, err := ReopenedStatus(st.Status)
	if err != nil {
		return err
	}
	return w.Put(ctx, StatusChange(st.ID, to))
}

// The reasons of the assessor's own reopening of an interview it completed: of a completed
// one, and of a resubmitted one (completing it again is still a resubmission).
const (
	ReasonReopened            = "reopened"
	ReasonReopenedResubmitted = "reopened after resubmission"
)

// CompletedStatus is the status that completing an interview whose status is cur writes:
// resubmitted after a supervisor's return or reopening (or after the assessor reopened a
// resubmitted interview), completed otherwise.
func CompletedStatus(cur survey.StatusChange) survey.Status {
	switch {
	case cur.Status == survey.StatusReturned, cur.Status == survey.StatusReopened,
		cur.Status == survey.StatusDraft && cur.Reason == ReasonReopenedResubmitted:
		return survey.StatusResubmitted
	}
	return survey.StatusCompleted
}

// CanReopen reports whether the assessor may reopen an interview in status s: one it
// completed (or resubmitted) that has not reached the server or a supervisor's decision.
func CanReopen(s survey.Status) bool {
	return s == survey.StatusCompleted || s == survey.StatusResubmitted
}

// ReopenedStatus is the status revision of the assessor's reopening of an interview whose
// status is cur: a draft, with a reason saying whether it had been resubmitted.
func ReopenedStatus(cur survey.StatusChange) (survey.StatusChange, error) {
	switch cur.Status {
	case survey.StatusCompleted:
		return survey.StatusChange{Status: survey.StatusDraft, Reason: ReasonReopened}, nil
	case survey.StatusResubmitted:
		return survey.StatusChange{Status: survey.StatusDraft, Reason: ReasonReopenedResubmitted}, nil
	}
	return survey.StatusChange{}, fmt.Errorf("only a completed or resubmitted interview can be reopened; this one is %s", cur.Status)
}

// Editable reports whether an interview in status s can be changed by the assessor: drafts,
// and interviews a supervisor returned or reopened (survey.AssessorEditable). Completed ones
// must be reopened first; submitted and approved ones belong to the supervisor.
func Editable(s survey.Status) bool { return survey.AssessorEditable(s) }

// Problem is one thing wrong with a form field.
type Problem struct {
	Field string // agency, province, role, category, date, place, consent
	Msg   survey.Text
}

// CheckRespondent checks the respondent block of a new interview: agency and province are
// required, the category must be one of q's, the date a real date, and consent given.
func CheckRespondent(q *survey.Questionnaire, r survey.Respondent) []Problem {
	var out []Problem
	r = r.Normalized()
	if r.Agency == "" {
		out = append(out, Problem{"agency", survey.T("the agency is required", "cần nhập cơ quan")})
	}
	if r.Province == "" {
		out = append(out, Problem{"province", survey.T("the province or ministry is required", "cần nhập tỉnh hoặc bộ")})
	}
	if r.Category != "" {
		ok := false
		for _, c := range q.Categories() {
			if c.Code == r.Category {
				ok = true
			}
		}
		if !ok {
			out = append(out, Problem{"category", survey.T(
				fmt.Sprintf("unknown stakeholder category %q", r.Category),
				fmt.Sprintf("nhóm đối tượng %q không hợp lệ", r.Category))})
		}
	}
	if r.Date != "" {
		if _, err := time.Parse(time.DateOnly, r.Date); err != nil {
			out = append(out, Problem{"date", survey.T(
				fmt.Sprintf("%q is not a date (YYYY-MM-DD)", r.Date),
				fmt.Sprintf("%q không phải là ngày (YYYY-MM-DD)", r.Date))})
		}
	}
	if !r.Consent {
		out = append(out, Problem{"consent", survey.T("the respondent's consent must be confirmed before the interview",
			"cần xác nhận người được phỏng vấn đồng ý trước khi phỏng vấn")})
	}
	return out
}

// Blocker is one thing that keeps an interview from being completed.
type Blocker struct {
	Question string // a question id, or ""
	Section  string // a section id (for section problems, and the section of a question)
	Kind     string // missing, invalid, constraint, section, comment, conflict, consent
	Msg      survey.Text
}

// Blockers lists what keeps st from completion, in questionnaire order: answer issues
// (survey.Questionnaire.Issues), then per section a missing overall rating or overall comment
// (not for a section with overall: false),
// then conflicts (versions of one answer from different devices, settled by taking one or
// by saving the answer again).
func Blockers(q *survey.Questionnaire, st *survey.InterviewState) []Blocker {
	var out []Blocker
	if !st.Respondent.Consent {
		out = append(out, Blocker{Kind: "consent", Msg: survey.T("the respondent's consent is not recorded", "chưa ghi nhận sự đồng ý của người được phỏng vấn")})
	}
	conflict := map[survey.Target]bool{}
	rowConflicts := map[string]int{} // roster question id → its conflicted rows
	for _, c := range st.Conflicts {
		conflict[c.Target] = true
		if c.Target.Kind == survey.KindRow {
			if qid, _, ok := survey.SplitRowKey(c.Target.Key); ok {
				rowConflicts[qid]++
			}
		}
	}
	for _, s := range q.Sections {
		for _, qu := range s.Questions {
			for _, is := range q.Check(qu, st.Answers) {
				out = append(out, Blocker{Question: qu.ID, Section: s.ID, Kind: string(is.Kind), Msg: is.Msg})
			}
			if conflict[answerTarget(st.ID, qu.ID)] {
				out = append(out, Blocker{Question: qu.ID, Section: s.ID, Kind: "conflict",
					Msg: survey.T("versions of this answer from different devices: compare them (v on the question) and settle",
						"câu trả lời có nhiều phiên bản từ các máy khác nhau: so sánh (v trên câu hỏi) và giải quyết")})
			}
			if n := rowConflicts[qu.ID]; n > 0 {
				out = append(out, Blocker{Question: qu.ID, Section: s.ID, Kind: "conflict",
					Msg: survey.T(fmt.Sprintf("%d row(s) of this table have versions from different devices: compare them (v on the row) and settle", n),
						fmt.Sprintf("%d dòng của bảng này có nhiều phiên bản từ các máy khác nhau: so sánh (v trên dòng) và giải quyết", n))})
			}
		}
		sum := st.Sections[s.ID]
		switch {
		case !s.HasOverall():
			// A plain survey section (overall: false): no overall rating to ask for.
		case sum.Rating == "":
			out = append(out, Blocker{Section: s.ID, Kind: "section",
				Msg: survey.T("the overall rating is not confirmed", "chưa xác nhận đánh giá chung")})
		case strings.TrimSpace(sum.Comment) == "":
			out = append(out, Blocker{Section: s.ID, Kind: "comment",
				Msg: survey.T("the overall rating needs a comment", "đánh giá chung cần có nhận xét")})
		}
		if conflict[survey.Target{Interview: st.ID, Kind: survey.KindSection, Key: s.ID}] {
			out = append(out, Blocker{Section: s.ID, Kind: "conflict",
				Msg: survey.T("versions of the overall rating from different devices: compare them (v on the summary) and settle",
					"đánh giá chung có nhiều phiên bản từ các máy khác nhau: so sánh (v trên trang đánh giá chung) và giải quyết")})
		}
	}
	return out
}

// ResumeKey is the meta key under which the place an interview was left is kept.
func ResumeKey(id string) string { return "resume:" + id }

// Place is where an interview was left: a question, a section summary, or the review.
type Place struct {
	Question string
	Section  string
	Review   bool
}

// String encodes p for the meta table: "q:7.1", "s:pillar-7", "review".
func (p Place) String() string {
	switch {
	case p.Review:
		return "review"
	case p.Question != "":
		return "q:" + p.Question
	case p.Section != "":
		return "s:" + p.Section
	}
	return ""
}

// ParsePlace decodes what Place.String wrote; anything else is the zero Place.
func ParsePlace(s string) Place {
	switch {
	case s == "review":
		return Place{Review: true}
	case strings.HasPrefix(s, "q:"):
		return Place{Question: s[2:]}
	case strings.HasPrefix(s, "s:"):
		return Place{Section: s[2:]}
	}
	return Place{}
}
