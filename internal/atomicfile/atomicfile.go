// Package atomicfile writes files so that a crash or power cut never leaves a half-written
// one: the data goes to a temporary file in the same folder, is synced, and is then renamed
// (Write) or hard-linked (Create) into place, and the folder is synced.
//
// After Write or Create returns nil the file holds all of data and survives a power cut
// (on systems whose folders can be synced; elsewhere the rename is still atomic).
package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// Write replaces path with data, with permissions mode. path holds either its old content or
// all of data, never a part. The folder must exist.
func Write(path string, data []byte, mode fs.FileMode) error {
	tmp, err := temp(path, data, mode)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	syncDir(filepath.Dir(path))
	return nil
}

// Create writes data to path only if path does not exist. It reports created false, and
// writes nothing, when path exists, also when another process created it a moment ago: two
// first runs at once cannot overwrite each other.
func Create(path string, data []byte, mode fs.FileMode) (created bool, err error) {
	if _, err := os.Lstat(path); err == nil {
		return false, nil
	}
	tmp, err := temp(path, data, mode)
	if err != nil {
		return false, err
	}
	defer os.Remove(tmp)
	// A hard link fails when path exists, unlike a rename.
	if err := os.Link(tmp, path); err != nil {
		if _, serr := os.Lstat(path); serr == nil {
			return false, nil
		}
		// File systems without hard links: an exclusive create of the final name.
		f, err2 := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
		if err2 != nil {
			if errors.Is(err2, fs.ErrExist) {
				return false, nil
			}
			return false, err2
		}
		if err := writeSync(f, data); err != nil {
			os.Remove(path)
			return false, err
		}
	}
	syncDir(filepath.Dir(path))
	return true, nil
}

// temp writes data to a new synced temporary file next to path and returns its name.
func temp(path string, data []byte, mode fs.FileMode) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return "", err
	}
	name := f.Name()
	if err := f.Chmod(mode); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		f.Close()
		os.Remove(name)
		return "", err
	}
	if err := writeSync(f, data); err != nil {
		os.Remove(name)
		return "", err
	}
	return name, nil
}

// writeSync writes data to f, syncs and closes it.
func writeSync(f *os.File, data []byte) error {
	_, err := f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// SyncDir syncs a folder so that a rename or a new file in it survives a power cut. Errors
// are ignored: some systems (Windows) cannot sync folders, and the rename is atomic anyway.
func SyncDir(dir string) { syncDir(dir) }

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
