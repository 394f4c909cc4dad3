package batch

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/sync/keys"
)

// chainRevs are revisions of one interview of dev-a in which answers replace earlier ones
// (in the batch), one replaces a revision the batch does not hold, and another device's
// revision replaces one of dev-a's: the cases of a version 2 line's replaces.
func chainRevs(t *testing.T) []survey.Revision {
	t.Helper()
	revs := testRevs(t, "dev-a", 0, 1, 2, exampleQ)
	iv := revs[0].Interview
	tg := survey.Target{Interview: iv, Kind: survey.KindAnswer, Key: "1.1"}
	at := testNow.Add(-time.Minute)
	mk := func(dev string, counter uint64, v any, author string, replaces ...string) survey.Revision {
		r, err := survey.NewRevision(tg, v, dev, counter, at, author, replaces)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	first := revs[2] // the answer to 1.1
	outside := strings.Repeat("ab", 32)
	r1 := mk("dev-a", 100, survey.Answer{Rating: "green", Comment: "a <b> & \u2028 \"quoted\" \\ tab\t"}, testPrincipal, first.ID)
	r2 := mk("dev-a", 101, survey.Answer{Rating: "amber"}, "", r1.ID, outside)
	r3 := mk("dev-b", 1, survey.Answer{Rating: "red"}, "Nguyễn Văn An", r2.ID, first.ID)
	return append(revs, r1, r2, r3)
}

func contentOf(t *testing.T, b *Batch) []byte {
	t.Helper()
	c, err := gunzip(b.Payload)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestV2Lines: a version 2 line is the revision's hashed encoding, without its id, with
// @N for a replaced revision on an earlier line; the receiver gets back exactly the
// revisions packed.
func TestV2Lines(t *testing.T) {
	revs := chainRevs(t)
	b := mustRead(t, mustCreate(t, revs, testOptions(1)))
	if b.Manifest.FormatVersion != 2 {
		t.Fatalf("format_version %d, want 2 by default", b.Manifest.FormatVersion)
	}
	lines := strings.Split(strings.TrimSuffix(string(contentOf(t, b)), "\n"), "\n")
	sorted, _ := sortRevisions(revs)
	if len(lines) != len(sorted) {
		t.Fatalf("%d lines for %d revisions", len(lines), len(sorted))
	}
	lineOf := map[string]int{}
	for i, r := range sorted {
		line := lines[i]
		if strings.Contains(line, `"id":`) || strings.Contains(line, r.ID) {
			t.Errorf("line %d ships its id: %s", i+1, line)
		}
		// Rebuild the hashed bytes: @N back to the id it stands for.
		hashed := line
		for _, p := range r.Replaces {
			if n, ok := lineOf[p]; ok {
				ref := `"@` + strconv.Itoa(n) + `"`
				if !strings.Contains(line, ref) {
					t.Errorf("line %d: replaces %.12s (line %d) not written %s: %s", i+1, p, n, ref, line)
				}
				hashed = strings.Replace(hashed, ref, `"`+p+`"`, 1)
			} else if !strings.Contains(line, `"`+p+`"`) {
				t.Errorf("line %d: replaces %.12s (not in the batch) not written in full: %s", i+1, p, line)
			}
		}
		if sum := sha256.Sum256([]byte(hashed)); hex.EncodeToString(sum[:]) != r.ID {
			t.Errorf("line %d is not the bytes its id hashes: %s", i+1, line)
		}
		lineOf[r.ID] = i + 1
	}
	if err := verifyAt(b, testAllowed(t), testNow); err != nil {
		t.Fatal(err)
	}
	got, err := b.Revisions()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, sorted) {
		t.Errorf("revisions changed on the way:\ngot  %+v\nwant %+v", got, sorted)
	}
	// A version 1 batch of the same revisions gives the same revisions, and is larger.
	v1 := mustCreate(t, revs, v1Options(1))
	b1 := mustRead(t, v1)
	got1, err := b1.Revisions()
	if err != nil || !reflect.DeepEqual(got1, sorted) {
		t.Errorf("version 1: %v", err)
	}
	if b1.Manifest.ID == b.Manifest.ID {
		t.Error("versions 1 and 2 of a batch have the same id")
	}
}

// resigned returns a batch of the given version whose content is content, declared and
// signed by the trusted key: what a device whose writer went wrong would send.
func resigned(t *testing.T, v int, content []byte) []byte {
	t.Helper()
	m := mustRead(t, mustCreate(t, testRevs(t, "dev-a", 0, 1, 1, exampleQ), testOptions(1))).Manifest
	m.FormatVersion = v
	m.Revisions = bytes.Count(content, []byte("\n"))
	m.Content = Digest{Size: int64(len(content)), SHA256: sha256Hex(content)}
	m.ID = batchID(v, m.Device, m.Sequence, m.Content.SHA256)
	payload, err := compress(content)
	if err != nil {
		t.Fatal(err)
	}
	return signedWith(t, m, payload)
}

// TestV2RefusesNonCanonicalLines: every line has one encoding; any other is refused,
// naming the line, even when it means the same revision.
func TestV2RefusesNonCanonicalLines(t *testing.T) {
	revs := chainRevs(t)
	sorted, _ := sortRevisions(revs)
	good, err := encodeRevisions(sorted, FormatVersion)
	if err != nil {
		t.Fatal(err)
	}
	allowed := testAllowed(t)
	// The good content, signed this way, is accepted: the cases below fail for their change.
	if _, err := check(resigned(t, FormatVersion, good), allowed); err != nil {
		t.Fatalf("good content refused: %v", err)
	}
	lines := strings.SplitAfter(string(good), "\n")
	last := len(lines) - 2 // dev-b's line, replacing two earlier ones
	v1line, _ := json.Marshal(sorted[0])
	change := func(i int, old, new string) []byte {
		out := slices.Clone(lines)
		if !strings.Contains(out[i], old) {
			t.Fatalf("line %d has no %q: %s", i+1, old, out[i])
		}
		out[i] = strings.Replace(out[i], old, new, 1)
		return []byte(strings.Join(out, ""))
	}
	firstID := sorted[2].ID
	for name, c := range map[string]struct {
		content []byte
		msg     string
	}{
		"space":               {change(0, `,"kind":`, `, "kind":`), "line 1: not in canonical form"},
		"field order":         {change(0, `{"interview":`, `{"kind":"x","interview":`), "line 1: not in canonical form"},
		"id shipped":          {[]byte(string(v1line) + "\n" + strings.Join(lines[1:], "")), "line 1: not in canonical form"},
		"empty key left out":  {change(0, `"key":"",`, ``), "line 1: not in canonical form"},
		"ref in full":         {change(last, `"@`, `"`+firstID+`","@`), "written in full"},
		"ref to line 0":       {change(last, `"@3"`, `"@0"`), "no earlier line"},
		"ref forward":         {change(last, `"@3"`, `"@99"`), "no earlier line"},
		"ref leading zero":    {change(last, `"@3"`, `"@03"`), "no earlier line"},
		"ref with a sign":     {change(last, `"@3"`, `"@+3"`), "no earlier line"},
		"ref not a number":    {change(last, `"@3"`, `"@3x"`), "no earlier line"},
		"needless escape":     {change(0, `},"device":"dev-a"`, `},"device":"dev-\u0061"`), "escaped"},
		"raw <":               {change(last-2, `\u003cb\u003e`, `<b>`), "not in canonical form: the value"},
		"counter zero padded": {change(0, `"counter":1,`, `"counter":01,`), "not in canonical form: the counter"},
		"other time form":     {change(0, `.000Z"`, `Z"`), "not in canonical form: the time"},
		"30 February":         {change(0, `"time":"2026-11-20T`, `"time":"2026-02-30T`), "not in canonical form: the time"},
		"hour 24":             {change(0, `"time":"2026-11-20T07`, `"time":"2026-11-20T24`), "not in canonical form: the time"},
		"unknown kind":        {change(0, `"kind":"interview"`, `"kind":"secret"`), "unknown kind"},
	} {
		_, err := check(resigned(t, FormatVersion, c.content), allowed)
		if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: err = %v, want malformed batch containing %q", name, err, c.msg)
		}
		checkVietnamese(t, name, err)
	}
	// The same lines under version 1 are not version 1 lines (no id): refused too.
	if _, err := check(resigned(t, FormatVersion1, good), allowed); !errors.Is(err, ErrMalformed) {
		t.Errorf("version 2 lines in a version 1 batch: %v", err)
	}
}

