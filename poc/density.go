package poc

import (
	"fmt"
	"math/big"
	"sort"

	"github.com/hexnet/hexnet/geo"
)

// DensityLevel is one row of the HIP 17 density table: at Resolution, a
// hex's hotspot count is clipped to Target, raised by Target for each
// occupied hex (of the 7 in its 1-ring, itself included) beyond Neighbors,
// up to Max. A hex is occupied when it holds at least Target hotspots.
type DensityLevel struct {
	Resolution int
	Neighbors  int
	Target     int
	Max        int
}

// DefaultDensity is HIP 104's table.
func DefaultDensity() []DensityLevel {
	return []DensityLevel{
		{4, 2, 500, 1000},
		{5, 4, 100, 200},
		{6, 4, 25, 50},
		{7, 4, 5, 10},
		{8, 2, 1, 1},
		{9, 2, 1, 1},
		{10, 2, 1, 1},
	}
}

func validateDensity(levels []DensityLevel) error {
	seen := map[int]bool{}
	for _, l := range levels {
		switch {
		case l.Resolution < 0 || l.Resolution >= geo.MaxRes:
			return fmt.Errorf("%w: density resolution %d, want 0..%d", ErrParams, l.Resolution, geo.MaxRes-1)
		case seen[l.Resolution]:
			return fmt.Errorf("%w: density resolution %d twice", ErrParams, l.Resolution)
		case l.Target < 1 || l.Max < l.Target || l.Neighbors < 0:
			return fmt.Errorf("%w: density at resolution %d: N %d, target %d, max %d (want N ≥ 0, 1 ≤ target ≤ max)", ErrParams, l.Resolution, l.Neighbors, l.Target, l.Max)
		}
		seen[l.Resolution] = true
	}
	return nil
}

// hexCounts maps hexes of one resolution to hotspot counts.
type hexCounts map[geo.Cell]int64

// densityLevel is one resolution's result: Σ of the children's clipped
// counts (unclipped) and that sum clipped to the limit.
type densityLevel struct {
	res       int
	unclipped hexCounts
	clipped   hexCounts
}

// DensityScales computes HIP 17's transmit scale for every asserted cell in
// hotspots (cell → number of hotspots there that count for density: HIP
// 17's "interactive" ones, the caller's choice). Counts start at the
// parents one resolution finer than the finest level (res 11 for HIP 104);
// going coarser, each hex's unclipped count is the sum of its children's
// clipped counts and its clipped count is min(unclipped, limit) with
// limit = min(Max, Target·max(1, occupied − Neighbors + 1)). A cell's scale
// is the product over the levels of clipped/unclipped of its parent there,
// computed exactly and rounded half up once.
//
// Occupancy reads the neighbours' unclipped counts; since Max ≥ Target,
// clipping never moves a count across Target, so this equals HIP 17's
// clipped occupancy and the result does not depend on evaluation order.
func DensityScales(levels []DensityLevel, hotspots map[geo.Cell]int) (map[geo.Cell]Fixed, error) {
	if err := validateDensity(levels); err != nil {
		return nil, err
	}
	sorted := append([]DensityLevel(nil), levels...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Resolution > sorted[j].Resolution })
	if len(sorted) == 0 {
		return uniformScale(hotspots), nil
	}
	base, err := baseCounts(sorted[0].Resolution+1, hotspots)
	if err != nil {
		return nil, err
	}
	results, err := rollUp(sorted, base)
	if err != nil {
		return nil, err
	}
	return scalesOf(hotspots, results)
}

func uniformScale(hotspots map[geo.Cell]int) map[geo.Cell]Fixed {
	out := make(map[geo.Cell]Fixed, len(hotspots))
	for c := range hotspots {
		out[c] = One
	}
	return out
}

// baseCounts sums the hotspots per parent at resolution res.
func baseCounts(res int, hotspots map[geo.Cell]int) (hexCounts, error) {
	counts := make(hexCounts)
	for c, n := range hotspots {
		if n < 0 {
			return nil, fmt.Errorf("%w: %d hotspots in cell %s", ErrParams, n, c)
		}
		p, err := c.Parent(res)
		if err != nil {
			return nil, fmt.Errorf("density: cell %s: %w", c, err)
		}
		counts[p] += int64(n)
	}
	return counts, nil
}

// rollUp computes every level from the finest to the coarsest.
func rollUp(levels []DensityLevel, base hexCounts) ([]densityLevel, error) {
	out := make([]densityLevel, 0, len(levels))
	children := base
	for _, l := range levels {
		unclipped, err := sumToParents(children, l.Resolution)
		if err != nil {
			return nil, err
		}
		clipped, err := clip(l, unclipped)
		if err != nil {
			return nil, err
		}
		out = append(out, densityLevel{res: l.Resolution, unclipped: unclipped, clipped: clipped})
		children = clipped
	}
	return out, nil
}

func sumToParents(children hexCounts, res int) (hexCounts, error) {
	parents := make(hexCounts, len(children))
	for c, n := range children {
		p, err := c.Parent(res)
		if err != nil {
			return nil, fmt.Errorf("density: %w", err)
		}
		parents[p] += n
	}
	return parents, nil
}

// clip applies the level's limit to every hex.
func clip(l DensityLevel, unclipped hexCounts) (hexCounts, error) {
	clipped := make(hexCounts, len(unclipped))
	for hex, n := range unclipped {
		occupied, err := occupiedAround(hex, unclipped, int64(l.Target))
		if err != nil {
			return nil, err
		}
		clipped[hex] = min(n, densityLimit(l, occupied))
	}
	return clipped, nil
}

// occupiedAround counts the hexes of hex's 1-ring (itself included) that
// hold at least target hotspots.
func occupiedAround(hex geo.Cell, counts hexCounts, target int64) (int, error) {
	ring, err := hex.Disk(1)
	if err != nil {
		return 0, fmt.Errorf("density: %w", err)
	}
	n := 0
	for _, c := range ring {
		if counts[c] >= target {
			n++
		}
	}
	return n, nil
}

// densityLimit is min(Max, Target·max(1, occupied − Neighbors + 1)).
func densityLimit(l DensityLevel, occupied int) int64 {
	factor := max(1, occupied-l.Neighbors+1)
	return min(int64(l.Max), int64(l.Target)*int64(factor))
}

// scalesOf multiplies clipped/unclipped down each cell's parent chain.
func scalesOf(hotspots map[geo.Cell]int, levels []densityLevel) (map[geo.Cell]Fixed, error) {
	out := make(map[geo.Cell]Fixed, len(hotspots))
	for c := range hotspots {
		num, den := big.NewInt(1), big.NewInt(1)
		for _, l := range levels {
			p, err := c.Parent(l.res)
			if err != nil {
				return nil, fmt.Errorf("density: %w", err)
			}
			if u := l.unclipped[p]; u > 0 {
				num.Mul(num, big.NewInt(l.clipped[p]))
				den.Mul(den, big.NewInt(u))
			}
		}
		out[c] = FixedRatio(num, den)
	}
	return out, nil
}
