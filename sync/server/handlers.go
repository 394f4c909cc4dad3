package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/hiddeco/sshsig"
	"golang.org/x/crypto/ssh"

	"github.com/fieldsurvey/fieldsurvey/questionnaires"
	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/sync/batch"
	"github.com/fieldsurvey/fieldsurvey/sync/hub"
	"github.com/fieldsurvey/fieldsurvey/sync/keys"
	"github.com/fieldsurvey/fieldsurvey/sync/wire"
)

var deviceIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// ValidDeviceID reports whether id can name a device: 1 to 64 letters, digits, '.', '_'
// or '-', starting with a letter or digit.
func ValidDeviceID(id string) bool { return deviceIDPattern.MatchString(id) }

// ErrorOf maps an error of the store or of the batch package to the protocol error the
// server answers with. Errors it does not know are internal faults (their text is logged,
// not sent).
func ErrorOf(err error) *wire.Error {
	var we *wire.Error
	if errors.As(err, &we) {
		return we
	}
	detail := err.Error()
	switch {
	case errors.Is(err, batch.ErrTooLarge):
		return wire.NewError(wire.CodeTooLarge, detail)
	case errors.Is(err, batch.ErrNotBatch), errors.Is(err, batch.ErrTruncated):
		return wire.NewError(wire.CodeNotBatch, detail)
	case errors.Is(err, batch.ErrUnsupportedVersion):
		return wire.NewError(wire.CodeUnsupportedVersion, detail)
	case errors.Is(err, batch.ErrBadSignature):
		return wire.NewError(wire.CodeBadSignature, detail)
	case errors.Is(err, batch.ErrUnknownSigner):
		return wire.NewError(wire.CodeWrongSigner, detail)
	case errors.Is(err, batch.ErrPayloadHash):
		return wire.NewError(wire.CodePayloadHash, detail)
	case errors.Is(err, batch.ErrUnknownQuestionnaire):
		return wire.NewError(wire.CodeUnknownQuestionnaire, detail)
	case errors.Is(err, batch.ErrNoIdentity):
		return wire.NewError(wire.CodeBadBatch, "the payload is encrypted to keys the server does not hold; add the server key (printed by `fieldsurvey enroll`) to the recipients")
	case errors.Is(err, batch.ErrMalformed), errors.Is(err, survey.ErrBadRevision), errors.Is(err, survey.ErrBadRevisionID),
		errors.Is(err, hub.ErrDecisionNotAllowed), errors.Is(err, hub.ErrForeignRevision):
		return wire.NewError(wire.CodeBadBatch, detail)
	case errors.Is(err, context.DeadlineExceeded):
		return wire.NewError(wire.CodeTimeout, "")
	}
	return wire.NewError(wire.CodeInternal, "")
}

// fail turns err into the response error, logging the cause of internal faults.
func (s *Server) fail(r *http.Request, what string, err error) *wire.Error {
	we := ErrorOf(err)
	if we.Code == wire.CodeInternal || we.Code == wire.CodeTimeout {
		s.log.Error(what, "error", err.Error(), "path", clip(r.URL.Path, 200))
	}
	return we
}

