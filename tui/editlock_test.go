package tui

import (
	"path/filepath"
	"testing"

	"github.com/fieldsurvey/fieldsurvey/internal/editlock"
)

// TestSecondWindowCannotOpenAnInterviewOpenElsewhere (issue 11.1): two windows on one home
// take the interview's edit lock before opening it; the second is refused with a message
// naming the first and never shows a copy it could write over; once the first window has
// left the interview (its writes saved), the lock is free.
func TestSecondWindowCannotOpenAnInterviewOpenElsewhere(t *testing.T) {
	dir := editlock.Dir(filepath.Join(t.TempDir(), "fieldsurvey.db"))
	withLock := func(program string) driverOpt {
		return func(o *Options) {
			o.Lock = func(id string) (func(), error) {
				l, err := editlock.Acquire(dir, id, program)
				if err != nil {
					return nil, err
				}
				return func() { l.Release() }, nil
			}
		}
	}
	a := newDriver(t, 80, 24, withLock("window A"))
	id := a.create("example", "Sở Y tế", "Huế")
	a.open(id)
	a.key("1") // a saved answer
	a.mustSee("✓ saved")

	b := newDriver(t, 80, 24, withLock("window B"))
	b.send(OpenInterviewMsg{ID: id})
	if b.app.iv != nil {
		t.Fatal("the second window opened an interview the first is editing")
	}
	b.mustSee("open in another window (window", "close it there first")

	// A leaves the interview: its writes are saved, so the lock goes.
	a.key("esc", "esc")
	if a.app.iv != nil || len(a.app.locks) != 0 {
		t.Fatalf("after leaving: interview %v, locks %d", a.app.iv != nil, len(a.app.locks))
	}
	l, err := editlock.Acquire(dir, id, "check")
	if err != nil {
		t.Fatalf("the lock was not released: %v", err)
	}
	l.Release()
}
