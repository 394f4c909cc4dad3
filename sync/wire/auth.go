package wire

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
)

// RequestAuth is a device's signature of one request, sent in AuthHeader. The device signs
// Message (method, path with query, device, time and a random nonce) with its enrolled key,
// SSHSIG namespace NamespaceRequest. The server accepts it when the device is enrolled and not
// revoked, the signature verifies with that device's key, the time is within the allowed clock
// skew of the server's clock, and the nonce has not been seen in that window (so a captured
// request cannot be replayed).
type RequestAuth struct {
	Device    string
	Time      int64  // Unix seconds
	Nonce     string // 32 hex digits from crypto/rand
	Signature []byte // SSHSIG wire encoding
}

// Message returns the bytes the device signs for a request with method and target (the
// path and query as sent, e.g. "/v1/devices/abc/inbox?after=3").
func (a RequestAuth) Message(method, target string) []byte {
	return fmt.Appendf(nil, "fieldsurvey-request/1\n%s\n%s\n%s\n%d\n%s\n", method, target, a.Device, a.Time, a.Nonce)
}

// String encodes a as the value of AuthHeader.
func (a RequestAuth) String() string {
	return fmt.Sprintf("v1 device=%s time=%d nonce=%s sig=%s", a.Device, a.Time, a.Nonce,
		base64.StdEncoding.EncodeToString(a.Signature))
}

// ParseRequestAuth decodes the value of AuthHeader.
func ParseRequestAuth(h string) (RequestAuth, error) {
	fields := strings.Fields(h)
	if len(fields) != 5 || fields[0] != "v1" {
		return RequestAuth{}, fmt.Errorf("authorization header is not \"v1 device=… time=… nonce=… sig=…\"")
	}
	var a RequestAuth
	seen := map[string]bool{}
	for _, f := range fields[1:] {
		k, v, ok := strings.Cut(f, "=")
		if !ok || v == "" || seen[k] {
			return RequestAuth{}, fmt.Errorf("authorization header: bad field %q", truncate(f, 40))
		}
		seen[k] = true
		switch k {
		case "device":
			a.Device = v
		case "time":
			t, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return RequestAuth{}, fmt.Errorf("authorization header: time %q is not a number", truncate(v, 40))
			}
			a.Time = t
		case "nonce":
			if len(v) < 16 || len(v) > 64 {
				return RequestAuth{}, fmt.Errorf("authorization header: nonce must be 16 to 64 characters")
			}
			a.Nonce = v
		case "sig":
			s, err := base64.StdEncoding.DecodeString(v)
			if err != nil {
				return RequestAuth{}, fmt.Errorf("authorization header: signature is not base64")
			}
			a.Signature = s
		default:
			return RequestAuth{}, fmt.Errorf("authorization header: unknown field %q", truncate(k, 40))
		}
	}
	if len(seen) != 4 {
		return RequestAuth{}, fmt.Errorf("authorization header: needs device, time, nonce and sig")
	}
	return a, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
