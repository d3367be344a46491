package pgstore

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/router"
	"github.com/hexnet/hexnet/store/internal/batch"
)

// TouchHotspots records that the hotspots were heard at: a new hotspot gets
// first_seen = last_seen = at; a known one keeps the earliest first_seen and
// the latest last_seen, so out-of-order calls do no harm.
func (s *Store) TouchHotspots(ctx context.Context, at time.Time, addrs ...identity.Address) error {
	addrs = batch.Addresses(addrs)
	if len(addrs) == 0 {
		return nil
	}
	names := make([]string, len(addrs))
	for i, a := range addrs {
		names[i] = string(a)
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO hotspots (address, first_seen, last_seen)
		SELECT a, $2, $2 FROM unnest($1::text[]) AS a
		ON CONFLICT (address) DO UPDATE SET
			first_seen = least(hotspots.first_seen, excluded.first_seen),
			last_seen = greatest(hotspots.last_seen, excluded.last_seen)`, names, ts(at))
	if err != nil {
		return fmt.Errorf("touch %d hotspots: %w", len(addrs), mapErr(err))
	}
	return nil
}

// ListHotspots lists every hotspot heard, by address.
func (s *Store) ListHotspots(ctx context.Context) ([]router.Hotspot, error) {
	rows, _ := s.pool.Query(ctx, `SELECT address, first_seen, last_seen FROM hotspots ORDER BY address`)
	rs, err := pgx.CollectRows(rows, pgx.RowToStructByName[hotspotRow])
	if err != nil {
		return nil, fmt.Errorf("list hotspots: %w", mapErr(err))
	}
	out := make([]router.Hotspot, len(rs))
	for i, r := range rs {
		out[i] = r.hotspot()
	}
	return out, nil
}
