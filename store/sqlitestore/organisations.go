package sqlitestore

import (
	"context"
	"fmt"

	"github.com/hexnet/hexnet/router"
	"github.com/hexnet/hexnet/store"
)

const organisationColumns = `id, name, balance_dc, created_at`

// CreateOrganisation registers an organisation with a zero balance;
// store.ErrConflict if its ID exists.
func (s *Store) CreateOrganisation(ctx context.Context, o router.Organisation) error {
	_, err := s.write.ExecContext(ctx, `INSERT INTO organisations (id, name, created_at) VALUES (?, ?, ?)`,
		o.ID, o.Name, micros(o.CreatedAt))
	if err != nil {
		return fmt.Errorf("create organisation %s: %w", o.ID, mapErr(err))
	}
	return nil
}

// GetOrganisation returns an organisation with its balance.
func (s *Store) GetOrganisation(ctx context.Context, id string) (router.Organisation, error) {
	row := s.read.QueryRowContext(ctx, `SELECT `+organisationColumns+` FROM organisations WHERE id = ?`, id)
	o, err := scanOrganisation(row)
	if err != nil {
		return router.Organisation{}, fmt.Errorf("get organisation %s: %w", id, mapErr(err))
	}
	return o, nil
}

// ListOrganisations lists every organisation by ID.
func (s *Store) ListOrganisations(ctx context.Context) ([]router.Organisation, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+organisationColumns+` FROM organisations ORDER BY id`)
	list, err := collect(rows, err, scanOrganisation)
	if err != nil {
		return nil, fmt.Errorf("list organisations: %w", mapErr(err))
	}
	return list, nil
}

// DeleteOrganisation removes an organisation and its credit entries;
// store.ErrConflict while it has applications or routes.
func (s *Store) DeleteOrganisation(ctx context.Context, id string) error {
	err := s.inTx(ctx, func(tx *txStmts) error {
		var owned int
		err := tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM applications WHERE organisation = ?1)
			+ (SELECT count(*) FROM routes WHERE organisation = ?1)`, id).Scan(&owned)
		if err != nil {
			return err
		}
		if owned > 0 {
			return fmt.Errorf("%w: it still has %d application(s) or route(s); delete them first", store.ErrConflict, owned)
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM organisations WHERE id = ?`, id)
		if err != nil {
			return err
		}
		return expectRows(res)
	})
	if err != nil {
		return fmt.Errorf("delete organisation %s: %w", id, mapErr(err))
	}
	return nil
}

func scanOrganisation(sc scanner) (router.Organisation, error) {
	var o router.Organisation
	var created int64
	err := sc.Scan(&o.ID, &o.Name, &o.BalanceDC, &created)
	o.CreatedAt = fromMicros(created)
	return o, err
}
