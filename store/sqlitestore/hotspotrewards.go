package sqlitestore

import (
	"context"
	"fmt"

	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/oracle"
)

// HotspotRewards lists a hotspot's manifest entries in the latest limit
// closed epochs, newest first: one primary-key lookup per epoch.
func (s *Store) HotspotRewards(ctx context.Context, a identity.Address, limit int) ([]oracle.HotspotReward, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT e.number, e.status, m.hotspot, m.owner, m.beacon, m.witness, m.data, m.total
		FROM (SELECT number, status FROM epochs WHERE status <> 'open' ORDER BY number DESC LIMIT ?) e
		JOIN manifest_entries m ON m.epoch = e.number AND m.hotspot = ?
		ORDER BY e.number DESC`, max(limit, 0), string(a))
	rs, err := collect(rows, err, scanHotspotReward)
	if err != nil {
		return nil, fmt.Errorf("rewards of hotspot %s: %w", a, mapErr(err))
	}
	return rs, nil
}

func scanHotspotReward(sc scanner) (oracle.HotspotReward, error) {
	var epoch int64
	var status string
	var r manifestRow
	err := sc.Scan(&epoch, &status, &r.Hotspot, &r.Owner, &r.Beacon, &r.Witness, &r.Data, &r.Total)
	return oracle.HotspotReward{Epoch: uint64(epoch), Status: oracle.EpochStatus(status), Entry: oracle.ManifestEntry{
		Hotspot: identity.Address(r.Hotspot), Owner: identity.Address(r.Owner),
		Beacon: uint64(r.Beacon), Witness: uint64(r.Witness), Data: uint64(r.Data), Total: uint64(r.Total),
	}}, err
}
