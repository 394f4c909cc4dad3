package store

import (
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// walFrames returns the page numbers of the frames in the write-ahead log of the database
// at path, in order, and which of them end a transaction.
func walFrames(t testing.TB, path string) (pages []uint32, commits []bool) {
	data, err := os.ReadFile(path + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	if len(data) < 32 {
		return nil, nil
	}
	size := int(binary.BigEndian.Uint32(data[8:12]))
	salt := data[16:24]
	for off := 32; off+24+size <= len(data); off += 24 + size {
		h := data[off : off+24]
		if string(h[8:16]) != string(salt) {
			break // a frame of an earlier log, left behind by a reset
		}
		pages = append(pages, binary.BigEndian.Uint32(h[0:4]))
		commits = append(commits, binary.BigEndian.Uint32(h[4:8]) != 0)
	}
	return pages, commits
}

// TestPutPages counts the pages of write-ahead log that saving one answer writes (each page
// is a frame the durable commit writes and syncs: most of what a save costs beyond one
// INSERT, issue 13), in a store holding 2,000 other interviews, by B-tree, from the log
// itself. Since 0006: its row, its target entries (its own, and the head it replaces moved
// to the history beside it), the summary row and its list entry: 4.65 pages here
// (revision_targets 1.51: the interview's entries grow in the middle of the B-tree, and a
// split writes the pages it shares out); 0005 wrote 5.82, the extra one its pending entry
// (revision_rows_pending); 0004 6.69, the extra one in revision_heads. (The clock is fixed,
// so the pages are the same on every run.)
func TestPutPages(t *testing.T) {
	if testing.Short() {
		t.Skip("short: makes a 28,000-revision store")
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "survey.db")
	s, err := Open(path, WithClock(fakeClock(t0.Add(90*24*time.Hour), time.Second)))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Append(ctx, tenK(t, 2000)...); err != nil {
		t.Fatal(err)
	}
	by := Author{Device: "dev-bench", Principal: "lan"}
	iv := "0193a5b2-7c1e-7000-8000-000000000001"
	setup := []survey.Change{{Target: tgt(iv, survey.KindInterview, ""), Value: survey.InterviewMeta{Questionnaire: "example", QuestionnaireVersion: "1"}}}
	for q := range 40 {
		setup = append(setup, answer(iv, fmt.Sprint(q), survey.Answer{Rating: survey.Amber}))
	}
	if _, err := s.Put(ctx, by, setup...); err != nil {
		t.Fatal(err)
	}
	writerExec(t, s, "PRAGMA wal_checkpoint(TRUNCATE)")
	// As BenchmarkDurableAppend: each save edits the next of the 40 answers. 100 saves stay
	// under the automatic checkpoint (1,000 pages), so the log holds them all.
	codes := []survey.Code{survey.Red, survey.Green}
	const n = 100
	for i := 1; i <= n; i++ {
		a := survey.Answer{Rating: codes[(i/40)%2], Comment: "Có chiến lược chuyển đổi số"}
		if revs, err := s.Put(ctx, by, answer(iv, fmt.Sprint(i%40), a)); err != nil || len(revs) != 1 {
			t.Fatalf("put: %v (%d revisions)", err, len(revs))
		}
	}
	pages, commits := walFrames(t, path)
	owner := map[uint32]string{}
	rows, err := s.r.Query("SELECT name, pageno FROM dbstat")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		var p uint32
		if err := rows.Scan(&name, &p); err != nil {
			t.Fatal(err)
		}
		owner[p] = name
	}
	rows.Close()
	byName := map[string]int{}
	nc := 0
	for i, p := range pages {
		byName[owner[p]]++
		if commits[i] {
			nc++
		}
	}
	if nc != n {
		t.Fatalf("%d commits in the log, want %d", nc, n)
	}
	var names []string
	for k := range byName {
		names = append(names, k)
	}
	sort.Strings(names)
	var report strings.Builder
	for _, k := range names {
		fmt.Fprintf(&report, "  %-24s %.2f\n", k, float64(byName[k])/n)
	}
	perPut := float64(len(pages)) / n
	t.Logf("%.2f pages a save:\n%s", perPut, report.String())
	if perPut > 4.75 {
		t.Errorf("a save writes %.2f pages of log, want at most 4.75:\n%s", perPut, report.String())
	}
}
