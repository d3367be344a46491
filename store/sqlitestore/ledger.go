package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/hexnet/hexnet/router"
	"github.com/hexnet/hexnet/store/internal/batch"
)

// RecordFrames appends frames and their copies in one transaction with
// prepared statements. A frame ID already recorded (now or earlier in the
// same call) is skipped with its copies, so replays are harmless.
func (s *Store) RecordFrames(ctx context.Context, frames []router.LedgerFrame) error {
	frames = batch.Frames(frames)
	if len(frames) == 0 {
		return nil
	}
	err := s.inTx(ctx, func(tx *txStmts) error { return recordFrames(ctx, tx, frames) })
	if err != nil {
		return fmt.Errorf("record %d ledger frames: %w", len(frames), mapErr(err))
	}
	return nil
}

// frameWriter holds the prepared statements of one RecordFrames call.
type frameWriter struct {
	frame, copy *sql.Stmt
}

func recordFrames(ctx context.Context, tx *txStmts, frames []router.LedgerFrame) (err error) {
	w, err := prepareFrameWriter(ctx, tx)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, w.close()) }()
	for _, f := range frames {
		if err := w.write(ctx, f); err != nil {
			return fmt.Errorf("frame %x: %w", f.ID, err)
		}
	}
	return nil
}

func prepareFrameWriter(ctx context.Context, tx *txStmts) (*frameWriter, error) {
	frame, err := tx.PrepareContext(ctx, `INSERT INTO uplink_frames (id, dev_eui, dev_addr, fcnt, bytes, received_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`)
	if err != nil {
		return nil, err
	}
	cp, err := tx.PrepareContext(ctx, `INSERT INTO uplink_copies (frame_id, hotspot, rssi, snr, received_at)
		VALUES (?, ?, ?, ?, ?)`)
	if err != nil {
		return nil, errors.Join(err, frame.Close())
	}
	return &frameWriter{frame: frame, copy: cp}, nil
}

// write inserts the frame and, if it was new, its copies.
func (w *frameWriter) write(ctx context.Context, f router.LedgerFrame) error {
	res, err := w.frame.ExecContext(ctx, f.ID[:], eui(f.DevEUI), addr(f.DevAddr), int64(f.FCnt), f.Bytes, micros(f.ReceivedAt))
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return err // n == 0: recorded before, skip its copies
	}
	for _, c := range f.Copies {
		_, err := w.copy.ExecContext(ctx, f.ID[:], string(c.Hotspot), float64(c.RSSI), float64(c.SNR), micros(c.ReceivedAt))
		if err != nil {
			return fmt.Errorf("copy of hotspot %s: %w", c.Hotspot, err)
		}
	}
	return nil
}

func (w *frameWriter) close() error {
	return errors.Join(w.frame.Close(), w.copy.Close())
}

// TrafficBetween sums, per hotspot, the copies of frames received in
// [from, to) and those frames' bytes; sorted by hotspot address.
func (s *Store) TrafficBetween(ctx context.Context, from, to time.Time) ([]router.Traffic, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT c.hotspot, count(*), coalesce(sum(f.bytes), 0),
		coalesce(sum((max(f.bytes, 24) + 23) / 24), 0)
		FROM uplink_frames f JOIN uplink_copies c ON c.frame_id = f.id
		WHERE f.received_at >= ? AND f.received_at < ?
		GROUP BY c.hotspot ORDER BY c.hotspot`, micros(from), micros(to))
	out, err := collect(rows, err, scanTraffic)
	if err != nil {
		return nil, fmt.Errorf("traffic between %s and %s: %w", from, to, mapErr(err))
	}
	return out, nil
}
