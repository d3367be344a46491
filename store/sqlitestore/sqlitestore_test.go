package sqlitestore_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/hexnet/hexnet/oracle"
	"github.com/hexnet/hexnet/router"
	"github.com/hexnet/hexnet/store/sqlitestore"
	"github.com/hexnet/hexnet/store/storetest"
)

// openTest returns a migrated store at path, closed when the test ends.
func openTest(t testing.TB, path string) *sqlitestore.Store {
	t.Helper()
	s, err := sqlitestore.Open(t.Context(), path)
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

func TestConformanceFile(t *testing.T) {
	storetest.Run(t, func(t *testing.T) router.Store {
		return openTest(t, filepath.Join(t.TempDir(), "hexnet.db"))
	})
}

func TestConformanceMemory(t *testing.T) {
	storetest.Run(t, func(t *testing.T) router.Store { return openTest(t, sqlitestore.Memory) })
}

func TestOracleConformanceFile(t *testing.T) {
	storetest.RunOracle(t, func(t *testing.T) oracle.Store {
		return openTest(t, filepath.Join(t.TempDir(), "hexnet.db"))
	})
}

func TestOracleConformanceMemory(t *testing.T) {
	storetest.RunOracle(t, func(t *testing.T) oracle.Store { return openTest(t, sqlitestore.Memory) })
}

func TestMigrateTwice(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "hexnet.db"))
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
}

// TestReopen checks that a file store keeps its rows across Close and Open.
func TestReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hexnet.db")
	s, err := sqlitestore.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := s.TouchHotspots(t.Context(), time.Now(), "hotspot"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	hs, err := openTest(t, path).ListHotspots(t.Context())
	if err != nil || len(hs) != 1 {
		t.Errorf("after reopening ListHotspots = %v, %v; want the one hotspot", hs, err)
	}
}

func TestOpenEmptyPath(t *testing.T) {
	if _, err := sqlitestore.Open(t.Context(), ""); err == nil {
		t.Error("Open(\"\") succeeded")
	}
}
