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

	"github.com/fieldsurvey/fieldsurvey/sync/batch"
	"github.com/fieldsurvey/fieldsurvey/sync/hub"
	"github.com/fieldsurvey/fieldsurvey/sync/keys"
	"github.com/fieldsurvey/fieldsurvey/sync/server"
	"github.com/fieldsurvey/fieldsurvey/sync/server/servertest"
)

// mergeBatches makes the batches of n completed DGRA interviews (118 revisions each, as
// servertest.Device.Interview makes them) from 50 devices, 10 interviews a batch, each
// device's batches in sequence order, and the options that trust their signers.
// Interview ids are time-ordered as UUIDv7s are (each batch's after the last's), or, with
// randomIDs, random UUIDv4s (each interview's revisions then land at a random place of the
// indexes by interview).
func mergeBatches(b *testing.B, n int, randomIDs bool) ([][]byte, hub.Options, int) {
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
	idRnd := mrand.New(mrand.NewPCG(4, 4))
	id := func(k, j int) string {
		if randomIDs {
			return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", idRnd.Uint32(), idRnd.Uint32()&0xffff, idRnd.Uint32()&0xfff,
				0x8000|idRnd.Uint32()&0x3fff, idRnd.Uint64()&0xffffffffffff)
		}
		return fmt.Sprintf("0193a5b2-7c1e-7000-8000-%08d%04d", k, j)
	}
	for k := 0; k*perBatch < n; k++ {
		d := devs[k%devices]
		rnd := mrand.New(mrand.NewPCG(uint64(k), 42))
		var all = d.Interview(b, q, id(k, 0), now, rnd)
		for j := 1; j < perBatch && k*perBatch+j < n; j++ {
			all = append(all, d.Interview(b, q, id(k, j), now, rnd)...)
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
	mergeOpen  = hub.MergeOptions()
)

// perRevisionDGRA and cpuPerRevisionDGRA remember the 10k merge's time and CPU time per
// revision for the large one's ratios.
var perRevisionDGRA, cpuPerRevisionDGRA float64

// BenchmarkMergeDGRA merges the batches of 10,000 completed DGRA interviews (118
// revisions each, 10 a batch, 1,180,000 revisions) into a new hub as the CLI's merge
// does (mergeGroup batches at a time, each group read and checked with hub.CheckGroup while
// the one before is stored with Hub.StoreGroup, into a hub opened with mergeOpen), and
// reports revisions per second (target
// ≥ 60,000), the time and CPU time per interview and the bytes written to storage per
// interview (Linux). The merge's time ends when the hub is closed, as the CLI's merge
// ends: closing copies what the write-ahead log still holds into the database (up to
// MergeCheckpoint pages, a quarter of a 10k merge's writes), work a merge that stopped the
// clock before it would leave out. FIELDSURVEY_BENCH_LARGE=1 also merges 100,000
// interviews and reports its time and CPU time per revision against the 10k merge's
// (target ≤ 1.1; on a shared machine the CPU time is the measure, the time also waits for
// the disk); FIELDSURVEY_BENCH_INTERVIEWS sets the small size; FIELDSURVEY_BENCH_IDS=v4
// gives the interviews random UUIDv4 ids instead of time-ordered ones. The load average
// at the end is reported beside. Run with -benchtime=1x: one op is one whole merge.
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
			files, opts, nrevs := mergeBatches(b, c.interviews, os.Getenv("FIELDSURVEY_BENCH_IDS") == "v4")
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
				if err := h.Close(); err != nil {
					b.Fatal(err)
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
				b.StartTimer()
			}
			perRev := total.Seconds() / float64(b.N) / float64(nrevs)
			b.ReportMetric(1/perRev, "revisions/s")
			b.ReportMetric(total.Seconds()/float64(b.N)/float64(c.interviews)*1e3, "ms/interview")
			b.ReportMetric(cpu.Seconds()/float64(b.N)/float64(c.interviews)*1e3, "cpu-ms/interview")
			b.ReportMetric(float64(written)/float64(b.N)/float64(c.interviews)/1024, "written-KiB/interview")
			b.ReportMetric(total.Seconds()/float64(b.N), "s/merge")
			b.ReportMetric(0, "ns/op")
			b.ReportMetric(loadAverage(), "load-avg")
			cpuPerRev := cpu.Seconds() / float64(b.N) / float64(nrevs)
			if !c.large {
				perRevisionDGRA, cpuPerRevisionDGRA = perRev, cpuPerRev
			} else if perRevisionDGRA > 0 {
				b.ReportMetric(perRev/perRevisionDGRA, "x-10k-per-revision")
				if cpuPerRevisionDGRA > 0 {
					b.ReportMetric(cpuPerRev/cpuPerRevisionDGRA, "x-10k-cpu-per-revision")
				}
			}
		})
	}
}
