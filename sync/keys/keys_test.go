package keys

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"golang.org/x/crypto/ssh"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// fixedRand gives reproducible keys in tests.
type fixedRand byte

func (f fixedRand) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(f) + byte(i)
	}
	return len(p), nil
}

func TestCreateDeviceKey(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "home")
	path, created, err := createDeviceKeyWithRand(dir, "an@example.org", fixedRand(1))
	if err != nil || !created {
		t.Fatalf("create: created=%v err=%v", created, err)
	}
	if runtime.GOOS != "windows" {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("private key mode %v, want 0600", fi.Mode().Perm())
		}
	}
	signer, err := LoadSigner(path)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := os.ReadFile(path + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(pub), "ssh-ed25519 ") || !strings.HasSuffix(string(pub), " an@example.org\n") {
		t.Errorf("public key file %q", pub)
	}
	parsed, _, _, _, err := ssh.ParseAuthorizedKey(pub)
	if err != nil || !bytes.Equal(parsed.Marshal(), signer.PublicKey().Marshal()) {
		t.Errorf("public key file does not hold the private key's public half (err %v)", err)
	}
	before, _ := os.ReadFile(path)

	// A second run keeps the key, and rewrites only a missing .pub.
	os.Remove(path + ".pub")
	_, created, err = createDeviceKeyWithRand(dir, "other", fixedRand(9))
	if err != nil || created {
		t.Fatalf("second create: created=%v err=%v", created, err)
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Fatal("existing device key was replaced")
	}
	if _, err := os.Stat(path + ".pub"); err != nil {
		t.Errorf("missing .pub not rewritten: %v", err)
	}
}

