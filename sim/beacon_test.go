package sim

import (
	"math"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hexnet/hexnet/beacon"
	"github.com/hexnet/hexnet/clock"
	"github.com/hexnet/hexnet/geo"
	"github.com/hexnet/hexnet/sim/air"
)

// recorder is a gateway that records what the air delivers to it.
type recorder struct {
	mu  sync.Mutex
	got []air.Reception
}

func (r *recorder) Receive(rx air.Reception) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, rx)
}

func (r *recorder) received() []air.Reception {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]air.Reception(nil), r.got...)
}

func beaconTx(at time.Time) air.Transmission {
	return air.Transmission{
		PHYPayload: beacon.Frame(beacon.Payload([]byte("entropy"), make([]byte, 32))), FrequencyHz: 868_100_000,
		Modulation: air.Modulation{SpreadingFactor: 9, BandwidthKHz: 125, CodingRate: "4/5"}, PowerDBm: 14, At: at,
	}
}

// beaconWorld is a three-hotspot world where hotspot 1 is 300 m from
// hotspot 0 and hotspot 2 is 60 km away, with a fake clock and recording
// gateways.
func beaconWorld(t *testing.T, seed int64) (*World, *clock.Fake, []*recorder) {
	t.Helper()
	clk := clock.NewFake(t0)
	cfg := testConfig(seed)
	cfg.Hotspots, cfg.Devices, cfg.Clock = 3, 0, clk
	w := newTestWorld(t, cfg)
	a := w.hotspots[0].Point()
	for i, d := range map[int]float64{1: 300, 2: 60_000} {
		p := geo.Destination(a, 90, d)
		w.hotspots[i].Lat, w.hotspots[i].Lng = p.Lat, p.Lng
	}
	recs := []*recorder{{}, {}, {}}
	w.setGateways([]air.Gateway{recs[0], recs[1], recs[2]})
	return w, clk, recs
}

// TestBeaconHeardInRange: a beacon from hotspot 0 reaches hotspot 1 next
// door with an RSSI the radio model allows, at the end of the frame, and
// neither the hotspot 60 km away nor the transmitter itself.
func TestBeaconHeardInRange(t *testing.T) {
	w, clk, recs := beaconWorld(t, 5)
	tx := beaconTx(t0)
	w.Transmit(0, tx)

	toa, err := geo.TimeOnAir(geo.LoRa{SpreadingFactor: 9, BandwidthHz: 125000, CodingRate: 1, CRC: true}, beacon.FrameSize)
	if err != nil {
		t.Fatal(err)
	}
	heard := w.BeaconsHeard()
	if len(heard) != 1 || len(heard[0]) != 1 {
		t.Fatalf("BeaconsHeard = %+v, want one beacon from hotspot 0", heard)
	}
	b := heard[0][0]
	if !b.Start.Equal(t0) || !b.End.Equal(t0.Add(toa)) || len(b.Receptions) != 1 || b.Receptions[0].Hotspot != 1 {
		t.Fatalf("beacon %+v: want on air %v for %v, heard by hotspot 1 only", b, t0, toa)
	}
	checkModel(t, w, b.Receptions[0], tx)
	if s := w.Stats(); s.BeaconsTransmitted != 1 || s.BeaconWitnessCopies != 1 || s.DownlinksTransmitted != 0 {
		t.Errorf("stats = %+v, want 1 beacon, 1 copy, no downlink", s)
	}

	clk.Advance(toa - time.Millisecond)
	if got := recs[1].received(); len(got) != 0 {
		t.Fatalf("delivered before the frame ended: %+v", got)
	}
	clk.Advance(time.Millisecond)
	want := []air.Reception{{PHYPayload: tx.PHYPayload, FrequencyHz: tx.FrequencyHz, Modulation: tx.Modulation,
		RSSI: b.Receptions[0].RSSI, SNR: b.Receptions[0].SNR, At: t0.Add(toa)}}
	if diff := cmp.Diff(want, recs[1].received()); diff != "" {
		t.Errorf("hotspot 1 received (-want +got):\n%s", diff)
	}
	if len(recs[0].received())+len(recs[2].received()) != 0 {
		t.Error("the transmitter or the far hotspot received the beacon")
	}
}

