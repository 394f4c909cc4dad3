package keys

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/fieldsurvey/fieldsurvey/internal/atomicfile"
)

// TrustedSupervisorsFile is the allowed_signers file of a home that lists the supervisors
// whose batches the device accepts (merged from a USB stick). It holds lines added by hand
// (`fieldsurvey trust add`) and, between two marker comments, the supervisors the server
// the device is enrolled with vouches for (rewritten at enrolment and on every sync).
const TrustedSupervisorsFile = "trusted_supervisors"

// Marker comments around the block a server manages.
const (
	managedBegin = "# BEGIN supervisors from the server "
	managedEnd   = "# END supervisors from the server"
)

// LoadAllowedSignersFile reads an allowed_signers file; a missing file trusts no one.
func LoadAllowedSignersFile(path string) (*AllowedSigners, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &AllowedSigners{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	as, err := ParseAllowedSigners(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return as, nil
}

// AddSignerLine adds line (one allowed_signers line) to the file at path, creating it with
// mode 0600, unless the file already has that line. It reports whether it added it. A line
// that does not parse is refused and nothing is written.
func AddSignerLine(path, line string) (added bool, err error) {
	line = strings.TrimSpace(line)
	if strings.ContainsAny(line, "\r\n") {
		return false, errors.New("give one allowed_signers line, not several")
	}
	if _, err := parseSignerLine(line); err != nil {
		return false, fmt.Errorf("not an allowed_signers line (principal, then an ssh-ed25519 key): %w", err)
	}
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("read %s: %w", path, err)
	}
	lines := splitLines(old)
	if slices.Contains(lines, line) {
		return false, nil
	}
	// Hand-added lines go before the managed block, so that the block stays last.
	manual, block := splitManaged(lines)
	manual = append(manual, line)
	if err := atomicfile.Write(path, joinLines(append(manual, block...)), 0o600); err != nil {
		return false, fmt.Errorf("write %s: %w", path, err)
	}
	return true, nil
}

// SetManagedSigners replaces the block of lines that source (a server, named by its key
// fingerprint) manages in the file at path with lines, keeping every line added by hand.
// Every line must parse; nothing is written otherwise. The file is created with mode 0600.
func SetManagedSigners(path, source string, lines []string) error {
	var block []string
	for i, l := range lines {
		l = strings.TrimSpace(l)
		if strings.ContainsAny(l, "\r\n") {
			return fmt.Errorf("supervisor line %d holds a line break", i+1)
		}
		if _, err := parseSignerLine(l); err != nil {
			return fmt.Errorf("supervisor line %d: %w", i+1, err)
		}
		block = append(block, l)
	}
	slices.Sort(block)
	block = slices.Compact(block)
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("read %s: %w", path, err)
	}
	manual, _ := splitManaged(splitLines(old))
	out := append([]string(nil), manual...)
	out = append(out, managedBegin+source+" (rewritten on every sync: do not edit these lines)")
	out = append(out, block...)
	out = append(out, managedEnd)
	data := joinLines(out)
	if bytes.Equal(data, old) {
		return nil
	}
	if err := atomicfile.Write(path, data, 0o600); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func splitLines(data []byte) []string {
	var out []string
	for _, l := range strings.Split(string(data), "\n") {
		if l = strings.TrimRight(l, "\r"); strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}

func joinLines(lines []string) []byte {
	if len(lines) == 0 {
		return nil
	}
	return []byte(strings.Join(lines, "\n") + "\n")
}

// splitManaged separates hand-added lines from the managed block (markers included).
func splitManaged(lines []string) (manual, block []string) {
	in := false
	for _, l := range lines {
		switch {
		case strings.HasPrefix(l, managedBegin):
			in = true
			block = append(block, l)
		case in && l == managedEnd:
			in = false
			block = append(block, l)
		case in:
			block = append(block, l)
		default:
			manual = append(manual, l)
		}
	}
	return manual, block
}
