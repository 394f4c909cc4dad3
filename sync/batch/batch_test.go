package batch

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"filippo.io/age"
	"github.com/hiddeco/sshsig"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/sync/keys"
)

func TestRoundTrip(t *testing.T) {
	revs := testRevs(t, "dev-a", 0, 3, 4, exampleQ)
	// Give the writer a shuffled copy with a duplicate: the batch holds each revision once, sorted.
	in := slices.Clone(revs)
	slices.Reverse(in)
	in = append(in, revs[2])
	opts := testOptions(7)
	opts.Questionnaires = []QuestionnaireRef{{ID: "dgra-2018", Version: "2018.1"}}
	data, m, err := createWithNow(in, opts, testNow)
	if err != nil {
		t.Fatal(err)
	}
	b := mustRead(t, data)
	if !reflect.DeepEqual(&b.Manifest, m) {
		t.Errorf("manifest read back differs:\n%+v\n%+v", b.Manifest, *m)
	}
	if err := verifyAt(b, testAllowed(t), testNow); err != nil {
		t.Fatalf("verify: %v", err)
	}
	got, err := b.Revisions()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, revs) {
		t.Fatalf("revisions differ: got %d, want %d", len(got), len(revs))
	}
	if m.Sequence != 7 || m.Device != "dev-a" || m.Signer != testPrincipal || m.Revisions != 21 || m.Interviews != 3 ||
		m.Payload.Encrypted || m.Payload.Name != NamePayload || m.Created != "2026-11-20T08:00:00.000Z" {
		t.Errorf("manifest %+v", m)
	}
	wantQ := []QuestionnaireRef{{"dgra-2018", "2018.1"}, exampleQ}
	if !reflect.DeepEqual(m.Questionnaires, wantQ) {
		t.Errorf("questionnaires %v, want %v", m.Questionnaires, wantQ)
	}
	if b.Size != int64(len(data)) {
		t.Errorf("size %d, file %d", b.Size, len(data))
	}
}

func TestDeterministic(t *testing.T) {
	revs := testRevs(t, "dev-a", 0, 2, 3, exampleQ)
	a := mustCreate(t, revs, testOptions(1))
	shuffled := slices.Clone(revs)
	slices.Reverse(shuffled)
	b := mustCreate(t, shuffled, testOptions(1))
	if !bytes.Equal(a, b) {
		t.Fatal("the same revisions gave different batch files")
	}
	// Re-encoding what was read gives the same bytes too.
	var re bytes.Buffer
	if _, err := mustRead(t, a).WriteTo(&re); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, re.Bytes()) {
		t.Fatal("WriteTo does not reproduce the file")
	}
	// The manifest is canonical JSON: fixed order, no whitespace.
	m := mustRead(t, a).ManifestBytes
	if !bytes.HasPrefix(m, []byte(`{"format":"fieldsurvey-batch","format_version":2,"id":"`)) || bytes.ContainsAny(m, "\n ") {
		t.Errorf("manifest not canonical: %s", m)
	}
	// Another sequence number is another batch.
	c := mustCreate(t, revs, testOptions(2))
	if mustRead(t, c).Manifest.ID == mustRead(t, a).Manifest.ID {
		t.Error("sequence 1 and 2 have the same id")
	}
}

func TestTarLayout(t *testing.T) {
	data := mustCreate(t, testRevs(t, "dev-a", 0, 1, 1, exampleQ), v1Options(1))
	tr := tar.NewReader(bytes.NewReader(data))
	var names []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name)
		if h.Mode != 0o644 || h.Uid != 0 || h.Gid != 0 || h.Uname != "" || h.Gname != "" || !h.ModTime.Equal(testNow) || h.Typeflag != tar.TypeReg {
			t.Errorf("%s: header %+v", h.Name, h)
		}
	}
	if want := []string{NameManifest, NameSignature, NamePayload}; !reflect.DeepEqual(names, want) {
		t.Errorf("entries %v, want %v", names, want)
	}
	// The gzip header has no name and no mtime.
	b := mustRead(t, data)
	if p := b.Payload; p[0] != 0x1f || p[1] != 0x8b || p[3] != 0 || !bytes.Equal(p[4:8], []byte{0, 0, 0, 0}) {
		t.Errorf("gzip header % x", p[:10])
	}
}

