package poc

import (
	"fmt"
	"math"
	"math/big"
	"math/bits"
)

// Fixed is a fixed-point decimal with FixedDecimals places: One is 1.0.
// Reward units and density scales are Fixed so that an epoch's manifest is
// the same integer arithmetic on every machine; every value is an exact
// rational rounded once, half up (away from zero), to the last place.
type Fixed int64

// FixedDecimals is the number of decimal places of a Fixed.
const FixedDecimals = 9

// One is 1.0 as a Fixed.
const One Fixed = 1_000_000_000

// String renders f exactly, e.g. "1.200000000".
func (f Fixed) String() string {
	sign, u := "", uint64(f)
	if f < 0 {
		sign, u = "-", uint64(-f)
	}
	return fmt.Sprintf("%s%d.%09d", sign, u/uint64(One), u%uint64(One))
}

// MarshalText renders f as String does.
func (f Fixed) MarshalText() ([]byte, error) { return []byte(f.String()), nil }

// Mul is f·g rounded half up; it saturates instead of overflowing.
func (f Fixed) Mul(g Fixed) Fixed {
	neg := (f < 0) != (g < 0)
	hi, lo := bits.Mul64(absU(f), absU(g))
	q, ok := divRound(hi, lo, uint64(One))
	if !ok || q > math.MaxInt64 {
		q = math.MaxInt64
	}
	if neg {
		return -Fixed(q)
	}
	return Fixed(q)
}

func absU(f Fixed) uint64 {
	if f < 0 {
		return uint64(-f)
	}
	return uint64(f)
}

// divRound divides the 128-bit hi:lo by d, rounding half up; ok is false
// when the quotient does not fit 64 bits.
func divRound(hi, lo, d uint64) (uint64, bool) {
	if hi >= d {
		return 0, false
	}
	q, r := bits.Div64(hi, lo, d)
	if r >= d-r { // r ≥ d/2 without overflow
		if q == math.MaxUint64 {
			return 0, false
		}
		q++
	}
	return q, true
}

// FixedRatio is num/den rounded half up to a Fixed (den > 0, num ≥ 0).
func FixedRatio(num, den *big.Int) Fixed {
	n := new(big.Int).Mul(num, big.NewInt(int64(One)))
	n.Mul(n, big.NewInt(2))
	n.Add(n, den)
	d := new(big.Int).Mul(den, big.NewInt(2))
	q := n.Quo(n, d) // floor((2·num·One + den) / 2·den) = round half up
	if !q.IsInt64() {
		return math.MaxInt64
	}
	return Fixed(q.Int64())
}
