package pgstore

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hexnet/hexnet/router"
	"github.com/hexnet/hexnet/store"
)

const apiKeyColumns = `id, organisation, secret_hash, created_at`

// apiKeyRow is a row of api_keys.
type apiKeyRow struct {
	ID           string    `db:"id"`
	Organisation string    `db:"organisation"`
	SecretHash   []byte    `db:"secret_hash"`
	CreatedAt    time.Time `db:"created_at"`
}

func (w apiKeyRow) apiKey() router.APIKey {
	k := router.APIKey{ID: w.ID, Organisation: w.Organisation, CreatedAt: w.CreatedAt.UTC()}
	copy(k.SecretHash[:], w.SecretHash)
	return k
}

// CreateAPIKey stores an organisation's API key; store.ErrNotFound if the
// organisation is missing, store.ErrConflict if the ID exists.
func (s *Store) CreateAPIKey(ctx context.Context, k router.APIKey) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO api_keys (`+apiKeyColumns+`) VALUES ($1, $2, $3, $4)`,
		k.ID, k.Organisation, k.SecretHash[:], ts(k.CreatedAt))
	if err != nil {
		return fmt.Errorf("create API key %s: %w", k.ID, mapErr(err))
	}
	return nil
}

// GetAPIKey returns an API key by ID.
func (s *Store) GetAPIKey(ctx context.Context, id string) (router.APIKey, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE id = $1`, id)
	w, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[apiKeyRow])
	if err != nil {
		return router.APIKey{}, fmt.Errorf("get API key %s: %w", id, mapErr(err))
	}
	return w.apiKey(), nil
}

// ListAPIKeys lists an organisation's API keys by ID.
func (s *Store) ListAPIKeys(ctx context.Context, organisation string) ([]router.APIKey, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE organisation = $1 ORDER BY id`, organisation)
	ws, err := pgx.CollectRows(rows, pgx.RowToStructByName[apiKeyRow])
	if err != nil {
		return nil, fmt.Errorf("list API keys of organisation %s: %w", organisation, mapErr(err))
	}
	out := make([]router.APIKey, len(ws))
	for i, w := range ws {
		out[i] = w.apiKey()
	}
	return out, nil
}

// DeleteAPIKey revokes an organisation's API key; store.ErrNotFound if the
// organisation has no key of that ID.
func (s *Store) DeleteAPIKey(ctx context.Context, organisation, id string) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM api_keys WHERE organisation = $1 AND id = $2`, organisation, id)
	if err == nil && tag.RowsAffected() == 0 {
		err = store.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("delete API key %s of organisation %s: %w", id, organisation, mapErr(err))
	}
	return nil
}
