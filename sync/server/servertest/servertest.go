// Package servertest runs a real fieldsurvey server on loopback for tests (its own data
// folder, key and SQLite store, restartable on the same data), and makes what devices
// send: device keys and signed batches of completed interviews. It is for tests only.
package servertest

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/fieldsurvey/fieldsurvey/questionnaires"
	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/sync/batch"
	"github.com/fieldsurvey/fieldsurvey/sync/client"
	"github.com/fieldsurvey/fieldsurvey/sync/server"
	"github.com/fieldsurvey/fieldsurvey/sync/wire"
)

// Env is a server running on 127.0.0.1 over a data folder.
type Env struct {
	T   testing.TB
	Dir string
	Key ssh.Signer
	// Store is the SQLite store (nil on another driver); St is the store whatever the
	// driver, and Holds reads what it holds.
	Store *server.SQLite
	St    server.Store
	Holds server.Inspector
	// Driver opens the store (SQLite unless StartOn says otherwise).
	Driver Driver
	Srv    *server.Server
	URL    string
	Addr   string
	// Tweak, when set, adjusts the configuration before each start.
	Tweak func(*server.Config)

	cancel context.CancelFunc
	done   chan error
	mu     sync.Mutex
}

// Start starts a server on a fresh data folder (or dir, when not empty).
func Start(t testing.TB, dir string, tweak func(*server.Config)) *Env {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	return StartOn(t, SQLite(), dir, tweak)
}

// StartOn is Start with the store of driver d.
func StartOn(t testing.TB, d Driver, dir string, tweak func(*server.Config)) *Env {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	e := &Env{T: t, Dir: dir, Tweak: tweak, Driver: d}
	e.start("127.0.0.1:0")
	t.Cleanup(func() { e.Stop() })
	return e
}

func (e *Env) start(addr string) {
	e.T.Helper()
	key, _, err := server.LoadOrCreateKey(e.Dir)
	if err != nil {
		e.T.Fatal(err)
	}
	st, err := e.Driver.Open(e.T, e.Dir)
	if err != nil {
		e.T.Fatal(err)
	}
	sq, _ := st.(*server.SQLite)
	known, err := server.BundledKnown()
	if err != nil {
		e.T.Fatal(err)
	}
	cfg := server.Config{Store: st, Key: key, Known: known, DataDir: e.Dir}
	if sq == nil {
		cfg.DataDir = "" // the data folder holds only the key
	}
	if e.Tweak != nil {
		e.Tweak(&cfg)
	}
	srv, err := server.New(cfg)
	if err != nil {
		e.T.Fatal(err)
	}
	var ln net.Listener
	for i := 0; ; i++ {
		ln, err = net.Listen("tcp", addr)
		if err == nil || i > 50 {
			break
		}
		time.Sleep(20 * time.Millisecond) // the old listener's port is being released
	}
	if err != nil {
		e.T.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln, "", "") }()
	e.mu.Lock()
	e.Key, e.Store, e.St, e.Srv, e.cancel, e.done = key, sq, st, srv, cancel, done
	e.Holds = st.(server.Inspector)
	e.Addr = ln.Addr().String()
	e.URL = "http://" + e.Addr
	e.mu.Unlock()
}

// Stop shuts the server down gracefully (requests in flight finish) and closes its store.
func (e *Env) Stop() error {
	e.mu.Lock()
	cancel, done, st := e.cancel, e.done, e.St
	e.cancel = nil
	e.mu.Unlock()
	if cancel == nil {
		return nil
	}
	cancel()
	err := <-done
	st.Close()
	return err
}

// Restart stops the server and starts it again on the same data folder and address.
func (e *Env) Restart() {
	e.T.Helper()
	e.Stop()
	e.start(e.Addr)
}

// Device is a simulated device: its id, principal and key.
type Device struct {
	ID        string
	Principal string
	Signer    ssh.Signer
	Seq       uint64
	Counter   uint64
	// Edits is how many revisions each rating answer takes in Interview: 3 (the default:
	// rating, then evidence, then comment, as the screens commit them) or 1 (the final
	// answer only, as an import writes it).
	Edits int
	// Province is the respondent's province in Interview (default Đà Nẵng).
	Province string
}

// NewDevice makes a device with a fresh Ed25519 key.
func NewDevice(t testing.TB, id, principal string) *Device {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return &Device{ID: id, Principal: principal, Signer: s}
}

// PublicKey returns the device key as an authorized_keys line.
func (d *Device) PublicKey() string { return server.AuthorizedKey(d.Signer.PublicKey()) }

// Enroll enrols d directly in the store (no HTTP), with a fresh token.
func (e *Env) Enroll(d *Device) {
	e.T.Helper()
	e.EnrollAs(d, survey.RoleAssessor)
}

// EnrollAs enrols d directly in the store as role, a supervisor with scope (provinces;
// none: all).
func (e *Env) EnrollAs(d *Device, role survey.Role, scope ...string) {
	e.T.Helper()
	ctx := context.Background()
	tok, _, err := server.IssueTokenFor(ctx, e.St, e.Key, server.TokenSpec{Assessor: d.Principal, Role: role, Scope: scope, Lifetime: time.Hour})
	if err != nil {
		e.T.Fatal(err)
	}
	if _, err := e.St.Enroll(ctx, tok.Hash(), server.Device{ID: d.ID, Principal: d.Principal, PublicKey: d.PublicKey(), Role: role}, time.Now()); err != nil {
		e.T.Fatal(err)
	}
}