// checkModel: a copy's RSSI is the link's median budget give or take a
// few fading sigmas, never stronger than free space, and SNR is RSSI over
// the noise floor.
func checkModel(t *testing.T, w *World, rx Reception, tx air.Transmission) {
	t.Helper()
	a, b := w.hotspots[0], w.hotspots[rx.Hotspot]
	r := w.cfg.Radio
	d := hotspotDistanceM(a, b)
	median := r.budget(linkInput{txPowerDBm: tx.PowerDBm, txGainDBi: a.AntennaGainDBi, rxGainDBi: b.AntennaGainDBi,
		distanceM: d, frequencyHz: float64(tx.FrequencyHz), shadowDB: w.hotspotShadowDB(0, rx.Hotspot)})
	if math.Abs(rx.RSSI-median.RSSI) > 4*r.FadingSigmaDB {
		t.Errorf("RSSI %.1f dBm is more than 4 fading sigmas from the link's median %.1f dBm", rx.RSSI, median.RSSI)
	}
	if limit := geo.MaxRSSIDBm(tx.PowerDBm, a.AntennaGainDBi, b.AntennaGainDBi, d, float64(tx.FrequencyHz)); rx.RSSI > limit+1e-9 {
		t.Errorf("RSSI %.1f dBm beats free space (%.1f dBm)", rx.RSSI, limit)
	}
	if math.Abs(rx.SNR-math.Min(rx.RSSI-r.NoiseFloorDBm(), MaxSNRDB)) > 1e-9 {
		t.Errorf("SNR %.2f is not RSSI %.2f over the noise floor", rx.SNR, rx.RSSI)
	}
	if w.hotspotShadowDB(0, rx.Hotspot) != w.hotspotShadowDB(rx.Hotspot, 0) {
		t.Error("shadowing differs by direction")
	}
}

// TestBeaconsDeterministic: the same seed and transmissions give the same
// receptions, whatever the clock; another seed gives other links.
func TestBeaconsDeterministic(t *testing.T) {
	run := func(seed int64, at time.Time) map[int][]Beacon {
		cfg := testConfig(seed)
		cfg.Devices = 0
		w := newTestWorld(t, cfg)
		for h := range w.hotspots {
			tx := beaconTx(at.Add(time.Duration(h) * time.Second))
			tx.PowerDBm = 27
			w.Transmit(h, tx)
		}
		out := w.BeaconsHeard()
		for h := range out {
			for i := range out[h] {
				out[h][i].Start, out[h][i].End = time.Time{}, time.Time{}
			}
		}
		return out
	}
	a, b := run(11, t0), run(11, t0.Add(time.Hour))
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("same seed, different receptions (-a +b):\n%s", diff)
	}
	copies := 0
	for _, bs := range a {
		copies += len(bs[0].Receptions)
	}
	if copies == 0 || copies == 12*11 {
		t.Errorf("%d copies among 12 hotspots in a city: want some links to close and some not", copies)
	}
	if cmp.Equal(a, run(12, t0)) {
		t.Error("seeds 11 and 12 gave the same receptions")
	}
}

// TestDownlinkPolarityNotHeardByHotspots: an ordinary downlink (inverted
// IQ) is for devices only.
func TestDownlinkPolarityNotHeardByHotspots(t *testing.T) {
	w, clk, recs := beaconWorld(t, 5)
	tx := beaconTx(t0)
	tx.InvertPolarity = true
	w.Transmit(0, tx)
	clk.Advance(time.Second)
	if len(w.BeaconsHeard()) != 0 || len(recs[1].received()) != 0 {
		t.Error("a hotspot heard an inverted-polarity downlink")
	}
	if s := w.Stats(); s.DownlinksTransmitted != 1 || s.BeaconsTransmitted != 0 {
		t.Errorf("stats = %+v, want 1 downlink, no beacon", s)
	}
}

// TestBeaconNotDeliveredWithoutRun: outside RunWith, beacons are worked
// out and recorded but nobody is handed a copy.
func TestBeaconNotDeliveredWithoutRun(t *testing.T) {
	w, clk, recs := beaconWorld(t, 5)
	w.setGateways(nil)
	w.Transmit(0, beaconTx(t0))
	clk.Advance(time.Second)
	if len(recs[1].received()) != 0 || len(w.BeaconsHeard()[0]) != 1 {
		t.Error("want the beacon recorded and not delivered")
	}
}
