package wire

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
)

// TokenPrefix starts every enrolment token; the digit is the token format version.
const TokenPrefix = "fst1"

// tokenSecretLen is the number of random bytes in a token (256 bits).
const tokenSecretLen = 32

// Token is a one-time enrolment token: a random secret (the server stores only its hash)
// and the SHA-256 fingerprint of the server's key, so that the device pins the right key at
// enrolment without trusting whatever key answers first. Written as
// "fst1.<secret, base64url>.<fingerprint hash, base64url>".
type Token struct {
	Secret      []byte
	Fingerprint string // "SHA256:…" as ssh-keygen prints it
}

// NewToken makes a token with a secret read from rand for the server key with fingerprint.
func NewToken(rand io.Reader, fingerprint string) (Token, error) {
	if !strings.HasPrefix(fingerprint, "SHA256:") {
		return Token{}, fmt.Errorf("server key fingerprint %q is not a SHA256 fingerprint", fingerprint)
	}
	secret := make([]byte, tokenSecretLen)
	if _, err := io.ReadFull(rand, secret); err != nil {
		return Token{}, fmt.Errorf("read random token: %w", err)
	}
	return Token{Secret: secret, Fingerprint: fingerprint}, nil
}

// String writes the token as an administrator copies it.
func (t Token) String() string {
	fp, _ := base64.RawStdEncoding.DecodeString(strings.TrimPrefix(t.Fingerprint, "SHA256:"))
	return TokenPrefix + "." + base64.RawURLEncoding.EncodeToString(t.Secret) + "." + base64.RawURLEncoding.EncodeToString(fp)
}

// Hash returns the hex SHA-256 of the secret: all the server keeps of a token.
func (t Token) Hash() string {
	sum := sha256.Sum256(t.Secret)
	return hex.EncodeToString(sum[:])
}

// ParseToken reads a token as printed by `fieldsurvey server token`, ignoring surrounding
// white space.
func ParseToken(s string) (Token, error) {
	s = strings.TrimSpace(s)
	parts := strings.Split(s, ".")
	if len(parts) != 3 || parts[0] != TokenPrefix {
		return Token{}, fmt.Errorf("enrolment token is not of the form %s.<secret>.<fingerprint>; copy the whole token printed by `fieldsurvey server token`", TokenPrefix)
	}
	secret, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil || len(secret) != tokenSecretLen {
		return Token{}, fmt.Errorf("enrolment token: the secret part is damaged; copy the whole token again")
	}
	fp, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || len(fp) != sha256.Size {
		return Token{}, fmt.Errorf("enrolment token: the fingerprint part is damaged; copy the whole token again")
	}
	return Token{Secret: secret, Fingerprint: "SHA256:" + base64.RawStdEncoding.EncodeToString(fp)}, nil
}
