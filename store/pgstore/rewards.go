package pgstore

import (
	"context"
	"fmt"

	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/oracle"
	"github.com/hexnet/hexnet/store/internal/batch"
)

const rewardTxColumns = `epoch, idx, attempt, signature, raw, last_valid_block_height, entries, status, err, updated_at`

// SaveRewardTx inserts or updates the transaction at (epoch, index). The
// INSERT selects from the epoch's row only when the epoch is not open, so
// nothing is written for an open or missing epoch.
func (s *Store) SaveRewardTx(ctx context.Context, tx oracle.RewardTx) error {
	if err := saveRewardTx(ctx, s.pool, tx); err != nil {
		return fmt.Errorf("save reward transaction %d of epoch %d: %w", tx.Index, tx.Epoch, mapErr(err))
	}
	return nil
}

func saveRewardTx(ctx context.Context, db DBTX, tx oracle.RewardTx) error {
	n, err := batch.Int64("epoch", tx.Epoch)
	if err != nil {
		return err
	}
	height, err := batch.Int64("last valid block height", tx.LastValidBlockHeight)
	if err != nil {
		return err
	}
	tag, err := db.Exec(ctx, `INSERT INTO reward_txs (`+rewardTxColumns+`)
		SELECT number, $2, $3, $4, $5, $6, $7, $8, $9, $10 FROM epochs WHERE number = $1 AND status <> 'open'
		ON CONFLICT (epoch, idx) DO UPDATE SET
			attempt = excluded.attempt,
			signature = excluded.signature,
			raw = excluded.raw,
			last_valid_block_height = excluded.last_valid_block_height,
			entries = excluded.entries,
			status = excluded.status,
			err = excluded.err,
			updated_at = excluded.updated_at`,
		n, tx.Index, tx.Attempt, tx.Signature, blob(tx.Raw), height, addressStrings(tx.Entries),
		string(tx.Status), tx.Err, ts(tx.UpdatedAt))
	if err == nil && tag.RowsAffected() == 0 {
		err = transitionErr(ctx, db, n, oracle.EpochClosed)
	}
	return err
}

// RewardTxsOfEpoch lists an epoch's reward transactions by index.
func (s *Store) RewardTxsOfEpoch(ctx context.Context, epoch uint64) ([]oracle.RewardTx, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+rewardTxColumns+` FROM reward_txs WHERE epoch = $1 ORDER BY idx`, int64(epoch))
	txs, err := collectAs(rows, rewardTxRow.tx)
	if err != nil {
		return nil, fmt.Errorf("reward transactions of epoch %d: %w", epoch, mapErr(err))
	}
	return txs, nil
}

// addressStrings gives the text[] of addresses; never nil, which pgx
// would write as NULL.
func addressStrings(as []identity.Address) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = string(a)
	}
	return out
}
