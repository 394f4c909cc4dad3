package server_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/hiddeco/sshsig"
	"golang.org/x/crypto/ssh"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
	"github.com/fieldsurvey/fieldsurvey/sync/batch"
	"github.com/fieldsurvey/fieldsurvey/sync/server"
	"github.com/fieldsurvey/fieldsurvey/sync/server/servertest"
	"github.com/fieldsurvey/fieldsurvey/sync/wire"
)

var t0 = time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)

func rnd() *mrand.Rand { return mrand.New(mrand.NewPCG(1, 2)) }

// counts is what the server holds: revisions, receipts, devices, tokens used.
type counts struct{ revisions, batches, devices int }

func holdings(t *testing.T, e *servertest.Env) counts {
	t.Helper()
	ctx := context.Background()
	var c counts
	if err := e.Holds.AllRevisions(ctx, func(survey.Revision) error { c.revisions++; return nil }); err != nil {
		t.Fatal(err)
	}
	recs, err := e.Holds.Batches(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c.batches = len(recs)
	devs, err := e.St.Devices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c.devices = len(devs)
	return c
}

func decodeError(t *testing.T, status int, body []byte) *wire.Error {
	t.Helper()
	var eb struct {
		Error *wire.Error `json:"error"`
	}
	if err := json.Unmarshal(body, &eb); err != nil || eb.Error == nil {
		t.Fatalf("status %d: body is not a protocol error: %s", status, body)
	}
	if eb.Error.Message == "" || eb.Error.MessageVI == "" {
		t.Errorf("error %s has no sentence in both languages: %s", eb.Error.Code, body)
	}
	if want := wire.HTTPStatus(eb.Error.Code); status != want {
		t.Errorf("error %s came with status %d, want %d", eb.Error.Code, status, want)
	}
	return eb.Error
}

func enrollHTTP(t *testing.T, e *servertest.Env, d *servertest.Device, token string) (*http.Response, []byte) {
	t.Helper()
	body, _ := json.Marshal(wire.EnrollRequest{Protocol: 1, Token: token, Device: d.ID, Principal: d.Principal, PublicKey: d.PublicKey()})
	resp, err := http.Post(e.URL+wire.PathEnroll, wire.ContentTypeJSON, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func verifySig(t *testing.T, e *servertest.Env, data []byte, sig *sshsig.Signature, ns string) {
	t.Helper()
	if err := sshsig.Verify(bytes.NewReader(data), sig, e.Key.PublicKey(), sshsig.HashSHA512, ns); err != nil {
		t.Fatalf("server signature (%s) does not verify: %v", ns, err)
	}
}

func TestEnrollUploadReplay(t *testing.T) { servertest.ForEachStore(t, testEnrollUploadReplay) }

func testEnrollUploadReplay(t *testing.T, drv servertest.Driver) {
	e := servertest.StartOn(t, drv, "", nil)
	ctx := context.Background()
	tok, _, err := server.IssueToken(ctx, e.St, e.Key, "Nguyễn Văn An", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	d := servertest.NewDevice(t, "laptop-1", "an@example.org")
	resp, body := enrollHTTP(t, e, d, tok.String())
	if resp.StatusCode != 200 {
		t.Fatalf("enroll: %d %s", resp.StatusCode, body)
	}
	raw, _ := base64.StdEncoding.DecodeString(resp.Header.Get(wire.SignatureHeader))
	sig, err := sshsig.ParseSignature(raw)
	if err != nil {
		t.Fatal(err)
	}
	verifySig(t, e, body, sig, wire.NamespaceEnroll)
	var er wire.EnrollResponse
	json.Unmarshal(body, &er)
	if er.Device != d.ID || er.Assessor != "Nguyễn Văn An" || er.Fingerprint != tok.Fingerprint || er.PublicKey != d.PublicKey() {
		t.Fatalf("enrol response %+v", er)
	}
	// The same token again is refused, and changes nothing.
	before := holdings(t, e)
	resp, body = enrollHTTP(t, e, servertest.NewDevice(t, "laptop-2", "b@example.org"), tok.String())
	if we := decodeError(t, resp.StatusCode, body); we.Code != wire.CodeTokenUsed {
		t.Fatalf("reused token: %s", we.Code)
	}
	if after := holdings(t, e); after != before {
		t.Fatalf("refused enrolment changed the server: %+v -> %+v", before, after)
	}

	q := servertest.DGRA(t)
	revs := d.Interview(t, q, "0193a5b2-7c1e-7000-8000-000000000001", t0, rnd())
	data, m := d.Batch(t, revs)
	resp, body, err = servertest.Post(http.DefaultClient, e.URL, d, data)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("upload: %v %d %s", err, resp.StatusCode, body)
	}
	var sr wire.SignedReceipt
	if err := json.Unmarshal(body, &sr); err != nil {
		t.Fatal(err)
	}
	rsig, err := sshsig.Unarmor([]byte(sr.Signature))
	if err != nil {
		t.Fatal(err)
	}
	verifySig(t, e, sr.Receipt, rsig, wire.NamespaceReceipt)
	rc, err := wire.ParseReceipt(sr.Receipt)
	if err != nil {
		t.Fatal(err)
	}
	if rc.Batch != m.ID || rc.Device != d.ID || rc.Seq != 1 || rc.Revisions != len(revs) || rc.Added != len(revs) || rc.Server != e.Srv.Fingerprint() || sr.Replay {
		t.Fatalf("receipt %+v replay=%v", rc, sr.Replay)
	}
	// The batch's revisions, and the server's "submitted" on the completed interview.
	if h := holdings(t, e); h.revisions != len(revs)+1 || h.batches != 1 {
		t.Fatalf("after upload: %+v", h)
	}
	// The same batch again: the same receipt, nothing stored twice (not even "submitted").
	resp, body2, _ := servertest.Post(http.DefaultClient, e.URL, d, data)
	var sr2 wire.SignedReceipt
	json.Unmarshal(body2, &sr2)
	if resp.StatusCode != 200 || !bytes.Equal(sr2.Receipt, sr.Receipt) || sr2.Signature != sr.Signature || !sr2.Replay {
		t.Fatalf("replay: %d %s", resp.StatusCode, body2)
	}
	if h := holdings(t, e); h.revisions != len(revs)+1 || h.batches != 1 {
		t.Fatalf("after replay: %+v", h)
	}
	// After a restart too.
	e.Restart()
	resp, body3, _ := servertest.Post(http.DefaultClient, e.URL, d, data)
	var sr3 wire.SignedReceipt
	json.Unmarshal(body3, &sr3)
	if resp.StatusCode != 200 || !bytes.Equal(sr3.Receipt, sr.Receipt) {
		t.Fatalf("replay after restart: %d %s", resp.StatusCode, body3)
	}
}

func TestSameIDOtherHashRefused(t *testing.T) { servertest.ForEachStore(t, testSameIDOtherHashRefused) }

func testSameIDOtherHashRefused(t *testing.T, drv servertest.Driver) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	e := servertest.StartOn(t, drv, "", func(c *server.Config) { c.Identities = []age.Identity{id} })
	d := servertest.NewDevice(t, "laptop-1", "an@example.org")
	e.Enroll(d)
	revs := d.Interview(t, servertest.DGRA(t), "0193a5b2-7c1e-7000-8000-000000000001", t0, rnd())
	plain, m := d.Batch(t, revs)
	// The same revisions as the same sequence number, encrypted: the same batch id, another hash.
	enc, m2, err := batch.Create(revs, batch.Options{Device: d.ID, Signer: d.Signer, Principal: d.Principal, Sequence: 1, Recipients: []age.Recipient{id.Recipient()}})
	if err != nil {
		t.Fatal(err)
	}
	if m.ID != m2.ID {
		t.Fatalf("ids differ: %s %s", m.ID, m2.ID)
	}
	if resp, body, _ := servertest.Post(http.DefaultClient, e.URL, d, plain); resp.StatusCode != 200 {
		t.Fatalf("first: %s", body)
	}
	before := holdings(t, e)
	resp, body, _ := servertest.Post(http.DefaultClient, e.URL, d, enc)
	if we := decodeError(t, resp.StatusCode, body); we.Code != wire.CodeBatchConflict {
		t.Fatalf("same id, other hash: %s %s", we.Code, we.Message)
	}
	if after := holdings(t, e); after != before {
		t.Fatalf("changed: %+v -> %+v", before, after)
	}
}

// TestRefusals checks that each kind of bad request gets its own error code, a sentence in
// both languages, and stores nothing.
func TestRefusals(t *testing.T) { servertest.ForEachStore(t, testRefusals) }

func testRefusals(t *testing.T, drv servertest.Driver) {
	e := servertest.StartOn(t, drv, "", func(c *server.Config) { c.MaxBatchBytes = 256 << 10 })
	ctx := context.Background()
	q := servertest.DGRA(t)
	good := servertest.NewDevice(t, "laptop-1", "an@example.org")
	e.Enroll(good)
	other := servertest.NewDevice(t, "laptop-2", "binh@example.org")
	e.Enroll(other)
	lost := servertest.NewDevice(t, "laptop-lost", "chi@example.org")
	e.Enroll(lost)
	if _, err := e.St.Revoke(ctx, lost.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	stranger := servertest.NewDevice(t, "laptop-x", "x@example.org")

	revs := good.Interview(t, q, "0193a5b2-7c1e-7000-8000-000000000001", t0, rnd())
	data, _ := good.Batch(t, revs)
	good.Seq = 0
	lostData, _ := lost.Batch(t, lost.Interview(t, q, "0193a5b2-7c1e-7000-8000-000000000002", t0, rnd()))
	strangerData, _ := stranger.Batch(t, stranger.Interview(t, q, "0193a5b2-7c1e-7000-8000-000000000003", t0, rnd()))
	// other signs a batch claiming to be laptop-1's.
	forged := &servertest.Device{ID: good.ID, Principal: good.Principal, Signer: other.Signer}
	forgedData, _ := forged.Batch(t, revs)
	// laptop-1 signs as itself, but the batch claims it approved its own interview.
	approve, _ := survey.NewRevision(survey.Target{Interview: "0193a5b2-7c1e-7000-8000-000000000001", Kind: survey.KindStatus}, survey.StatusChange{Status: survey.StatusApproved}, good.ID, 999, t0, good.Principal, nil)
	selfApproved, _ := good.Batch(t, append(append([]survey.Revision(nil), revs...), approve))
	good.Seq = 0
	// laptop-1 slips in a revision made by laptop-2.
	theirs, _ := survey.NewRevision(survey.Target{Interview: "0193a5b2-7c1e-7000-8000-000000000001", Kind: survey.KindAnswer, Key: "1.1"}, survey.Answer{Rating: survey.Green}, other.ID, 1, t0, other.Principal, nil)
	smuggled, _ := good.Batch(t, append(append([]survey.Revision(nil), revs...), theirs))
	good.Seq = 0
	// A batch of an unknown questionnaire version.
	unknownQ := *q
	unknownQ.Version = "9999.1"
	unknown, _ := good.Batch(t, good.Interview(t, &unknownQ, "0193a5b2-7c1e-7000-8000-000000000004", t0, rnd()))
	good.Seq = 0

	// The batch package's hostile fixture of an interview id that is not a UUID, signed by
	// its test device (key seed 1), enrolled here as that device.
	seed1, _ := ssh.NewSignerFromKey(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, ed25519.SeedSize)))
	devA := &servertest.Device{ID: "dev-a", Principal: "an@example.org", Signer: seed1}
	e.Enroll(devA)
	// Who signs each request: the device it names (an imposter knows the id, not the key).
	signers := map[string]*servertest.Device{good.ID: good, other.ID: other, lost.ID: lost, stranger.ID: stranger, devA.ID: devA}
	imposter := &servertest.Device{ID: good.ID, Principal: good.Principal, Signer: stranger.Signer}
	badID, err := os.ReadFile(filepath.Join("..", "batch", "testdata", "hostile", "interview-id-not-uuid.fsbatch"))
	if err != nil {
		t.Fatal(err)
	}

	flip := func(b []byte, at int) []byte {
		c := bytes.Clone(b)
		c[at] ^= 0x20
		return c
	}
	manifestAt := bytes.Index(data, []byte(`"signer":"an@`)) + 10
	payloadAt := len(data) - 1100 // inside the gzip payload, before the tar trailer (1024 bytes)

	type req struct {
		name    string
		device  string
		body    []byte
		length  int64 // -1: chunked
		headers map[string]string
		want    wire.Code
		signed  bool   // a content refusal: signed and recorded
		seq     uint64 // the batch's sequence number, for its refusal (0: 1)
	}
	cases := []req{
		{"unenrolled device", stranger.ID, strangerData, 0, nil, wire.CodeDeviceUnknown, false, 0},
		{"revoked device", lost.ID, lostData, 0, nil, wire.CodeDeviceRevoked, false, 0},
		{"batch signed by another device", good.ID, forgedData, 0, nil, wire.CodeWrongSigner, false, 0},
		{"batch of another device", other.ID, data, 0, nil, wire.CodeWrongSigner, false, 0},
		{"tampered manifest", good.ID, flip(data, manifestAt), 0, nil, wire.CodeBadSignature, false, 0},
		{"tampered payload", good.ID, flip(data, payloadAt), 0, nil, wire.CodePayloadHash, false, 0},
		{"truncated", good.ID, data[:len(data)/2], 0, nil, wire.CodeNotBatch, false, 0},
		{"not a batch", good.ID, []byte("hello, server"), 0, nil, wire.CodeNotBatch, false, 0},
		{"body over the limit", good.ID, make([]byte, 300<<10), 0, nil, wire.CodeTooLarge, false, 0},
		{"no length", good.ID, data, -1, nil, wire.CodeLengthRequired, false, 0},
		{"no device header", "", data, 0, nil, wire.CodeMalformed, false, 0},
		{"bad device header", "../etc", data, 0, nil, wire.CodeMalformed, false, 0},
		{"future protocol", good.ID, data, 0, map[string]string{wire.ProtocolHeader: "99"}, wire.CodeUnsupportedProtocol, false, 0},
		// Authentication comes before anything is reserved or read.
		{"unsigned upload", good.ID, data, 0, map[string]string{wire.AuthHeader: ""}, wire.CodeAuthFailed, false, 0},
		{"upload signed with another key", good.ID, data, 0, map[string]string{"imposter": "1"}, wire.CodeAuthFailed, false, 0},
		{"declared length not the body's", good.ID, data, 0, map[string]string{"query": "length=5"}, wire.CodeMalformed, false, 0},
		{"signature of another length", good.ID, data, 0, map[string]string{"query": "length=" + strconv.Itoa(len(data)) + "&x=1"}, wire.CodeAuthFailed, false, 0},
		{"device approves itself", good.ID, selfApproved, 0, nil, wire.CodeDecisionNotAllowed, true, 0},
		{"revision of another device", good.ID, smuggled, 0, nil, wire.CodeBadBatch, true, 0},
		// Not recorded: publishing the questionnaire lets the same batch in.
		{"unknown questionnaire", good.ID, unknown, 0, nil, wire.CodeUnknownQuestionnaire, false, 0},
		{"interview id not a UUID", "dev-a", badID, 0, nil, wire.CodeBadBatch, true, 3}, // the hostile fixture is batch 3
	}
	before := holdings(t, e)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var body io.Reader = bytes.NewReader(c.body)
			if c.length < 0 {
				body = io.MultiReader(bytes.NewReader(c.body)) // unknown length: chunked
			}
			signer := signers[c.device]
			if c.headers["imposter"] != "" {
				signer = imposter
			}
			var r *http.Request
			if signer != nil {
				var err error
				if r, err = signer.UploadRequest(e.URL, body, int64(len(c.body)), time.Now()); err != nil {
					t.Fatal(err)
				}
				if c.length < 0 {
					r.ContentLength = -1
				}
			} else {
				r, _ = http.NewRequest(http.MethodPost, e.URL+wire.PathBatches, body)
				r.Header.Set(wire.DeviceHeader, c.device)
			}
			if c.device == "" {
				r.Header.Del(wire.DeviceHeader)
			}
			for k, v := range c.headers {
				switch k {
				case "imposter":
				case "query":
					r.URL.RawQuery = v
				default:
					r.Header.Set(k, v)
				}
			}
			resp, err := http.DefaultClient.Do(r)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			we := decodeError(t, resp.StatusCode, b)
			if we.Code != c.want {
				t.Fatalf("got %s (%s), want %s", we.Code, we.Message, c.want)
			}
			if after := holdings(t, e); after != before {
				t.Fatalf("refused request changed the server: %+v -> %+v", before, after)
			}
			rf := wire.FromResponse(resp.StatusCode, b).Refusal
			if (rf != nil) != c.signed {
				t.Fatalf("signed refusal %v, want %v", rf != nil, c.signed)
			}
			if rf != nil {
				seq := max(c.seq, 1)
				checkRefusal(t, e, rf, c.device, seq, c.want)
			}
		})
	}

	// Tokens: unknown, expired, for another server.
	expired, _, _ := server.IssueToken(ctx, e.St, e.Key, "Đào Thị Dung", time.Nanosecond)
	time.Sleep(2 * time.Millisecond)
	foreignFP, _ := wire.NewToken(strings.NewReader(strings.Repeat("k", 64)), "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU")
	unknownTok, _ := wire.NewToken(strings.NewReader(strings.Repeat("u", 64)), e.Srv.Fingerprint())
	newDev := servertest.NewDevice(t, "laptop-9", "dung@example.org")
	for _, c := range []struct {
		name, token string
		want        wire.Code
	}{
		{"expired token", expired.String(), wire.CodeTokenExpired},
		{"unknown token", unknownTok.String(), wire.CodeTokenUnknown},
		{"token of another server", foreignFP.String(), wire.CodeTokenUnknown},
		{"damaged token", "fst1.abc.def", wire.CodeTokenUnknown},
	} {
		resp, body := enrollHTTP(t, e, newDev, c.token)
		if we := decodeError(t, resp.StatusCode, body); we.Code != c.want {
			t.Errorf("%s: got %s, want %s", c.name, we.Code, c.want)
		}
	}
	// A device id enrolled with another key, and a revoked device, cannot enrol again.
	for _, c := range []struct {
		dev  *servertest.Device
		want wire.Code
	}{
		{&servertest.Device{ID: good.ID, Principal: good.Principal, Signer: other.Signer}, wire.CodeDeviceExists},
		{lost, wire.CodeDeviceRevoked},
	} {
		tok, _, _ := server.IssueToken(ctx, e.St, e.Key, "x", time.Hour)
		resp, body := enrollHTTP(t, e, c.dev, tok.String())
		if we := decodeError(t, resp.StatusCode, body); we.Code != c.want {
			t.Errorf("enrol %s: got %s, want %s", c.dev.ID, we.Code, c.want)
		}
	}
	// Malformed enrolment requests.
	for _, body := range []string{"", "{", `{"token":1}`, `{"unknown":true}`, `{} {}`, strings.Repeat("x", 70<<10)} {
		resp, err := http.Post(e.URL+wire.PathEnroll, wire.ContentTypeJSON, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		we := decodeError(t, resp.StatusCode, b)
		if we.Code != wire.CodeMalformed && we.Code != wire.CodeTooLarge && we.Code != wire.CodeTokenUnknown {
			t.Errorf("enrol body %.20q: %s", body, we.Code)
		}
	}
	if after := holdings(t, e); after != before {
		t.Fatalf("refused enrolments changed the server: %+v -> %+v", before, after)
	}
	// Unknown paths and wrong methods answer JSON too.
	for _, c := range []struct {
		method, path string
		want         wire.Code
	}{{"GET", "/v2/batches", wire.CodeNotFound}, {"GET", wire.PathBatches, wire.CodeMethodNotAllowed}, {"DELETE", wire.PathEnroll, wire.CodeMethodNotAllowed}} {
		r, _ := http.NewRequest(c.method, e.URL+c.path, nil)
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if we := decodeError(t, resp.StatusCode, b); we.Code != c.want {
			t.Errorf("%s %s: %s", c.method, c.path, we.Code)
		}
	}
	// And the good batch is still accepted.
	if resp, body, _ := servertest.Post(http.DefaultClient, e.URL, good, data); resp.StatusCode != 200 {
		t.Fatalf("good batch after refusals: %s", body)
	}
}

