package client

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/fieldsurvey/fieldsurvey/internal/atomicfile"
	"io"
	"io/fs"
	"math"
	mrand "math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
	"github.com/fieldsurvey/fieldsurvey/sync/batch"
	"github.com/fieldsurvey/fieldsurvey/sync/wire"
)

// Folders and files of sync in the home folder.
const (
	OutboxDir  = "outbox"          // batches waiting to be sent (written by CreateBatch)
	SentDir    = "sent"            // batches the server acknowledged, each with NAME.receipt.json
	RefusedDir = "outbox/refused"  // batches the server refused for their content, each with NAME.refusal.json
	StateFile  = "sync-state.json" // when sync last ran, sent, failed
)

// Suffixes of the files kept beside a sent or refused batch.
const (
	ReceiptSuffix = ".receipt.json"
	RefusalSuffix = ".refusal.json"
)

// metaCursor is the local store's meta key of the feed cursor, per server key (a device
// enrolled with another server starts that server's feed from the beginning). It is not
// the key of the inbox before the feed ("sync.inbox_cursor:…"), whose positions mean
// something else: a device coming from that version reads the feed from the beginning
// (what it already holds counts as present).
func (s *syncer) metaCursor() string { return "sync.feed_cursor:" + s.e.Fingerprint }

// Catalog is where downloaded questionnaire versions go (questionnaires.Catalog).
type Catalog interface {
	Add(path string) (*survey.Questionnaire, error)
}

// Packed is a batch just made from pending revisions.
type Packed struct {
	Seq       uint64 `json:"seq"`
	Batch     string `json:"batch"`
	Revisions int    `json:"revisions"`
	Path      string `json:"path"`
}

// Retry is how failed requests are retried: up to Attempts tries, waiting between them a
// random time in [d/2, d] where d doubles from Base up to Max. An answer with Retry-After
// (a busy server's 503) is waited for at least that long, with up to a quarter more at
// random, but not beyond Max.
type Retry struct {
	Attempts int           // default 6
	Base     time.Duration // default 500 ms
	Max      time.Duration // default 30 s
}

// Options configure Sync.
type Options struct {
	Home   string
	URL    string       // the server; default: the one the device enrolled with
	Store  *store.Store // the device's store: downloads are applied to it
	Signer ssh.Signer   // the device key
	// Pack makes a batch of the revisions not yet in one, into the outbox, and returns it
	// (nil when nothing was pending). nil: the outbox is sent as it is.
	Pack    func(ctx context.Context) (*Packed, error)
	Catalog Catalog // nil: published questionnaires are reported but not installed
	HTTP    *http.Client
	Retry   Retry
	// Progress, when set, is told what happens, as it happens.
	Progress func(Event)
	Now      func() time.Time
	Rand     io.Reader
}

// EventKind says what an Event reports.
type EventKind string

// The events of a sync.
const (
	EventPacked        EventKind = "packed"        // a batch was made of pending revisions
	EventSending       EventKind = "sending"       // a batch is being sent
	EventSent          EventKind = "sent"          // the server acknowledged a batch
	EventRetry         EventKind = "retry"         // a request failed and will be tried again
	EventDownloaded    EventKind = "downloaded"    // revisions came down
	EventQuestionnaire EventKind = "questionnaire" // a published questionnaire was installed
	EventWarning       EventKind = "warning"       // something was skipped (Err says what)
	EventRefused       EventKind = "refused"       // the server refused a batch for good (signed); it moved to outbox/refused
)

// Event is one step of a sync, for progress display.
type Event struct {
	Kind    EventKind
	Seq     uint64        // the batch's sequence number
	Batch   string        // the batch id
	N       int           // which batch of Total (from 1), or how many revisions came down
	Total   int           // batches to send
	Bytes   int64         // the batch's size
	Attempt int           // retry: the attempt that failed (from 1)
	Wait    time.Duration // retry: the wait before the next attempt
	Err     error         // retry, warning: what went wrong
	Name    string        // questionnaire: id@version
}

// Sent is a batch the server acknowledged in this sync.
type Sent struct {
	Seq       uint64 `json:"seq"`
	Batch     string `json:"batch"`
	Bytes     int64  `json:"bytes"`
	Revisions int    `json:"revisions"`
	Added     int    `json:"added"`
	Present   int    `json:"present"`
	Replay    bool   `json:"replay"`
	Received  string `json:"received"`
}

