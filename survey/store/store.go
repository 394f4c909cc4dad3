package store

import (
	"bytes"
	"context"
	"database/sql"
	"embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// ApplicationID is the SQLite application_id of a survey database: "FSV1".
const ApplicationID = 0x46535631

// Component is the name under which the store's own migrations are recorded in
// schema_migrations.
const Component = "store"

// Sentinel errors; test with errors.Is.
var (
	// ErrNotFound: no such interview, revision or key.
	ErrNotFound = errors.New("not found")
	// ErrNotSurveyDB: the file is not a fieldsurvey database (another program's SQLite
	// database, or not SQLite at all). Nothing was written to it.
	ErrNotSurveyDB = errors.New("not a fieldsurvey database")
	// ErrNewerSchema: the database was written by a newer fieldsurvey; this program
	// refuses to touch it.
	ErrNewerSchema = errors.New("database schema is newer than this program")
	// ErrDuplicate: a row with the same key already exists (UNIQUE or PRIMARY KEY).
	ErrDuplicate = errors.New("already exists")
	// ErrConstraint: a row breaks another constraint (FOREIGN KEY, CHECK, NOT NULL).
	ErrConstraint = errors.New("constraint failed")
	// ErrReadOnly: a write was attempted inside View.
	ErrReadOnly = errors.New("read-only transaction")
	// ErrReadOnlyDatabase: the database can only be read (its file, its folder or its file
	// system is read-only, or it was opened WithReadOnly). Reading works; a write fails
	// with a *FileError wrapping it, and nothing is written.
	ErrReadOnlyDatabase = errors.New("database is read-only")
)

// FileError is the error Open returns for a file it refuses, and a read-only store's
// writes return: it names the file, says what it is, and what to do, in English and
// Vietnamese. It wraps ErrNotSurveyDB, ErrNewerSchema or ErrReadOnlyDatabase.
type FileError struct {
	Path string
	Msg  survey.Text // what the file is and what to do
	Err  error       // ErrNotSurveyDB or ErrNewerSchema
}

func (e *FileError) Error() string {
	return fmt.Sprintf("open survey database %s: %s", e.Path, e.Msg.Get(survey.LangEN))
}

// Unwrap returns the sentinel.
func (e *FileError) Unwrap() error { return e.Err }

// Text returns the message in every language.
func (e *FileError) Text() survey.Text {
	out := survey.Text{}
	for lang, m := range e.Msg {
		out[lang] = e.Path + ": " + m
	}
	return out
}

// Migration is one numbered step of a component's schema. Versions start at 1 and
// increase by one; a released migration is never edited.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Option configures Open.
type Option func(*options)

type options struct {
	now           func() time.Time
	extra         []componentMigrations
	checkpoint    int
	background    int
	cacheKiB      int
	upgradeNotice func(component string, from, to int)
	readOnly      bool
}

// WithReadOnly opens the store for reading only, even when it could be written: nothing is
// created or migrated, and writes fail with ErrReadOnlyDatabase.
func WithReadOnly() Option { return func(o *options) { o.readOnly = true } }

type componentMigrations struct {
	component string
	migs      []Migration
}

// WithClock sets the clock that stamps local revisions (default time.Now).
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithWALCheckpoint sets after how many pages in the write-ahead log a commit copies the
// log back into the database file (SQLite's wal_autocheckpoint; its default is 1000 pages,
// 4 MB). A store that takes in much in large transactions (a server) checkpoints less
// often with a larger value: pages changed by many transactions (the index of revision
// ids) are then copied once, not once per transaction. The log grows to about that many
// pages on disk. Durability is the same either way.
func WithWALCheckpoint(pages int) Option { return func(o *options) { o.checkpoint = pages } }

// WithCheckpointer copies the write-ahead log back into the database beside the writer,
// on a connection of its own, once the log passes pages pages (see checkpoint.go): the
// writer goes on committing while the pages are copied, and waits only for the last
// small step (what it wrote during the copy), after which its next transaction starts
// the log again. The writer's own wal_autocheckpoint becomes a backstop at four times
// pages (overriding WithWALCheckpoint). For a store that takes in much continuously (a
// server, a merge); durability is the same either way.
func WithCheckpointer(pages int) Option { return func(o *options) { o.background = pages } }

// WithCacheSize sets the writer's page cache, in KiB (default 64 MiB, defaultCacheKiB;
// SQLite fills it only as pages are used): a store that takes in much in large transactions
// (a merge of many batches) keeps a whole transaction's pages in memory with a larger one,
// instead of spilling pages to the write-ahead log before the commit and reading them
// back. Performance only.
func WithCacheSize(kib int) Option { return func(o *options) { o.cacheKiB = kib } }

// WithUpgradeNotice calls notice before the first migration that upgrades an existing
// schema (one that has a version already: never for a database being created) is applied,
// once per component, with the version it has and the one it is brought to: a program
// tells its user that the one-time upgrade under way may take a while (a large store takes
// tens of seconds) and must not be stopped (stopping it loses nothing: each migration is
// one transaction, and the next open takes up where it stopped).
func WithUpgradeNotice(notice func(component string, from, to int)) Option {
	return func(o *options) { o.upgradeNotice = notice }
}

// WithMigrations adds the schema of another component (the hub adds devices, batches and
// receipts), applied after the store's own migrations and tracked under its own name.
func WithMigrations(component string, m []Migration) Option {
	return func(o *options) {
		o.extra = append(o.extra, componentMigrations{component, append([]Migration(nil), m...)})
	}
}

//go:embed migrations/*.sql
var migrationFS embed.FS

// storeMigrations returns the embedded migrations of the store itself.
func storeMigrations() ([]Migration, error) { return MigrationsIn(migrationFS, "migrations") }

// MigrationsIn reads the migrations in folder dir of fsys, numbered by their file names
// (0001_init.sql is version 1, named "init"), in order: how every component (the store,
// the server on SQLite or PostgreSQL) embeds its schema steps.
func MigrationsIn(fsys fs.FS, dir string) ([]Migration, error) {
	ents, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, e := range ents {
		name := e.Name()
		num, rest, ok := strings.Cut(strings.TrimSuffix(name, ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration file %s: name must be NNNN_name.sql", name)
		}
		b, err := fs.ReadFile(fsys, dir+"/"+name)
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: rest, SQL: string(b)})
	}
	return out, nil
}

