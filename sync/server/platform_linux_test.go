package server_test

import (
	"syscall"
	"time"
)

// threadCPU is the CPU time of the calling thread (the caller locks its goroutine to it).
func threadCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// settleDisk writes out the dirty pages of whatever ran before (sync(2)), so that a timed
// phase does not pay for another's writeback: without it, the phase run after a large one
// was measured 30–60% slower while the kernel wrote the earlier one's pages out under it.
func settleDisk() { syscall.Sync() }