// checkRefusal verifies a signed refusal with the server key and what it names.
func checkRefusal(t *testing.T, e *servertest.Env, rf *wire.SignedRefusal, device string, seq uint64, code wire.Code) wire.Refusal {
	t.Helper()
	sig, err := sshsig.Unarmor([]byte(rf.Signature))
	if err != nil {
		t.Fatal(err)
	}
	verifySig(t, e, rf.Refusal, sig, wire.NamespaceRefusal)
	r, err := wire.ParseRefusal(rf.Refusal)
	if err != nil {
		t.Fatal(err)
	}
	if r.Device != device || r.Seq != seq || r.Code != code || r.Server != e.Srv.Fingerprint() || r.Message == "" || r.MessageVI == "" ||
		r.Reason == "" || r.ReasonVI == "" || r.Batch == "" || r.Hash == "" || r.Refused == "" {
		t.Fatalf("refusal %+v", r)
	}
	return r
}

// inboxRequest makes a signed inbox request of device d for after.
func inboxRequest(t *testing.T, url string, d *servertest.Device, after int64, now time.Time) *http.Request {
	t.Helper()
	r, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/v1/devices/%s/inbox?after=%d", url, d.ID, after), nil)
	nonce := fmt.Sprintf("%032x", mrand.Uint64())
	a := wire.RequestAuth{Device: d.ID, Time: now.Unix(), Nonce: nonce}
	sig, err := sshsig.Sign(bytes.NewReader(a.Message(r.Method, r.URL.RequestURI())), d.Signer, sshsig.HashSHA512, wire.NamespaceRequest)
	if err != nil {
		t.Fatal(err)
	}
	a.Signature = sig.Marshal()
	r.Header.Set(wire.AuthHeader, a.String())
	return r
}

