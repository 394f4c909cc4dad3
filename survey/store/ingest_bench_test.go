package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/fieldsurvey/fieldsurvey/internal/procstat"
	"github.com/fieldsurvey/fieldsurvey/survey"
)

// dgraLike returns the revisions of one completed interview shaped like a DGRA interview
// as the server receives it (118 revisions): the interview, the respondent, 37 rating
// answers committed in three steps each (rating, evidence, comment), 4 section summaries
// and the status completed.
func dgraLike(tb testing.TB, dev string, counter *uint64, id string) []survey.Revision {
	tb.Helper()
	now := t0
	var out []survey.Revision
	add := func(k survey.Kind, key string, v any, replaces ...string) string {
		*counter++
		r, err := survey.NewRevision(tgt(id, k, key), v, dev, *counter, now.Add(time.Duration(*counter)*time.Second), dev+"@example.org", replaces)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, r)
		return r.ID
	}
	add(survey.KindInterview, "", survey.InterviewMeta{Questionnaire: "dgra-2018", QuestionnaireVersion: "2018", Assessor: dev + "@example.org", Device: dev})
	add(survey.KindRespondent, "", survey.Respondent{Agency: "Sở Thông tin và Truyền thông", Province: "Đà Nẵng", Role: "Phó Giám đốc", Category: "provincial-government", Consent: true})
	codes := []survey.Code{survey.Red, survey.AmberRed, survey.Amber, survey.AmberGreen, survey.Green}
	for q := range 37 {
		key := fmt.Sprintf("%d.%d", q/5+1, q%5+1)
		a := survey.Answer{Rating: codes[q%5]}
		h := add(survey.KindAnswer, key, a)
		a.Evidence = []survey.Evidence{
			{Polarity: survey.Plus, Text: "Quyết định số 749/QĐ-TTg phê duyệt Chương trình Chuyển đổi số quốc gia", Source: "https://vanban.chinhphu.vn", InScope: true},
			{Polarity: survey.Minus, Text: "Kinh phí cho các dự án chuyển đổi số cấp tỉnh chưa được bố trí đủ", InScope: true},
		}
		h = add(survey.KindAnswer, key, a, h)
		a.Comment = "Lãnh đạo tỉnh ủng hộ rõ ràng; việc triển khai ở cấp huyện còn chậm. Strong provincial leadership; district follow-through is slow."
		add(survey.KindAnswer, key, a, h)
	}
	for s := range 4 {
		add(survey.KindSection, fmt.Sprint(s+1), survey.SectionSummary{Rating: codes[s], Comment: "Đã xác nhận / confirmed"})
	}
	add(survey.KindStatus, "", survey.StatusChange{Status: survey.StatusCompleted})
	return out
}

// BenchmarkAppendBatch measures the store's share of a server's ingest: batches of two
// DGRA-shaped interviews (236 revisions), as a batch reader hands them over (verified
// ids), appended into one growing store, one durable transaction per batch. It reports
// the time per revision and per batch. Sub-benchmark "append" goes through Append (which
// checks every revision itself, inside the transaction); "verified" checks each batch
// with Verify before the transaction and stores it with AppendBatch (recording the batch
// as the hub does); "grouped8" does the same with 8 batches in one transaction (the
// server's group commit).
func BenchmarkAppendBatch(b *testing.B) {
	const perBatch, chunk = 2, 64
	// mk makes chunk n: chunk batches of fresh interviews from 50 devices.
	mk := func(b *testing.B, n int) [][]survey.Revision {
		out := make([][]survey.Revision, chunk)
		for i := range out {
			dev := fmt.Sprintf("dev-%04d", i%50)
			c := uint64(n*chunk+i) * 1000
			for k := range perBatch {
				out[i] = append(out[i], dgraLike(b, dev, &c, fmt.Sprintf("iv-%04d-%03d-%d", n, i, k))...)
			}
		}
		return out
	}
	run := func(b *testing.B, group int, store func(ctx context.Context, s *Store, batches [][]survey.Revision) error) {
		ctx := context.Background()
		s, err := Open(filepath.Join(b.TempDir(), "survey.db"))
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		var revs, batches int
		var took time.Duration
		n := 0
		for b.Loop() {
			// Batches are made outside the timer, a chunk an op, so the store grows.
			b.StopTimer()
			set := mk(b, n)
			n++
			b.StartTimer()
			t := time.Now()
			for i := 0; i < len(set); i += group {
				if err := store(ctx, s, set[i:min(i+group, len(set))]); err != nil {
					b.Fatal(err)
				}
			}
			took += time.Since(t)
			for _, bt := range set {
				revs += len(bt)
			}
			batches += len(set)
		}
		b.ReportMetric(float64(took.Nanoseconds())/float64(revs), "ns/revision")
		b.ReportMetric(float64(took.Nanoseconds())/float64(batches), "ns/batch")
		b.ReportMetric(0, "ns/op")
	}
	b.Run("append", func(b *testing.B) {
		run(b, 1, func(ctx context.Context, s *Store, bs [][]survey.Revision) error {
			_, err := s.Append(ctx, bs[0]...)
			return err
		})
	})
	// Verify runs outside the transaction here, but inside the timer.
	appendVerified := func(ctx context.Context, s *Store, bs [][]survey.Revision) error {
		vs := make([]Verified, len(bs))
		for i, revs := range bs {
			var err error
			if vs[i], err = Verify(revs...); err != nil {
				return err
			}
		}
		return s.Update(ctx, func(tx *Tx) error {
			for i, v := range vs {
				if _, err := tx.AppendBatch(fmt.Sprintf("batch-%s", bs[i][0].Interview), v); err != nil {
					return err
				}
			}
			return nil
		})
	}
	b.Run("verified", func(b *testing.B) { run(b, 1, appendVerified) })
	b.Run("grouped8", func(b *testing.B) { run(b, 8, appendVerified) })
}

