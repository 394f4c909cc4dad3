package main

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fieldsurvey/fieldsurvey/questionnaires"
	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
)

// benchSizes are the store sizes the list benchmarks run: 1,000 interviews always, 10,000
// and 100,000 with FIELDSURVEY_BENCH_LARGE=1 (building the 100,000-interview home takes
// minutes).
func benchSizes() []int {
	if os.Getenv("FIELDSURVEY_BENCH_LARGE") == "1" {
		return []int{1000, 10000, 100000}
	}
	return []int{1000}
}

// benchHome returns a home folder whose store holds n DGRA interviews shaped like
// fieldwork: every interview has its creation, respondent and status, and between 0 and
// 39 answers (rated with a comment and evidence, some red so that skip logic matters);
// every fifth is a planned interview with an assignee, a due date and a note. The home is
// built once per size in FIELDSURVEY_BENCH_DIR when set (and kept there, so that the real
// binary can be timed on it), else in a temporary folder.
func benchHome(b *testing.B, n int) string {
	b.Helper()
	base := os.Getenv("FIELDSURVEY_BENCH_DIR")
	if base == "" {
		base = b.TempDir()
	}
	home := filepath.Join(base, fmt.Sprintf("home%d", n))
	db := filepath.Join(home, storeFileName)
	if _, err := os.Stat(db); err == nil {
		return home
	}
	if _, errOut, code := runCLIb(context.Background(), "--home", home, "init"); code != 0 {
		b.Fatalf("init: %s", errOut)
	}
	st, err := store.Open(db)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	qs, err := questionnaires.Bundled()
	if err != nil {
		b.Fatal(err)
	}
	var dgra *survey.Questionnaire
	for _, q := range qs {
		if q.ID == "dgra-2018" {
			dgra = q
		}
	}
	questions := dgra.Questions()
	provinces := []string{"Hà Nội", "Đà Nẵng", "Thừa Thiên Huế", "Cần Thơ", "Lào Cai", "Quảng Ninh"}
	codes := []survey.Code{survey.Green, survey.AmberGreen, survey.Amber, survey.AmberRed, survey.Red}
	statuses := []survey.Status{survey.StatusDraft, survey.StatusDraft, survey.StatusCompleted, survey.StatusSubmitted}
	start := time.Now()
	var ch []survey.Change
	flush := func() {
		if _, err := st.Put(context.Background(), store.Author{Device: "dev1", Principal: "an@example.org"}, ch...); err != nil {
			b.Fatal(err)
		}
		ch = ch[:0]
	}
	for i := range n {
		id := fmt.Sprintf("0193a5b2-7c1e-7000-8000-%012d", i)
		meta := survey.InterviewMeta{Questionnaire: dgra.ID, QuestionnaireVersion: dgra.Version, Assessor: "An", Device: "dev1"}
		if i%5 == 0 {
			meta.Assignee, meta.Due, meta.Note = "lan@example.org", "2026-12-15", "Gặp giám đốc sở"
		}
		ch = append(ch,
			survey.Change{Target: survey.Target{Interview: id, Kind: survey.KindInterview}, Value: meta},
			survey.Change{Target: survey.Target{Interview: id, Kind: survey.KindRespondent}, Value: survey.Respondent{
				Agency: fmt.Sprintf("Sở Thông tin và Truyền thông số %d", i), Province: provinces[i%len(provinces)],
				Role: "Giám đốc", Date: "2026-11-23", Consent: true}},
			survey.Change{Target: survey.Target{Interview: id, Kind: survey.KindStatus}, Value: survey.StatusChange{Status: statuses[i%len(statuses)]}})
		for j := 0; j < i%40 && j < len(questions); j++ {
			ch = append(ch, survey.Change{Target: survey.Target{Interview: id, Kind: survey.KindAnswer, Key: questions[j].ID},
				Value: survey.Answer{Rating: codes[(i+j)%len(codes)], Comment: "Đã có kế hoạch, chưa có ngân sách.",
					Evidence: []survey.Evidence{{Polarity: survey.Plus, Text: "Quyết định 749/QĐ-TTg", InScope: true}}}})
		}
		if len(ch) > 20000 {
			flush()
		}
	}
	flush()
	b.Logf("built a home of %d interviews in %s", n, time.Since(start).Round(time.Millisecond))
	return home
}

