package hotspot

import (
	"fmt"

	"github.com/hexnet/hexnet/region"
)

// powerCap is the highest conducted power the hotspot transmits at: the
// region's maximum EIRP minus the antenna gain, rounded down to a whole
// dBm (region.BeaconPowerDBm). Without a region nothing is capped.
type powerCap struct {
	limit int32
	on    bool
}

// newPowerCap looks the region up; an unknown name is an error naming the
// option, so a typo stops the daemon at start instead of silently
// transmitting uncapped.
func newPowerCap(name string, gainDBi float64) (powerCap, error) {
	if name == "" {
		return powerCap{}, nil
	}
	p, err := region.Lookup(name)
	if err != nil {
		return powerCap{}, fmt.Errorf("hotspot: %w (Options.Region)", err)
	}
	return powerCap{limit: int32(region.BeaconPowerDBm(p, gainDBi)), on: true}, nil
}

// clamp returns dbm capped at the limit, and whether it was lowered.
func (c powerCap) clamp(dbm int32) (int32, bool) {
	if c.on && dbm > c.limit {
		return c.limit, true
	}
	return dbm, false
}
