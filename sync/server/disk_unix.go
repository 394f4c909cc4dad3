//go:build linux || darwin || freebsd || openbsd || netbsd || dragonfly

package server

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// freeBytes returns the bytes available to the server on the file system holding dir.
func freeBytes(dir string) (uint64, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return 0, err
	}
	return uint64(st.Bavail) * uint64(st.Bsize), nil
}

// writable reports why the server cannot write path, or nil. Root is not stopped by mode
// bits, but a file or folder without any write bit was made read-only on purpose (or by a
// restore): it counts as not writable for root too.
func writable(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if os.Geteuid() == 0 {
		if fi.Mode().Perm()&0o222 == 0 {
			return fmt.Errorf("mode %s allows nobody to write", fi.Mode().Perm())
		}
		return nil
	}
	if err := unix.Access(path, unix.W_OK); err != nil {
		return fmt.Errorf("mode %s: %w", fi.Mode().Perm(), err)
	}
	return nil
}