// TestV1OnePassMatchesDecode: the one-pass check of a version 1 line gives what encoding/json
// and survey.Revision.Verify give, for the lines fieldsurvey writes and for valid lines it
// does not write (which take the old path).
func TestV1OnePassMatchesDecode(t *testing.T) {
	revs := chainRevs(t)
	var lines [][]byte
	for _, r := range revs {
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, b)
	}
	// Valid, but not as fieldsurvey writes them.
	alt := func(b []byte, old, new string) []byte {
		return bytes.Replace(slices.Clone(b), []byte(old), []byte(new), 1)
	}
	lines = append(lines,
		alt(lines[0], `,"kind":`, ` , "kind" : `),
		alt(lines[0], `"device":"dev-a"`, `"device":"dev-\u0061"`),
		alt(lines[1], `"value":`, `"key":"","value":`),
		alt(lines[1], `.000Z"`, `+00:00"`),
		alt(lines[1], `"time":"2026-11-20T`, `"time":"2026-02-30T`),
		alt(lines[1], `"time":"2026-11-20T07`, `"time":"2026-11-20T24`),
		alt(lines[len(revs)-3], `\u003cb\u003e`, `<b>`),
		alt(lines[0], `{"id":"`, `{"id":"0`),
		alt(lines[0], `"counter":1`, `"counter":2`),
	)
	for i, line := range lines {
		if i < len(revs) {
			// What fieldsurvey writes takes the one pass, not the old decode.
			if _, err := newLineDecoder(FormatVersion1, 0).scan(line); err != nil {
				t.Errorf("line %d not recognised by the one pass: %v\n%s", i, err, line)
			}
		}
		fast, ferr := newLineDecoder(FormatVersion1, 0).decode(line)
		slow, serr := decodeSlow(line)
		if (ferr == nil) != (serr == nil) || ferr != nil && ferr.Error() != serr.Error() {
			t.Errorf("line %d: one pass %v, decode %v\n%s", i, ferr, serr, line)
			continue
		}
		if ferr == nil && !reflect.DeepEqual(fast, slow) {
			t.Errorf("line %d: one pass %+v\ndecode %+v", i, fast, slow)
		}
	}
}

