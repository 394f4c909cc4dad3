// Package keys holds the device identity of fieldsurvey and the trust files around it: the
// device's OpenSSH Ed25519 key (created once, kept with mode 0600, never overwritten), the
// OpenSSH allowed_signers file a hub trusts, and the age recipients and identities that
// encrypt and decrypt batch payloads.
//
// Guarantees:
//   - Key material (private keys, age identities) never appears in an error message.
//   - An existing device key is never replaced: CreateDeviceKey leaves it as it is.
//   - Only Ed25519 device keys are used for signing, and only X25519 and ssh-ed25519 age
//     recipients are accepted, so that batches stay readable by the Debian 12 `age` tool.
//   - The allowed_signers parser reads the OpenSSH format (principals patterns, the
//     namespaces, valid-after, valid-before and cert-authority options, quoted principals);
//     the lines it writes are read by `ssh-keygen -Y verify`.
package keys

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode"

	"golang.org/x/crypto/ssh"
	"golang.org/x/text/unicode/norm"

	"github.com/fieldsurvey/fieldsurvey/internal/atomicfile"
	"github.com/fieldsurvey/fieldsurvey/survey"
)

// DeviceKeyFile is the name of the device's private key in the home folder; the public key
// sits beside it with ".pub" added.
const DeviceKeyFile = "device_ed25519"

// Errors callers can branch on.
var (
	ErrPassphrase   = errors.New("the key is protected by a passphrase")
	ErrNotEd25519   = errors.New("the key is not an Ed25519 key")
	ErrNoKey        = errors.New("no device key")
	ErrBadKeyFile   = errors.New("not an OpenSSH private key")
	ErrBadPrincipal = errors.New("invalid principal")
)

// Generate makes a new Ed25519 key with randomness from r and returns the private key as an
// OpenSSH PEM file and the public key as an authorized_keys line, both with comment.
func Generate(r io.Reader, comment string) (private, public []byte, err error) {
	pub, priv, err := ed25519.GenerateKey(r)
	if err != nil {
		return nil, nil, fmt.Errorf("generate ed25519 key: %w", err)
	}
	block, err := ssh.MarshalPrivateKey(priv, comment)
	if err != nil {
		return nil, nil, fmt.Errorf("encode private key: %w", err)
	}
	sshPub, err := ssh.NewPublicKey(pub)
	if err != nil {
		return nil, nil, fmt.Errorf("encode public key: %w", err)
	}
	return pem.EncodeToMemory(block), authorizedLine(sshPub, comment), nil
}

func authorizedLine(pub ssh.PublicKey, comment string) []byte {
	line := bytes.TrimSpace(ssh.MarshalAuthorizedKey(pub))
	if comment = oneLine(comment); comment != "" {
		line = append(append(line, ' '), comment...)
	}
	return append(line, '\n')
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// CreateDeviceKey makes the device key dir/device_ed25519 (mode 0600) and its .pub unless a
// key already exists there, in which case it is left untouched (and a missing .pub is
// written from it). It returns the private key's path and whether it was created now.
func CreateDeviceKey(dir, comment string) (path string, created bool, err error) {
	return createDeviceKeyWithRand(dir, comment, rand.Reader)
}

func createDeviceKeyWithRand(dir, comment string, r io.Reader) (string, bool, error) {
	path := filepath.Join(dir, DeviceKeyFile)
	if _, err := os.Stat(path); err == nil {
		signer, err := LoadSigner(path)
		if err != nil {
			return path, false, err
		}
		if err := ensurePublic(path, signer.PublicKey(), comment); err != nil {
			return path, false, err
		}
		return path, false, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return path, false, fmt.Errorf("check device key: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return path, false, fmt.Errorf("create home folder: %w", err)
	}
	priv, pub, err := Generate(r, comment)
	if err != nil {
		return path, false, err
	}
	created, err := atomicfile.Create(path, priv, 0o600)
	if err != nil {
		return path, false, fmt.Errorf("write device key: %w", err)
	}
	if !created {
		// Another process made the key between our check and our write: keep theirs.
		signer, err := LoadSigner(path)
		if err != nil {
			return path, false, err
		}
		return path, false, ensurePublic(path, signer.PublicKey(), comment)
	}
	if err := atomicfile.Write(path+".pub", pub, 0o644); err != nil {
		return path, true, fmt.Errorf("write device public key: %w", err)
	}
	return path, true, nil
}

// ensurePublic writes path.pub from pub when it is missing.
func ensurePublic(path string, pub ssh.PublicKey, comment string) error {
	if _, err := os.Stat(path + ".pub"); err == nil {
		return nil
	}
	if err := atomicfile.Write(path+".pub", authorizedLine(pub, comment), 0o644); err != nil {
		return fmt.Errorf("write device public key: %w", err)
	}
	return nil
}

// LoadSigner reads an unencrypted OpenSSH Ed25519 private key.
func LoadSigner(path string) (ssh.Signer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w: %s does not exist", ErrNoKey, path)
		}
		return nil, fmt.Errorf("read device key: %w", err)
	}
	return ParseSigner(path, data)
}