// Refused is a batch the server refused for its content, with the server's signed refusal:
// it was moved from the outbox to outbox/refused (its revisions stay in the local store).
type Refused struct {
	Seq       uint64 `json:"seq"`
	Batch     string `json:"batch"`
	Code      string `json:"code"`
	Reason    string `json:"reason"` // the check that failed, short
	ReasonVI  string `json:"reason_vi"`
	Message   string `json:"message"` // the server's whole sentence
	MessageVI string `json:"message_vi"`
	Refused   string `json:"refused"` // when the server first refused it (wire.TimeFormat)
	Path      string `json:"path"`    // where the batch file is now
}

// Decision is a supervisor's approval or return that came down.
type Decision struct {
	Interview string `json:"interview"`
	Status    string `json:"status"`
	Reason    string `json:"reason,omitempty"`
	By        string `json:"by,omitempty"`
}

// Result is what a sync did.
type Result struct {
	Server         string     `json:"server"`
	Packed         *Packed    `json:"packed,omitempty"`
	Sent           []Sent     `json:"sent"`
	Waiting        int        `json:"waiting"` // batches still in the outbox
	Downloaded     int        `json:"downloaded"`
	Refused        []Refused  `json:"refused"`  // batches refused for good in this sync
	Returned       []Decision `json:"returned"` // decisions that came down and are the interview's status now
	Approved       []Decision `json:"approved"`
	Reopened       []Decision `json:"reopened"`
	Questionnaires []string   `json:"questionnaires"`
	Warnings       []string   `json:"warnings"`
}

type syncer struct {
	o      Options
	e      *Enrolment
	base   string
	pub    ssh.PublicKey
	hc     *http.Client
	jitter *mrand.Rand
	res    Result
	// compress: send batches gzip-compressed (the server said it accepts them, in this
	// sync or an earlier one); advertised: the last answer said so.
	compress, advertised bool
}

// Sync packs pending revisions into a batch (Options.Pack), sends the outbox in sequence
// order, and applies what waits for the device on the server. It is safe to interrupt and
// to run again. The Result says what was done even when an error ends the sync early.
func Sync(ctx context.Context, o Options) (Result, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Rand == nil {
		o.Rand = rand.Reader
	}
	if o.HTTP == nil {
		o.HTTP = DefaultHTTPClient()
	}
	if o.Retry.Attempts <= 0 {
		o.Retry.Attempts = 6
	}
	if o.Retry.Base <= 0 {
		o.Retry.Base = 500 * time.Millisecond
	}
	if o.Retry.Max <= 0 {
		o.Retry.Max = 30 * time.Second
	}
	var seed [16]byte
	if _, err := io.ReadFull(o.Rand, seed[:]); err != nil {
		return Result{}, fmt.Errorf("sync: read random: %w", err)
	}
	s := &syncer{o: o, hc: o.HTTP, res: Result{Sent: []Sent{}, Refused: []Refused{}, Returned: []Decision{}, Approved: []Decision{},
		Reopened: []Decision{}, Questionnaires: []string{}, Warnings: []string{}},
		jitter: mrand.New(mrand.NewPCG(beUint64(seed[:8]), beUint64(seed[8:])))}
	err := s.run(ctx)
	if n, cerr := countOutbox(o.Home); cerr == nil {
		s.res.Waiting = n
	}
	s.saveState(err)
	return s.res, err
}

func beUint64(b []byte) uint64 {
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return v
}

