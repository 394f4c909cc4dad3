package server_test

import (
	"cmp"
	"context"
	"sync"
	"time"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/sync/server"
	"github.com/fieldsurvey/fieldsurvey/sync/wire"
)

// memStore is a Store in memory for the fuzz tests, which run many thousand requests a
// second and need no disk. It implements what the handlers under fuzzing use.
type memStore struct {
	mu       sync.Mutex
	tokens   map[string]server.TokenRecord
	used     map[string]bool
	devices  map[string]server.Device
	batches  map[string]wire.Receipt
	refusals map[string]server.RefusalRecord
	nonces   map[string]time.Time // key → expiry
	swept    time.Time
	qErr     error // what Questionnaires fails with, if set
}

var _ server.Store = (*memStore)(nil)

func newMemStore() *memStore {
	return &memStore{tokens: map[string]server.TokenRecord{}, used: map[string]bool{},
		devices: map[string]server.Device{}, batches: map[string]wire.Receipt{}, refusals: map[string]server.RefusalRecord{}, nonces: map[string]time.Time{}}
}

func (m *memStore) AddToken(_ context.Context, t server.TokenRecord) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.tokens[t.Hash] = t
	return nil
}

func (m *memStore) Enroll(_ context.Context, hash string, d server.Device, now time.Time) (server.Device, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.tokens[hash]
	switch {
	case !ok:
		return server.Device{}, wire.NewError(wire.CodeTokenUnknown, "")
	case m.used[hash]:
		return server.Device{}, wire.NewError(wire.CodeTokenUsed, "")
	case now.After(t.Expires):
		return server.Device{}, wire.NewError(wire.CodeTokenExpired, "")
	}
	if role, want := t.Role, d.Role; (role == "" || role == survey.RoleAssessor) != (want == "" || want == survey.RoleAssessor) {
		return server.Device{}, wire.NewError(wire.CodeRoleMismatch, "")
	}
	if old, ok := m.devices[d.ID]; ok && old.PublicKey != d.PublicKey {
		return server.Device{}, wire.NewError(wire.CodeDeviceExists, "")
	}
	m.used[hash] = true
	d.Assessor, d.Enrolled, d.Role, d.Scope = t.Assessor, now, t.Role, t.Scope
	m.devices[d.ID] = d
	return d, nil
}

func (m *memStore) Device(_ context.Context, id string) (server.Device, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	d, ok := m.devices[id]
	if !ok {
		return server.Device{}, wire.NewError(wire.CodeDeviceUnknown, id)
	}
	return d, nil
}

func (m *memStore) Ingest(ctx context.Context, u server.Upload) (server.Ingested, error) {
	if n := u.Nonce; n != nil {
		if fresh, err := m.UseNonce(ctx, n.Key, n.Now, n.Keep); err != nil || !fresh {
			return server.Ingested{}, cmp.Or(err, server.ErrReplayed)
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	b := u.Batch
	if rc, ok := m.batches[b.Manifest.ID]; ok {
		if rc.Hash != b.Hash() {
			return server.Ingested{}, wire.NewError(wire.CodeBatchConflict, "")
		}
		return server.Ingested{Receipt: rc, Replay: true}, nil
	}
	rc := wire.Receipt{Format: wire.ReceiptFormat, Batch: b.Manifest.ID, Hash: b.Hash(), PayloadHash: b.Manifest.Payload.SHA256,
		Device: u.Device.ID, Seq: b.Manifest.Sequence, Received: wire.FormatTime(time.Now()), Revisions: len(u.Revisions), Added: len(u.Revisions)}
	m.batches[b.Manifest.ID] = rc
	return server.Ingested{Receipt: rc}, nil
}

func (m *memStore) Receipt(_ context.Context, id string) (wire.Receipt, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	rc, ok := m.batches[id]
	if !ok {
		return wire.Receipt{}, server.ErrNotFound
	}
	return rc, nil
}

func (m *memStore) Supervisors(context.Context) ([]server.Device, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []server.Device
	for _, d := range m.devices {
		if d.Role == survey.RoleSupervisor && !d.IsRevoked() {
			out = append(out, d)
		}
	}
	return out, nil
}

func (m *memStore) Refuse(_ context.Context, r server.RefusalRecord) (server.RefusalRecord, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if old, ok := m.refusals[r.Batch+" "+r.Hash]; ok {
		return old, nil
	}
	m.refusals[r.Batch+" "+r.Hash] = r
	return r, nil
}

func (m *memStore) Refusal(_ context.Context, id, hash string) (server.RefusalRecord, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if r, ok := m.refusals[id+" "+hash]; ok {
		return r, nil
	}
	return server.RefusalRecord{}, server.ErrNotFound
}

func (m *memStore) Provinces(context.Context, []string) (map[string]string, error) {
	return map[string]string{}, nil
}

func (m *memStore) Follow(context.Context, string, ...string) error { return nil }

func (m *memStore) Devices(context.Context) ([]server.DeviceReport, error) { return nil, nil }
func (m *memStore) Revoke(_ context.Context, id string, now time.Time) (server.Device, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	d := m.devices[id]
	d.Revoked = now
	m.devices[id] = d
	return d, nil
}
func (m *memStore) Seen(context.Context, string, time.Time) error { return nil }
func (m *memStore) Inbox(_ context.Context, _ string, after int64, _ int) (server.InboxPage, error) {
	return server.InboxPage{Cursor: after}, nil
}
func (m *memStore) Decide(context.Context, server.Decision) (survey.Revision, error) {
	return survey.Revision{}, server.ErrNotFound
}
func (m *memStore) Publish(context.Context, server.Published) error { return nil }
func (m *memStore) Questionnaires(context.Context) ([]server.Published, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return nil, m.qErr
}
func (m *memStore) Close() error { return nil }

func (m *memStore) NonceUsed(_ context.Context, key string, now time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	exp, ok := m.nonces[key]
	return ok && !exp.Before(now), nil
}

func (m *memStore) UseNonce(_ context.Context, key string, now time.Time, keep time.Duration) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if now.Sub(m.swept) > time.Minute || now.Before(m.swept) {
		for k, exp := range m.nonces {
			if exp.Before(now) {
				delete(m.nonces, k)
			}
		}
		m.swept = now
	}
	if exp, ok := m.nonces[key]; ok && !exp.Before(now) {
		return false, nil
	}
	m.nonces[key] = now.Add(keep)
	return true, nil
}
