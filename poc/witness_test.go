package poc

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/hexnet/hexnet/geo"
)

// witnessCase builds the reports of one beacon; the verdict checked is the
// last report's.
type witnessCase struct {
	name     string
	reports  func(t *testing.T, w world, b Beacon) []Witness
	want     Reason
	valid    bool
	selected bool
	detail   string // substring of the verdict's detail
}

// one registers h and returns a single honest report from it.
func one(h Hotspot, rssi float64, after time.Duration, edit func(*Hotspot, *Witness)) func(*testing.T, world, Beacon) []Witness {
	return func(t *testing.T, w world, b Beacon) []Witness {
		r := heard(h, b, rssi, after)
		if edit != nil {
			edit(&h, &r)
		}
		w[h.Address] = h
		return []Witness{r}
	}
}

func witnessCases(t *testing.T) []witnessCase {
	near := at(t, 2, 90, 2000)
	return []witnessCase{
		{name: "valid", reports: one(near, -100, time.Second, nil), want: Valid, valid: true, selected: true, detail: "RSSI -100.0 dBm ≤ max"},
		{name: "self witness", reports: func(t *testing.T, w world, b Beacon) []Witness {
			return []Witness{heard(w[b.Beaconer], b, -100, time.Second)}
		}, want: SelfWitness},
		{name: "unknown hotspot", reports: func(t *testing.T, w world, b Beacon) []Witness {
			return []Witness{heard(at(t, 50, 0, 3000), b, -100, time.Second)}
		}, want: UnknownHotspot},
		{name: "denied", reports: one(near, -100, time.Second, func(h *Hotspot, _ *Witness) { h.Denied = true }), want: Denied},
		{name: "no location", reports: one(near, -100, time.Second, func(h *Hotspot, _ *Witness) { h.Asserted = false }), want: NoLocation},
		{name: "invalid asserted cell", reports: one(near, -100, time.Second, func(h *Hotspot, _ *Witness) { h.Cell = 12345 }), want: NoLocation},
		{name: "payload mismatch", reports: one(near, -100, time.Second, func(_ *Hotspot, r *Witness) { r.Payload = []byte("forged") }), want: PayloadMismatch},
		{name: "frequency 100 kHz off is fine", reports: one(near, -100, time.Second, func(_ *Hotspot, r *Witness) { r.FrequencyHz += 100_000 }), want: Valid, valid: true, selected: true},
		{name: "frequency 100.001 kHz off", reports: one(near, -100, time.Second, func(_ *Hotspot, r *Witness) { r.FrequencyHz -= 100_001 }), want: FrequencyMismatch, detail: "868.0000 MHz"},
		{name: "data rate mismatch", reports: one(near, -100, time.Second, func(_ *Hotspot, r *Witness) { r.DataRate.SpreadingFactor = 7 }), want: DataRateMismatch, detail: "SF7 BW125"},
		{name: "region mismatch", reports: one(near, -100, time.Second, func(h *Hotspot, _ *Witness) { h.Region = "US915" }), want: RegionMismatch},
		{name: "RSSI NaN", reports: one(near, math.NaN(), time.Second, nil), want: ImplausibleSignal},
		{name: "RSSI -200 dBm", reports: one(near, -200, time.Second, nil), want: ImplausibleSignal},
		{name: "SNR +40 dB", reports: one(near, -100, time.Second, func(_ *Hotspot, r *Witness) { r.SNR = 40 }), want: ImplausibleSignal},
		// res-11 neighbour centres are ≈ 43 m apart: 150 m is about 3–4 steps.
		{name: "too close", reports: one(at(t, 3, 45, 150), -100, time.Second, nil), want: TooClose, detail: "resolution-11 cells apart (minimum 8)"},
		{name: "too far", reports: one(at(t, 3, 45, 150_000), -130, time.Second, nil), want: TooFar, detail: "(limit 100.0 km)"},
		{name: "just inside 100 km", reports: one(at(t, 3, 45, 99_900), -130, time.Second, nil), want: Valid, valid: true, selected: true},
		// 13 dBm + 3 + 3 dBi − FSPL(2 km, 868.1 MHz) (97.24 dB) = −78.2 dBm
		{name: "RSSI too strong", reports: one(near, -70, time.Second, nil), want: RSSITooStrong, detail: "RSSI -70.0 dBm > max -78."},
		{name: "late after the beacon report", reports: one(near, -100, 4001*time.Millisecond, nil), want: Late, detail: "after the beacon report (limit 4s)"},
		{name: "exactly 4 s is in time", reports: one(near, -100, 4*time.Second, nil), want: Valid, valid: true, selected: true},
		{name: "early", reports: one(near, -100, -4001*time.Millisecond, nil), want: Early},
		{name: "before the beacon report within the lead", reports: one(near, -100, -time.Second, nil), want: Valid, valid: true, selected: true},
		{name: "late after the first witness", reports: func(t *testing.T, w world, b Beacon) []Witness {
			a, c := at(t, 3, 0, 3000), at(t, 4, 180, 3000)
			w[a.Address], w[c.Address] = a, c
			return []Witness{heard(a, b, -100, 0), heard(c, b, -100, 1501*time.Millisecond)}
		}, want: Late, detail: "after the first witness (limit 1.5s)"},
		{name: "an invalid early report does not start the spread clock", reports: func(t *testing.T, w world, b Beacon) []Witness {
			a, c := at(t, 3, 0, 3000), at(t, 4, 180, 3000)
			w[a.Address], w[c.Address] = a, c
			forged := heard(a, b, -100, 0)
			forged.Payload = []byte("x")
			return []Witness{forged, heard(c, b, -100, 3*time.Second)}
		}, want: Valid, valid: true, selected: true},
		{name: "duplicate", reports: func(t *testing.T, w world, b Beacon) []Witness {
			w[near.Address] = near
			return []Witness{heard(near, b, -100, time.Second), heard(near, b, -101, 2*time.Second)}
		}, want: Duplicate},
		{name: "duplicate is decided by arrival, not input order", reports: func(t *testing.T, w world, b Beacon) []Witness {
			w[near.Address] = near
			return []Witness{heard(near, b, -100, 2*time.Second), heard(near, b, -101, time.Second)}
		}, want: Valid, valid: true, selected: true},
		{name: "not reciprocal", reports: one(near, -100, time.Second, func(h *Hotspot, _ *Witness) { h.LastBeacon = t0.Add(-49 * time.Hour) }),
			want: NotReciprocal, valid: true, detail: "last beacon with witnesses 49h0m1s ago"},
		{name: "fifteenth valid witness is not selected", reports: func(t *testing.T, w world, b Beacon) []Witness {
			var out []Witness
			for i := range 15 {
				h := at(t, byte(10+i), float64(i)*24, 5000)
				w[h.Address] = h
				out = append(out, heard(h, b, -110, time.Duration(i)*time.Millisecond))
			}
			return out
		}, want: NotSelected, valid: true, detail: "after the first 14 valid witnesses"},
	}
}

