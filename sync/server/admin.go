package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"slices"
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

// IssueToken makes a one-time enrolment token for an assessor's device, valid for
// lifetime, and stores its hash. The token carries the fingerprint of key, so the device
// pins it.
func IssueToken(ctx context.Context, st Store, key ssh.Signer, assessor string, lifetime time.Duration) (wire.Token, time.Time, error) {
	return IssueTokenFor(ctx, st, key, TokenSpec{Assessor: assessor, Lifetime: lifetime})
}

// TokenSpec says whom an enrolment token is for.
type TokenSpec struct {
	Assessor string      // the person the device belongs to
	Role     survey.Role // the device's role: assessor (empty) or supervisor
	// Scope is the provinces a supervisor's device covers: it receives their interviews
	// and may decide on them only. Empty: every province.
	Scope    []string
	Lifetime time.Duration
}

// IssueTokenFor makes a one-time enrolment token as spec says and stores its hash.
func IssueTokenFor(ctx context.Context, st Store, key ssh.Signer, spec TokenSpec) (wire.Token, time.Time, error) {
	return issueTokenWithNow(ctx, st, key, spec, time.Now(), rand.Reader)
}

func issueTokenWithNow(ctx context.Context, st Store, key ssh.Signer, spec TokenSpec, now time.Time, r io.Reader) (wire.Token, time.Time, error) {
	assessor := survey.NFC(strings.TrimSpace(spec.Assessor))
	if assessor == "" {
		return wire.Token{}, time.Time{}, fmt.Errorf("issue token: name the assessor (--assessor NAME)")
	}
	if spec.Lifetime <= 0 {
		return wire.Token{}, time.Time{}, fmt.Errorf("issue token: the lifetime must be positive, not %s", spec.Lifetime)
	}
	role, err := survey.ParseRole(string(spec.Role))
	if err != nil {
		return wire.Token{}, time.Time{}, fmt.Errorf("issue token: %w", err)
	}
	scope, err := CleanScope(spec.Scope)
	if err != nil {
		return wire.Token{}, time.Time{}, fmt.Errorf("issue token: %w", err)
	}
	if len(scope) > 0 && role != survey.RoleSupervisor {
		return wire.Token{}, time.Time{}, fmt.Errorf("issue token: a scope (provinces) is for a supervisor's device; add --role supervisor or leave out --scope")
	}
	tok, err := wire.NewToken(r, ssh.FingerprintSHA256(key.PublicKey()))
	if err != nil {
		return wire.Token{}, time.Time{}, fmt.Errorf("issue token: %w", err)
	}
	now = now.UTC()
	expires := now.Add(spec.Lifetime)
	if err := st.AddToken(ctx, TokenRecord{Hash: tok.Hash(), Assessor: assessor, Role: role, Scope: scope, Created: now, Expires: expires}); err != nil {
		return wire.Token{}, time.Time{}, fmt.Errorf("issue token: %w", err)
	}
	return tok, expires, nil
}

// CleanScope checks and normalises a supervisor's provinces: trimmed, NFC, without empty
// entries or repeats (names of the same province, see survey.SameProvince).
func CleanScope(scope []string) ([]string, error) {
	var out []string
	for _, p := range scope {
		p = survey.NFC(strings.Join(strings.Fields(p), " "))
		if p == "" {
			return nil, fmt.Errorf("the scope has an empty province; give provinces separated by commas, such as --scope \"Đà Nẵng,Thừa Thiên Huế\"")
		}
		if !slices.ContainsFunc(out, func(q string) bool { return survey.SameProvince(q, p) }) {
			out = append(out, p)
		}
	}
	return out, nil
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
	if q.MigratesFrom != nil {
		// A device installs the file only when its migrates_from block matches the version
		// before it: refused here rather than on every device.
		if err := checkMigration(ctx, st, name, data, q); err != nil {
			return nil, err
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

// checkMigration checks the migrates_from block of q (survey.Migration) against the
// versions of its questionnaire the server has published and the bundled ones.
func checkMigration(ctx context.Context, st Store, name string, data []byte, q *survey.Questionnaire) error {
	pubs, err := st.Questionnaires(ctx)
	if err != nil {
		return fmt.Errorf("read published questionnaires: %w", err)
	}
	var others []*survey.Questionnaire
	for _, p := range pubs {
		if p.ID != q.ID || p.Version == q.Version {
			continue
		}
		o, err := questionnaires.Parse(p.ID+"@"+p.Version, p.Source)
		if err != nil {
			return fmt.Errorf("published questionnaire %s version %s: %w", p.ID, p.Version, err)
		}
		others = append(others, o)
	}
	if bundled, err := questionnaires.Bundled(); err == nil {
		for _, b := range bundled {
			if b.ID == q.ID && b.Version != q.Version {
				others = append(others, b)
			}
		}
	}
	return questionnaires.CheckMigrationAmong(name, data, q, others)
}
