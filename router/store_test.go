package router_test

import (
	"context"
	"testing"

	"github.com/hexnet/hexnet/router"
	"github.com/hexnet/hexnet/store/sqlitestore"
)

// newTestStore returns a fresh, migrated in-memory SQLite store.
func newTestStore(t testing.TB) router.Store {
	t.Helper()
	ctx := context.Background()
	st, err := sqlitestore.Open(ctx, sqlitestore.Memory)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("migrate store: %v", err)
	}
	return st
}

func openStore(t *testing.T) router.Store { return newTestStore(t) }
