package poc

import (
	"fmt"
	"sort"
	"time"
)

// arrivalOrder returns the indices of ws sorted by arrival at the oracle:
// ReceivedAt, then ID, then input position (only identical IDs reach it).
func arrivalOrder(ws []Witness) []int {
	order := make([]int, len(ws))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		wa, wb := &ws[order[a]], &ws[order[b]]
		if !wa.ReceivedAt.Equal(wb.ReceivedAt) {
			return wa.ReceivedAt.Before(wb.ReceivedAt)
		}
		return wa.ID < wb.ID
	})
	return order
}

// applySpread marks late every valid report that arrived more than
// MaxWitnessSpread after the first valid one.
func applySpread(p Params, ws []Witness, order []int, out []Verdict) {
	var first time.Time
	found := false
	for _, i := range order {
		if !out[i].Valid {
			continue
		}
		if !found {
			first, found = ws[i].ReceivedAt, true
			continue
		}
		if gap := ws[i].ReceivedAt.Sub(first); gap > p.MaxWitnessSpread {
			out[i] = reject(Late, "received %v after the first witness (limit %v)", gap, p.MaxWitnessSpread)
		}
	}
}

// selectWitnesses applies reciprocity, then selects the first MaxWitnesses
// valid, reciprocal reports by arrival.
func selectWitnesses(p Params, ws []Witness, order []int, lastBeacon []time.Time, out []Verdict) {
	selected := 0
	for _, i := range order {
		if !out[i].Valid {
			continue
		}
		now := ws[i].ReceivedAt
		out[i] = reciprocity(p, out[i], lastBeacon[i], now, now)
		switch {
		case !out[i].Selected:
		case selected < p.MaxWitnesses:
			selected++
		default:
			out[i] = unselect(out[i], NotSelected)
			out[i].Detail = fmt.Sprintf("arrived after the first %d valid witnesses; %s", p.MaxWitnesses, out[i].Detail)
		}
	}
}

// JudgeRound judges a beacon and its witnesses together: when the beacon is
// invalid every witness gets BeaconInvalid; otherwise JudgeWitnesses.
func JudgeRound(p Params, want Challenge, b Beacon, ws []Witness, lookup Lookup) (Verdict, []Verdict) {
	bv := JudgeBeacon(p, want, b, lookup)
	if !bv.Valid {
		out := make([]Verdict, len(ws))
		for i := range out {
			out[i] = reject(BeaconInvalid, "beacon rejected: %s", bv.Reason)
		}
		return bv, out
	}
	beaconer, _ := lookup(b.Beaconer)
	return bv, JudgeWitnesses(p, b, beaconer, ws, lookup)
}