// Store is an open survey database. It is safe for concurrent use.
type Store struct {
	path string
	now  func() time.Time
	// w is the writer pool: one connection, which wr holds (writer.go), so writers queue
	// there rather than contend for the SQLite lock, and prepared statements stay
	// prepared. r serves reads (WAL snapshots). A read-only store has no writer (wr nil,
	// w and r the same pool).
	w, r *sql.DB
	wr   *writer

	// checkpoint is the writer's wal_autocheckpoint (0: SQLite's default).
	checkpoint int
	// background is the threshold of the checkpointer (0: none), ckpt the checkpointer.
	background int
	ckpt       *checkpointer
	// upgradeNotice is WithUpgradeNotice's (nil: none).
	upgradeNotice func(component string, from, to int)
	// cacheKiB is the writer's page cache (0: defaultCacheKiB).
	cacheKiB int
	// readOnly says why the store can only be read ("" when it can be written).
	readOnly string
	// put holds the last counter of the devices whose Puts it committed; names the
	// numbers of their interviews, devices and authors.
	put   putCounters
	names putNames
}

// ReadOnly says why the store can only be read ("the file is read-only", "its folder is
// read-only", …), or "" when it can be written.
func (s *Store) ReadOnly() string { return s.readOnly }

// readOnlyError is what a write to a read-only store returns.
func (s *Store) readOnlyError() error {
	vi := map[string]string{
		reasonFile: "tệp chỉ đọc", reasonFolder: "thư mục chứa tệp chỉ đọc",
		reasonFS: "hệ thống tệp chỉ đọc", reasonDenied: "không có quyền ghi", reasonAsked: "được mở chỉ để đọc",
	}[s.readOnly]
	return &FileError{Path: s.path, Err: ErrReadOnlyDatabase, Msg: survey.T(
		fmt.Sprintf("this database is read-only (%s): it can be read but not changed, and nothing was written; to change it, make the file and its folder writable (chmod u+w %s %s), or copy it somewhere writable and use the copy",
			s.readOnly, s.path, filepath.Dir(s.path)),
		fmt.Sprintf("cơ sở dữ liệu này chỉ đọc (%s): có thể đọc nhưng không thể thay đổi, chưa có gì được ghi; để thay đổi, hãy cho phép ghi tệp và thư mục chứa nó (chmod u+w %s %s), hoặc chép nó sang nơi ghi được rồi dùng bản chép",
			vi, s.path, filepath.Dir(s.path)))}
}

