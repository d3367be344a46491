package pgstore

import (
	"context"
	"fmt"

	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/oracle"
)

// hotspotRewardRow is a manifest_entries row with its epoch's status.
type hotspotRewardRow struct {
	Epoch  int64  `db:"epoch"`
	Status string `db:"status"`
	manifestRow
}

func (r hotspotRewardRow) reward() oracle.HotspotReward {
	return oracle.HotspotReward{Epoch: uint64(r.Epoch), Status: oracle.EpochStatus(r.Status), Entry: r.entry()}
}

// HotspotRewards lists a hotspot's manifest entries in the latest limit
// closed epochs, newest first: one primary-key lookup per epoch.
func (s *Store) HotspotRewards(ctx context.Context, a identity.Address, limit int) ([]oracle.HotspotReward, error) {
	rows, _ := s.pool.Query(ctx, `SELECT m.epoch, e.status, m.hotspot, m.owner, m.beacon, m.witness, m.data, m.total
		FROM (SELECT number, status FROM epochs WHERE status <> 'open' ORDER BY number DESC LIMIT $2) e
		JOIN manifest_entries m ON m.epoch = e.number AND m.hotspot = $1
		ORDER BY m.epoch DESC`, string(a), max(limit, 0))
	rs, err := collectAs(rows, hotspotRewardRow.reward)
	if err != nil {
		return nil, fmt.Errorf("rewards of hotspot %s: %w", a, mapErr(err))
	}
	return rs, nil
}
