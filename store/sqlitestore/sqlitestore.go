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
//
// Each pool runs its queries through statements prepared once per SQL text
// (stmts), so SQLite does not parse the same SQL on every call.
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
	write *stmts // one connection: the single writer
	read  *stmts // the same database for readers; == write for Memory
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
	if err := s.read.db.PingContext(ctx); err != nil {
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
		w := newStmts(write)
		return &Store{write: w, read: w}, nil
	}
	read, err := sql.Open("sqlite", path+"?"+pragmas)
	if err != nil {
		write.Close()
		return nil, err
	}
	conns := max(4, runtime.GOMAXPROCS(0))
	read.SetMaxOpenConns(conns)
	// Idle connections stay open: each keeps the statements prepared on it.
	read.SetMaxIdleConns(conns)
	return &Store{write: newStmts(write), read: newStmts(read)}, nil
}

// Migrate applies pending migrations.
func (s *Store) Migrate(ctx context.Context) error {
	if err := migrations.Up(ctx, s.write.db, store.SQLite); err != nil {
		return fmt.Errorf("sqlite store: %w", err)
	}
	return nil
}

// Close closes the prepared statements, then the database.
func (s *Store) Close() error {
	err := s.write.Close()
	if s.read != s.write {
		err = errors.Join(err, s.read.Close(), s.read.db.Close())
	}
	return errors.Join(err, s.write.db.Close())
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

// inTx runs fn in a write transaction, committing if it returns nil. The
// statements fn ran that were not cached yet are prepared afterwards, when
// the writer's connection is free.
func (s *Store) inTx(ctx context.Context, fn func(tx *txStmts) error) error {
	tx, err := s.write.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	t := &txStmts{tx: tx, stmts: s.write}
	defer func() { s.write.prepare(ctx, t.missed) }()
	if err := fn(t); err != nil {
		return errors.Join(err, tx.Rollback())
	}
	return tx.Commit()
}