func (s *Server) enroll(w http.ResponseWriter, r *http.Request) *wire.Error {
	var req wire.EnrollRequest
	if werr := s.decodeJSON(w, r, &req); werr != nil {
		return werr
	}
	setDevice(r, clip(req.Device, 64))
	if req.Protocol != 0 && (req.Protocol < wire.MinProtocolVersion || req.Protocol > wire.MaxProtocolVersion) {
		return wire.Errorf(wire.CodeUnsupportedProtocol, "the device speaks protocol %d, the server speaks %d to %d", req.Protocol, wire.MinProtocolVersion, wire.MaxProtocolVersion)
	}
	tok, err := wire.ParseToken(req.Token)
	if err != nil {
		return wire.NewError(wire.CodeTokenUnknown, err.Error())
	}
	if tok.Fingerprint != s.fingerprint {
		return wire.Errorf(wire.CodeTokenUnknown, "the token was made for the server key %s, this server's key is %s", tok.Fingerprint, s.fingerprint)
	}
	if !ValidDeviceID(req.Device) {
		return wire.Errorf(wire.CodeMalformed, "device id %q must be 1 to 64 letters, digits, '.', '_' or '-'", clip(req.Device, 70))
	}
	principal, err := keys.CheckPrincipal(req.Principal)
	if err != nil {
		return wire.NewError(wire.CodeMalformed, err.Error())
	}
	pub, err := parseDeviceKey(req.PublicKey)
	if err != nil {
		return wire.NewError(wire.CodeMalformed, err.Error())
	}
	now := s.cfg.Now().UTC()
	d, err := s.store.Enroll(r.Context(), tok.Hash(), Device{ID: req.Device, Principal: principal, PublicKey: AuthorizedKey(pub)}, now)
	if err != nil {
		return s.fail(r, "enroll", err)
	}
	s.m.enrolled.Inc()
	s.log.Info("device enrolled", "device", d.ID, "principal", d.Principal, "assessor", d.Assessor, "key", ssh.FingerprintSHA256(pub))
	return s.writeSigned(w, wire.EnrollResponse{
		Protocol: wire.MaxProtocolVersion, Device: d.ID, Principal: d.Principal, Assessor: d.Assessor,
		PublicKey: d.PublicKey, ServerKey: AuthorizedKey(s.key.PublicKey()), Fingerprint: s.fingerprint,
		Enrolled: wire.FormatTime(d.Enrolled),
	}, wire.NamespaceEnroll)
}

// parseDeviceKey parses an authorized_keys line holding an Ed25519 key.
func parseDeviceKey(line string) (ssh.PublicKey, error) {
	pub, _, _, rest, err := ssh.ParseAuthorizedKey([]byte(line))
	if err != nil || len(bytes.TrimSpace(rest)) > 0 {
		return nil, errors.New("the public key is not one authorized_keys line (\"ssh-ed25519 AAAA…\")")
	}
	if pub.Type() != ssh.KeyAlgoED25519 {
		return nil, fmt.Errorf("the public key is %s; devices sign with Ed25519 keys", pub.Type())
	}
	return pub, nil
}

// decodeJSON reads a JSON request body of at most MaxJSONBytes into v, refusing unknown
// fields and trailing data.
func (s *Server) decodeJSON(w http.ResponseWriter, r *http.Request, v any) *wire.Error {
	if r.ContentLength > s.cfg.MaxJSONBytes {
		w.Header().Set("Connection", "close")
		return wire.Errorf(wire.CodeTooLarge, "the request has %d bytes, the limit is %d", r.ContentLength, s.cfg.MaxJSONBytes)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxJSONBytes))
	if err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return wire.Errorf(wire.CodeTooLarge, "the request is larger than %d bytes", s.cfg.MaxJSONBytes)
		}
		return wire.Errorf(wire.CodeMalformed, "the request body could not be read: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return wire.Errorf(wire.CodeMalformed, "the request is not the expected JSON: %s", clip(err.Error(), 120))
	}
	if dec.More() {
		return wire.NewError(wire.CodeMalformed, "the request has data after its JSON object")
	}
	return nil
}

// activeDevice returns the enrolled, unrevoked device id.
func (s *Server) activeDevice(r *http.Request, id string) (Device, *wire.Error) {
	d, err := s.store.Device(r.Context(), id)
	if err != nil {
		return Device{}, s.fail(r, "look up device", err)
	}
	if d.IsRevoked() {
		return Device{}, wire.Errorf(wire.CodeDeviceRevoked, "device %s, revoked %s", d.ID, d.Revoked.UTC().Format(time.RFC3339))
	}
	return d, nil
}

