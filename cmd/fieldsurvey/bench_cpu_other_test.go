//go:build !unix

package main

import "time"

// cpuTime is not measured on this system: the processor-time figures read 0 (NaN ratios).
func cpuTime() time.Duration { return 0 }
