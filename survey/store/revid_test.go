package store

import (
	"strings"
	"testing"
)

// TestIsRevID: 64 lowercase hexadecimal digits, nothing else — every byte value tried at
// every position of a valid id.
func TestIsRevID(t *testing.T) {
	id := strings.Repeat("0123456789abcdef", 4)
	if !isRevID(id) {
		t.Fatal("a valid id refused")
	}
	for _, bad := range []string{"", id[:63], id + "0", strings.ToUpper(id)} {
		if isRevID(bad) {
			t.Errorf("%q accepted", bad)
		}
	}
	for i := range 64 {
		for c := range 256 {
			b := []byte(id)
			b[i] = byte(c)
			want := c >= '0' && c <= '9' || c >= 'a' && c <= 'f'
			if got := isRevID(string(b)); got != want {
				t.Fatalf("byte %#x at %d: %v, want %v", c, i, got, want)
			}
		}
	}
}

func BenchmarkIsRevID(b *testing.B) {
	id := strings.Repeat("0123456789abcdef", 4)
	for b.Loop() {
		if !isRevID(id) {
			b.Fatal("refused")
		}
	}
}
