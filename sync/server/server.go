package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"filippo.io/age"
	"github.com/hiddeco/sshsig"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/crypto/ssh"

	"github.com/fieldsurvey/fieldsurvey/sync/batch"
	"github.com/fieldsurvey/fieldsurvey/sync/wire"
)

// Config configures a Server. Store and Key are required; every other field has a default.
type Config struct {
	Store Store
	Key   ssh.Signer // the server key: signs receipts, inboxes, enrolments, questionnaires
	// Identities decrypt batch payloads encrypted with age (the server key as an
	// ssh-ed25519 identity, typically).
	Identities []age.Identity
	// Known reports whether the server knows a questionnaire version besides the ones it
	// publishes (the bundled ones). nil: only published versions are known.
	Known func(batch.QuestionnaireRef) bool

	Logger   *slog.Logger         // default: discard
	Registry *prometheus.Registry // default: a new registry with Go and process metrics

	MaxBatchBytes int64 // largest upload (default 64 MiB)
	MaxJSONBytes  int64 // largest JSON request body (default 64 KiB)
	UploadBudget  int64 // batch bytes held in memory at once, over all uploads (default 512 MiB)
	// MinUploadRate is the slowest average rate, in bytes a second, at which an upload's
	// body must arrive once UploadGrace has passed; a slower upload is cut and its memory
	// released (default 64 KiB/s; a 64 MiB batch then has 17 minutes).
	MinUploadRate int64
	UploadGrace   time.Duration // time an upload has before MinUploadRate applies (default 10 s)
	// DataDir is the server's data folder (the store file DBFile is in it). /healthz checks
	// that the folder and the store file are writable and that the folder's file system has
	// MinFreeBytes free; empty: those checks are not made.
	DataDir string
	// MinFreeBytes is the free space below which /healthz fails (default twice
	// MaxBatchBytes: room to store the largest batch while another arrives).
	MinFreeBytes int64
	ClockSkew    time.Duration // largest accepted difference between a device's clock and the server's (default 5 min)
	InboxLimit   int           // revisions (and questionnaires) per inbox page, whole feed rows (default 2000)

	ReadHeaderTimeout time.Duration // default 10 s
	ReadTimeout       time.Duration // whole request, body included (default 10 min: a 64 MiB batch on a slow line)
	WriteTimeout      time.Duration // default 10 min
	IdleTimeout       time.Duration // default 2 min
	ShutdownTimeout   time.Duration // how long Serve waits for in-flight requests on shutdown (default 30 s)

	Now  func() time.Time // default time.Now
	Rand io.Reader        // default crypto/rand
}

// Server is the central server: an http.Handler over a Store.
type Server struct {
	cfg         Config
	store       Store
	key         ssh.Signer
	fingerprint string
	device      string // ServerDevice of the key: the device of the server's own revisions
	log         *slog.Logger
	m           *metrics
	budget      *budget
	sending     *deviceSlots // one upload in flight per device
	reqID       atomic.Uint64
	reqPrefix   string
	draining    atomic.Bool

	pubMu     sync.Mutex
	published map[batch.QuestionnaireRef]bool
}

// New returns a server for cfg.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, errors.New("server: no store")
	}
	if cfg.Key == nil {
		return nil, errors.New("server: no key")
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	if cfg.MaxBatchBytes <= 0 {
		cfg.MaxBatchBytes = batch.DefaultLimits.MaxSize
	}
	if cfg.MaxJSONBytes <= 0 {
		cfg.MaxJSONBytes = 64 << 10
	}
	if cfg.UploadBudget <= 0 {
		cfg.UploadBudget = 512 << 20
	}
	cfg.UploadBudget = max(cfg.UploadBudget, cfg.MaxBatchBytes)
	if cfg.MinFreeBytes <= 0 {
		cfg.MinFreeBytes = 2 * cfg.MaxBatchBytes
	}
	if cfg.MinUploadRate <= 0 {
		cfg.MinUploadRate = 64 << 10
	}
	def(&cfg.UploadGrace, 10*time.Second)
	if cfg.InboxLimit <= 0 {
		cfg.InboxLimit = 2000
	}
	def(&cfg.ClockSkew, 5*time.Minute)
	def(&cfg.ReadHeaderTimeout, 10*time.Second)
	def(&cfg.ReadTimeout, 10*time.Minute)
	def(&cfg.WriteTimeout, 10*time.Minute)
	def(&cfg.IdleTimeout, 2*time.Minute)
	def(&cfg.ShutdownTimeout, 30*time.Second)
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	var p [4]byte
	if _, err := io.ReadFull(cfg.Rand, p[:]); err != nil {
		return nil, fmt.Errorf("server: read random: %w", err)
	}
	return &Server{
		cfg: cfg, store: cfg.Store, key: cfg.Key, fingerprint: ssh.FingerprintSHA256(cfg.Key.PublicKey()),
		device: ServerDevice(cfg.Key.PublicKey()),
		log:    cfg.Logger, m: newMetrics(cfg.Registry), budget: newBudget(cfg.UploadBudget),
		sending:   newDeviceSlots(),
		reqPrefix: hex.EncodeToString(p[:]),
		published: map[batch.QuestionnaireRef]bool{},
	}, nil
}

