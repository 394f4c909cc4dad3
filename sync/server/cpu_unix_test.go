//go:build unix

package server_test

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// cpuTime returns the CPU time (user and system) the process has used so far, to say how
// many cores a load test kept busy.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// writtenBytes returns the bytes the process has caused to be written to storage (Linux
// /proc/self/io), or 0 where that is unknown.
func writtenBytes() int64 {
	b, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "write_bytes: "); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			return n
		}
	}
	return 0
}

// procStat returns the command of process pid and the fields of /proc/PID/stat after it
// (state first, then ppid, …; utime and stime are the 12th and 13th, cutime and cstime the
// 14th and 15th), or nil where /proc cannot say. CPU times are in USER_HZ ticks: 100 a
// second on every Linux, whatever the kernel's own rate.
func procStat(pid string) (string, []string) {
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

// ticks sums fields of a procStat result as a duration.
func ticks(f []string, idx ...int) time.Duration {
	var n int64
	for _, i := range idx {
		v, _ := strconv.ParseInt(f[i], 10, 64)
		n += v
	}
	return time.Duration(n) * (time.Second / 100)
}

// procCPU returns the CPU time (user and system) process pid has used so far, or 0 where
// that is unknown.
func procCPU(pid int) time.Duration {
	_, f := procStat(strconv.Itoa(pid))
	if f == nil {
		return 0
	}
	return ticks(f, 11, 12)
}

// procWritten returns the bytes process pid has caused to be written to storage (Linux
// /proc/PID/io), or 0 where that is unknown.
func procWritten(pid int) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/io")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "write_bytes: "); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			return n
		}
	}
	return 0
}

// processCPU returns the CPU time (user and system) of a process and of its children, the
// living (from /proc) and the ended ones it waited for: for PostgreSQL's postmaster, what
// the whole database server used so far. 0 where /proc cannot say (not Linux, another
// machine's PostgreSQL).
func processCPU(pid int) time.Duration {
	if pid <= 0 {
		return 0
	}
	_, own := procStat(strconv.Itoa(pid))
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
		if _, f := procStat(e.Name()); f != nil && f[1] == strconv.Itoa(pid) {
			total += ticks(f, 11, 12)
		}
	}
	return total
}

// postgresParent returns the parent of a PostgreSQL backend running on this machine (its
// postmaster), or 0 when pid is not a local PostgreSQL process.
func postgresParent(pid int) int {
	cmd, f := procStat(strconv.Itoa(pid))
	if cmd != "postgres" {
		return 0
	}
	n, _ := strconv.Atoi(f[1])
	return n
}
