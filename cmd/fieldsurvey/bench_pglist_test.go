package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/fieldsurvey/fieldsurvey/sync/server"
	"github.com/fieldsurvey/fieldsurvey/sync/server/servertest"
)

// BenchmarkInterviewListPostgres runs `interview list` in-process on benchHome's store
// (1,000 interviews; 10,000 and 100,000 with FIELDSURVEY_BENCH_LARGE=1) read with --db from
// its SQLite file and from its copy in PostgreSQL (server migrate; skipped without
// FIELDSURVEY_TEST_POSTGRES): ms-sqlite, ms-pg (the summaries and progress cached by the
// first list, as every later list finds them) and ms-pg-cold (the cache emptied before
// each list: every interview folded from its revisions, as the first list after a
// migration or after every interview changed).
func BenchmarkInterviewListPostgres(b *testing.B) {
	base := servertest.PostgresURL(b)
	for _, n := range benchSizes() {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			ctx := context.Background()
			home := benchHome(b, n)
			db := filepath.Join(home, storeFileName)
			url := pgCopy(b, base, db)
			conn, err := pgx.Connect(ctx, url)
			if err != nil {
				b.Fatal(err)
			}
			defer conn.Close(ctx)
			list := func(dbArg string) (time.Duration, int) {
				start := time.Now()
				var out strings.Builder
				if code := run(ctx, []string{"--home", home, "--db", dbArg, "interview", "list"}, strings.NewReader(""), &out, io.Discard); code != 0 {
					b.Fatalf("exit %d", code)
				}
				return time.Since(start), strings.Count(out.String(), "\n")
			}
			var sq, pg, cold time.Duration
			for b.Loop() {
				d, ls := list(db)
				sq += d
				if _, err := conn.Exec(ctx, `DELETE FROM interview_summaries`); err != nil {
					b.Fatal(err)
				}
				d, lc := list(url)
				cold += d
				d, lp := list(url)
				pg += d
				if lp != ls || lc != ls {
					b.Fatalf("lines: sqlite %d, postgres %d then %d", ls, lc, lp)
				}
			}
			it := time.Duration(b.N)
			b.ReportMetric(float64((sq/it).Microseconds())/1000, "ms-sqlite")
			b.ReportMetric(float64((pg/it).Microseconds())/1000, "ms-pg")
			b.ReportMetric(float64((cold/it).Microseconds())/1000, "ms-pg-cold")
		})
	}
}

// pgCopy copies the store db into a new database on the test PostgreSQL server, as
// `server migrate` does, and returns its URL.
func pgCopy(b *testing.B, base, db string) string {
	b.Helper()
	ctx := context.Background()
	dir := b.TempDir()
	src, err := os.ReadFile(db)
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, server.DBFile), src, 0o600); err != nil {
		b.Fatal(err)
	}
	sq, err := server.OpenSQLite(dir)
	if err != nil {
		b.Fatal(err)
	}
	defer sq.Close()
	url := servertest.NewPostgresDB(b, base)
	dst, err := server.OpenPostgres(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer dst.Close()
	start := time.Now()
	rep, err := server.MigrateToPostgres(ctx, sq, dst, "server", nil)
	if err != nil || !rep.OK() {
		b.Fatalf("copy to PostgreSQL: %v %+v", err, rep)
	}
	b.Logf("copied %d interviews to PostgreSQL in %s", rep.Interviews, time.Since(start).Round(time.Millisecond))
	return url
}
