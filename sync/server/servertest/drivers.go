package servertest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/fieldsurvey/fieldsurvey/sync/server"
)

// PostgresEnv is the variable that names the PostgreSQL server the tests may use
// (postgres://…); each test makes its own database in it and drops it at the end.
const PostgresEnv = "FIELDSURVEY_TEST_POSTGRES"

// Driver opens a server store for a test: SQLite in the data folder, or a database of its
// own on the test PostgreSQL server (the same one again for the same folder, so that a
// restart finds its data).
type Driver struct {
	Name string
	open func(t testing.TB, dir string) (server.Store, error)
}

// Open opens the store for data folder dir.
func (d Driver) Open(t testing.TB, dir string) (server.Store, error) { return d.open(t, dir) }

// SQLite is the driver of the SQLite store.
func SQLite() Driver {
	return Driver{Name: "sqlite", open: func(_ testing.TB, dir string) (server.Store, error) { return server.OpenSQLite(dir) }}
}

// Postgres is the driver of the PostgreSQL store: it skips the test when PostgresEnv is
// unset (and fails it under CI=true, where the tests must run).
func Postgres(t testing.TB) Driver {
	base := PostgresURL(t)
	var mu sync.Mutex
	dbs := map[string]string{}
	return Driver{Name: "postgres", open: func(t testing.TB, dir string) (server.Store, error) {
		mu.Lock()
		u, ok := dbs[dir]
		if !ok {
			u = NewPostgresDB(t, base)
			dbs[dir] = u
		}
		mu.Unlock()
		return server.OpenPostgres(context.Background(), u)
	}}
}

// PostgresAt is the driver of the PostgreSQL store in the database at url (made by
// NewPostgresDB), for a test that reads that database itself too.
func PostgresAt(url string) Driver {
	return Driver{Name: "postgres", open: func(testing.TB, string) (server.Store, error) {
		return server.OpenPostgres(context.Background(), url)
	}}
}

// PostgresURL returns the test PostgreSQL server's URL, or skips the test when it is not
// set (fails it under CI=true).
func PostgresURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(PostgresEnv)
	if u == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set: CI must run the PostgreSQL tests (.ci/run starts a server with .ci/postgres)", PostgresEnv)
		}
		t.Skipf("PostgreSQL tests skipped: %s is not set; run them with `.ci/postgres run go test ./sync/server/...` (or set %s=postgres://…)", PostgresEnv, PostgresEnv)
	}
	return u
}

// NewPostgresDB creates an empty database on the server at base for this test, dropped
// when the test ends, and returns its URL.
func NewPostgresDB(t testing.TB, base string) string {
	t.Helper()
	ctx := context.Background()
	b := make([]byte, 6)
	rand.Read(b)
	name := "fieldsurvey_test_" + hex.EncodeToString(b)
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect to the test PostgreSQL (%s): %v", PostgresEnv, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE DATABASE `+name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("drop test database: %v", err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			t.Errorf("drop test database: %v", err)
		}
	})
	pu, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	pu.Path = "/" + name
	return pu.String()
}

// ForEachStore runs test once per store: SQLite, then PostgreSQL (skipped without
// PostgresEnv, see Postgres).
func ForEachStore(t *testing.T, test func(t *testing.T, d Driver)) {
	t.Run("sqlite", func(t *testing.T) { test(t, SQLite()) })
	t.Run("postgres", func(t *testing.T) { test(t, Postgres(t)) })
}
