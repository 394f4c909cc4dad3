package client

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/fieldsurvey/fieldsurvey/internal/atomicfile"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hiddeco/sshsig"
	"golang.org/x/crypto/ssh"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/sync/keys"
	"github.com/fieldsurvey/fieldsurvey/sync/wire"
)

// EnrolmentFile is the name of the file in the home folder that records the device's
// enrolment: the server URL and the pinned server key.
const EnrolmentFile = "server.json"

// ErrNotEnrolled is returned when the device has no enrolment.
var ErrNotEnrolled = errors.New("this device is not enrolled with a server; run `fieldsurvey enroll --server URL --token TOKEN` with a token from the administrator")

// Enrolment is what a device keeps about the server it is enrolled with.
type Enrolment struct {
	URL         string `json:"url"`
	Device      string `json:"device"`
	Principal   string `json:"principal"`
	Assessor    string `json:"assessor"`
	ServerKey   string `json:"server_key"`  // authorized_keys format: pinned
	Fingerprint string `json:"fingerprint"` // of ServerKey
	Enrolled    string `json:"enrolled"`
	// Role is what the server enrolled the device as (the token's role: assessor or
	// supervisor); Scope the provinces of a supervisor's device (empty: all).
	Role  survey.Role `json:"role,omitempty"`
	Scope []string    `json:"scope,omitempty"`
}

// PublicKey parses the pinned server key.
func (e *Enrolment) PublicKey() (ssh.PublicKey, error) {
	pub, _, _, _, err := ssh.ParseAuthorizedKey([]byte(e.ServerKey))
	if err != nil {
		return nil, fmt.Errorf("the server key in %s cannot be read; enrol again", EnrolmentFile)
	}
	if got := ssh.FingerprintSHA256(pub); got != e.Fingerprint {
		return nil, fmt.Errorf("the server key in %s does not match its fingerprint; enrol again", EnrolmentFile)
	}
	return pub, nil
}

// LoadEnrolment reads the enrolment in home; ErrNotEnrolled when there is none.
func LoadEnrolment(home string) (*Enrolment, error) {
	b, err := os.ReadFile(filepath.Join(home, EnrolmentFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotEnrolled
	}
	if err != nil {
		return nil, fmt.Errorf("read enrolment: %w", err)
	}
	var e Enrolment
	if err := json.Unmarshal(b, &e); err != nil {
		return nil, fmt.Errorf("read enrolment %s: %w; enrol again", filepath.Join(home, EnrolmentFile), err)
	}
	if _, err := e.PublicKey(); err != nil {
		return nil, err
	}
	return &e, nil
}

// EnrollOptions says who enrols where.
type EnrollOptions struct {
	Home      string
	URL       string // the server, e.g. https://survey.example.org:8750
	Token     string // as printed by `fieldsurvey server token`
	Device    string
	Principal string
	Signer    ssh.Signer // the device key
	// Role is the role of the device's home (empty: assessor). A token made for another
	// role is refused, and nothing is written.
	Role survey.Role
	HTTP *http.Client
}

// ErrRoleMismatch is returned by Enroll when the token was made for another role than the
// device's home: nothing was written, and the token was not used.
var ErrRoleMismatch = errors.New("the enrolment token is for another role than this device's home")

// Enroll registers the device's key and principal with the server, using a one-time token,
// checks that the server is the one the token names (its key's fingerprint, and its
// signature of the answer), and records the enrolment (pinning the key) in the home folder.
func Enroll(ctx context.Context, o EnrollOptions) (*Enrolment, error) {
	tok, err := wire.ParseToken(o.Token)
	if err != nil {
		return nil, err
	}
	base, err := serverURL(o.URL)
	if err != nil {
		return nil, err
	}
	if o.Signer == nil {
		return nil, errors.New("enroll: no device key; run `fieldsurvey init` first")
	}
	role := o.Role
	if role == "" {
		role = survey.RoleAssessor
	}
	pubLine := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(o.Signer.PublicKey())))
	body, err := json.Marshal(wire.EnrollRequest{Protocol: wire.MaxProtocolVersion, Token: tok.String(), Device: o.Device,
		Principal: o.Principal, PublicKey: pubLine, Role: string(role)})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+wire.PathEnroll, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", wire.ContentTypeJSON)
	req.Header.Set(wire.ProtocolHeader, fmt.Sprint(wire.MaxProtocolVersion))
	hc := o.HTTP
	if hc == nil {
		hc = DefaultHTTPClient()
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("enroll: reach the server at %s: %w", base, err)
	}
	defer resp.Body.Close()
	rb, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("enroll: read the answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		we := wire.FromResponse(resp.StatusCode, rb)
		if we.Code == wire.CodeRoleMismatch {
			return nil, fmt.Errorf("%w: %w", ErrRoleMismatch, we)
		}
		return nil, we
	}
	var er wire.EnrollResponse
	if err := json.Unmarshal(rb, &er); err != nil {
		return nil, fmt.Errorf("enroll: the answer is not an enrolment: %w", err)
	}
	pub, _, _, _, err := ssh.ParseAuthorizedKey([]byte(er.ServerKey))
	if err != nil {
		return nil, errors.New("enroll: the server sent no readable key")
	}
	if fp := ssh.FingerprintSHA256(pub); fp != tok.Fingerprint {
		return nil, fmt.Errorf("enroll: the server's key is %s but the token names %s: this is not the server that issued the token (check the URL); nothing was saved", fp, tok.Fingerprint)
	}
	if err := verifyBody(rb, resp.Header.Get(wire.SignatureHeader), pub, wire.NamespaceEnroll); err != nil {
		return nil, fmt.Errorf("enroll: %w; nothing was saved", err)
	}
	if er.Device != o.Device || er.PublicKey != pubLine {
		return nil, errors.New("enroll: the server enrolled another device or key than this one; nothing was saved; ask the administrator to check `fieldsurvey server devices`")
	}
	got, err := survey.ParseRole(er.Role)
	if err != nil {
		return nil, fmt.Errorf("enroll: the server enrolled the device with role %q: %w; nothing was saved", er.Role, err)
	}
	if got != role {
		// A server that does not check roles (or a token it should have refused).
		return nil, fmt.Errorf("%w: the server enrolled this device as a %s's, but this home is a %s's; nothing was saved", ErrRoleMismatch, got, role)
	}
	e := &Enrolment{URL: base, Device: er.Device, Principal: er.Principal, Assessor: er.Assessor,
		ServerKey: er.ServerKey, Fingerprint: tok.Fingerprint, Enrolled: er.Enrolled, Role: got, Scope: er.Scope}
	// The supervisors the server vouches for, checked before anything is written.
	if er.Supervisors != nil {
		if _, err := keys.ParseAllowedSigners(strings.NewReader(strings.Join(er.Supervisors, "\n"))); err != nil {
			return nil, fmt.Errorf("enroll: the server's list of supervisors cannot be read: %w; nothing was saved", err)
		}
	}
	b, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := writeFileAtomic(filepath.Join(o.Home, EnrolmentFile), append(b, '\n'), 0o644); err != nil {
		return nil, fmt.Errorf("enroll: save enrolment: %w", err)
	}
	if er.Supervisors != nil {
		if err := trustSupervisors(o.Home, e.Fingerprint, er.Supervisors); err != nil {
			return e, fmt.Errorf("enroll: the device is enrolled, but %w; the next sync writes it again", err)
		}
	}
	return e, nil
}

