package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"slices"
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
	// The detail in English and Vietnamese: a batch's refusal has its own words in both.
	detail := survey.ErrorText(err)
	with := func(c wire.Code) *wire.Error {
		e := wire.NewError(c, detail.Get(survey.LangEN))
		e.MessageVI = wire.NewError(c, detail.Get(survey.LangVI)).MessageVI
		return e
	}
	switch {
	case errors.Is(err, batch.ErrTooLarge):
		return with(wire.CodeTooLarge)
	case errors.Is(err, batch.ErrNotBatch), errors.Is(err, batch.ErrTruncated):
		return with(wire.CodeNotBatch)
	case errors.Is(err, batch.ErrUnsupportedVersion):
		return with(wire.CodeUnsupportedVersion)
	case errors.Is(err, batch.ErrBadSignature):
		return with(wire.CodeBadSignature)
	case errors.Is(err, batch.ErrUnknownSigner):
		return with(wire.CodeWrongSigner)
	case errors.Is(err, batch.ErrPayloadHash):
		return with(wire.CodePayloadHash)
	case errors.Is(err, batch.ErrUnknownQuestionnaire):
		return with(wire.CodeUnknownQuestionnaire)
	case errors.Is(err, batch.ErrNoIdentity):
		return wire.NewError(wire.CodeBadBatch, "the payload is encrypted to keys the server does not hold; add the server key (printed by `fieldsurvey enroll`) to the recipients")
	case errors.Is(err, hub.ErrDecisionNotAllowed):
		return with(wire.CodeDecisionNotAllowed)
	case errors.Is(err, batch.ErrMalformed), errors.Is(err, survey.ErrBadRevision), errors.Is(err, survey.ErrBadRevisionID),
		errors.Is(err, hub.ErrForeignRevision):
		return with(wire.CodeBadBatch)
	case errors.Is(err, context.DeadlineExceeded):
		return wire.NewError(wire.CodeTimeout, "")
	}
	return wire.NewError(wire.CodeInternal, "")
}

// RetryAfter is what a 503 answer (the server busy, or the request cut before it could be
// answered) asks the client to wait before it sends the request again, in its Retry-After
// header.
const RetryAfter = 5 * time.Second

// fail turns err into the response error, logging the cause of internal faults. A request
// whose context was cancelled (the client hung up, or net/http gave up on the connection)
// is not a fault of the server: it is logged, and answered 503 in case anyone still listens,
// so that a client retries rather than reports a server fault.
func (s *Server) fail(r *http.Request, what string, err error) *wire.Error {
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		s.m.gone.Inc()
		s.log.Warn(what+": the request was cancelled, the client went away", "error", err.Error(), "path", clip(r.URL.Path, 200))
		return wire.NewError(wire.CodeUnavailable, "the request was cut before it was answered; send it again")
	}
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
		we := wire.NewError(wire.CodeMalformed, err.Error())
		we.MessageVI = wire.NewError(wire.CodeMalformed, survey.ErrorText(err).Get(survey.LangVI)).MessageVI
		return we
	}
	pub, err := parseDeviceKey(req.PublicKey)
	if err != nil {
		return wire.NewError(wire.CodeMalformed, err.Error())
	}
	role, err := survey.ParseRole(req.Role)
	if err != nil {
		return wire.NewError(wire.CodeMalformed, err.Error())
	}
	now := s.cfg.Now().UTC()
	d, err := s.store.Enroll(r.Context(), tok.Hash(), Device{ID: req.Device, Principal: principal, PublicKey: AuthorizedKey(pub), Role: role}, now)
	if err != nil {
		return s.fail(r, "enroll", err)
	}
	sups, err := s.supervisorLines(r.Context(), d.ID)
	if err != nil {
		return s.fail(r, "list supervisors", err)
	}
	s.m.enrolled.Inc()
	s.log.Info("device enrolled", "device", d.ID, "principal", d.Principal, "assessor", d.Assessor, "role", string(d.Role),
		"scope", strings.Join(d.Scope, ", "), "key", ssh.FingerprintSHA256(pub))
	return s.writeSigned(w, r, wire.EnrollResponse{
		Protocol: wire.MaxProtocolVersion, Device: d.ID, Principal: d.Principal, Assessor: d.Assessor,
		PublicKey: d.PublicKey, ServerKey: AuthorizedKey(s.key.PublicKey()), Fingerprint: s.fingerprint,
		Enrolled: wire.FormatTime(d.Enrolled), Role: string(d.Role), Scope: d.Scope, Supervisors: sups,
	}, wire.NamespaceEnroll, false)
}

