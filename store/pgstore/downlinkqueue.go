package pgstore

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/brocaar/lorawan"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/hexnet/hexnet/router"
	"github.com/hexnet/hexnet/store"
)

const queueColumns = `id, dev_eui, f_port, data, confirmed, attempts, fcnt, created_at, sent_at`

// queueRow is a row of downlink_queue.
type queueRow struct {
	ID        uuid.UUID  `db:"id"`
	DevEUI    []byte     `db:"dev_eui"`
	FPort     int16      `db:"f_port"`
	Data      []byte     `db:"data"`
	Confirmed bool       `db:"confirmed"`
	Attempts  int32      `db:"attempts"`
	FCnt      *int64     `db:"fcnt"`
	CreatedAt time.Time  `db:"created_at"`
	SentAt    *time.Time `db:"sent_at"`
}

func (r queueRow) item() router.QueueItem {
	q := router.QueueItem{
		ID:        r.ID,
		Downlink:  router.Downlink{FPort: uint8(r.FPort), Data: r.Data, Confirmed: r.Confirmed},
		CreatedAt: r.CreatedAt.UTC(),
		Attempts:  int(r.Attempts),
	}
	copy(q.DevEUI[:], r.DevEUI)
	if r.FCnt != nil {
		q.FCnt = uint32(*r.FCnt)
	}
	if r.SentAt != nil {
		q.SentAt = r.SentAt.UTC()
	}
	return q
}

// EnqueueDownlink appends q to its device's queue. The device's row is
// locked for the transaction, so concurrent enqueues for one device
// serialise and the limit holds.
func (s *Store) EnqueueDownlink(ctx context.Context, q router.QueueItem) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return enqueueDownlink(ctx, tx, q) })
	if err != nil {
		return fmt.Errorf("enqueue downlink %s for device %s: %w", q.ID, q.DevEUI, mapErr(err))
	}
	return nil
}

func enqueueDownlink(ctx context.Context, tx pgx.Tx, q router.QueueItem) error {
	var one int
	err := tx.QueryRow(ctx, `SELECT 1 FROM devices WHERE dev_eui = $1 FOR NO KEY UPDATE`, eui(q.DevEUI)).Scan(&one)
	if err != nil {
		return err // pgx.ErrNoRows: not registered
	}
	data := q.Data
	if data == nil {
		data = []byte{}
	}
	tag, err := tx.Exec(ctx, `INSERT INTO downlink_queue (id, dev_eui, f_port, data, confirmed, created_at)
		SELECT $1, $2, $3, $4, $5, $6
		WHERE (SELECT count(*) FROM downlink_queue WHERE dev_eui = $2) < $7`,
		q.ID, eui(q.DevEUI), int16(q.FPort), data, q.Confirmed, ts(q.CreatedAt), router.MaxQueuedDownlinks)
	if err == nil && tag.RowsAffected() == 0 {
		err = router.ErrQueueFull
	}
	return err
}

// ListDownlinks lists the limit oldest items of a device's queue (all for
// limit <= 0), oldest first.
func (s *Store) ListDownlinks(ctx context.Context, devEUI lorawan.EUI64, limit int) ([]router.QueueItem, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+queueColumns+` FROM downlink_queue WHERE dev_eui = $1
		ORDER BY seq LIMIT $2`, eui(devEUI), queueLimit(limit))
	rs, err := pgx.CollectRows(rows, pgx.RowToStructByName[queueRow])
	if err != nil {
		return nil, fmt.Errorf("list downlink queue of device %s: %w", devEUI, mapErr(err))
	}
	items := make([]router.QueueItem, len(rs))
	for i, r := range rs {
		items[i] = r.item()
	}
	return items, nil
}

// queueLimit is the LIMIT of ListDownlinks: every row for limit <= 0.
func queueLimit(limit int) int64 {
	if limit <= 0 {
		return math.MaxInt64
	}
	return int64(limit)
}

// RecordDownlinkTx counts one more transmission of an item.
func (s *Store) RecordDownlinkTx(ctx context.Context, id uuid.UUID, fcnt uint32, at time.Time) error {
	tag, err := s.pool.Exec(ctx, `UPDATE downlink_queue SET attempts = attempts + 1, fcnt = $2, sent_at = $3
		WHERE id = $1`, id, int64(fcnt), ts(at))
	if err == nil && tag.RowsAffected() == 0 {
		err = store.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("record transmission of downlink %s: %w", id, mapErr(err))
	}
	return nil
}

// DeleteDownlink takes an item out of its queue.
func (s *Store) DeleteDownlink(ctx context.Context, id uuid.UUID) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM downlink_queue WHERE id = $1`, id)
	if err == nil && tag.RowsAffected() == 0 {
		err = store.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("delete downlink %s: %w", id, mapErr(err))
	}
	return nil
}

// FlushDownlinks empties a device's queue.
func (s *Store) FlushDownlinks(ctx context.Context, devEUI lorawan.EUI64) (int, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM downlink_queue WHERE dev_eui = $1`, eui(devEUI))
	if err != nil {
		return 0, fmt.Errorf("flush downlink queue of device %s: %w", devEUI, mapErr(err))
	}
	return int(tag.RowsAffected()), nil
}
