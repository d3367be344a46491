package pgstore_test

import (
	"testing"

	"github.com/hexnet/hexnet/internal/testenv"
	"github.com/hexnet/hexnet/oracle"
	"github.com/hexnet/hexnet/router"
	"github.com/hexnet/hexnet/store/pgstore"
	"github.com/hexnet/hexnet/store/pgstore/pgtest"
	"github.com/hexnet/hexnet/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) router.Store { return pgtest.Open(t) })
}

func TestOracleConformance(t *testing.T) {
	storetest.RunOracle(t, func(t *testing.T) oracle.Store { return pgtest.Open(t) })
}

func TestMigrateTwice(t *testing.T) {
	s := pgtest.Open(t)
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
}

// TestMigrateConcurrently starts several migrations of one schema at once,
// as router instances starting together would: all must succeed.
func TestMigrateConcurrently(t *testing.T) {
	url := pgtest.Schema(t)
	const n = 4
	errs := make(chan error, n)
	for range n {
		go func() { errs <- openAndMigrate(t, url) }()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

func openAndMigrate(t *testing.T, url string) error {
	s, err := pgstore.Open(t.Context(), url)
	if err != nil {
		return err
	}
	defer s.Close()
	return s.Migrate(t.Context())
}

func TestMigrateMissingSchema(t *testing.T) {
	url := testenv.Postgres(t) + "&search_path=hexnet_no_such_schema"
	if err := openAndMigrate(t, url); err == nil {
		t.Error("Migrate with a search_path naming no schema succeeded")
	}
}