func getInbox(t *testing.T, e *servertest.Env, r *http.Request) (wire.Inbox, *wire.Error) {
	t.Helper()
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		return wire.Inbox{}, decodeError(t, resp.StatusCode, b)
	}
	raw, _ := base64.StdEncoding.DecodeString(resp.Header.Get(wire.SignatureHeader))
	sig, err := sshsig.ParseSignature(raw)
	if err != nil {
		t.Fatal(err)
	}
	verifySig(t, e, b, sig, wire.NamespaceInbox)
	var in wire.Inbox
	if err := json.Unmarshal(b, &in); err != nil {
		t.Fatal(err)
	}
	return in, nil
}

func TestInboxDecisionsAndQuestionnaires(t *testing.T) {
	servertest.ForEachStore(t, testInboxDecisionsAndQuestionnaires)
}

func testInboxDecisionsAndQuestionnaires(t *testing.T, drv servertest.Driver) {
	e, q, a, b := twoLaptops(t, drv, nil)
	ctx := context.Background()
	data, _ := a.Batch(t, a.Interview(t, q, "0193a5b2-7c1e-7000-8000-00000000000a", t0, rnd()))
	if resp, body, _ := servertest.Post(http.DefaultClient, e.URL, a, data); resp.StatusCode != 200 {
		t.Fatal(string(body))
	}
	dev := server.ServerDevice(e.Key.PublicKey())
	if _, err := e.St.Decide(ctx, server.Decision{Interview: "0193a5b2-7c1e-7000-8000-00000000000a", Status: survey.StatusApproved, Device: dev, Time: t0}); err != nil {
		t.Fatal(err)
	}
	// Approved again: nothing changes. Returning a draft or without reason: refused.
	if _, err := e.St.Decide(ctx, server.Decision{Interview: "0193a5b2-7c1e-7000-8000-00000000000a", Status: survey.StatusApproved, Device: dev, Time: t0}); !errors.Is(err, server.ErrNotDecidable) {
		t.Fatalf("approve twice: %v", err)
	}
	if _, err := e.St.Decide(ctx, server.Decision{Interview: "0193a5b2-7c1e-7000-8000-00000000000a", Status: survey.StatusReturned, Device: dev, Time: t0}); !errors.Is(err, server.ErrNotDecidable) {
		t.Fatalf("return without reason: %v", err)
	}
	if _, err := e.St.Decide(ctx, server.Decision{Interview: "nope", Status: survey.StatusReturned, Reason: "x", Device: dev, Time: t0}); !errors.Is(err, server.ErrNotFound) {
		t.Fatalf("decide unknown: %v", err)
	}
	// An approved interview is not returned: it is reopened, with a reason.
	if _, err := e.St.Decide(ctx, server.Decision{Interview: "0193a5b2-7c1e-7000-8000-00000000000a", Status: survey.StatusReturned, Reason: "x", Device: dev, Time: t0}); !errors.Is(err, server.ErrNotDecidable) {
		t.Fatalf("return an approved interview: %v", err)
	}
	rev, err := e.St.Decide(ctx, server.Decision{Interview: "0193a5b2-7c1e-7000-8000-00000000000a", Status: survey.StatusReopened, Reason: "Thiếu bằng chứng cho câu 7.1 / evidence missing for 7.1", Device: dev, Time: t0})
	if err != nil {
		t.Fatal(err)
	}
	if rev.Device != dev || rev.Author != dev {
		t.Fatalf("the decision is made by %s as %s, want the server key's %s", rev.Device, rev.Author, dev)
	}
	src := []byte(strings.Replace(string(mustBundled(t)), `version: "2018.1"`, `version: "2018.2"`, 1))
	if _, err := server.Publish(ctx, e.St, e.Key, "dgra-2018.2.yaml", src); err != nil {
		t.Fatal(err)
	}
	if _, err := server.Publish(ctx, e.St, e.Key, "dgra.yaml", mustBundled(t)); err == nil {
		t.Fatal("publishing a bundled version was accepted")
	}

	in, werr := getInbox(t, e, inboxRequest(t, e.URL, a, 0, time.Now()))
	if werr != nil {
		t.Fatal(werr)
	}
	// Submitted (when the batch arrived), approved, reopened: a's own revisions do not come back.
	if len(in.Revisions) != 3 || len(in.Questionnaires) != 1 || in.More || in.Device != a.ID {
		t.Fatalf("inbox of a: %d revisions, %d questionnaires", len(in.Revisions), len(in.Questionnaires))
	}
	var last survey.Revision
	json.Unmarshal(in.Revisions[2], &last)
	if last.ID != rev.ID || last.Verify() != nil {
		t.Fatalf("inbox revision %+v", last)
	}
	pq := in.Questionnaires[0]
	qs, _ := sshsig.Unarmor([]byte(pq.Signature))
	verifySig(t, e, pq.Source, qs, wire.NamespaceQuestionnaire)
	if pq.Version != "2018.2" || !bytes.Equal(pq.Source, src) {
		t.Fatalf("published %s %s", pq.ID, pq.Version)
	}
	// After the cursor: nothing.
	in2, _ := getInbox(t, e, inboxRequest(t, e.URL, a, in.Cursor, time.Now()))
	if len(in2.Revisions)+len(in2.Questionnaires) != 0 || in2.Cursor != in.Cursor {
		t.Fatalf("after cursor: %+v", in2)
	}
	// b sent nothing of iv-a: it gets the questionnaire only. When it sends revisions of
	// iv-a later, it gets everything the server holds of iv-a but its own, a's included.
	inb, _ := getInbox(t, e, inboxRequest(t, e.URL, b, 0, time.Now()))
	if len(inb.Revisions) != 0 || len(inb.Questionnaires) != 1 {
		t.Fatalf("inbox of b: %+v", inb)
	}
	note, _ := survey.NewRevision(survey.Target{Interview: "0193a5b2-7c1e-7000-8000-00000000000a", Kind: survey.KindAnswer, Key: "1.1"}, survey.Answer{Rating: survey.Amber}, b.ID, 1, t0, b.Principal, nil)
	bd, _ := b.Batch(t, []survey.Revision{note})
	if resp, body, _ := servertest.Post(http.DefaultClient, e.URL, b, bd); resp.StatusCode != 200 {
		t.Fatal(string(body))
	}
	onServer, err := e.Holds.InterviewRevisions(ctx, "0193a5b2-7c1e-7000-8000-00000000000a")
	if err != nil {
		t.Fatal(err)
	}
	inb2, _ := getInbox(t, e, inboxRequest(t, e.URL, b, inb.Cursor, time.Now()))
	if len(inb2.Revisions) != len(onServer)-1 {
		t.Fatalf("b after sending iv-a: %d revisions, the server holds %d of which 1 is b's", len(inb2.Revisions), len(onServer))
	}
	// And a gets b's note.
	ina, _ := getInbox(t, e, inboxRequest(t, e.URL, a, in.Cursor, time.Now()))
	var got survey.Revision
	if len(ina.Revisions) == 1 {
		json.Unmarshal(ina.Revisions[0], &got)
	}
	if got.ID != note.ID {
		t.Fatalf("a after b's note: %d revisions", len(ina.Revisions))
	}
	// A device enrolled after publication gets the questionnaire.
	c := servertest.NewDevice(t, "laptop-c", "c@example.org")
	e.Enroll(c)
	inc, _ := getInbox(t, e, inboxRequest(t, e.URL, c, 0, time.Now()))
	if len(inc.Questionnaires) != 1 {
		t.Fatalf("late device: %+v", inc)
	}
}