func TestCreateRefuses(t *testing.T) {
	revs := testRevs(t, "dev-a", 0, 1, 1, exampleQ)
	tampered := slices.Clone(revs)
	tampered[1].Author = "mallory"
	for name, c := range map[string]struct {
		revs []survey.Revision
		opts func(*Options)
		want string
	}{
		"bad revision":  {tampered, func(*Options) {}, "does not match its content"},
		"no device":     {revs, func(o *Options) { o.Device = "" }, "no device id"},
		"sequence 0":    {revs, func(o *Options) { o.Sequence = 0 }, "start at 1"},
		"no principal":  {revs, func(o *Options) { o.Principal = " " }, "invalid principal"},
		"comma":         {revs, func(o *Options) { o.Principal = "a,b" }, "invalid principal"},
		"no signer key": {revs, func(o *Options) { o.Signer = nil }, "no signing key"},
	} {
		opts := testOptions(1)
		c.opts(&opts)
		if _, _, err := createWithNow(c.revs, opts, testNow); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", name, err, c.want)
		}
	}
}

func TestEmptyBatch(t *testing.T) {
	data := mustCreate(t, nil, testOptions(1))
	b := mustRead(t, data)
	if err := verifyAt(b, testAllowed(t), testNow); err != nil {
		t.Fatal(err)
	}
	revs, err := b.Revisions()
	if err != nil || len(revs) != 0 {
		t.Fatalf("revisions %v %v", revs, err)
	}
}

func TestEncrypted(t *testing.T) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	devKey := seedSigner(3)
	sshRec, err := keys.ParseRecipient(keys.SignerLine("x", devKey.PublicKey(), "")[2:])
	if err != nil {
		t.Fatal(err)
	}
	revs := testRevs(t, "dev-a", 0, 2, 2, exampleQ)
	opts := testOptions(1)
	opts.Recipients = []age.Recipient{id.Recipient(), sshRec}
	data := mustCreate(t, revs, opts)
	b := mustRead(t, data)
	if !b.Encrypted() || b.Manifest.Payload.Name != NamePayloadAge {
		t.Fatalf("not encrypted: %+v", b.Manifest.Payload)
	}
	if bytes.Contains(b.Payload, []byte("Đà Nẵng")) {
		t.Fatal("plaintext visible in the encrypted payload")
	}
	// Verify needs no key: the signature covers the ciphertext's hash.
	if err := verifyAt(b, testAllowed(t), testNow); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Revisions(); !errors.Is(err, ErrNoIdentity) {
		t.Errorf("no identity: err = %v", err)
	}
	other, _ := age.GenerateX25519Identity()
	if _, err := b.Revisions(other); !errors.Is(err, ErrNoIdentity) {
		t.Errorf("wrong identity: err = %v", err)
	}
	got, err := b.Revisions(id)
	if err != nil || !reflect.DeepEqual(got, revs) {
		t.Fatalf("decrypt with X25519 identity: %v", err)
	}
	priv, err := sshPrivatePEM(3)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := keys.ParseIdentities(priv)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := b.Revisions(ids...); err != nil || len(got) != len(revs) {
		t.Fatalf("decrypt with ssh-ed25519 identity: %v", err)
	}
}