// Why a store is read-only.
const (
	reasonFile   = "the file is read-only"
	reasonFolder = "its folder is read-only"
	reasonFS     = "the file system is read-only"
	reasonDenied = "this user may not write to it"
	reasonAsked  = "opened for reading only"
)

// readOnlyReason says why the existing database at path can only be read, or "" when it can
// be written (or does not exist yet). It goes by the permission bits, so that a read-only
// file is treated as such by every user, root included (whom the system lets write it),
// then by an attempt to open the file for writing.
func readOnlyReason(path string) string {
	fi, err := os.Stat(path)
	if err != nil {
		return ""
	}
	if fi.Mode().Perm()&0o200 == 0 {
		return reasonFile
	}
	if di, err := os.Stat(filepath.Dir(path)); err == nil && di.Mode().Perm()&0o200 == 0 {
		return reasonFolder // the write-ahead log could not be created beside it
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err == nil {
		f.Close()
		return ""
	}
	if errors.Is(err, syscall.EROFS) {
		return reasonFS
	}
	if errors.Is(err, fs.ErrPermission) {
		return reasonDenied
	}
	return ""
}

// Open opens or creates the survey database at path, creating directories as needed,
// and brings its schema up to date. A file that is not a survey database is refused with
// ErrNotSurveyDB and left untouched.
func Open(path string, opts ...Option) (*Store, error) {
	o := options{now: time.Now}
	for _, f := range opts {
		f(&o)
	}
	if path == "" {
		return nil, errors.New("open survey database: empty path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open survey database %s: %w", path, err)
	}
	if err := probe(abs); err != nil {
		return nil, err
	}
	why := readOnlyReason(abs)
	if why == "" && o.readOnly {
		why = reasonAsked
	}
	if why != "" {
		return openReadOnly(abs, why, o)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return nil, fmt.Errorf("open survey database %s: create folder: %w", abs, err)
	}
	if err := createPrivate(abs); err != nil {
		return nil, fmt.Errorf("open survey database %s: %w", abs, err)
	}
	dsn := DSN(abs)
	w, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open survey database %s: %w", abs, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxIdleTime(0)
	w.SetConnMaxLifetime(0)
	r, err := sql.Open("sqlite", dsn)
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open survey database %s: %w", abs, err)
	}
	r.SetMaxOpenConns(max(2, runtime.GOMAXPROCS(0)))
	r.SetMaxIdleConns(max(2, runtime.GOMAXPROCS(0)))
	s := &Store{path: abs, now: o.now, w: w, r: r, wr: newWriter(), checkpoint: o.checkpoint, background: o.background, cacheKiB: o.cacheKiB, upgradeNotice: o.upgradeNotice}
	own, err := storeMigrations()
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("open survey database %s: %w", abs, err)
	}
	if err := s.openWriter(context.Background(), own, o.extra); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// openWriter takes the writer's connection (migrateOne), brings the schema up to date on it (own
// migrations, then extra's), sets it up for writing and starts the checkpointer.
func (s *Store) openWriter(ctx context.Context, own []Migration, extra []componentMigrations) error {
	w := s.wr
	w.sem <- struct{}{}
	defer w.unlock()
	if err := s.migrate(ctx, Component, own); err != nil {
		return err
	}
	for _, c := range extra {
		if c.component == Component || c.component == "" {
			return fmt.Errorf("open survey database %s: migrations need a component name other than %q", s.path, Component)
		}
		if err := s.migrate(ctx, c.component, c.migs); err != nil {
			return err
		}
	}
	limit, err := s.setupWriter(ctx)
	if err != nil {
		return err
	}
	if s.background > 0 {
		return s.startCheckpointer(s.background, limit)
	}
	return nil
}

