package poc

import (
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/hexnet/hexnet/geo"
)

// site is a hotspot's asserted position.
type site struct {
	cell   geo.Cell
	center geo.Point
}

func siteOf(h Hotspot) (site, error) {
	switch {
	case !h.Asserted:
		return site{}, errors.New("no asserted location")
	case h.Center != (geo.Point{}):
		return site{cell: h.Cell, center: h.Center}, nil
	case !h.Cell.Valid():
		return site{}, fmt.Errorf("asserted cell %s: %w", h.Cell, geo.ErrInvalidCell)
	}
	return site{cell: h.Cell, center: h.Cell.Center()}, nil
}

// closeBoundM is a distance between asserted cell centres beyond which the
// too-close rule cannot fire, so H3 need not be asked. It allows 4× the
// average span of MinCellDistance steps (H3 cell sizes vary about 2× over
// the globe; geo.GridDistance rejects answers beyond 2×), plus the fallback
// distance and the offsets of the cells from their parents' centres.
func closeBoundM(p Params) float64 {
	edge := geo.EdgeLengthM(p.CloseResolution)
	return 4*float64(p.MinCellDistance)*math.Sqrt(3)*edge + p.MinDistanceFallbackM + 4*edge
}

// judgeGeometry applies the distance and free-space rules; a valid
// verdict's detail records the distance and the RSSI limit.
func (j *judge) judgeGeometry(w Witness, h Hotspot, to site) Verdict {
	d := geo.DistanceM(j.from.center, to.center)
	if d <= j.closeBound {
		if v, bad := tooClose(j.p, j.from.cell, to.cell); bad {
			return v
		}
	}
	if d > j.p.MaxDistanceM {
		return reject(TooFar, "%.1f km apart (limit %.1f km)", d/1000, j.p.MaxDistanceM/1000)
	}
	path := math.Max(d, j.p.MinPathM)
	limit := geo.MaxRSSIDBm(j.b.PowerDBm, j.beaconer.GainDBi, h.GainDBi, path, float64(j.b.FrequencyHz))
	if w.RSSI > limit {
		return reject(RSSITooStrong, "RSSI %.1f dBm > max %.1f dBm at %.0f m", w.RSSI, limit, d)
	}
	return accept(validDetail(d, w.RSSI, limit))
}

// validDetail is fmt.Sprintf("%.0f m, RSSI %.1f dBm ≤ max %.1f dBm", ...)
// without fmt, which costs a fifth of a witness's judgement.
func validDetail(d, rssi, limit float64) string {
	buf := make([]byte, 0, 48)
	buf = strconv.AppendFloat(buf, d, 'f', 0, 64)
	buf = append(buf, " m, RSSI "...)
	buf = strconv.AppendFloat(buf, rssi, 'f', 1, 64)
	buf = append(buf, " dBm ≤ max "...)
	buf = strconv.AppendFloat(buf, limit, 'f', 1, 64)
	return string(append(buf, " dBm"...))
}

// tooClose compares the grid distance of the cells' parents at
// CloseResolution with MinCellDistance. When H3 cannot measure it, the
// great-circle distance between the parents' centres decides, so an H3
// failure never reads as close.
func tooClose(p Params, a, b geo.Cell) (Verdict, bool) {
	pa, errA := a.Parent(p.CloseResolution)
	pb, errB := b.Parent(p.CloseResolution)
	if err := errors.Join(errA, errB); err != nil {
		return reject(NoLocation, "asserted cell finer than resolution %d needed: %v", p.CloseResolution, err), true
	}
	steps, err := geo.GridDistance(pa, pb)
	if err == nil {
		if steps < p.MinCellDistance {
			return reject(TooClose, "%d resolution-%d cells apart (minimum %d)", steps, p.CloseResolution, p.MinCellDistance), true
		}
		return Verdict{}, false
	}
	if d := geo.CellDistanceM(pa, pb); d < p.MinDistanceFallbackM {
		return reject(TooClose, "%.0f m apart (minimum %.0f m; H3 grid distance unavailable)", d, p.MinDistanceFallbackM), true
	}
	return Verdict{}, false
}
