package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// The frozen database testdata/v2.db was written by the program as it was before
// migration 0004 (schema 0001–0002: revisions in a WITHOUT ROWID table keyed by 64-hex
// ids), with writeFrozenV2 below; testdata/v2.rows.json holds every row of its revisions
// table as that program read it. A store in the field made by that program must open,
// migrate and read every row back exactly.
//
// testdata/v4.db and v4.rows.json were written the same way by the program with schema 0004
// (commit 2860a96, writeFrozenV2 given these two paths): a store made before migration 0005
// (revision_heads and revision_rows_target) must open, migrate and read back the same.
//
// testdata/v7.db and v7.rows.json were written by the program with schema 0007 (commit
// 7eb3f9c, FIELDSURVEY_WRITE_FROZEN=v7 go test -run TestFrozenV7Database): a store made
// before migration 0008 (names of interviews, devices, authors and batches as text in every
// row) must open, migrate and read back the same.
const (
	frozenV2     = "testdata/v2.db"
	frozenV2Rows = "testdata/v2.rows.json"
	frozenV4     = "testdata/v4.db"
	frozenV4Rows = "testdata/v4.rows.json"
	frozenV7     = "testdata/v7.db"
	frozenV7Rows = "testdata/v7.rows.json"
)

// qAllRows reads every column of every revision, as the revisions table had them and the
// revisions view has them since 0004.
const qAllRows = `SELECT interview, kind, key, id, head, device, counter, time, author, replaces, coalesce(batch, '<pending>'), value
	FROM revisions ORDER BY id`

type rawRow struct {
	Interview, Kind, Key, ID string
	Head                     bool
	Device                   string
	Counter, Time            int64
	Author, Replaces, Batch  string
	Value                    string
}

