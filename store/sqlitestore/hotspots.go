package sqlitestore

import (
	"context"
	"errors"
	"fmt"
	"time"

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
	err := s.inTx(ctx, func(tx *txStmts) error { return touchHotspots(ctx, tx, micros(at), addrs) })
	if err != nil {
		return fmt.Errorf("touch %d hotspots: %w", len(addrs), mapErr(err))
	}
	return nil
}

func touchHotspots(ctx context.Context, tx *txStmts, at int64, addrs []identity.Address) (err error) {
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO hotspots (address, first_seen, last_seen) VALUES (?1, ?2, ?2)
		ON CONFLICT (address) DO UPDATE SET
			first_seen = min(first_seen, excluded.first_seen),
			last_seen = max(last_seen, excluded.last_seen)`)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, stmt.Close()) }()
	for _, a := range addrs {
		if _, err := stmt.ExecContext(ctx, string(a), at); err != nil {
			return fmt.Errorf("hotspot %s: %w", a, err)
		}
	}
	return nil
}

// ListHotspots lists every hotspot heard, by address.
func (s *Store) ListHotspots(ctx context.Context) ([]router.Hotspot, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT address, first_seen, last_seen FROM hotspots ORDER BY address`)
	out, err := collect(rows, err, scanHotspot)
	if err != nil {
		return nil, fmt.Errorf("list hotspots: %w", mapErr(err))
	}
	return out, nil
}
