package client

import (
	"context"
	"errors"
	"sync"
	"time"
)

// ErrBusy is returned by Background.Run when a sync is already running.
var ErrBusy = errors.New("a sync is already running")

// Background runs syncs for a long-running program such as the interview screen: at most
// one at a time, automatically when Interval has passed since the last attempt, or at once
// on demand. Call its methods from a goroutine of their own (a tea.Cmd): a sync takes as
// long as the network makes it take, and never blocks the caller's screen.
type Background struct {
	Home string
	// Interval is how often Tick syncs (default 5 minutes).
	Interval time.Duration
	// Prepare builds the options of one sync (it may open the store) and returns a
	// function that releases what it opened.
	Prepare func(ctx context.Context) (Options, func(), error)
	// Now is the clock (default time.Now).
	Now func() time.Time

	mu      sync.Mutex
	running bool
	last    time.Time
	result  Result
}

// BackgroundState is the device's sync state (see Status), with Sending true while a sync runs.
type BackgroundState struct {
	State
	Sending bool
	// Last is the result of the last sync this Background ran (zero before the first).
	Last Result
}

func (b *Background) now() time.Time {
	if b.Now != nil {
		return b.Now()
	}
	return time.Now()
}

// Run syncs now, unless a sync is already running (ErrBusy).
func (b *Background) Run(ctx context.Context) (Result, error) {
	b.mu.Lock()
	if b.running {
		b.mu.Unlock()
		return Result{}, ErrBusy
	}
	b.running = true
	b.last = b.now()
	b.mu.Unlock()
	defer func() {
		b.mu.Lock()
		b.running = false
		b.mu.Unlock()
	}()
	o, release, err := b.Prepare(ctx)
	if err != nil {
		return Result{}, err
	}
	defer release()
	res, err := Sync(ctx, o)
	b.mu.Lock()
	b.result = res
	b.mu.Unlock()
	return res, err
}

// Tick syncs when Interval has passed since the last attempt (of this program or, after a
// restart, as recorded in the home folder), then returns the state.
func (b *Background) Tick(ctx context.Context) (BackgroundState, error) {
	interval := b.Interval
	if interval <= 0 {
		interval = 5 * time.Minute
	}
	b.mu.Lock()
	last := b.last
	b.mu.Unlock()
	if last.IsZero() {
		if st, err := Status(b.Home); err == nil {
			last = st.LastAttempt
		}
	}
	if b.now().Sub(last) >= interval {
		b.Run(ctx) // its outcome is in the state below
	}
	return b.State()
}

// State returns the sync state without syncing.
func (b *Background) State() (BackgroundState, error) {
	st, err := Status(b.Home)
	b.mu.Lock()
	defer b.mu.Unlock()
	return BackgroundState{State: st, Sending: b.running, Last: b.result}, err
}
