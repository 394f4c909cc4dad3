package tui

import (
	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/tui/session"
)

// The messages screens send upward to the root model. Screens never call the store
// themselves from Update or View: they return these, or commands that do the I/O.

// SaveMsg asks the root to write changes (queued, in order, one durable Put at a time).
type SaveMsg struct {
	Changes []survey.Change
}

// OpenInterviewMsg asks the root to open an interview where it was left.
type OpenInterviewMsg struct {
	ID string
	// At, when set, overrides the remembered place.
	At session.Place
}

// NewInterviewMsg asks the root to show the new-interview form.
type NewInterviewMsg struct{}

// HomeMsg asks the root to go back to the list of interviews.
type HomeMsg struct{}

// GotoMsg asks the interview to show a place: a question, a section summary or the review.
type GotoMsg struct {
	Place session.Place
}

// NoticeMsg shows a short message in the status line.
type NoticeMsg struct {
	Text survey.Text
	Err  bool
}

// Internal results of commands.
type (
	// listedMsg is the first page of the home list and how many interviews it holds, by
	// status.
	// pageMsg is a further page of the home list, read from offset.
	pageMsg struct {
		seq, offset int
		items       []session.Summary
		err         error
	}
	listedMsg struct {
		seq     int
		items   []session.Summary
		counts  map[survey.Status]int
		all     bool // unfiltered: recount the interviews not yet sent
		err     error
		suggest bool
	}
	detailMsg struct {
		id       string
		answered int
		total    int
		// creator is the principal that created the interview (CreatorReader), shown
		// when the interview records no assessor name.
		creator string
		// meta is the interview's creation: a planned interview names its Assignee, Due
		// and Note (see survey/assign).
		meta       survey.InterviewMeta
		respondent survey.Respondent
		err        error
	}
	// jumpMsg asks for the "go to question" prompt from a screen that has none (the
	// sections list, a section summary): the question screen opens with it.
	jumpMsg   struct{}
	openedMsg struct {
		st    *survey.InterviewState
		q     *survey.Questionnaire
		place session.Place
		err   error
		// release gives back the edit lock taken to open it (nil: none taken).
		release func()
		// upgrade is the move to a newer questionnaire version it is offered (nil: none).
		upgrade *survey.Upgrade
	}
	savedMsg struct {
		seq  int
		err  error
		revs []survey.Revision // what the Put wrote
	}
	createdMsg struct {
		id  string
		err error
	}
	suggestionsMsg struct {
		agencies, provinces []string
	}
	syncMsg struct {
		info SyncInfo
		err  error
	}
	syncDoneMsg struct {
		res    SyncResult
		err    error
		manual bool // started by the sync-now key
	}
	langSavedMsg struct{ err error }
	textIdleMsg  struct{ seq int }
	retryMsg     struct{}
)
