package pgstore

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/oracle"
	"github.com/hexnet/hexnet/store/internal/batch"
)

const reportColumns = `id, kind, hotspot, epoch, round, payload, received_at, envelope`

const verdictColumns = `report_id, epoch, kind, hotspot, beacon_id, valid, selected, reason, detail`

// copyMin is the batch size from which AddReports copies reports in
// through a temporary table: creating the table costs ~10 ms, which COPY
// wins back from about 2,000 rows (and it encodes far less than unnest's
// arrays: 49 MB instead of 339 MB allocated for 100,000 reports).
const copyMin = 2_000

var reportCopy = []string{"id", "kind", "hotspot", "epoch", "round", "payload", "received_at", "envelope"}

// AddReports stores the reports not stored yet and returns how many were
// new: a small batch with one INSERT … SELECT FROM unnest(…), a large one
// through COPY into a temporary table; both end in ON CONFLICT DO NOTHING.
func (s *Store) AddReports(ctx context.Context, reports []oracle.Report) (int, error) {
	n, err := s.addReports(ctx, reports)
	if err != nil {
		return 0, fmt.Errorf("add %d reports: %w", len(reports), mapErr(err))
	}
	return int(n), nil
}

func (s *Store) addReports(ctx context.Context, reports []oracle.Report) (n int64, err error) {
	rs, err := batch.Reports(reports)
	switch {
	case err != nil || len(rs) == 0:
		return 0, err
	case len(rs) < copyMin:
		return insertReports(ctx, s.pool, rs)
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) (err error) {
		n, err = copyReports(ctx, tx, rs)
		return err
	})
	return n, err
}

// insertReports expects reports from batch.Reports: unique IDs, sorted
// so that concurrent writers lock rows in the same order.
func insertReports(ctx context.Context, db DBTX, rs []oracle.Report) (int64, error) {
	n := len(rs)
	ids, payloads, envelopes := make([][]byte, n), make([][]byte, n), make([][]byte, n)
	kinds, hotspots := make([]string, n), make([]string, n)
	epochs, rounds, times := make([]int64, n), make([]int64, n), make([]time.Time, n)
	for i := range rs {
		r := &rs[i]
		ids[i], payloads[i], envelopes[i] = r.ID[:], blob(r.Payload), blob(r.Envelope)
		kinds[i], hotspots[i] = string(r.Kind), string(r.Hotspot)
		epochs[i], rounds[i], times[i] = int64(r.Epoch), int64(r.Round), ts(r.ReceivedAt)
	}
	tag, err := db.Exec(ctx, `INSERT INTO reports (`+reportColumns+`)
		SELECT * FROM unnest($1::bytea[], $2::text[], $3::text[], $4::bigint[], $5::bigint[],
			$6::bytea[], $7::timestamptz[], $8::bytea[])
		ON CONFLICT (id) DO NOTHING`, ids, kinds, hotspots, epochs, rounds, payloads, times, envelopes)
	return tag.RowsAffected(), err
}

// copyReports expects reports from batch.Reports and a transaction, which
// drops the temporary table when it ends. Rows move over in the order they
// were copied in: sorted by ID.
func copyReports(ctx context.Context, tx DBTX, rs []oracle.Report) (int64, error) {
	if _, err := tx.Exec(ctx, `CREATE TEMPORARY TABLE reports_in (LIKE reports) ON COMMIT DROP`); err != nil {
		return 0, fmt.Errorf("create temporary table: %w", err)
	}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"reports_in"}, reportCopy, pgx.CopyFromSlice(len(rs), func(i int) ([]any, error) {
		r := &rs[i]
		return []any{r.ID[:], string(r.Kind), string(r.Hotspot), int64(r.Epoch), int64(r.Round),
			blob(r.Payload), ts(r.ReceivedAt), blob(r.Envelope)}, nil
	}))
	if err != nil {
		return 0, fmt.Errorf("copy: %w", err)
	}
	tag, err := tx.Exec(ctx, `INSERT INTO reports (`+reportColumns+`)
		SELECT `+reportColumns+` FROM reports_in ON CONFLICT (id) DO NOTHING`)
	return tag.RowsAffected(), err
}