func TestJudgeWitnessesVerdicts(t *testing.T) {
	p := DefaultParams()
	beaconer := at(t, 1, 0, 0)
	_, b := round(t, beaconer)
	for _, tt := range witnessCases(t) {
		t.Run(tt.name, func(t *testing.T) {
			w := world{beaconer.Address: beaconer}
			reports := tt.reports(t, w, b)
			verdicts := JudgeWitnesses(p, b, beaconer, reports, w.lookup)
			if len(verdicts) != len(reports) {
				t.Fatalf("%d verdicts for %d reports", len(verdicts), len(reports))
			}
			checkVerdict(t, verdicts[len(verdicts)-1], tt.want, tt.valid, tt.selected, tt.detail)
		})
	}
}

func checkVerdict(t *testing.T, v Verdict, want Reason, valid, selected bool, detail string) {
	t.Helper()
	if v.Reason != want || v.Valid != valid || v.Selected != selected {
		t.Errorf("verdict %+v; want reason %s, valid %v, selected %v", v, want, valid, selected)
	}
	if !strings.Contains(v.Detail, detail) {
		t.Errorf("detail %q lacks %q", v.Detail, detail)
	}
	if (v.Err() == nil) != selected || (!selected && !errors.Is(v.Err(), want)) {
		t.Errorf("Err() = %v for reason %s", v.Err(), want)
	}
}

