// Package sqlitestore is the embedded adapter of the router's storage
// (router.Store) and of the oracle's (oracle.Store), on the pure-Go SQLite
// of modernc.org/sqlite: the devnet's store and that of small
// single-machine installs.
//
// Times are INTEGER microseconds since the Unix epoch: like PostgreSQL, a
// time.Time comes back truncated to the microsecond, in UTC. uint64 values
// are INTEGER: writes reject values above math.MaxInt64 (H3 cells excepted,
// kept as their bit pattern); reads pass uint64 keys as int64, where a
// larger key wraps to a negative number that matches no row.
//
// SQLite has one writer at a time. The store writes through a pool of one
// connection whose transactions begin IMMEDIATE, so writers in this process
// queue in Go instead of failing with SQLITE_BUSY; readers use a separate
// pool and, in WAL mode, are not blocked by the writer. busy_timeout covers
// writers in other processes.
package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/hexnet/hexnet/migrations"
	"github.com/hexnet/hexnet/oracle"
	"github.com/hexnet/hexnet/router"
	"github.com/hexnet/hexnet/store"
)

var (
	_ router.Store = (*Store)(nil)
	_ oracle.Store = (*Store)(nil)
)

// Memory is the path of a private in-memory database.
const Memory = ":memory:"

// pragmas every connection gets: durability suited to WAL, integrity on.
const pragmas = "_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"

// Store is the router's storage in one SQLite database file.
type Store struct {
	write *sql.DB // one connection: the single writer
	read  *sql.DB // the same database for readers; == write for Memory
}

// Open opens (creating if needed) the database at path, or a private
// in-memory database for path ":memory:". Call Migrate before first use.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("open sqlite store: empty path; want a file path or the in-memory name")
	}
	s, err := open(path)
	if err != nil {
		return nil, fmt.Errorf("open sqlite store %s: %w", path, err)
	}
	if err := s.read.PingContext(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("open sqlite store %s: %w", path, err)
	}
	return s, nil
}

func open(path string) (*Store, error) {
	write, err := sql.Open("sqlite", path+"?_txlock=immediate&"+pragmas)
	if err != nil {
		return nil, err
	}
	write.SetMaxOpenConns(1)
	if path == Memory {
		// Every connection to :memory: is a database of its own: keep the
		// one connection forever and share it with readers.
		write.SetConnMaxLifetime(0)
		write.SetConnMaxIdleTime(0)
		return &Store{write: write, read: write}, nil
	}
	read, err := sql.Open("sqlite", path+"?"+pragmas)
	if err != nil {
		write.Close()
		return nil, err
	}
	read.SetMaxOpenConns(max(4, runtime.GOMAXPROCS(0)))
	return &Store{write: write, read: read}, nil
}

// Migrate applies pending migrations.
func (s *Store) Migrate(ctx context.Context) error {
	if err := migrations.Up(ctx, s.write, store.SQLite); err != nil {
		return fmt.Errorf("sqlite store: %w", err)
	}
	return nil
}

// Close closes the database.
func (s *Store) Close() error {
	err := s.write.Close()
	if s.read != s.write {
		err = errors.Join(err, s.read.Close())
	}
	return err
}

// mapErr turns SQLite errors into the store sentinels, keeping the original
// error in the chain. It is the one place that reads result codes.
func mapErr(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	}
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return err
	}
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY, sqlite3.SQLITE_CONSTRAINT_UNIQUE:
		return fmt.Errorf("%w (%w)", store.ErrConflict, err)
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return fmt.Errorf("%w: references a missing row (%w)", store.ErrNotFound, err)
	}
	return err
}

// micros is how times are stored.
func micros(t time.Time) int64 { return t.UnixMicro() }

// fromMicros is how times are read.
func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

// inTx runs fn in a write transaction, committing if it returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return errors.Join(err, tx.Rollback())
	}
	return tx.Commit()
}
