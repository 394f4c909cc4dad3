package server

import (
	"crypto/ed25519"
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/fieldsurvey/fieldsurvey/sync/wire"
)

// TestBusySaysWhenToRetry: every 503 the server answers (busy, the request
// cut) carries Retry-After, which sync/client honours; other errors do not.
func TestBusySaysWhenToRetry(t *testing.T) {
	dir := t.TempDir()
	st, err := OpenSQLite(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{Store: st, Key: key, DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	s.route(mux, "/busy", "busy", http.MethodGet, false, func(http.ResponseWriter, *http.Request) *wire.Error {
		return wire.NewError(wire.CodeUnavailable, "the server is busy receiving other batches")
	})
	s.route(mux, "/bad", "bad", http.MethodGet, false, func(http.ResponseWriter, *http.Request) *wire.Error {
		return wire.NewError(wire.CodeMalformed, "no")
	})
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/busy", nil))
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("busy: status %d", rec.Code)
	}
	if got, want := rec.Header().Get("Retry-After"), strconv.Itoa(int(RetryAfter/time.Second)); got != want {
		t.Errorf("busy: Retry-After %q, want %q", got, want)
	}
	if we := wire.FromResponse(rec.Code, rec.Body.Bytes()); we.Code != wire.CodeUnavailable || !we.Retryable() {
		t.Errorf("busy: answered %v, want a retryable %s", we, wire.CodeUnavailable)
	}
	rec = httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/bad", nil))
	if rec.Code != http.StatusBadRequest || rec.Header().Get("Retry-After") != "" {
		t.Errorf("malformed: status %d, Retry-After %q; want 400 without", rec.Code, rec.Header().Get("Retry-After"))
	}
}
