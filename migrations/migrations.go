// Package migrations holds hexnet's numbered SQL migrations, one folder per
// store dialect, embedded into the binary and applied with goose.
package migrations

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/hexnet/hexnet/store"
)

//go:embed postgres/*.sql sqlite/*.sql
var files embed.FS

// FS returns the migrations of one dialect, rooted at their folder.
func FS(dialect store.Dialect) (fs.FS, error) {
	switch dialect {
	case store.Postgres, store.SQLite:
		return fs.Sub(files, string(dialect))
	}
	return nil, fmt.Errorf("migrations: unknown dialect %q (want %q or %q)", dialect, store.Postgres, store.SQLite)
}

// Up applies every pending migration of the dialect to db. The caller owns
// db (Up does not close it). For PostgreSQL the tables land in the first
// schema of the connection's search_path, and a session advisory lock
// keyed on that schema keeps concurrent Up calls (several router instances
// starting at once) from racing.
func Up(ctx context.Context, db *sql.DB, dialect store.Dialect) error {
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true)}
	if dialect == store.Postgres {
		locker, err := schemaLocker(ctx, db)
		if err != nil {
			return err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := provider(db, dialect, opts...)
	if err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate %s: %w", dialect, err)
	}
	return nil
}

// provider builds a goose provider; opts must include
// goose.WithDisableGlobalRegistry(true) so that no goose globals are used.
func provider(db *sql.DB, dialect store.Dialect, opts ...goose.ProviderOption) (*goose.Provider, error) {
	fsys, err := FS(dialect)
	if err != nil {
		return nil, err
	}
	gd, err := gooseDialect(dialect)
	if err != nil {
		return nil, err
	}
	p, err := goose.NewProvider(gd, db, fsys, opts...)
	if err != nil {
		return nil, fmt.Errorf("migrations for %s: %w", dialect, err)
	}
	return p, nil
}

func gooseDialect(dialect store.Dialect) (goose.Dialect, error) {
	switch dialect {
	case store.Postgres:
		return goose.DialectPostgres, nil
	case store.SQLite:
		return goose.DialectSQLite3, nil
	}
	return "", fmt.Errorf("migrations: unknown dialect %q (want %q or %q)", dialect, store.Postgres, store.SQLite)
}

// schemaLocker returns a goose session locker whose advisory lock ID is
// derived from the current schema: migrations of one schema serialise,
// those of different schemas (parallel tests) do not wait for each other.
func schemaLocker(ctx context.Context, db *sql.DB) (lock.SessionLocker, error) {
	var schema sql.NullString
	if err := db.QueryRowContext(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		return nil, fmt.Errorf("migrate postgres: find current schema: %w", err)
	}
	if !schema.Valid {
		return nil, errors.New("migrate postgres: no schema of the search_path exists; create it (CREATE SCHEMA name) or fix search_path")
	}
	h := fnv.New64a()
	h.Write([]byte("hexnet migrations " + schema.String))
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(int64(h.Sum64())), lock.WithLockTimeout(1, 300))
	if err != nil {
		return nil, fmt.Errorf("migrate postgres: %w", err)
	}
	return locker, nil
}
