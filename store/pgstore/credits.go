package pgstore

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hexnet/hexnet/router"
)

// AddCredits adds dc > 0 to an organisation's balance and records the
// funding; store.ErrNotFound if the organisation is missing.
func (s *Store) AddCredits(ctx context.Context, organisation string, dc int64, at time.Time) (int64, error) {
	if dc <= 0 {
		return 0, fmt.Errorf("add %d DC to organisation %s: the amount must be positive", dc, organisation)
	}
	var balance int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `UPDATE organisations SET balance_dc = balance_dc + $1 WHERE id = $2
			RETURNING balance_dc`, dc, organisation).Scan(&balance)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO credit_entries (organisation, amount_dc, at) VALUES ($1, $2, $3)`,
			organisation, dc, ts(at))
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("add %d DC to organisation %s: %w", dc, organisation, mapErr(err))
	}
	return balance, nil
}

// SpendCredits charges dc for a frame if the balance covers it; a frame
// charged before is not charged again. The organisation's row is locked
// for the transaction, so concurrent charges serialise.
func (s *Store) SpendCredits(ctx context.Context, organisation string, dc int64, frame [16]byte, at time.Time) (int64, error) {
	if dc < 0 {
		return 0, fmt.Errorf("spend %d DC of organisation %s: the amount is negative", dc, organisation)
	}
	var balance int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) (err error) {
		balance, err = spend(ctx, tx, organisation, dc, frame, at)
		return err
	})
	if err != nil {
		return balance, fmt.Errorf("spend %d DC of organisation %s for frame %x: %w", dc, organisation, frame, mapErr(err))
	}
	return balance, nil
}

func spend(ctx context.Context, tx pgx.Tx, organisation string, dc int64, frame [16]byte, at time.Time) (int64, error) {
	var balance int64
	err := tx.QueryRow(ctx, `SELECT balance_dc FROM organisations WHERE id = $1 FOR UPDATE`, organisation).Scan(&balance)
	if err != nil {
		return 0, err
	}
	tag, err := tx.Exec(ctx, `INSERT INTO credit_entries (organisation, amount_dc, frame_id, at)
		VALUES ($1, $2, $3, $4) ON CONFLICT (organisation, frame_id) DO NOTHING`, organisation, -dc, frame[:], ts(at))
	if err != nil || tag.RowsAffected() == 0 {
		return balance, err // 0 rows: charged before
	}
	if balance < dc {
		return balance, router.ErrNoCredits
	}
	_, err = tx.Exec(ctx, `UPDATE organisations SET balance_dc = balance_dc - $1 WHERE id = $2`, dc, organisation)
	return balance - dc, err
}

// creditEntryRow is a row of credit_entries.
type creditEntryRow struct {
	Organisation string    `db:"organisation"`
	AmountDC     int64     `db:"amount_dc"`
	FrameID      []byte    `db:"frame_id"`
	At           time.Time `db:"at"`
}

// ListCreditEntries lists an organisation's newest limit balance changes,
// newest first.
func (s *Store) ListCreditEntries(ctx context.Context, organisation string, limit int) ([]router.CreditEntry, error) {
	rows, _ := s.pool.Query(ctx, `SELECT organisation, amount_dc, frame_id, at FROM credit_entries
		WHERE organisation = $1 ORDER BY seq DESC LIMIT $2`, organisation, limit)
	rs, err := pgx.CollectRows(rows, pgx.RowToStructByName[creditEntryRow])
	if err != nil {
		return nil, fmt.Errorf("list credit entries of organisation %s: %w", organisation, mapErr(err))
	}
	out := make([]router.CreditEntry, len(rs))
	for i, r := range rs {
		out[i] = router.CreditEntry{Organisation: r.Organisation, AmountDC: r.AmountDC, At: r.At.UTC()}
		copy(out[i].Frame[:], r.FrameID)
	}
	return out, nil
}
