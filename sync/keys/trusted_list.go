package keys

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// TrustedLine is one line of a trusted_supervisors file, as `fieldsurvey trust list` shows
// it.
type TrustedLine struct {
	AllowedSigner
	// Source is "" for a line added by hand, else the source named by the block the line
	// is in (the server's key fingerprint, see SetManagedSigners).
	Source string
}

// ReadTrustedLines reads the lines of a trusted_supervisors file (or any allowed_signers
// file) with where each comes from. A missing file has no lines; a line that does not parse
// is an error naming its number, as in ParseAllowedSigners.
func ReadTrustedLines(path string) ([]TrustedLine, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	as, err := ParseAllowedSigners(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	// The source of each line number: the block it is in, if any.
	source := map[int]string{}
	cur := ""
	for i, l := range strings.Split(string(data), "\n") {
		l = strings.TrimRight(l, "\r")
		switch {
		case strings.HasPrefix(l, managedBegin):
			cur, _, _ = strings.Cut(strings.TrimPrefix(l, managedBegin), " ")
		case l == managedEnd:
			cur = ""
		default:
			source[i+1] = cur
		}
	}
	out := make([]TrustedLine, len(as.Signers))
	for i, s := range as.Signers {
		out[i] = TrustedLine{AllowedSigner: s, Source: source[s.Line]}
	}
	return out, nil
}
