//go:build !unix

package hub_test

import "time"

// cpuTime is unknown here (0): the benchmarks then report no CPU figures.
func cpuTime() time.Duration { return 0 }
