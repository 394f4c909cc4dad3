//go:build !(linux || darwin || freebsd || openbsd || netbsd || dragonfly || windows)

package server

import (
	"errors"
	"os"
)

// freeBytes cannot measure free space on this system.
func freeBytes(string) (uint64, error) { return 0, errors.ErrUnsupported }

// writable reports why the server cannot write path by its mode bits, or nil.
func writable(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if fi.Mode().Perm()&0o222 == 0 {
		return errors.New("its mode allows nobody to write")
	}
	return nil
}
