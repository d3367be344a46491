package pgstore

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/hexnet/hexnet/oracle"
	"github.com/hexnet/hexnet/store"
	"github.com/hexnet/hexnet/store/internal/batch"
)

const epochColumns = `number, start_at, end_at, status, root, closed_at`

var (
	manifestColumns = []string{"epoch", "hotspot", "owner", "beacon", "witness", "data", "total"}
	verdictCopy     = []string{"report_id", "epoch", "kind", "hotspot", "beacon_id", "valid", "selected", "reason", "detail"}
)

// OpenEpoch records a new open epoch; store.ErrConflict if it exists.
func (s *Store) OpenEpoch(ctx context.Context, e oracle.Epoch) error {
	n, err := batch.Int64("epoch", e.Number)
	if err == nil {
		_, err = s.pool.Exec(ctx, `INSERT INTO epochs (`+epochColumns+`) VALUES ($1, $2, $3, 'open', '', NULL)`,
			n, ts(e.Start), ts(e.End))
	}
	if err != nil {
		return fmt.Errorf("open epoch %d: %w", e.Number, mapErr(err))
	}
	return nil
}

// GetEpoch returns an epoch; store.ErrNotFound if there is none.
func (s *Store) GetEpoch(ctx context.Context, n uint64) (oracle.Epoch, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+epochColumns+` FROM epochs WHERE number = $1`, int64(n))
	row, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[epochRow])
	if err != nil {
		return oracle.Epoch{}, fmt.Errorf("get epoch %d: %w", n, mapErr(err))
	}
	return row.epoch(), nil
}

// ListEpochs lists every epoch by number.
func (s *Store) ListEpochs(ctx context.Context) ([]oracle.Epoch, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+epochColumns+` FROM epochs ORDER BY number`)
	es, err := collectAs(rows, epochRow.epoch)
	if err != nil {
		return nil, fmt.Errorf("list epochs: %w", mapErr(err))
	}
	return es, nil
}

// CloseEpoch fixes the epoch's root, manifest and verdicts in one
// transaction. The status update comes first: it locks the epoch's row, so
// a concurrent close waits, then finds the epoch closed.
func (s *Store) CloseEpoch(ctx context.Context, e oracle.Epoch, manifest []oracle.ManifestEntry, verdicts []oracle.Verdict) error {
	err := batch.Close(e, manifest, verdicts)
	if err == nil {
		err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return closeEpoch(ctx, tx, e, manifest, verdicts) })
	}
	if err != nil {
		return fmt.Errorf("close epoch %d: %w", e.Number, mapErr(err))
	}
	return nil
}

// closeEpoch expects input checked by batch.Close.
func closeEpoch(ctx context.Context, db DBTX, e oracle.Epoch, manifest []oracle.ManifestEntry, verdicts []oracle.Verdict) error {
	n := int64(e.Number)
	tag, err := db.Exec(ctx, `UPDATE epochs SET status = 'closed', root = $2, closed_at = $3
		WHERE number = $1 AND status = 'open'`, n, blob(e.Root), nullTS(e.ClosedAt))
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return transitionErr(ctx, db, n, oracle.EpochOpen)
	}
	if _, err := db.CopyFrom(ctx, pgx.Identifier{"manifest_entries"}, manifestColumns, manifestRows(n, manifest)); err != nil {
		return fmt.Errorf("copy %d manifest entries: %w", len(manifest), err)
	}
	if _, err := db.CopyFrom(ctx, pgx.Identifier{"verdicts"}, verdictCopy, verdictRows(verdicts)); err != nil {
		return fmt.Errorf("copy %d verdicts: %w", len(verdicts), err)
	}
	return nil
}

func manifestRows(n int64, manifest []oracle.ManifestEntry) pgx.CopyFromSource {
	return pgx.CopyFromSlice(len(manifest), func(i int) ([]any, error) {
		m := &manifest[i]
		return []any{n, string(m.Hotspot), string(m.Owner),
			int64(m.Beacon), int64(m.Witness), int64(m.Data), int64(m.Total)}, nil
	})
}

func verdictRows(verdicts []oracle.Verdict) pgx.CopyFromSource {
	return pgx.CopyFromSlice(len(verdicts), func(i int) ([]any, error) {
		v := &verdicts[i]
		return []any{v.ReportID[:], int64(v.Epoch), string(v.Kind), string(v.Hotspot), v.BeaconID[:],
			v.Valid, v.Selected, v.Reason, v.Detail}, nil
	})
}

// transitionErr tells why epoch n did not move from status from:
// store.ErrNotFound if it is not stored, else store.ErrConflict naming
// where it is.
func transitionErr(ctx context.Context, db DBTX, n int64, from oracle.EpochStatus) error {
	var status string
	if err := db.QueryRow(ctx, `SELECT status FROM epochs WHERE number = $1`, n).Scan(&status); err != nil {
		return mapErr(err)
	}
	return fmt.Errorf("%w: epoch %d is %s, not %s", store.ErrConflict, n, status, from)
}

// Manifest lists an epoch's manifest by hotspot address.
func (s *Store) Manifest(ctx context.Context, n uint64) ([]oracle.ManifestEntry, error) {
	rows, _ := s.pool.Query(ctx, `SELECT hotspot, owner, beacon, witness, data, total FROM manifest_entries
		WHERE epoch = $1 ORDER BY hotspot`, int64(n))
	ms, err := collectAs(rows, manifestRow.entry)
	if err != nil {
		return nil, fmt.Errorf("manifest of epoch %d: %w", n, mapErr(err))
	}
	return ms, nil
}

// MarkPaid moves a closed epoch to paid.
func (s *Store) MarkPaid(ctx context.Context, n uint64) error {
	tag, err := s.pool.Exec(ctx, `UPDATE epochs SET status = 'paid' WHERE number = $1 AND status = 'closed'`, int64(n))
	if err == nil && tag.RowsAffected() == 0 {
		err = transitionErr(ctx, s.pool, int64(n), oracle.EpochClosed)
	}
	if err != nil {
		return fmt.Errorf("mark epoch %d paid: %w", n, mapErr(err))
	}
	return nil
}
