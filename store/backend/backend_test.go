package backend_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hexnet/hexnet/oracle"
	"github.com/hexnet/hexnet/store"
	"github.com/hexnet/hexnet/store/backend"
	"github.com/hexnet/hexnet/store/pgstore"
	"github.com/hexnet/hexnet/store/pgstore/pgtest"
	"github.com/hexnet/hexnet/store/sqlitestore"
)

// use opens url, migrates, and does one write and one read.
func use(t *testing.T, url string) backend.Backend {
	t.Helper()
	b, err := backend.Open(t.Context(), url)
	if err != nil {
		t.Fatalf("Open(%q): %v", url, err)
	}
	t.Cleanup(func() { b.Close() })
	if err := b.Migrate(t.Context()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	if err := b.TouchHotspots(t.Context(), time.Now(), "hotspot"); err != nil {
		t.Fatalf("TouchHotspots: %v", err)
	}
	if hs, err := b.ListHotspots(t.Context()); err != nil || len(hs) != 1 {
		t.Fatalf("ListHotspots = %v, %v; want one hotspot", hs, err)
	}
	// A second use of the same database finds the epoch there.
	if err := b.OpenEpoch(t.Context(), oracle.Epoch{Number: 1}); err != nil && !errors.Is(err, store.ErrConflict) {
		t.Fatalf("OpenEpoch: %v", err)
	}
	if es, err := b.ListEpochs(t.Context()); err != nil || len(es) != 1 {
		t.Fatalf("ListEpochs = %v, %v; want one epoch", es, err)
	}
	return b
}

func TestOpenSQLite(t *testing.T) {
	tests := []struct{ name, url string }{
		{"file", "sqlite://" + filepath.Join(t.TempDir(), "hexnet.db")},
		{"memory", "sqlite::memory:"},
		{"memory path", "sqlite://:memory:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, ok := use(t, tt.url).(*sqlitestore.Store); !ok {
				t.Errorf("Open(%q) is not a SQLite store", tt.url)
			}
		})
	}
}

func TestOpenPostgres(t *testing.T) {
	url := pgtest.Schema(t)
	for _, u := range []string{url, "postgresql" + strings.TrimPrefix(url, "postgres")} {
		if _, ok := use(t, u).(*pgstore.Store); !ok {
			t.Errorf("Open(%q) is not a PostgreSQL store", u)
		}
	}
}

func TestOpenBadURL(t *testing.T) {
	for _, url := range []string{"", "mysql://root@localhost/hexnet", "/var/lib/hexnet.db", "sqlite:hexnet.db"} {
		_, err := backend.Open(t.Context(), url)
		if err == nil {
			t.Errorf("Open(%q) succeeded", url)
			continue
		}
		// The message is for the user: it must name the forms that work.
		if msg := err.Error(); !strings.Contains(msg, "postgres://") || !strings.Contains(msg, "sqlite://") {
			t.Errorf("Open(%q) error %q does not name the expected URL forms", url, msg)
		}
	}
}