// zipOf writes entries as a zip archive, with tweak applied to each header.
func zipOf(t *testing.T, entries []entry, method uint16, comment string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: method})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(e.data)
	}
	zw.SetComment(comment)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestZipStructureErrors: a version 2 archive must be exactly what Create writes.
func TestZipStructureErrors(t *testing.T) {
	data := mustCreate(t, testRevs(t, "dev-a", 0, 1, 1, exampleQ), testOptions(1))
	good := mustRead(t, data)
	std := []entry{{NameManifest, good.ManifestBytes}, {NameSignature, good.SignatureBytes}, {NamePayload, good.Payload}}
	v1 := mustRead(t, mustCreate(t, testRevs(t, "dev-a", 0, 1, 1, exampleQ), v1Options(1)))
	var v2InTar bytes.Buffer
	tw := tar.NewWriter(&v2InTar)
	for _, e := range std {
		tw.WriteHeader(&tar.Header{Name: e.name, Typeflag: tar.TypeReg, Size: int64(len(e.data)), Mode: 0o644})
		tw.Write(e.data)
	}
	tw.Close()
	payloadAt := bytes.Index(data, good.Payload)
	crcAt := bytes.LastIndex(data, []byte("PK\x01\x02")) // the payload's directory record… of the last entry
	cases := map[string]struct {
		data  []byte
		class error
		msg   string
	}{
		"trailing data":     {append(slices.Clone(data), "junk"...), ErrTruncated, "does not end with its directory"},
		"data before":       {append([]byte("PK\x03\x04junk"), data...), ErrMalformed, "not in the form"},
		"comment":           {zipOf(t, std, zip.Store, "hi"), ErrTruncated, "does not end with its directory"},
		"extra entry":       {zipOf(t, append(slices.Clone(std), entry{"more", []byte("x")}), zip.Store, ""), ErrMalformed, "4 entries"},
		"missing payload":   {zipOf(t, std[:2], zip.Store, ""), ErrMalformed, "2 entries"},
		"wrong order":       {zipOf(t, []entry{std[0], std[2], std[1]}, zip.Store, ""), ErrMalformed, "unexpected entry"},
		"other zip":         {zipOf(t, []entry{{"[Content_Types].xml", nil}, std[1], std[2]}, zip.Store, ""), ErrNotBatch, "first entry"},
		"deflated entries":  {zipOf(t, std, zip.Deflate, ""), ErrMalformed, "not stored as it is"},
		"other framing":     {zipOf(t, std, zip.Store, ""), ErrMalformed, "not in the form"},
		"cut short":         {data[:payloadAt+10], ErrTruncated, "does not end with its directory"},
		"v1 manifest":       {zipOf(t, []entry{{NameManifest, v1.ManifestBytes}, {NameSignature, v1.SignatureBytes}, {NamePayload, v1.Payload}}, zip.Store, ""), ErrMalformed, "version 1 batches are tar"},
		"v2 manifest, tar":  {v2InTar.Bytes(), ErrMalformed, "version 2 batches are zip"},
		"entry over limits": {zipOf(t, []entry{{NameManifest, bytes.Repeat([]byte("x"), 2<<20)}, std[1], std[2]}, zip.Store, ""), ErrTooLarge, "declares"},
	}
	for name, c := range cases {
		_, err := Read(bytes.NewReader(c.data), Limits{})
		var fe *FormatError
		if !errors.Is(err, c.class) || !errors.As(err, &fe) || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: err = %v, want %v containing %q", name, err, c.class, c.msg)
		}
		checkVietnamese(t, name, err)
	}
	if crcAt < 0 {
		t.Fatal("no central directory")
	}
	allowed := testAllowed(t)
	// Damage keeps the class it has in version 1: a flipped payload byte is a hash
	// mismatch, a flipped manifest byte a bad signature (not a zip CRC error).
	flip := func(at int) []byte {
		out := slices.Clone(data)
		out[at] ^= 1
		return out
	}
	manifestAt := bytes.Index(data, []byte(`"interviews":`)) + len(`"interviews":`)
	for name, c := range map[string]struct {
		data  []byte
		class error
	}{
		"payload byte":  {flip(payloadAt + 20), ErrPayloadHash},
		"manifest byte": {flip(manifestAt), ErrBadSignature},
		// The CRC-32 field of the last directory record (at offset 16): intact content,
		// altered archive.
		"crc only": {func() []byte {
			out := flip(crcAt + 16)
			lh := bytes.LastIndex(out[:payloadAt], []byte("PK\x03\x04"))
			out[lh+14] ^= 1 // the same field of the local header, so the two agree
			return out
		}(), ErrMalformed},
	} {
		b, err := Read(bytes.NewReader(c.data), Limits{})
		if err == nil {
			err = verifyAt(b, allowed, testNow)
		}
		if !errors.Is(err, c.class) {
			t.Errorf("%s: err = %v, want %v", name, err, c.class)
		}
		checkVietnamese(t, name, err)
	}
}

