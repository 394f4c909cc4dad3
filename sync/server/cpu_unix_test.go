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

// procCPU returns the CPU time (user and system) process pid has used so far (Linux
// /proc/PID/stat, in the kernel's USER_HZ ticks, 100 a second on every Linux), or 0 where
// that is unknown.
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	// The fields after the command (which may hold spaces) in parentheses: state is the
	// first, utime and stime the 12th and 13th.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	k, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0
	}
	return time.Duration(u+k) * (time.Second / 100)
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
	// Linux reports clock ticks of 1/100 s (USER_HZ) whatever the kernel's own rate.
	const tick = 10 * time.Millisecond
	fields := func(pid string) []string {
		b, err := os.ReadFile("/proc/" + pid + "/stat")
		if err != nil {
			return nil
		}
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			return nil
		}
		// After the command: state, ppid, …, utime (14th field), stime, cutime, cstime.
		return strings.Fields(s[i+1:])
	}
	num := func(f []string, field int) int64 {
		n, _ := strconv.ParseInt(f[field-3], 10, 64)
		return n
	}
	own := fields(strconv.Itoa(pid))
	if len(own) < 15 {
		return 0
	}
	ticks := num(own, 14) + num(own, 15) + num(own, 16) + num(own, 17)
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	for _, e := range entries {
		if e.Name()[0] < '0' || e.Name()[0] > '9' {
			continue
		}
		f := fields(e.Name())
		if len(f) < 15 || f[1] != strconv.Itoa(pid) {
			continue
		}
		ticks += num(f, 14) + num(f, 15)
	}
	return time.Duration(ticks) * tick
}

// postgresParent returns the parent of a PostgreSQL backend running on this machine (its
// postmaster), or 0 when pid is not a local PostgreSQL process.
func postgresParent(pid int) int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	s := string(b)
	i, j := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if i < 0 || j < i || s[i+1:j] != "postgres" {
		return 0
	}
	f := strings.Fields(s[j+1:])
	if len(f) < 2 {
		return 0
	}
	n, _ := strconv.Atoi(f[1])
	return n
}