func allRows(t *testing.T, db interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}) []rawRow {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), qAllRows)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []rawRow
	for rows.Next() {
		var r rawRow
		var v []byte
		if err := rows.Scan(&r.Interview, &r.Kind, &r.Key, &r.ID, &r.Head, &r.Device, &r.Counter, &r.Time, &r.Author, &r.Replaces, &r.Batch, &v); err != nil {
			t.Fatal(err)
		}
		r.Value = string(v)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestFrozenV2Database(t *testing.T) {
	if os.Getenv("FIELDSURVEY_WRITE_FROZEN_V2") != "" {
		writeFrozenRows(t, frozenV2, frozenV2Rows)
		return
	}
	testFrozen(t, frozenV2, frozenV2Rows)
}

func TestFrozenV4Database(t *testing.T) { testFrozen(t, frozenV4, frozenV4Rows) }

func TestFrozenV7Database(t *testing.T) {
	if os.Getenv("FIELDSURVEY_WRITE_FROZEN") == "v7" {
		writeFrozenRows(t, frozenV7, frozenV7Rows)
		return
	}
	testFrozen(t, frozenV7, frozenV7Rows)
}

// testFrozen upgrades a copy of the frozen database file and checks that its revisions
// (rowsFile: as the program that wrote it read them), its pending revisions and its heads
// are what they were, and that it takes new writes.
func testFrozen(t *testing.T, file, rowsFile string) {
	ctx := context.Background()
	want, err := os.ReadFile(rowsFile)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "survey.db")
	copyFile(t, file, path)
	s, err := Open(path, WithClock(fakeClock(t0.Add(48*time.Hour), time.Second)))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Check(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := json.MarshalIndent(allRows(t, s.r), "", " ")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(bytes.TrimSpace(got), bytes.TrimSpace(want)) {
		t.Errorf("the revisions read back after the upgrade differ from those the old program wrote:\n%s", got)
	}
	var n int
	if err := s.r.QueryRow("SELECT count(*) FROM sqlite_master WHERE name IN ('revision_rows', 'revision_targets')").Scan(&n); err != nil || n != 2 {
		t.Fatalf("not upgraded: %v %d", err, n)
	}
	if err := s.r.QueryRow("SELECT count(*) FROM sqlite_master WHERE name IN ('revision_heads', 'revision_rows_target')").Scan(&n); err != nil || n != 0 {
		t.Fatalf("0004's heads table and target index left behind: %v %d", err, n)
	}
	// The pending revisions and their batches, as the old program would send them.
	pend, err := s.Pending(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var rows []rawRow
	json.Unmarshal(want, &rows)
	// The runs of counters of the revisions in batches (0007), as the rows give them.
	if got, w := runs(t, s), runsOf(rows); strings.Join(got, ", ") != strings.Join(w, ", ") || len(w) == 0 {
		t.Errorf("runs after the upgrade %q, want %q", got, w)
	}
	wantPending := 0
	for _, r := range rows {
		if r.Batch == "<pending>" {
			wantPending++
		}
	}
	if len(pend) != wantPending || wantPending == 0 {
		t.Errorf("pending %d, want %d", len(pend), wantPending)
	}
	if n, err := s.PendingOf(ctx, "dev-frozen"); err != nil || n != wantPending {
		t.Errorf("PendingOf = %d, %v; want %d", n, err, wantPending)
	}
	// It goes on: marking a pending revision, re-marking a batched one, new edits.
	err = s.Update(ctx, func(tx *Tx) error {
		if err := tx.MarkBatched("batch-3", []string{pend[0].ID}); err != nil {
			return err
		}
		return tx.MarkBatched("batch-3", []string{rows[0].ID})
	})
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := s.Pending(ctx); len(p) != wantPending-1 {
		t.Errorf("pending after marking one: %d", len(p))
	}
	r := mustPut(t, s, Author{Device: "dev-frozen"}, answer(v2IV(1), "1.1", survey.Answer{Rating: survey.Green}))
	if len(r) != 1 || len(r[0].Replaces) != 1 {
		t.Errorf("new revision: %+v", r)
	}
	if err := s.Check(ctx); err != nil {
		t.Fatal(err)
	}
}

// runsOf computes, from rows read back, the runs of counters of each device's revisions
// in batches ("device lo-hi", ordered as runs returns them).
func runsOf(rows []rawRow) []string {
	held := map[string][]int64{}
	for _, r := range rows {
		if r.Batch != "<pending>" {
			held[r.Device] = append(held[r.Device], r.Counter)
		}
	}
	var out []string
	for _, d := range slices.Sorted(maps.Keys(held)) {
		cs := held[d]
		slices.Sort(cs)
		cs = slices.Compact(cs)
		for i := 0; i < len(cs); {
			j := i
			for j+1 < len(cs) && cs[j+1] == cs[j]+1 {
				j++
			}
			out = append(out, fmt.Sprintf("%s %d-%d", d, cs[i], cs[j]))
			i = j + 1
		}
	}
	return out
}

func v2IV(n int) string { return "0193a1b2-0000-7000-8000-00000000010" + string(rune('0'+n)) }

// writeFrozenRows regenerates a frozen database (file) and its rows (rowsFile); it must run on
// the program whose schema it records: testdata/v2.db before migration 0004
// (FIELDSURVEY_WRITE_FROZEN_V2=1 go test -run TestFrozenV2Database on that commit),
// testdata/v7.db before 0008.
func writeFrozenRows(t *testing.T, file, rowsFile string) {
	ctx := context.Background()
	os.Remove(file)
	s, err := Open(file, WithClock(fakeClock(t0, time.Second)))
	if err != nil {
		t.Fatal(err)
	}
	by := Author{Device: "dev-frozen", Principal: "lan@example.org"}
	newInterview(t, s, by, v2IV(1), "Sở Thông tin và Truyền thông", "Đà Nẵng")
	newInterview(t, s, by, v2IV(2), "Bộ Tài chính", "Hà Nội")
	for i, c := range []survey.Code{survey.Red, survey.Amber, survey.Green} {
		mustPut(t, s, by, answer(v2IV(1), "1.1", survey.Answer{Rating: c, Comment: "lần " + string(rune('1'+i))}))
	}
	mustPut(t, s, by, survey.Change{Target: tgt(v2IV(2), survey.KindStatus, ""), Value: survey.StatusChange{Status: survey.StatusCompleted}})
	// Everything so far travelled in batch-1.
	pend, err := s.Pending(ctx)
	if err != nil {
		t.Fatal(err)
	}
	err = s.Update(ctx, func(tx *Tx) error {
		ids := make([]string, len(pend))
		for i, r := range pend {
			ids[i] = r.ID
		}
		return tx.MarkBatched("batch-1", ids)
	})
	if err != nil {
		t.Fatal(err)
	}
	// A conflict with another device's revision that came in batch-2, and an answer of
	// another device for an interview not held (waiting), then local edits still pending.
	base := mustPut(t, s, by, answer(v2IV(3), "2.1", survey.Answer{Rating: survey.Amber}))
	other := &otherDevice{name: "dev-other", now: t0.Add(time.Hour)}
	mustPut(t, s, by, answer(v2IV(3), "2.1", survey.Answer{Rating: survey.Green}))
	theirs := other.rev(t, tgt(v2IV(3), survey.KindAnswer, "2.1"), survey.Answer{Rating: survey.Red}, base[0])
	waiting := other.rev(t, tgt(v2IV(4), survey.KindAnswer, "1.1"), survey.Answer{Rating: survey.Green})
	v, err := Verify(theirs, waiting)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx, func(tx *Tx) error { _, err := tx.AppendBatch("batch-2", v); return err }); err != nil {
		t.Fatal(err)
	}
	mustPut(t, s, by, answer(v2IV(2), "3.1", survey.Answer{Rating: survey.AmberGreen, Evidence: []survey.Evidence{{Polarity: survey.Plus, Text: "Có kế hoạch", InScope: true}}}))
	if err := s.SetMeta(ctx, "device", "dev-frozen"); err != nil {
		t.Fatal(err)
	}
	if err := s.Check(ctx); err != nil {
		t.Fatal(err)
	}
	rows, err := json.MarshalIndent(allRows(t, s.r), "", " ")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(file + "-wal"); err == nil {
		t.Fatal("WAL left behind: the frozen file would be incomplete")
	}
	if err := os.WriteFile(rowsFile, append(rows, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s and %s", file, rowsFile)
}

// rawDB opens path with plain SQLite, outside the store (to make or damage old schemas).
func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", DSN(path))
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	return db
}

func rawExec(t *testing.T, db *sql.DB, qs ...string) {
	t.Helper()
	for _, q := range qs {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// A migration that fails leaves the store as it was: 0004 is one transaction, so the old
// table, its rows and the schema version are untouched, and the next open tries again.
func TestMigration4FailsWhole(t *testing.T) {
	path := filepath.Join(t.TempDir(), "survey.db")
	copyFile(t, frozenV2, path)
	db := rawDB(t, path)
	before := allRows(t, db)
	// A row no program writes (an id that is not hex) makes the copy fail half-way.
	rawExec(t, db, `INSERT INTO revisions (interview, kind, key, id, head, device, counter, time, value)
		VALUES ('zz-last', 'answer', '1.1', 'not-hex-not-hex-not-hex-not-hex-not-hex-not-hex-not-hex-not-hex!', 1, 'dev-x', 1, 1, '{}')`)
	db.Close()
	if s, err := Open(path); err == nil {
		s.Close()
		t.Fatal("the upgrade of a store holding a malformed id succeeded")
	} else if !strings.Contains(err.Error(), "migration 4") {
		t.Errorf("error %q does not name the migration", err)
	}
	db = rawDB(t, path)
	defer db.Close()
	var version int
	var kind string
	if err := db.QueryRow("SELECT max(version) FROM schema_migrations WHERE component = 'store'").Scan(&version); err != nil || version != 3 {
		t.Errorf("schema version %d (%v), want 3: 0004 must not be recorded", version, err)
	}
	if err := db.QueryRow("SELECT type FROM sqlite_master WHERE name = 'revisions'").Scan(&kind); err != nil || kind != "table" {
		t.Errorf("revisions is a %q (%v), want the old table", kind, err)
	}
	rawExec(t, db, "DELETE FROM revisions WHERE interview = 'zz-last'")
	if got := allRows(t, db); !equalRows(got, before) {
		t.Errorf("rows changed by the failed upgrade")
	}
	db.Close()
	upgradesSame(t, path, before)
}

// A failed 0005 leaves the 0004 store as it was: its heads table, its target index and its
// view are untouched, the schema stays at 4, and the next open tries again.
func TestMigration5FailsWhole(t *testing.T) {
	path := filepath.Join(t.TempDir(), "survey.db")
	copyFile(t, frozenV4, path)
	db := rawDB(t, path)
	before := allRows(t, db)
	// Without 0004's target index (which no program drops), the upgrade fails at its last
	// steps: when it has copied every entry and dropped the heads table and the view.
	rawExec(t, db, "DROP INDEX revision_rows_target")
	db.Close()
	if s, err := Open(path); err == nil {
		s.Close()
		t.Fatal("the upgrade succeeded through a failing copy")
	} else if !strings.Contains(err.Error(), "migration 5") {
		t.Errorf("error %q does not name the migration", err)
	}
	db = rawDB(t, path)
	defer db.Close()
	var version, n int
	if err := db.QueryRow("SELECT max(version) FROM schema_migrations WHERE component = 'store'").Scan(&version); err != nil || version != 4 {
		t.Errorf("schema version %d (%v), want 4: 0005 must not be recorded", version, err)
	}
	if err := db.QueryRow("SELECT count(*) FROM sqlite_master WHERE name IN ('revision_heads', 'revisions') OR name = 'revision_targets'").Scan(&n); err != nil || n != 2 {
		t.Errorf("%d of 0004's heads table and view (and no revision_targets), want 2 (%v)", n, err)
	}
	rawExec(t, db, "CREATE UNIQUE INDEX revision_rows_target ON revision_rows (interview, kind, key, id)")
	if got := allRows(t, db); !equalRows(got, before) {
		t.Errorf("rows changed by the failed upgrade")
	}
	db.Close()
	upgradesSame(t, path, before)
}

// A failed 0008 leaves the 0007 store as it was: its tables with names as text, its views
// and the schema version are untouched, and the next open tries again.
func TestMigration8FailsWhole(t *testing.T) {
	path := filepath.Join(t.TempDir(), "survey.db")
	copyFile(t, frozenV7, path)
	db := rawDB(t, path)
	before := allRows(t, db)
	// A view of the old table (no program makes one) makes the upgrade fail at its last
	// steps: renaming the new tables, when every row and entry is copied and the old
	// tables and views are dropped (SQLite checks every view when a table is renamed).
	rawExec(t, db, "CREATE VIEW old_rows AS SELECT interview, device FROM revision_rows")
	db.Close()
	if s, err := Open(path); err == nil {
		s.Close()
		t.Fatal("the upgrade succeeded through a failing rename")
	} else if !strings.Contains(err.Error(), "migration 8") || !strings.Contains(err.Error(), "old_rows") {
		t.Errorf("error %q does not name the migration and the view", err)
	}
	db = rawDB(t, path)
	defer db.Close()
	var version, n int
	if err := db.QueryRow("SELECT max(version) FROM schema_migrations WHERE component = 'store'").Scan(&version); err != nil || version != 7 {
		t.Errorf("schema version %d (%v), want 7: 0008 must not be recorded", version, err)
	}
	if err := db.QueryRow("SELECT count(*) FROM sqlite_master WHERE name LIKE 'revision_names%' OR name LIKE '%_0008'").Scan(&n); err != nil || n != 0 {
		t.Errorf("%d tables of 0008 left behind (%v)", n, err)
	}
	if err := db.QueryRow("SELECT count(*) FROM revision_rows WHERE typeof(interview) = 'text' AND typeof(device) = 'text'").Scan(&n); err != nil || n != len(before) {
		t.Errorf("%d rows of 0007 with names as text, want %d (%v)", n, len(before), err)
	}
	if got := allRows(t, db); !equalRows(got, before) {
		t.Errorf("rows changed by the failed upgrade")
	}
	rawExec(t, db, "DROP VIEW old_rows")
	db.Close()
	upgradesSame(t, path, before)
	// Upgraded: numbers in the tables, the names in revision_names.
	db = rawDB(t, path)
	if err := db.QueryRow("SELECT count(*) FROM revision_rows WHERE typeof(interview) = 'integer' AND typeof(device) = 'integer' AND typeof(author) = 'integer'").Scan(&n); err != nil || n != len(before) {
		t.Errorf("%d rows with numbers after the upgrade, want %d (%v)", n, len(before), err)
	}
}

// upgradesSame opens the store at path (upgrading it) and checks that it holds the rows
// before and passes Check.
func upgradesSame(t *testing.T, path string, before []rawRow) {
	t.Helper()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := allRows(t, s.r); !equalRows(got, before) {
		t.Errorf("rows changed by the upgrade")
	}
	if err := s.Check(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func equalRows(a, b []rawRow) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// downgrade8 turns a store made by this program (0008) into a 0007 store, inside the
// caller's transaction: every row and entry names its interview, device, author and batch
// as text again, and the views are 0005's and 0006's.
func downgrade8(t *testing.T, db *sql.DB) {
	t.Helper()
	rawExec(t, db,
		`CREATE TABLE rows7 (seq INTEGER PRIMARY KEY, interview TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL DEFAULT '',
			id BLOB NOT NULL CHECK (length(id) = 32), device TEXT NOT NULL, counter INTEGER NOT NULL, time INTEGER NOT NULL,
			author TEXT NOT NULL DEFAULT '', replaces TEXT NOT NULL DEFAULT '', batch TEXT, value BLOB NOT NULL)`,
		`INSERT INTO rows7 SELECT r.seq, ni.name, (SELECT name FROM revision_kinds WHERE n = r.kind), r.key, t.id, nd.name, r.counter, r.time, na.name, r.replaces, nb.name, r.value
			FROM revision_rows r JOIN revision_targets t ON t.seq = r.seq
			JOIN revision_names ni ON ni.n = r.interview JOIN revision_names nd ON nd.n = r.device
			JOIN revision_names na ON na.n = r.author LEFT JOIN revision_names nb ON nb.n = r.batch ORDER BY r.seq`,
		`CREATE TABLE targets7 (interview TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL, head INTEGER NOT NULL,
			seq INTEGER NOT NULL, id BLOB NOT NULL, PRIMARY KEY (interview, kind, key, head, seq)) WITHOUT ROWID`,
		`INSERT INTO targets7 SELECT ni.name, (SELECT name FROM revision_kinds WHERE n = t.kind), t.key, t.head, t.seq, t.id FROM revision_targets t
			JOIN revision_names ni ON ni.n = t.interview ORDER BY 1, 2, 3, 4, 5`,
		"DROP VIEW revisions", "DROP VIEW pending_revisions",
		"DROP TABLE revision_rows", "DROP TABLE revision_targets", "DROP TABLE revision_names", "DROP TABLE revision_kinds",
		"ALTER TABLE rows7 RENAME TO revision_rows", "ALTER TABLE targets7 RENAME TO revision_targets",
		`CREATE VIEW revisions AS
			SELECT t.interview, t.kind, t.key, lower(hex(t.id)) AS id, t.head,
				r.device, r.counter, r.time, r.author, r.replaces, r.batch, r.value
			FROM revision_targets t JOIN revision_rows r
				ON r.seq = t.seq AND r.interview = t.interview AND r.kind = t.kind AND r.key = t.key AND r.id = t.id`,
		`CREATE VIEW pending_revisions AS
			SELECT t.interview, t.kind, t.key, lower(hex(t.id)) AS id, t.head,
				r.device, r.counter, r.time, r.author, r.replaces, r.batch, r.value
			FROM revision_rows r CROSS JOIN revision_targets t
				ON t.seq = r.seq AND t.interview = r.interview AND t.kind = r.kind AND t.key = r.key AND t.id = r.id
			WHERE r.seq >= (SELECT low FROM revision_pending_low) AND r.batch IS NULL
			UNION ALL
			SELECT t.interview, t.kind, t.key, lower(hex(t.id)) AS id, t.head,
				r.device, r.counter, r.time, r.author, r.replaces, r.batch, r.value
			FROM revision_pending p CROSS JOIN revision_rows r ON r.seq = p.seq JOIN revision_targets t
				ON t.seq = r.seq AND t.interview = r.interview AND t.kind = r.kind AND t.key = r.key AND t.id = r.id
			WHERE p.seq < (SELECT low FROM revision_pending_low) AND r.batch IS NULL`,
		"DELETE FROM schema_migrations WHERE component = 'store' AND version >= 8")
}

// downgrade5 turns a store made by this program (0008) into a 0005 store, inside the
// caller's transaction: the revisions are found by their two device indexes again.
func downgrade5(t *testing.T, db *sql.DB) {
	t.Helper()
	downgrade8(t, db)
	rawExec(t, db, "DROP TABLE revision_counters", // 0007
		"CREATE INDEX revision_rows_batched ON revision_rows (device, counter) WHERE batch IS NOT NULL",
		"DROP VIEW pending_revisions", "DROP TABLE revision_pending", "DROP TABLE revision_pending_low",
		"CREATE INDEX revision_rows_pending ON revision_rows (device, counter) WHERE batch IS NULL",
		"DELETE FROM schema_migrations WHERE component = 'store' AND version >= 6")
}

// downgrade turns a store made by this program (0008) into the schema before 0004 (0001–0003),
// row for row, so that tests can upgrade a store of any size.
func downgrade(t *testing.T, path string) {
	t.Helper()
	db := rawDB(t, path)
	defer db.Close()
	rawExec(t, db, "BEGIN")
	downgrade5(t, db)
	rawExec(t, db,
		`CREATE TABLE revisions_old (
			interview TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL DEFAULT '', id TEXT NOT NULL,
			head INTEGER NOT NULL, device TEXT NOT NULL, counter INTEGER NOT NULL, time INTEGER NOT NULL,
			author TEXT NOT NULL DEFAULT '', replaces TEXT NOT NULL DEFAULT '', batch TEXT, value BLOB NOT NULL,
			PRIMARY KEY (interview, kind, key, id)) WITHOUT ROWID`,
		`INSERT INTO revisions_old SELECT r.interview, r.kind, r.key, lower(hex(r.id)), t.head, r.device, r.counter, r.time, r.author, r.replaces, r.batch, r.value
			FROM revision_rows r JOIN revision_targets t ON t.seq = r.seq ORDER BY r.seq`,
		"DROP VIEW revisions", "DROP TABLE revision_rows", "DROP TABLE revision_targets",
		"ALTER TABLE revisions_old RENAME TO revisions",
		"CREATE UNIQUE INDEX revisions_id ON revisions (id)",
		"CREATE INDEX revisions_device ON revisions (device, counter, batch)",
		"DELETE FROM schema_migrations WHERE component = 'store' AND version >= 4",
		"COMMIT", "PRAGMA wal_checkpoint(TRUNCATE)")
}

const migrateCrashEnv = "FIELDSURVEY_STORE_MIGRATE_CRASH_DB"

// TestMigrationCrash kills a process upgrading a store (11,200 revisions) with SIGKILL at
// random moments of the upgrade, and checks after each kill that the store opens (upgrading
// it if the kill came first), holds every revision exactly as before, and passes
// Store.Check and SQLite's integrity check.
func TestMigrationCrash(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("SIGKILL of a child process: not on Windows")
	}
	if os.Getenv(migrateCrashEnv) != "" {
		t.Skip("inside the crash child")
	}
	if testing.Short() {
		t.Skip("short: makes an 11,200-revision store")
	}
	ctx := context.Background()
	dir := t.TempDir()
	orig := filepath.Join(dir, "orig.db")
	s, err := Open(orig)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(ctx, tenK(t, 800)...); err != nil {
		t.Fatal(err)
	}
	s.Close()
	downgrade(t, orig)
	db := rawDB(t, orig)
	want := allRows(t, db)
	db.Close()
	// How long an upgrade takes here, to kill within it.
	timed := filepath.Join(dir, "timed.db")
	copyFile(t, orig, timed)
	start := time.Now()
	if s, err = Open(timed); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	s.Close()
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 3))
	upgraded := 0
	for round := range 5 {
		path := filepath.Join(dir, fmt.Sprintf("round%d.db", round))
		copyFile(t, orig, path)
		cmd := exec.Command(os.Args[0], "-test.run=^TestMigrationCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), migrateCrashEnv+"="+path)
		var out strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// The child's start-up (the test binary) comes first: kill somewhere in it or in
		// the upgrade.
		time.Sleep(time.Duration(rng.Int64N(int64(took)*2 + int64(20*time.Millisecond))))
		cmd.Process.Kill()
		cmd.Wait()
		if strings.Contains(out.String(), "upgraded") {
			upgraded++
		}
		s, err := Open(path)
		if err != nil {
			t.Fatalf("round %d: reopen after kill: %v", round, err)
		}
		if got := allRows(t, s.r); !equalRows(got, want) {
			t.Fatalf("round %d: %d revisions after the kill, want %d, or changed", round, len(got), len(want))
		}
		var ok string
		if err := s.r.QueryRow("PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
			t.Fatalf("round %d: integrity check: %s %v", round, ok, err)
		}
		if err := s.Check(ctx); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		s.Close()
	}
	t.Logf("upgrade of %d revisions takes %s; 5 kills, %d after the upgrade finished", len(want), took.Round(time.Millisecond), upgraded)
}

// TestMigrationCrashChild is the upgrading process of TestMigrationCrash.
func TestMigrationCrashChild(t *testing.T) {
	path := os.Getenv(migrateCrashEnv)
	if path == "" {
		t.Skip("started only by TestMigrationCrash")
	}
	s, err := Open(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	s.Close()
	fmt.Println("upgraded")
}
