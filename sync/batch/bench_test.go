package batch

import (
	"bytes"
	"testing"

	"filippo.io/age"
)

// BenchmarkCreate packs and signs 1,000 revisions per op (one op = one batch).
func BenchmarkCreate(b *testing.B) {
	revs := testRevs(b, "dev-a", 0, 125, 5, exampleQ)
	if len(revs) != 1000 {
		b.Fatalf("%d revisions", len(revs))
	}
	opts := testOptions(1)
	var size int
	b.ReportAllocs()
	for b.Loop() {
		data, _, err := createWithNow(revs, opts, testNow)
		if err != nil {
			b.Fatal(err)
		}
		size = len(data)
	}
	b.ReportMetric(float64(size), "bytes/batch")
	b.ReportMetric(float64(len(revs))/(b.Elapsed().Seconds()/float64(b.N)), "revisions/s")
}

// BenchmarkVerify reads, verifies and decodes a batch of 1,000 revisions per op; with
// "encrypted", the payload is decrypted with age too.
func BenchmarkVerify(b *testing.B) {
	revs := testRevs(b, "dev-a", 0, 125, 5, exampleQ)
	for _, enc := range []bool{false, true} {
		name := "plain"
		opts := testOptions(1)
		var ids []age.Identity
		if enc {
			name = "encrypted"
			id, _ := age.GenerateX25519Identity()
			opts.Recipients = []age.Recipient{id.Recipient()}
			ids = []age.Identity{id}
		}
		data := mustCreate(b, revs, opts)
		allowed := testAllowed(b)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				bt, err := Read(bytes.NewReader(data), Limits{})
				if err != nil {
					b.Fatal(err)
				}
				if err := verifyAt(bt, allowed, testNow); err != nil {
					b.Fatal(err)
				}
				got, err := bt.Revisions(ids...)
				if err != nil || len(got) != 1000 {
					b.Fatal(err)
				}
			}
			b.ReportMetric(1000/(b.Elapsed().Seconds()/float64(b.N)), "revisions/s")
		})
	}
}
