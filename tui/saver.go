package tui

import (
	"context"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/tui/session"
)

// saver is the root's write queue. Changes are written in the order they were made, one Put
// at a time (commands run concurrently: two Puts of one answer in flight could land in the
// wrong order). Changes to a target still waiting are coalesced: only its latest value is
// written. A failed Put keeps its changes at the head of the queue and is retried.
type saver struct {
	w        *session.Writer
	ctx      context.Context // never cancelled: a write that started finishes
	queue    []survey.Change
	inflight []survey.Change
	put      *putResult
	seq      int
	// last is when the last Put returned without error; err is the last error (nil after a
	// later success).
	last  time.Time
	err   error
	tries int
	now   func() time.Time
	// retry is the first pause before a failed Put is tried again; it grows to 5×.
	retry time.Duration
	// refused holds the targets whose latest value is too large for any receiver
	// (survey.CheckChangeSize): never queued, shown as not saved until a value that fits
	// replaces it. notice is the refusal not yet shown.
	refused map[survey.Target]error
	notice  error
}

// putResult is where a Put running in a command leaves its outcome, so that the final
// flush can wait for it even when its message never reaches Update (the program was
// stopped).
type putResult struct {
	done chan struct{}
	err  error
}

func newSaver(ctx context.Context, w *session.Writer, now func() time.Time) saver {
	return saver{w: w, ctx: context.WithoutCancel(ctx), now: now, retry: time.Second}
}

// add queues changes and starts a Put if none is in flight. A change too large for any
// receiver is refused here, at entry: not queued (it would fail every retry and hold back
// the changes after it), and remembered as not saved.
func (s *saver) add(changes []survey.Change) tea.Cmd {
	s.queue = coalesce(s.queue, s.admit(changes))
	return s.start()
}

// admit returns the changes that fit, recording the others in refused.
func (s *saver) admit(changes []survey.Change) []survey.Change {
	var ok []survey.Change
	for _, c := range changes {
		if err := survey.CheckChangeSize(c); err != nil {
			if s.refused == nil {
				s.refused = map[survey.Target]error{}
			}
			s.refused[c.Target], s.notice = err, err
			continue
		}
		delete(s.refused, c.Target)
		ok = append(ok, c)
	}
	return ok
}

// takeNotice returns a refusal not yet shown, once.
func (s *saver) takeNotice() error {
	err := s.notice
	s.notice = nil
	return err
}

// coalesce appends changes to q, replacing the value of a target already in q.
func coalesce(q []survey.Change, changes []survey.Change) []survey.Change {
	for _, c := range changes {
		replaced := false
		for i := range q {
			if q[i].Target == c.Target {
				q[i].Value = c.Value
				replaced = true
				break
			}
		}
		if !replaced {
			q = append(q, c)
		}
	}
	return q
}

func (s *saver) start() tea.Cmd {
	if s.inflight != nil || len(s.queue) == 0 {
		return nil
	}
	s.inflight = s.queue
	s.queue = nil
	s.seq++
	res := &putResult{done: make(chan struct{})}
	s.put = res
	seq, batch, w, ctx := s.seq, s.inflight, s.w, s.ctx
	return func() tea.Msg {
		res.err = w.Put(ctx, batch...)
		close(res.done)
		return savedMsg{seq: seq, err: res.err}
	}
}

// done handles the result of a Put.
func (s *saver) done(m savedMsg) tea.Cmd {
	if m.seq != s.seq || s.inflight == nil {
		return nil
	}
	if m.err != nil {
		s.err = m.err
		s.tries++
		// The failed batch goes back in front; newer values queued meanwhile win.
		failed := s.inflight
		s.inflight, s.put = nil, nil
		s.queue = coalesce(failed, s.queue)
		delay := time.Duration(min(s.tries, 5)) * s.retry
		return tea.Tick(delay, func(time.Time) tea.Msg { return retryMsg{} })
	}
	s.inflight, s.put = nil, nil
	s.err = nil
	s.tries = 0
	s.last = s.now()
	return s.start()
}

// busy reports whether changes are waiting or being written.
func (s *saver) busy() bool { return s.inflight != nil || len(s.queue) > 0 }

// failed reports whether the last attempt failed and changes are still unsaved.
func (s *saver) failed() bool { return s.err != nil && s.busy() }

// drain writes whatever is left, synchronously, after the program has stopped: it waits
// for a Put still running (up to wait), then writes the queue and extra in one Put.
func (s *saver) drain(extra []survey.Change, wait time.Duration) error {
	pending := []survey.Change(nil)
	if s.put != nil {
		select {
		case <-s.put.done:
			if s.put.err != nil {
				pending = coalesce(pending, s.inflight)
			}
		case <-time.After(wait):
			// Still running: write its changes again after it (a no-op when it lands first).
			pending = coalesce(pending, s.inflight)
		}
		s.inflight, s.put = nil, nil
	}
	pending = coalesce(pending, s.queue)
	pending = coalesce(pending, s.admit(extra))
	s.queue = nil
	s.notice = nil
	if len(pending) > 0 {
		if err := s.w.Put(s.ctx, pending...); err != nil {
			s.err = err
			s.queue = pending
			return err
		}
		s.err = nil
		s.last = s.now()
	}
	return s.refusal()
}

// refusal returns the refusal of one change still too large to save (the first by target),
// or nil.
func (s *saver) refusal() error {
	var first *survey.Target
	for t := range s.refused {
		if first == nil || t.String() < first.String() {
			first = &t
		}
	}
	if first == nil {
		return nil
	}
	return s.refused[*first]
}
