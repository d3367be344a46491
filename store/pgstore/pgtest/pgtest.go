// Package pgtest gives each test its own PostgreSQL schema in the machine's
// test database, so packages and tests run in parallel without seeing each
// other's rows. It is for tests only.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hexnet/hexnet/internal/testenv"
	"github.com/hexnet/hexnet/store/pgstore"
)

const timeout = 30 * time.Second

// Schema creates an empty schema with a random name, drops it when the test
// ends, and returns a URL whose connections use it as their search_path.
// It skips (or in CI fails) the test when PostgreSQL is not running.
func Schema(t testing.TB) string {
	t.Helper()
	base := testenv.Postgres(t)
	name := schemaName(t)
	exec(t, base, "CREATE SCHEMA "+name)
	t.Cleanup(func() { exec(t, base, "DROP SCHEMA "+name+" CASCADE") })
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + name
}

// Open returns a migrated store in a fresh schema, closed when the test ends.
func Open(t testing.TB) *pgstore.Store {
	t.Helper()
	url := Schema(t)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	s, err := pgstore.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}

func schemaName(t testing.TB) string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "test_" + hex.EncodeToString(b)
}

// exec runs one statement on its own connection.
func exec(t testing.TB, url, sql string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect to test database: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}
