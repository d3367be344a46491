package sqlitestore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/brocaar/lorawan"
	"github.com/google/uuid"

	"github.com/hexnet/hexnet/router"
	"github.com/hexnet/hexnet/store"
)

const queueColumns = `id, dev_eui, f_port, data, confirmed, attempts, fcnt, created_at, sent_at`

// queueRow is a row of downlink_queue.
type queueRow struct {
	ID, DevEUI, Data []byte
	FPort            int64
	Confirmed        bool
	Attempts         int64
	FCnt             sql.NullInt64
	CreatedAt        int64
	SentAt           sql.NullInt64
}

func scanQueueItem(sc scanner) (router.QueueItem, error) {
	var r queueRow
	if err := sc.Scan(&r.ID, &r.DevEUI, &r.FPort, &r.Data, &r.Confirmed, &r.Attempts, &r.FCnt, &r.CreatedAt, &r.SentAt); err != nil {
		return router.QueueItem{}, err
	}
	return r.item()
}

func (r queueRow) item() (router.QueueItem, error) {
	id, err := uuid.ParseBytes(r.ID)
	if err != nil {
		return router.QueueItem{}, fmt.Errorf("downlink_queue.id %q: %w", r.ID, err)
	}
	q := router.QueueItem{
		ID:        id,
		Downlink:  router.Downlink{FPort: uint8(r.FPort), Data: r.Data, Confirmed: r.Confirmed},
		CreatedAt: fromMicros(r.CreatedAt),
		Attempts:  int(r.Attempts),
		FCnt:      uint32(r.FCnt.Int64),
	}
	copy(q.DevEUI[:], r.DevEUI)
	if r.SentAt.Valid {
		q.SentAt = fromMicros(r.SentAt.Int64)
	}
	return q, nil
}

// EnqueueDownlink appends q to its device's queue. One statement counts
// and inserts: SQLite runs it alone (one writer), so the limit holds.
func (s *Store) EnqueueDownlink(ctx context.Context, q router.QueueItem) error {
	data := q.Data
	if data == nil {
		data = []byte{}
	}
	res, err := s.write.ExecContext(ctx, `INSERT INTO downlink_queue (id, dev_eui, f_port, data, confirmed, created_at)
		SELECT ?1, ?2, ?3, ?4, ?5, ?6
		WHERE (SELECT count(*) FROM downlink_queue WHERE dev_eui = ?2) < ?7`,
		q.ID.String(), eui(q.DevEUI), int64(q.FPort), data, q.Confirmed, micros(q.CreatedAt), router.MaxQueuedDownlinks)
	err = rowsOr(res, err, router.ErrQueueFull)
	if err != nil {
		return fmt.Errorf("enqueue downlink %s for device %s: %w", q.ID, q.DevEUI, mapErr(err))
	}
	return nil
}

// ListDownlinks lists the limit oldest items of a device's queue (all for
// limit <= 0), oldest first.
func (s *Store) ListDownlinks(ctx context.Context, devEUI lorawan.EUI64, limit int) ([]router.QueueItem, error) {
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	rows, err := s.read.QueryContext(ctx, `SELECT `+queueColumns+` FROM downlink_queue WHERE dev_eui = ?
		ORDER BY seq LIMIT ?`, eui(devEUI), limit)
	items, err := collect(rows, err, scanQueueItem)
	if err != nil {
		return nil, fmt.Errorf("list downlink queue of device %s: %w", devEUI, mapErr(err))
	}
	return items, nil
}

// RecordDownlinkTx counts one more transmission of an item.
func (s *Store) RecordDownlinkTx(ctx context.Context, id uuid.UUID, fcnt uint32, at time.Time) error {
	res, err := s.write.ExecContext(ctx, `UPDATE downlink_queue SET attempts = attempts + 1, fcnt = ?, sent_at = ?
		WHERE id = ?`, int64(fcnt), micros(at), id.String())
	if err = rowsOr(res, err, store.ErrNotFound); err != nil {
		return fmt.Errorf("record transmission of downlink %s: %w", id, mapErr(err))
	}
	return nil
}

// DeleteDownlink takes an item out of its queue.
func (s *Store) DeleteDownlink(ctx context.Context, id uuid.UUID) error {
	res, err := s.write.ExecContext(ctx, `DELETE FROM downlink_queue WHERE id = ?`, id.String())
	if err = rowsOr(res, err, store.ErrNotFound); err != nil {
		return fmt.Errorf("delete downlink %s: %w", id, mapErr(err))
	}
	return nil
}

// FlushDownlinks empties a device's queue.
func (s *Store) FlushDownlinks(ctx context.Context, devEUI lorawan.EUI64) (int, error) {
	res, err := s.write.ExecContext(ctx, `DELETE FROM downlink_queue WHERE dev_eui = ?`, eui(devEUI))
	var n int64
	if err == nil {
		n, err = res.RowsAffected()
	}
	if err != nil {
		return 0, fmt.Errorf("flush downlink queue of device %s: %w", devEUI, mapErr(err))
	}
	return int(n), nil
}

// rowsOr is err, or none when a statement changed no row.
func rowsOr(res sql.Result, err, none error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err == nil && n == 0 {
		err = none
	}
	return err
}