func TestZipLayout(t *testing.T) {
	data := mustCreate(t, testRevs(t, "dev-a", 0, 1, 1, exampleQ), testOptions(1))
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	framing := len(data)
	for _, f := range zr.File {
		names = append(names, f.Name)
		if f.Method != zip.Store || len(f.Extra) != 0 || f.Comment != "" || !f.Modified.Equal(testNow) {
			t.Errorf("%s: header %+v", f.Name, f.FileHeader)
		}
		framing -= int(f.UncompressedSize64)
	}
	if want := []string{NameManifest, NameSignature, NamePayload}; !reflect.DeepEqual(names, want) {
		t.Errorf("entries %v, want %v", names, want)
	}
	if framing > 400 {
		t.Errorf("the zip framing takes %d bytes", framing)
	}
	t.Logf("%d bytes, %d of them zip framing", len(data), framing)
}

// TestSSHKeygenVerifiesZip: a version 2 batch is checked with the standard tools alone:
// unzip takes the manifest and its signature out, ssh-keygen verifies them.
func TestSSHKeygenVerifiesZip(t *testing.T) {
	for _, tool := range []string{"unzip", "ssh-keygen"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (Debian packages unzip, openssh-client); CI installs them", tool)
		}
	}
	opts := testOptions(1)
	dir := t.TempDir()
	file := filepath.Join(dir, "000001"+Ext)
	if err := os.WriteFile(file, mustCreate(t, testRevs(t, "dev-a", 0, 1, 2, exampleQ), opts), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("unzip", "-q", file, "-d", filepath.Join(dir, "x")).CombinedOutput(); err != nil {
		t.Fatalf("unzip: %v\n%s", err, out)
	}
	allowed := filepath.Join(dir, "allowed_signers")
	os.WriteFile(allowed, []byte(keys.SignerLine(testPrincipal, opts.Signer.PublicKey(), Namespace)+"\n"), 0o600)
	in, err := os.Open(filepath.Join(dir, "x", NameManifest))
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	cmd := exec.Command("ssh-keygen", "-Y", "verify", "-f", allowed, "-I", testPrincipal, "-n", Namespace, "-s", filepath.Join(dir, "x", NameSignature))
	cmd.Stdin = in
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), `Good "fieldsurvey-batch" signature for `+testPrincipal) {
		t.Fatalf("ssh-keygen -Y verify: %v\n%s", err, out)
	}
}