func mustBundled(t *testing.T) []byte {
	t.Helper()
	src, ok := questionnairesSource("dgra-2018")
	if !ok {
		t.Fatal("no bundled dgra-2018")
	}
	return src
}

func TestInboxAuthentication(t *testing.T) { servertest.ForEachStore(t, testInboxAuthentication) }

func testInboxAuthentication(t *testing.T, drv servertest.Driver) {
	now := time.Now()
	e := servertest.StartOn(t, drv, "", nil)
	a := servertest.NewDevice(t, "laptop-a", "a@example.org")
	e.Enroll(a)
	lost := servertest.NewDevice(t, "laptop-lost", "l@example.org")
	e.Enroll(lost)
	e.St.Revoke(context.Background(), lost.ID, now)
	stranger := servertest.NewDevice(t, "laptop-x", "x@example.org")
	imposter := &servertest.Device{ID: a.ID, Principal: a.Principal, Signer: stranger.Signer}

	r := inboxRequest(t, e.URL, a, 0, now)
	replay := r.Clone(context.Background())
	if _, werr := getInbox(t, e, r); werr != nil {
		t.Fatal(werr)
	}
	check := func(name string, r *http.Request, want wire.Code) {
		t.Helper()
		if _, werr := getInbox(t, e, r); werr == nil || werr.Code != want {
			t.Errorf("%s: got %v, want %s", name, werr, want)
		}
	}
	check("replayed request", replay, wire.CodeAuthFailed)
	check("signed by another key", inboxRequest(t, e.URL, imposter, 0, now), wire.CodeAuthFailed)
	check("unenrolled", inboxRequest(t, e.URL, stranger, 0, now), wire.CodeDeviceUnknown)
	check("revoked", inboxRequest(t, e.URL, lost, 0, now), wire.CodeDeviceRevoked)
	check("clock behind", inboxRequest(t, e.URL, a, 0, now.Add(-time.Hour)), wire.CodeClockSkew)
	unsigned, _ := http.NewRequest("GET", e.URL+wire.InboxPath(a.ID), nil)
	check("unsigned", unsigned, wire.CodeAuthFailed)
	// A signature for one cursor does not serve another.
	moved := inboxRequest(t, e.URL, a, 0, now)
	moved.URL.RawQuery = "after=5"
	check("query changed", moved, wire.CodeAuthFailed)
	// Another device's inbox.
	other := inboxRequest(t, e.URL, a, 0, now)
	other.URL.Path = wire.InboxPath(lost.ID)
	check("another device's inbox", other, wire.CodeAuthFailed)
	bad := inboxRequest(t, e.URL, a, 0, now)
	bad.URL.RawQuery = "after=-1"
	check("bad cursor", inboxRequest(t, e.URL, a, -1, now), wire.CodeMalformed)
}

