package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// snapshot records a folder's file names and contents, to prove Open changed nothing.
func snapshot(t *testing.T, dir string) map[string][32]byte {
	t.Helper()
	out := map[string][32]byte{}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if e.IsDir() {
			out[e.Name()+"/"] = [32]byte{}
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = sha256.Sum256(b)
	}
	return out
}

// rawSQLite makes an SQLite database with plain pragmas, as another program would.
func rawSQLite(t *testing.T, path string, stmts ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func TestOpenRefusesOtherFilesAndChangesNothing(t *testing.T) {
	cases := []struct {
		name string
		make func(t *testing.T, path string)
		want string // a phrase the message must hold
	}{
		{"text file", func(t *testing.T, p string) {
			os.WriteFile(p, []byte(strings.Repeat("minutes of the meeting\n", 20)), 0o600)
		}, "not an SQLite database"},
		{"short binary", func(t *testing.T, p string) { os.WriteFile(p, []byte{0x89, 'P', 'N', 'G'}, 0o600) }, "not an SQLite database"},
		{"other program's database", func(t *testing.T, p string) {
			rawSQLite(t, p, "CREATE TABLE contacts (name TEXT)", "INSERT INTO contacts VALUES ('An')")
		}, "tables: contacts"},
		{"other program's WAL database", func(t *testing.T, p string) {
			rawSQLite(t, p, "PRAGMA journal_mode=WAL", "CREATE TABLE photos (id INTEGER)", "INSERT INTO photos VALUES (1)")
		}, "tables: photos"},
		{"other application id", func(t *testing.T, p string) {
			rawSQLite(t, p, "PRAGMA application_id = 305419896", "CREATE TABLE t (x)")
		}, "application id 0x12345678"},
		{"folder", func(t *testing.T, p string) { os.Mkdir(p, 0o700) }, "folder"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "survey.db")
			c.make(t, path)
			before := snapshot(t, dir)
			s, err := Open(path)
			if err == nil {
				s.Close()
				t.Fatal("Open accepted it")
			}
			if !errors.Is(err, ErrNotSurveyDB) {
				t.Fatalf("error %v is not ErrNotSurveyDB", err)
			}
			if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), c.want) ||
				(c.name != "folder" && !strings.Contains(err.Error(), "unchanged")) {
				t.Errorf("message %q should name the file, say %q and that it was left unchanged", err, c.want)
			}
			var fe *FileError
			if !errors.As(err, &fe) || fe.Text()[survey.LangVI] == "" {
				t.Errorf("no Vietnamese message: %v", err)
			}
			if after := snapshot(t, dir); !reflect.DeepEqual(before, after) {
				t.Errorf("folder changed:\nbefore %v\nafter  %v", before, after)
			}
		})
	}
}

func TestOpenAdoptsEmptyFiles(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.db")
	os.WriteFile(empty, nil, 0o600)
	// What a crash during the very first Open leaves: WAL header, no tables.
	crashed := filepath.Join(dir, "crashed.db")
	rawSQLite(t, crashed, "PRAGMA journal_mode=WAL")
	for _, p := range []string{empty, crashed} {
		s, err := Open(p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		mustPut(t, s, Author{Device: "d"}, answer("iv", "1", survey.Answer{Rating: survey.Red}))
		s.Close()
		s, err = Open(p) // and it is ours now
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
	}
}

func TestOpenCreatesFoldersAndOddPaths(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a b", "thư mục #1?", "survey 100%.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, s, Author{Device: "d"}, answer("iv", "1", survey.Answer{Rating: survey.Red}))
	s.Close()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database not at the given path: %v", err)
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "survey.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	rawSQLite(t, path, "INSERT INTO schema_migrations (component, version, name, applied) VALUES ('store', 99, 'future', '2030-01-01T00:00:00Z')")
	before := snapshot(t, dir)
	_, err = Open(path)
	if !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("Open: %v, want ErrNewerSchema", err)
	}
	for _, phrase := range []string{path, "newer version of fieldsurvey", "version 99", "update fieldsurvey"} {
		if !strings.Contains(err.Error(), phrase) {
			t.Errorf("message %q lacks %q", err, phrase)
		}
	}
	if after := snapshot(t, dir); !reflect.DeepEqual(before, after) {
		t.Errorf("folder changed:\nbefore %v\nafter  %v", before, after)
	}
}

var hubMigrations = []Migration{
	{Version: 1, Name: "batches", SQL: `CREATE TABLE batches (id TEXT PRIMARY KEY, device TEXT NOT NULL);
		CREATE TABLE batch_revisions (batch TEXT NOT NULL REFERENCES batches (id), rev TEXT NOT NULL);`},
	{Version: 2, Name: "receipts", SQL: `CREATE TABLE receipts (batch TEXT PRIMARY KEY REFERENCES batches (id), sig BLOB)`},
}