func TestCreateDeviceKeyRefusesBrokenExistingKey(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, DeviceKeyFile)
	os.WriteFile(path, []byte("not a key"), 0o600)
	if _, _, err := CreateDeviceKey(dir, ""); !errors.Is(err, ErrBadKeyFile) {
		t.Fatalf("err = %v, want ErrBadKeyFile", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "not a key" {
		t.Fatal("broken key file was changed")
	}
}

func TestParseSignerRefusals(t *testing.T) {
	_, priv, _ := ed25519Key(t)
	block, err := ssh.MarshalPrivateKeyWithPassphrase(priv, "c", []byte("secret"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = ParseSigner("k", pem.EncodeToMemory(block))
	if !errors.Is(err, ErrPassphrase) {
		t.Errorf("passphrase key: err = %v", err)
	}
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	block, err = ssh.MarshalPrivateKey(ec, "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = ParseSigner("k", pem.EncodeToMemory(block))
	if !errors.Is(err, ErrNotEd25519) || !strings.Contains(err.Error(), "ecdsa") {
		t.Errorf("ecdsa key: err = %v", err)
	}
	if _, err := ParseSigner("k", []byte("-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n")); !errors.Is(err, ErrBadKeyFile) {
		t.Errorf("garbage: err = %v", err)
	}
	if _, err := LoadSigner(filepath.Join(t.TempDir(), "none")); !errors.Is(err, ErrNoKey) {
		t.Errorf("missing: err = %v", err)
	}
}

func ed25519Key(t *testing.T) (ssh.PublicKey, any, []byte) {
	t.Helper()
	privPEM, _, err := Generate(rand.Reader, "")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := ssh.ParseRawPrivateKey(privPEM)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := ssh.ParsePrivateKey(privPEM)
	return s.PublicKey(), raw, privPEM
}

func TestKeyReadableBySSHKeygen(t *testing.T) {
	if _, err := exec.LookPath("ssh-keygen"); err != nil {
		t.Skip("ssh-keygen not installed (Debian package openssh-client); skipping interoperability check")
	}
	dir := t.TempDir()
	path, _, err := CreateDeviceKey(dir, "x")
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("ssh-keygen", "-y", "-f", path).Output()
	if err != nil {
		t.Fatalf("ssh-keygen -y: %v", err)
	}
	pub, _ := os.ReadFile(path + ".pub")
	if got, want := strings.Fields(string(out))[1], strings.Fields(string(pub))[1]; got != want {
		t.Errorf("ssh-keygen derives %s, .pub holds %s", got, want)
	}
	// And a key made by ssh-keygen is accepted as --key.
	other := filepath.Join(dir, "mine")
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v %s", err, out)
	}
	if _, err := LoadSigner(other); err != nil {
		t.Errorf("key made by ssh-keygen: %v", err)
	}
}

func TestCheckPrincipal(t *testing.T) {
	for in, want := range map[string]string{
		"  an@example.org ":  "an@example.org",
		"Nguyễn Văn An":      "Nguyễn Văn An",
		"Nguye\u0302\u0303n": "Nguyễn", // decomposed input is composed
	} {
		got, err := CheckPrincipal(in)
		if err != nil || got != want {
			t.Errorf("CheckPrincipal(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "   ", "a,b", `a"b`, "a*", "!a", "a\nb"} {
		if _, err := CheckPrincipal(bad); !errors.Is(err, ErrBadPrincipal) {
			t.Errorf("CheckPrincipal(%q) err = %v, want ErrBadPrincipal", bad, err)
		}
	}
}

func TestAllowedSigners(t *testing.T) {
	k1, _, _ := ed25519Key(t)
	k2, _, _ := ed25519Key(t)
	k3, _, _ := ed25519Key(t)
	k4, _, _ := ed25519Key(t)
	line := func(k ssh.PublicKey) string { return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k))) }
	file := strings.Join([]string{
		"# supervisors trust these devices",
		"",
		SignerLine("Nguyễn Văn An", k1, "fieldsurvey-batch"),
		"*@example.org,!eve@example.org " + line(k2) + " laptop 2",
		`bob@example.org valid-after="20250101",valid-before="20260101Z" ` + line(k3),
		`ca@example.org cert-authority ` + line(k4),
	}, "\n")
	as, err := ParseAllowedSigners(strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	if len(as.Signers) != 4 || as.Signers[0].Line != 3 || as.Signers[0].Principals[0] != "Nguyễn Văn An" {
		t.Fatalf("parsed %+v", as.Signers)
	}
	now := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	ok := []struct {
		k         ssh.PublicKey
		principal string
		ns        string
	}{
		{k1, "Nguyễn Văn An", "fieldsurvey-batch"},
		{k2, "an@example.org", "fieldsurvey-batch"},
		{k2, "an@example.org", "anything"},
		{k3, "bob@example.org", "fieldsurvey-batch"},
	}
	for _, c := range ok {
		if err := as.Check(c.k, c.principal, c.ns, now); err != nil {
			t.Errorf("Check(%s, %s): %v", c.principal, c.ns, err)
		}
	}
	bad := []struct {
		k         ssh.PublicKey
		principal string
		ns        string
		at        time.Time
		want      string
	}{
		{k1, "Nguyễn Văn An", "file", now, "namespace"},
		{k1, "someone else", "fieldsurvey-batch", now, "not allowed to sign as"},
		{k2, "eve@example.org", "fieldsurvey-batch", now, "not allowed to sign as"},
		{k3, "bob@example.org", "fieldsurvey-batch", now.AddDate(1, 0, 0), "trusted only"},
		{k3, "bob@example.org", "fieldsurvey-batch", now.AddDate(-1, 0, 0), "trusted only"},
		{k4, "ca@example.org", "fieldsurvey-batch", now, "not in the allowed signers"},
	}
	for _, c := range bad {
		err := as.Check(c.k, c.principal, c.ns, c.at)
		if !errors.Is(err, ErrSignerNotAllowed) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Check(%s, %s, %v) = %v, want %q", c.principal, c.ns, c.at, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), line(c.k)[12:40]) {
			t.Errorf("error quotes the key: %v", err)
		}
	}
}

func TestAllowedSignersErrors(t *testing.T) {
	k, _, _ := ed25519Key(t)
	key := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k)))
	for name, c := range map[string]struct{ file, want string }{
		"no key":        {"a@b\n", "line 1: expected principals"},
		"bad key":       {"\n\na@b ssh-ed25519 AAAAnotbase64\n", "line 3: no valid public key"},
		"bad option":    {"a@b frobnicate " + key, `unknown option "frobnicate"`},
		"bad time":      {`a@b valid-after="2025" ` + key, "not a time"},
		"open quote":    {`"a b ` + key, "unterminated quoted principal"},
		"empty in list": {"a,,b " + key, "empty principal"},
	} {
		_, err := ParseAllowedSigners(strings.NewReader(c.file))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", name, err, c.want)
		}
	}
}

func TestWildcard(t *testing.T) {
	for _, c := range []struct {
		p, s string
		want bool
	}{
		{"*", "", true}, {"a*", "abc", true}, {"*c", "abc", true}, {"a?c", "abc", true},
		{"a?c", "ac", false}, {"*@x.org", "an@x.org", true}, {"*@x.org", "an@y.org", false},
		{"Nguyễn*", "Nguyễn Văn", true}, {"a*b*c", "axxbyyc", true}, {"a*b*c", "axxbyy", false},
	} {
		if got := wildcard(c.p, c.s); got != c.want {
			t.Errorf("wildcard(%q, %q) = %v", c.p, c.s, got)
		}
	}
}

func TestRecipientsAndIdentities(t *testing.T) {
	x, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	pub, _, privPEM := ed25519Key(t)
	sshLine := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub)))
	recs, err := ParseRecipients([]string{x.Recipient().String(), "", sshLine + " comment"})
	if err != nil || len(recs) != 2 {
		t.Fatalf("ParseRecipients: %d %v", len(recs), err)
	}
	pq, err := age.GenerateHybridIdentity()
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{pq.Recipient().String(), "ssh-rsa AAAAB3Nza", "age1notvalid", "hello"} {
		if _, err := ParseRecipient(bad); err == nil {
			t.Errorf("ParseRecipient(%.20q) accepted", bad)
		}
	}
	// Round trip through both identity kinds.
	for name, c := range map[string]struct {
		rec age.Recipient
		id  []byte
	}{
		"x25519": {recs[0], []byte("# created: now\n" + x.String() + "\n")},
		"ssh":    {recs[1], privPEM},
	} {
		ids, err := ParseIdentities(c.id)
		if err != nil {
			t.Fatalf("%s: ParseIdentities: %v", name, err)
		}
		var buf bytes.Buffer
		w, _ := age.Encrypt(&buf, c.rec)
		w.Write([]byte("hello"))
		w.Close()
		r, err := age.Decrypt(&buf, ids...)
		if err != nil {
			t.Fatalf("%s: decrypt: %v", name, err)
		}
		var out bytes.Buffer
		out.ReadFrom(r)
		if out.String() != "hello" {
			t.Errorf("%s: got %q", name, out.String())
		}
	}
	if _, err := ParseIdentities([]byte("# nothing\n")); !errors.Is(err, ErrNoIdentity) {
		t.Errorf("empty identity file: %v", err)
	}
	_, err = ParseIdentities([]byte("AGE-SECRET-KEY-1SECRETSTUFF\n"))
	if err == nil || strings.Contains(err.Error(), "SECRETSTUFF") {
		t.Errorf("bad identity: err %v (must not quote the key)", err)
	}
}

// TestPrincipalRefusalInVietnamese: CheckPrincipal's refusals say what is wrong in
// Vietnamese too, and stay ErrBadPrincipal.
func TestPrincipalRefusalInVietnamese(t *testing.T) {
	for bad, want := range map[string]string{
		"  ":          "đang để trống",
		"a\x01b":      "ký tự điều khiển",
		`an,binh@x.y`: "không được chứa",
	} {
		_, err := CheckPrincipal(bad)
		if !errors.Is(err, ErrBadPrincipal) {
			t.Fatalf("CheckPrincipal(%q) = %v, want ErrBadPrincipal", bad, err)
		}
		vi := survey.ErrorText(err).Get(survey.LangVI)
		if !strings.Contains(vi, want) || !strings.HasPrefix(vi, "danh tính người ký") {
			t.Errorf("CheckPrincipal(%q) in Vietnamese: %q, want it to say %q", bad, vi, want)
		}
		if strings.Contains(vi, "invalid") {
			t.Errorf("CheckPrincipal(%q) in Vietnamese holds English: %q", bad, vi)
		}
	}
}
