// Package editlock keeps two windows from editing one interview at once. A program that
// opens an interview for editing takes its lock: a file in a folder beside the store,
// locked with the operating system's advisory lock (flock on Unix, LockFileEx on Windows,
// through github.com/gofrs/flock) and holding who took it. A second window asking for the
// same lock is refused with ErrHeld and a Holder that names the other process, so that it
// can say which window to close; it never edits a stale copy.
//
// Guarantees:
//   - The operating system releases a lock when its process ends, however it ends (kill -9
//     and power loss included): a lock never outlives its holder, and no stale lock needs
//     clearing by hand.
//   - Locks are per interview: two windows can edit two interviews of one store.
//   - The lock file's content is only information for the message; the lock itself is the
//     OS lock, so a file left behind locks nothing.
package editlock

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// ErrHeld is returned by Acquire when another window holds the lock.
var ErrHeld = errors.New("open in another window")

// Holder says who holds a lock.
type Holder struct {
	PID     int       `json:"pid"`
	Host    string    `json:"host"`
	Program string    `json:"program"` // e.g. "fieldsurvey collect"
	Since   time.Time `json:"since"`
}

// HeldError is ErrHeld with the holder, when the lock file says who it is.
type HeldError struct {
	Interview string
	Holder    Holder
}

func (e *HeldError) Error() string {
	if e.Holder.PID == 0 {
		return fmt.Sprintf("interview %s is %s", e.Interview, ErrHeld)
	}
	return fmt.Sprintf("interview %s is %s: %s (process %d on %s, since %s)", e.Interview, ErrHeld,
		e.Holder.Program, e.Holder.PID, e.Holder.Host, e.Holder.Since.Local().Format("15:04"))
}

// Unwrap returns ErrHeld.
func (e *HeldError) Unwrap() error { return ErrHeld }

// Text says who holds the interview and what to do, in every language.
func (e *HeldError) Text() survey.Text {
	if e.Holder.PID == 0 {
		return survey.T(fmt.Sprintf("interview %s is open in another window: close it there first, then open it here", e.Interview),
			fmt.Sprintf("phỏng vấn %s đang mở ở một cửa sổ khác: hãy đóng nó ở đó trước rồi mở ở đây", e.Interview))
	}
	when := e.Holder.Since.Local().Format("15:04")
	return survey.T(fmt.Sprintf("interview %s is open in another window (%s, process %d on %s, since %s): close it there first, then open it here; nothing was changed",
		e.Interview, e.Holder.Program, e.Holder.PID, e.Holder.Host, when),
		fmt.Sprintf("phỏng vấn %s đang mở ở một cửa sổ khác (%s, tiến trình %d trên %s, từ %s): hãy đóng nó ở đó trước rồi mở ở đây; không có gì bị thay đổi",
			e.Interview, e.Holder.Program, e.Holder.PID, e.Holder.Host, when))
}

// Lock is a held lock; Release gives it back.
type Lock struct {
	f    *flock.Flock
	path string
}

// Dir returns the folder of the locks of the store at storePath.
func Dir(storePath string) string { return storePath + "-locks" }

// safeName reports whether id is 1 to 128 of [A-Za-z0-9._-] (a loop, not a regular
// expression: {1,128} compiles into 128 copies of the class, ~0.3 ms of every start-up).
func safeName(id string) bool {
	if len(id) == 0 || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// Acquire takes the lock of interview id among the locks of dir (see Dir), without
// waiting: when another process (or another window of this one) holds it, it returns a
// *HeldError. program names the taker for the other window's message.
func Acquire(dir, id, program string) (*Lock, error) {
	if !safeName(id) || id == "." || id == ".." {
		return nil, fmt.Errorf("lock interview %q: not an interview id", id)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("lock interview %s: %w", id, err)
	}
	path := filepath.Join(dir, id+".lock")
	fl := flock.New(path, flock.SetFlag(os.O_CREATE|os.O_RDWR), flock.SetPermissions(0o600))
	ok, err := fl.TryLock()
	if err != nil {
		return nil, fmt.Errorf("lock interview %s: %w", id, err)
	}
	if !ok {
		he := &HeldError{Interview: id}
		if b, err := os.ReadFile(path); err == nil {
			json.Unmarshal(b, &he.Holder) // information only: a torn file names no one
		}
		return nil, he
	}
	host, _ := os.Hostname()
	info, _ := json.Marshal(Holder{PID: os.Getpid(), Host: host, Program: program, Since: time.Now().UTC()})
	// The holder's details go into the locked file itself (not a rename: the lock is on
	// this file). A reader may see it half-written; that only makes the message vaguer.
	if f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0o600); err == nil {
		f.Write(info)
		f.Close()
	}
	return &Lock{f: fl, path: path}, nil
}

// Release gives the lock back. Releasing twice is harmless.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Unlock()
	l.f = nil
	return err
}
