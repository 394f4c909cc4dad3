package hub_test

import (
	"bytes"
	"context"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fieldsurvey/fieldsurvey/survey/store"

	"github.com/fieldsurvey/fieldsurvey/sync/batch"
	"github.com/fieldsurvey/fieldsurvey/sync/hub"
	"github.com/fieldsurvey/fieldsurvey/sync/keys"
	"github.com/fieldsurvey/fieldsurvey/sync/server"
	"github.com/fieldsurvey/fieldsurvey/sync/server/servertest"
)

// mergeBatches makes the batches of n completed DGRA interviews (118 revisions each, as
// servertest.Device.Interview makes them) from 50 devices, 10 interviews a batch, each
// device's batches in sequence order, and the options that trust their signers.
func mergeBatches(b *testing.B, n int) ([][]byte, hub.Options, int) {
	b.Helper()
	q := servertest.DGRA(b)
	const devices, perBatch = 50, 10
	devs := make([]*servertest.Device, devices)
	var lines []string
	for i := range devs {
		devs[i] = servertest.NewDevice(b, fmt.Sprintf("dev-%04d", i), fmt.Sprintf("assessor%d@example.org", i))
		lines = append(lines, keys.SignerLine(devs[i].Principal, devs[i].Signer.PublicKey(), batch.Namespace))
	}
	signers, err := keys.ParseAllowedSigners(strings.NewReader(strings.Join(lines, "\n")))
	if err != nil {
		b.Fatal(err)
	}
	known, _ := server.BundledKnown()
	now := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
	var out [][]byte
	revs := 0
	for k := 0; k*perBatch < n; k++ {
		d := devs[k%devices]
		rnd := mrand.New(mrand.NewPCG(uint64(k), 42))
		var all = d.Interview(b, q, fmt.Sprintf("0193a5b2-7c1e-7000-8000-%08d%04d", k, 0), now, rnd)
		for j := 1; j < perBatch && k*perBatch+j < n; j++ {
			all = append(all, d.Interview(b, q, fmt.Sprintf("0193a5b2-7c1e-7000-8000-%08d%04d", k, j), now, rnd)...)
		}
		revs += len(all)
		data, _ := d.Batch(b, all)
		out = append(out, data)
	}
	return out, hub.Options{Signers: signers, Known: known}, revs
}

// mergeGroup and mergeOpen are how the CLI's merge groups batches and opens its hub.
var (
	mergeGroup = hub.MergeGroup
	mergeOpen  = []store.Option{store.WithWALCheckpoint(hub.MergeCheckpoint)}
)

// perRevisionDGRA remembers the 10k merge's time per revision for the large one's ratio.
var perRevisionDGRA float64

// BenchmarkMergeDGRA merges the batches of 10,000 completed DGRA interviews (118
// revisions each, 10 a batch, 1,180,000 revisions) into a new hub as the CLI's merge
// does (mergeGroup batches at a time, each group read and checked with hub.CheckGroup while
// the one before is stored with Hub.StoreGroup, into a hub opened with mergeOpen), and
// reports revisions per second (target
// ≥ 60,000), the time per interview and the bytes written to storage per interview
// (Linux). FIELDSURVEY_BENCH_LARGE=1 also merges 100,000 interviews and reports its time
// per revision against the 10k merge's (target ≤ 1.1); FIELDSURVEY_BENCH_INTERVIEWS sets
// the small size. Run with -benchtime=1x: one op is one whole merge.
func BenchmarkMergeDGRA(b *testing.B) {
	small := 10000
	if v, err := strconv.Atoi(os.Getenv("FIELDSURVEY_BENCH_INTERVIEWS")); err == nil && v > 0 {
		small = v
	}
	for _, c := range []struct {
		interviews int
		large      bool
	}{{small, false}, {100000, true}} {
		b.Run(fmt.Sprintf("interviews=%d", c.interviews), func(b *testing.B) {
			if c.large && os.Getenv("FIELDSURVEY_BENCH_LARGE") == "" {
				b.Skip("set FIELDSURVEY_BENCH_LARGE=1 to run the 100,000-interview merge")
			}
			files, opts, nrevs := mergeBatches(b, c.interviews)
			ctx := context.Background()
			var total time.Duration
			var written int64
			var cpu time.Duration
			for b.Loop() {
				b.StopTimer()
				h, err := hub.Open(filepath.Join(b.TempDir(), fmt.Sprintf("hub-%d.db", time.Now().UnixNano())), mergeOpen...)
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				start, w0, c0 := time.Now(), writtenBytes(), cpuTime()
				// As the CLI's merge: a group read and checked while the one before is stored.
				groups := make(chan *hub.Checked, 1)
				go func() {
					defer close(groups)
					for i := 0; i < len(files); i += mergeGroup {
						var bs []*batch.Batch
						for _, data := range files[i:min(i+mergeGroup, len(files))] {
							bt, err := batch.Read(bytes.NewReader(data), batch.Limits{})
							if err != nil {
								b.Error(err)
								return
							}
							bs = append(bs, bt)
						}
						groups <- hub.CheckGroup(bs, opts)
					}
				}()
				var res []hub.Result
				for g := range groups {
					r, err := h.StoreGroup(ctx, g)
					if err != nil {
						b.Fatal(err)
					}
					res = append(res, r...)
				}
				total += time.Since(start)
				written += writtenBytes() - w0
				cpu += cpuTime() - c0
				b.StopTimer()
				added := 0
				for _, r := range res {
					if r.Rejected != nil {
						b.Fatal(r.Rejected)
					}
					added += r.Added
				}
				if added != nrevs {
					b.Fatalf("added %d revisions of %d", added, nrevs)
				}
				h.Close()
				b.StartTimer()
			}
			perRev := total.Seconds() / float64(b.N) / float64(nrevs)
			b.ReportMetric(1/perRev, "revisions/s")
			b.ReportMetric(total.Seconds()/float64(b.N)/float64(c.interviews)*1e3, "ms/interview")
			b.ReportMetric(cpu.Seconds()/float64(b.N)/float64(c.interviews)*1e3, "cpu-ms/interview")
			b.ReportMetric(float64(written)/float64(b.N)/float64(c.interviews)/1024, "written-KiB/interview")
			b.ReportMetric(total.Seconds()/float64(b.N), "s/merge")
			b.ReportMetric(0, "ns/op")
			if !c.large {
				perRevisionDGRA = perRev
			} else if perRevisionDGRA > 0 {
				b.ReportMetric(perRev/perRevisionDGRA, "x-10k-per-revision")
			}
		})
	}
}