// TestSSHKeygenVerifies checks the manifest signature with OpenSSH itself.
func TestSSHKeygenVerifies(t *testing.T) {
	if _, err := exec.LookPath("ssh-keygen"); err != nil {
		t.Skip("ssh-keygen not installed (Debian package openssh-client); CI installs it")
	}
	for _, principal := range []string{testPrincipal, "Nguyễn Văn An"} {
		opts := testOptions(1)
		opts.Principal = principal
		b := mustRead(t, mustCreate(t, testRevs(t, "dev-a", 0, 1, 2, exampleQ), opts))
		dir := t.TempDir()
		write := func(name string, data []byte) string {
			p := filepath.Join(dir, name)
			if err := os.WriteFile(p, data, 0o600); err != nil {
				t.Fatal(err)
			}
			return p
		}
		manifest := write(NameManifest, b.ManifestBytes)
		sig := write(NameSignature, b.SignatureBytes)
		allowed := write("allowed_signers", []byte(keys.SignerLine(principal, opts.Signer.PublicKey(), Namespace)+"\n"))
		verify := func(manifestFile, ns string) ([]byte, error) {
			in, _ := os.Open(manifestFile)
			defer in.Close()
			cmd := exec.Command("ssh-keygen", "-Y", "verify", "-f", allowed, "-I", principal, "-n", ns, "-s", sig)
			cmd.Stdin = in
			return cmd.CombinedOutput()
		}
		out, err := verify(manifest, Namespace)
		if err != nil {
			t.Fatalf("ssh-keygen -Y verify (%s): %v\n%s", principal, err, out)
		}
		if !strings.Contains(string(out), "Good \"fieldsurvey-batch\" signature for "+principal) {
			t.Errorf("ssh-keygen said %s", out)
		}
		// And it refuses an altered manifest: the check is real.
		altered := bytes.Replace(b.ManifestBytes, []byte(`"sequence":1`), []byte(`"sequence":2`), 1)
		if out, err := verify(write("altered.json", altered), Namespace); err == nil {
			t.Errorf("ssh-keygen accepted an altered manifest: %s", out)
		}
		if out, err := verify(manifest, "file"); err == nil {
			t.Errorf("ssh-keygen accepted the wrong namespace: %s", out)
		}
	}
	// The other way: a signature made by ssh-keygen verifies here.
	dir := t.TempDir()
	key := filepath.Join(dir, "k")
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key).CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	msg := filepath.Join(dir, "m")
	os.WriteFile(msg, []byte("hello"), 0o600)
	if out, err := exec.Command("ssh-keygen", "-Y", "sign", "-f", key, "-n", Namespace, msg).CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	armored, _ := os.ReadFile(msg + ".sig")
	s, err := sshsig.Unarmor(armored)
	if err != nil {
		t.Fatal(err)
	}
	if err := sshsig.Verify(strings.NewReader("hello"), s, s.PublicKey, s.HashAlgorithm, Namespace); err != nil {
		t.Errorf("signature by ssh-keygen does not verify: %v", err)
	}
}

// TestAgeToolDecrypts decrypts an encrypted payload with the age command line tool.
func TestAgeToolDecrypts(t *testing.T) {
	if _, err := exec.LookPath("age"); err != nil {
		t.Skip("age not installed (Debian package age); CI installs it")
	}
	id, _ := age.GenerateX25519Identity()
	revs := testRevs(t, "dev-a", 0, 2, 2, exampleQ)
	opts := testOptions(1)
	sshRec, err := keys.ParseRecipient(keys.SignerLine("x", seedSigner(3).PublicKey(), "")[2:])
	if err != nil {
		t.Fatal(err)
	}
	opts.Recipients = []age.Recipient{id.Recipient(), sshRec}
	b := mustRead(t, mustCreate(t, revs, opts))
	dir := t.TempDir()
	payload := filepath.Join(dir, NamePayloadAge)
	os.WriteFile(payload, b.Payload, 0o600)
	sshKey, err := sshPrivatePEM(3)
	if err != nil {
		t.Fatal(err)
	}
	for name, identity := range map[string][]byte{"x25519": []byte(id.String() + "\n"), "ssh": sshKey} {
		idFile := filepath.Join(dir, "identity-"+name)
		os.WriteFile(idFile, identity, 0o600)
		out, err := exec.Command("age", "-d", "-i", idFile, payload).Output()
		if err != nil {
			t.Fatalf("age -d with %s identity: %v", name, err)
		}
		content, err := gunzip(out)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := encodeRevisions(revs, FormatVersion)
		if !bytes.Equal(content, want) {
			t.Errorf("%s: age decrypted something else", name)
		}
	}
}