// ParseSigner parses an unencrypted OpenSSH Ed25519 private key; name is used in messages.
func ParseSigner(name string, data []byte) (ssh.Signer, error) {
	signer, err := ssh.ParsePrivateKey(data)
	if err != nil {
		var pm *ssh.PassphraseMissingError
		if errors.As(err, &pm) {
			return nil, fmt.Errorf("%s: %w; fieldsurvey signs unattended and needs a key without one (remove it with `ssh-keygen -p -f %s`, or let `fieldsurvey init` create a key)", name, ErrPassphrase, name)
		}
		// The parser's message may quote the file; say only what kind of problem it is.
		return nil, fmt.Errorf("%s: %w", name, ErrBadKeyFile)
	}
	if t := signer.PublicKey().Type(); t != ssh.KeyAlgoED25519 {
		return nil, fmt.Errorf("%s: %w (it is %s); create one with `ssh-keygen -t ed25519`", name, ErrNotEd25519, t)
	}
	return signer, nil
}

// CheckPrincipal normalises a principal (an assessor's name or e-mail address) and checks
// that it can stand in an allowed_signers file: not empty, no control characters, and none
// of the characters that file gives a meaning to (quote, comma, wildcards, negation).
func CheckPrincipal(p string) (string, error) {
	p = norm.NFC.String(strings.TrimSpace(p))
	if p == "" {
		return "", &PrincipalError{Msg: survey.T("invalid principal: it is empty; set assessor.principal to your name or e-mail address",
			"danh tính người ký không hợp lệ: đang để trống; đặt assessor.principal là tên hoặc địa chỉ e-mail của bạn")}
	}
	for _, r := range p {
		switch {
		case unicode.IsControl(r):
			return "", &PrincipalError{Msg: survey.T(fmt.Sprintf("invalid principal %q: it contains a control character", p),
				fmt.Sprintf("danh tính người ký %q không hợp lệ: có ký tự điều khiển", p))}
		case strings.ContainsRune(`",*?!`, r):
			return "", &PrincipalError{Msg: survey.T(fmt.Sprintf("invalid principal %q: it must not contain %q (it has a meaning in allowed_signers files)", p, r),
				fmt.Sprintf("danh tính người ký %q không hợp lệ: không được chứa %q (ký tự này có nghĩa riêng trong tệp allowed_signers)", p, r))}
		}
	}
	return p, nil
}

// PrincipalError is CheckPrincipal's refusal, in English (Error) and Vietnamese (Text). It
// is an ErrBadPrincipal.
type PrincipalError struct{ Msg survey.Text }

func (e *PrincipalError) Error() string { return e.Msg.Get(survey.LangEN) }

// Text returns the message in every language.
func (e *PrincipalError) Text() survey.Text { return e.Msg }

// Unwrap returns ErrBadPrincipal.
func (e *PrincipalError) Unwrap() error { return ErrBadPrincipal }

// Fingerprint returns the SHA256 fingerprint of pub as ssh-keygen prints it.
func Fingerprint(pub ssh.PublicKey) string { return ssh.FingerprintSHA256(pub) }