// openReadOnly opens an existing database that can only be read: nothing is created,
// migrated or written. Its schema must be this program's (a component it does not hold at
// all, other than the store's own, is left out: what needs it fails).
func openReadOnly(abs, why string, o options) (*Store, error) {
	if _, err := os.Stat(abs); err != nil {
		return nil, fmt.Errorf("open survey database %s: %w", abs, err)
	}
	q := "?mode=ro"
	if why != reasonAsked {
		// Nobody can be writing it (or only against its permissions): without a
		// write-ahead log to read, open it immutable, so that SQLite creates nothing
		// beside it (no -wal or -shm file left in a read-only home).
		if fi, err := os.Stat(abs + "-wal"); err != nil || fi.Size() == 0 {
			q += "&immutable=1"
		}
	}
	dsn := fileURI(abs) + q + "&_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open survey database %s: %w", abs, err)
	}
	db.SetMaxOpenConns(max(2, runtime.GOMAXPROCS(0)))
	db.SetMaxIdleConns(max(2, runtime.GOMAXPROCS(0)))
	s := &Store{path: abs, now: o.now, w: db, r: db, readOnly: why}
	own, err := storeMigrations()
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open survey database %s: %w", abs, err)
	}
	comps := append([]componentMigrations{{Component, own}}, o.extra...)
	for _, c := range comps {
		if err := s.checkSchema(c.component, len(c.migs)); err != nil {
			db.Close()
			return nil, err
		}
	}
	return s, nil
}

// checkSchema refuses a read-only database whose schema of component is not the one this
// program knows (known versions).
func (s *Store) checkSchema(component string, known int) error {
	ctx := context.Background()
	var exists, current int
	if err := s.r.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").Scan(&exists); err != nil {
		return fmt.Errorf("open survey database %s: %w", s.path, err)
	}
	if exists > 0 {
		if err := s.r.QueryRowContext(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations WHERE component = ?", component).Scan(&current); err != nil {
			return fmt.Errorf("open survey database %s: %w", s.path, err)
		}
	}
	switch {
	case current > known:
		return newerSchema(s.path, component, current, known)
	case current == known, current == 0 && component != Component:
		return nil
	}
	return &FileError{Path: s.path, Err: ErrReadOnlyDatabase, Msg: survey.T(
		fmt.Sprintf("this database needs an upgrade to be read by this version of fieldsurvey (%s schema version %d to %d), but it is read-only (%s): make the file and its folder writable (chmod u+w %s %s) and run the command again",
			component, current, known, s.readOnly, s.path, filepath.Dir(s.path)),
		fmt.Sprintf("cơ sở dữ liệu này cần được nâng cấp để phiên bản fieldsurvey này đọc được (lược đồ %s phiên bản %d lên %d), nhưng nó chỉ đọc: hãy cho phép ghi tệp và thư mục chứa nó (chmod u+w %s %s) rồi chạy lại lệnh",
			component, current, known, s.path, filepath.Dir(s.path)))}
}

// createPrivate creates the database file, empty, readable and writable by its owner only
// (0600, whatever the umask or the folder), when it does not exist yet. SQLite would create
// it 0644; it gives the write-ahead log and shared-memory files the database file's mode.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	// A default ACL or a setgid folder can add permissions to a new file: set them exactly.
	if err := f.Chmod(0o600); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		return err
	}
	return nil
}

// DSN returns the modernc.org/sqlite data source name the store uses for path: WAL,
// synchronous=FULL, foreign keys, a 5 s busy timeout and BEGIN IMMEDIATE for writes.
func DSN(path string) string {
	return fileURI(path) +
		"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)&_txlock=immediate"
}

// fileURI returns path as an SQLite file: URI without parameters.
func fileURI(path string) string {
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // file:/C:/x.db on Windows
	}
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return "file:" + strings.Join(segs, "/")
}

var sqliteMagic = []byte("SQLite format 3\x00")

func notSurvey(path string, msg survey.Text) error {
	return &FileError{Path: path, Msg: msg, Err: ErrNotSurveyDB}
}