// ReportsOfEpoch lists an epoch's reports by (received_at, id).
func (s *Store) ReportsOfEpoch(ctx context.Context, epoch uint64) ([]oracle.Report, error) {
	var out []oracle.Report
	err := eachReport(ctx, s.pool, appendTo(&out), `epoch = $1`, int64(epoch))
	if err != nil {
		return nil, fmt.Errorf("reports of epoch %d: %w", epoch, err)
	}
	return out, nil
}

// EachReportOfEpoch streams an epoch's reports by (received_at, id) to fn.
func (s *Store) EachReportOfEpoch(ctx context.Context, epoch uint64, fn func(oracle.Report) error) error {
	if err := eachReport(ctx, s.pool, fn, `epoch = $1`, int64(epoch)); err != nil {
		return fmt.Errorf("reports of epoch %d: %w", epoch, err)
	}
	return nil
}

// ReportsOfHotspot lists a hotspot's reports in an epoch by (received_at, id).
func (s *Store) ReportsOfHotspot(ctx context.Context, a identity.Address, epoch uint64) ([]oracle.Report, error) {
	var out []oracle.Report
	err := eachReport(ctx, s.pool, appendTo(&out), `hotspot = $1 AND epoch = $2`, string(a), int64(epoch))
	if err != nil {
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

// eachReport reads the rows one at a time (pgx streams them off the
// connection), so an epoch of any size is never held in memory here.
func eachReport(ctx context.Context, db DBTX, fn func(oracle.Report) error, where string, args ...any) error {
	rows, err := db.Query(ctx, `SELECT `+reportColumns+` FROM reports WHERE `+where+` ORDER BY received_at, id`, args...)
	if err != nil {
		return mapErr(err)
	}
	defer rows.Close()
	var r reportRow
	for rows.Next() {
		if err := rows.Scan(&r.ID, &r.Kind, &r.Hotspot, &r.Epoch, &r.Round, &r.Payload, &r.ReceivedAt, &r.Envelope); err != nil {
			return err
		}
		if err := fn(r.report()); err != nil {
			return err
		}
	}
	return mapErr(rows.Err())
}

// VerdictsOfEpoch lists an epoch's verdicts by report ID.
func (s *Store) VerdictsOfEpoch(ctx context.Context, epoch uint64) ([]oracle.Verdict, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+verdictColumns+` FROM verdicts WHERE epoch = $1 ORDER BY report_id`, int64(epoch))
	vs, err := collectAs(rows, verdictRow.verdict)
	if err != nil {
		return nil, fmt.Errorf("verdicts of epoch %d: %w", epoch, mapErr(err))
	}
	return vs, nil
}

// VerdictsOfHotspot lists a hotspot's verdicts in an epoch by report ID.
func (s *Store) VerdictsOfHotspot(ctx context.Context, a identity.Address, epoch uint64) ([]oracle.Verdict, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+verdictColumns+` FROM verdicts
		WHERE hotspot = $1 AND epoch = $2 ORDER BY report_id`, string(a), int64(epoch))
	vs, err := collectAs(rows, verdictRow.verdict)
	if err != nil {
		return nil, fmt.Errorf("verdicts of hotspot %s in epoch %d: %w", a, epoch, mapErr(err))
	}
	return vs, nil
}

// collectAs collects rows into row structs by column name and converts
// each to its domain value.
func collectAs[R, T any](rows pgx.Rows, conv func(R) T) ([]T, error) {
	rs, err := pgx.CollectRows(rows, pgx.RowToStructByName[R])
	if err != nil {
		return nil, err
	}
	out := make([]T, len(rs))
	for i, r := range rs {
		out[i] = conv(r)
	}
	return out, nil
}