func (s *syncer) run(ctx context.Context) error {
	e, err := LoadEnrolment(s.o.Home)
	if err != nil {
		return err
	}
	s.e = e
	if s.pub, err = e.PublicKey(); err != nil {
		return err
	}
	s.base = e.URL
	if s.o.URL != "" {
		if s.base, err = serverURL(s.o.URL); err != nil {
			return err
		}
	}
	s.res.Server = s.base
	if s.o.Signer == nil {
		return errors.New("sync: no device key; run `fieldsurvey init`")
	}
	if s.o.Store == nil {
		return errors.New("sync: no store to apply downloads to")
	}
	if v, _, err := s.o.Store.GetMeta(ctx, s.metaCompress()); err == nil {
		s.compress = v == wire.UploadEncoding
	}
	if s.o.Pack != nil {
		p, err := s.o.Pack(ctx)
		if err != nil {
			return fmt.Errorf("make a batch of pending changes: %w", err)
		}
		if p != nil {
			s.res.Packed = p
			s.event(Event{Kind: EventPacked, Seq: p.Seq, Batch: p.Batch, N: p.Revisions})
		}
	}
	upErr := s.sendOutbox(ctx)
	if upErr != nil && !onlyBatchRefusals(upErr) {
		return upErr // offline, interrupted, or the device refused: downloading would fail the same way
	}
	downErr := s.download(ctx)
	return errors.Join(upErr, downErr)
}

func (s *syncer) event(e Event) {
	if s.o.Progress != nil {
		s.o.Progress(e)
	}
}

func (s *syncer) warn(err error) {
	s.res.Warnings = append(s.res.Warnings, err.Error())
	s.event(Event{Kind: EventWarning, Err: err})
}

// outboxEntry is a batch file in the outbox.
type outboxEntry struct {
	path     string
	name     string
	data     []byte
	batch    *batch.Batch
	manifest batch.Manifest
}

func countOutbox(home string) (int, error) {
	ents, err := os.ReadDir(filepath.Join(home, OutboxDir))
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range ents {
		if e.Type().IsRegular() && strings.HasSuffix(e.Name(), batch.Ext) && !strings.HasPrefix(e.Name(), ".") {
			n++
		}
	}
	return n, nil
}

// readOutbox returns the outbox's batches in sequence order; files that are not readable
// batches are reported as warnings and left where they are.
func (s *syncer) readOutbox() ([]outboxEntry, error) {
	dir := filepath.Join(s.o.Home, OutboxDir)
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the outbox: %w", err)
	}
	var out []outboxEntry
	for _, de := range ents {
		name := de.Name()
		if !de.Type().IsRegular() || !strings.HasSuffix(name, batch.Ext) || strings.HasPrefix(name, ".") {
			continue
		}
		p := filepath.Join(dir, name)
		data, err := os.ReadFile(p)
		if err != nil {
			s.warn(fmt.Errorf("outbox file %s cannot be read: %w", name, err))
			continue
		}
		b, err := batch.Read(bytes.NewReader(data), batch.Limits{})
		if err != nil {
			s.warn(&survey.UserError{Msg: survey.T(
				fmt.Sprintf("outbox file %s is not a readable batch (%v); it was left in place, not sent", name, err),
				fmt.Sprintf("tệp %s trong outbox không phải lô dữ liệu đọc được (%s); tệp được để nguyên, không gửi", name, survey.ErrorText(err).Get(survey.LangVI)))})
			continue
		}
		if b.Manifest.Device != s.e.Device {
			s.warn(fmt.Errorf("outbox file %s is a batch of device %s, not of this device (%s); it was left in place, not sent", name, b.Manifest.Device, s.e.Device))
			continue
		}
		out = append(out, outboxEntry{path: p, name: name, data: data, batch: b, manifest: b.Manifest})
	}
	slices.SortFunc(out, func(a, b outboxEntry) int {
		if a.manifest.Sequence != b.manifest.Sequence {
			if a.manifest.Sequence < b.manifest.Sequence {
				return -1
			}
			return 1
		}
		return strings.Compare(a.name, b.name)
	})
	return out, nil
}

