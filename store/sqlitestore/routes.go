package sqlitestore

import (
	"context"
	"fmt"

	"github.com/hexnet/hexnet/router"
	"github.com/hexnet/hexnet/store/internal/routecodec"
)

const routeColumns = `id, organisation, net_id, devaddr_ranges, eui_pairs, max_copies, destination, gwmp_address, created_at`

// CreateRoute stores a route; store.ErrNotFound if its organisation is
// missing, store.ErrConflict if its ID exists.
func (s *Store) CreateRoute(ctx context.Context, r router.Route) error {
	ranges, pairs, err := routecodec.Encode(r)
	if err == nil {
		_, err = s.write.ExecContext(ctx, `INSERT INTO routes (`+routeColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.ID, r.Organisation, r.NetID[:], string(ranges), string(pairs), r.MaxCopies, r.Destination, r.GWMPAddress, micros(r.CreatedAt))
	}
	if err != nil {
		return fmt.Errorf("create route %s: %w", r.ID, mapErr(err))
	}
	return nil
}

// GetRoute returns a route.
func (s *Store) GetRoute(ctx context.Context, id string) (router.Route, error) {
	row := s.read.QueryRowContext(ctx, `SELECT `+routeColumns+` FROM routes WHERE id = ?`, id)
	r, err := scanRoute(row)
	if err != nil {
		return router.Route{}, fmt.Errorf("get route %s: %w", id, mapErr(err))
	}
	return r, nil
}

// ListRoutes lists an organisation's routes by ID; an empty organisation
// lists every route.
func (s *Store) ListRoutes(ctx context.Context, organisation string) ([]router.Route, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+routeColumns+` FROM routes
		WHERE ?1 = '' OR organisation = ?1 ORDER BY id`, organisation)
	rs, err := collect(rows, err, scanRoute)
	if err != nil {
		return nil, fmt.Errorf("list routes of organisation %q: %w", organisation, mapErr(err))
	}
	return rs, nil
}

// DeleteRoute removes a route; store.ErrNotFound if there is none.
func (s *Store) DeleteRoute(ctx context.Context, id string) error {
	res, err := s.write.ExecContext(ctx, `DELETE FROM routes WHERE id = ?`, id)
	if err == nil {
		err = expectRows(res)
	}
	if err != nil {
		return fmt.Errorf("delete route %s: %w", id, mapErr(err))
	}
	return nil
}

// routeRow is a row of routes.
type routeRow struct {
	ID, Organisation        string
	NetID                   []byte
	Ranges, Pairs           string
	MaxCopies               int
	Destination, GWMPAddres string
	CreatedAt               int64
}

func scanRoute(sc scanner) (router.Route, error) {
	var w routeRow
	err := sc.Scan(&w.ID, &w.Organisation, &w.NetID, &w.Ranges, &w.Pairs, &w.MaxCopies, &w.Destination, &w.GWMPAddres, &w.CreatedAt)
	if err != nil {
		return router.Route{}, err
	}
	r := router.Route{ID: w.ID, Organisation: w.Organisation, MaxCopies: w.MaxCopies,
		Destination: w.Destination, GWMPAddress: w.GWMPAddres, CreatedAt: fromMicros(w.CreatedAt)}
	copy(r.NetID[:], w.NetID)
	return r, routecodec.Decode([]byte(w.Ranges), []byte(w.Pairs), &r)
}
