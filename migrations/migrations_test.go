package migrations_test

import (
	"database/sql"
	"io/fs"
	"testing"

	"github.com/google/go-cmp/cmp"
	_ "modernc.org/sqlite"

	"github.com/hexnet/hexnet/migrations"
	"github.com/hexnet/hexnet/store"
)

func names(t *testing.T, d store.Dialect) []string {
	t.Helper()
	fsys, err := migrations.FS(d)
	if err != nil {
		t.Fatalf("FS(%s): %v", d, err)
	}
	got, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// TestDialectsInStep checks that every migration exists for every dialect,
// so the stores cannot drift apart.
func TestDialectsInStep(t *testing.T) {
	pg, lite := names(t, store.Postgres), names(t, store.SQLite)
	if len(pg) == 0 {
		t.Fatal("no PostgreSQL migrations embedded")
	}
	if diff := cmp.Diff(pg, lite); diff != "" {
		t.Errorf("migration files differ between dialects (-postgres +sqlite):\n%s", diff)
	}
}

func TestUnknownDialect(t *testing.T) {
	if _, err := migrations.FS("mysql"); err == nil {
		t.Error("FS(mysql) succeeded")
	}
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := migrations.Up(t.Context(), db, "mysql"); err == nil {
		t.Error("Up(mysql) succeeded")
	}
}

// TestUpSQLite applies the SQLite migrations twice: the second run is a no-op.
func TestUpSQLite(t *testing.T) {
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for i := range 2 {
		if err := migrations.Up(t.Context(), db, store.SQLite); err != nil {
			t.Fatalf("Up #%d: %v", i+1, err)
		}
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'uplink_copies'`).Scan(&n); err != nil || n != 1 {
		t.Errorf("uplink_copies table: count %d, %v", n, err)
	}
}
