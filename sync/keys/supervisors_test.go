package keys

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

const ns = "fieldsurvey-batch"

func edKey(t *testing.T) ssh.PublicKey {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	k, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestTrustSupervisorsChecksEveryLineFirst: a bad line among several is named ("line 2")
// with what is wrong in both languages, and no line is written; good lines are added once.
func TestTrustSupervisorsChecksEveryLineFirst(t *testing.T) {
	path := filepath.Join(t.TempDir(), TrustedSupervisorsFile)
	lan, minh, own := edKey(t), edKey(t), edKey(t)
	ecPriv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ec, err := ssh.NewPublicKey(&ecPriv.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	good := SignerLine("lan@example.org", lan, ns)
	for _, c := range []struct {
		name  string
		lines []string
		msg   string
		hint  bool
	}{
		{"not a line", []string{"lan@example.org"}, "the line is not an allowed_signers line: ", true},
		{"second of two", []string{good, "lan@example.org"}, "line 2 is not an allowed_signers line: ", true},
		{"ecdsa", []string{"lan@example.org " + strings.TrimSpace(string(ssh.MarshalAuthorizedKey(ec)))}, "the line holds a ecdsa-sha2-nistp256 key", false},
		{"cert authority", []string{"lan@example.org cert-authority " + strings.TrimSpace(string(ssh.MarshalAuthorizedKey(minh)))}, "the line is a cert-authority line", false},
		{"other namespace", []string{SignerLine("lan@example.org", minh, "git")}, "the line limits the key to namespaces git, which leave out fieldsurvey-batch", false},
		{"own key", []string{good, SignerLine("me@example.org", own, ns)}, "line 2 holds this device's own key (" + Fingerprint(own) + ")", true},
	} {
		_, err := TrustSupervisors(path, c.lines, ns, Fingerprint(own))
		var le *LineError
		if !errors.As(err, &le) {
			t.Fatalf("%s: %v, want a *LineError", c.name, err)
		}
		if !strings.HasPrefix(le.Error(), c.msg) || le.Text().Get(survey.LangVI) == le.Text().Get(survey.LangEN) || le.Hint.Empty() == c.hint {
			t.Fatalf("%s: %q (vi %q, hint %q)", c.name, le.Error(), le.Text().Get(survey.LangVI), le.Hint.Get(survey.LangEN))
		}
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Fatalf("%s: the file was written", c.name)
		}
	}

	sups, err := TrustSupervisors(path, []string{good, SignerLine("minh@example.org", minh, ns)}, ns, Fingerprint(own))
	if err != nil {
		t.Fatal(err)
	}
	if len(sups) != 2 || !sups[0].Added || sups[0].Principals != "lan@example.org" || sups[0].Fingerprint != Fingerprint(lan) || !sups[1].Added {
		t.Fatalf("added %+v", sups)
	}
	sups, err = TrustSupervisors(path, []string{good}, ns, "")
	if err != nil || len(sups) != 1 || sups[0].Added {
		t.Fatalf("again: %+v %v", sups, err)
	}
	as, err := LoadAllowedSignersFile(path)
	if err != nil || len(as.Signers) != 2 {
		t.Fatalf("file: %v, %d signers", err, len(as.Signers))
	}
}

func TestReadSignerLines(t *testing.T) {
	got, err := ReadSignerLines(strings.NewReader("\n# a comment\n  lan@example.org ssh-ed25519 AAAA  \r\n\nminh ssh-ed25519 BBBB"))
	if err != nil || len(got) != 2 || got[0] != "lan@example.org ssh-ed25519 AAAA" || got[1] != "minh ssh-ed25519 BBBB" {
		t.Fatalf("%q %v", got, err)
	}
}
