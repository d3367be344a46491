package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"sync"
)

// maxStmts bounds a cache. Every query of this package is a constant, but
// SQL built per call (IN lists, multi-row VALUES) would add a statement per
// shape: past the bound, new texts run unprepared.
const maxStmts = 256

// stmts runs queries on db through statements prepared once per SQL text:
// modernc.org/sqlite parses the SQL of every unprepared call, which was
// about half of the store's time on the router's hot path. A *sql.Stmt is
// safe for concurrent use and prepares itself again on each connection of
// the pool that runs it.
//
// Its QueryContext, ExecContext and QueryRowContext are those of *sql.DB.
type stmts struct {
	db    *sql.DB
	cache sync.Map // SQL text → *sql.Stmt; read without locking

	mu     sync.Mutex // guards stores into cache, n and closed
	n      int
	closed bool
}

func newStmts(db *sql.DB) *stmts { return &stmts{db: db} }

// cached returns the statement of query if it is prepared already.
func (c *stmts) cached(query string) *sql.Stmt {
	if st, ok := c.cache.Load(query); ok {
		return st.(*sql.Stmt)
	}
	return nil
}

// stmt returns the statement of query, preparing it on first use; nil
// without error once the cache is full or closed.
func (c *stmts) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st := c.cached(query); st != nil {
		return st, nil
	}
	if !c.room() {
		return nil, nil
	}
	// Prepared outside the lock: preparing waits for a connection.
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	return c.keep(query, st), nil
}

// room tells whether a statement may still be added.
func (c *stmts) room() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return !c.closed && c.n < maxStmts
}

// keep caches st for query and returns it, or returns the statement that
// another goroutine cached first; nil, closing st, if there is no room.
func (c *stmts) keep(query string, st *sql.Stmt) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	prev, ok := c.cache.Load(query)
	if ok || c.closed || c.n >= maxStmts {
		st.Close() // never used: nothing to report
		if ok {
			return prev.(*sql.Stmt)
		}
		return nil
	}
	c.cache.Store(query, st)
	c.n++
	return st
}

// prepare caches the statements of queries; it is a cache fill, so a
// failure only leaves a query to be prepared on its next use.
func (c *stmts) prepare(ctx context.Context, queries []string) {
	for _, q := range queries {
		if _, err := c.stmt(ctx, q); err != nil {
			return
		}
	}
}

// QueryContext is db.QueryContext through the query's statement.
func (c *stmts) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return c.db.QueryContext(ctx, query, args...)
	}
	return st.QueryContext(ctx, args...)
}

// ExecContext is db.ExecContext through the query's statement.
func (c *stmts) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return c.db.ExecContext(ctx, query, args...)
	}
	return st.ExecContext(ctx, args...)
}

// QueryRowContext is db.QueryRowContext through the query's statement. A
// *sql.Row cannot carry an error from outside database/sql, so when
// preparing fails the query runs unprepared and its Scan reports the error.
func (c *stmts) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := c.stmt(ctx, query)
	if err != nil || st == nil {
		return c.db.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// Close closes the cached statements; later calls run unprepared. Call it
// before closing db.
func (c *stmts) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	var err error
	c.cache.Range(func(query, st any) bool {
		err = errors.Join(err, st.(*sql.Stmt).Close())
		c.cache.Delete(query)
		return true
	})
	return err
}

// txStmts runs a transaction's queries through the statements of the
// writer's cache: a cached statement is bound to the transaction
// (tx.StmtContext) without parsing. The writer has one connection, which
// the transaction holds, so a statement cannot be prepared on the database
// meanwhile: a query not cached yet runs unprepared and is noted in missed,
// for inTx to prepare once the transaction is over.
//
// Its methods are those of *sql.Tx.
type txStmts struct {
	tx     *sql.Tx
	stmts  *stmts
	missed []string
}

// bound returns query's cached statement bound to the transaction, or nil,
// noting the miss.
func (t *txStmts) bound(ctx context.Context, query string) *sql.Stmt {
	st := t.stmts.cached(query)
	if st == nil {
		if !slices.Contains(t.missed, query) {
			t.missed = append(t.missed, query)
		}
		return nil
	}
	return t.tx.StmtContext(ctx, st)
}

// PrepareContext is tx.PrepareContext, without parsing when query is cached.
// Close the statement when done, as with tx.PrepareContext.
func (t *txStmts) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	if st := t.bound(ctx, query); st != nil {
		return st, nil
	}
	return t.tx.PrepareContext(ctx, query)
}

// ExecContext is tx.ExecContext, without parsing when query is cached.
func (t *txStmts) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := t.bound(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, query, args...)
}

// QueryRowContext is tx.QueryRowContext, without parsing when query is
// cached.
func (t *txStmts) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := t.bound(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, query, args...)
}
