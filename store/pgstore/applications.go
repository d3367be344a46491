package pgstore

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hexnet/hexnet/router"
	"github.com/hexnet/hexnet/store"
)

const applicationColumns = `id, organisation, name, created_at, webhook_url, webhook_secret, codec`

// applicationRow is a row of applications.
type applicationRow struct {
	ID            string    `db:"id"`
	Organisation  string    `db:"organisation"`
	Name          string    `db:"name"`
	CreatedAt     time.Time `db:"created_at"`
	WebhookURL    string    `db:"webhook_url"`
	WebhookSecret string    `db:"webhook_secret"`
	Codec         string    `db:"codec"`
}

func (r applicationRow) application() router.Application {
	return router.Application{ID: r.ID, Organisation: r.Organisation, Name: r.Name, CreatedAt: r.CreatedAt.UTC(),
		WebhookURL: r.WebhookURL, WebhookSecret: r.WebhookSecret, Codec: r.Codec}
}

// CreateApplication registers an application; store.ErrNotFound if its
// organisation is missing, store.ErrConflict if its ID exists.
func (s *Store) CreateApplication(ctx context.Context, a router.Application) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO applications (`+applicationColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		a.ID, a.Organisation, a.Name, ts(a.CreatedAt), a.WebhookURL, a.WebhookSecret, a.Codec)
	if err != nil {
		return fmt.Errorf("create application %s: %w", a.ID, mapErr(err))
	}
	return nil
}

// GetApplication returns an application.
func (s *Store) GetApplication(ctx context.Context, id string) (router.Application, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+applicationColumns+` FROM applications WHERE id = $1`, id)
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[applicationRow])
	if err != nil {
		return router.Application{}, fmt.Errorf("get application %s: %w", id, mapErr(err))
	}
	return r.application(), nil
}

// ListApplications lists an organisation's applications by ID; an empty
// organisation lists every application.
func (s *Store) ListApplications(ctx context.Context, organisation string) ([]router.Application, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+applicationColumns+` FROM applications
		WHERE $1 = '' OR organisation = $1 ORDER BY id`, organisation)
	rs, err := pgx.CollectRows(rows, pgx.RowToStructByName[applicationRow])
	if err != nil {
		return nil, fmt.Errorf("list applications of organisation %q: %w", organisation, mapErr(err))
	}
	out := make([]router.Application, len(rs))
	for i, r := range rs {
		out[i] = r.application()
	}
	return out, nil
}

// DeleteApplication removes an application; store.ErrConflict while
// devices belong to it.
func (s *Store) DeleteApplication(ctx context.Context, id string) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var locked string
		if err := tx.QueryRow(ctx, `SELECT id FROM applications WHERE id = $1 FOR UPDATE`, id).Scan(&locked); err != nil {
			return err
		}
		var devices int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM devices WHERE application = $1`, id).Scan(&devices); err != nil {
			return err
		}
		if devices > 0 {
			return fmt.Errorf("%w: %d device(s) still belong to it; delete them first", store.ErrConflict, devices)
		}
		_, err := tx.Exec(ctx, `DELETE FROM applications WHERE id = $1`, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete application %s: %w", id, mapErr(err))
	}
	return nil
}
