package main

import (
	"runtime/debug"
	"testing"
)

// TestServeGC: serve collects at three times the live heap within 1 GiB unless GOGC or
// GOMEMLIMIT is set, and then leaves the runtime's settings as the variables made them.
func TestServeGC(t *testing.T) {
	percent, limit := debug.SetGCPercent(100), debug.SetMemoryLimit(-1)
	t.Cleanup(func() {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	})
	for _, c := range []struct {
		gogc, memlimit string
		percent        int
		limit          int64
	}{
		{"", "", serveGCPercent, serveMemoryLimit},
		{"100", "", 100, limit},
		{"", "2GiB", 100, limit},
	} {
		debug.SetGCPercent(100)
		debug.SetMemoryLimit(limit)
		t.Setenv("GOGC", c.gogc)
		t.Setenv("GOMEMLIMIT", c.memlimit)
		serveGC()
		if p, l := debug.SetGCPercent(100), debug.SetMemoryLimit(-1); p != c.percent || l != c.limit {
			t.Errorf("GOGC=%q GOMEMLIMIT=%q: GC percent %d, memory limit %d; want %d, %d", c.gogc, c.memlimit, p, l, c.percent, c.limit)
		}
	}
}