// probe decides, without writing anything, whether path may be opened as a survey
// database: it does not exist or is empty (new), or it carries the application id (or is
// an SQLite database with no tables at all, which a crash during creation leaves).
func probe(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open survey database %s: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("open survey database %s: %w", path, err)
	}
	if st.IsDir() {
		return notSurvey(path, survey.T(
			"this is a folder, not a database file; give the path of the database file (for example survey.db inside it)",
			"đây là một thư mục, không phải tệp cơ sở dữ liệu; hãy chỉ đường dẫn tới tệp cơ sở dữ liệu (ví dụ survey.db trong thư mục đó)"))
	}
	hdr := make([]byte, 100)
	n, err := io.ReadFull(f, hdr)
	if n == 0 {
		return nil // empty file: a new database
	}
	if err != nil || !bytes.HasPrefix(hdr, sqliteMagic) {
		return notSurvey(path, survey.T(
			"this file is not a fieldsurvey database (it is not an SQLite database at all); it was left unchanged: check the path, or choose a new file name for the database",
			"tệp này không phải cơ sở dữ liệu fieldsurvey (hoàn toàn không phải cơ sở dữ liệu SQLite); tệp được giữ nguyên: hãy kiểm tra đường dẫn hoặc chọn một tên tệp mới cho cơ sở dữ liệu"))
	}
	id := binary.BigEndian.Uint32(hdr[68:72])
	switch id {
	case ApplicationID:
		return nil
	case 0:
	default:
		return foreignApp(path, id)
	}
	// Application id 0: either another program's database, or ours with the header
	// change still in the write-ahead log, or an empty database. Look inside, read-only.
	return probeInside(path, hdr[18] == 2)
}

func foreignApp(path string, id uint32) error {
	return notSurvey(path, survey.T(
		fmt.Sprintf("this file is an SQLite database of another program (application id 0x%08x), not a fieldsurvey database; it was left unchanged: check the path, or choose a new file name for the database", id),
		fmt.Sprintf("tệp này là cơ sở dữ liệu SQLite của một chương trình khác (application id 0x%08x), không phải của fieldsurvey; tệp được giữ nguyên: hãy kiểm tra đường dẫn hoặc chọn một tên tệp mới cho cơ sở dữ liệu", id)))
}

