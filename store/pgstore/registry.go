package pgstore

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/oracle"
	"github.com/hexnet/hexnet/store"
	"github.com/hexnet/hexnet/store/internal/batch"
)

// onboardedQuery selects hotspots with their current location (the one of
// the highest nonce), or NULLs when none was asserted.
const onboardedQuery = `SELECT h.address, h.owner, h.onboarded_at, h.envelope, h.denied,
		l.nonce, l.cell, l.gain_dbi_x10, l.elevation_m, l.region, l.asserted_at, l.envelope AS location_envelope
	FROM onboarded_hotspots h
	LEFT JOIN hotspot_locations l ON l.hotspot = h.address
		AND l.nonce = (SELECT max(nonce) FROM hotspot_locations WHERE hotspot = h.address)`

const locationColumns = `hotspot, nonce, cell, gain_dbi_x10, elevation_m, region, asserted_at, envelope`

// Onboard registers a hotspot; store.ErrConflict if it is registered.
// h.Location is not stored.
func (s *Store) Onboard(ctx context.Context, h oracle.HotspotInfo) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO onboarded_hotspots (address, owner, onboarded_at, envelope, denied)
		VALUES ($1, $2, $3, $4, $5)`,
		string(h.Address), string(h.Owner), ts(h.OnboardedAt), blob(h.Envelope), h.Denied)
	if err != nil {
		return fmt.Errorf("onboard hotspot %s: %w", h.Address, mapErr(err))
	}
	return nil
}

// AssertLocation appends to the hotspot's history; store.ErrNotFound unless
// onboarded, store.ErrConflict unless the nonce is above the last one. The
// hotspot's row is locked, so concurrent assertions are judged in turn.
func (s *Store) AssertLocation(ctx context.Context, l oracle.Location) error {
	nonce, err := batch.Int64("nonce", l.Nonce)
	if err == nil {
		err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return assertLocation(ctx, tx, l, nonce) })
	}
	if err != nil {
		return fmt.Errorf("assert location %d of hotspot %s: %w", l.Nonce, l.Hotspot, mapErr(err))
	}
	return nil
}

func assertLocation(ctx context.Context, db DBTX, l oracle.Location, nonce int64) error {
	var last *int64
	err := db.QueryRow(ctx, `SELECT (SELECT max(nonce) FROM hotspot_locations WHERE hotspot = h.address)
		FROM onboarded_hotspots h WHERE h.address = $1 FOR UPDATE`, string(l.Hotspot)).Scan(&last)
	if err != nil {
		return mapErr(err)
	}
	if last != nil && nonce <= *last {
		return fmt.Errorf("%w: nonce %d is not above the last one, %d", store.ErrConflict, nonce, *last)
	}
	_, err = db.Exec(ctx, `INSERT INTO hotspot_locations (`+locationColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		string(l.Hotspot), nonce, int64(l.Cell), l.GainDBiX10, l.ElevationM, l.Region, ts(l.AssertedAt), blob(l.Envelope))
	return mapErr(err)
}

// GetHotspot returns an onboarded hotspot with its current location.
func (s *Store) GetHotspot(ctx context.Context, a identity.Address) (oracle.HotspotInfo, error) {
	rows, _ := s.pool.Query(ctx, onboardedQuery+` WHERE h.address = $1`, string(a))
	row, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[onboardedRow])
	if err != nil {
		return oracle.HotspotInfo{}, fmt.Errorf("get hotspot %s: %w", a, mapErr(err))
	}
	return row.hotspot(), nil
}

// ListOnboarded lists every onboarded hotspot by address.
func (s *Store) ListOnboarded(ctx context.Context) ([]oracle.HotspotInfo, error) {
	rows, _ := s.pool.Query(ctx, onboardedQuery+` ORDER BY h.address`)
	hs, err := collectAs(rows, onboardedRow.hotspot)
	if err != nil {
		return nil, fmt.Errorf("list onboarded hotspots: %w", mapErr(err))
	}
	return hs, nil
}

// LocationHistory lists a hotspot's locations by nonce.
func (s *Store) LocationHistory(ctx context.Context, a identity.Address) ([]oracle.Location, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+locationColumns+` FROM hotspot_locations
		WHERE hotspot = $1 ORDER BY nonce`, string(a))
	ls, err := collectAs(rows, locationRow.location)
	if err != nil {
		return nil, fmt.Errorf("location history of hotspot %s: %w", a, mapErr(err))
	}
	return ls, nil
}

// SetDenied sets the hotspot's denylist flag; store.ErrNotFound unless
// onboarded.
func (s *Store) SetDenied(ctx context.Context, a identity.Address, denied bool) error {
	tag, err := s.pool.Exec(ctx, `UPDATE onboarded_hotspots SET denied = $2 WHERE address = $1`, string(a), denied)
	if err == nil && tag.RowsAffected() == 0 {
		err = store.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("set denied=%t on hotspot %s: %w", denied, a, mapErr(err))
	}
	return nil
}
