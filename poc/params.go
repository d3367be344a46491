package poc

import (
	"errors"
	"fmt"
	"time"
)

// ErrParams reports parameters that cannot be used.
var ErrParams = errors.New("poc: bad parameters")

// Params holds every threshold of the rules. DefaultParams is DESIGN.md's
// baseline (Helium's last IoT verifier) plus hexnet's additions.
type Params struct {
	// MaxWitnessLag: a witness report ingested more than this after the
	// beacon report is late.
	MaxWitnessLag time.Duration
	// MaxWitnessSpread: a witness report ingested more than this after the
	// first acceptable witness report of the same beacon is late.
	MaxWitnessSpread time.Duration
	// MaxWitnessLead: a witness report ingested more than this before the
	// beacon report is early (hexnet addition).
	MaxWitnessLead time.Duration
	// BeaconGrace: a beacon report ingested more than this after its
	// challenge expired is rejected.
	BeaconGrace time.Duration

	// MaxFrequencyDiffHz: the witness's frequency may differ from the
	// beacon's by at most this.
	MaxFrequencyDiffHz uint64
	// CheckDataRate rejects witnesses reporting another data rate than the
	// beacon's (hexnet addition).
	CheckDataRate bool

	// CloseResolution and MinCellDistance: a witness whose asserted cell's
	// parent at CloseResolution is fewer than MinCellDistance grid steps
	// from the beaconer's is too close.
	CloseResolution int
	MinCellDistance int
	// MinDistanceFallbackM decides "too close" from the great-circle
	// distance between those parents' centres when H3 cannot measure the
	// grid distance (an H3 failure never reads as close).
	MinDistanceFallbackM float64
	// MaxDistanceM: a witness farther than this (between asserted cell
	// centres) is too far.
	MaxDistanceM float64

	// MinPathM is the shortest distance the free-space RSSI bound is
	// computed at, so co-located cells still get a finite bound.
	MinPathM float64
	// MinRSSIDBm, MinSNRDB and MaxSNRDB bound what a LoRa receiver can
	// report; values outside them (or NaN) are implausible.
	MinRSSIDBm float64
	MinSNRDB   float64
	MaxSNRDB   float64

	// MaxWitnesses is how many valid witnesses per beacon are rewarded,
	// the first by arrival.
	MaxWitnesses int
	// ReciprocityWindow: a hotspot earns only if it both beaconed with
	// witnesses and witnessed within this window; 0 turns the rule off.
	ReciprocityWindow time.Duration

	Rewards RewardParams
	Density []DensityLevel
}

// DefaultParams returns the baseline.
func DefaultParams() Params {
	return Params{
		MaxWitnessLag:        4 * time.Second,
		MaxWitnessSpread:     1500 * time.Millisecond,
		MaxWitnessLead:       4 * time.Second,
		BeaconGrace:          10 * time.Second,
		MaxFrequencyDiffHz:   100_000,
		CheckDataRate:        true,
		CloseResolution:      11,
		MinCellDistance:      8,
		MinDistanceFallbackM: 350,
		MaxDistanceM:         100_000,
		MinPathM:             1,
		MinRSSIDBm:           -150,
		MinSNRDB:             -30,
		MaxSNRDB:             20,
		MaxWitnesses:         14,
		ReciprocityWindow:    48 * time.Hour,
		Rewards:              DefaultRewardParams(),
		Density:              DefaultDensity(),
	}
}

// Validate reports the first unusable field by name.
func (p Params) Validate() error {
	switch {
	case p.MaxWitnessLag < 0 || p.MaxWitnessSpread < 0 || p.MaxWitnessLead < 0 || p.BeaconGrace < 0:
		return fmt.Errorf("%w: witness and beacon time limits must not be negative", ErrParams)
	case p.CloseResolution < 0 || p.CloseResolution > 15:
		return fmt.Errorf("%w: CloseResolution %d, want 0..15", ErrParams, p.CloseResolution)
	case p.MaxWitnesses < 0:
		return fmt.Errorf("%w: MaxWitnesses %d is negative", ErrParams, p.MaxWitnesses)
	case p.MinPathM <= 0:
		return fmt.Errorf("%w: MinPathM %v, want > 0", ErrParams, p.MinPathM)
	case p.ReciprocityWindow < 0:
		return fmt.Errorf("%w: ReciprocityWindow %v is negative", ErrParams, p.ReciprocityWindow)
	}
	if err := p.Rewards.Validate(); err != nil {
		return err
	}
	return validateDensity(p.Density)
}
