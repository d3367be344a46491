// Package store holds what every storage adapter shares: the sentinel errors
// that domain code compares with errors.Is, and the parsing of store URLs.
// The adapters live in store/pgstore (PostgreSQL, production) and
// store/sqlitestore (embedded SQLite, devnet and small installs).
package store

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors returned by every adapter.
var (
	ErrNotFound = errors.New("store: not found")
	ErrConflict = errors.New("store: already exists")
)

// Dialect names a storage backend.
type Dialect string

// The supported dialects.
const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// ParseURL tells which dialect a store URL names: postgres://… or
// postgresql://… for PostgreSQL, sqlite://PATH (or sqlite::memory:) for SQLite.
// For SQLite it returns the path part.
func ParseURL(url string) (Dialect, string, error) {
	switch {
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		return Postgres, url, nil
	case strings.HasPrefix(url, "sqlite://"):
		return SQLite, strings.TrimPrefix(url, "sqlite://"), nil
	case url == "sqlite::memory:":
		return SQLite, ":memory:", nil
	}
	return "", "", fmt.Errorf("store URL %q: want postgres://USER@HOST:PORT/DB or sqlite://PATH", url)
}
