package survey

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckInterviewID(t *testing.T) {
	for _, id := range []string{
		"0193a5b2-7c1e-7000-8000-000000000001",
		"0193a5c7-1f20-7a3b-9c4d-0123456789ab",
		"00000000-0000-4000-8000-000000000000", // a v4 UUID: other programs' ids are UUIDs too
	} {
		if err := CheckInterviewID(id); err != nil {
			t.Errorf("%q refused: %v", id, err)
		}
	}
	for _, id := range []string{
		"",
		"x",
		"iv-1",
		"../../etc/passwd",
		"0193a5b2-7c1e-7000-8000-00000000000",   // one digit short
		"0193a5b2-7c1e-7000-8000-0000000000011", // one too many
		"0193A5B2-7C1E-7000-8000-000000000001",  // upper case: not what the program writes
		"0193a5b27c1e-7000-8000-0000000000001",  // a hyphen moved
		"{0193a5b2-7c1e-7000-8000-000000000001}",
		"0193a5b2-7c1e-7000-8000-00000000000g",
		"\u202e0193a5b2-7c1e-7000-8000-00000000001", // a right-to-left override
		" 0193a5b2-7c1e-7000-8000-000000000001",
	} {
		err := CheckInterviewID(id)
		if !errors.Is(err, ErrBadInterviewID) {
			t.Errorf("%q accepted (err %v)", id, err)
			continue
		}
		if strings.ContainsRune(err.Error(), '\u202e') {
			t.Errorf("the message carries the raw control character: %q", err.Error())
		}
	}
	long := strings.Repeat("a", 5000)
	if err := CheckInterviewID(long); err == nil || len(err.Error()) > 200 {
		t.Errorf("a long id: %d-byte message %v", len(err.Error()), err)
	}
}