// BenchmarkWriterDGRA measures what a server's writer spends storing DGRA interviews: 16
// batches of 2 DGRA-shaped interviews (UUID ids, 64-hex batch ids, 500 devices) a
// transaction (a group commit), each batch verified before the clock (as the server's
// request goroutines do), until 3,000 interviews are stored, with the server's checkpoint
// threshold. It reports the writer's CPU
// time per interview and per revision (the process's, measured around the transactions
// only: on a shared machine, steadier than the wall time it also reports) and the load
// average.
func BenchmarkWriterDGRA(b *testing.B) {
	const perBatch, perGroup, interviews = 2, 16, 3000
	for range b.N {
		b.StopTimer()
		// The server's checkpoint threshold (sync/server's walCheckpoint): 3,000 interviews
		// stay within it, as in its BenchmarkIngest.
		// FIELDSURVEY_BENCH_WAL_PAGES sets another threshold; one no run reaches (1000000)
		// makes the log's size the bytes logged, reported as log-bytes/revision.
		pages, logged := 50000, false
		if v, err := strconv.Atoi(os.Getenv("FIELDSURVEY_BENCH_WAL_PAGES")); err == nil {
			pages, logged = v, true
		}
		path := filepath.Join(b.TempDir(), "survey.db")
		s, err := Open(path, WithWALCheckpoint(pages))
		if err != nil {
			b.Fatal(err)
		}
		var cpu, wall time.Duration
		revs, n := 0, 0
		counters := map[string]*uint64{}
		for n < interviews {
			var vs []Verified
			var ids []string
			for range perGroup {
				dev := fmt.Sprintf("laptop-%03d", (n/perBatch)%500)
				if counters[dev] == nil {
					counters[dev] = new(uint64)
				}
				var batch []survey.Revision
				for range perBatch {
					batch = append(batch, dgraLike(b, dev, counters[dev], fmt.Sprintf("0193a5b2-7c1e-7000-8000-%012d", n))...)
					n++
				}
				v, err := Verify(batch...)
				if err != nil {
					b.Fatal(err)
				}
				vs = append(vs, v)
				ids = append(ids, fmt.Sprintf("%064x", n))
				revs += len(batch)
			}
			c0, t0 := procstat.CPUTime(), time.Now()
			b.StartTimer()
			err := s.Update(context.Background(), func(tx *Tx) error {
				for i, v := range vs {
					if _, err := tx.AppendBatch(ids[i], v); err != nil {
						return err
					}
				}
				return nil
			})
			b.StopTimer()
			cpu, wall = cpu+procstat.CPUTime()-c0, wall+time.Since(t0)
			if err != nil {
				b.Fatal(err)
			}
		}
		if logged {
			// Within the threshold no checkpoint restarts the log: its size is what was logged.
			wal, err := os.Stat(path + "-wal")
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(wal.Size())/float64(revs), "log-bytes/revision")
		}
		s.Close()
		b.ReportMetric(float64(cpu.Microseconds())/float64(n), "cpu-µs/interview")
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(revs), "cpu-ns/revision")
		b.ReportMetric(float64(wall.Microseconds())/float64(n), "µs/interview")
		b.ReportMetric(procstat.LoadAverage(), "load")
		b.ReportMetric(0, "ns/op")
	}
}