func (s *syncer) sendOutbox(ctx context.Context) error {
	entries, err := s.readOutbox()
	if err != nil {
		return err
	}
	var refused []error
	for i, en := range entries {
		s.event(Event{Kind: EventSending, Seq: en.manifest.Sequence, Batch: en.manifest.ID, N: i + 1, Total: len(entries), Bytes: int64(len(en.data))})
		sent, err := s.upload(ctx, en)
		var we *wire.Error
		if err != nil && errors.As(err, &we) && we.Refusal != nil {
			// Refused for good, with the server's signature: the batch moves aside.
			rf, verr := s.checkRefusal(*we.Refusal, en)
			if verr != nil {
				return errors.Join(append(refused, fmt.Errorf("send batch %d (%s): the server refused it (%s), but its refusal is %v; the batch stays in the outbox",
					en.manifest.Sequence, en.name, we.Message, verr))...)
			}
			path, merr := s.markRefused(en, *we.Refusal)
			if merr != nil {
				return errors.Join(append(refused, fmt.Errorf("batch %d was refused by the server, but moving it to %s failed (it will be sent again and refused the same way): %w",
					en.manifest.Sequence, RefusedDir, merr))...)
			}
			s.res.Refused = append(s.res.Refused, Refused{Seq: rf.Seq, Batch: rf.Batch, Code: string(rf.Code), Reason: rf.Reason, ReasonVI: rf.ReasonVI,
				Message: rf.Message, MessageVI: rf.MessageVI, Refused: rf.Refused, Path: path})
			s.event(Event{Kind: EventRefused, Seq: en.manifest.Sequence, Batch: en.manifest.ID, N: i + 1, Total: len(entries),
				Err: &wire.Error{Code: rf.Code, Message: rf.Message, MessageVI: rf.MessageVI}})
			continue
		}
		if err != nil {
			err = fmt.Errorf("send batch %d (%s): %w", en.manifest.Sequence, en.name, err)
			if batchRefusal(err) {
				// This batch cannot go as it is; the ones after it can. It stays in the
				// outbox, and the server's list of devices shows its number missing.
				refused = append(refused, err)
				s.event(Event{Kind: EventWarning, Seq: en.manifest.Sequence, Batch: en.manifest.ID, Err: err})
				continue
			}
			return errors.Join(append(refused, err)...)
		}
		if err := s.markSent(en, sent.signed); err != nil {
			return fmt.Errorf("batch %d was received by the server, but recording it failed (it will be sent again, harmlessly): %w", en.manifest.Sequence, err)
		}
		s.res.Sent = append(s.res.Sent, sent.Sent)
		s.event(Event{Kind: EventSent, Seq: en.manifest.Sequence, Batch: en.manifest.ID, N: i + 1, Total: len(entries), Bytes: int64(len(en.data))})
	}
	return errors.Join(refused...)
}

// onlyBatchRefusals reports whether err holds only refusals of single batches.
func onlyBatchRefusals(err error) bool {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			if !onlyBatchRefusals(e) {
				return false
			}
		}
		return true
	}
	return batchRefusal(err)
}

// batchRefusal reports whether err is the server's refusal of one batch for what it holds
// (its content, format or questionnaire), as opposed to a refusal of the device itself
// (revoked, unknown) or a failure to reach the server: the sync goes on with the next
// batch.
func batchRefusal(err error) bool {
	var we *wire.Error
	if !errors.As(err, &we) {
		return false
	}
	switch we.Code {
	case wire.CodeBadSignature, wire.CodePayloadHash, wire.CodeNotBatch, wire.CodeUnsupportedVersion,
		wire.CodeUnknownQuestionnaire, wire.CodeBadBatch, wire.CodeBatchConflict, wire.CodeTooLarge, wire.CodeWrongSigner,
		wire.CodeDecisionNotAllowed, wire.CodeOutOfScope:
		return true
	}
	return false
}

type uploaded struct {
	Sent
	signed []byte // the SignedReceipt as received
}

// upload sends one batch: gzip-compressed when the server has said it accepts that (see
// wire.CompressedUploadPath) and it makes the upload smaller, else as it is. A compressed
// upload refused by a server that does not say so any more (one put back to an older
// release) is sent again as it is at once.
func (s *syncer) upload(ctx context.Context, en outboxEntry) (uploaded, error) {
	out, compressed, err := s.uploadOnce(ctx, en)
	if err != nil && compressed && !s.advertised && batchRefusal(err) {
		s.setCompress(ctx, false)
		out, _, err = s.uploadOnce(ctx, en)
	}
	return out, err
}

// metaCompress remembers that the server accepts compressed uploads.
func (s *syncer) metaCompress() string { return "sync.upload_gzip:" + s.e.Fingerprint }

// setCompress records whether the server accepts compressed uploads (a failure to record
// it costs only bytes: a warning).
func (s *syncer) setCompress(ctx context.Context, on bool) {
	if s.compress == on {
		return
	}
	s.compress = on
	v := ""
	if on {
		v = wire.UploadEncoding
	}
	if err := s.o.Store.SetMeta(ctx, s.metaCompress(), v); err != nil {
		s.warn(err)
	}
}

