package hub

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/fieldsurvey/fieldsurvey/sync/batch"
)

// benchBatches makes n batches of perBatch interviews each (5 revisions an interview),
// spread over 10 devices.
func benchBatches(b *testing.B, n, perBatch int) ([][]byte, Options) {
	b.Helper()
	devs := make([]*device, 10)
	for i := range devs {
		devs[i] = newDevice(fmt.Sprintf("dev-%02d", i), byte(10+i), fmt.Sprintf("assessor%02d@example.org", i))
	}
	out := make([][]byte, n)
	for i := range n {
		d := devs[i%len(devs)]
		var revs = d.interview(b, fmt.Sprintf("0193a5b2-7c1e-7000-8000-%06d000%03d", i, 0), 2, i)
		for k := 1; k < perBatch; k++ {
			revs = append(revs, d.interview(b, fmt.Sprintf("0193a5b2-7c1e-7000-8000-%06d000%03d", i, k), 2, i)...)
		}
		out[i] = d.pack(b, revs)
	}
	return out, Options{Signers: allowedFor(b, devs...), Known: knownExample}
}

// perInterview remembers the small merge's time per interview for the large one's ratio.
var perInterview float64

// BenchmarkMerge merges 200 batches holding 10,000 interviews (50,000 revisions) into a
// new hub, reading, verifying and storing each; with FIELDSURVEY_BENCH_LARGE=1 also 2,000
// batches holding 100,000 interviews, reporting its time per interview against the small
// one's (1.0 is linear). Run with -benchtime=1x: one op is one whole merge.
func BenchmarkMerge(b *testing.B) {
	for _, c := range []struct {
		batches, perBatch int
		large             bool
	}{{200, 50, false}, {2000, 50, true}} {
		interviews := c.batches * c.perBatch
		b.Run(fmt.Sprintf("batches=%d/interviews=%d", c.batches, interviews), func(b *testing.B) {
			if c.large && os.Getenv("FIELDSURVEY_BENCH_LARGE") == "" {
				b.Skip("set FIELDSURVEY_BENCH_LARGE=1 to run the 2,000-batch merge")
			}
			files, opts := benchBatches(b, c.batches, c.perBatch)
			ctx := context.Background()
			var total time.Duration
			for b.Loop() {
				b.StopTimer()
				h, err := Open(filepath.Join(b.TempDir(), fmt.Sprintf("hub-%d.db", time.Now().UnixNano())))
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				start := time.Now()
				for _, data := range files {
					bt, err := batch.Read(bytes.NewReader(data), batch.Limits{})
					if err != nil {
						b.Fatal(err)
					}
					res, err := h.MergeOne(ctx, bt, opts)
					if err != nil || res.Rejected != nil {
						b.Fatal(err, res.Rejected)
					}
				}
				total += time.Since(start)
				b.StopTimer()
				h.Close()
				b.StartTimer()
			}
			per := total.Seconds() / float64(b.N) / float64(interviews)
			b.ReportMetric(per*1e6, "µs/interview")
			b.ReportMetric(total.Seconds()/float64(b.N)/float64(c.batches)*1e3, "ms/batch")
			b.ReportMetric(total.Seconds()/float64(b.N), "s/merge")
			if !c.large {
				perInterview = per
			} else if perInterview > 0 {
				b.ReportMetric(per/perInterview, "x-small-per-interview")
			}
		})
	}
}
