package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestErrorRoundTrip(t *testing.T) {
	for _, c := range Codes() {
		e := NewError(c, "detail here")
		if !strings.Contains(e.Message, "detail here") || e.MessageVI == "" || e.Message == string(c) {
			t.Errorf("%s: message %q / %q", c, e.Message, e.MessageVI)
		}
		st := HTTPStatus(c)
		if st < 400 || st > 599 {
			t.Errorf("%s: status %d is not an error status", c, st)
		}
		back := FromResponse(st, e.Body())
		if back.Code != c || back.Message != e.Message || back.MessageVI != e.MessageVI || back.Status != st {
			t.Errorf("%s: round trip gave %+v", c, back)
		}
		if !errors.Is(fmt.Errorf("wrapped: %w", back), &Error{Code: c}) {
			t.Errorf("%s: errors.Is does not match on the code", c)
		}
		if c.Retryable() != (st >= 500 || st == http.StatusRequestTimeout) {
			t.Errorf("%s: retryable %v with status %d", c, c.Retryable(), st)
		}
	}
	if errors.Is(NewError(CodeDeviceRevoked, ""), ErrDeviceUnknown) {
		t.Error("revoked matches unknown")
	}
}

func TestFromResponseWithoutProtocolBody(t *testing.T) {
	cases := []struct {
		status    int
		body      string
		code      Code
		retryable bool
	}{
		{502, "<html>Bad gateway</html>", CodeUnavailable, true},
		{503, "", CodeUnavailable, true},
		{500, "panic", CodeInternal, true},
		{504, "", CodeTimeout, true},
		{413, "too big", CodeTooLarge, false},
		{404, "404 page not found", CodeNotFound, false},
		{400, `{"error":{}}`, CodeMalformed, false},
	}
	for _, c := range cases {
		e := FromResponse(c.status, []byte(c.body))
		if e.Code != c.code || e.Retryable() != c.retryable {
			t.Errorf("%d %q: got %s retryable=%v", c.status, c.body, e.Code, e.Retryable())
		}
		if !strings.Contains(e.Message, fmt.Sprint(c.status)) {
			t.Errorf("%d: message %q does not name the status", c.status, e.Message)
		}
	}
}

func TestReceiptCanonicalSurvivesJSON(t *testing.T) {
	r := Receipt{Format: ReceiptFormat, Batch: "b<&>1", PayloadHash: "abc", Device: "dev-1", Seq: 7,
		Received: "2026-11-22T10:00:00.000Z", Revisions: 3, Added: 2, Present: 1, Server: "SHA256:x"}
	canon := r.Canonical()
	body, err := json.Marshal(SignedReceipt{Receipt: canon, Signature: "sig"})
	if err != nil {
		t.Fatal(err)
	}
	var back SignedReceipt
	if err := json.Unmarshal(body, &back); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(back.Receipt, canon) {
		t.Fatalf("receipt bytes changed in transit:\n%s\n%s", canon, back.Receipt)
	}
	got, err := ParseReceipt(back.Receipt)
	if err != nil || got != r {
		t.Fatalf("ParseReceipt = %+v, %v", got, err)
	}
	for _, bad := range []string{
		strings.Replace(string(canon), `"seq":7`, `"seq": 7`, 1),
		strings.Replace(string(canon), ReceiptFormat, "fieldsurvey-receipt/9", 1),
		strings.Replace(string(canon), `}`, `,"extra":1}`, 1),
		`not json`,
	} {
		if _, err := ParseReceipt([]byte(bad)); err == nil {
			t.Errorf("ParseReceipt accepted %s", bad)
		}
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 7
	}
	return len(p), nil
}

func TestToken(t *testing.T) {
	fp := "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"
	tok, err := NewToken(zeros{}, fp)
	if err != nil {
		t.Fatal(err)
	}
	s := tok.String()
	if !strings.HasPrefix(s, "fst1.") || strings.ContainsAny(s, "+/= \n") {
		t.Fatalf("token %q is not copy-safe", s)
	}
	back, err := ParseToken("  " + s + "\n")
	if err != nil {
		t.Fatal(err)
	}
	if back.Fingerprint != fp || !bytes.Equal(back.Secret, tok.Secret) || back.Hash() != tok.Hash() {
		t.Fatalf("round trip: %+v", back)
	}
	for _, bad := range []string{"", "fst1", "fst2." + s[5:], s[:len(s)-3], s + "x.y", "fst1.!!!." + s[strings.LastIndex(s, ".")+1:]} {
		if _, err := ParseToken(bad); err == nil {
			t.Errorf("ParseToken(%q) accepted", bad)
		}
	}
	if _, err := NewToken(zeros{}, "MD5:aa"); err == nil {
		t.Error("NewToken accepted an MD5 fingerprint")
	}
}

