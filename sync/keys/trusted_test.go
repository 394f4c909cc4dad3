package keys

import (
	"crypto/ed25519"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
)

func testLine(t *testing.T, principal string) string {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sp, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return SignerLine(principal, sp, "")
}

// TestTrustedSupervisors: hand-added lines and the server's block live side by side; a
// sync rewrites only its block; a bad line changes nothing.
func TestTrustedSupervisors(t *testing.T) {
	path := filepath.Join(t.TempDir(), TrustedSupervisorsFile)
	if as, err := LoadAllowedSignersFile(path); err != nil || len(as.Signers) != 0 {
		t.Fatalf("missing file: %v, %v", as, err)
	}
	manual := testLine(t, "lan@province")
	if added, err := AddSignerLine(path, manual); err != nil || !added {
		t.Fatalf("add: %v %v", added, err)
	}
	if added, err := AddSignerLine(path, manual); err != nil || added {
		t.Fatalf("add again: %v %v", added, err)
	}
	s1, s2 := testLine(t, "minh@hq"), testLine(t, "hoa@hq")
	if err := SetManagedSigners(path, "SHA256:abc", []string{s1, s2}); err != nil {
		t.Fatal(err)
	}
	as, err := LoadAllowedSignersFile(path)
	if err != nil || len(as.Signers) != 3 {
		t.Fatalf("after sync: %d signers, %v", len(as.Signers), err)
	}
	// The supervisor hoa is revoked: the next sync drops her, the hand-added line stays.
	if err := SetManagedSigners(path, "SHA256:abc", []string{s1}); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	if strings.Contains(string(data), "hoa@hq") || !strings.Contains(string(data), "lan@province") || !strings.Contains(string(data), "minh@hq") {
		t.Fatalf("after revocation:\n%s", data)
	}
	// A line added by hand after the block goes before it.
	late := testLine(t, "tuan@province")
	if _, err := AddSignerLine(path, late); err != nil {
		t.Fatal(err)
	}
	data, _ = os.ReadFile(path)
	if strings.Index(string(data), "tuan@province") > strings.Index(string(data), managedBegin) {
		t.Fatalf("hand-added line inside or after the managed block:\n%s", data)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	before, _ := os.ReadFile(path)
	if _, err := AddSignerLine(path, "not a key"); err == nil {
		t.Error("a bad line was added")
	}
	if err := SetManagedSigners(path, "SHA256:abc", []string{s1, "garbage"}); err == nil {
		t.Error("a bad managed line was accepted")
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Error("a refused line changed the file")
	}
}

// TestReadTrustedLines: each line says whether it was added by hand or by which server's
// block.
func TestReadTrustedLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), TrustedSupervisorsFile)
	if lines, err := ReadTrustedLines(path); err != nil || len(lines) != 0 {
		t.Fatalf("missing file: %v %v", lines, err)
	}
	manual, managed := testLine(t, "lan@province"), testLine(t, "minh@hq")
	if _, err := AddSignerLine(path, manual); err != nil {
		t.Fatal(err)
	}
	if err := SetManagedSigners(path, "SHA256:abc", []string{managed}); err != nil {
		t.Fatal(err)
	}
	lines, err := ReadTrustedLines(path)
	if err != nil || len(lines) != 2 {
		t.Fatalf("%d lines, %v", len(lines), err)
	}
	if lines[0].Principals[0] != "lan@province" || lines[0].Source != "" {
		t.Errorf("hand-added line: %+v", lines[0])
	}
	if lines[1].Principals[0] != "minh@hq" || lines[1].Source != "SHA256:abc" {
		t.Errorf("server's line: %+v", lines[1])
	}
	if err := os.WriteFile(path, []byte("not a line\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadTrustedLines(path); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("a bad line: %v", err)
	}
}