func probeInside(path string, wal bool) error {
	q := "?mode=ro"
	if _, err := os.Stat(path + "-wal"); wal && errors.Is(err, fs.ErrNotExist) {
		// No log: the file is complete. immutable keeps SQLite from creating -wal/-shm.
		q = "?immutable=1"
	}
	// Another process may be creating the file right now: wait for its lock like any reader.
	db, err := sql.Open("sqlite", fileURI(path)+q+"&_pragma=busy_timeout(5000)")
	if err != nil {
		return fmt.Errorf("open survey database %s: %w", path, err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	var id int64
	if err := db.QueryRow("PRAGMA application_id").Scan(&id); err != nil {
		return notSurvey(path, survey.T(
			"this file looks like an SQLite database but cannot be read ("+err.Error()+"); it was left unchanged: check the path and the file",
			"tệp này trông như cơ sở dữ liệu SQLite nhưng không đọc được ("+err.Error()+"); tệp được giữ nguyên: hãy kiểm tra đường dẫn và tệp"))
	}
	switch uint32(id) {
	case ApplicationID:
		return nil
	case 0:
	default:
		return foreignApp(path, uint32(id))
	}
	rows, err := db.Query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name LIMIT 6")
	if err != nil {
		return fmt.Errorf("open survey database %s: %w", path, err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return fmt.Errorf("open survey database %s: %w", path, err)
		}
		names = append(names, n)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("open survey database %s: %w", path, err)
	}
	if len(names) == 0 {
		return nil // an empty SQLite database: ours to initialise
	}
	// Ours, being created by another process right now: the first store migration is
	// recorded in the same transaction that sets the application id, and a reader can see
	// the tables before the header change reaches the main file.
	var ours int
	if slices.Contains(names, "schema_migrations") &&
		db.QueryRow("SELECT count(*) FROM schema_migrations WHERE component = ?", Component).Scan(&ours) == nil && ours > 0 {
		return nil
	}
	if len(names) > 5 {
		names = append(names[:5], "…")
	}
	list := strings.Join(names, ", ")
	return notSurvey(path, survey.T(
		"this file is an SQLite database of another program (tables: "+list+"), not a fieldsurvey database; it was left unchanged: check the path, or choose a new file name for the database",
		"tệp này là cơ sở dữ liệu SQLite của một chương trình khác (các bảng: "+list+"), không phải của fieldsurvey; tệp được giữ nguyên: hãy kiểm tra đường dẫn hoặc chọn một tên tệp mới cho cơ sở dữ liệu"))
}

// newerSchema is the error of a database whose schema of component is newer than this
// program knows.
func newerSchema(path, component string, current, known int) error {
	return &FileError{Path: path, Err: ErrNewerSchema, Msg: survey.T(
		fmt.Sprintf("this database was written by a newer version of fieldsurvey (%s schema version %d; this program knows up to %d); it was left unchanged: update fieldsurvey to open it", component, current, known),
		fmt.Sprintf("cơ sở dữ liệu này được ghi bởi một phiên bản fieldsurvey mới hơn (lược đồ %s phiên bản %d; chương trình này chỉ biết tới %d); tệp được giữ nguyên: hãy cập nhật fieldsurvey để mở nó", component, current, known))}
}

// migrate applies the pending migrations of component, one transaction each, each
// followed by PRAGMA foreign_key_check. A database that records a version newer than the
// newest of migs is refused before anything is written.
func (s *Store) migrate(ctx context.Context, component string, migs []Migration) error {
	fail := func(err error) error {
		return fmt.Errorf("open survey database %s: migrate %s schema: %w", s.path, component, err)
	}
	sort.Slice(migs, func(i, j int) bool { return migs[i].Version < migs[j].Version })
	for i, m := range migs {
		if m.Version != i+1 {
			return fail(fmt.Errorf("migrations must be numbered 1, 2, 3, …: found %d at position %d", m.Version, i+1))
		}
	}
	known := len(migs)
	busy := 0
	noticed := s.upgradeNotice == nil
	for {
		done, err := s.migrateOne(ctx, component, migs, known, &noticed)
		if err != nil && isBusy(err) && busy < 100 {
			// Several processes creating the same new database at once: SQLite can answer
			// SQLITE_BUSY without waiting while one of them switches the file to WAL or
			// takes the first write lock. Wait a little and look again (at most ~5 s).
			busy++
			select {
			case <-ctx.Done():
				return fail(ctx.Err())
			case <-time.After(time.Duration(10+busy%5*10) * time.Millisecond):
			}
			continue
		}
		if err != nil {
			var fe *FileError
			if errors.As(err, &fe) {
				return err
			}
			return fail(err)
		}
		if done {
			return nil
		}
	}
}

// migrateOne applies the next pending migration, if any, and reports whether the schema
// is up to date.
// noticed says the upgrade notice was given or is not due: migrateOne gives it before
// the first migration it applies, if the schema had a version already.
func (s *Store) migrateOne(ctx context.Context, component string, migs []Migration, known int, noticed *bool) (done bool, err error) {
	if s.wr.conn == nil {
		// Taken here, where SQLITE_BUSY is waited out: connecting switches a new
		// database to WAL, which can find another process creating it.
		conn, err := s.w.Conn(ctx)
		if err != nil {
			return false, err
		}
		s.wr.conn = conn
	}
	conn := s.wr.conn
	var exists int
	if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").Scan(&exists); err != nil {
		return false, err
	}
	current := 0
	if exists > 0 {
		if err := conn.QueryRowContext(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations WHERE component = ?", component).Scan(&current); err != nil {
			return false, err
		}
	}
	if current > known {
		return false, newerSchema(s.path, component, current, known)
	}
	if current == known {
		return true, nil
	}
	if !*noticed {
		*noticed = true // a schema being created (current 0) gets none, then or later
		if current > 0 {
			s.upgradeNotice(component, current, known)
		}
	}
	m := migs[current]
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	// Re-read inside the write lock: another process may have migrated meanwhile.
	again := 0
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").Scan(&exists); err != nil {
		return false, err
	}
	if exists > 0 {
		if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations WHERE component = ?", component).Scan(&again); err != nil {
			return false, err
		}
	}
	if again != current {
		return false, nil // look again
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		component TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL, applied TEXT NOT NULL,
		PRIMARY KEY (component, version))`); err != nil {
		return false, err
	}
	if component == Component && m.Version == 1 {
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA application_id = %d", ApplicationID)); err != nil {
			return false, err
		}
	}
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return false, fmt.Errorf("migration %d (%s): %w", m.Version, m.Name, err)
	}
	// applied is when this machine upgraded its schema: a fact about the file, not survey
	// data, so it takes the wall clock and leaves the injected one to revisions.
	if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (component, version, name, applied) VALUES (?, ?, ?, ?)",
		component, m.Version, m.Name, time.Now().UTC().Format(time.RFC3339)); err != nil {
		return false, fmt.Errorf("record migration %d (%s): %w", m.Version, m.Name, mapErr(err))
	}
	if err := foreignKeyCheck(ctx, tx); err != nil {
		return false, fmt.Errorf("migration %d (%s): %w", m.Version, m.Name, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("migration %d (%s): commit: %w", m.Version, m.Name, err)
	}
	return false, nil
}

type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func foreignKeyCheck(ctx context.Context, q queryer) error {
	rows, err := q.QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		return err
	}
	defer rows.Close()
	var bad []string
	for rows.Next() {
		var table, parent string
		var rowid sql.NullInt64
		var fkid int64
		if err := rows.Scan(&table, &rowid, &parent, &fkid); err != nil {
			return err
		}
		if len(bad) < 5 {
			bad = append(bad, fmt.Sprintf("%s row %d → %s", table, rowid.Int64, parent))
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(bad) > 0 {
		return fmt.Errorf("foreign key check failed: %s", strings.Join(bad, "; "))
	}
	return nil
}

// Close closes the database.
func (s *Store) Close() error {
	// The checkpointer first: it may be waiting for the writer's connection.
	ckErr := s.ckpt.close()
	if s.wr == nil {
		return errors.Join(ckErr, s.r.Close())
	}
	return errors.Join(ckErr, s.wr.close(), s.r.Close(), s.w.Close())
}

// Path returns the absolute path of the database file.
func (s *Store) Path() string { return s.path }

// defaultCacheKiB is the writer's page cache unless WithCacheSize says otherwise: 64 MiB,
// more than a store of 10,000 interviews (42 MB, 140,000 revisions). With 32 MiB (until
// 0006) a save in such a store read pages back from the file every time, although it
// touches a few dozen (BenchmarkDurableAppend/10k with FIELDSURVEY_BENCH_CACHE_KIB, load
// 0.8-1.0: CPU a save 187 µs at 32 MiB, 149-156 at 48, 64 and 128 MiB; median put/raw
// 1.68-1.73 against 1.44-1.51). Memory is taken only as pages are read.
const defaultCacheKiB = 64 << 10

// hot lists the statements prepared once on the writer connection when the store opens.
var hot = []string{qHeads, qInterviewHeads, qStored, qEntries1, qEntries2, qEntries64, qInsertRev, qUnhead, qLastSeq, qUpdateCounts, qReplacedBy, qReused, qSelectIV, qUpsertIV, qReadCounter, qPutStart, qBatchedAgain, qPendingRows, qMarkBatched, qBatchedCounter, qPendingLow, qTakeRuns, qAddRun}

// mapErr maps SQLite constraint errors to ErrDuplicate and ErrConstraint, keeping the
// original message.
// isBusy reports whether err is SQLite's "database is locked" (SQLITE_BUSY and its
// extended codes).
func isBusy(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY
}

func mapErr(err error) error {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return err
	}
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return fmt.Errorf("%w: %w", ErrDuplicate, err)
	}
	if se.Code()&0xff == sqlite3.SQLITE_CONSTRAINT {
		return fmt.Errorf("%w: %w", ErrConstraint, err)
	}
	return err
}
