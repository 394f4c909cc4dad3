package client

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// State is what the device knows about its syncing, cheap to read (no store, no network):
// for a status line.
type State struct {
	Enrolled    bool      `json:"enrolled"`
	Server      string    `json:"server,omitempty"`
	Waiting     int       `json:"waiting"`               // batches in the outbox
	LastAttempt time.Time `json:"last_attempt,omitzero"` // when a sync last ran
	LastSent    time.Time `json:"last_sent,omitzero"`    // when the server last acknowledged a batch
	LastSync    time.Time `json:"last_sync,omitzero"`    // when a sync last finished without error
	LastError   string    `json:"last_error,omitempty"`  // why the last sync failed, if it did
	Offline     bool      `json:"offline,omitempty"`     // the last sync could not reach the server
	// Refused counts the batches the server refused for good (outbox/refused); LastRefused
	// is the one refused last (nil: none).
	Refused     int           `json:"refused,omitempty"`
	LastRefused *RefusedBatch `json:"last_refused,omitempty"`
}

// persisted is the part of State kept in StateFile.
type persisted struct {
	LastAttempt time.Time `json:"last_attempt,omitzero"`
	LastSent    time.Time `json:"last_sent,omitzero"`
	LastSync    time.Time `json:"last_sync,omitzero"`
	LastError   string    `json:"last_error,omitempty"`
	Offline     bool      `json:"offline,omitempty"`
}

// Status returns the sync state of the device whose home folder is home.
func Status(home string) (State, error) {
	var st State
	if e, err := LoadEnrolment(home); err == nil {
		st.Enrolled, st.Server = true, e.URL
	} else if !errors.Is(err, ErrNotEnrolled) {
		return st, err
	}
	n, err := countOutbox(home)
	if err != nil {
		return st, err
	}
	st.Waiting = n
	refused, err := refusedBatches(home)
	if err != nil {
		return st, err
	}
	st.Refused = len(refused)
	for i := range refused {
		if r := &refused[i]; st.LastRefused == nil || r.Time.After(st.LastRefused.Time) ||
			(r.Time.Equal(st.LastRefused.Time) && r.Seq > st.LastRefused.Seq) {
			st.LastRefused = r
		}
	}
	p, err := readState(home)
	if err != nil {
		return st, err
	}
	st.LastAttempt, st.LastSent, st.LastSync, st.LastError, st.Offline = p.LastAttempt, p.LastSent, p.LastSync, p.LastError, p.Offline
	return st, nil
}

func readState(home string) (persisted, error) {
	var p persisted
	b, err := os.ReadFile(filepath.Join(home, StateFile))
	if errors.Is(err, fs.ErrNotExist) {
		return p, nil
	}
	if err != nil {
		return p, err
	}
	if json.Unmarshal(b, &p) != nil {
		return persisted{}, nil // a damaged state file only loses the "last …" times
	}
	return p, nil
}

// saveState records the outcome of a sync; failing to write it loses nothing that matters.
func (s *syncer) saveState(err error) {
	p, _ := readState(s.o.Home)
	now := s.o.Now().UTC()
	p.LastAttempt = now
	if len(s.res.Sent) > 0 {
		p.LastSent = now
	}
	p.LastError, p.Offline = "", false
	if err != nil {
		p.LastError = err.Error()
		p.Offline = !isRefusal(err) && !errors.Is(err, ErrNotEnrolled) && !errors.Is(err, context.Canceled)
	} else {
		p.LastSync = now
	}
	if b, err := json.MarshalIndent(p, "", "  "); err == nil && s.o.Home != "" {
		_ = writeFileAtomic(filepath.Join(s.o.Home, StateFile), append(b, '\n'), 0o644)
	}
}