func gzipBytes(data []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(data)
	zw.Close()
	return buf.Bytes()
}

func (s *syncer) uploadOnce(ctx context.Context, en outboxEntry) (uploaded, bool, error) {
	var out uploaded
	body, target, encoding := en.data, wire.UploadPath(int64(len(en.data))), ""
	if s.compress {
		if z := gzipBytes(en.data); len(z) < len(en.data) {
			body, target, encoding = z, wire.CompressedUploadPath(int64(len(z)), int64(len(en.data))), wire.UploadEncoding
		}
	}
	err := s.retry(ctx, func() error {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.base+target, bytes.NewReader(body))
		if err != nil {
			return permanent(err)
		}
		if encoding != "" {
			req.Header.Set("Content-Encoding", encoding)
		}
		req.Header.Set("Content-Type", wire.ContentTypeBatch)
		req.Header.Set(wire.ProtocolHeader, strconv.Itoa(wire.MaxProtocolVersion))
		req.Header.Set(wire.DeviceHeader, s.e.Device)
		// Signed (with a fresh nonce on every attempt): the server reserves memory for the
		// batch only once it knows the request comes from this enrolled device.
		if _, err := s.sign(req); err != nil {
			return permanent(err)
		}
		answer, err := s.do(req)
		if s.advertised {
			s.setCompress(ctx, true)
		}
		if err != nil {
			return err
		}
		var sr wire.SignedReceipt
		if err := json.Unmarshal(answer, &sr); err != nil {
			return fmt.Errorf("the server's answer is not a receipt: %w", err)
		}
		rc, err := s.checkReceipt(sr, en)
		if err != nil {
			return permanent(err)
		}
		out = uploaded{Sent: Sent{Seq: rc.Seq, Batch: rc.Batch, Bytes: int64(len(en.data)), Revisions: rc.Revisions,
			Added: rc.Added, Present: rc.Present, Replay: sr.Replay, Received: rc.Received}, signed: answer}
		return nil
	})
	return out, encoding != "", err
}

// checkReceipt verifies the server's signature of a receipt and that it is the receipt of
// exactly this batch.
func (s *syncer) checkReceipt(sr wire.SignedReceipt, en outboxEntry) (wire.Receipt, error) {
	if err := verifyArmored(sr.Receipt, sr.Signature, s.pub, wire.NamespaceReceipt); err != nil {
		return wire.Receipt{}, fmt.Errorf("the receipt is %w; the batch stays in the outbox", err)
	}
	rc, err := wire.ParseReceipt(sr.Receipt)
	if err != nil {
		return wire.Receipt{}, fmt.Errorf("the receipt cannot be read: %w", err)
	}
	m := en.manifest
	switch {
	case rc.Batch != m.ID, rc.Hash != en.batch.Hash(), rc.PayloadHash != m.Payload.SHA256:
		return wire.Receipt{}, fmt.Errorf("the receipt is for another batch (%s) than the one sent (%s); the batch stays in the outbox", rc.Batch, m.ID)
	case rc.Device != s.e.Device, rc.Seq != m.Sequence:
		return wire.Receipt{}, fmt.Errorf("the receipt names device %s batch %d, not %s batch %d; the batch stays in the outbox", rc.Device, rc.Seq, s.e.Device, m.Sequence)
	case rc.Revisions != m.Revisions:
		return wire.Receipt{}, fmt.Errorf("the receipt counts %d revisions, the batch has %d; the batch stays in the outbox", rc.Revisions, m.Revisions)
	}
	return rc, nil
}

// markSent keeps the receipt and moves the batch from the outbox to sent/, durably: the
// receipt first, so a batch is never in sent/ without it.
func (s *syncer) markSent(en outboxEntry, signed []byte) error {
	_, err := moveWith(en, filepath.Join(s.o.Home, SentDir), ReceiptSuffix, signed)
	return err
}

