package sqlitestore

import (
	"context"
	"errors"
	"fmt"

	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/oracle"
	"github.com/hexnet/hexnet/store/internal/batch"
)

// AddReports stores the reports not stored yet in one transaction with a
// prepared statement and returns how many were new.
func (s *Store) AddReports(ctx context.Context, reports []oracle.Report) (int, error) {
	n, err := s.addReports(ctx, reports)
	if err != nil {
		return 0, fmt.Errorf("add %d reports: %w", len(reports), mapErr(err))
	}
	return n, nil
}

func (s *Store) addReports(ctx context.Context, reports []oracle.Report) (int, error) {
	rs, err := batch.Reports(reports)
	if err != nil || len(rs) == 0 {
		return 0, err
	}
	n := 0
	err = s.inTx(ctx, func(tx *txStmts) error {
		var err error
		n, err = insertReports(ctx, tx, rs)
		return err
	})
	return n, err
}

func insertReports(ctx context.Context, tx *txStmts, rs []oracle.Report) (n int, err error) {
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO reports (`+reportColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`)
	if err != nil {
		return 0, err
	}
	defer func() { err = errors.Join(err, stmt.Close()) }()
	for i := range rs {
		r := &rs[i]
		res, err := stmt.ExecContext(ctx, r.ID[:], string(r.Kind), string(r.Hotspot), int64(r.Epoch), int64(r.Round),
			blob(r.Payload), micros(r.ReceivedAt), blob(r.Envelope))
		if err != nil {
			return 0, fmt.Errorf("report %x: %w", r.ID, err)
		}
		added, err := res.RowsAffected()
		if err != nil {
			return 0, err
		}
		n += int(added)
	}
	return n, nil
}

// ReportsOfEpoch lists an epoch's reports by (received_at, id).
func (s *Store) ReportsOfEpoch(ctx context.Context, epoch uint64) ([]oracle.Report, error) {
	var out []oracle.Report
	if err := s.eachReport(ctx, appendTo(&out), `epoch = ?`, int64(epoch)); err != nil {
		return nil, fmt.Errorf("reports of epoch %d: %w", epoch, err)
	}
	return out, nil
}

// EachReportOfEpoch streams an epoch's reports by (received_at, id) to fn.
func (s *Store) EachReportOfEpoch(ctx context.Context, epoch uint64, fn func(oracle.Report) error) error {
	if err := s.eachReport(ctx, fn, `epoch = ?`, int64(epoch)); err != nil {
		return fmt.Errorf("reports of epoch %d: %w", epoch, err)
	}
	return nil
}

// ReportsOfHotspot lists a hotspot's reports in an epoch by (received_at, id).
func (s *Store) ReportsOfHotspot(ctx context.Context, a identity.Address, epoch uint64) ([]oracle.Report, error) {
	var out []oracle.Report
	if err := s.eachReport(ctx, appendTo(&out), `hotspot = ? AND epoch = ?`, string(a), int64(epoch)); err != nil {
		return nil, fmt.Errorf("reports of hotspot %s in epoch %d: %w", a, epoch, err)
	}
	return out, nil
}

func appendTo(out *[]oracle.Report) func(oracle.Report) error {
	return func(r oracle.Report) error {
		*out = append(*out, r)
		return nil
	}
}

// eachReport scans one row at a time: an epoch of any size is never held
// in memory here.
func (s *Store) eachReport(ctx context.Context, fn func(oracle.Report) error, where string, args ...any) error {
	rows, err := s.read.QueryContext(ctx, `SELECT `+reportColumns+` FROM reports WHERE `+where+` ORDER BY received_at, id`, args...)
	if err != nil {
		return mapErr(err)
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanReport(rows)
		if err != nil {
			return mapErr(err)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return mapErr(rows.Err())
}

// VerdictsOfEpoch lists an epoch's verdicts by report ID.
func (s *Store) VerdictsOfEpoch(ctx context.Context, epoch uint64) ([]oracle.Verdict, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+verdictColumns+` FROM verdicts WHERE epoch = ? ORDER BY report_id`, int64(epoch))
	vs, err := collect(rows, err, scanVerdict)
	if err != nil {
		return nil, fmt.Errorf("verdicts of epoch %d: %w", epoch, mapErr(err))
	}
	return vs, nil
}

// VerdictsOfHotspot lists a hotspot's verdicts in an epoch by report ID.
func (s *Store) VerdictsOfHotspot(ctx context.Context, a identity.Address, epoch uint64) ([]oracle.Verdict, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+verdictColumns+` FROM verdicts
		WHERE hotspot = ? AND epoch = ? ORDER BY report_id`, string(a), int64(epoch))
	vs, err := collect(rows, err, scanVerdict)
	if err != nil {
		return nil, fmt.Errorf("verdicts of hotspot %s in epoch %d: %w", a, epoch, mapErr(err))
	}
	return vs, nil
}
