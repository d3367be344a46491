package sqlitestore

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"
)

func openInternal(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return s
}

// size is how many statements c holds.
func (c *stmts) size() int {
	n := 0
	c.cache.Range(func(any, any) bool { n++; return true })
	return n
}

// TestStmtsBound checks that distinct SQL texts past maxStmts still run,
// unprepared, without growing the cache.
func TestStmtsBound(t *testing.T) {
	s := openInternal(t, filepath.Join(t.TempDir(), "hexnet.db"))
	for i := range maxStmts + 10 {
		var got int
		if err := s.read.QueryRowContext(t.Context(), fmt.Sprintf("SELECT %d + ?", i), 1).Scan(&got); err != nil {
			t.Fatalf("query %d: %v", i, err)
		}
		if got != i+1 {
			t.Fatalf("query %d = %d; want %d", i, got, i+1)
		}
	}
	if n := s.read.size(); n != maxStmts {
		t.Errorf("cache holds %d statements; want %d", n, maxStmts)
	}
	rows, err := s.read.QueryContext(t.Context(), "SELECT ? UNION ALL SELECT ?", 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	rows.Close()
	if _, err := s.write.ExecContext(t.Context(), "DELETE FROM hotspots WHERE address = ?", "none"); err != nil {
		t.Fatal(err)
	}
}

// TestStmtsErrors checks that a query that cannot be prepared fails as it
// would unprepared and is not cached.
func TestStmtsErrors(t *testing.T) {
	s := openInternal(t, Memory)
	const bad = "SELECT nothing FROM nowhere"
	if _, err := s.read.QueryContext(t.Context(), bad); err == nil {
		t.Error("QueryContext succeeded")
	}
	if _, err := s.read.ExecContext(t.Context(), bad); err == nil {
		t.Error("ExecContext succeeded")
	}
	var x int
	if err := s.read.QueryRowContext(t.Context(), bad).Scan(&x); err == nil {
		t.Error("QueryRowContext succeeded")
	}
	if n := s.read.size(); n != 0 {
		t.Errorf("cache holds %d statements; want none", n)
	}
}

// TestTxStmts checks that a transaction's statements are cached after it
// and used by the next.
func TestTxStmts(t *testing.T) {
	s := openInternal(t, filepath.Join(t.TempDir(), "hexnet.db"))
	const q = "INSERT INTO hotspots (address, first_seen, last_seen) VALUES (?, 1, 1)"
	for i := range 3 {
		err := s.inTx(t.Context(), func(tx *txStmts) error {
			_, err := tx.ExecContext(t.Context(), q, fmt.Sprint("hotspot ", i))
			if i > 0 && len(tx.missed) != 0 {
				t.Errorf("transaction %d missed %q", i, tx.missed)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if s.write.cached(q) == nil {
		t.Error("the transaction's statement is not cached")
	}
	hs, err := s.ListHotspots(t.Context())
	if err != nil || len(hs) != 3 {
		t.Errorf("ListHotspots = %d hotspots, %v; want 3", len(hs), err)
	}
}

// TestStmtsConcurrent runs the same statements from many goroutines on the
// reader pool and the writer, for the race detector.
func TestStmtsConcurrent(t *testing.T) {
	for _, path := range []string{Memory, filepath.Join(t.TempDir(), "hexnet.db")} {
		s := openInternal(t, path)
		var wg sync.WaitGroup
		for g := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 50 {
					var got int
					if err := s.read.QueryRowContext(t.Context(), "SELECT ? * 2", i).Scan(&got); err != nil || got != 2*i {
						t.Errorf("SELECT %d * 2 = %d, %v", i, got, err)
						return
					}
					_, err := s.write.ExecContext(t.Context(), `INSERT INTO hotspots (address, first_seen, last_seen)
						VALUES (?, 1, 1) ON CONFLICT DO NOTHING`, fmt.Sprint(g, i))
					if err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
	}
}

// TestCloseStmts checks that Close closes the cached statements.
func TestCloseStmts(t *testing.T) {
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "hexnet.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ListHotspots(t.Context()); err == nil {
		t.Fatal("ListHotspots succeeded before Migrate")
	}
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ListHotspots(t.Context()); err != nil {
		t.Fatal(err)
	}
	if s.read.size() != 1 {
		t.Fatalf("cache holds %d statements; want 1", s.read.size())
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if n := s.read.size() + s.write.size(); n != 0 {
		t.Errorf("after Close the caches hold %d statements", n)
	}
	if _, err := s.ListHotspots(t.Context()); err == nil {
		t.Error("ListHotspots succeeded after Close")
	}
}
