package sqlitestore

import (
	"context"
	"fmt"

	"github.com/brocaar/lorawan"

	"github.com/hexnet/hexnet/router"
)

// JoinHistory counts the device's used DevNonces and finds the highest.
func (s *Store) JoinHistory(ctx context.Context, devEUI lorawan.EUI64) (router.JoinHistory, error) {
	var n, highest int64
	err := s.read.QueryRowContext(ctx, `SELECT count(*), coalesce(max(nonce), 0) FROM dev_nonces WHERE dev_eui = ?`,
		eui(devEUI)).Scan(&n, &highest)
	if err != nil {
		return router.JoinHistory{}, fmt.Errorf("join history of device %s: %w", devEUI, mapErr(err))
	}
	return router.JoinHistory{Joins: int(n), MaxDevNonce: lorawan.DevNonce(highest)}, nil
}
