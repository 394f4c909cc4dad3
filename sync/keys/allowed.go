package keys

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/ssh"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// AllowedSigner is one line of an allowed_signers file.
type AllowedSigner struct {
	// Principals are patterns (with * and ?, and ! to exclude) naming who may sign.
	Principals []string
	// Namespaces limits the signature namespaces the key may sign for; empty means any.
	Namespaces []string
	// ValidAfter and ValidBefore bound when the key is trusted; zero means unbounded.
	ValidAfter, ValidBefore time.Time
	// CertAuthority marks a certificate authority key; fieldsurvey does not use
	// certificates, so such lines never match a device key.
	CertAuthority bool
	Key           ssh.PublicKey
	Line          int
}

// AllowedSigners is a parsed allowed_signers file (OpenSSH format, see ssh-keygen(1)).
type AllowedSigners struct {
	Signers []AllowedSigner
}

// ErrSignerNotAllowed is returned by Check when no line of the file trusts a key for a
// principal and namespace.
var ErrSignerNotAllowed = errors.New("signer not allowed")

// maxAllowedSignersSize bounds the file read; a real one has a line per device.
const maxAllowedSignersSize = 16 << 20

// ParseAllowedSigners reads an allowed_signers file. Blank lines and # comments are skipped;
// any other line that cannot be read is an error naming its line number, so a supervisor
// never trusts less (or more) than the file says.
func ParseAllowedSigners(r io.Reader) (*AllowedSigners, error) {
	lr := &io.LimitedReader{R: r, N: maxAllowedSignersSize + 1}
	sc := bufio.NewScanner(lr)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	as := &AllowedSigners{}
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if !utf8.ValidString(line) {
			return nil, fmt.Errorf("allowed signers line %d: not valid UTF-8", n)
		}
		s, err := parseSignerLine(line)
		if err != nil {
			return nil, fmt.Errorf("allowed signers line %d: %w", n, err)
		}
		s.Line = n
		as.Signers = append(as.Signers, s)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read allowed signers: %w", err)
	}
	if lr.N <= 0 {
		return nil, fmt.Errorf("read allowed signers: file larger than %d bytes", maxAllowedSignersSize)
	}
	return as, nil
}

func parseSignerLine(line string) (AllowedSigner, error) {
	var s AllowedSigner
	var principals, rest string
	if strings.HasPrefix(line, `"`) {
		end := strings.IndexByte(line[1:], '"')
		if end < 0 {
			return s, errors.New("unterminated quoted principal")
		}
		principals, rest = line[1:1+end], line[2+end:]
		if rest != "" && rest[0] != ' ' && rest[0] != '\t' {
			return s, errors.New("no space after the quoted principal")
		}
	} else {
		i := strings.IndexAny(line, " \t")
		if i < 0 {
			return s, errors.New("expected principals, options and a public key")
		}
		principals, rest = line[:i], line[i:]
	}
	rest = strings.TrimSpace(rest)
	if principals == "" {
		return s, errors.New("no principal")
	}
	for _, p := range strings.Split(principals, ",") {
		if p == "" {
			return s, errors.New("empty principal in the list")
		}
		s.Principals = append(s.Principals, p)
	}
	key, _, opts, _, err := ssh.ParseAuthorizedKey([]byte(rest))
	if err != nil {
		return s, errors.New("no valid public key after the principals")
	}
	s.Key = key
	for _, o := range opts {
		name, val, hasVal := strings.Cut(o, "=")
		switch strings.ToLower(name) {
		case "cert-authority":
			s.CertAuthority = true
		case "namespaces":
			v, err := unquote(val, hasVal, name)
			if err != nil {
				return s, err
			}
			for _, ns := range strings.Split(v, ",") {
				if ns = strings.TrimSpace(ns); ns != "" {
					s.Namespaces = append(s.Namespaces, ns)
				}
			}
		case "valid-after", "valid-before":
			v, err := unquote(val, hasVal, name)
			if err != nil {
				return s, err
			}
			t, err := parseSSHTime(v)
			if err != nil {
				return s, fmt.Errorf("option %s: %w", name, err)
			}
			if strings.ToLower(name) == "valid-after" {
				s.ValidAfter = t
			} else {
				s.ValidBefore = t
			}
		default:
			return s, fmt.Errorf("unknown option %q", name)
		}
	}
	return s, nil
}

func unquote(val string, hasVal bool, name string) (string, error) {
	if !hasVal {
		return "", fmt.Errorf("option %s needs a value", name)
	}
	if strings.HasPrefix(val, `"`) {
		if len(val) < 2 || !strings.HasSuffix(val, `"`) {
			return "", fmt.Errorf("option %s: unterminated quote", name)
		}
		val = val[1 : len(val)-1]
	}
	return val, nil
}

// parseSSHTime reads the YYYYMMDD[HHMM[SS]][Z] times of allowed_signers; without Z the time
// is local, as in OpenSSH.
func parseSSHTime(v string) (time.Time, error) {
	loc := time.Local
	if strings.HasSuffix(v, "Z") || strings.HasSuffix(v, "z") {
		loc = time.UTC
		v = v[:len(v)-1]
	}
	var layout string
	switch len(v) {
	case 8:
		layout = "20060102"
	case 12:
		layout = "200601021504"
	case 14:
		layout = "20060102150405"
	default:
		return time.Time{}, fmt.Errorf("%q is not a time (YYYYMMDD[HHMM[SS]][Z])", v)
	}
	if _, err := strconv.ParseUint(v, 10, 64); err != nil {
		return time.Time{}, fmt.Errorf("%q is not a time (YYYYMMDD[HHMM[SS]][Z])", v)
	}
	t, err := time.ParseInLocation(layout, v, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a time (YYYYMMDD[HHMM[SS]][Z])", v)
	}
	return t, nil
}

