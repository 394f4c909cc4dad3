// Command exportbench measures report exports at scale: it makes a store of many
// interviews of a many-question form (once; it is kept for later runs), then runs the real
// fieldsurvey binary to export them as CSV and as xlsx, and prints for each the answers
// written per second and the peak memory (maximum resident set size) of the process.
//
// Issue 10's targets, for 100,000 interviews of a 100-question form: at least 200,000
// answers a second for CSV, and a peak RSS under 300 MB for both CSV and xlsx.
//
//	go run ./survey/report/internal/exportbench -dir /tmp/exportbench
//	go run ./survey/report/internal/exportbench -dir /tmp/eb-small -interviews 2000 -formats csv
//
// Measured 2026-12-04 on this project's 2-core machine while other sessions ran their
// tests (load average 3–9), 100,000 interviews × 100 questions (a 7.6 GB store):
//
//	csv   55–98 s, 102,000–181,000 answers/s, 73–86 s CPU (116,000–136,000 answers per
//	      CPU-second), peak RSS 108–128 MB, 4.5 GB written
//	json  75 s, 133,000 answers/s, peak RSS 119 MB, 5.9 GB
//	xlsx  5 min 21 s, 31,000 answers/s, peak RSS 125 MB, a 1.1 GB workbook (11 sheets
//	      of the long table, 10 section sheets)
//
// The export reads in one goroutine, folds in one a processor and writes in another: the
// wall time depends on how many processors are free; the CPU figures do not.
//
// The store is made through store.Append (the path merged batches take), a few hundred
// interviews a transaction; each interview has a respondent (20 provinces, 60 agencies),
// a status, every question rated with a comment (one in three with an evidence item) and
// every section's overall rating confirmed.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
)

func main() {
	dir := flag.String("dir", filepath.Join(os.TempDir(), "fieldsurvey-exportbench"), "folder for the home, the store and the exports (kept between runs)")
	interviews := flag.Int("interviews", 100000, "interviews in the store")
	questions := flag.Int("questions", 100, "rating questions of the form")
	sections := flag.Int("sections", 10, "sections of the form (questions are shared out among them)")
	formats := flag.String("formats", "csv,xlsx", "formats to export, comma-separated")
	bin := flag.String("bin", "", "the fieldsurvey binary (default: built from this module into -dir)")
	keepOut := flag.Bool("keep", false, "keep the exported files")
	flag.Parse()
	log.SetFlags(0)
	if *questions < *sections || *sections < 1 {
		log.Fatal("exportbench: need at least one section and a question per section")
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		log.Fatal(err)
	}
	home := filepath.Join(*dir, "home")
	db := filepath.Join(*dir, fmt.Sprintf("bench-%d-%d-%d.db", *interviews, *questions, *sections))
	if *bin == "" {
		*bin = filepath.Join(*dir, "fieldsurvey")
		build := exec.Command("go", "build", "-o", *bin, "github.com/fieldsurvey/fieldsurvey/cmd/fieldsurvey")
		build.Stdout, build.Stderr = os.Stdout, os.Stderr
		if err := build.Run(); err != nil {
			log.Fatalf("exportbench: build fieldsurvey: %v", err)
		}
	}
	qid := fmt.Sprintf("bench-%d-%d", *questions, *sections)
	form := filepath.Join(*dir, qid+".yaml")
	if err := os.WriteFile(form, questionnaire(qid, *questions, *sections), 0o644); err != nil {
		log.Fatal(err)
	}
	run(*bin, "--home", home, "questionnaire", "add", form)
	if _, err := os.Stat(db); err != nil {
		t := time.Now()
		n, err := generate(db, qid, *interviews, *questions, *sections)
		if err != nil {
			os.Remove(db)
			log.Fatalf("exportbench: make the store: %v", err)
		}
		log.Printf("made %s: %d interviews, %d revisions in %s", db, *interviews, n, time.Since(t).Round(time.Second))
	} else {
		log.Printf("using %s (made earlier)", db)
	}
	if fi, err := os.Stat(db); err == nil {
		log.Printf("store size: %.1f GB", float64(fi.Size())/1e9)
	}
	answers := float64(*interviews) * float64(*questions)
	for _, f := range strings.Split(*formats, ",") {
		out := filepath.Join(*dir, "export."+f)
		args := []string{"--home", home, "--db", db, "--lang", "vi", "report", "--format", f, "--questionnaire", qid}
		wall, cpu, rss, err := measure(*bin, out, args...)
		if err != nil {
			log.Fatalf("exportbench: export %s: %v", f, err)
		}
		size := int64(0)
		if fi, err := os.Stat(out); err == nil {
			size = fi.Size()
		}
		fmt.Printf("%-4s %d interviews × %d questions: %s, %.0f answers/s, CPU %s (%.0f answers per CPU-second), peak RSS %.0f MB, output %.2f GB\n",
			f, *interviews, *questions, wall.Round(100*time.Millisecond), answers/wall.Seconds(), cpu.Round(100*time.Millisecond),
			answers/cpu.Seconds(), float64(rss)/1024, float64(size)/1e9)
		if !*keepOut {
			os.Remove(out)
		}
	}
}

// measure runs bin with args, stdout to the file out, and returns its wall time, its CPU
// time (user and system) and its peak resident set size in kB.
func measure(bin, out string, args ...string) (wall, cpu time.Duration, rss int64, err error) {
	f, err := os.Create(out)
	if err != nil {
		return 0, 0, 0, err
	}
	defer f.Close()
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = f, os.Stderr
	t := time.Now()
	if err := cmd.Run(); err != nil {
		return 0, 0, 0, err
	}
	wall = time.Since(t)
	cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = ru.Maxrss
	}
	return wall, cpu, rss, nil
}

