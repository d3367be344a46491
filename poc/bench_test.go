package poc

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkWitnessRules measures pure rule evaluation (signatures already
// checked): one beacon with 14 honest witnesses 2–20 km away, every rule
// run for each. The figure for `make bench` is poc_witness_rules, in
// witnesses/s on one core (goal ≥ 500k/s). Hotspots carry their cell
// centres, as the registry keeps them.
func BenchmarkWitnessRules(b *testing.B) { benchWitnessRules(b, true) }

// BenchmarkWitnessRulesComputingCentres is the same with hotspots that do
// not carry their centres: H3's cellToLatLng (cgo) then dominates.
func BenchmarkWitnessRulesComputingCentres(b *testing.B) { benchWitnessRules(b, false) }

func benchWitnessRules(b *testing.B, located bool) {
	p := DefaultParams()
	locate := func(h Hotspot) Hotspot {
		if located {
			return h.Located()
		}
		return h
	}
	beaconer := locate(at(b, 1, 0, 0))
	_, beacon := round(b, beaconer)
	w := world{beaconer.Address: beaconer}
	var ws []Witness
	for i := range 14 {
		h := locate(at(b, byte(2+i), float64(i)*25, 2000+float64(i)*1300))
		w[h.Address] = h
		r := heard(h, beacon, -120, time.Duration(i)*50*time.Millisecond)
		r.ID = fmt.Sprint(i)
		ws = append(ws, r)
	}
	if v := JudgeWitnesses(p, beacon, beaconer, ws, w.lookup); v[13].Reason != Valid {
		b.Fatalf("setup: %+v", v[13])
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		JudgeWitnesses(p, beacon, beaconer, ws, w.lookup)
	}
	b.ReportMetric(float64(b.N*len(ws))/b.Elapsed().Seconds(), "witnesses/s")
}