func TestWithMigrations(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "hub.db")
	s, err := Open(path, WithMigrations("hub", hubMigrations[:1]))
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = Open(path, WithMigrations("hub", hubMigrations))
	if err != nil {
		t.Fatal(err)
	}
	d := &otherDevice{name: "dev-a", now: t0}
	r := d.rev(t, tgt("iv1", survey.KindAnswer, "1"), survey.Answer{Rating: survey.Red})
	// A batch and its revisions, atomically.
	err = s.Update(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO batches (id, device) VALUES ('b1', 'dev-a')"); err != nil {
			return err
		}
		if _, err := tx.Append(r); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO batch_revisions VALUES ('b1', ?)", r.ID); err != nil {
			return err
		}
		return tx.MarkBatched("b1", []string{r.ID})
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Update(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO batches (id, device) VALUES ('b1', 'dev-b')")
		return err
	})
	if !errors.Is(err, ErrDuplicate) {
		t.Errorf("duplicate batch: %v, want ErrDuplicate", err)
	}
	err = s.Update(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO receipts (batch) VALUES ('nope')")
		return err
	})
	if !errors.Is(err, ErrConstraint) {
		t.Errorf("dangling receipt: %v, want ErrConstraint", err)
	}
	var applied []string
	s.View(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, "SELECT component || ':' || version || ':' || name FROM schema_migrations ORDER BY component, version")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var v string
			rows.Scan(&v)
			applied = append(applied, v)
		}
		return nil
	})
	want := []string{"hub:1:batches", "hub:2:receipts"}
	own, err := storeMigrations()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range own {
		want = append(want, fmt.Sprintf("store:%d:%s", m.Version, m.Name))
	}
	if len(own) < 4 || own[1].Name != "assessments" || own[2].Name != "list" || own[3].Name != "compact_revisions" {
		t.Errorf("store migrations %v", own)
	}
	if !slices.Equal(applied, want) {
		t.Errorf("schema_migrations = %v, want %v", applied, want)
	}
	s.Close()

	// An older hub program refuses the newer hub schema.
	if _, err := Open(path, WithMigrations("hub", hubMigrations[:1])); !errors.Is(err, ErrNewerSchema) {
		t.Errorf("older hub schema: %v, want ErrNewerSchema", err)
	}
	// A failing migration, or one that leaves broken references, applies nothing.
	broken := append(slices.Clone(hubMigrations), Migration{Version: 3, Name: "broken",
		SQL: "CREATE TABLE notes (x TEXT); CREATE TABLE oops (batch TEXT REFERENCES batches (id) DEFERRABLE INITIALLY DEFERRED); INSERT INTO oops VALUES ('ghost')"})
	if _, err := Open(path, WithMigrations("hub", broken)); err == nil || !strings.Contains(err.Error(), "foreign key check failed") {
		t.Errorf("broken migration: %v", err)
	}
	syntax := append(slices.Clone(hubMigrations), Migration{Version: 3, Name: "syntax", SQL: "CREATE TABLE notes (x TEXT); CREATE TABEL"})
	if _, err := Open(path, WithMigrations("hub", syntax)); err == nil {
		t.Error("migration with a syntax error was accepted")
	}
	s, err = Open(path, WithMigrations("hub", hubMigrations))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.View(ctx, func(tx *Tx) error {
		var n int
		return tx.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE name IN ('notes', 'oops')").Scan(&n)
	})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	s.View(ctx, func(tx *Tx) error {
		return tx.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE name IN ('notes', 'oops')").Scan(&n)
	})
	if n != 0 {
		t.Errorf("failed migrations left %d tables", n)
	}
	if _, err := Open(filepath.Join(t.TempDir(), "x.db"), WithMigrations("store", nil)); err == nil {
		t.Error("a component named like the store's own was accepted")
	}
}

// The frozen database testdata/v1.db was written by the first schema (0001_init) with
// writeFrozen below; a newer program must open it and read the same content back.
const frozenV1 = "testdata/v1.db"

