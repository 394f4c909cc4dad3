package procstat

import (
	"os"
	"runtime"
	"testing"
)

// TestSelf: on Linux the figures of this process are read and plausible (CPU time grows
// with work, the peak resident memory with what it touches; this process is not
// PostgreSQL); elsewhere they are 0.
func TestSelf(t *testing.T) {
	if runtime.GOOS != "linux" {
		if CPU(os.Getpid()) != 0 {
			t.Fatal("CPU of a process without /proc")
		}
		return
	}
	before := CPUTime()
	x := 0
	for i := range 50_000_000 {
		x += i % 7
	}
	if CPUTime() <= before || x == 0 {
		t.Fatalf("CPU time did not grow with work: %v then %v", before, CPUTime())
	}
	if CPU(os.Getpid()) <= 0 {
		t.Fatal("no CPU time read from /proc for this process")
	}
	own := CPU(os.Getpid())
	if all := CPUWithChildren(os.Getpid()); all < own { // read after: it can only be more
		t.Fatalf("CPU with children %v below the process's own %v read before", all, own)
	}
	if PostgresParent(os.Getpid()) != 0 {
		t.Fatal("this test process taken for a PostgreSQL backend")
	}
	// Resident memory: at least a block this test touches, which the peak keeps after it
	// is dropped.
	held := make([]byte, 64<<20)
	for i := range held {
		held[i] = byte(i)
	}
	if peak := PeakRSS(os.Getpid()); peak < 64<<20 {
		t.Fatalf("peak resident memory %d bytes after touching 64 MiB", peak)
	}
	runtime.KeepAlive(held)
	if LoadAverage() < 0 {
		t.Fatal("negative load average")
	}
}
