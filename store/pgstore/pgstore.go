// Package pgstore is the PostgreSQL adapter of the router's storage
// (router.Store) and of the oracle's (oracle.Store), built on pgx. It is
// hexnet's production store.
//
// Times are stored as timestamptz, at microsecond precision: a time.Time
// comes back truncated to the microsecond, in UTC. uint64 values are
// bigint: writes reject values above math.MaxInt64 (H3 cells excepted, kept
// as their bit pattern); reads pass uint64 keys as int64, where a larger
// key wraps to a negative number that matches no row, as it should.
package pgstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/hexnet/hexnet/migrations"
	"github.com/hexnet/hexnet/oracle"
	"github.com/hexnet/hexnet/router"
	"github.com/hexnet/hexnet/store"
)

// DBTX is what the queries need: satisfied by *pgxpool.Pool and pgx.Tx, so
// the same query functions run inside or outside a transaction.
type DBTX interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, src pgx.CopyFromSource) (int64, error)
}

var (
	_ DBTX         = (*pgxpool.Pool)(nil)
	_ DBTX         = (pgx.Tx)(nil)
	_ router.Store = (*Store)(nil)
	_ oracle.Store = (*Store)(nil)
)

// Store is the router's storage in PostgreSQL. Its tables live in the first
// schema of the connection's search_path (set it with the URL parameter
// search_path=NAME to keep several stores in one database).
type Store struct {
	pool *pgxpool.Pool
}

// Open connects to the database at url (postgres://USER@HOST:PORT/DB?...)
// and checks that it answers. Call Migrate before first use.
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("open postgres store: parse URL: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open postgres store: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open postgres store at %s:%d/%s: %w", cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database, err)
	}
	return &Store{pool: pool}, nil
}

// Migrate applies pending migrations through the store's own pool, so they
// run on the same search_path as the queries.
func (s *Store) Migrate(ctx context.Context) error {
	db := stdlib.OpenDBFromPool(s.pool)
	defer db.Close()
	if err := migrations.Up(ctx, db, store.Postgres); err != nil {
		return fmt.Errorf("postgres store: %w", err)
	}
	return nil
}

// Close closes every connection; it waits for queries in flight.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// Pool returns the store's connection pool, for callers that run their own
// queries on the same database (tests, operator tools).
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// mapErr turns PostgreSQL errors into the store sentinels, keeping the
// original error in the chain. It is the one place that reads error codes.
func mapErr(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return store.ErrNotFound
	}
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return err
	}
	switch pgErr.Code {
	case "23505": // unique_violation
		return fmt.Errorf("%w (%w)", store.ErrConflict, err)
	case "23503": // foreign_key_violation: the referenced row is missing
		return fmt.Errorf("%w: %s references a missing row (%w)", store.ErrNotFound, pgErr.TableName, err)
	}
	return err
}

// ts is how times are written: truncated to what timestamptz keeps.
func ts(t time.Time) time.Time {
	return t.Truncate(time.Microsecond).UTC()
}
