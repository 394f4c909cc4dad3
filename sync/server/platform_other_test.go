//go:build !linux

package server_test

import "time"

// threadCPU is 0 where the thread's CPU time is not read.
func threadCPU() time.Duration { return 0 }

// settleDisk does nothing where sync(2) is not called (see the Linux one).
func settleDisk() {}
