package server

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5"
)

// OpenStore opens the server's store: the PostgreSQL database named by database
// (postgres://…), or, when database is empty, the SQLite store in the data folder dir.
func OpenStore(ctx context.Context, dir, database string) (Store, error) {
	switch {
	case database == "":
		return OpenSQLite(dir)
	case IsPostgresURL(database):
		return OpenPostgres(ctx, database)
	default:
		return nil, fmt.Errorf("database %q is not a postgres:// URL (leave it empty for the SQLite store in the data folder)", Redact(database))
	}
}

// Redact returns database with the password of its URL, if it has one, replaced by
// "xxxxx": what messages and logs may show of a database setting. The password may be in
// the user part (percent-encoded or not) or a password= parameter; in a URL that does not
// parse, everything between the scheme and the last '@' is hidden.
func Redact(database string) string {
	u, err := url.Parse(database)
	if err != nil {
		if i, j := strings.Index(database, "://"), strings.LastIndex(database, "@"); i >= 0 && j > i {
			database = database[:i+3] + "xxxxx" + database[j:]
		}
		return passwordParam.ReplaceAllString(database, "${1}xxxxx")
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	} else if u.User == nil {
		return database
	}
	return u.Redacted()
}

// passwordParam is a password= parameter (of a URL that does not parse).
var passwordParam = regexp.MustCompile(`([?&]password=)[^&\s]*`)

// ErrOtherKey is returned by BindKey when the database belongs to another server key.
var ErrOtherKey = errors.New("the database belongs to another server key")

// BoundKey returns the fingerprint of the server key the database belongs to ("" when no
// node has opened it yet).
func (p *Postgres) BoundKey(ctx context.Context) (string, error) {
	var fp string
	err := p.pool.QueryRow(ctx, `SELECT value FROM server_meta WHERE key = 'server_key'`).Scan(&fp)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read the server key's fingerprint: %w", err)
	}
	return fp, nil
}

// BindKey records that the database belongs to the server key with fingerprint fp, or
// checks that it does: every node of one server signs with the same key.
func (p *Postgres) BindKey(ctx context.Context, fp string) error {
	if _, err := p.pool.Exec(ctx, `INSERT INTO server_meta (key, value) VALUES ('server_key', $1) ON CONFLICT (key) DO NOTHING`, fp); err != nil {
		return fmt.Errorf("record the server key's fingerprint: %w", err)
	}
	bound, err := p.BoundKey(ctx)
	if err != nil {
		return err
	}
	if bound != fp {
		return fmt.Errorf("%w: the database was made with server key %s, this node's key is %s", ErrOtherKey, bound, fp)
	}
	return nil
}