// checkRefusal verifies the server's signed refusal of a batch and that it refuses exactly
// this batch.
func (s *syncer) checkRefusal(sr wire.SignedRefusal, en outboxEntry) (wire.Refusal, error) {
	if err := verifyArmored(sr.Refusal, sr.Signature, s.pub, wire.NamespaceRefusal); err != nil {
		return wire.Refusal{}, err
	}
	rf, err := wire.ParseRefusal(sr.Refusal)
	if err != nil {
		return wire.Refusal{}, fmt.Errorf("unreadable: %w", err)
	}
	m := en.manifest
	switch {
	case rf.Batch != m.ID || rf.Hash != en.batch.Hash():
		return wire.Refusal{}, fmt.Errorf("for another batch (%s)", rf.Batch)
	case rf.Device != s.e.Device || rf.Seq != m.Sequence:
		return wire.Refusal{}, fmt.Errorf("for device %s batch %d, not %s batch %d", rf.Device, rf.Seq, s.e.Device, m.Sequence)
	}
	return rf, nil
}

// markRefused keeps the signed refusal and moves the batch from the outbox to
// outbox/refused/, durably, the refusal first. It returns the batch's new path.
func (s *syncer) markRefused(en outboxEntry, sr wire.SignedRefusal) (string, error) {
	// Compact: the refusal's canonical bytes must stay as signed.
	b, err := json.Marshal(sr)
	if err != nil {
		return "", err
	}
	return moveWith(en, filepath.Join(s.o.Home, RefusedDir), RefusalSuffix, append(b, '\n'))
}

// moveWith writes NAME+suffix with data into dir, then moves the batch there, durably.
func moveWith(en outboxEntry, dir, suffix string, data []byte) (string, error) {
	dest := filepath.Join(dir, en.name)
	if err := writeFileAtomic(dest+suffix, data, 0o644); err != nil {
		return "", err
	}
	if err := os.Rename(en.path, dest); err != nil {
		if _, serr := os.Stat(dest); errors.Is(err, fs.ErrNotExist) && serr == nil {
			return dest, nil // another sync moved it meanwhile
		}
		return "", err
	}
	atomicfile.SyncDir(dir)
	atomicfile.SyncDir(filepath.Dir(en.path))
	return dest, nil
}