// TestStructureErrors: version 1 (tar) archives; version 2 (zip) in TestZipStructureErrors.
func TestStructureErrors(t *testing.T) {
	good := mustRead(t, mustCreate(t, testRevs(t, "dev-a", 0, 1, 1, exampleQ), v1Options(1)))
	type entry struct {
		name string
		typ  byte
		data []byte
	}
	build := func(entries []entry, trailer bool) []byte {
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		for _, e := range entries {
			tw.WriteHeader(&tar.Header{Name: e.name, Typeflag: e.typ, Size: int64(len(e.data)), Mode: 0o644, Linkname: "x"})
			tw.Write(e.data)
		}
		if trailer {
			tw.Close()
		} else {
			tw.Flush()
		}
		return buf.Bytes()
	}
	std := []entry{{NameManifest, tar.TypeReg, good.ManifestBytes}, {NameSignature, tar.TypeReg, good.SignatureBytes}, {NamePayload, tar.TypeReg, good.Payload}}
	with := func(i int, e entry) []entry {
		out := slices.Clone(std)
		out[i] = e
		return out
	}
	canonical, _ := good.Manifest.Marshal()
	spaced := bytes.Replace(canonical, []byte(`,"device"`), []byte(`, "device"`), 1)
	unknownField := bytes.Replace(canonical, []byte(`{"format":"fieldsurvey-batch","format_version":1,`), []byte(`{"format":"fieldsurvey-batch","format_version":1,"extra":1,`), 1)
	cases := map[string]struct {
		data  []byte
		class error
		msg   string
	}{
		"empty":            {nil, ErrNotBatch, "empty"},
		"text":             {[]byte("hello, this is not a batch\n"), ErrNotBatch, "not a tar archive"},
		"zip":              {append([]byte("PK\x03\x04"), make([]byte, 600)...), ErrTruncated, "does not end with its directory"},
		"other tar":        {build([]entry{{"README", tar.TypeReg, []byte("hi")}}, true), ErrNotBatch, `first entry is "README"`},
		"extra entry":      {build(append(slices.Clone(std), entry{"more", tar.TypeReg, []byte("x")}), true), ErrMalformed, `extra entry "more"`},
		"symlink":          {build(with(2, entry{NamePayload, tar.TypeSymlink, nil}), true), ErrMalformed, "not a regular file"},
		"missing payload":  {build(std[:2], true), ErrTruncated, "ends before"},
		"wrong order":      {build([]entry{std[0], std[2], std[1]}, true), ErrMalformed, "unexpected entry"},
		"no trailer":       {build(std, false), ErrTruncated, "end-of-archive marker"},
		"trailing data":    {append(build(std, true), []byte("junk")...), ErrMalformed, "after the end"},
		"not canonical":    {build(with(0, entry{NameManifest, tar.TypeReg, spaced}), true), ErrMalformed, "canonical"},
		"unknown field":    {build(with(0, entry{NameManifest, tar.TypeReg, unknownField}), true), ErrMalformed, `unknown field "extra"`},
		"newer version":    {build(with(0, entry{NameManifest, tar.TypeReg, []byte(`{"format":"fieldsurvey-batch","format_version":3}`)}), true), ErrUnsupportedVersion, "update fieldsurvey"},
		"other json":       {build(with(0, entry{NameManifest, tar.TypeReg, []byte(`{"format":"other"}`)}), true), ErrNotBatch, `format is "other"`},
		"bad signature":    {build(with(1, entry{NameSignature, tar.TypeReg, []byte("nope")}), true), ErrMalformed, "not an armored SSH signature"},
		"payload mismatch": {build(with(2, entry{NamePayloadAge, tar.TypeReg, good.Payload}), true), ErrMalformed, "declares payload"},
		"absolute path":    {build(with(1, entry{"/etc/passwd", tar.TypeReg, nil}), true), ErrMalformed, "unsafe entry name"},
	}
	// Trailing zero padding (tar blocking) is fine.
	if _, err := Read(bytes.NewReader(append(build(std, true), make([]byte, 9216)...)), Limits{}); err != nil {
		t.Errorf("zero padding refused: %v", err)
	}
	for name, c := range cases {
		_, err := Read(bytes.NewReader(c.data), Limits{})
		var fe *FormatError
		if !errors.Is(err, c.class) || !errors.As(err, &fe) || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: err = %v, want %v containing %q", name, err, c.class, c.msg)
		}
		checkVietnamese(t, name, err)
	}
}

