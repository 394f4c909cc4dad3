package main

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/fieldsurvey/fieldsurvey/sync/batch"
	"github.com/fieldsurvey/fieldsurvey/sync/keys"
)

func testSignerLine(t *testing.T, principal string, seed byte) (string, string) {
	t.Helper()
	priv := ed25519.NewKeyFromSeed([]byte(strings.Repeat(string([]byte{seed}), ed25519.SeedSize)))
	pub, err := ssh.NewPublicKey(priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	return keys.SignerLine(principal, pub, batch.Namespace), keys.Fingerprint(pub)
}

// TestTrustList: trust list shows the lines added by hand and those a server manages, with
// principals and fingerprints; trust add keeps the server's block last and never doubles a
// line.
func TestTrustList(t *testing.T) {
	ctx := context.Background()
	home := t.TempDir()
	path := filepath.Join(home, keys.TrustedSupervisorsFile)
	managed, managedFP := testSignerLine(t, "minh@hq.example.org", 7)
	if err := keys.SetManagedSigners(path, "SHA256:server", []string{managed}); err != nil {
		t.Fatal(err)
	}
	hand, handFP := testSignerLine(t, "Trần Thị Lan", 8)
	for range 2 {
		if _, errOut, code := runCLI(t, ctx, "--home", home, "--lang", "en", "trust", "add", hand); code != 0 {
			t.Fatalf("trust add: %s", errOut)
		}
	}
	out, errOut, code := runCLI(t, ctx, "--home", home, "--lang", "en", "trust", "list")
	if code != 0 {
		t.Fatal(errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	row := func(i int) string { return strings.Join(strings.Fields(lines[i]), " ") }
	if len(lines) != 3 || row(1) != "Trần Thị Lan "+handFP+" added by hand" || row(2) != "minh@hq.example.org "+managedFP+" server SHA256:server" {
		t.Errorf("trust list:\n%s", out)
	}
	out, _, _ = runCLI(t, ctx, "--home", home, "trust", "list", "--json")
	var infos []trustInfo
	if err := json.Unmarshal([]byte(out), &infos); err != nil || len(infos) != 2 || infos[0].Source != "hand" || infos[1].Source != "SHA256:server" {
		t.Errorf("trust list --json: %+v %v", infos, err)
	}
	// A line that is no allowed_signers line, or an RSA key, changes nothing.
	for _, bad := range [][]string{{"lan@example.org"}, {"lan@example.org", "ssh-rsa", "AAAAB3NzaC1yc2EAAAADAQABAAABAQC7"}} {
		if _, errOut, code := runCLI(t, ctx, append([]string{"--home", home, "--lang", "en", "trust", "add"}, bad...)...); code == 0 || !strings.Contains(errOut, "error: the line") {
			t.Errorf("trust add %q: exit %d, %s", bad, code, errOut)
		}
	}
	if after, _, _ := runCLI(t, ctx, "--home", home, "trust", "list", "--json"); after != out {
		t.Errorf("a refused line changed the file:\n%s", after)
	}
}
