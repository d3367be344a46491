package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/hexnet/hexnet/clock"
	"github.com/hexnet/hexnet/mqttclient"
	"github.com/hexnet/hexnet/router"
	"github.com/hexnet/hexnet/store"
	"github.com/hexnet/hexnet/store/backend"
)

// routerSink is the system under test: a router with its own store and
// MQTT connection, its devices registered.
type routerSink struct {
	r       *router.Router
	db      backend.Backend
	reg     *prometheus.Registry
	cleanup func() error
}

// newRouterSink opens and migrates the store named by dbURL ("" for SQLite
// in a temporary directory), registers the fleet and builds the router with
// its default dedup window.
func newRouterSink(ctx context.Context, dbURL string, f *fleet, bus *mqttclient.Client) (*routerSink, error) {
	url, cleanup, err := benchDB(ctx, dbURL)
	if err != nil {
		return nil, err
	}
	s := &routerSink{reg: prometheus.NewRegistry(), cleanup: cleanup}
	if s.db, err = backend.Open(ctx, url); err != nil {
		return nil, errors.Join(err, cleanup())
	}
	if err := s.setup(ctx, f, bus); err != nil {
		return nil, errors.Join(err, s.Close())
	}
	return s, nil
}

func (s *routerSink) setup(ctx context.Context, f *fleet, bus *mqttclient.Client) error {
	if err := s.db.Migrate(ctx); err != nil {
		return err
	}
	if err := f.provision(ctx, s.db); err != nil {
		return err
	}
	r, err := router.New(router.Options{
		Store: s.db, Bus: bus, Clock: clock.Real{},
		Logger: logger("router"), Registerer: s.reg,
	})
	s.r = r
	return err
}

func (s *routerSink) Run(ctx context.Context) error { return s.r.Run(ctx) }

// problems lists the frames and copies the router dropped, by reason.
func (s *routerSink) problems() []string {
	var out []string
	for reason, n := range counters(s.reg, "hexnet_router_dropped_total", "reason") {
		out = append(out, fmt.Sprintf("router dropped %.0f (%s)", n, reason))
	}
	return out
}

func (s *routerSink) Close() error {
	var err error
	if s.db != nil {
		err = s.db.Close()
	}
	return errors.Join(err, s.cleanup())
}

// benchDB returns the store URL to use and how to remove it afterwards:
// SQLite in a new temporary directory by default, a new schema (dropped
// afterwards) in the given PostgreSQL database, or the SQLite file given.
func benchDB(ctx context.Context, dbURL string) (string, func() error, error) {
	if dbURL == "" {
		dir, err := os.MkdirTemp("", "hexnet-bench-")
		if err != nil {
			return "", nil, err
		}
		return "sqlite://" + filepath.Join(dir, "router.db"), func() error { return os.RemoveAll(dir) }, nil
	}
	dialect, _, err := store.ParseURL(dbURL)
	if err != nil {
		return "", nil, err
	}
	if dialect != store.Postgres {
		return dbURL, func() error { return nil }, nil
	}
	return pgSchema(ctx, dbURL)
}

// pgSchema creates a schema with a random name and returns a URL whose
// connections use it.
func pgSchema(ctx context.Context, base string) (string, func() error, error) {
	b := make([]byte, 6)
	rand.Read(b)
	name := "bench_" + hex.EncodeToString(b)
	if err := pgExec(ctx, base, "CREATE SCHEMA "+name); err != nil {
		return "", nil, err
	}
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	drop := func() error { return pgExec(context.Background(), base, "DROP SCHEMA "+name+" CASCADE") }
	return base + sep + "search_path=" + name, drop, nil
}

func pgExec(ctx context.Context, url, sql string) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		return fmt.Errorf("%s: %w", sql, err)
	}
	return nil
}