// TestParseTime: the one-pass time reader accepts exactly the times survey.TimeFormat
// writes, each giving back the same bytes.
func TestParseTime(t *testing.T) {
	for _, s := range []string{"2024-02-29T23:59:59.999Z", "2026-12-31T00:00:00.000Z", "0001-01-01T00:00:00.000Z", "2026-06-30T12:30:45.120Z"} {
		got, ok := parseTime([]byte(s))
		if !ok || got.Format(survey.TimeFormat) != s {
			t.Errorf("%s: %v %v", s, got, ok)
		}
	}
	for _, s := range []string{"2025-02-29T00:00:00.000Z", "2026-04-31T00:00:00.000Z", "2026-13-01T00:00:00.000Z", "2026-00-01T00:00:00.000Z",
		"2026-01-00T00:00:00.000Z", "2026-01-01T24:00:00.000Z", "2026-01-01T00:60:00.000Z", "2026-01-01T00:00:60.000Z",
		"2026-01-01T00:00:00.00Z", "2026-01-01 00:00:00.000Z", "2026-01-01T00:00:00.000+", "2026-01-01T00:00:00.0a0Z", "+026-01-01T00:00:00.000Z"} {
		if got, ok := parseTime([]byte(s)); ok {
			t.Errorf("%s accepted as %v", s, got)
		}
	}
	rnd := time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 20000 {
		tm := rnd.Add(time.Duration(i) * 7919 * time.Minute / 3).Truncate(time.Millisecond)
		s := tm.Format(survey.TimeFormat)
		if got, ok := parseTime([]byte(s)); !ok || !got.Equal(tm) {
			t.Fatalf("%s: %v %v", s, got, ok)
		}
	}
}
