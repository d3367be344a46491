package pgstore

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hexnet/hexnet/router"
	"github.com/hexnet/hexnet/store"
)

const organisationColumns = `id, name, balance_dc, created_at`

// organisationRow is a row of organisations.
type organisationRow struct {
	ID        string    `db:"id"`
	Name      string    `db:"name"`
	BalanceDC int64     `db:"balance_dc"`
	CreatedAt time.Time `db:"created_at"`
}

func (r organisationRow) organisation() router.Organisation {
	return router.Organisation{ID: r.ID, Name: r.Name, BalanceDC: r.BalanceDC, CreatedAt: r.CreatedAt.UTC()}
}

// CreateOrganisation registers an organisation with a zero balance;
// store.ErrConflict if its ID exists.
func (s *Store) CreateOrganisation(ctx context.Context, o router.Organisation) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO organisations (id, name, created_at) VALUES ($1, $2, $3)`,
		o.ID, o.Name, ts(o.CreatedAt))
	if err != nil {
		return fmt.Errorf("create organisation %s: %w", o.ID, mapErr(err))
	}
	return nil
}

// GetOrganisation returns an organisation with its balance.
func (s *Store) GetOrganisation(ctx context.Context, id string) (router.Organisation, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+organisationColumns+` FROM organisations WHERE id = $1`, id)
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[organisationRow])
	if err != nil {
		return router.Organisation{}, fmt.Errorf("get organisation %s: %w", id, mapErr(err))
	}
	return r.organisation(), nil
}

// ListOrganisations lists every organisation by ID.
func (s *Store) ListOrganisations(ctx context.Context) ([]router.Organisation, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+organisationColumns+` FROM organisations ORDER BY id`)
	rs, err := pgx.CollectRows(rows, pgx.RowToStructByName[organisationRow])
	if err != nil {
		return nil, fmt.Errorf("list organisations: %w", mapErr(err))
	}
	out := make([]router.Organisation, len(rs))
	for i, r := range rs {
		out[i] = r.organisation()
	}
	return out, nil
}

// DeleteOrganisation removes an organisation and its credit entries;
// store.ErrConflict while it has applications or routes.
func (s *Store) DeleteOrganisation(ctx context.Context, id string) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// Lock the row so that no application or route is added meanwhile.
		var locked string
		if err := tx.QueryRow(ctx, `SELECT id FROM organisations WHERE id = $1 FOR UPDATE`, id).Scan(&locked); err != nil {
			return err
		}
		var owned int
		err := tx.QueryRow(ctx, `SELECT (SELECT count(*) FROM applications WHERE organisation = $1)
			+ (SELECT count(*) FROM routes WHERE organisation = $1)`, id).Scan(&owned)
		if err != nil {
			return err
		}
		if owned > 0 {
			return fmt.Errorf("%w: it still has %d application(s) or route(s); delete them first", store.ErrConflict, owned)
		}
		_, err = tx.Exec(ctx, `DELETE FROM organisations WHERE id = $1`, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete organisation %s: %w", id, mapErr(err))
	}
	return nil
}
