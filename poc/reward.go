package poc

import (
	"fmt"
	"math/big"
)

// RewardParams are HIP 15's reward-unit parameters.
type RewardParams struct {
	// Redundancy is HIP 15's witness redundancy N: up to N witnesses, the
	// beaconer earns w/N and each witness 1.
	Redundancy int
	// DecayNum/DecayDen is the decay rate r (0.8 = 4/5), kept as a fraction
	// so the units are exact rationals.
	DecayNum, DecayDen int64
}

// DefaultRewardParams is HIP 15: N = 4, r = 0.8.
func DefaultRewardParams() RewardParams {
	return RewardParams{Redundancy: 4, DecayNum: 4, DecayDen: 5}
}

// Validate checks N ≥ 1 and 0 ≤ r ≤ 1.
func (p RewardParams) Validate() error {
	if p.Redundancy < 1 || p.DecayDen <= 0 || p.DecayNum < 0 || p.DecayNum > p.DecayDen {
		return fmt.Errorf("%w: reward redundancy %d, decay %d/%d (want N ≥ 1, 0 ≤ r ≤ 1)", ErrParams, p.Redundancy, p.DecayNum, p.DecayDen)
	}
	return nil
}

// BeaconerUnits is HIP 15's beaconer reward units for w selected witnesses:
// w/N for w ≤ N, else 2 − r^(w−N); exact, rounded half up to a Fixed.
func BeaconerUnits(p RewardParams, w int) Fixed {
	if w <= 0 {
		return 0
	}
	if w <= p.Redundancy {
		return FixedRatio(big.NewInt(int64(w)), big.NewInt(int64(p.Redundancy)))
	}
	num, den := decay(p, w-p.Redundancy) // r^k = num/den
	two := new(big.Int).Mul(den, big.NewInt(2))
	return FixedRatio(two.Sub(two, num), den)
}

// WitnessUnits is HIP 15's reward units for each of w selected witnesses:
// 1 for w ≤ N, else (N − (1 − r^(w−N))) / w; exact, rounded half up.
func WitnessUnits(p RewardParams, w int) Fixed {
	if w <= 0 {
		return 0
	}
	if w <= p.Redundancy {
		return One
	}
	num, den := decay(p, w-p.Redundancy)
	// (N − 1 + r^k) / w = ((N − 1)·den + num) / (w·den)
	n := new(big.Int).Mul(den, big.NewInt(int64(p.Redundancy-1)))
	n.Add(n, num)
	return FixedRatio(n, new(big.Int).Mul(den, big.NewInt(int64(w))))
}

// decay is r^k as an exact fraction.
func decay(p RewardParams, k int) (num, den *big.Int) {
	e := big.NewInt(int64(k))
	num = new(big.Int).Exp(big.NewInt(p.DecayNum), e, nil)
	den = new(big.Int).Exp(big.NewInt(p.DecayDen), e, nil)
	return num, den
}

// RoundUnits are the reward units one beacon earns: the beaconer's and each
// selected witness's, both scaled by the beaconer's hex-density scale (HIP
// 17: witnesses share the transmitter's scale). The beaconer's share is
// paid only when the beacon's verdict is Selected; witnesses earn on their
// own verdicts.
func RoundUnits(p RewardParams, selectedWitnesses int, beaconerScale Fixed) (beaconer, perWitness Fixed) {
	return BeaconerUnits(p, selectedWitnesses).Mul(beaconerScale), WitnessUnits(p, selectedWitnesses).Mul(beaconerScale)
}
