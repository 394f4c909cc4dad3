package server

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/fieldsurvey/fieldsurvey/internal/atomicfile"
	"io"
	"os"
	"path/filepath"

	"golang.org/x/crypto/ssh"

	"github.com/fieldsurvey/fieldsurvey/sync/keys"
)

// KeyFile is the name of the server's private key in its data folder (OpenSSH format, mode
// 0600); the public key sits beside it with ".pub" added.
const KeyFile = "server_ed25519"

// LoadOrCreateKey returns the server key in dir, creating it (and dir) on first use. It
// never replaces an existing key: a key that cannot be read is an error, not a reason to
// make another (devices pin the key; a new one would cut them all off).
func LoadOrCreateKey(dir string) (signer ssh.Signer, created bool, err error) {
	return loadOrCreateKeyWithRand(dir, rand.Reader)
}

func loadOrCreateKeyWithRand(dir string, r io.Reader) (ssh.Signer, bool, error) {
	path := filepath.Join(dir, KeyFile)
	if s, err := keys.LoadSigner(path); err == nil {
		return s, false, nil
	} else if !errors.Is(err, keys.ErrNoKey) {
		return nil, false, fmt.Errorf("server key: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, false, fmt.Errorf("create server data folder: %w", err)
	}
	priv, pub, err := keys.Generate(r, "fieldsurvey-server")
	if err != nil {
		return nil, false, err
	}
	created, err := atomicfile.Create(path, priv, 0o600)
	if err != nil {
		return nil, false, fmt.Errorf("write server key: %w", err)
	}
	s, err := keys.LoadSigner(path) // ours, or one another process made at the same moment
	if err != nil {
		return nil, false, fmt.Errorf("server key: %w", err)
	}
	if created {
		if _, err := atomicfile.Create(path+".pub", pub, 0o644); err != nil {
			return nil, true, fmt.Errorf("write server public key: %w", err)
		}
	}
	return s, created, nil
}

// ServerDevice is the device id under which the server writes revisions (supervisors'
// decisions): "server-" and the first 12 hex digits of the SHA-256 of its public key, so two
// servers never share a device id and a server keeps its id as long as its key.
func ServerDevice(pub ssh.PublicKey) string {
	sum := sha256.Sum256(pub.Marshal())
	return "server-" + hex.EncodeToString(sum[:6])
}

// AuthorizedKey returns pub as one authorized_keys line without a newline.
func AuthorizedKey(pub ssh.PublicKey) string {
	b := ssh.MarshalAuthorizedKey(pub)
	return string(b[:len(b)-1])
}
