package sqlitestore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/oracle"
	"github.com/hexnet/hexnet/store"
	"github.com/hexnet/hexnet/store/internal/batch"
)

// Onboard registers a hotspot; store.ErrConflict if it is registered.
// h.Location is not stored.
func (s *Store) Onboard(ctx context.Context, h oracle.HotspotInfo) error {
	_, err := s.write.ExecContext(ctx, `INSERT INTO onboarded_hotspots (address, owner, onboarded_at, envelope, denied)
		VALUES (?, ?, ?, ?, ?)`,
		string(h.Address), string(h.Owner), micros(h.OnboardedAt), blob(h.Envelope), h.Denied)
	if err != nil {
		return fmt.Errorf("onboard hotspot %s: %w", h.Address, mapErr(err))
	}
	return nil
}

// AssertLocation appends to the hotspot's history; store.ErrNotFound unless
// onboarded, store.ErrConflict unless the nonce is above the last one.
func (s *Store) AssertLocation(ctx context.Context, l oracle.Location) error {
	nonce, err := batch.Int64("nonce", l.Nonce)
	if err == nil {
		err = s.inTx(ctx, func(tx *txStmts) error { return assertLocation(ctx, tx, l, nonce) })
	}
	if err != nil {
		return fmt.Errorf("assert location %d of hotspot %s: %w", l.Nonce, l.Hotspot, mapErr(err))
	}
	return nil
}

func assertLocation(ctx context.Context, tx *txStmts, l oracle.Location, nonce int64) error {
	var last sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT (SELECT max(nonce) FROM hotspot_locations WHERE hotspot = h.address)
		FROM onboarded_hotspots h WHERE h.address = ?`, string(l.Hotspot)).Scan(&last)
	if err != nil {
		return mapErr(err)
	}
	if last.Valid && nonce <= last.Int64 {
		return fmt.Errorf("%w: nonce %d is not above the last one, %d", store.ErrConflict, nonce, last.Int64)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO hotspot_locations (`+locationColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		string(l.Hotspot), nonce, int64(l.Cell), l.GainDBiX10, l.ElevationM, l.Region, micros(l.AssertedAt), blob(l.Envelope))
	return mapErr(err)
}

// GetHotspot returns an onboarded hotspot with its current location.
func (s *Store) GetHotspot(ctx context.Context, a identity.Address) (oracle.HotspotInfo, error) {
	row := s.read.QueryRowContext(ctx, onboardedQuery+` WHERE h.address = ?`, string(a))
	h, err := scanOnboarded(row)
	if err != nil {
		return oracle.HotspotInfo{}, fmt.Errorf("get hotspot %s: %w", a, mapErr(err))
	}
	return h, nil
}

// ListOnboarded lists every onboarded hotspot by address.
func (s *Store) ListOnboarded(ctx context.Context) ([]oracle.HotspotInfo, error) {
	rows, err := s.read.QueryContext(ctx, onboardedQuery+` ORDER BY h.address`)
	hs, err := collect(rows, err, scanOnboarded)
	if err != nil {
		return nil, fmt.Errorf("list onboarded hotspots: %w", mapErr(err))
	}
	return hs, nil
}

// LocationHistory lists a hotspot's locations by nonce.
func (s *Store) LocationHistory(ctx context.Context, a identity.Address) ([]oracle.Location, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+locationColumns+` FROM hotspot_locations
		WHERE hotspot = ? ORDER BY nonce`, string(a))
	ls, err := collect(rows, err, scanLocation)
	if err != nil {
		return nil, fmt.Errorf("location history of hotspot %s: %w", a, mapErr(err))
	}
	return ls, nil
}

// SetDenied sets the hotspot's denylist flag; store.ErrNotFound unless
// onboarded.
func (s *Store) SetDenied(ctx context.Context, a identity.Address, denied bool) error {
	res, err := s.write.ExecContext(ctx, `UPDATE onboarded_hotspots SET denied = ? WHERE address = ?`, denied, string(a))
	if err == nil {
		err = expectRows(res)
	}
	if err != nil {
		return fmt.Errorf("set denied=%t on hotspot %s: %w", denied, a, mapErr(err))
	}
	return nil
}
