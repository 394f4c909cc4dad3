//go:build !unix

package hub_test

import "time"

// cpuTime is unknown here.
func cpuTime() time.Duration { return 0 }

// writtenBytes is unknown here.
func writtenBytes() int64 { return 0 }

// loadAverage is unknown here.
func loadAverage() float64 { return 0 }
