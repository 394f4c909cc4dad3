//go:build !unix

package procstat

import "time"

// CPUTime is unknown here.
func CPUTime() time.Duration { return 0 }