func runCLIb(ctx context.Context, args ...string) (stdout, stderr string, code int) {
	var out, errb strings.Builder
	code = run(ctx, args, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), code
}

// listFloor is the independent floor of `interview list`: one plain SQL query of the
// columns the list shows, read from the same file with the same driver, every row formatted
// into a line, written to out through a buffer. Nothing of the store's code runs: it is what any program that reads the
// summary rows must at least spend.
func listFloor(b *testing.B, db string, out io.Writer) int {
	conn, err := sql.Open("sqlite", "file:"+db+"?mode=ro")
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	rows, err := conn.Query(`SELECT id, questionnaire, version, agency, province, assessor, status, conflicts,
		answered, updated FROM interviews WHERE record = 'interview' AND questionnaire != '' ORDER BY updated DESC, id`)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	bw := bufio.NewWriterSize(out, 64<<10)
	out = bw
	n := 0
	for rows.Next() {
		var id, qn, ver, agency, province, assessor, status string
		var conflicts, answered, updated int64
		if err := rows.Scan(&id, &qn, &ver, &agency, &province, &assessor, &status, &conflicts, &answered, &updated); err != nil {
			b.Fatal(err)
		}
		fmt.Fprintf(out, "%s  %s %s  %s  %s  %s  %s %d  %d  %s\n", id[:8], qn, ver, agency, province, assessor, status,
			conflicts, answered, time.UnixMilli(updated).Format("2006-01-02 15:04"))
		n++
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	if err := bw.Flush(); err != nil {
		b.Fatal(err)
	}
	return n
}

// BenchmarkInterviewList runs `interview list` in-process on a home of 1,000 interviews
// (10,000 and 100,000 with FIELDSURVEY_BENCH_LARGE=1) and, in the same loop, its floor
// (listFloor), printing the time of each and their ratio. Targets: 10k ≤ 0.3 s, 100k ≤ 3 s.
func BenchmarkInterviewList(b *testing.B) {
	for _, n := range benchSizes() {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			home := benchHome(b, n)
			ctx := context.Background()
			// Both write to a file, as `interview list > FILE` or a pipe does: every write
			// is a system call, as it is for the real binary.
			outFile := filepath.Join(b.TempDir(), "list.txt")
			var listDur, floorDur, listCPU, floorCPU time.Duration
			for b.Loop() {
				out, err := os.Create(outFile)
				if err != nil {
					b.Fatal(err)
				}
				start, cpu := time.Now(), cpuTime()
				if code := run(ctx, []string{"--home", home, "interview", "list"}, strings.NewReader(""), out, io.Discard); code != 0 {
					b.Fatalf("exit %d", code)
				}
				listDur += time.Since(start)
				listCPU += cpuTime() - cpu
				if _, err := out.Seek(0, io.SeekStart); err != nil {
					b.Fatal(err)
				}
				if err := out.Truncate(0); err != nil {
					b.Fatal(err)
				}
				start, cpu = time.Now(), cpuTime()
				if got := listFloor(b, filepath.Join(home, storeFileName), out); got != n {
					b.Fatalf("floor listed %d", got)
				}
				floorDur += time.Since(start)
				floorCPU += cpuTime() - cpu
				if err := out.Close(); err != nil {
					b.Fatal(err)
				}
			}
			it := time.Duration(b.N)
			b.ReportMetric(float64((listDur/it).Microseconds())/1000, "ms-list")
			b.ReportMetric(float64((floorDur/it).Microseconds())/1000, "ms-floor")
			b.ReportMetric(float64(listDur)/float64(floorDur), "list/floor")
			// On a shared machine the processor time says more than the wall time.
			b.ReportMetric(float64((listCPU/it).Microseconds())/1000, "ms-list-cpu")
			b.ReportMetric(float64((floorCPU/it).Microseconds())/1000, "ms-floor-cpu")
			b.ReportMetric(float64(listCPU)/float64(floorCPU), "list/floor-cpu")
		})
	}
}
