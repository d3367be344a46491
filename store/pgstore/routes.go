package pgstore

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hexnet/hexnet/router"
	"github.com/hexnet/hexnet/store"
	"github.com/hexnet/hexnet/store/internal/routecodec"
)

const routeColumns = `id, organisation, net_id, devaddr_ranges, eui_pairs, max_copies, destination, gwmp_address, created_at`

// routeRow is a row of routes.
type routeRow struct {
	ID            string    `db:"id"`
	Organisation  string    `db:"organisation"`
	NetID         []byte    `db:"net_id"`
	DevAddrRanges []byte    `db:"devaddr_ranges"`
	EUIPairs      []byte    `db:"eui_pairs"`
	MaxCopies     int32     `db:"max_copies"`
	Destination   string    `db:"destination"`
	GWMPAddress   string    `db:"gwmp_address"`
	CreatedAt     time.Time `db:"created_at"`
}

func (w routeRow) route() (router.Route, error) {
	r := router.Route{ID: w.ID, Organisation: w.Organisation, MaxCopies: int(w.MaxCopies),
		Destination: w.Destination, GWMPAddress: w.GWMPAddress, CreatedAt: w.CreatedAt.UTC()}
	copy(r.NetID[:], w.NetID)
	return r, routecodec.Decode(w.DevAddrRanges, w.EUIPairs, &r)
}

// CreateRoute stores a route; store.ErrNotFound if its organisation is
// missing, store.ErrConflict if its ID exists.
func (s *Store) CreateRoute(ctx context.Context, r router.Route) error {
	ranges, pairs, err := routecodec.Encode(r)
	if err == nil {
		_, err = s.pool.Exec(ctx, `INSERT INTO routes (`+routeColumns+`)
			VALUES ($1, $2, $3, $4::text::jsonb, $5::text::jsonb, $6, $7, $8, $9)`,
			r.ID, r.Organisation, r.NetID[:], string(ranges), string(pairs), r.MaxCopies, r.Destination, r.GWMPAddress, ts(r.CreatedAt))
	}
	if err != nil {
		return fmt.Errorf("create route %s: %w", r.ID, mapErr(err))
	}
	return nil
}

// GetRoute returns a route.
func (s *Store) GetRoute(ctx context.Context, id string) (router.Route, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+routeSelect+` FROM routes WHERE id = $1`, id)
	w, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[routeRow])
	if err != nil {
		return router.Route{}, fmt.Errorf("get route %s: %w", id, mapErr(err))
	}
	return w.route()
}

// routeSelect reads the JSON columns as text.
const routeSelect = `id, organisation, net_id, devaddr_ranges::text AS devaddr_ranges, eui_pairs::text AS eui_pairs,
	max_copies, destination, gwmp_address, created_at`

// ListRoutes lists an organisation's routes by ID; an empty organisation
// lists every route.
func (s *Store) ListRoutes(ctx context.Context, organisation string) ([]router.Route, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+routeSelect+` FROM routes
		WHERE $1 = '' OR organisation = $1 ORDER BY id`, organisation)
	ws, err := pgx.CollectRows(rows, pgx.RowToStructByName[routeRow])
	if err != nil {
		return nil, fmt.Errorf("list routes of organisation %q: %w", organisation, mapErr(err))
	}
	out := make([]router.Route, len(ws))
	for i, w := range ws {
		if out[i], err = w.route(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// DeleteRoute removes a route; store.ErrNotFound if there is none.
func (s *Store) DeleteRoute(ctx context.Context, id string) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM routes WHERE id = $1`, id)
	if err == nil && tag.RowsAffected() == 0 {
		err = store.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("delete route %s: %w", id, mapErr(err))
	}
	return nil
}