// trustSupervisors replaces the block the server (named by its key's fingerprint) manages
// in the home's keys.TrustedSupervisorsFile with lines.
func trustSupervisors(home, server string, lines []string) error {
	if err := keys.SetManagedSigners(filepath.Join(home, keys.TrustedSupervisorsFile), server, lines); err != nil {
		return fmt.Errorf("the supervisors the server trusts could not be recorded: %w", err)
	}
	return nil
}

// serverURL checks and normalises a server URL.
func serverURL(s string) (string, error) {
	s = strings.TrimRight(strings.TrimSpace(s), "/")
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("server URL %q must look like https://host:port", s)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("server URL %q must not have a query or fragment", s)
	}
	return s, nil
}

// verifyBody checks the server's signature (SignatureHeader value) of a response body.
func verifyBody(body []byte, header string, pub ssh.PublicKey, namespace string) error {
	if header == "" {
		return errors.New("the server's answer is not signed")
	}
	raw, err := base64.StdEncoding.DecodeString(header)
	if err != nil {
		return errors.New("the server's signature cannot be read")
	}
	sig, err := sshsig.ParseSignature(raw)
	if err != nil {
		return errors.New("the server's signature cannot be read")
	}
	if err := sshsig.Verify(bytes.NewReader(body), sig, pub, sshsig.HashSHA512, namespace); err != nil {
		return fmt.Errorf("the server's answer is not signed by the pinned server key %s", ssh.FingerprintSHA256(pub))
	}
	return nil
}

// verifyArmored checks an armored SSHSIG signature of data.
func verifyArmored(data []byte, armored string, pub ssh.PublicKey, namespace string) error {
	sig, err := sshsig.Unarmor([]byte(armored))
	if err != nil {
		return errors.New("the signature cannot be read")
	}
	if err := sshsig.Verify(bytes.NewReader(data), sig, pub, sshsig.HashSHA512, namespace); err != nil {
		return fmt.Errorf("not signed by the pinned server key %s", ssh.FingerprintSHA256(pub))
	}
	return nil
}

// DefaultHTTPClient is the HTTP client sync uses unless given one: bounded connection and
// answer waits, no overall timeout (a large batch on a slow line takes what it takes; the
// caller's context ends it).
func DefaultHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.ResponseHeaderTimeout = 2 * time.Minute
	t.TLSHandshakeTimeout = 20 * time.Second
	t.MaxIdleConnsPerHost = 2
	return &http.Client{Transport: t}
}

// writeFileAtomic replaces path with data durably, creating its folder if needed.
func writeFileAtomic(path string, data []byte, mode fs.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return atomicfile.Write(path, data, mode)
}

func randomHex(r io.Reader, n int) (string, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", err
	}
	const digits = "0123456789abcdef"
	out := make([]byte, 2*n)
	for i, c := range b {
		out[2*i], out[2*i+1] = digits[c>>4], digits[c&15]
	}
	return string(out), nil
}
