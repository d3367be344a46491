package api

import (
	"context"
	"net/http"
	"slices"

	"github.com/hexnet/hexnet/hotspotname"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/oracle"
)

// rewardsJSON is GET /api/v1/hotspots/{address}/rewards.
type rewardsJSON struct {
	Address identity.Address `json:"address"`
	Name    string           `json:"name"`
	Rewards []rewardJSON     `json:"rewards"` // newest epoch first
}

// rewardJSON is the hotspot's manifest entry of one epoch, in the mint's
// base units: the parts earned by beacons, witnesses and data, and their
// sum. (The manifest keeps amounts, not the reward units they were shared
// by; the *_units fields are each pool's share of amount.)
type rewardJSON struct {
	Epoch        uint64   `json:"epoch"`
	Status       string   `json:"status"` // closed, paid
	BeaconUnits  uint64   `json:"beacon_units"`
	WitnessUnits uint64   `json:"witness_units"`
	DataUnits    uint64   `json:"data_units"`
	Amount       uint64   `json:"amount"`
	Signatures   []string `json:"signatures"` // confirmed reward transactions of the epoch paying the hotspot
}

// Bounds of ?limit: how many of the latest closed epochs are looked at.
const (
	rewardEpochs    = 100
	maxRewardEpochs = 100
)

// hotspotRewards is GET /api/v1/hotspots/{address}/rewards[?limit=N]: the
// hotspot's rewards in the latest limit closed epochs, newest first; an
// epoch without a manifest entry for it is left out.
func (s *server) hotspotRewards(r *http.Request) (*response, error) {
	a, err := pathAddress(r)
	if err != nil {
		return nil, err
	}
	limit, err := queryLimit(r, rewardEpochs, maxRewardEpochs)
	if err != nil {
		return nil, err
	}
	if _, err := s.onboarded(r, a); err != nil {
		return nil, err
	}
	rs, err := s.store.HotspotRewards(r.Context(), a, limit)
	if err != nil {
		return nil, err
	}
	out := rewardsJSON{Address: a, Name: hotspotname.Of(a), Rewards: make([]rewardJSON, 0, len(rs))}
	for _, rw := range rs {
		j, err := s.reward(r.Context(), rw)
		if err != nil {
			return nil, err
		}
		out.Rewards = append(out.Rewards, j)
	}
	return ok(out, cacheLive)
}

// reward is one epoch's entry with the confirmed transactions paying a.
func (s *server) reward(ctx context.Context, rw oracle.HotspotReward) (rewardJSON, error) {
	m := rw.Entry
	j := rewardJSON{Epoch: rw.Epoch, Status: string(rw.Status), BeaconUnits: m.Beacon, WitnessUnits: m.Witness,
		DataUnits: m.Data, Amount: m.Total, Signatures: []string{}}
	txs, err := s.store.RewardTxsOfEpoch(ctx, rw.Epoch)
	if err != nil {
		return j, err
	}
	for _, tx := range txs {
		if tx.Status == oracle.TxConfirmed && slices.Contains(tx.Entries, m.Hotspot) {
			j.Signatures = append(j.Signatures, tx.Signature)
		}
	}
	return j, nil
}