// budgetWait is how long an upload waits for memory before the server answers "busy".
const budgetWait = 30 * time.Second

func (s *Server) upload(w http.ResponseWriter, r *http.Request) *wire.Error {
	id := r.Header.Get(wire.DeviceHeader)
	if !ValidDeviceID(id) {
		return wire.Errorf(wire.CodeMalformed, "the %s header must name the sending device", wire.DeviceHeader)
	}
	setDevice(r, id)
	if r.ContentLength < 0 {
		w.Header().Set("Connection", "close")
		return wire.NewError(wire.CodeLengthRequired, "")
	}
	if r.ContentLength > s.cfg.MaxBatchBytes {
		w.Header().Set("Connection", "close")
		return wire.Errorf(wire.CodeTooLarge, "the batch has %d bytes, the limit is %d", r.ContentLength, s.cfg.MaxBatchBytes)
	}
	dev, werr := s.activeDevice(r, id)
	if werr != nil {
		w.Header().Set("Connection", "close")
		s.m.batches.WithLabelValues("refused").Inc()
		return werr
	}
	res, werr := s.ingest(w, r, dev)
	if werr != nil {
		s.m.batches.WithLabelValues("refused").Inc()
		return werr
	}
	if res.Replay {
		s.m.batches.WithLabelValues("replay").Inc()
	} else {
		s.m.batches.WithLabelValues("stored").Inc()
		s.m.revisions.Add(float64(res.Receipt.Added))
	}
	sig, err := s.signReceipt(&res.Receipt)
	if err != nil {
		return wire.Errorf(wire.CodeInternal, "sign receipt: %v", err)
	}
	body, err := json.Marshal(wire.SignedReceipt{Receipt: res.Receipt.Canonical(), Signature: sig, Replay: res.Replay})
	if err != nil {
		return wire.Errorf(wire.CodeInternal, "encode receipt: %v", err)
	}
	writeJSON(w, http.StatusOK, body)
	return nil
}

func (s *Server) ingest(w http.ResponseWriter, r *http.Request, dev Device) (Ingested, *wire.Error) {
	n := r.ContentLength
	if !s.budget.acquire(n, budgetWait) {
		return Ingested{}, wire.NewError(wire.CodeUnavailable, "the server is busy receiving other batches")
	}
	defer s.budget.release(n)
	body := make([]byte, n)
	if got, err := io.ReadFull(http.MaxBytesReader(w, r.Body, s.cfg.MaxBatchBytes), body); err != nil {
		return Ingested{}, wire.Errorf(wire.CodeMalformed, "the upload stopped after %d of %d bytes", got, n)
	}
	s.m.bytesIn.Add(float64(n))
	cpuSlots <- struct{}{}
	b, revs, werr := s.check(r, dev, body)
	<-cpuSlots
	if werr != nil {
		return Ingested{}, werr
	}
	// The whole batch is here and verified: store it even if the device hangs up now, so
	// that its next attempt gets the receipt at once.
	ctx := context.WithoutCancel(r.Context())
	res, err := s.store.Ingest(ctx, Upload{Device: dev, Batch: b, Revisions: revs, Server: s.device, Time: s.cfg.Now().UTC()})
	if err != nil {
		return Ingested{}, s.fail(r, "store batch", err)
	}
	return res, nil
}