func (s *syncer) download(ctx context.Context) error {
	trusted := false
	for {
		cur, _, err := s.o.Store.GetMeta(ctx, s.metaCursor())
		if err != nil {
			return fmt.Errorf("read the inbox cursor: %w", err)
		}
		after, _ := strconv.ParseInt(cur, 10, 64)
		var in inboxPage
		err = s.retry(ctx, func() error {
			target := wire.InboxPath(s.e.Device) + "?after=" + strconv.FormatInt(after, 10)
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.base+target, nil)
			if err != nil {
				return permanent(err)
			}
			req.Header.Set(wire.ProtocolHeader, strconv.Itoa(wire.MaxProtocolVersion))
			req.Header.Set("Accept-Encoding", "gzip")
			nonce, err := s.sign(req)
			if err != nil {
				return permanent(err)
			}
			body, hdr, err := s.doHeader(req)
			if err != nil {
				return err
			}
			if err := verifyBody(body, hdr.Get(wire.SignatureHeader), s.pub, wire.NamespaceInbox); err != nil {
				return permanent(fmt.Errorf("download: %w", err))
			}
			in = inboxPage{}
			if err := json.Unmarshal(body, &in); err != nil {
				return permanent(fmt.Errorf("download: the inbox cannot be read: %w", err))
			}
			if in.Device != s.e.Device || in.Nonce != nonce {
				return permanent(errors.New("download: the server answered another request than this one"))
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("download: %w", err)
		}
		if in.Supervisors != nil && !trusted {
			// The supervisors the server vouches for now (a revoked one drops out).
			trusted = true
			if err := trustSupervisors(s.o.Home, s.e.Fingerprint, in.Supervisors); err != nil {
				s.warn(err)
			}
		}
		if err := s.apply(ctx, in, after); err != nil {
			return err
		}
		if !in.More || in.Cursor <= after {
			return nil
		}
	}
}

// apply installs the questionnaires of an inbox page, then appends its revisions and moves
// the cursor in one local transaction.
// inboxPage is wire.Inbox with its revisions decoded as they are read (not kept as raw
// JSON first: a supervisor's first sync reads a hundred thousand of them).
type inboxPage struct {
	wire.Inbox
	Revisions []survey.Revision `json:"revisions"`
}

func (s *syncer) apply(ctx context.Context, in inboxPage, after int64) error {
	for _, q := range in.Questionnaires {
		name := q.ID + "@" + q.Version
		if err := verifyArmored(q.Source, q.Signature, s.pub, wire.NamespaceQuestionnaire); err != nil {
			s.warn(fmt.Errorf("questionnaire %s from the server is %w; it was not installed", name, err))
			continue
		}
		if s.o.Catalog == nil {
			s.warn(fmt.Errorf("questionnaire %s was published by the server, but there is no catalog to install it in", name))
			continue
		}
		if err := s.install(q); err != nil {
			s.warn(fmt.Errorf("questionnaire %s was published by the server but could not be installed: %w", name, err))
			continue
		}
		s.res.Questionnaires = append(s.res.Questionnaires, name)
		s.event(Event{Kind: EventQuestionnaire, Name: name})
	}
	revs := in.Revisions
	// Every revision is checked as Append checks it (its id is the hash of its content,
	// its value decodes), before the transaction.
	verified, err := store.Verify(revs...)
	if err != nil {
		return fmt.Errorf("download: the inbox holds a revision that fails its checks: %w; nothing of this page was stored", err)
	}
	var decided []survey.Revision
	err = s.o.Store.Update(ctx, func(tx *store.Tx) error {
		decided = decided[:0]
		if len(revs) > 0 {
			// They came from the server: recorded as carried (no batch of this device sends
			// them back), in the same statements that store them.
			if _, err := tx.AppendBatch("inbox:"+strconv.FormatInt(in.Cursor, 10), verified); err != nil {
				return err
			}
			// The decisions that are now an interview's status (not an old one that a
			// later revision replaced: a device catching up gets the whole history).
			for _, r := range revs {
				if r.Kind != survey.KindStatus {
					continue
				}
				heads, err := tx.Heads(survey.Target{Interview: r.Interview, Kind: survey.KindStatus})
				if err != nil {
					return err
				}
				if slices.ContainsFunc(heads, func(h survey.Revision) bool { return h.ID == r.ID }) {
					decided = append(decided, r)
				}
			}
		}
		if in.Cursor > after {
			return tx.SetMeta(s.metaCursor(), strconv.FormatInt(in.Cursor, 10))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("download: store what came down: %w", err)
	}
	s.res.Downloaded += len(revs)
	if len(revs) > 0 {
		s.event(Event{Kind: EventDownloaded, N: len(revs)})
	}
	for _, r := range decided {
		var st survey.StatusChange
		if json.Unmarshal(r.Value, &st) != nil {
			continue
		}
		d := Decision{Interview: r.Interview, Status: string(st.Status), Reason: st.Reason, By: r.Author}
		switch st.Status {
		case survey.StatusReturned:
			s.res.Returned = append(s.res.Returned, d)
		case survey.StatusApproved:
			s.res.Approved = append(s.res.Approved, d)
		case survey.StatusReopened:
			s.res.Reopened = append(s.res.Reopened, d)
		}
	}
	return nil
}

func (s *syncer) install(q wire.Questionnaire) error {
	f, err := os.CreateTemp(s.o.Home, ".download-*.yaml")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(q.Source); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	got, err := s.o.Catalog.Add(f.Name())
	if err != nil {
		return err
	}
	if got.ID != q.ID || got.Version != q.Version {
		return fmt.Errorf("the file is questionnaire %s@%s, not %s@%s", got.ID, got.Version, q.ID, q.Version)
	}
	return nil
}

// sign adds the device's signature of req (wire.RequestAuth) and returns its nonce.
func (s *syncer) sign(req *http.Request) (string, error) {
	return SignRequest(req, s.e.Device, s.o.Signer, s.o.Now(), s.o.Rand)
}

// do sends req and returns the body of a 200 answer; any other answer is its *wire.Error.
func (s *syncer) do(req *http.Request) ([]byte, error) {
	b, _, err := s.doHeader(req)
	return b, err
}

func (s *syncer) doHeader(req *http.Request) ([]byte, http.Header, error) {
	s.advertised = false
	resp, err := s.hc.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	for _, v := range resp.Header.Values("Accept-Encoding") {
		for _, c := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(c), wire.UploadEncoding) {
				s.advertised = true
			}
		}
	}
	var r io.Reader = resp.Body
	if strings.EqualFold(resp.Header.Get("Content-Encoding"), "gzip") {
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			return nil, nil, fmt.Errorf("read the server's answer: %w", err)
		}
		defer zr.Close()
		r = zr
	}
	body, err := io.ReadAll(io.LimitReader(r, maxAnswer+1))
	if err != nil {
		return nil, nil, fmt.Errorf("read the server's answer: %w", err)
	}
	if len(body) > maxAnswer {
		return nil, nil, permanent(fmt.Errorf("the server's answer is larger than %d MiB", maxAnswer>>20))
	}
	if resp.StatusCode != http.StatusOK {
		we := wire.FromResponse(resp.StatusCode, body)
		if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), s.o.Now()); ok && we.Retryable() {
			return nil, nil, retryAfterError{we, d}
		}
		return nil, nil, we
	}
	return body, resp.Header, nil
}

