package store

import (
	"context"
	"database/sql"
	"testing"
)

// onWriter runs fn on the store's writer connection, between transactions (tests that look
// at or change the database beside the store's methods).
func onWriter(t testing.TB, s *Store, fn func(c *sql.Conn) error) {
	t.Helper()
	if err := s.withWriter(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

// writerExec runs a statement on the store's writer connection.
func writerExec(t testing.TB, s *Store, q string) {
	t.Helper()
	onWriter(t, s, func(c *sql.Conn) error {
		_, err := c.ExecContext(context.Background(), q)
		return err
	})
}

// writerInt reads one integer on the store's writer connection.
func writerInt(t testing.TB, s *Store, q string) (v int64) {
	t.Helper()
	onWriter(t, s, func(c *sql.Conn) error {
		return c.QueryRowContext(context.Background(), q).Scan(&v)
	})
	return v
}