// supervisorLines returns the allowed_signers lines (namespace fieldsurvey-batch) of the
// active supervisor devices other than except, by device id.
func (s *Server) supervisorLines(ctx context.Context, except string) ([]string, error) {
	sups, err := s.store.Supervisors(ctx)
	if err != nil {
		return nil, err
	}
	lines := []string{}
	for _, d := range sups {
		if d.ID == except {
			continue
		}
		pub, err := parseDeviceKey(d.PublicKey)
		if err != nil {
			return nil, fmt.Errorf("device %s: stored key: %w", d.ID, err)
		}
		lines = append(lines, keys.SignerLine(d.Principal, pub, batch.Namespace))
	}
	return lines, nil
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

// budgetWait is how long an upload waits for memory (and for the same device's upload
// before it) before the server answers "busy".
const budgetWait = 30 * time.Second

// upload receives a batch. Nothing is reserved for it before the request is known to come
// from an enrolled device: the request is signed (wire.RequestAuth on wire.UploadPath, whose
// length must be the Content-Length), so a request without a valid signature is refused at
// once, before its body is read. A device then has one upload in flight at a time, and the
// body must arrive at MinUploadRate on average after UploadGrace, or it is cut and its
// memory released.
func (s *Server) upload(w http.ResponseWriter, r *http.Request) *wire.Error {
	// Compressed uploads are accepted: said in every answer (wire.CompressedUploadPath).
	w.Header().Set("Accept-Encoding", wire.UploadEncoding)
	id := r.Header.Get(wire.DeviceHeader)
	if !ValidDeviceID(id) {
		return wire.Errorf(wire.CodeMalformed, "the %s header must name the sending device", wire.DeviceHeader)
	}
	setDevice(r, id)
	size, werr := uploadSize(r, s.cfg.MaxBatchBytes)
	if werr != nil {
		w.Header().Set("Connection", "close")
		return werr
	}
	if r.ContentLength < 0 {
		w.Header().Set("Connection", "close")
		return wire.NewError(wire.CodeLengthRequired, "")
	}
	if r.ContentLength > s.cfg.MaxBatchBytes {
		w.Header().Set("Connection", "close")
		return wire.Errorf(wire.CodeTooLarge, "the batch has %d bytes, the limit is %d", r.ContentLength, s.cfg.MaxBatchBytes)
	}
	if r.Header.Get(wire.AuthHeader) == "" {
		w.Header().Set("Connection", "close")
		s.m.batches.WithLabelValues("refused").Inc()
		return wire.Errorf(wire.CodeAuthFailed, "the upload has no %s header: uploads are signed since this server version; update fieldsurvey on the device", wire.AuthHeader)
	}
	if v := r.URL.Query().Get(wire.LengthParam); v != strconv.FormatInt(r.ContentLength, 10) {
		w.Header().Set("Connection", "close")
		s.m.batches.WithLabelValues("refused").Inc()
		return wire.Errorf(wire.CodeMalformed, "the upload declares %s=%q in its signed address but sends %d bytes",
			wire.LengthParam, clip(v, 20), r.ContentLength)
	}
	// The request's nonce is recorded with the batch, in the transaction that stores it
	// (Upload.Nonce): one commit for the upload instead of two. A nonce already recorded is
	// refused here, before the body is read; one that was not, but is by the time the batch
	// is stored (the same request sent twice at once), is refused there.
	dev, nonce, werr := s.verifyRequest(r, id)
	if werr == nil {
		werr = s.freshNonce(r, nonce)
	}
	if werr != nil {
		w.Header().Set("Connection", "close")
		s.m.batches.WithLabelValues("refused").Inc()
		return werr
	}
	nonceKept := false
	defer func() {
		if !nonceKept {
			// The upload did not reach the store (cut, damaged, refused): its request
			// cannot be used again either.
			ctx := context.WithoutCancel(r.Context())
			if _, err := s.store.UseNonce(ctx, nonce.Key, nonce.Now, nonce.Keep); err != nil {
				s.log.Warn("record nonce", "device", dev.ID, "error", err.Error())
			}
		}
	}()
	if !s.sending.acquire(dev.ID, budgetWait) {
		w.Header().Set("Connection", "close")
		return wire.Errorf(wire.CodeUnavailable, "device %s is still sending another batch", dev.ID)
	}
	defer s.sending.release(dev.ID)
	res, werr := s.ingest(w, r, dev, size, nonce, &nonceKept)
	if werr != nil {
		s.m.batches.WithLabelValues("refused").Inc()
		if werr.Refusal != nil {
			s.log.Warn("batch refused", "device", dev.ID, "code", string(werr.Code), "error", werr.Message)
		}
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

// uploadSize returns the length of the batch of a compressed upload, as its signed target
// declares it (wire.SizeParam), or 0 for an upload sent as it is.
func uploadSize(r *http.Request, limit int64) (int64, *wire.Error) {
	switch ce := r.Header.Get("Content-Encoding"); {
	case ce == "" || strings.EqualFold(ce, "identity"):
		return 0, nil
	case !strings.EqualFold(ce, wire.UploadEncoding):
		return 0, wire.Errorf(wire.CodeMalformed, "the upload is encoded as %q; this server accepts %s or no encoding", clip(ce, 20), wire.UploadEncoding)
	}
	v := r.URL.Query().Get(wire.SizeParam)
	size, err := strconv.ParseInt(v, 10, 64)
	switch {
	case err != nil || size <= 0:
		return 0, wire.Errorf(wire.CodeMalformed, "a compressed upload must declare the batch's length as %s in its signed address (it says %q)", wire.SizeParam, clip(v, 20))
	case size > limit:
		return 0, wire.Errorf(wire.CodeTooLarge, "the batch has %d bytes, the limit is %d", size, limit)
	}
	return size, nil
}

// ingest reads, checks and stores the batch of an upload; size is the batch's length when
// the upload is compressed (uploadSize), else 0.
// The request's nonce is recorded with the batch; nonceKept is set once it is (stored, or
// refused as a replay).
func (s *Server) ingest(w http.ResponseWriter, r *http.Request, dev Device, size int64, nonce Nonce, nonceKept *bool) (Ingested, *wire.Error) {
	n := r.ContentLength
	if !s.budget.acquire(n+size, budgetWait) {
		return Ingested{}, wire.NewError(wire.CodeUnavailable, "the server is busy receiving other batches")
	}
	defer s.budget.release(n + size)
	body := make([]byte, n)
	in, received := s.minRate(w, r.Body)
	got, err := io.ReadFull(http.MaxBytesReader(w, in, s.cfg.MaxBatchBytes), body)
	if err == nil {
		received()
	} else {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			s.m.slowCut.Inc()
			s.log.Warn("slow upload cut", "device", dev.ID, "received", got, "declared", n,
				"min_rate_kib_s", s.cfg.MinUploadRate>>10, "grace", s.cfg.UploadGrace.String())
			return Ingested{}, wire.Errorf(wire.CodeTimeout, "the upload arrived slower than %d KiB/s (%d of %d bytes received); it was cut",
				s.cfg.MinUploadRate>>10, got, n)
		}
		return Ingested{}, wire.Errorf(wire.CodeMalformed, "the upload stopped after %d of %d bytes", got, n)
	}
	s.m.bytesIn.Add(float64(n))
	if size > 0 {
		var werr *wire.Error
		if body, werr = gunzipUpload(body, size); werr != nil {
			return Ingested{}, werr
		}
	}
	cpuSlots <- struct{}{}
	b, revs, err := s.check(r, dev, body)
	<-cpuSlots
	if err == nil {
		// The whole batch is here and verified: store it even if the device hangs up now,
		// so that its next attempt gets the receipt at once.
		ctx := context.WithoutCancel(r.Context())
		var res Ingested
		res, err = s.store.Ingest(ctx, Upload{Device: dev, Batch: b, Revisions: revs, Server: s.device, Time: s.cfg.Now().UTC(), Nonce: &nonce})
		if err == nil || errors.Is(err, ErrReplayed) {
			*nonceKept = true
		}
		if err == nil {
			return res, nil
		}
		if errors.Is(err, ErrReplayed) {
			return Ingested{}, errReplayed()
		}
	}
	var ce *ContentError
	var rec recorded
	switch {
	case errors.As(err, &rec):
		return Ingested{}, s.signedRefusal(r, rec.r)
	case errors.As(err, &ce):
		return s.refuse(r, dev, b, ce)
	}
	return Ingested{}, s.fail(r, "store batch", err)
}

// gunzipUpload decompresses a compressed upload, which must give exactly size bytes.
func gunzipUpload(body []byte, size int64) ([]byte, *wire.Error) {
	bad := func() *wire.Error {
		return wire.Errorf(wire.CodeMalformed, "the compressed upload does not decompress to the %d bytes its address declares", size)
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		return nil, bad()
	}
	out := make([]byte, size)
	if _, err := io.ReadFull(zr, out); err != nil {
		return nil, bad()
	}
	if n, err := zr.Read(make([]byte, 1)); n > 0 || err != io.EOF {
		return nil, bad()
	}
	return out, nil
}

// recorded is the earlier refusal of a batch sent again.
type recorded struct{ r RefusalRecord }

func (r recorded) Error() string { return r.r.Message.Get(survey.LangEN) }

// refuse answers the refusal ce of batch b of dev, whose signature verified with dev's key:
// recorded (so that the same batch gets the same answer) and signed. A batch the server
// already holds (sent again after its device's role or scope changed) gets its receipt.
func (s *Server) refuse(r *http.Request, dev Device, b *batch.Batch, ce *ContentError) (Ingested, *wire.Error) {
	ctx := context.WithoutCancel(r.Context())
	m := &b.Manifest
	if rc, err := s.store.Receipt(ctx, m.ID); err == nil && rc.Hash == b.Hash() {
		return Ingested{Receipt: rc, Replay: true}, nil
	}
	rec, err := s.store.Refuse(ctx, RefusalRecord{Batch: m.ID, Hash: b.Hash(), Device: dev.ID, Seq: m.Sequence, Code: ce.Err.Code,
		Reason: ce.Reason, Message: survey.T(ce.Err.Message, ce.Err.MessageVI), Time: s.cfg.Now().UTC(),
		Manifest: b.ManifestBytes, Signature: b.SignatureBytes})
	if err != nil {
		return Ingested{}, s.fail(r, "record refusal", err)
	}
	return Ingested{}, s.signedRefusal(r, rec)
}

// signedRefusal is the error answer for a recorded refusal, with the server's signed
// refusal beside it. Ed25519 signatures are deterministic: the same record always gets the
// same bytes.
func (s *Server) signedRefusal(r *http.Request, rec RefusalRecord) *wire.Error {
	rf := wire.Refusal{Format: wire.RefusalFormat, Batch: rec.Batch, Hash: rec.Hash, Device: rec.Device, Seq: rec.Seq,
		Code: rec.Code, Reason: rec.Reason.Get(survey.LangEN), ReasonVI: rec.Reason.Get(survey.LangVI),
		Message: rec.Message.Get(survey.LangEN), MessageVI: rec.Message.Get(survey.LangVI),
		Refused: wire.FormatTime(rec.Time), Server: s.fingerprint}
	canon := rf.Canonical()
	sig, err := s.sign(canon, wire.NamespaceRefusal)
	if err != nil {
		return s.fail(r, "sign refusal", err)
	}
	return &wire.Error{Code: rf.Code, Message: rf.Message, MessageVI: rf.MessageVI, Status: wire.HTTPStatus(rf.Code),
		Refusal: &wire.SignedRefusal{Refusal: canon, Signature: string(sshsig.Armor(sig))}}
}

// check reads and verifies an uploaded batch of dev. A batch whose signature verifies with
// dev's key but that is refused for its content gets a *ContentError (to be signed and
// recorded), or its earlier refusal (recorded); any other refusal is a
// *wire.Error, not recorded (a damaged or forged batch says nothing of the device).
//
// The content refusals: a decision the device's role does not make
// (wire.CodeDecisionNotAllowed), a supervisor's decision outside its scope
// (wire.CodeOutOfScope), a payload that cannot be decrypted with the server's keys or
// decoded, a malformed revision, and (from Ingest) revisions of another device the server
// does not hold, a reused sequence number, a reused batch id, a device bound to another
// key. Not recorded: a batch that does not parse or whose signature or payload hash fails
// (it may be damaged on the way: an intact copy must still get through), a questionnaire
// version the server does not know (publishing it lets the same batch in) and a payload
// over the size limit (raising the limit does).
func (s *Server) check(r *http.Request, dev Device, body []byte) (*batch.Batch, []survey.Revision, error) {
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
	if rec, err := s.store.Refusal(r.Context(), b.Manifest.ID, b.Hash()); err == nil {
		// Refused before: the same answer, once the signature shows it is that batch.
		if err := batch.Verify(b, signers); err != nil {
			return nil, nil, ErrorOf(err)
		}
		return nil, nil, recorded{rec}
	} else if !errors.Is(err, ErrNotFound) {
		return nil, nil, s.fail(r, "look up refusal", err)
	}
	role := dev.Role
	if role == "" {
		role = survey.RoleAssessor
	}
	var knownErr error
	revs, err := hub.Check(b, hub.Options{Signers: signers, Identities: s.cfg.Identities,
		Known: func(q batch.QuestionnaireRef) bool {
			ok, err := s.known(r.Context(), q)
			if err != nil && knownErr == nil {
				knownErr = err
			}
			return ok
		},
		Role: func(string, ssh.PublicKey) survey.Role { return role }})
	if knownErr != nil {
		// The published questionnaires could not be read: not the batch's fault, and not
		// an "unknown questionnaire" either. The device retries.
		return nil, nil, s.fail(r, "read published questionnaires", knownErr)
	}
	if err != nil {
		we := ErrorOf(err)
		if we.Retryable() || errors.Is(err, batch.ErrBadSignature) || errors.Is(err, batch.ErrUnknownSigner) ||
			errors.Is(err, batch.ErrPayloadHash) || errors.Is(err, batch.ErrUnknownQuestionnaire) || errors.Is(err, batch.ErrTooLarge) {
			return nil, nil, we
		}
		reason := hub.Reason(err)
		if reason == nil {
			reason = survey.T("rejected", "bị từ chối")
		}
		return b, nil, &ContentError{Err: we, Reason: reason}
	}
	if err := s.checkScope(r.Context(), dev, revs); err != nil {
		return b, nil, err
	}
	return b, revs, nil
}

// checkScope refuses the decisions and the assignments (see scopedOf) of a supervisor's
// device with a scope on interviews outside it, or whose province is unknown (the server
// does not hold the interview, and an assignment's batch does not give it). The server
// checks who decides, not the transition: the decision was checked where it was made, and
// refusing it here for the state the server holds would strand the batch.
func (s *Server) checkScope(ctx context.Context, dev Device, revs []survey.Revision) error {
	if dev.Role != survey.RoleSupervisor || len(dev.Scope) == 0 {
		return nil
	}
	sc := scopedOf(dev, revs)
	if len(sc.decided) == 0 && len(sc.assigned) == 0 {
		return nil
	}
	provs, err := s.store.Provinces(ctx, append(slices.Clone(sc.decided), sc.assigned...))
	if err != nil {
		return err
	}
	reason := survey.T("decision outside the supervisor's provinces", "quyết định ngoài các tỉnh của người giám sát")
	scope := strings.Join(dev.Scope, ", ")
	for _, iv := range sc.decided {
		p, ok := provs[iv]
		switch {
		case !ok:
			return contentError(wire.CodeOutOfScope, reason, survey.T(
				fmt.Sprintf("the server does not hold interview %s yet, so it cannot check that it is in this supervisor's provinces (%s)", clip(iv, 64), scope),
				fmt.Sprintf("máy chủ chưa có cuộc phỏng vấn %s nên không thể kiểm tra nó thuộc các tỉnh của người giám sát này (%s)", clip(iv, 64), scope)))
		case !dev.Covers(p):
			return contentError(wire.CodeOutOfScope, reason, survey.T(
				fmt.Sprintf("interview %s is in %q, outside this supervisor's provinces (%s)", clip(iv, 64), p, scope),
				fmt.Sprintf("cuộc phỏng vấn %s ở %q, ngoài các tỉnh của người giám sát này (%s)", clip(iv, 64), p, scope)))
		}
	}
	return sc.checkAssigned(dev, provs, scope)
}

func refsOf(refs []batch.QuestionnaireRef) string {
	var parts []string
	for _, q := range refs {
		parts = append(parts, q.String())
	}
	return strings.Join(parts, ", ")
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
// An error means the published versions could not be read (q's fate is unknown).
func (s *Server) known(ctx context.Context, q batch.QuestionnaireRef) (bool, error) {
	if s.cfg.Known != nil && s.cfg.Known(q) {
		return true, nil
	}
	s.pubMu.Lock()
	ok := s.published[q]
	s.pubMu.Unlock()
	if ok {
		return true, nil
	}
	pubs, err := s.store.Questionnaires(ctx)
	if err != nil {
		return false, err
	}
	s.pubMu.Lock()
	defer s.pubMu.Unlock()
	for _, p := range pubs {
		s.published[batch.QuestionnaireRef{ID: p.ID, Version: p.Version}] = true
	}
	return s.published[q], nil
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
	sups, err := s.supervisorLines(r.Context(), dev.ID)
	if err != nil {
		return s.fail(r, "list supervisors", err)
	}
	auth, _ := wire.ParseRequestAuth(r.Header.Get(wire.AuthHeader))
	in := wire.Inbox{Protocol: wire.MaxProtocolVersion, Device: dev.ID, Nonce: auth.Nonce, Cursor: page.Cursor, More: page.More,
		Revisions: []json.RawMessage{}, Questionnaires: []wire.Questionnaire{}, Supervisors: sups}
	for _, q := range page.Questionnaires {
		in.Questionnaires = append(in.Questionnaires, wire.Questionnaire{ID: q.ID, Version: q.Version,
			Published: wire.FormatTime(q.Published), Source: q.Source, Signature: q.Signature})
	}
	body, err := encodeInbox(in, page.Revisions)
	if err != nil {
		return s.fail(r, "encode inbox", err)
	}
	return s.writeSignedBody(w, r, body, wire.NamespaceInbox, true)
}

// encodeInbox encodes in with revs as its revisions, each in its canonical encoding.
// json.Marshal would check and compact every revision's bytes again (a third of the
// inbox's cost for a large page); the canonical encoding is compact JSON already, so the
// revisions are written into the "revisions" array as they are. That array is empty in in
// and comes before any string a device or an administrator chose, so its first occurrence
// is it.
func encodeInbox(in wire.Inbox, revs []survey.Revision) ([]byte, error) {
	in.Revisions = []json.RawMessage{}
	head, err := json.Marshal(in)
	if err != nil {
		return nil, err
	}
	const empty = `"revisions":[]`
	at := bytes.Index(head, []byte(empty))
	if at < 0 {
		return nil, errors.New(`encode inbox: no "revisions" array`)
	}
	at += len(empty) - 1 // at the closing bracket
	out := make([]byte, 0, len(head)+len(revs)*600)
	out = append(out, head[:at]...)
	for i, rv := range revs {
		b, err := rv.MarshalJSON()
		if err != nil {
			return nil, fmt.Errorf("encode revision %.12s: %w", rv.ID, err)
		}
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, b...)
	}
	return append(out, head[at:]...), nil
}

// authenticate checks a device's signed request (wire.RequestAuth) for the device id the
// path names, and records its nonce (a request already used is refused).
func (s *Server) authenticate(r *http.Request, id string) (Device, *wire.Error) {
	dev, n, werr := s.verifyRequest(r, id)
	if werr != nil {
		return Device{}, werr
	}
	fresh, err := s.store.UseNonce(r.Context(), n.Key, n.Now, n.Keep)
	if err != nil {
		return Device{}, s.fail(r, "record nonce", err)
	}
	if !fresh {
		return Device{}, errReplayed()
	}
	return dev, nil
}

// errReplayed is the answer to a signed request already used.
func errReplayed() *wire.Error { return wire.NewError(wire.CodeAuthFailed, ErrReplayed.Error()) }

// freshNonce refuses a request whose nonce is recorded already (Store.NonceUsed), without
// recording it.
func (s *Server) freshNonce(r *http.Request, n Nonce) *wire.Error {
	used, err := s.store.NonceUsed(r.Context(), n.Key, n.Now)
	if err != nil {
		return s.fail(r, "read nonce", err)
	}
	if used {
		return errReplayed()
	}
	return nil
}

// verifyRequest checks a device's signed request (wire.RequestAuth) for the device id the
// path names, and returns the nonce to record: kept for twice the skew (a request is
// acceptable from ClockSkew before to ClockSkew after its time, and the store keeps the
// nonce across restarts).
func (s *Server) verifyRequest(r *http.Request, id string) (Device, Nonce, *wire.Error) {
	h := r.Header.Get(wire.AuthHeader)
	if h == "" {
		return Device{}, Nonce{}, wire.Errorf(wire.CodeAuthFailed, "the request has no %s header", wire.AuthHeader)
	}
	auth, err := wire.ParseRequestAuth(h)
	if err != nil {
		return Device{}, Nonce{}, wire.NewError(wire.CodeAuthFailed, err.Error())
	}
	if auth.Device != id {
		return Device{}, Nonce{}, wire.Errorf(wire.CodeAuthFailed, "the request is signed as device %s for device %s", clip(auth.Device, 64), clip(id, 64))
	}
	if !ValidDeviceID(id) {
		return Device{}, Nonce{}, wire.Errorf(wire.CodeMalformed, "%q is not a device id", clip(id, 70))
	}
	dev, werr := s.activeDevice(r, id)
	if werr != nil {
		return Device{}, Nonce{}, werr
	}
	now := s.cfg.Now()
	sent := time.Unix(auth.Time, 0)
	if d := now.Sub(sent); d > s.cfg.ClockSkew || d < -s.cfg.ClockSkew {
		return Device{}, Nonce{}, wire.Errorf(wire.CodeClockSkew, "device clock %s, server clock %s", sent.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	sig, err := sshsig.ParseSignature(auth.Signature)
	if err != nil {
		return Device{}, Nonce{}, wire.NewError(wire.CodeAuthFailed, "the signature cannot be read")
	}
	pub, err := parseDeviceKey(dev.PublicKey)
	if err != nil {
		return Device{}, Nonce{}, s.fail(r, "device key", err)
	}
	if err := sshsig.Verify(bytes.NewReader(auth.Message(r.Method, r.RequestURI)), sig, pub, sshsig.HashSHA512, wire.NamespaceRequest); err != nil {
		return Device{}, Nonce{}, wire.Errorf(wire.CodeAuthFailed, "the signature does not verify with the key enrolled for device %s", id)
	}
	return dev, Nonce{Key: auth.Device + "/" + auth.Nonce, Now: now, Keep: 2 * s.cfg.ClockSkew}, nil
}
