//go:build linux

package store

import (
	"os"
	"strconv"
	"strings"
)

// writtenBytes returns the bytes the process has caused to be written to storage
// (/proc/self/io).
func writtenBytes() int64 {
	data, err := os.ReadFile("/proc/self/io")
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