func run(bin string, args ...string) {
	cmd := exec.Command(bin, args...)
	if out, err := cmd.CombinedOutput(); err != nil && !strings.Contains(string(out), "already") {
		log.Fatalf("exportbench: %s %s: %v\n%s", bin, strings.Join(args, " "), err, out)
	}
}

// questionnaire is a form of n rating questions in s sections.
func questionnaire(id string, n, s int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "format: fieldsurvey-questionnaire/1\nid: %s\nversion: \"1.0\"\n", id)
	fmt.Fprintf(&b, "title: {en: \"Export benchmark (%d questions)\", vi: \"Đo hiệu năng xuất (%d câu hỏi)\"}\n", n, n)
	b.WriteString("languages: [vi, en]\nsections:\n")
	per := n / s
	q := 0
	for i := 1; i <= s; i++ {
		fmt.Fprintf(&b, "  - id: \"%d\"\n    title: {en: \"Pillar %d\", vi: \"Trụ cột %d\"}\n    questions:\n", i, i, i)
		count := per
		if i == s {
			count = n - q
		}
		for j := 1; j <= count; j++ {
			q++
			fmt.Fprintf(&b, "      - id: \"%d.%d\"\n        type: rating\n        text: {en: \"Question %d.%d: how ready is it?\", vi: \"Câu hỏi %d.%d: mức độ sẵn sàng thế nào?\"}\n",
				i, j, i, j, i, j)
		}
	}
	return []byte(b.String())
}

var provinces = []string{"Hà Nội", "Đà Nẵng", "Thành phố Hồ Chí Minh", "Hải Phòng", "Cần Thơ", "Thừa Thiên Huế",
	"Quảng Ninh", "Bắc Ninh", "Nghệ An", "Thanh Hóa", "Khánh Hòa", "Lâm Đồng", "Đắk Lắk", "An Giang",
	"Bình Dương", "Đồng Nai", "Lào Cai", "Điện Biên", "Quảng Nam", "Cà Mau"}

var agencies = []string{"Sở Thông tin và Truyền thông", "Sở Tài chính", "Sở Kế hoạch và Đầu tư", "Sở Y tế",
	"Sở Giáo dục và Đào tạo", "Văn phòng UBND tỉnh"}

var statuses = []survey.Status{survey.StatusDraft, survey.StatusCompleted, survey.StatusSubmitted,
	survey.StatusApproved, survey.StatusApproved, survey.StatusApproved}

var codes = []survey.Code{survey.Red, survey.AmberRed, survey.Amber, survey.AmberGreen, survey.Green,
	survey.Amber, survey.AmberGreen, survey.DontKnow}

// generate makes the store at path and returns the number of revisions written.
func generate(path, qid string, interviews, questions, sections int) (int, error) {
	ctx := context.Background()
	s, err := store.Open(path)
	if err != nil {
		return 0, err
	}
	defer s.Close()
	const devices, chunk = 50, 200
	counters := make([]uint64, devices)
	now := time.Date(2026, 10, 1, 8, 0, 0, 0, time.UTC)
	per := questions / sections
	total := 0
	var revs []survey.Revision
	for i := 0; i < interviews; i++ {
		id := fmt.Sprintf("0193a5b2-7c1e-7000-8000-%012x", i+1)
		d := i % devices
		dev, who := fmt.Sprintf("laptop-%02d", d), fmt.Sprintf("assessor%02d@example.org", d)
		add := func(k survey.Kind, key string, v any) error {
			counters[d]++
			now = now.Add(time.Millisecond)
			r, err := survey.NewRevision(survey.Target{Interview: id, Kind: k, Key: key}, v, dev, counters[d], now, who, nil)
			if err != nil {
				return err
			}
			revs = append(revs, r)
			return nil
		}
		if err := add(survey.KindInterview, "", survey.InterviewMeta{Questionnaire: qid, QuestionnaireVersion: "1.0", Assessor: who, Device: dev}); err != nil {
			return total, err
		}
		add(survey.KindRespondent, "", survey.Respondent{Agency: agencies[i%len(agencies)] + fmt.Sprintf(" %d", i%10),
			Province: provinces[(i/7)%len(provinces)], Role: "Phó Giám đốc", Category: "provincial-government",
			Date: now.Format("2006-01-02"), Place: "Trụ sở", Consent: true})
		q := 0
		for sec := 1; sec <= sections; sec++ {
			count := per
			if sec == sections {
				count = questions - q
			}
			for j := 1; j <= count; j++ {
				q++
				a := survey.Answer{Rating: codes[(i+q)%len(codes)], Comment: "Đã có văn bản chỉ đạo, nhưng việc triển khai ở cấp sở còn chậm."}
				if q%3 == 0 {
					a.Evidence = []survey.Evidence{{Polarity: survey.Plus, Text: "Quyết định phê duyệt kế hoạch", Source: "QĐ 123/QĐ-UBND", InScope: true}}
				}
				add(survey.KindAnswer, fmt.Sprintf("%d.%d", sec, j), a)
			}
			add(survey.KindSection, fmt.Sprint(sec), survey.SectionSummary{Rating: codes[(i+sec)%5], Comment: "Nhận định chung của trụ cột."})
		}
		add(survey.KindStatus, "", survey.StatusChange{Status: statuses[i%len(statuses)]})
		if (i+1)%chunk == 0 || i+1 == interviews {
			if _, err := s.Append(ctx, revs...); err != nil {
				return total, err
			}
			total += len(revs)
			revs = revs[:0]
			if (i+1)%(chunk*50) == 0 {
				log.Printf("  %d interviews written", i+1)
			}
		}
	}
	return total, nil
}
