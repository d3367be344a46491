package sqlitestore

import (
	"context"
	"fmt"
	"time"

	"github.com/hexnet/hexnet/router"
)

// AddCredits adds dc > 0 to an organisation's balance and records the
// funding; store.ErrNotFound if the organisation is missing.
func (s *Store) AddCredits(ctx context.Context, organisation string, dc int64, at time.Time) (int64, error) {
	if dc <= 0 {
		return 0, fmt.Errorf("add %d DC to organisation %s: the amount must be positive", dc, organisation)
	}
	var balance int64
	err := s.inTx(ctx, func(tx *txStmts) error {
		err := tx.QueryRowContext(ctx, `UPDATE organisations SET balance_dc = balance_dc + ? WHERE id = ?
			RETURNING balance_dc`, dc, organisation).Scan(&balance)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO credit_entries (organisation, amount_dc, at) VALUES (?, ?, ?)`,
			organisation, dc, micros(at))
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("add %d DC to organisation %s: %w", dc, organisation, mapErr(err))
	}
	return balance, nil
}

// SpendCredits charges dc for a frame if the balance covers it; a frame
// charged before is not charged again.
func (s *Store) SpendCredits(ctx context.Context, organisation string, dc int64, frame [16]byte, at time.Time) (int64, error) {
	if dc < 0 {
		return 0, fmt.Errorf("spend %d DC of organisation %s: the amount is negative", dc, organisation)
	}
	var balance int64
	err := s.inTx(ctx, func(tx *txStmts) (err error) {
		balance, err = spend(ctx, tx, organisation, dc, frame, at)
		return err
	})
	if err != nil {
		return balance, fmt.Errorf("spend %d DC of organisation %s for frame %x: %w", dc, organisation, frame, mapErr(err))
	}
	return balance, nil
}

func spend(ctx context.Context, tx *txStmts, organisation string, dc int64, frame [16]byte, at time.Time) (int64, error) {
	var balance int64
	err := tx.QueryRowContext(ctx, `SELECT balance_dc FROM organisations WHERE id = ?`, organisation).Scan(&balance)
	if err != nil {
		return 0, err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO credit_entries (organisation, amount_dc, frame_id, at)
		VALUES (?, ?, ?, ?) ON CONFLICT (organisation, frame_id) DO NOTHING`, organisation, -dc, frame[:], micros(at))
	if err != nil {
		return 0, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return balance, err // charged before
	}
	if balance < dc {
		return balance, router.ErrNoCredits
	}
	_, err = tx.ExecContext(ctx, `UPDATE organisations SET balance_dc = balance_dc - ? WHERE id = ?`, dc, organisation)
	return balance - dc, err
}

// ListCreditEntries lists an organisation's newest limit balance changes,
// newest first.
func (s *Store) ListCreditEntries(ctx context.Context, organisation string, limit int) ([]router.CreditEntry, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT organisation, amount_dc, frame_id, at FROM credit_entries
		WHERE organisation = ? ORDER BY seq DESC LIMIT ?`, organisation, limit)
	es, err := collect(rows, err, scanCreditEntry)
	if err != nil {
		return nil, fmt.Errorf("list credit entries of organisation %s: %w", organisation, mapErr(err))
	}
	return es, nil
}

func scanCreditEntry(sc scanner) (router.CreditEntry, error) {
	var e router.CreditEntry
	var frame []byte
	var at int64
	err := sc.Scan(&e.Organisation, &e.AmountDC, &frame, &at)
	copy(e.Frame[:], frame)
	e.At = fromMicros(at)
	return e, err
}