// Check reports whether some line trusts key to sign as principal in namespace at time now.
// The error (wrapping ErrSignerNotAllowed) says what was missing: the key, the principal,
// the namespace or the validity period. It names the key by its fingerprint only.
func (a *AllowedSigners) Check(key ssh.PublicKey, principal, namespace string, now time.Time) error {
	fp := ssh.FingerprintSHA256(key)
	want := key.Marshal()
	var withKey, withPrincipal, withNamespace []AllowedSigner
	for _, s := range a.Signers {
		if s.CertAuthority || !bytes.Equal(s.Key.Marshal(), want) {
			continue
		}
		withKey = append(withKey, s)
		if !MatchPrincipal(s.Principals, principal) {
			continue
		}
		withPrincipal = append(withPrincipal, s)
		if len(s.Namespaces) > 0 && !matchAny(s.Namespaces, namespace) {
			continue
		}
		withNamespace = append(withNamespace, s)
		if !s.ValidAfter.IsZero() && now.Before(s.ValidAfter) {
			continue
		}
		if !s.ValidBefore.IsZero() && !now.Before(s.ValidBefore) {
			continue
		}
		return nil
	}
	switch {
	case len(withKey) == 0:
		return notAllowed(survey.T(fmt.Sprintf("key %s is not in the allowed signers file", fp),
			fmt.Sprintf("khoá %s không có trong tệp danh sách người ký được phép (allowed signers)", fp)))
	case len(withPrincipal) == 0:
		return notAllowed(survey.T(fmt.Sprintf("key %s is not allowed to sign as %q (allowed signers line %d)", fp, principal, withKey[0].Line),
			fmt.Sprintf("khoá %s không được phép ký với danh tính %q (dòng %d của allowed signers)", fp, principal, withKey[0].Line)))
	case len(withNamespace) == 0:
		return notAllowed(survey.T(fmt.Sprintf("key %s is not allowed to sign for namespace %q (allowed signers line %d)", fp, namespace, withPrincipal[0].Line),
			fmt.Sprintf("khoá %s không được phép ký cho không gian tên (namespace) %q (dòng %d của allowed signers)", fp, namespace, withPrincipal[0].Line)))
	}
	s := withNamespace[0]
	return notAllowed(survey.T(fmt.Sprintf("key %s is trusted only from %s until %s (allowed signers line %d)", fp,
		timeOrDash(s.ValidAfter), timeOrDash(s.ValidBefore), s.Line),
		fmt.Sprintf("khoá %s chỉ được tin cậy từ %s đến %s (dòng %d của allowed signers)", fp,
			timeOrDash(s.ValidAfter), timeOrDash(s.ValidBefore), s.Line)))
}

// NotAllowedError is Check's error: why no line of the file trusts the key, in English
// and Vietnamese (Detail). It wraps ErrSignerNotAllowed.
type NotAllowedError struct{ Detail survey.Text }

func notAllowed(t survey.Text) error { return &NotAllowedError{Detail: t} }

func (e *NotAllowedError) Error() string {
	return ErrSignerNotAllowed.Error() + ": " + e.Detail.Get(survey.LangEN)
}

func (e *NotAllowedError) Unwrap() error { return ErrSignerNotAllowed }

// Text returns the whole message in English (Error) and Vietnamese.
func (e *NotAllowedError) Text() survey.Text {
	return survey.T(e.Error(), "người ký không được phép: "+e.Detail.Get(survey.LangVI))
}

func timeOrDash(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// Principals returns the principal patterns of every line that holds key.
func (a *AllowedSigners) Principals(key ssh.PublicKey) []string {
	want := key.Marshal()
	var out []string
	for _, s := range a.Signers {
		if !s.CertAuthority && bytes.Equal(s.Key.Marshal(), want) {
			out = append(out, s.Principals...)
		}
	}
	return out
}

// MatchPrincipal matches principal against a pattern list as OpenSSH does: it matches when
// some pattern matches and no negated (!) pattern does. Patterns use * and ?.
func MatchPrincipal(patterns []string, principal string) bool {
	matched := false
	for _, p := range patterns {
		if neg, ok := strings.CutPrefix(p, "!"); ok {
			if wildcard(neg, principal) {
				return false
			}
			continue
		}
		if wildcard(p, principal) {
			matched = true
		}
	}
	return matched
}

func matchAny(patterns []string, s string) bool {
	for _, p := range patterns {
		if wildcard(p, s) {
			return true
		}
	}
	return false
}

// wildcard matches s against pattern with * (any run) and ? (one character).
func wildcard(pattern, s string) bool {
	p, t := []rune(pattern), []rune(s)
	pi, ti, star, mark := 0, 0, -1, 0
	for ti < len(t) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == t[ti]):
			pi++
			ti++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, ti
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			ti = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// SignerLine returns the allowed_signers line that trusts pub to sign as principal in the
// given namespace (none: any), quoting the principal when it holds spaces.
func SignerLine(principal string, pub ssh.PublicKey, namespace string) string {
	var b strings.Builder
	if strings.ContainsAny(principal, " \t") {
		b.WriteString(`"` + principal + `"`)
	} else {
		b.WriteString(principal)
	}
	if namespace != "" {
		b.WriteString(` namespaces="` + namespace + `"`)
	}
	b.WriteByte(' ')
	b.Write(bytes.TrimSpace(ssh.MarshalAuthorizedKey(pub)))
	return b.String()
}
