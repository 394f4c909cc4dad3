package hub_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/hiddeco/sshsig"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
	"github.com/fieldsurvey/fieldsurvey/sync/batch"
	"github.com/fieldsurvey/fieldsurvey/sync/hub"
	"github.com/fieldsurvey/fieldsurvey/sync/keys"
	"github.com/fieldsurvey/fieldsurvey/sync/server/servertest"
)

// checkInterviews is how many complete DGRA interviews (118 revisions each) one op checks.
const checkInterviews = 20

// dgraBatches packs checkInterviews complete DGRA interviews of one device into batches of
// per interviews each, in the given format version.
func dgraBatches(b *testing.B, per, format int) ([][]byte, hub.Options) {
	b.Helper()
	q := servertest.DGRA(b)
	d := servertest.NewDevice(b, "laptop-0042", "assessor42@example.org")
	rnd := mrand.New(mrand.NewPCG(42, 7))
	var files [][]byte
	for i := 0; i < checkInterviews; i += per {
		var revs []survey.Revision
		for j := i; j < i+per; j++ {
			revs = append(revs, d.Interview(b, q, fmt.Sprintf("0193a5b2-7c1e-7000-8000-%012d", j+1), time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC), rnd)...)
		}
		d.Seq++
		data, _, err := batch.Create(revs, batch.Options{Device: d.ID, Signer: d.Signer, Principal: d.Principal, Sequence: d.Seq, FormatVersion: format})
		if err != nil {
			b.Fatal(err)
		}
		files = append(files, data)
	}
	signers, err := keys.ParseAllowedSigners(strings.NewReader(keys.SignerLine(d.Principal, d.Signer.PublicKey(), batch.Namespace)))
	if err != nil {
		b.Fatal(err)
	}
	known := func(r batch.QuestionnaireRef) bool { return r.ID == q.ID && r.Version == q.Version }
	return files, hub.Options{Signers: signers, Known: known}
}

// BenchmarkCheckDGRA is the CPU a hub (a server, a supervisor's merge) spends checking
// batches of complete DGRA interviews before the writer sees them, per interview, with 1
// and 5 interviews a batch:
//   - check: batch.Read and hub.Check (structure, signature and trust, payload hash,
//     decompression, every revision and its id, questionnaires, authority);
//   - check+verify: that and store.VerifyBatchRevisions, which the server and merge run
//     next (values decoded for the summary rows);
//   - floor: what no checker can skip, on the same batches in the same run: the SSHSIG
//     verification of the manifest, the SHA-256 of the payload, gunzip, and a SHA-256 of
//     every revision line (its id). No JSON decoding at all, so a real checker stays above
//     it.
//
// Batches of format 2 (written by default) and 1 (still received) are measured alike.
// Each reports µs/interview (wall) and cpu-µs/interview (the process's CPU time, which a
// machine shared with other work disturbs less); check and check+verify also their ratios
// to the floor's.
func BenchmarkCheckDGRA(b *testing.B) {
	for _, c := range []struct{ format, per int }{{2, 1}, {2, 5}, {1, 1}, {1, 5}} {
		format, per := c.format, c.per
		files, opts := dgraBatches(b, per, format)
		var floor, floorCPU float64
		b.Run(fmt.Sprintf("format=%d/per-batch=%d/floor", format, per), func(b *testing.B) {
			type part struct {
				manifest []byte
				sig      *sshsig.Signature
				payload  []byte
			}
			var parts []part
			for _, f := range files {
				bt, err := batch.Read(bytes.NewReader(f), batch.Limits{})
				if err != nil {
					b.Fatal(err)
				}
				parts = append(parts, part{bt.ManifestBytes, bt.Signature, bt.Payload})
			}
			lines := 0
			cpu0 := cpuTime()
			for b.Loop() {
				lines = 0
				for _, p := range parts {
					if err := sshsig.Verify(bytes.NewReader(p.manifest), p.sig, p.sig.PublicKey, p.sig.HashAlgorithm, batch.Namespace); err != nil {
						b.Fatal(err)
					}
					sha256.Sum256(p.payload)
					zr, err := gzip.NewReader(bytes.NewReader(p.payload))
					if err != nil {
						b.Fatal(err)
					}
					br := bufio.NewReaderSize(zr, 64<<10)
					for {
						line, err := br.ReadSlice('\n')
						if err == io.EOF {
							break
						}
						if err != nil {
							b.Fatal(err)
						}
						sha256.Sum256(line)
						lines++
					}
				}
			}
			floor, floorCPU = perInterviewUS(b), cpuPerInterviewUS(b, cpu0)
			b.ReportMetric(floor, "µs/interview")
			b.ReportMetric(floorCPU, "cpu-µs/interview")
			b.ReportMetric(float64(lines), "lines")
		})
		for _, withVerify := range []bool{false, true} {
			name := "check"
			if withVerify {
				name = "check+verify"
			}
			b.Run(fmt.Sprintf("format=%d/per-batch=%d/%s", format, per, name), func(b *testing.B) {
				revisions := 0
				cpu0 := cpuTime()
				for b.Loop() {
					revisions = 0
					for _, f := range files {
						bt, err := batch.Read(bytes.NewReader(f), batch.Limits{})
						if err != nil {
							b.Fatal(err)
						}
						revs, err := hub.Check(bt, opts)
						if err != nil {
							b.Fatal(err)
						}
						if withVerify {
							if _, err := store.VerifyBatchRevisions(revs...); err != nil {
								b.Fatal(err)
							}
						}
						revisions += len(revs)
					}
				}
				us, cpu := perInterviewUS(b), cpuPerInterviewUS(b, cpu0)
				b.ReportMetric(us, "µs/interview")
				b.ReportMetric(cpu, "cpu-µs/interview")
				b.ReportMetric(float64(revisions), "revisions")
				if floor > 0 {
					b.ReportMetric(us/floor, "x-floor")
				}
				if floorCPU > 0 {
					b.ReportMetric(cpu/floorCPU, "x-floor-cpu")
				}
			})
		}
	}
}

// cpuPerInterviewUS is the process's CPU time since cpu0 (the garbage collector's
// included) per interview checked.
func cpuPerInterviewUS(b *testing.B, cpu0 time.Duration) float64 {
	return (cpuTime() - cpu0).Seconds() / float64(b.N) / checkInterviews * 1e6
}

func perInterviewUS(b *testing.B) float64 {
	return b.Elapsed().Seconds() / float64(b.N) / checkInterviews * 1e6
}
