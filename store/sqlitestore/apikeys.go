package sqlitestore

import (
	"context"
	"fmt"

	"github.com/hexnet/hexnet/router"
)

const apiKeyColumns = `id, organisation, secret_hash, created_at`

// CreateAPIKey stores an organisation's API key; store.ErrNotFound if the
// organisation is missing, store.ErrConflict if the ID exists.
func (s *Store) CreateAPIKey(ctx context.Context, k router.APIKey) error {
	_, err := s.write.ExecContext(ctx, `INSERT INTO api_keys (`+apiKeyColumns+`) VALUES (?, ?, ?, ?)`,
		k.ID, k.Organisation, k.SecretHash[:], micros(k.CreatedAt))
	if err != nil {
		return fmt.Errorf("create API key %s: %w", k.ID, mapErr(err))
	}
	return nil
}

// GetAPIKey returns an API key by ID.
func (s *Store) GetAPIKey(ctx context.Context, id string) (router.APIKey, error) {
	row := s.read.QueryRowContext(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE id = ?`, id)
	k, err := scanAPIKey(row)
	if err != nil {
		return router.APIKey{}, fmt.Errorf("get API key %s: %w", id, mapErr(err))
	}
	return k, nil
}

// ListAPIKeys lists an organisation's API keys by ID.
func (s *Store) ListAPIKeys(ctx context.Context, organisation string) ([]router.APIKey, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE organisation = ? ORDER BY id`, organisation)
	ks, err := collect(rows, err, scanAPIKey)
	if err != nil {
		return nil, fmt.Errorf("list API keys of organisation %s: %w", organisation, mapErr(err))
	}
	return ks, nil
}

// DeleteAPIKey revokes an organisation's API key; store.ErrNotFound if the
// organisation has no key of that ID.
func (s *Store) DeleteAPIKey(ctx context.Context, organisation, id string) error {
	res, err := s.write.ExecContext(ctx, `DELETE FROM api_keys WHERE organisation = ? AND id = ?`, organisation, id)
	if err == nil {
		err = expectRows(res)
	}
	if err != nil {
		return fmt.Errorf("delete API key %s of organisation %s: %w", id, organisation, mapErr(err))
	}
	return nil
}

// apiKeyRow is a row of api_keys.
type apiKeyRow struct {
	ID, Organisation string
	SecretHash       []byte
	CreatedAt        int64
}

func scanAPIKey(sc scanner) (router.APIKey, error) {
	var w apiKeyRow
	if err := sc.Scan(&w.ID, &w.Organisation, &w.SecretHash, &w.CreatedAt); err != nil {
		return router.APIKey{}, err
	}
	k := router.APIKey{ID: w.ID, Organisation: w.Organisation, CreatedAt: fromMicros(w.CreatedAt)}
	copy(k.SecretHash[:], w.SecretHash)
	return k, nil
}