// retryAfterError is a retryable answer of the server that said, in its Retry-After
// header, how long to wait before sending the request again (a busy server says 503 with
// Retry-After). It unwraps to the *wire.Error.
type retryAfterError struct {
	err  *wire.Error
	wait time.Duration
}

func (e retryAfterError) Error() string { return e.err.Error() }
func (e retryAfterError) Unwrap() error { return e.err }

// parseRetryAfter reads a Retry-After header: seconds, or an HTTP date (RFC 9110 10.2.3).
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(v); err == nil {
		if n < 0 {
			return 0, false
		}
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// maxAnswer bounds an answer of the server, uncompressed.
const maxAnswer = 256 << 20

// permanentError marks an error that retrying cannot fix.
type permanentError struct{ err error }

func (p permanentError) Error() string { return p.err.Error() }
func (p permanentError) Unwrap() error { return p.err }

func permanent(err error) error { return permanentError{err} }

// isRefusal reports whether err is a refusal (the server, or the checks of this device,
// said no), as opposed to a failure to reach the server.
func isRefusal(err error) bool {
	var p permanentError
	var we *wire.Error
	return errors.As(err, &p) || (errors.As(err, &we) && !we.Retryable())
}

// retry runs fn until it succeeds, fails for good, or Attempts are spent, waiting with
// exponential backoff and jitter in between.
func (s *syncer) retry(ctx context.Context, fn func() error) error {
	var err error
	for attempt := 1; ; attempt++ {
		if cerr := ctx.Err(); cerr != nil {
			if err != nil {
				return fmt.Errorf("%w (last error: %v)", cerr, err)
			}
			return cerr
		}
		err = fn()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("%w (last error: %v)", ctx.Err(), err)
		}
		if isRefusal(err) {
			var p permanentError
			if errors.As(err, &p) {
				return p.err
			}
			return err
		}
		if attempt >= s.o.Retry.Attempts {
			return fmt.Errorf("no answer from the server after %d attempts; what is not sent stays in the outbox for next time: %w", attempt, err)
		}
		d := backoff(s.o.Retry, attempt, s.jitter)
		var ra retryAfterError
		if errors.As(err, &ra) && ra.wait > d {
			// The server said when it can take the request: wait that long, not beyond
			// Max, and a little more at random so that devices told the same do not all
			// come back at once.
			d = min(ra.wait+time.Duration(s.jitter.Float64()*float64(ra.wait)/4), max(s.o.Retry.Max, d))
		}
		s.event(Event{Kind: EventRetry, Attempt: attempt, Wait: d, Err: err})
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w (last error: %v)", ctx.Err(), err)
		case <-t.C:
		}
	}
}

// backoff returns the wait after the attempt-th failure: a random time in [d/2, d] with
// d = Base·2^(attempt-1), at most Max.
func backoff(r Retry, attempt int, rnd *mrand.Rand) time.Duration {
	d := float64(r.Base) * math.Pow(2, float64(attempt-1))
	if d > float64(r.Max) {
		d = float64(r.Max)
	}
	return time.Duration(d/2 + rnd.Float64()*d/2)
}