// Fingerprint returns the SHA256 fingerprint of the server key.
func (s *Server) Fingerprint() string { return s.fingerprint }

// Handler returns the server's HTTP handler: the /v1 API, /healthz and /metrics.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	s.route(mux, wire.PathHealth, "healthz", http.MethodGet, false, s.health)
	mux.Handle(wire.PathMetrics, promhttp.HandlerFor(s.m.reg, promhttp.HandlerOpts{Registry: s.m.reg}))
	s.route(mux, wire.PathServer, "server", http.MethodGet, true, s.info)
	s.route(mux, wire.PathEnroll, "enroll", http.MethodPost, true, s.enroll)
	s.route(mux, wire.PathBatches, "batches", http.MethodPost, true, s.upload)
	s.route(mux, "/v1/devices/{id}/inbox", "inbox", http.MethodGet, true, s.inbox)
	s.route(mux, "/", "other", "", false, func(w http.ResponseWriter, r *http.Request) *wire.Error {
		return wire.Errorf(wire.CodeNotFound, "no endpoint %s", clip(r.URL.Path, 80))
	})
	return mux
}

// Serve answers requests on ln until ctx is cancelled, then shuts down gracefully: it stops
// accepting connections and waits (up to ShutdownTimeout) for requests in flight, uploads
// included, to finish. With certFile and keyFile it serves HTTPS.
func (s *Server) Serve(ctx context.Context, ln net.Listener, certFile, keyFile string) error {
	hs := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: s.cfg.ReadHeaderTimeout,
		ReadTimeout:       s.cfg.ReadTimeout,
		WriteTimeout:      s.cfg.WriteTimeout,
		IdleTimeout:       s.cfg.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() {
		if certFile != "" || keyFile != "" {
			errc <- hs.ServeTLS(ln, certFile, keyFile)
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	s.draining.Store(true)
	s.log.Info("shutting down: finishing requests in flight", "timeout", s.cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	err := hs.Shutdown(sctx)
	if err != nil {
		hs.Close()
		err = fmt.Errorf("shut down: requests still running after %s were cut: %w", s.cfg.ShutdownTimeout, err)
	}
	if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = fmt.Errorf("serve: %w", serr)
	}
	s.log.Info("stopped")
	return err
}

type handlerFunc func(w http.ResponseWriter, r *http.Request) *wire.Error

// statusWriter records the status and size of a response.
type statusWriter struct {
	http.ResponseWriter
	ctx    context.Context // the request's
	status int
	bytes  int64
}

// answering is called before the answer's header goes out. An answer written after the
// request's context was cancelled closes the connection: net/http cancels the connection's
// context (the parent of every later request's on it) on a read error, so a later request
// on the connection would start cancelled.
func (w *statusWriter) answering() {
	if w.ctx != nil && w.ctx.Err() != nil {
		w.Header().Set("Connection", "close")
	}
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
		w.answering()
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
		w.answering()
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

type ctxKey int

const deviceKey ctxKey = 0

// route registers h for pattern, with the method check, the protocol check (api), panic
// recovery, a request id, a structured log line and metrics.
func (s *Server) route(mux *http.ServeMux, pattern, name, method string, api bool, h handlerFunc) {
	mux.HandleFunc(pattern, func(rw http.ResponseWriter, r *http.Request) {
		start := time.Now()
		s.m.inflight.Inc()
		defer s.m.inflight.Dec()
		id := fmt.Sprintf("%s-%d", s.reqPrefix, s.reqID.Add(1))
		rw.Header().Set(wire.RequestIDHeader, id)
		dev := new(string)
		r = r.WithContext(context.WithValue(r.Context(), deviceKey, dev))
		w := &statusWriter{ResponseWriter: rw, ctx: r.Context()}
		var werr *wire.Error
		func() {
			defer func() {
				if p := recover(); p != nil {
					if p == http.ErrAbortHandler {
						panic(p)
					}
					s.log.Error("panic", "request_id", id, "panic", fmt.Sprint(p), "stack", string(stackTrace()))
					werr = wire.NewError(wire.CodeInternal, "request "+id)
				}
			}()
			switch {
			case method != "" && r.Method != method:
				rw.Header().Set("Allow", method)
				werr = wire.Errorf(wire.CodeMethodNotAllowed, "%s %s accepts %s only", r.Method, clip(r.URL.Path, 80), method)
			case api:
				werr = checkProtocol(r)
			}
			if werr == nil {
				werr = h(w, r)
			}
		}()
		if werr != nil {
			if werr.Status == 0 {
				werr.Status = wire.HTTPStatus(werr.Code)
			}
			if werr.Status == http.StatusServiceUnavailable && w.Header().Get("Retry-After") == "" {
				w.Header().Set("Retry-After", strconv.Itoa(int(RetryAfter/time.Second)))
			}
			writeError(w, werr)
		}
		code := "ok"
		if werr != nil {
			code = string(werr.Code)
		}
		d := time.Since(start)
		s.m.requests.WithLabelValues(name, code).Inc()
		s.m.duration.WithLabelValues(name).Observe(d.Seconds())
		attrs := []any{"request_id", id, "method", r.Method, "path", clip(r.URL.Path, 200), "route", name,
			"status", w.status, "code", code, "duration_ms", float64(d.Microseconds()) / 1000,
			"bytes_in", max(r.ContentLength, 0), "bytes_out", w.bytes, "remote", r.RemoteAddr}
		if *dev != "" {
			attrs = append(attrs, "device", *dev)
		}
		switch {
		case werr != nil && werr.Status >= 500 && werr.Status != http.StatusServiceUnavailable:
			s.log.Error("request", append(attrs, "error", werr.Message)...)
		case werr != nil:
			s.log.Warn("request", append(attrs, "error", werr.Message)...)
		case name == "healthz":
			s.log.Debug("request", attrs...)
		default:
			s.log.Info("request", attrs...)
		}
	})
}

func stackTrace() []byte {
	buf := make([]byte, 16<<10)
	return buf[:runtime.Stack(buf, false)]
}

// setDevice records the device a request is about, for the log line.
func setDevice(r *http.Request, id string) {
	if p, ok := r.Context().Value(deviceKey).(*string); ok {
		*p = id
	}
}

func checkProtocol(r *http.Request) *wire.Error {
	h := r.Header.Get(wire.ProtocolHeader)
	if h == "" {
		return nil // the path is versioned; tools such as curl need not send it
	}
	v, err := strconv.Atoi(h)
	if err != nil || v < wire.MinProtocolVersion || v > wire.MaxProtocolVersion {
		return wire.Errorf(wire.CodeUnsupportedProtocol, "the device speaks protocol %s, the server speaks %d to %d",
			clip(h, 20), wire.MinProtocolVersion, wire.MaxProtocolVersion)
	}
	return nil
}

func writeError(w http.ResponseWriter, e *wire.Error) {
	w.Header().Set("Content-Type", wire.ContentTypeJSON)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(e.Status)
	w.Write(e.Body())
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", wire.ContentTypeJSON)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// sign returns the server's SSHSIG signature of data in namespace.
func (s *Server) sign(data []byte, namespace string) (*sshsig.Signature, error) {
	sig, err := sshsig.SignWithRand(bytes.NewReader(data), s.cfg.Rand, s.key, sshsig.HashSHA512, namespace)
	if err != nil {
		return nil, fmt.Errorf("sign %s: %w", namespace, err)
	}
	return sig, nil
}

// writeSigned writes v as JSON with the server's signature of the body in SignatureHeader.
// With compress, the body is gzip-compressed when the request accepts it (the signature
// covers the JSON, not the compressed bytes).
func (s *Server) writeSigned(w http.ResponseWriter, r *http.Request, v any, namespace string, compress bool) *wire.Error {
	body, err := json.Marshal(v)
	if err != nil {
		return wire.Errorf(wire.CodeInternal, "encode response: %v", err)
	}
	return s.writeSignedBody(w, r, body, namespace, compress)
}

// writeSignedBody is writeSigned of a body already encoded.
func (s *Server) writeSignedBody(w http.ResponseWriter, r *http.Request, body []byte, namespace string, compress bool) *wire.Error {
	sig, err := s.sign(body, namespace)
	if err != nil {
		return wire.Errorf(wire.CodeInternal, "%v", err)
	}
	w.Header().Set(wire.SignatureHeader, base64.StdEncoding.EncodeToString(sig.Marshal()))
	if compress {
		w.Header().Add("Vary", "Accept-Encoding")
		if acceptsGzip(r) {
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
			zw.Write(body)
			if err := zw.Close(); err != nil {
				return wire.Errorf(wire.CodeInternal, "compress response: %v", err)
			}
			w.Header().Set("Content-Encoding", "gzip")
			body = buf.Bytes()
		}
	}
	writeJSON(w, http.StatusOK, body)
	return nil
}

// acceptsGzip reports whether the request's Accept-Encoding allows gzip.
func acceptsGzip(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept-Encoding") {
		for _, part := range strings.Split(v, ",") {
			name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			if strings.EqualFold(strings.TrimSpace(name), "gzip") {
				return strings.ReplaceAll(strings.TrimSpace(params), " ", "") != "q=0"
			}
		}
	}
	return false
}

// health answers /healthz: 200 when every check passes, 503 otherwise, with the checks in
// a wire.Health body either way.
func (s *Server) health(w http.ResponseWriter, r *http.Request) *wire.Error {
	h := wire.Health{Status: "ok", Checks: s.checkHealth(r.Context())}
	status := http.StatusOK
	for _, c := range h.Checks {
		if !c.OK {
			if h.Status == "ok" {
				h.Error = c.Name + ": " + c.Detail
			}
			h.Status, status = "unavailable", http.StatusServiceUnavailable
		}
	}
	if status != http.StatusOK {
		s.log.Warn("health check failing", "error", h.Error)
		// For a load balancer or a monitor: when to look again.
		w.Header().Set("Retry-After", "5")
	}
	b, _ := json.Marshal(h)
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, status, append(b, '\n'))
	return nil
}

// checkHealth checks what the server needs to work: it is not shutting down, the store
// answers, and (with a DataDir) the store file and the data folder are writable and the
// data folder's file system has MinFreeBytes free. The details name no path.
func (s *Server) checkHealth(ctx context.Context) []wire.HealthCheck {
	var out []wire.HealthCheck
	add := func(name string, err error, ok string) {
		c := wire.HealthCheck{Name: name, OK: err == nil, Detail: ok}
		if err != nil {
			c.Detail = err.Error()
		}
		out = append(out, c)
	}
	if s.draining.Load() {
		add("serving", errors.New("the server is shutting down"), "")
	} else {
		add("serving", nil, "accepting requests")
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if _, err := s.store.Questionnaires(ctx); err != nil {
		s.log.Error("health check: store", "error", err.Error())
		add("store", errors.New("the store does not answer (see the server log)"), "")
	} else {
		add("store", nil, "the store answers")
	}
	dir := s.cfg.DataDir
	if dir == "" {
		return out
	}
	if err := writable(filepath.Join(dir, DBFile)); err != nil {
		add("store_file", fmt.Errorf("the store file %s is not writable: %s", DBFile, clip(err.Error(), 200)), "")
	} else {
		add("store_file", nil, "the store file is writable")
	}
	if err := writableDir(dir); err != nil {
		add("data_folder", fmt.Errorf("the data folder is not writable: %s", clip(err.Error(), 200)), "")
	} else {
		add("data_folder", nil, "the data folder is writable")
	}
	free, err := freeBytes(dir)
	switch {
	case errors.Is(err, errors.ErrUnsupported):
		add("free_space", nil, "free space cannot be measured on this system")
	case err != nil:
		s.log.Error("health check: free space", "error", err.Error())
		add("free_space", errors.New("the free space of the data folder cannot be measured (see the server log)"), "")
	case free < uint64(s.cfg.MinFreeBytes):
		add("free_space", fmt.Errorf("%s free on the data folder's disk, below the minimum of %s", sizeText(free), sizeText(uint64(s.cfg.MinFreeBytes))), "")
	default:
		add("free_space", nil, fmt.Sprintf("%s free, minimum %s", sizeText(free), sizeText(uint64(s.cfg.MinFreeBytes))))
	}
	return out
}

// writableDir reports why the server cannot write in dir, or nil: its mode (see writable),
// then a file actually created and removed (a read-only mount).
func writableDir(dir string) error {
	if err := writable(dir); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".healthz-*")
	if err != nil {
		if pe, ok := err.(*os.PathError); ok {
			err = pe.Err // without the path
		}
		return fmt.Errorf("cannot create a file: %w", err)
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// sizeText writes n bytes for a person: "1.5 GiB".
func sizeText(n uint64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := uint64(unit), 0
	for m := n / unit; m >= unit && exp < 4; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTP"[exp])
}

func (s *Server) info(w http.ResponseWriter, r *http.Request) *wire.Error {
	b, _ := json.Marshal(wire.ServerInfo{
		MinProtocol: wire.MinProtocolVersion, MaxProtocol: wire.MaxProtocolVersion,
		Key: AuthorizedKey(s.key.PublicKey()), Fingerprint: s.fingerprint, Time: wire.FormatTime(s.cfg.Now()),
	})
	writeJSON(w, http.StatusOK, append(b, '\n'))
	return nil
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// budget bounds the batch bytes held in memory at once over all uploads.
type budget struct {
	mu    sync.Mutex
	cond  *sync.Cond
	avail int64
}

func newBudget(n int64) *budget {
	b := &budget{avail: n}
	b.cond = sync.NewCond(&b.mu)
	return b
}

// acquire takes n bytes from the budget, waiting at most wait; it reports false when the
// budget did not free up in time.
func (b *budget) acquire(n int64, wait time.Duration) bool {
	deadline := time.Now().Add(wait)
	t := time.AfterFunc(wait, func() { b.mu.Lock(); b.cond.Broadcast(); b.mu.Unlock() })
	defer t.Stop()
	b.mu.Lock()
	defer b.mu.Unlock()
	for b.avail < n {
		if !time.Now().Before(deadline) {
			return false
		}
		b.cond.Wait()
	}
	b.avail -= n
	return true
}

func (b *budget) release(n int64) {
	b.mu.Lock()
	b.avail += n
	b.cond.Broadcast()
	b.mu.Unlock()
}

// deviceSlots lets each device have one upload in flight at a time, so that one enrolled
// device cannot take more than MaxBatchBytes of the upload budget.
type deviceSlots struct {
	mu   sync.Mutex
	cond *sync.Cond
	busy map[string]bool
}

func newDeviceSlots() *deviceSlots {
	d := &deviceSlots{busy: map[string]bool{}}
	d.cond = sync.NewCond(&d.mu)
	return d
}

// acquire takes device's slot, waiting at most wait for its upload in flight to end; it
// reports false when that upload did not end in time.
func (d *deviceSlots) acquire(device string, wait time.Duration) bool {
	deadline := time.Now().Add(wait)
	t := time.AfterFunc(wait, func() { d.mu.Lock(); d.cond.Broadcast(); d.mu.Unlock() })
	defer t.Stop()
	d.mu.Lock()
	defer d.mu.Unlock()
	for d.busy[device] {
		if !time.Now().Before(deadline) {
			return false
		}
		d.cond.Wait()
	}
	d.busy[device] = true
	return true
}

func (d *deviceSlots) release(device string) {
	d.mu.Lock()
	delete(d.busy, device)
	d.cond.Broadcast()
	d.mu.Unlock()
}

// minRate returns body read so that it must arrive at MinUploadRate on average once
// UploadGrace has passed: the connection's read deadline moves as bytes arrive, to the time
// by which the bytes received so far (plus the grace) are due. A body that falls behind
// fails with os.ErrDeadlineExceeded. Where the connection has no deadline to set (a
// ResponseWriter of a test), body is read as it is.
//
// Once the whole body is in, the caller must call received, which lifts the deadline: the
// deadline is for a body that arrives slowly, not for the handler's work after it. Left on
// the connection it would fire in net/http's background read (which watches, once the body
// is read, for the client hanging up) while the handler waits for the writer, and a read
// error there cancels the connection's context: this request's, and every later request's
// on the kept-alive connection, which then failed at once with "context canceled".
func (s *Server) minRate(w http.ResponseWriter, body io.ReadCloser) (in io.ReadCloser, received func()) {
	rc := http.NewResponseController(w)
	m := &rateReader{r: body, rc: rc, start: time.Now(), grace: s.cfg.UploadGrace, rate: s.cfg.MinUploadRate}
	if err := rc.SetReadDeadline(m.due()); err != nil {
		return body, func() {}
	}
	return m, m.received
}

type rateReader struct {
	r     io.ReadCloser
	rc    *http.ResponseController
	start time.Time
	grace time.Duration
	rate  int64 // bytes a second
	n     int64 // bytes read
}

func (m *rateReader) due() time.Time {
	return m.start.Add(m.grace + time.Duration(float64(m.n)/float64(m.rate)*float64(time.Second)))
}

func (m *rateReader) Read(p []byte) (int, error) {
	n, err := m.r.Read(p)
	if n > 0 {
		m.n += int64(n)
		if derr := m.rc.SetReadDeadline(m.due()); derr != nil && err == nil {
			err = derr
		}
	}
	return n, err
}

func (m *rateReader) Close() error { return m.r.Close() }

// received lifts the read deadline once the body is in (see minRate). The connection's
// WriteTimeout still bounds the answer.
func (m *rateReader) received() { m.rc.SetReadDeadline(time.Time{}) }
