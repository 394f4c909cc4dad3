package keys

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"filippo.io/age"
	"filippo.io/age/agessh"
	"golang.org/x/crypto/ssh"
)

// ParseRecipient reads one age recipient: an X25519 recipient ("age1…") or an OpenSSH
// ssh-ed25519 public key. Other kinds (post-quantum, RSA, plugins) are refused because the
// age tool many supervisors have (Debian 12's 1.1.1) cannot decrypt them.
func ParseRecipient(s string) (age.Recipient, error) {
	s = strings.TrimSpace(s)
	switch {
	case strings.HasPrefix(s, "age1pq1"):
		return nil, fmt.Errorf("post-quantum age recipients are not supported yet (the age 1.1 tool cannot decrypt them); use an X25519 recipient (age1…) or an ssh-ed25519 key")
	case strings.HasPrefix(s, "age1"):
		r, err := age.ParseX25519Recipient(s)
		if err != nil {
			return nil, fmt.Errorf("invalid age recipient %q: %v", s, err)
		}
		return r, nil
	case strings.HasPrefix(s, ssh.KeyAlgoED25519+" "):
		r, err := agessh.ParseRecipient(s)
		if err != nil {
			return nil, fmt.Errorf("invalid ssh-ed25519 recipient: %v", err)
		}
		return r, nil
	}
	return nil, fmt.Errorf("unsupported age recipient %q: expected an X25519 recipient (age1…) or an ssh-ed25519 public key", short(s))
}

func short(s string) string {
	if len(s) > 24 {
		return s[:24] + "…"
	}
	return s
}

// ParseRecipients reads a list of recipients, as in the `recipients` configuration key.
func ParseRecipients(list []string) ([]age.Recipient, error) {
	var out []age.Recipient
	for i, s := range list {
		if strings.TrimSpace(s) == "" {
			continue
		}
		r, err := ParseRecipient(s)
		if err != nil {
			return nil, fmt.Errorf("recipient %d: %w", i+1, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// ErrNoIdentity is returned by ParseIdentities for a file that holds no identity.
var ErrNoIdentity = errors.New("no age identity found")

// ParseIdentities reads an age identity file (AGE-SECRET-KEY-1… lines) or an unencrypted
// OpenSSH private key (ssh-ed25519), the keys that decrypt batch payloads. Errors never
// quote the file.
func ParseIdentities(data []byte) ([]age.Identity, error) {
	if bytes.Contains(data, []byte("-----BEGIN OPENSSH PRIVATE KEY-----")) {
		id, err := agessh.ParseIdentity(data)
		if err != nil {
			var pm *ssh.PassphraseMissingError
			if errors.As(err, &pm) {
				return nil, fmt.Errorf("%w; decrypt with an unencrypted key or an age identity file", ErrPassphrase)
			}
			return nil, errors.New("the OpenSSH private key cannot be read as an age identity")
		}
		return []age.Identity{id}, nil
	}
	ids, err := age.ParseIdentities(bytes.NewReader(data))
	if err != nil {
		if strings.Contains(err.Error(), "no identities found") {
			return nil, ErrNoIdentity
		}
		return nil, fmt.Errorf("read age identities: %v", err)
	}
	return ids, nil
}