// Revision makes one revision of d (its next counter) at now.
func (d *Device) Revision(t testing.TB, tg survey.Target, v any, now time.Time, replaces ...string) survey.Revision {
	t.Helper()
	d.Counter++
	r, err := survey.NewRevision(tg, v, d.ID, d.Counter, now, d.Principal, replaces)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// Batch packs revs as d's next batch.
func (d *Device) Batch(t testing.TB, revs []survey.Revision) ([]byte, *batch.Manifest) {
	t.Helper()
	d.Seq++
	data, m, err := batch.Create(revs, batch.Options{Device: d.ID, Signer: d.Signer, Principal: d.Principal, Sequence: d.Seq})
	if err != nil {
		t.Fatal(err)
	}
	return data, m
}

var (
	dgraOnce sync.Once
	dgra     *survey.Questionnaire
	dgraErr  error
)

// DGRA returns the bundled DGRA 2018 questionnaire.
func DGRA(t testing.TB) *survey.Questionnaire {
	t.Helper()
	dgraOnce.Do(func() {
		src, ok := questionnaires.BundledSource("dgra-2018")
		if !ok {
			dgraErr = fmt.Errorf("no bundled dgra-2018")
			return
		}
		dgra, dgraErr = questionnaires.Parse("dgra-2018", src)
	})
	if dgraErr != nil {
		t.Fatal(dgraErr)
	}
	return dgra
}

// Interview returns the revisions of one completed interview of q made on d, as an
// assessor makes them: the interview, the respondent, every rating question answered in
// three steps (the rating, then evidence, then a comment, each replacing the last; one
// step when d.Edits is 1), every section confirmed, and the status completed. id must be
// unique.
func (d *Device) Interview(t testing.TB, q *survey.Questionnaire, id string, now time.Time, rnd *mrand.Rand) []survey.Revision {
	t.Helper()
	var out []survey.Revision
	add := func(tg survey.Target, v any, replaces []string) string {
		d.Counter++
		r, err := survey.NewRevision(tg, v, d.ID, d.Counter, now.Add(time.Duration(d.Counter)*time.Second), d.Principal, replaces)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
		return r.ID
	}
	tg := func(k survey.Kind, key string) survey.Target { return survey.Target{Interview: id, Kind: k, Key: key} }
	add(tg(survey.KindInterview, ""), survey.InterviewMeta{Questionnaire: q.ID, QuestionnaireVersion: q.Version, Assessor: d.Principal, Device: d.ID}, nil)
	province := d.Province
	if province == "" {
		province = "Đà Nẵng"
	}
	add(tg(survey.KindRespondent, ""), survey.Respondent{Agency: "Sở Thông tin và Truyền thông", Province: province,
		Role: "Phó Giám đốc", Category: "provincial-government", Date: now.Format(time.DateOnly), Place: "Trụ sở Sở", Consent: true}, nil)
	codes := []survey.Code{survey.Red, survey.AmberRed, survey.Amber, survey.AmberGreen, survey.Green}
	for _, qu := range q.Questions() {
		if qu.Type != survey.TypeRating {
			continue
		}
		rating := codes[rnd.IntN(len(codes))]
		a := survey.Answer{Rating: rating}
		var h []string
		if d.Edits != 1 {
			h = []string{add(tg(survey.KindAnswer, qu.ID), a, nil)}
		}
		a.Evidence = []survey.Evidence{
			{Polarity: survey.Plus, Text: "Quyết định số 749/QĐ-TTg phê duyệt Chương trình Chuyển đổi số quốc gia", Source: "https://vanban.chinhphu.vn", InScope: true},
			{Polarity: survey.Minus, Text: "Kinh phí cho các dự án chuyển đổi số cấp tỉnh chưa được bố trí đủ", InScope: true},
		}
		if d.Edits != 1 {
			h = []string{add(tg(survey.KindAnswer, qu.ID), a, h)}
		}
		a.Comment = "Lãnh đạo tỉnh ủng hộ rõ ràng; việc triển khai ở cấp huyện còn chậm. Strong provincial leadership; district follow-through is slow."
		add(tg(survey.KindAnswer, qu.ID), a, h)
	}
	for _, s := range q.Sections {
		add(tg(survey.KindSection, s.ID), survey.SectionSummary{Rating: codes[rnd.IntN(len(codes))], Comment: "Đã xác nhận / confirmed"}, nil)
	}
	add(tg(survey.KindStatus, ""), survey.StatusChange{Status: survey.StatusCompleted}, nil)
	return out
}

// UploadRequest returns d's upload of length bytes read from body to the server at url,
// signed at now as a device signs it (client.SignRequest on wire.UploadPath).
func (d *Device) UploadRequest(url string, body io.Reader, length int64, now time.Time) (*http.Request, error) {
	req, err := http.NewRequest(http.MethodPost, url+wire.UploadPath(length), body)
	if err != nil {
		return nil, err
	}
	req.ContentLength = length
	if length == 0 {
		req.Body = http.NoBody
	}
	req.Header.Set("Content-Type", wire.ContentTypeBatch)
	req.Header.Set(wire.DeviceHeader, d.ID)
	if _, err := client.SignRequest(req, d.ID, d.Signer, now, rand.Reader); err != nil {
		return nil, err
	}
	return req, nil
}

// Post sends a batch as device d, signed, and returns the response.
func Post(hc *http.Client, url string, d *Device, body []byte) (*http.Response, []byte, error) {
	req, err := d.UploadRequest(url, bytes.NewReader(body), int64(len(body)), time.Now())
	if err != nil {
		return nil, nil, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}