// check reads and verifies an uploaded batch of dev.
func (s *Server) check(r *http.Request, dev Device, body []byte) (*batch.Batch, []survey.Revision, *wire.Error) {
	b, err := batch.Read(bytes.NewReader(body), batch.Limits{MaxSize: s.cfg.MaxBatchBytes})
	if err != nil {
		return nil, nil, ErrorOf(err)
	}
	if b.Manifest.Device != dev.ID {
		return nil, nil, wire.Errorf(wire.CodeWrongSigner, "the batch is from device %s but was sent as device %s", clip(b.Manifest.Device, 64), dev.ID)
	}
	signers, err := allowedSigners(dev)
	if err != nil {
		return nil, nil, s.fail(r, "device key", err)
	}
	revs, err := hub.Check(b, hub.Options{Signers: signers, Identities: s.cfg.Identities,
		Known: func(q batch.QuestionnaireRef) bool { return s.known(r.Context(), q) }})
	if err != nil {
		return nil, nil, ErrorOf(err)
	}
	if werr := checkDeviceRevisions(dev.ID, revs); werr != nil {
		return nil, nil, werr
	}
	return b, revs, nil
}

func refsOf(refs []batch.QuestionnaireRef) string {
	var parts []string
	for _, q := range refs {
		parts = append(parts, q.String())
	}
	return strings.Join(parts, ", ")
}

// checkDeviceRevisions refuses a device's status revisions that only a supervisor may
// write (approved, returned). Revisions made by other devices are checked by the store
// (they must already be held).
func checkDeviceRevisions(device string, revs []survey.Revision) *wire.Error {
	for _, rv := range revs {
		if rv.Kind != survey.KindStatus || rv.Device != device {
			continue
		}
		var st survey.StatusChange
		if err := json.Unmarshal(rv.Value, &st); err != nil {
			return wire.Errorf(wire.CodeBadBatch, "status revision %.12s does not decode", rv.ID)
		}
		if st.Status == survey.StatusApproved || st.Status == survey.StatusReturned {
			return wire.Errorf(wire.CodeBadBatch, "interview %s: a device cannot set the status %q; only a supervisor approves or returns an interview", clip(rv.Interview, 64), st.Status)
		}
	}
	return nil
}

// allowedSigners is the trust of one upload: the device's own key for its principal.
func allowedSigners(d Device) (*keys.AllowedSigners, error) {
	pub, err := parseDeviceKey(d.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("device %s: stored key: %w", d.ID, err)
	}
	return keys.ParseAllowedSigners(strings.NewReader(keys.SignerLine(d.Principal, pub, batch.Namespace)))
}

// signReceipt completes a receipt with the server's fingerprint and signs it. Ed25519
// signatures are deterministic: the same receipt always gets the same signature.
func (s *Server) signReceipt(rc *wire.Receipt) (string, error) {
	rc.Server = s.fingerprint
	sig, err := s.sign(rc.Canonical(), wire.NamespaceReceipt)
	if err != nil {
		return "", err
	}
	return string(sshsig.Armor(sig)), nil
}

// known reports whether the server knows questionnaire version q: bundled or published.
func (s *Server) known(ctx context.Context, q batch.QuestionnaireRef) bool {
	if s.cfg.Known != nil && s.cfg.Known(q) {
		return true
	}
	s.pubMu.Lock()
	ok := s.published[q]
	s.pubMu.Unlock()
	if ok {
		return true
	}
	pubs, err := s.store.Questionnaires(ctx)
	if err != nil {
		return false
	}
	s.pubMu.Lock()
	defer s.pubMu.Unlock()
	for _, p := range pubs {
		s.published[batch.QuestionnaireRef{ID: p.ID, Version: p.Version}] = true
	}
	return s.published[q]
}

// BundledKnown reports whether q is one of the questionnaire versions bundled with the
// program (for Config.Known).
func BundledKnown() (func(batch.QuestionnaireRef) bool, error) {
	qs, err := questionnaires.Bundled()
	if err != nil {
		return nil, err
	}
	set := map[batch.QuestionnaireRef]bool{}
	for _, q := range qs {
		set[batch.QuestionnaireRef{ID: q.ID, Version: q.Version}] = true
	}
	return func(q batch.QuestionnaireRef) bool { return set[q] }, nil
}

