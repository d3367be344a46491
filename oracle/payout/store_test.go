package payout

import (
	"context"
	"testing"
	"time"

	"github.com/hexnet/hexnet/oracle"
	"github.com/hexnet/hexnet/store/sqlitestore"
)

// newStore is the oracle store the writer tests record into: the
// embedded SQLite store, in memory.
func newStore(t *testing.T) oracle.Store {
	t.Helper()
	ctx := context.Background()
	s, err := sqlitestore.Open(ctx, sqlitestore.Memory)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}

// close opens and closes the world's epoch in the store, as the oracle
// does, and takes the manifest back from it: Pay gets what was stored.
func (e *env) close(w world) world {
	e.t.Helper()
	ctx := context.Background()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(w.epoch.Number) * time.Minute)
	epoch := oracle.Epoch{Number: w.epoch.Number, Start: start, End: start.Add(time.Minute)}
	if err := e.store.OpenEpoch(ctx, epoch); err != nil {
		e.t.Fatal(err)
	}
	epoch.Root, epoch.Status, epoch.ClosedAt = w.epoch.Root, oracle.EpochClosed, epoch.End
	if err := e.store.CloseEpoch(ctx, epoch, w.entries, nil); err != nil {
		e.t.Fatal(err)
	}
	stored, err := e.store.GetEpoch(ctx, epoch.Number)
	if err != nil {
		e.t.Fatal(err)
	}
	entries, err := e.store.Manifest(ctx, epoch.Number)
	if err != nil {
		e.t.Fatal(err)
	}
	w.epoch, w.entries = stored, entries
	return w
}
