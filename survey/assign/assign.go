// Package assign writes a supervisor's planned interviews: an assignment names a
// questionnaire, an agency and a province, the assessor (a principal) who is to carry it
// out, and optionally a due date and a note. It becomes an ordinary draft interview created
// by the supervisor's device: its creation revision (survey.InterviewMeta) names the
// Assignee, Due and Note, and its respondent block is pre-filled with the agency and the
// province. The revisions stay pending in the supervisor's store and travel in its next
// batch (sync, or batch create for a USB stick); the assessor's first change makes the
// draft theirs.
//
// A plan (many assignments, from a CSV file) is checked whole before anything is written,
// and written in one transaction: all or nothing.
package assign

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
)

// Assignment is one planned interview.
type Assignment struct {
	Questionnaire string // questionnaire id
	Version       string // its version; filled by Checker.Check from the catalogue
	Agency        string
	Province      string
	Assignee      string // the assessor's principal
	Due           string // YYYY-MM-DD, optional
	Note          string // optional
}

// Normalized returns a with every text trimmed and in NFC.
func (a Assignment) Normalized() Assignment {
	f := func(s string) string { return strings.TrimSpace(survey.NFC(s)) }
	return Assignment{Questionnaire: f(a.Questionnaire), Version: f(a.Version), Agency: f(a.Agency),
		Province: f(a.Province), Assignee: f(a.Assignee), Due: f(a.Due), Note: f(a.Note)}
}

// Problem is one thing wrong with an assignment: the column (questionnaire, agency,
// province, assessor, due, note) and what is wrong, in both languages.
type Problem struct {
	Column string
	Msg    survey.Text
}

// Checker checks assignments against what the supervisor's home knows.
type Checker struct {
	// Questionnaire returns the version of the questionnaire id (the newest the catalogue
	// holds), or an error when the catalogue has none.
	Questionnaire func(id string) (version string, err error)
	// Known reports whether principal is an assessor the home knows (in its
	// allowed_signers file, a device whose batches it merged, or the author of a change it
	// holds).
	Known func(principal string) bool
}

// Check returns what is wrong with a (nil when nothing is) and, when its questionnaire is
// known, a with its Version filled and its texts normalized.
func (c Checker) Check(a Assignment) (Assignment, []Problem) {
	a = a.Normalized()
	var probs []Problem
	add := func(col string, en, vi string, args ...any) {
		probs = append(probs, Problem{Column: col, Msg: survey.T(fmt.Sprintf(en, args...), fmt.Sprintf(vi, args...))})
	}
	switch {
	case a.Questionnaire == "":
		add("questionnaire", "missing: give a questionnaire id", "thiếu: cần mã bảng hỏi")
	case c.Questionnaire != nil:
		v, err := c.Questionnaire(a.Questionnaire)
		if err != nil {
			add("questionnaire", "unknown questionnaire %q ('fieldsurvey questionnaire list' shows them)",
				"không có bảng hỏi %q ('fieldsurvey questionnaire list' liệt kê chúng)", a.Questionnaire)
		} else if a.Version == "" {
			a.Version = v
		}
	}
	if a.Agency == "" {
		add("agency", "missing: give the agency to interview", "thiếu: cần cơ quan được phỏng vấn")
	}
	if a.Province == "" {
		add("province", "missing: give the province or ministry", "thiếu: cần tỉnh hoặc bộ")
	}
	switch {
	case a.Assignee == "":
		add("assessor", "missing: give the assessor's principal", "thiếu: cần danh tính của người đánh giá")
	case c.Known != nil && !c.Known(a.Assignee):
		add("assessor", "unknown principal %q: not in this home's allowed_signers file, and no device or change of theirs is here",
			"danh tính %q không rõ: không có trong tệp allowed_signers của thư mục này, và ở đây không có thiết bị hay thay đổi nào của họ", a.Assignee)
	}
	if a.Due != "" {
		if _, err := time.Parse(time.DateOnly, a.Due); err != nil {
			add("due", "%q is not a date: write YYYY-MM-DD", "%q không phải ngày: viết theo dạng NNNN-TT-NN", a.Due)
		}
	}
	for _, f := range []struct{ col, v string }{{"questionnaire", a.Questionnaire}, {"agency", a.Agency},
		{"province", a.Province}, {"assessor", a.Assignee}, {"due", a.Due}, {"note", a.Note}} {
		if strings.ContainsFunc(f.v, func(r rune) bool { return r < 0x20 && r != '\n' && r != '\t' || r == 0x7f }) {
			add(f.col, "holds a control character", "chứa ký tự điều khiển")
		}
	}
	return a, probs
}

// Changes returns the changes of the one Put that creates the planned interview id from a
// (checked) on device: its creation, its respondent block (agency and province), and its
// status, draft.
func Changes(id string, a Assignment, device string) []survey.Change {
	a = a.Normalized()
	t := func(k survey.Kind) survey.Target { return survey.Target{Interview: id, Kind: k} }
	return []survey.Change{
		{Target: t(survey.KindInterview), Value: survey.InterviewMeta{Questionnaire: a.Questionnaire,
			QuestionnaireVersion: a.Version, Assessor: a.Assignee, Device: device,
			Assignee: a.Assignee, Due: a.Due, Note: a.Note}},
		{Target: t(survey.KindRespondent), Value: survey.Respondent{Agency: a.Agency, Province: a.Province}},
		{Target: t(survey.KindStatus), Value: survey.StatusChange{Status: survey.StatusDraft}},
	}
}

// Created is one planned interview written by Create.
type Created struct {
	ID string
	Assignment
}

// Create writes every assignment of plan (checked) as a planned interview by by, in one
// transaction: all or none. newID makes interview ids (UUIDs).
func Create(ctx context.Context, st *store.Store, by store.Author, plan []Assignment, newID func() (string, error)) ([]Created, error) {
	out := make([]Created, 0, len(plan))
	for _, a := range plan {
		id, err := newID()
		if err != nil {
			return nil, fmt.Errorf("new interview id: %w", err)
		}
		if err := survey.CheckInterviewID(id); err != nil {
			return nil, err
		}
		out = append(out, Created{ID: id, Assignment: a.Normalized()})
	}
	err := st.Update(ctx, func(tx *store.Tx) error {
		for _, c := range out {
			if _, err := tx.Put(by, Changes(c.ID, c.Assignment, by.Device)...); err != nil {
				return fmt.Errorf("create planned interview for %s: %w", c.Assignee, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
