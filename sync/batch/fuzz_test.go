package batch

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// FuzzRead feeds arbitrary bytes to the reader. Seeds: every hostile fixture (and the valid
// batch). Properties: Read never panics and always fails with a named check; whatever it
// accepts re-encodes (WriteTo) to an archive that reads back to the same parts; Verify and
// Revisions never panic on it.
func FuzzRead(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "hostile", "*"+Ext))
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte{})
	// A version 2 (zip) batch; the fixtures are version 1.
	f.Add(mustCreate(f, testRevs(f, "dev-a", 0, 2, 2, exampleQ), testOptions(1)))
	allowed := testAllowed(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := Read(bytes.NewReader(data), Limits{MaxContent: 1 << 20})
		if err != nil {
			var fe *FormatError
			if !errors.As(err, &fe) || Reason(err) == nil {
				t.Fatalf("error without a named check: %v", err)
			}
			checkVietnamese(t, "read", err)
			return
		}
		var buf bytes.Buffer
		if _, err := b.WriteTo(&buf); err != nil {
			t.Fatal(err)
		}
		b2, err := Read(&buf, Limits{MaxContent: 1 << 20})
		if err != nil {
			t.Fatalf("re-encoded batch does not read: %v", err)
		}
		if !bytes.Equal(b.ManifestBytes, b2.ManifestBytes) || !bytes.Equal(b.SignatureBytes, b2.SignatureBytes) ||
			!bytes.Equal(b.Payload, b2.Payload) || !reflect.DeepEqual(b.Manifest, b2.Manifest) {
			t.Fatal("round trip changed the batch")
		}
		if err := verifyAt(b, allowed, testNow); err != nil && Reason(err) == nil {
			t.Fatalf("verify error without a named check: %v", err)
		} else if err != nil {
			checkVietnamese(t, "verify", err)
		}
		if _, err := b.Revisions(); err != nil && Reason(err) == nil {
			t.Fatalf("revisions error without a named check: %v", err)
		} else if err != nil {
			checkVietnamese(t, "revisions", err)
		}
	})
}

// FuzzRevisions feeds arbitrary content to the revisions decoder. Property: what it
// accepts encodes back to content that decodes to the same revisions.
func FuzzRevisions(f *testing.F) {
	for _, v := range []int{FormatVersion1, FormatVersion} {
		good, _ := encodeRevisions(testRevs(f, "dev-a", 0, 2, 2, exampleQ), v)
		f.Add(v == FormatVersion, good)
	}
	f.Add(false, []byte("{}\n"))
	f.Add(false, []byte(`{"id":"x","interview":"i","kind":"status","value":{},"device":"d","counter":1,"time":"2026-01-01T00:00:00.000Z"}`+"\n"))
	f.Add(true, []byte(`{"interview":"i","kind":"status","key":"","value":{},"device":"d","counter":1,"time":"2026-01-01T00:00:00.000Z","author":"","replaces":["@1"]}`+"\n"))
	f.Fuzz(func(t *testing.T, v2 bool, content []byte) {
		v := FormatVersion1
		if v2 {
			v = FormatVersion
		}
		revs, err := decodeRevisions(bytes.NewReader(content), v, 1<<16, 0)
		if err != nil {
			if Reason(err) == nil {
				t.Fatalf("error without a named check: %v", err)
			}
			checkVietnamese(t, "decode", err)
			return
		}
		again, err := encodeRevisions(revs, v)
		if err != nil {
			t.Fatal(err)
		}
		if v2 && !bytes.Equal(again, content) {
			t.Fatalf("version 2 content accepted but not canonical:\n%s\nencodes as\n%s", content, again)
		}
		revs2, err := decodeRevisions(bytes.NewReader(again), v, 1<<16, 0)
		if err != nil {
			t.Fatalf("re-encoded revisions do not decode: %v", err)
		}
		if !reflect.DeepEqual(revs, revs2) {
			t.Fatal("round trip changed the revisions")
		}
	})
}