func (s *Server) inbox(w http.ResponseWriter, r *http.Request) *wire.Error {
	id := r.PathValue("id")
	setDevice(r, clip(id, 64))
	dev, werr := s.authenticate(r, id)
	if werr != nil {
		return werr
	}
	var after int64
	if v := r.URL.Query().Get("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return wire.Errorf(wire.CodeMalformed, "after=%q is not a cursor (a number from 0)", clip(v, 30))
		}
		after = n
	}
	page, err := s.store.Inbox(r.Context(), dev.ID, after, s.cfg.InboxLimit)
	if err != nil {
		return s.fail(r, "read inbox", err)
	}
	if err := s.store.Seen(r.Context(), dev.ID, s.cfg.Now().UTC()); err != nil {
		s.log.Warn("record device seen", "device", dev.ID, "error", err.Error())
	}
	auth, _ := wire.ParseRequestAuth(r.Header.Get(wire.AuthHeader))
	in := wire.Inbox{Protocol: wire.MaxProtocolVersion, Device: dev.ID, Nonce: auth.Nonce, Cursor: page.Cursor, More: page.More,
		Revisions: []json.RawMessage{}, Questionnaires: []wire.Questionnaire{}}
	for _, rv := range page.Revisions {
		b, err := rv.MarshalJSON()
		if err != nil {
			return s.fail(r, "encode revision", err)
		}
		in.Revisions = append(in.Revisions, b)
	}
	for _, q := range page.Questionnaires {
		in.Questionnaires = append(in.Questionnaires, wire.Questionnaire{ID: q.ID, Version: q.Version,
			Published: wire.FormatTime(q.Published), Source: q.Source, Signature: q.Signature})
	}
	return s.writeSigned(w, in, wire.NamespaceInbox)
}

// authenticate checks a device's signed request (wire.RequestAuth) for the device id the
// path names.
func (s *Server) authenticate(r *http.Request, id string) (Device, *wire.Error) {
	h := r.Header.Get(wire.AuthHeader)
	if h == "" {
		return Device{}, wire.Errorf(wire.CodeAuthFailed, "the request has no %s header", wire.AuthHeader)
	}
	auth, err := wire.ParseRequestAuth(h)
	if err != nil {
		return Device{}, wire.NewError(wire.CodeAuthFailed, err.Error())
	}
	if auth.Device != id {
		return Device{}, wire.Errorf(wire.CodeAuthFailed, "the request is signed as device %s for device %s", clip(auth.Device, 64), clip(id, 64))
	}
	if !ValidDeviceID(id) {
		return Device{}, wire.Errorf(wire.CodeMalformed, "%q is not a device id", clip(id, 70))
	}
	dev, werr := s.activeDevice(r, id)
	if werr != nil {
		return Device{}, werr
	}
	now := s.cfg.Now()
	sent := time.Unix(auth.Time, 0)
	if d := now.Sub(sent); d > s.cfg.ClockSkew || d < -s.cfg.ClockSkew {
		return Device{}, wire.Errorf(wire.CodeClockSkew, "device clock %s, server clock %s", sent.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	sig, err := sshsig.ParseSignature(auth.Signature)
	if err != nil {
		return Device{}, wire.NewError(wire.CodeAuthFailed, "the signature cannot be read")
	}
	pub, err := parseDeviceKey(dev.PublicKey)
	if err != nil {
		return Device{}, s.fail(r, "device key", err)
	}
	if err := sshsig.Verify(bytes.NewReader(auth.Message(r.Method, r.RequestURI)), sig, pub, sshsig.HashSHA512, wire.NamespaceRequest); err != nil {
		return Device{}, wire.Errorf(wire.CodeAuthFailed, "the signature does not verify with the key enrolled for device %s", id)
	}
	if !s.nonces.use(auth.Device+"/"+auth.Nonce, now, 2*s.cfg.ClockSkew) {
		return Device{}, wire.NewError(wire.CodeAuthFailed, "this signed request was already used; it cannot be replayed")
	}
	return dev, nil
}
