package sqlitestore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/oracle"
	"github.com/hexnet/hexnet/store/internal/batch"
)

// SaveRewardTx inserts or updates the transaction at (epoch, index). The
// INSERT selects from the epoch's row only when the epoch is not open, so
// nothing is written for an open or missing epoch.
func (s *Store) SaveRewardTx(ctx context.Context, tx oracle.RewardTx) error {
	err := s.inTx(ctx, func(sqlTx *txStmts) error { return saveRewardTx(ctx, sqlTx, tx) })
	if err != nil {
		return fmt.Errorf("save reward transaction %d of epoch %d: %w", tx.Index, tx.Epoch, mapErr(err))
	}
	return nil
}

func saveRewardTx(ctx context.Context, db *txStmts, tx oracle.RewardTx) error {
	n, err := batch.Int64("epoch", tx.Epoch)
	if err != nil {
		return err
	}
	height, err := batch.Int64("last valid block height", tx.LastValidBlockHeight)
	if err != nil {
		return err
	}
	entries, err := addressJSON(tx.Entries)
	if err != nil {
		return err
	}
	res, err := db.ExecContext(ctx, `INSERT INTO reward_txs (`+rewardTxColumns+`)
		SELECT number, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10 FROM epochs WHERE number = ?1 AND status <> 'open'
		ON CONFLICT (epoch, idx) DO UPDATE SET
			attempt = excluded.attempt,
			signature = excluded.signature,
			raw = excluded.raw,
			last_valid_block_height = excluded.last_valid_block_height,
			entries = excluded.entries,
			status = excluded.status,
			err = excluded.err,
			updated_at = excluded.updated_at`,
		n, tx.Index, tx.Attempt, tx.Signature, blob(tx.Raw), height, entries,
		string(tx.Status), tx.Err, micros(tx.UpdatedAt))
	if err != nil {
		return err
	}
	if m, err := res.RowsAffected(); err != nil || m == 0 {
		return errors.Join(err, transitionErr(ctx, db, n, oracle.EpochClosed))
	}
	return nil
}

// RewardTxsOfEpoch lists an epoch's reward transactions by index.
func (s *Store) RewardTxsOfEpoch(ctx context.Context, epoch uint64) ([]oracle.RewardTx, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+rewardTxColumns+` FROM reward_txs WHERE epoch = ? ORDER BY idx`, int64(epoch))
	txs, err := collect(rows, err, scanRewardTx)
	if err != nil {
		return nil, fmt.Errorf("reward transactions of epoch %d: %w", epoch, mapErr(err))
	}
	return txs, nil
}

// addressJSON is how entries are stored: a JSON array of strings, [] when
// there are none.
func addressJSON(as []identity.Address) (string, error) {
	if as == nil {
		as = []identity.Address{}
	}
	b, err := json.Marshal(as)
	return string(b), err
}
