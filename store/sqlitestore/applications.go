package sqlitestore

import (
	"context"
	"fmt"

	"github.com/hexnet/hexnet/router"
	"github.com/hexnet/hexnet/store"
)

const applicationColumns = `id, organisation, name, created_at, webhook_url, webhook_secret, codec`

// CreateApplication registers an application; store.ErrNotFound if its
// organisation is missing, store.ErrConflict if its ID exists.
func (s *Store) CreateApplication(ctx context.Context, a router.Application) error {
	_, err := s.write.ExecContext(ctx, `INSERT INTO applications (`+applicationColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		a.ID, a.Organisation, a.Name, micros(a.CreatedAt), a.WebhookURL, a.WebhookSecret, a.Codec)
	if err != nil {
		return fmt.Errorf("create application %s: %w", a.ID, mapErr(err))
	}
	return nil
}

// GetApplication returns an application.
func (s *Store) GetApplication(ctx context.Context, id string) (router.Application, error) {
	row := s.read.QueryRowContext(ctx, `SELECT `+applicationColumns+` FROM applications WHERE id = ?`, id)
	a, err := scanApplication(row)
	if err != nil {
		return router.Application{}, fmt.Errorf("get application %s: %w", id, mapErr(err))
	}
	return a, nil
}

// ListApplications lists an organisation's applications by ID; an empty
// organisation lists every application.
func (s *Store) ListApplications(ctx context.Context, organisation string) ([]router.Application, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+applicationColumns+` FROM applications
		WHERE ?1 = '' OR organisation = ?1 ORDER BY id`, organisation)
	as, err := collect(rows, err, scanApplication)
	if err != nil {
		return nil, fmt.Errorf("list applications of organisation %q: %w", organisation, mapErr(err))
	}
	return as, nil
}

// DeleteApplication removes an application; store.ErrConflict while
// devices belong to it.
func (s *Store) DeleteApplication(ctx context.Context, id string) error {
	err := s.inTx(ctx, func(tx *txStmts) error {
		var devices int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM devices WHERE application = ?`, id).Scan(&devices); err != nil {
			return err
		}
		if devices > 0 {
			return fmt.Errorf("%w: %d device(s) still belong to it; delete them first", store.ErrConflict, devices)
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM applications WHERE id = ?`, id)
		if err != nil {
			return err
		}
		return expectRows(res)
	})
	if err != nil {
		return fmt.Errorf("delete application %s: %w", id, mapErr(err))
	}
	return nil
}

func scanApplication(sc scanner) (router.Application, error) {
	var a router.Application
	var created int64
	err := sc.Scan(&a.ID, &a.Organisation, &a.Name, &created, &a.WebhookURL, &a.WebhookSecret, &a.Codec)
	a.CreatedAt = fromMicros(created)
	return a, err
}