func TestFrozenV1Database(t *testing.T) {
	if os.Getenv("FIELDSURVEY_WRITE_FROZEN") != "" {
		writeFrozen(t)
		return
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "survey.db")
	copyFile(t, frozenV1, path)
	s, err := Open(path, WithClock(fakeClock(t0.Add(24*time.Hour), time.Second)))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Check(ctx); err != nil {
		t.Fatal(err)
	}
	list, err := s.List(ctx, ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 3 {
		t.Fatalf("%d interviews, want 3", len(list))
	}
	byID := map[string]Summary{}
	for _, sm := range list {
		byID[sm.ID] = sm
		if sm.Record != survey.RecordInterview {
			t.Errorf("%s upgraded as a %q, want an interview", sm.ID, sm.Record)
		}
	}
	if as, err := s.List(ctx, ListOptions{Record: survey.RecordAssessment}); err != nil || len(as) != 0 {
		t.Errorf("assessments in the v1 database: %v %+v", err, as)
	}
	dn := byID["0193a1b2-0000-7000-8000-000000000001"]
	if dn.Agency != "Sở Thông tin và Truyền thông" || dn.Province != "Đà Nẵng" || dn.Answered != 1 ||
		dn.Sections["1"] != survey.Amber || dn.Assessor != "lan@example.org" || dn.Revisions != 5 {
		t.Errorf("Đà Nẵng interview: %+v", dn)
	}
	if hn := byID["0193a1b2-0000-7000-8000-000000000002"]; hn.Status != survey.StatusCompleted || hn.Province != "Hà Nội" {
		t.Errorf("Hà Nội interview: %+v", hn)
	}
	if hue := byID["0193a1b2-0000-7000-8000-000000000003"]; hue.Conflicts != 1 {
		t.Errorf("Huế interview should hold one conflict: %+v", hue)
	}
	st, err := s.Interview(ctx, "0193a1b2-0000-7000-8000-000000000001")
	if err != nil {
		t.Fatal(err)
	}
	a := st.Answers["1.1"]
	if a.Rating != survey.Amber || len(a.Evidence) != 1 || a.Evidence[0].Text != "Có chiến lược" || st.Answers["1.2"].Comment != "chưa rõ" {
		t.Errorf("answers read back wrong: %+v", st.Answers)
	}
	cs, err := s.Conflicts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1 || len(cs[0].Heads) != 2 || cs[0].Target.Key != "2.1" {
		t.Errorf("conflicts: %+v", cs)
	}
	if p, _ := s.Pending(ctx); len(p) != 14 {
		t.Errorf("pending %d, want 14", len(p))
	}
	if v, _, _ := s.GetMeta(ctx, "device"); v != "dev-frozen" {
		t.Errorf("meta device = %q", v)
	}
	// And it takes new writes, continuing the device's counter.
	r := mustPut(t, s, Author{Device: "dev-frozen"}, answer("0193a1b2-0000-7000-8000-000000000003", "2.1", survey.Answer{Rating: survey.Green}))
	if len(r) != 1 || r[0].Counter != 14 || len(r[0].Replaces) != 2 {
		t.Errorf("new revision on the frozen database: %+v", r)
	}
	if err := s.Check(ctx); err != nil {
		t.Fatal(err)
	}
}

// writeFrozen regenerates testdata/v1.db: FIELDSURVEY_WRITE_FROZEN=1 go test -run TestFrozenV1Database.
// Only ever do that for a new frozen file of a new schema version, never to "fix" the test.
func writeFrozen(t *testing.T) {
	ctx := context.Background()
	os.Remove(frozenV1)
	s, err := Open(frozenV1, WithClock(fakeClock(t0, time.Second)))
	if err != nil {
		t.Fatal(err)
	}
	by := Author{Device: "dev-frozen", Principal: "lan@example.org"}
	newInterview(t, s, by, "0193a1b2-0000-7000-8000-000000000001", "Sở Thông tin và Truyền thông", "Đà Nẵng")
	newInterview(t, s, by, "0193a1b2-0000-7000-8000-000000000002", "Bộ Tài chính", "Hà Nội")
	mustPut(t, s, by, survey.Change{Target: tgt("0193a1b2-0000-7000-8000-000000000002", survey.KindStatus, ""), Value: survey.StatusChange{Status: survey.StatusCompleted}})
	base := mustPut(t, s, by, answer("0193a1b2-0000-7000-8000-000000000003", "2.1", survey.Answer{Rating: survey.Amber}))
	other := &otherDevice{name: "dev-other", now: t0.Add(time.Hour)}
	mine := mustPut(t, s, by, answer("0193a1b2-0000-7000-8000-000000000003", "2.1", survey.Answer{Rating: survey.Green}))
	theirs := other.rev(t, tgt("0193a1b2-0000-7000-8000-000000000003", survey.KindAnswer, "2.1"), survey.Answer{Rating: survey.Red}, base[0])
	if _, err := s.Append(ctx, theirs); err != nil {
		t.Fatal(err)
	}
	_ = mine
	if err := s.SetMeta(ctx, "device", "dev-frozen"); err != nil {
		t.Fatal(err)
	}
	if err := s.Check(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(frozenV1 + "-wal"); err == nil {
		t.Fatal("WAL left behind: the frozen file would be incomplete")
	}
	t.Logf("wrote %s", frozenV1)
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// Several processes starting at once on a new database: one creates it, the others find
// it made.
func TestConcurrentFirstOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "survey.db")
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			s, err := Open(path)
			if err == nil {
				err = s.Close()
			}
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
