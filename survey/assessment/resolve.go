package assessment

import (
	"context"
	"strings"
	"time"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
)

// Resolve returns the id of the assessment ref names: an assessment's whole id, or the
// beginning of exactly one's (spaces around ref do not count). An empty ref, one that names
// no assessment and one that begins several ids (listed, sorted) are *survey.UserError
// saying what to do.
func Resolve(ctx context.Context, st store.Reader, ref string) (string, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return "", survey.UserErr("empty assessment id", "mã bản đánh giá rỗng")
	}
	sums, err := st.List(ctx, store.ListOptions{Record: survey.RecordAssessment})
	if err != nil {
		return "", stepError(err, "list assessments", "liệt kê bản đánh giá")
	}
	ids := make([]string, len(sums))
	for i, s := range sums {
		ids[i] = s.ID
	}
	return survey.ByPrefix(ids, ref, survey.T("assessment", "bản đánh giá"),
		survey.T("'fieldsurvey assessment list' shows the assessments", "'fieldsurvey assessment list' liệt kê các bản đánh giá"))
}

// Info is one assessment as 'assessment list' shows it; its JSON is 'assessment list
// --json'.
type Info struct {
	ID            string                 `json:"id"`
	Title         string                 `json:"title"`
	Scope         string                 `json:"scope"`
	Questionnaire string                 `json:"questionnaire"`
	Version       string                 `json:"version"`
	Author        string                 `json:"author"`
	Rated         int                    `json:"rated"`
	Sections      map[string]survey.Code `json:"sections"`
	Conflicts     int                    `json:"conflicts"`
	// Created and Updated are in survey.TimeFormat, UTC; Created is empty when the change
	// that creates the assessment has not arrived.
	Created   string `json:"created,omitempty"`
	Updated   string `json:"updated"`
	Revisions int    `json:"revisions"`
	// UpdatedAt is Updated as a time.
	UpdatedAt time.Time `json:"-"`
}

// List returns the assessments of st, most recently changed first.
func List(ctx context.Context, st store.Reader) ([]Info, error) {
	sums, err := st.List(ctx, store.ListOptions{Record: survey.RecordAssessment})
	if err != nil {
		return nil, stepError(err, "list assessments", "liệt kê bản đánh giá")
	}
	infos := make([]Info, 0, len(sums))
	for _, s := range sums {
		infos = append(infos, Info{ID: s.ID, Title: s.Title, Scope: s.Scope, Questionnaire: s.Questionnaire,
			Version: s.Version, Author: s.Assessor, Rated: s.Answered, Sections: s.Sections, Conflicts: s.Conflicts,
			Created: timeText(s.Created), Updated: timeText(s.Updated), Revisions: s.Revisions, UpdatedAt: s.Updated})
	}
	return infos, nil
}

// timeText is t in survey.TimeFormat, UTC; "" for the zero time.
func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(survey.TimeFormat)
}