func TestRequestAuth(t *testing.T) {
	a := RequestAuth{Device: "dev-1", Time: 1790000000, Nonce: "0123456789abcdef0123456789abcdef", Signature: []byte{1, 2, 3, 250}}
	back, err := ParseRequestAuth(a.String())
	if err != nil {
		t.Fatal(err)
	}
	if back.Device != a.Device || back.Time != a.Time || back.Nonce != a.Nonce || !bytes.Equal(back.Signature, a.Signature) {
		t.Fatalf("round trip: %+v", back)
	}
	m1 := a.Message("GET", "/v1/devices/dev-1/inbox?after=1")
	if bytes.Equal(m1, a.Message("GET", "/v1/devices/dev-1/inbox?after=2")) || bytes.Equal(m1, a.Message("POST", "/v1/devices/dev-1/inbox?after=1")) {
		t.Error("message does not bind method and target")
	}
	for _, bad := range []string{"", "v2 device=a time=1 nonce=0123456789abcdef sig=AQ==",
		"v1 device=a time=x nonce=0123456789abcdef sig=AQ==", "v1 device=a time=1 nonce=short sig=AQ==",
		"v1 device=a device=b nonce=0123456789abcdef sig=AQ==", "v1 device=a time=1 nonce=0123456789abcdef sig=%%",
		"v1 device=a time=1 nonce=0123456789abcdef who=AQ=="} {
		if _, err := ParseRequestAuth(bad); err == nil {
			t.Errorf("ParseRequestAuth(%q) accepted", bad)
		}
	}
}

func FuzzParseRequestAuth(f *testing.F) {
	f.Add("v1 device=dev-1 time=1790000000 nonce=0123456789abcdef0123456789abcdef sig=AQID")
	f.Add("v1 device= time= nonce= sig=")
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseRequestAuth(s)
		if err != nil {
			return
		}
		b, err := ParseRequestAuth(a.String())
		if err != nil || b.Device != a.Device || b.Time != a.Time || b.Nonce != a.Nonce || !bytes.Equal(a.Signature, b.Signature) {
			t.Fatalf("re-parse of %q: %+v, %v", a.String(), b, err)
		}
	})
}

func FuzzParseToken(f *testing.F) {
	tok, _ := NewToken(zeros{}, "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU")
	f.Add(tok.String())
	f.Add("fst1..")
	f.Fuzz(func(t *testing.T, s string) {
		tk, err := ParseToken(s)
		if err != nil {
			return
		}
		back, err := ParseToken(tk.String())
		if err != nil || back.Fingerprint != tk.Fingerprint || !bytes.Equal(back.Secret, tk.Secret) {
			t.Fatalf("re-parse: %v", err)
		}
	})
}

func TestRefusalCanonicalAndTravelsWithTheError(t *testing.T) {
	r := Refusal{Format: RefusalFormat, Batch: "0193a5b27c1e70008000000000000001", Hash: strings.Repeat("ab", 32), Device: "laptop-1", Seq: 3,
		Code: CodeDecisionNotAllowed, Reason: "decision by an assessor's key", ReasonVI: "quyết định được ký bằng khoá của người đánh giá",
		Message: "the batch approves…", MessageVI: "lô dữ liệu duyệt…", Refused: "2026-12-04T09:00:00.000Z", Server: "SHA256:x"}
	b := r.Canonical()
	back, err := ParseRefusal(b)
	if err != nil || back != r {
		t.Fatalf("round trip: %+v %v", back, err)
	}
	// Not canonical (spaces), unknown field, other format: refused.
	for _, bad := range [][]byte{
		bytes.Replace(b, []byte(`":`), []byte(`": `), 1),
		bytes.Replace(b, []byte(`{`), []byte(`{"extra":1,`), 1),
		bytes.Replace(b, []byte(RefusalFormat), []byte("fieldsurvey-refusal/2"), 1),
	} {
		if _, err := ParseRefusal(bad); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
	// The signed refusal travels beside the error and comes back with it.
	e := NewError(CodeDecisionNotAllowed, "detail")
	e.Refusal = &SignedRefusal{Refusal: b, Signature: "-----BEGIN SSH SIGNATURE-----\n…"}
	got := FromResponse(HTTPStatus(e.Code), e.Body())
	if got.Code != e.Code || got.Refusal == nil || !bytes.Equal(got.Refusal.Refusal, b) || got.Refusal.Signature != e.Refusal.Signature {
		t.Fatalf("error with refusal came back as %+v", got)
	}
	// Without one, none.
	if got := FromResponse(422, NewError(CodeBadBatch, "").Body()); got.Refusal != nil {
		t.Fatalf("refusal out of nothing: %+v", got.Refusal)
	}
}
