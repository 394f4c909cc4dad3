//go:build windows

package server

import (
	"errors"
	"os"

	"golang.org/x/sys/windows"
)

// freeBytes returns the bytes available to the server on the volume holding dir.
func freeBytes(dir string) (uint64, error) {
	p, err := windows.UTF16PtrFromString(dir)
	if err != nil {
		return 0, err
	}
	var avail, total, free uint64
	if err := windows.GetDiskFreeSpaceEx(p, &avail, &total, &free); err != nil {
		return 0, err
	}
	return avail, nil
}

// writable reports why the server cannot write path, or nil: the read-only attribute.
func writable(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if fi.Mode().Perm()&0o200 == 0 {
		return errors.New("it is marked read-only")
	}
	return nil
}
