//go:build !linux

package store

import "time"

// cpuTime is unknown here.
func cpuTime() time.Duration { return 0 }

// writtenBytes is unknown here.
func writtenBytes() int64 { return 0 }
