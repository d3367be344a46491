package pgstore

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hexnet/hexnet/router"
	"github.com/hexnet/hexnet/store/internal/batch"
)

var copyColumns = []string{"frame_id", "hotspot", "rssi", "snr", "received_at"}

// RecordFrames appends frames and their copies in one transaction. Frames
// go in with one set-based INSERT … ON CONFLICT DO NOTHING; copies of the
// frames that were new go in with COPY. A frame ID already recorded (now,
// earlier in the same call, or by a concurrent call) is skipped with its
// copies, so replays are harmless.
func (s *Store) RecordFrames(ctx context.Context, frames []router.LedgerFrame) error {
	frames = batch.Frames(frames)
	if len(frames) == 0 {
		return nil
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return recordFrames(ctx, tx, frames) })
	if err != nil {
		return fmt.Errorf("record %d ledger frames: %w", len(frames), mapErr(err))
	}
	return nil
}

// recordFrames expects frames from batch.Frames: unique IDs, sorted so
// that concurrent transactions take row locks in the same order.
func recordFrames(ctx context.Context, db DBTX, frames []router.LedgerFrame) error {
	inserted, err := insertFrames(ctx, db, frames)
	if err != nil {
		return fmt.Errorf("insert frames: %w", err)
	}
	rows := copyRows(frames, inserted)
	if len(rows) == 0 {
		return nil
	}
	if _, err := db.CopyFrom(ctx, pgx.Identifier{"uplink_copies"}, copyColumns, pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("copy frame copies: %w", err)
	}
	return nil
}

// insertFrames inserts the frames not yet recorded and returns their IDs.
func insertFrames(ctx context.Context, db DBTX, frames []router.LedgerFrame) (map[[16]byte]bool, error) {
	n := len(frames)
	ids, devEUIs, devAddrs := make([][]byte, n), make([][]byte, n), make([][]byte, n)
	fcnts, sizes, times := make([]int64, n), make([]int32, n), make([]time.Time, n)
	for i, f := range frames {
		ids[i], devEUIs[i], devAddrs[i] = f.ID[:], eui(f.DevEUI), addr(f.DevAddr)
		fcnts[i], sizes[i], times[i] = int64(f.FCnt), int32(f.Bytes), ts(f.ReceivedAt)
	}
	rows, _ := db.Query(ctx, `INSERT INTO uplink_frames (id, dev_eui, dev_addr, fcnt, bytes, received_at)
		SELECT * FROM unnest($1::bytea[], $2::bytea[], $3::bytea[], $4::bigint[], $5::integer[], $6::timestamptz[])
		ON CONFLICT (id) DO NOTHING
		RETURNING id`, ids, devEUIs, devAddrs, fcnts, sizes, times)
	got, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		return nil, err
	}
	inserted := make(map[[16]byte]bool, len(got))
	for _, id := range got {
		inserted[[16]byte(id)] = true
	}
	return inserted, nil
}

// copyRows lists the COPY rows of the copies of inserted frames.
func copyRows(frames []router.LedgerFrame, inserted map[[16]byte]bool) [][]any {
	var rows [][]any
	for _, f := range frames {
		if !inserted[f.ID] {
			continue
		}
		for _, c := range f.Copies {
			rows = append(rows, []any{f.ID[:], string(c.Hotspot), c.RSSI, c.SNR, ts(c.ReceivedAt)})
		}
	}
	return rows
}

// TrafficBetween sums, per hotspot, the copies of frames received in
// [from, to) and those frames' bytes; sorted by hotspot address.
func (s *Store) TrafficBetween(ctx context.Context, from, to time.Time) ([]router.Traffic, error) {
	rows, _ := s.pool.Query(ctx, `SELECT c.hotspot, count(*) AS copies, coalesce(sum(f.bytes), 0)::bigint AS bytes,
		coalesce(sum((greatest(f.bytes, 24) + 23) / 24), 0)::bigint AS data_credits
		FROM uplink_frames f JOIN uplink_copies c ON c.frame_id = f.id
		WHERE f.received_at >= $1 AND f.received_at < $2
		GROUP BY c.hotspot ORDER BY c.hotspot`, ts(from), ts(to))
	rs, err := pgx.CollectRows(rows, pgx.RowToStructByName[trafficRow])
	if err != nil {
		return nil, fmt.Errorf("traffic between %s and %s: %w", from, to, mapErr(err))
	}
	out := make([]router.Traffic, len(rs))
	for i, r := range rs {
		out[i] = r.traffic()
	}
	return out, nil
}
