package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/hiddeco/sshsig"
	"golang.org/x/crypto/ssh"

	"github.com/fieldsurvey/fieldsurvey/questionnaires"
	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/sync/wire"
)

// DefaultTokenLifetime is how long an enrolment token stays valid unless told otherwise.
const DefaultTokenLifetime = 72 * time.Hour

// IssueToken makes a one-time enrolment token for assessor, valid for lifetime, and
// stores its hash. The token carries the fingerprint of key, so the device pins it.
func IssueToken(ctx context.Context, st Store, key ssh.Signer, assessor string, lifetime time.Duration) (wire.Token, time.Time, error) {
	return issueTokenWithNow(ctx, st, key, assessor, lifetime, time.Now(), rand.Reader)
}

func issueTokenWithNow(ctx context.Context, st Store, key ssh.Signer, assessor string, lifetime time.Duration, now time.Time, r io.Reader) (wire.Token, time.Time, error) {
	assessor = survey.NFC(strings.TrimSpace(assessor))
	if assessor == "" {
		return wire.Token{}, time.Time{}, fmt.Errorf("issue token: name the assessor (--assessor NAME)")
	}
	if lifetime <= 0 {
		return wire.Token{}, time.Time{}, fmt.Errorf("issue token: the lifetime must be positive, not %s", lifetime)
	}
	tok, err := wire.NewToken(r, ssh.FingerprintSHA256(key.PublicKey()))
	if err != nil {
		return wire.Token{}, time.Time{}, fmt.Errorf("issue token: %w", err)
	}
	now = now.UTC()
	expires := now.Add(lifetime)
	if err := st.AddToken(ctx, TokenRecord{Hash: tok.Hash(), Assessor: assessor, Created: now, Expires: expires}); err != nil {
		return wire.Token{}, time.Time{}, fmt.Errorf("issue token: %w", err)
	}
	return tok, expires, nil
}

// Publish validates the questionnaire file data (named name in messages), signs it with
// key and publishes it: devices download it on their next sync.
func Publish(ctx context.Context, st Store, key ssh.Signer, name string, data []byte) (*survey.Questionnaire, error) {
	return publishWithNow(ctx, st, key, name, data, time.Now(), rand.Reader)
}

func publishWithNow(ctx context.Context, st Store, key ssh.Signer, name string, data []byte, now time.Time, r io.Reader) (*survey.Questionnaire, error) {
	// Strict, as a device's catalog is when it installs the file: bounded, and no
	// expression that fails when run.
	q, err := questionnaires.ParseStrict(name, data)
	if err != nil {
		return nil, err
	}
	if src, ok := questionnaires.BundledSource(q.ID); ok {
		if b, err := questionnaires.Parse(q.ID, src); err == nil && b.Version == q.Version {
			return nil, fmt.Errorf("%s: questionnaire %s version %s is bundled with fieldsurvey, every device has it; give your file a new version", name, q.ID, q.Version)
		}
	}
	sig, err := sshsig.SignWithRand(bytes.NewReader(data), r, key, sshsig.HashSHA512, wire.NamespaceQuestionnaire)
	if err != nil {
		return nil, fmt.Errorf("sign questionnaire: %w", err)
	}
	p := Published{ID: q.ID, Version: q.Version, Source: bytes.Clone(data), Signature: string(sshsig.Armor(sig)), Published: now.UTC()}
	if err := st.Publish(ctx, p); err != nil {
		return q, err
	}
	return q, nil
}
