// Package procstat reads what benchmarks and load tests report beside their figures: the
// CPU time and storage writes of this process or another one, and the machine's load
// average. Where the operating system cannot say (no /proc, not Unix) every figure is 0,
// and the reports leave it out.
package procstat

import (
	"os"
	"strconv"
	"strings"
	"time"
)

// WrittenBytes returns the bytes this process has caused to be written to storage (Linux
// /proc/self/io), or 0 where that is unknown.
func WrittenBytes() int64 { return written("self") }

// Written returns the bytes process pid has caused to be written to storage, or 0.
func Written(pid int) int64 { return written(strconv.Itoa(pid)) }

func written(pid string) int64 {
	data, err := os.ReadFile("/proc/" + pid + "/io")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "write_bytes: "); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			return n
		}
	}
	return 0
}

// PeakRSS returns the most memory process pid has held resident at once (Linux
// /proc/PID/status VmHWM), in bytes, or 0 where that is unknown.
func PeakRSS(pid int) int64 {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n << 10
		}
	}
	return 0
}

// LoadAverage returns the one-minute load average (Linux /proc/loadavg), or 0 where that
// is unknown: how busy the shared machine was beside a figure.
func LoadAverage() float64 {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f, _, _ := strings.Cut(string(data), " ")
	v, _ := strconv.ParseFloat(f, 64)
	return v
}

// stat returns the command of process pid and the fields of /proc/PID/stat after it
// (state first, then ppid, …; utime and stime are the 12th and 13th, cutime and cstime the
// 14th and 15th), or nil where /proc cannot say.
func stat(pid string) (string, []string) {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return "", nil
	}
	s := string(b)
	i, j := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if i < 0 || j < i {
		return "", nil
	}
	f := strings.Fields(s[j+1:])
	if len(f) < 15 {
		return "", nil
	}
	return s[i+1 : j], f
}

// ticks sums fields of a stat result, in USER_HZ ticks (100 a second on every Linux,
// whatever the kernel's own rate), as a duration.
func ticks(f []string, idx ...int) time.Duration {
	var n int64
	for _, i := range idx {
		v, _ := strconv.ParseInt(f[i], 10, 64)
		n += v
	}
	return time.Duration(n) * (time.Second / 100)
}

// CPU returns the CPU time (user and system) process pid has used so far, or 0.
func CPU(pid int) time.Duration {
	_, f := stat(strconv.Itoa(pid))
	if f == nil {
		return 0
	}
	return ticks(f, 11, 12)
}

// CPUWithChildren returns the CPU time of process pid and of its children, the living
// (from /proc) and the ended ones it waited for: for PostgreSQL's postmaster, what the
// whole database server used so far. 0 where /proc cannot say (another machine's).
func CPUWithChildren(pid int) time.Duration {
	if pid <= 0 {
		return 0
	}
	_, own := stat(strconv.Itoa(pid))
	if own == nil {
		return 0
	}
	total := ticks(own, 11, 12, 13, 14)
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	for _, e := range entries {
		if e.Name()[0] < '0' || e.Name()[0] > '9' {
			continue
		}
		if _, f := stat(e.Name()); f != nil && f[1] == strconv.Itoa(pid) {
			total += ticks(f, 11, 12)
		}
	}
	return total
}

// PostgresParent returns the parent of a PostgreSQL backend running on this machine (its
// postmaster), or 0 when pid is not a local PostgreSQL process.
func PostgresParent(pid int) int {
	cmd, f := stat(strconv.Itoa(pid))
	if cmd != "postgres" {
		return 0
	}
	n, _ := strconv.Atoi(f[1])
	return n
}
