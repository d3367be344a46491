// Package backend opens the store a URL names, router's and oracle's:
// PostgreSQL for postgres://… (production), embedded SQLite for
// sqlite://PATH (devnet, small installs). Binaries use it so that the
// choice is configuration.
package backend

import (
	"context"
	"fmt"

	"github.com/hexnet/hexnet/oracle"
	"github.com/hexnet/hexnet/router"
	"github.com/hexnet/hexnet/store"
	"github.com/hexnet/hexnet/store/pgstore"
	"github.com/hexnet/hexnet/store/sqlitestore"
)

// Backend is an open store, the router's and the oracle's, and its
// lifetime. Both interfaces have TrafficBetween, with one meaning.
type Backend interface {
	router.Store
	oracle.Store
	// Migrate applies pending migrations.
	Migrate(ctx context.Context) error
	// Close releases the connections.
	Close() error
}

var (
	_ Backend = (*pgstore.Store)(nil)
	_ Backend = (*sqlitestore.Store)(nil)
)

// Open opens the store at url: postgres://USER@HOST:PORT/DB?... (or
// postgresql://…), sqlite://PATH, or sqlite::memory:. It does not migrate.
func Open(ctx context.Context, url string) (Backend, error) {
	dialect, target, err := store.ParseURL(url)
	if err != nil {
		return nil, err
	}
	switch dialect {
	case store.Postgres:
		return pgstore.Open(ctx, target)
	case store.SQLite:
		return sqlitestore.Open(ctx, target)
	}
	return nil, fmt.Errorf("store URL %q: dialect %q has no adapter", url, dialect)
}
