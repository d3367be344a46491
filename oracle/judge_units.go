package oracle

import (
	"context"
	"fmt"

	"github.com/hexnet/hexnet/geo"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/oracle/manifest"
	"github.com/hexnet/hexnet/poc"
)

// units turns verdicts into each onboarded hotspot's reward units: HIP 15
// units per selected beacon and witness, scaled by the beaconer's hex
// density (HIP 17/104, over the hotspots active this epoch), and the data
// credits its copies cost in the router's ledger. Fixed-point units are
// integers with poc.FixedDecimals decimals.
func (j *Judge) units(ctx context.Context, n uint64, in *epochInput, jd *judged) ([]manifest.Units, error) {
	scales, err := densityScales(j.Rules.Params, in, jd)
	if err != nil {
		return nil, fmt.Errorf("hex density of epoch %d: %w", n, err)
	}
	acc := map[identity.Address]*manifest.Units{}
	for i, r := range jd.rounds {
		addRound(j.Rules.Params, acc, in, r, jd.beacons[i], jd.witnesses[i], scales)
	}
	if err := j.addData(ctx, n, in, acc); err != nil {
		return nil, err
	}
	out := make([]manifest.Units, 0, len(acc))
	for _, u := range acc {
		out = append(out, *u)
	}
	return out, nil
}

func densityScales(p poc.Params, in *epochInput, jd *judged) (map[geo.Cell]poc.Fixed, error) {
	active := map[identity.Address]bool{}
	for i, r := range jd.rounds {
		if jd.beacons[i].Valid {
			active[r.beacon.report.Hotspot] = true
		}
		for k, w := range r.witnesses {
			if jd.witnesses[i][k].Valid {
				active[w.report.Hotspot] = true
			}
		}
	}
	cells := map[geo.Cell]int{}
	for a := range active {
		cells[in.hotspots[a].Cell]++
	}
	return poc.DensityScales(p.Density, cells)
}

func addRound(p poc.Params, acc map[identity.Address]*manifest.Units, in *epochInput, r *round, bv poc.Verdict, wvs []poc.Verdict, scales map[geo.Cell]poc.Fixed) {
	selected := 0
	for _, v := range wvs {
		if v.Selected {
			selected++
		}
	}
	beaconer := in.hotspots[r.beacon.report.Hotspot]
	scale, ok := scales[beaconer.Cell]
	if !ok {
		scale = poc.One
	}
	bu, wu := poc.RoundUnits(p.Rewards, selected, scale)
	if bv.Selected {
		unitsOf(acc, in, beaconer.Address).Beacon += uint64(bu)
	}
	for k, v := range wvs {
		if v.Selected {
			unitsOf(acc, in, r.witnesses[k].report.Hotspot).Witness += uint64(wu)
		}
	}
}

func unitsOf(acc map[identity.Address]*manifest.Units, in *epochInput, a identity.Address) *manifest.Units {
	u, ok := acc[a]
	if !ok {
		u = &manifest.Units{Hotspot: a, Owner: in.hotspots[a].Owner}
		acc[a] = u
	}
	return u
}

// addData credits the data transfer of the epoch to onboarded hotspots;
// hotspots that are not onboarded carry traffic but earn nothing.
func (j *Judge) addData(ctx context.Context, n uint64, in *epochInput, acc map[identity.Address]*manifest.Units) error {
	start, end := j.Schedule.Bounds(n)
	traffic, err := j.Store.TrafficBetween(ctx, start, end)
	if err != nil {
		return fmt.Errorf("data transfer of epoch %d: %w", n, err)
	}
	for _, t := range traffic {
		if _, ok := in.hotspots[t.Hotspot]; ok && t.DataCredits > 0 {
			unitsOf(acc, in, t.Hotspot).Data += uint64(t.DataCredits)
		}
	}
	return nil
}
