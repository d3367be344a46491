package sim

import (
	"math"
	"testing"

	"github.com/hexnet/hexnet/geo"
)

func uplinkAt(r Radio, distanceM, shadowDB float64) Link {
	return r.budget(linkInput{txPowerDBm: 14, rxGainDBi: 3, distanceM: distanceM, frequencyHz: 868.1e6, shadowDB: shadowDB})
}

func TestPathLoss(t *testing.T) {
	r := DefaultRadio()
	// FSPL(1 m, 868.1 MHz) = 31.22 dB; + 32·log10(1000) = 96 → 127.22 dB at 1 km.
	if got := r.PathLossDB(1000, 868.1e6); math.Abs(got-127.22) > 0.01 {
		t.Errorf("PathLossDB(1 km) = %.3f, want 127.22", got)
	}
	if got := r.PathLossDB(0.2, 868.1e6); got != geo.FSPL(1, 868.1e6) {
		t.Errorf("PathLossDB under 1 m = %v, want the 1 m reference", got)
	}
	prev := math.Inf(1)
	for _, d := range []float64{10, 100, 500, 1000, 3000, 10000} {
		l := uplinkAt(r, d, 0)
		if l.RSSI >= prev {
			t.Errorf("RSSI at %v m is %v, not below %v", d, l.RSSI, prev)
		}
		prev = l.RSSI
		if math.Abs(l.SNR-math.Min(l.RSSI-r.NoiseFloorDBm(), MaxSNRDB)) > 1e-9 {
			t.Errorf("SNR %v is not RSSI %v less the noise floor (capped at MaxSNRDB)", l.SNR, l.RSSI)
		}
	}
}

// TestNeverBeatsFreeSpace: a lucky shadowing draw must not make a link
// stronger than free space, or honest witnesses would fail the verifier's
// "RSSI too strong" rule.
func TestNeverBeatsFreeSpace(t *testing.T) {
	r := DefaultRadio()
	for _, d := range []float64{2, 20, 350, 2000} {
		l := uplinkAt(r, d, -40)
		if max := geo.MaxRSSIDBm(14, 0, 3, d, 868.1e6); l.RSSI > max+1e-9 {
			t.Errorf("RSSI %v at %v m beats free space %v", l.RSSI, d, max)
		}
	}
}

// TestHearingProbability draws shadowing for many links at each distance.
// Median range with the default model: SF12 ≈ 6.9 km, SF7 ≈ 2.8 km.
func TestHearingProbability(t *testing.T) {
	r := DefaultRadio()
	tests := []struct {
		distanceM float64
		sf        int
		min, max  float64
	}{
		{300, 7, 0.99, 1},
		{1000, 12, 0.99, 1},
		{2800, 7, 0.40, 0.60},
		{6900, 12, 0.40, 0.60},
		{6900, 7, 0, 0.05},
		{20000, 12, 0, 0.05},
	}
	const n = 4000
	for _, tt := range tests {
		heard := 0
		for i := 0; i < n; i++ {
			if r.Heard(uplinkAt(r, tt.distanceM, r.ShadowingSigmaDB*normal(1, purposeShadowing, uint64(i))), tt.sf) {
				heard++
			}
		}
		if p := float64(heard) / n; p < tt.min || p > tt.max {
			t.Errorf("SF%d at %v m heard %.3f of the time, want %.2f..%.2f", tt.sf, tt.distanceM, p, tt.min, tt.max)
		}
	}
}

func TestHeardRespectsDemodFloor(t *testing.T) {
	r := DefaultRadio()
	for sf := 7; sf <= 12; sf++ {
		floor, _ := geo.DemodFloorDB(sf)
		at := Link{SNR: floor, RSSI: r.NoiseFloorDBm() + floor}
		below := Link{SNR: floor - 0.01, RSSI: r.NoiseFloorDBm() + floor - 0.01}
		if !r.Heard(at, sf) || r.Heard(below, sf) {
			t.Errorf("SF%d: heard at the floor %v, below it %v", sf, r.Heard(at, sf), r.Heard(below, sf))
		}
	}
	if r.Heard(Link{SNR: 10, RSSI: -100}, 13) {
		t.Error("heard at SF13")
	}
}

// TestWorldReceptionsRespectFloors checks every copy in a busy world.
func TestWorldReceptionsRespectFloors(t *testing.T) {
	w := newTestWorld(t, testConfig(4))
	r := w.cfg.Radio
	for round := 0; round < 5; round++ {
		for dev, d := range w.Devices() {
			up := send(t, w, dev, t0)
			floor, _ := geo.DemodFloorDB(d.SpreadingFactor)
			for _, rc := range up.Receptions {
				if rc.SNR < floor || math.Abs(rc.SNR-math.Min(rc.RSSI-r.NoiseFloorDBm(), MaxSNRDB)) > 1e-9 {
					t.Errorf("device %d SF%d heard by %d at SNR %.1f, RSSI %.1f", dev, d.SpreadingFactor, rc.Hotspot, rc.SNR, rc.RSSI)
				}
			}
		}
	}
}

func TestShadowingIsFixedPerLink(t *testing.T) {
	a := normal(9, purposeShadowing, pairID(3, 4))
	if b := normal(9, purposeShadowing, pairID(3, 4)); a != b {
		t.Errorf("the same link drew %v then %v", a, b)
	}
	if b := normal(9, purposeShadowing, pairID(4, 3)); a == b {
		t.Error("links (3,4) and (4,3) drew the same shadowing")
	}
	var sum, sq float64
	const n = 20000
	for i := 0; i < n; i++ {
		x := normal(9, purposeShadowing, uint64(i))
		sum += x
		sq += x * x
	}
	mean, sd := sum/n, math.Sqrt(sq/n-(sum/n)*(sum/n))
	if math.Abs(mean) > 0.03 || math.Abs(sd-1) > 0.03 {
		t.Errorf("normal draws: mean %.3f, sd %.3f", mean, sd)
	}
}