func TestLimits(t *testing.T) {
	data := mustCreate(t, testRevs(t, "dev-a", 0, 20, 5, exampleQ), testOptions(1))
	for name, c := range map[string]struct {
		l   Limits
		msg string
	}{
		"file":     {Limits{MaxSize: int64(len(data)) - 600}, "limit"},
		"manifest": {Limits{MaxManifest: 100}, "declares"},
	} {
		_, err := Read(bytes.NewReader(data), c.l)
		if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: err = %v", name, err)
		}
		checkVietnamese(t, name, err)
	}
	// A batch declaring more revisions than MaxContent is refused before decompressing
	// (TestGzipBombBounded: one that expands past what it declares).
	b, err := Read(bytes.NewReader(data), Limits{MaxContent: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Revisions(); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "over the limit of 1000") {
		t.Errorf("content limit: err = %v", err)
	}
	b, _ = Read(bytes.NewReader(data), Limits{MaxRevision: 100})
	if _, err := b.Revisions(); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "line 1 is longer") {
		t.Errorf("line limit: err = %v", err)
	}
}

func TestVerifyTimeWindow(t *testing.T) {
	b := mustRead(t, mustCreate(t, testRevs(t, "dev-a", 0, 1, 1, exampleQ), testOptions(1)))
	line := keys.SignerLine(testPrincipal, seedSigner(1).PublicKey(), Namespace)
	as, err := keys.ParseAllowedSigners(strings.NewReader(strings.Replace(line, "namespaces=", `valid-before="20261101Z",namespaces=`, 1)))
	if err != nil {
		t.Fatal(err)
	}
	// A revoked (expired) key is no longer trusted.
	if err := verifyAt(b, as, testNow); !errors.Is(err, ErrUnknownSigner) || !strings.Contains(err.Error(), "trusted only") {
		t.Errorf("err = %v", err)
	}
	if err := verifyAt(b, as, testNow.AddDate(0, -2, 0)); err != nil {
		t.Errorf("before expiry: %v", err)
	}
	// A trusted key signing as another principal is refused.
	opts := testOptions(1)
	opts.Principal = "bob@example.org"
	b = mustRead(t, mustCreate(t, testRevs(t, "dev-a", 0, 1, 1, exampleQ), opts))
	if err := verifyAt(b, testAllowed(t), testNow); !errors.Is(err, ErrUnknownSigner) || !strings.Contains(err.Error(), `not allowed to sign as "bob@example.org"`) {
		t.Errorf("err = %v", err)
	}
}

func TestCheckQuestionnaires(t *testing.T) {
	m := &Manifest{Questionnaires: []QuestionnaireRef{exampleQ, {"odra", "3.1"}}}
	known := func(q QuestionnaireRef) bool { return q == exampleQ }
	err := CheckQuestionnaires(m, known)
	if !errors.Is(err, ErrUnknownQuestionnaire) || !strings.Contains(err.Error(), "odra version 3.1") {
		t.Errorf("err = %v", err)
	}
	m.Questionnaires = m.Questionnaires[:1]
	if err := CheckQuestionnaires(m, known); err != nil {
		t.Error(err)
	}
}

func TestReason(t *testing.T) {
	err := &FormatError{Err: ErrTruncated, Entry: NamePayload, Msg: "the file ends early"}
	if r := Reason(err); r.Get("en") != "truncated file" || r.Get("vi") != "tệp bị cắt cụt" {
		t.Errorf("Reason = %v", r)
	}
	for _, r := range reasons {
		if r.text.Get("vi") == r.text.Get("en") || Reason(errors.Join(errors.New("x"), r.err)) == nil {
			t.Errorf("reason for %v", r.err)
		}
	}
	if Reason(errors.New("other")) != nil {
		t.Error("unknown error has a reason")
	}
}
