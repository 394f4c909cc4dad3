package client

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/hiddeco/sshsig"
	"golang.org/x/crypto/ssh"

	"github.com/fieldsurvey/fieldsurvey/sync/wire"
)

// SignRequest signs req as device with signer (wire.RequestAuth: method, path and query,
// device, time, a fresh random nonce) and sets AuthHeader. It returns the nonce.
func SignRequest(req *http.Request, device string, signer ssh.Signer, now time.Time, r io.Reader) (string, error) {
	nonce, err := randomHex(r, 16)
	if err != nil {
		return "", fmt.Errorf("sign request: %w", err)
	}
	a := wire.RequestAuth{Device: device, Time: now.Unix(), Nonce: nonce}
	sig, err := sshsig.SignWithRand(bytes.NewReader(a.Message(req.Method, req.URL.RequestURI())), r, signer, sshsig.HashSHA512, wire.NamespaceRequest)
	if err != nil {
		return "", fmt.Errorf("sign request: %w", err)
	}
	a.Signature = sig.Marshal()
	req.Header.Set(wire.AuthHeader, a.String())
	return nonce, nil
}
