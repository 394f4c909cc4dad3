package batch

import "os"

// ReadFile reads and checks the batch file at path (Read with the default limits).
func ReadFile(path string) (*Batch, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Read(f, Limits{})
}
