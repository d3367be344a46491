package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/hexnet/hexnet/oracle"
	"github.com/hexnet/hexnet/store"
	"github.com/hexnet/hexnet/store/internal/batch"
)

// OpenEpoch records a new open epoch; store.ErrConflict if it exists.
func (s *Store) OpenEpoch(ctx context.Context, e oracle.Epoch) error {
	n, err := batch.Int64("epoch", e.Number)
	if err == nil {
		_, err = s.write.ExecContext(ctx, `INSERT INTO epochs (`+epochColumns+`) VALUES (?, ?, ?, 'open', X'', NULL)`,
			n, micros(e.Start), micros(e.End))
	}
	if err != nil {
		return fmt.Errorf("open epoch %d: %w", e.Number, mapErr(err))
	}
	return nil
}

// GetEpoch returns an epoch; store.ErrNotFound if there is none.
func (s *Store) GetEpoch(ctx context.Context, n uint64) (oracle.Epoch, error) {
	row := s.read.QueryRowContext(ctx, `SELECT `+epochColumns+` FROM epochs WHERE number = ?`, int64(n))
	e, err := scanEpoch(row)
	if err != nil {
		return oracle.Epoch{}, fmt.Errorf("get epoch %d: %w", n, mapErr(err))
	}
	return e, nil
}

// ListEpochs lists every epoch by number.
func (s *Store) ListEpochs(ctx context.Context) ([]oracle.Epoch, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+epochColumns+` FROM epochs ORDER BY number`)
	es, err := collect(rows, err, scanEpoch)
	if err != nil {
		return nil, fmt.Errorf("list epochs: %w", mapErr(err))
	}
	return es, nil
}

// CloseEpoch fixes the epoch's root, manifest and verdicts in one
// transaction with prepared statements.
func (s *Store) CloseEpoch(ctx context.Context, e oracle.Epoch, manifest []oracle.ManifestEntry, verdicts []oracle.Verdict) error {
	err := batch.Close(e, manifest, verdicts)
	if err == nil {
		err = s.inTx(ctx, func(tx *txStmts) error { return closeEpoch(ctx, tx, e, manifest, verdicts) })
	}
	if err != nil {
		return fmt.Errorf("close epoch %d: %w", e.Number, mapErr(err))
	}
	return nil
}

// closeEpoch expects input checked by batch.Close.
func closeEpoch(ctx context.Context, tx *txStmts, e oracle.Epoch, manifest []oracle.ManifestEntry, verdicts []oracle.Verdict) error {
	n := int64(e.Number)
	res, err := tx.ExecContext(ctx, `UPDATE epochs SET status = 'closed', root = ?, closed_at = ?
		WHERE number = ? AND status = 'open'`, blob(e.Root), nullMicros(e.ClosedAt), n)
	if err != nil {
		return err
	}
	if m, err := res.RowsAffected(); err != nil || m == 0 {
		return errors.Join(err, transitionErr(ctx, tx, n, oracle.EpochOpen))
	}
	if err := insertManifest(ctx, tx, n, manifest); err != nil {
		return fmt.Errorf("insert %d manifest entries: %w", len(manifest), err)
	}
	if err := insertVerdicts(ctx, tx, verdicts); err != nil {
		return fmt.Errorf("insert %d verdicts: %w", len(verdicts), err)
	}
	return nil
}

func insertManifest(ctx context.Context, tx *txStmts, n int64, manifest []oracle.ManifestEntry) (err error) {
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO manifest_entries (epoch, hotspot, owner, beacon, witness, data, total)
		VALUES (?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, stmt.Close()) }()
	for i := range manifest {
		m := &manifest[i]
		_, err := stmt.ExecContext(ctx, n, string(m.Hotspot), string(m.Owner),
			int64(m.Beacon), int64(m.Witness), int64(m.Data), int64(m.Total))
		if err != nil {
			return fmt.Errorf("hotspot %s: %w", m.Hotspot, err)
		}
	}
	return nil
}

func insertVerdicts(ctx context.Context, tx *txStmts, verdicts []oracle.Verdict) (err error) {
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO verdicts (`+verdictColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, stmt.Close()) }()
	for i := range verdicts {
		v := &verdicts[i]
		_, err := stmt.ExecContext(ctx, v.ReportID[:], int64(v.Epoch), string(v.Kind), string(v.Hotspot), v.BeaconID[:],
			v.Valid, v.Selected, v.Reason, v.Detail)
		if err != nil {
			return fmt.Errorf("report %x: %w", v.ReportID, err)
		}
	}
	return nil
}

// querier is *stmts or *txStmts.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// transitionErr tells why epoch n did not move from status from:
// store.ErrNotFound if it is not stored, else store.ErrConflict naming
// where it is.
func transitionErr(ctx context.Context, db querier, n int64, from oracle.EpochStatus) error {
	var status string
	if err := db.QueryRowContext(ctx, `SELECT status FROM epochs WHERE number = ?`, n).Scan(&status); err != nil {
		return mapErr(err)
	}
	return fmt.Errorf("%w: epoch %d is %s, not %s", store.ErrConflict, n, status, from)
}

// Manifest lists an epoch's manifest by hotspot address.
func (s *Store) Manifest(ctx context.Context, n uint64) ([]oracle.ManifestEntry, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT hotspot, owner, beacon, witness, data, total FROM manifest_entries
		WHERE epoch = ? ORDER BY hotspot`, int64(n))
	ms, err := collect(rows, err, scanManifest)
	if err != nil {
		return nil, fmt.Errorf("manifest of epoch %d: %w", n, mapErr(err))
	}
	return ms, nil
}

// MarkPaid moves a closed epoch to paid.
func (s *Store) MarkPaid(ctx context.Context, n uint64) error {
	err := s.inTx(ctx, func(tx *txStmts) error {
		res, err := tx.ExecContext(ctx, `UPDATE epochs SET status = 'paid' WHERE number = ? AND status = 'closed'`, int64(n))
		if err != nil {
			return err
		}
		if m, err := res.RowsAffected(); err != nil || m == 0 {
			return errors.Join(err, transitionErr(ctx, tx, int64(n), oracle.EpochClosed))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("mark epoch %d paid: %w", n, mapErr(err))
	}
	return nil
}
