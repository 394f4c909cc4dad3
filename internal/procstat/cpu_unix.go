//go:build unix

package procstat

import (
	"syscall"
	"time"
)

// CPUTime returns the CPU time (user and system) this process has used so far: on a shared
// machine, what the work measured cost whatever else runs.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