// TestRSSIBoundByHand is the example: 12 dBm, gains 8 and 8 dBi,
// 508 m, 867.9 MHz. FSPL = 20·log10(4π·508·867.9e6/c) = 85.334 dB, so the
// strongest possible RSSI is 12 + 8 + 8 − 85.334 = −57.334 dBm.
func TestRSSIBoundByHand(t *testing.T) {
	p := DefaultParams()
	beaconer := at(t, 1, 0, 0)
	beaconer.GainDBi = 8
	_, b := round(t, beaconer)
	b.PowerDBm, b.FrequencyHz = 12, 867_900_000
	witness := at(t, 2, 90, 508)
	witness.GainDBi = 8
	from, _ := siteOf(beaconer)
	to, _ := siteOf(witness)
	d := geo.DistanceM(from.center, to.center)
	// The asserted cells' centres lie within a res-12 cell (≈ 10 m) of the
	// points: the bound moves by at most 20·log10(518/508) ≈ 0.17 dB.
	if d < 490 || d > 526 {
		t.Fatalf("cell centres %.0f m apart, want about 508", d)
	}
	w := world{beaconer.Address: beaconer, witness.Address: witness}
	for _, tt := range []struct {
		rssi float64
		want Reason
	}{{-57.0, RSSITooStrong}, {-40, RSSITooStrong}, {-57.7, Valid}, {-90, Valid}} {
		v := JudgeWitnesses(p, b, beaconer, []Witness{heard(witness, b, tt.rssi, time.Second)}, w.lookup)[0]
		if v.Reason != tt.want || !strings.Contains(v.Detail, "max -57.") {
			t.Errorf("RSSI %.1f: %+v; want %s with max ≈ -57.3 dBm", tt.rssi, v, tt.want)
		}
	}
	if got := geo.MaxRSSIDBm(12, 8, 8, 508, 867.9e6); math.Abs(got-(-57.334)) > 0.001 {
		t.Errorf("MaxRSSIDBm = %.3f, want -57.334", got)
	}
}

// TestTooCloseByGridDistance checks the boundary: 7 res-11 steps is too
// close, 8 is not.
func TestTooCloseByGridDistance(t *testing.T) {
	p := DefaultParams()
	beaconer := at(t, 1, 0, 0)
	from, _ := beaconer.Cell.Parent(11)
	for d := 100.0; d <= 600; d += 5 {
		h := at(t, 2, 90, d)
		to, _ := h.Cell.Parent(11)
		steps, err := geo.GridDistance(from, to)
		if err != nil {
			t.Fatal(err)
		}
		_, close := tooClose(p, beaconer.Cell, h.Cell)
		if close != (steps < 8) {
			t.Errorf("%.0f m, %d steps: too close = %v", d, steps, close)
		}
	}
}

// TestCloseBoundIsSafe: beyond closeBoundM no direction gives fewer than
// MinCellDistance steps, so skipping H3 there changes no verdict.
func TestCloseBoundIsSafe(t *testing.T) {
	p := DefaultParams()
	bound := closeBoundM(p)
	if bound < 1000 || bound > 3000 {
		t.Fatalf("bound %.0f m, want a generous 1–3 km", bound)
	}
	for _, origin := range []geo.Point{lisbon, {Lat: 64.1, Lng: -21.9}, {Lat: -1.3, Lng: 36.8}} {
		for bearing := 0.0; bearing < 360; bearing += 15 {
			a, _ := geo.CellOf(origin, 12)
			b, _ := geo.CellOf(geo.Destination(origin, bearing, bound/4), 12)
			if _, close := tooClose(p, a, b); close {
				t.Errorf("%v bearing %v: a quarter of the bound (%.0f m) is already too close", origin, bearing, bound/4)
			}
		}
	}
}

// TestTooCloseNeverFromH3Failure: cells H3 cannot measure are far.
func TestTooCloseNeverFromH3Failure(t *testing.T) {
	p := DefaultParams()
	sydney, _ := geo.CellOf(geo.Point{Lat: -33.8688, Lng: 151.2093}, 12)
	if v, close := tooClose(p, at(t, 1, 0, 0).Cell, sydney); close {
		t.Errorf("Lisbon–Sydney judged too close: %+v", v)
	}
}

func TestJudgeWitnessesBeaconerWithoutLocation(t *testing.T) {
	beaconer := at(t, 1, 0, 0)
	_, b := round(t, beaconer)
	beaconer.Asserted = false
	near := at(t, 2, 90, 2000)
	w := world{near.Address: near}
	v := JudgeWitnesses(DefaultParams(), b, beaconer, []Witness{heard(near, b, -100, 0)}, w.lookup)
	checkVerdict(t, v[0], BeaconInvalid, false, false, "no asserted location")
}
