package server

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5"
	"golang.org/x/crypto/ssh"

	"github.com/fieldsurvey/fieldsurvey/survey/store"
	"github.com/fieldsurvey/fieldsurvey/sync/keys"
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

// Errors of OpenData for a data folder that cannot serve as it is.
var (
	// ErrNoServer: the folder holds no server key, and no server is to be made there.
	ErrNoServer = errors.New("the folder holds no server")
	// ErrNoStore: the folder holds the server key but no SQLite store, and no database is
	// given (the server runs on PostgreSQL, or its store was moved away): opening SQLite
	// would start an empty second store under the same identity.
	ErrNoStore = errors.New("the folder holds the server key but no store")
)

// KeyMissingError is a data folder without the server key for a database that belongs to
// one (Bound, its fingerprint): another node's data folder has it.
type KeyMissingError struct{ Bound string }

func (e *KeyMissingError) Error() string {
	return "the folder holds no server key, and the database belongs to server key " + e.Bound
}

// DatabaseError is a database that could not be opened or read by OpenData.
type DatabaseError struct{ Err error }

func (e *DatabaseError) Error() string { return e.Err.Error() }
func (e *DatabaseError) Unwrap() error { return e.Err }

// Data is a server's data folder opened: its store and key.
type Data struct {
	Store   Store
	Signer  ssh.Signer
	KeyPath string
	Created bool // the key was made now (a new server)
}

// OpenData loads the server key in dir and opens its store: SQLite in dir, or the
// PostgreSQL database when database is set. Only create (serve) makes a new server, so
// that a mistyped folder does not become a second server identity. On PostgreSQL the
// database records the key's fingerprint, and a node with another key (ErrOtherKey) or with
// none where the database has one (*KeyMissingError) is refused: every node of a server signs
// with the same key. opts are given to the SQLite store (store.WithUpgradeNotice, say).
func OpenData(ctx context.Context, dir, database string, create bool, opts ...store.Option) (Data, error) {
	var pg *Postgres
	if database != "" {
		st, err := OpenStore(ctx, dir, database)
		if err != nil {
			return Data{}, &DatabaseError{err}
		}
		pg = st.(*Postgres)
	}
	fail := func(err error) (Data, error) {
		if pg != nil {
			pg.Close()
		}
		return Data{}, err
	}
	keyPath := filepath.Join(dir, KeyFile)
	if _, err := os.Stat(keyPath); err != nil {
		bound := ""
		if pg != nil {
			if bound, err = pg.BoundKey(ctx); err != nil {
				return fail(&DatabaseError{err})
			}
		}
		switch {
		case bound != "":
			return fail(&KeyMissingError{Bound: bound})
		case !create:
			return fail(ErrNoServer)
		}
	}
	signer, created, err := LoadOrCreateKey(dir)
	if err != nil {
		return fail(err)
	}
	d := Data{Signer: signer, KeyPath: keyPath, Created: created}
	if pg != nil {
		if err := pg.BindKey(ctx, keys.Fingerprint(signer.PublicKey())); err != nil {
			return fail(err)
		}
		d.Store = pg
		return d, nil
	}
	if _, err := os.Stat(filepath.Join(dir, DBFile)); !created && errors.Is(err, os.ErrNotExist) {
		return Data{}, ErrNoStore
	}
	if d.Store, err = OpenSQLite(dir, opts...); err != nil {
		return Data{}, err
	}
	return d, nil
}