func TestHealthMetricsAndDevices(t *testing.T) {
	e := servertest.Start(t, "", nil)
	d := servertest.NewDevice(t, "laptop-1", "an@example.org")
	e.Enroll(d)
	q := servertest.DGRA(t)
	b1, _ := d.Batch(t, d.Interview(t, q, "0193a5b2-7c1e-7000-8000-000000000001", t0, rnd()))
	d.Batch(t, nil) // sequence 2 never arrives
	d.Seq = 2
	b3, _ := d.Batch(t, d.Interview(t, q, "0193a5b2-7c1e-7000-8000-000000000003", t0, rnd()))
	for _, b := range [][]byte{b1, b3, b3} {
		if resp, body, _ := servertest.Post(http.DefaultClient, e.URL, d, b); resp.StatusCode != 200 {
			t.Fatal(string(body))
		}
	}
	servertest.Post(http.DefaultClient, e.URL, servertest.NewDevice(t, "laptop-x", "x@example.org"), b1)
	get := func(path string) (int, string) {
		resp, err := http.Get(e.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if st, body := get("/healthz"); st != 200 || !strings.Contains(body, `"ok"`) {
		t.Fatalf("healthz: %d %s", st, body)
	}
	_, metrics := get("/metrics")
	for _, want := range []string{
		`fieldsurvey_batches_total{result="stored"} 2`,
		`fieldsurvey_batches_total{result="replay"} 1`,
		`fieldsurvey_batches_total{result="refused"} 1`,
		`fieldsurvey_http_requests_total{code="device_unknown",route="batches"} 1`,
		`go_goroutines`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	devs, err := e.St.Devices(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(devs) != 1 || devs[0].Batches != 2 || devs[0].LastSeq != 3 || len(devs[0].Missing) != 1 || devs[0].Missing[0].From != 2 || devs[0].LastSync.IsZero() {
		t.Fatalf("devices: %+v", devs)
	}
}

// TestGracefulShutdownFinishesUploads starts an upload whose body arrives slowly, shuts the
// server down meanwhile, and checks that the upload still completes and is stored.
func TestGracefulShutdownFinishesUploads(t *testing.T) {
	servertest.ForEachStore(t, testGracefulShutdownFinishesUploads)
}

func testGracefulShutdownFinishesUploads(t *testing.T, drv servertest.Driver) {
	e := servertest.StartOn(t, drv, "", nil)
	d := servertest.NewDevice(t, "laptop-1", "an@example.org")
	e.Enroll(d)
	data, _ := d.Batch(t, d.Interview(t, servertest.DGRA(t), "0193a5b2-7c1e-7000-8000-000000000001", t0, rnd()))
	pr, pw := io.Pipe()
	r, err := d.UploadRequest(e.URL, pr, int64(len(data)), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		status int
		body   []byte
		err    error
	}
	done := make(chan result, 1)
	go func() {
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			done <- result{err: err}
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		done <- result{status: resp.StatusCode, body: b}
	}()
	pw.Write(data[:100])
	time.Sleep(50 * time.Millisecond) // the request is in flight
	stopped := make(chan error, 1)
	go func() { stopped <- e.Stop() }()
	time.Sleep(100 * time.Millisecond)
	select {
	case err := <-stopped:
		t.Fatalf("server stopped before the upload finished: %v", err)
	default:
	}
	pw.Write(data[100:])
	pw.Close()
	res := <-done
	if res.err != nil || res.status != 200 {
		t.Fatalf("upload during shutdown: %v %d %s", res.err, res.status, res.body)
	}
	if err := <-stopped; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	// Nothing listens now; on restart the batch is there.
	if _, err := http.Get(e.URL + "/healthz"); err == nil {
		t.Fatal("server still answers after shutdown")
	}
	e.Restart()
	if h := holdings(t, e); h.batches != 1 {
		t.Fatalf("after restart: %+v", h)
	}
}

// fuzzServer is a server over a store in memory, with one enrolled device.
func fuzzServer(f *testing.F) (http.Handler, *servertest.Device, *memStore, ssh.Signer) {
	key, _, err := server.LoadOrCreateKey(f.TempDir())
	if err != nil {
		f.Fatal(err)
	}
	ms := newMemStore()
	known, _ := server.BundledKnown()
	srv, err := server.New(server.Config{Store: ms, Key: key, Known: known, MaxBatchBytes: 1 << 20})
	if err != nil {
		f.Fatal(err)
	}
	d := servertest.NewDevice(f, "laptop-1", "an@example.org")
	tok, _, err := server.IssueToken(context.Background(), ms, key, "An", time.Hour)
	if err != nil {
		f.Fatal(err)
	}
	if _, err := ms.Enroll(context.Background(), tok.Hash(), server.Device{ID: d.ID, Principal: d.Principal, PublicKey: d.PublicKey()}, time.Now()); err != nil {
		f.Fatal(err)
	}
	return srv.Handler(), d, ms, key
}

// TestUnreadablePublishedIsNotUnknown: when the published questionnaires cannot be read
// (the database is unreachable for a moment), an upload whose questionnaire is not bundled
// is answered with a server error the device retries, not "unknown questionnaire", which
// would tell the assessor to install a version the server may well have.
func TestUnreadablePublishedIsNotUnknown(t *testing.T) {
	key, _, err := server.LoadOrCreateKey(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ms := newMemStore()
	srv, err := server.New(server.Config{Store: ms, Key: key, MaxBatchBytes: 1 << 20}) // nothing bundled
	if err != nil {
		t.Fatal(err)
	}
	d := servertest.NewDevice(t, "laptop-1", "an@example.org")
	tok, _, err := server.IssueToken(context.Background(), ms, key, "An", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ms.Enroll(context.Background(), tok.Hash(), server.Device{ID: d.ID, Principal: d.Principal, PublicKey: d.PublicKey()}, time.Now()); err != nil {
		t.Fatal(err)
	}
	data, _ := d.Batch(t, d.Interview(t, servertest.DGRA(t), "0193a5b2-7c1e-7000-8000-000000000001", t0, rnd()))
	upload := func() *wire.Error {
		t.Helper()
		r, err := d.UploadRequest("", bytes.NewReader(data), int64(len(data)), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		r.RequestURI = r.URL.RequestURI()
		w := httptest.NewRecorder()
		srv.Handler().ServeHTTP(w, r)
		if w.Code == 200 {
			t.Fatalf("accepted a batch of a questionnaire the server does not know")
		}
		return wire.FromResponse(w.Code, w.Body.Bytes())
	}
	ms.mu.Lock()
	ms.qErr = errors.New("connection refused")
	ms.mu.Unlock()
	if we := upload(); we.Code == wire.CodeUnknownQuestionnaire || !we.Retryable() {
		t.Fatalf("store failing: answered %s (%s), want a retryable server error", we.Code, we.Message)
	}
	ms.mu.Lock()
	ms.qErr = nil
	ms.mu.Unlock()
	if we := upload(); we.Code != wire.CodeUnknownQuestionnaire {
		t.Fatalf("store answering: %s (%s), want %s", we.Code, we.Message, wire.CodeUnknownQuestionnaire)
	}
	if len(ms.batches) != 0 {
		t.Fatalf("stored %d batches", len(ms.batches))
	}
}

// FuzzUpload posts arbitrary bodies as an enrolled device: the server must answer every one
// with a protocol error (or a receipt for the one valid batch), never panic or fail with a
// 5xx, and store nothing from a refused body. (The store is in memory: the SQLite store's
// refusals are tested in TestRefusals.)
func FuzzUpload(f *testing.F) {
	h, d, ms, _ := fuzzServer(f)
	data, _ := d.Batch(f, d.Interview(f, servertest.DGRA(f), "0193a5b2-7c1e-7000-8000-000000000001", t0, rnd()))
	f.Add(data)
	f.Add(data[:len(data)/3])
	f.Add(data[:600])
	f.Add([]byte{})
	f.Add([]byte("manifest.json"))
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := d.UploadRequest("", bytes.NewReader(body), int64(len(body)), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		r.RequestURI = r.URL.RequestURI() // as the server sees it
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code == 200 {
			if !bytes.Equal(body, data) {
				t.Fatalf("accepted a body that is not the valid batch")
			}
			return
		}
		we := wire.FromResponse(w.Code, w.Body.Bytes())
		if we.Message == "" || we.MessageVI == "" || wire.HTTPStatus(we.Code) != w.Code || w.Code >= 500 {
			t.Fatalf("answer %d %s", w.Code, w.Body.String())
		}
		ms.mu.Lock()
		n := len(ms.batches)
		ms.mu.Unlock()
		if n > 1 {
			t.Fatalf("a refused body was stored")
		}
	})
}

// FuzzEnroll posts arbitrary enrolment bodies: each gets a protocol error or an enrolment,
// never a panic or a 5xx.
func FuzzEnroll(f *testing.F) {
	h, d, ms, key := fuzzServer(f)
	tok, _, _ := server.IssueToken(context.Background(), ms, key, "a", time.Hour)
	good, _ := json.Marshal(wire.EnrollRequest{Protocol: 1, Token: tok.String(), Device: d.ID, Principal: d.Principal, PublicKey: d.PublicKey()})
	f.Add(good)
	f.Add([]byte(`{"token":"fst1.a.b","device":"x","principal":"p","public_key":"ssh-rsa AAAA"}`))
	f.Add([]byte(`{`))
	f.Fuzz(func(t *testing.T, body []byte) {
		r := httptest.NewRequest(http.MethodPost, wire.PathEnroll, bytes.NewReader(body))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code == 200 {
			return
		}
		we := wire.FromResponse(w.Code, w.Body.Bytes())
		if we.Message == "" || wire.HTTPStatus(we.Code) != w.Code || w.Code >= 500 {
			t.Fatalf("answer %d %s", w.Code, w.Body.String())
		}
	})
}

// TestInboxReplayAfterRestart: a captured signed inbox request, replayed after the server
// is stopped and started again on the same data folder within the request's time window,
// is refused (the nonces are kept in the store, not in memory).
func TestInboxReplayAfterRestart(t *testing.T) {
	servertest.ForEachStore(t, testInboxReplayAfterRestart)
}

func testInboxReplayAfterRestart(t *testing.T, drv servertest.Driver) {
	e := servertest.StartOn(t, drv, "", nil)
	a := servertest.NewDevice(t, "laptop-a", "a@example.org")
	e.Enroll(a)
	r := inboxRequest(t, e.URL, a, 0, time.Now())
	captured := r.Clone(context.Background())
	if _, werr := getInbox(t, e, r); werr != nil {
		t.Fatal(werr)
	}
	e.Restart()
	if _, werr := getInbox(t, e, captured); werr == nil || werr.Code != wire.CodeAuthFailed {
		t.Fatalf("replay after restart: got %v, want %s", werr, wire.CodeAuthFailed)
	}
	// A fresh request of the same device still gets through.
	if _, werr := getInbox(t, e, inboxRequest(t, e.URL, a, 0, time.Now())); werr != nil {
		t.Fatalf("fresh request after restart: %v", werr)
	}
}

// TestUseNonce: the SQLite store refuses a nonce key within its window, accepts it again
// once expired, and forgets expired keys on a later call.
func TestUseNonce(t *testing.T) {
	ctx := context.Background()
	st, err := server.OpenSQLite(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	use := func(key string, at time.Time, want bool) {
		t.Helper()
		fresh, err := st.UseNonce(ctx, key, at, 10*time.Minute)
		if err != nil || fresh != want {
			t.Fatalf("UseNonce(%s, %s) = %v, %v; want %v", key, at.Format(time.TimeOnly), fresh, err, want)
		}
	}
	use("a/1", now, true)
	use("a/1", now.Add(time.Minute), false)
	use("b/1", now.Add(time.Minute), true)
	use("a/1", now.Add(10*time.Minute), false)
	use("a/1", now.Add(11*time.Minute), true) // expired: usable again
	var rows int
	if err := st.Revisions().View(ctx, func(tx *store.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT count(*) FROM server_nonces`).Scan(&rows)
	}); err != nil {
		t.Fatal(err)
	}
	if rows != 2 {
		t.Fatalf("%d nonce rows, want 2", rows)
	}
	use("c/1", now.Add(time.Hour), true) // sweeps a/1 and b/1
	if err := st.Revisions().View(ctx, func(tx *store.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT count(*) FROM server_nonces`).Scan(&rows)
	}); err != nil {
		t.Fatal(err)
	}
	if rows != 1 {
		t.Fatalf("after the sweep: %d nonce rows, want 1", rows)
	}
}

// TestOneUploadPerDevice: an enrolled device that opens several slow uploads at once holds
// at most one batch of the upload budget (its other uploads wait for their turn, holding
// nothing), so another device's upload is taken at once. The budget here is two batches
// and the slow uploads are not cut during the test (a long grace before the minimum rate):
// without the cap the device's two slow uploads held the whole budget and the other
// device's upload waited until the server answered "busy".
func TestOneUploadPerDevice(t *testing.T) { servertest.ForEachStore(t, testOneUploadPerDevice) }

func testOneUploadPerDevice(t *testing.T, drv servertest.Driver) {
	const declared = 256 << 10
	e := servertest.StartOn(t, drv, "", func(c *server.Config) {
		c.MaxBatchBytes = declared
		c.UploadBudget = 2 * declared
		c.UploadGrace = time.Hour
	})
	bad := servertest.NewDevice(t, "laptop-bad", "bad@example.org")
	e.Enroll(bad)
	good := servertest.NewDevice(t, "laptop-good", "good@example.org")
	e.Enroll(good)
	data, _ := good.Batch(t, good.Interview(t, servertest.DGRA(t), "0193a5b2-7c1e-7000-8000-000000000001", t0, rnd()))

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range 2 {
		pr, pw := io.Pipe()
		r, err := bad.UploadRequest(e.URL, pr, declared, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			pw.Write(make([]byte, 100))
			<-ctx.Done()
			pw.CloseWithError(ctx.Err())
		}()
		wg.Add(1)
		go func() {
			defer wg.Done()
			if resp, err := http.DefaultClient.Do(r.WithContext(ctx)); err == nil {
				resp.Body.Close()
			}
		}()
	}
	defer func() { cancel(); wg.Wait() }()
	// Both slow uploads are in the server.
	for i := 0; ; i++ {
		if _, m := getText(t, e.URL+wire.PathMetrics); strings.Contains(m, "fieldsurvey_http_requests_in_flight 2\n") {
			break
		}
		if i > 500 {
			t.Fatal("the slow uploads did not reach the server")
		}
		time.Sleep(10 * time.Millisecond)
	}
	resp, body, err := servertest.Post(http.DefaultClient, e.URL, good, data)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("upload beside a device's slow uploads: %v %v %s", err, resp, body)
	}
}

func getText(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestHealthTellsTheTruth: /healthz answers 200 with its checks when the server can work,
// and 503 naming the failing check when it cannot: too little free space on the data
// folder's file system, a read-only data folder, a read-only store file (by mode bits:
// the tests may run as root, whom mode bits do not stop).
func TestHealthTellsTheTruth(t *testing.T) {
	var minFree int64
	e := servertest.Start(t, "", func(c *server.Config) { c.MinFreeBytes = minFree })
	health := func() (int, wire.Health) {
		t.Helper()
		st, body := getText(t, e.URL+wire.PathHealth)
		var h wire.Health
		if err := json.Unmarshal([]byte(body), &h); err != nil {
			t.Fatalf("healthz body %q: %v", body, err)
		}
		return st, h
	}
	failing := func(h wire.Health) []string {
		var names []string
		for _, c := range h.Checks {
			if !c.OK {
				names = append(names, c.Name)
			}
		}
		return names
	}
	st, h := health()
	if st != 200 || h.Status != "ok" || len(h.Checks) < 4 || len(failing(h)) != 0 {
		t.Fatalf("healthy server: %d %+v", st, h)
	}
	for _, c := range h.Checks {
		if c.Detail == "" {
			t.Errorf("check %s says nothing", c.Name)
		}
	}

	// More free space asked for than the file system has.
	minFree = 1 << 62
	e.Restart()
	st, h = health()
	if got := failing(h); st != http.StatusServiceUnavailable || h.Status != "unavailable" || !slices.Equal(got, []string{"free_space"}) {
		t.Fatalf("threshold above the free space: %d %+v (failing %v)", st, h, got)
	}
	if res, err := http.Get(e.URL + wire.PathHealth); err != nil {
		t.Fatal(err)
	} else if res.Body.Close(); res.Header.Get("Retry-After") == "" {
		t.Errorf("a failing /healthz says nothing of when to look again (no Retry-After)")
	}
	minFree = 0
	e.Restart()

	// A read-only data folder.
	if err := os.Chmod(e.Dir, 0o555); err != nil {
		t.Fatal(err)
	}
	st, h = health()
	os.Chmod(e.Dir, 0o755)
	if got := failing(h); st != http.StatusServiceUnavailable || !slices.Equal(got, []string{"data_folder"}) {
		t.Fatalf("read-only data folder: %d %+v (failing %v)", st, h, got)
	}

	// A read-only store file.
	db := filepath.Join(e.Dir, server.DBFile)
	if err := os.Chmod(db, 0o444); err != nil {
		t.Fatal(err)
	}
	st, h = health()
	os.Chmod(db, 0o644)
	if got := failing(h); st != http.StatusServiceUnavailable || !slices.Equal(got, []string{"store_file"}) {
		t.Fatalf("read-only store file: %d %+v (failing %v)", st, h, got)
	}
	if st, h = health(); st != 200 {
		t.Fatalf("after the repairs: %d %+v", st, h)
	}
}
