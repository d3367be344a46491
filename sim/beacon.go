package sim

import (
	"fmt"
	"hash/fnv"
	"math"
	"time"

	"github.com/hexnet/hexnet/geo"
	"github.com/hexnet/hexnet/sim/air"
)

// Beacon is a transmission a hotspot made with uplink polarity (not
// inverted IQ) — a proof-of-coverage beacon — and the other hotspots that
// demodulated it. Gateways listen with uplink polarity, so they hear such
// frames as they hear devices; devices, listening with inverted IQ, do not.
type Beacon struct {
	Hotspot     int // the transmitter
	PHYPayload  []byte
	FrequencyHz uint64
	Modulation  air.Modulation
	PowerDBm    float64   // conducted; the antenna gain comes on top
	Start, End  time.Time // on air; copies are delivered at End
	Receptions  []Reception
}

// BeaconsHeard returns, by transmitting hotspot index, every beacon put on
// air so far in order, with the hotspots that heard each and at what RSSI
// and SNR. Hotspots that never beaconed are absent.
func (w *World) BeaconsHeard() map[int][]Beacon {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make(map[int][]Beacon, len(w.beacons))
	for h, bs := range w.beacons {
		cp := make([]Beacon, len(bs))
		for i, b := range bs {
			cp[i] = b
			cp[i].PHYPayload = append([]byte(nil), b.PHYPayload...)
			cp[i].Receptions = append([]Reception(nil), b.Receptions...)
		}
		out[h] = cp
	}
	return out
}

// transmitBeacon works out which other hotspots hear an uplink-polarity
// transmission, records it and, while RunWith runs, hands each copy to its
// gateway when the frame ends.
func (w *World) transmitBeacon(gateway int, tx air.Transmission) {
	b, err := w.hearBeacon(gateway, tx)
	if err != nil {
		w.log.Warn("beacon transmission not modelled", "gateway", gateway, "err", err)
		return
	}
	w.mu.Lock()
	w.stats.BeaconsTransmitted++
	w.stats.BeaconWitnessCopies += int64(len(b.Receptions))
	w.beacons[gateway] = append(w.beacons[gateway], b)
	w.mu.Unlock()
	w.log.Debug("beacon on air", "hotspot", gateway, "frequency_hz", b.FrequencyHz, "heard_by", len(b.Receptions))
	w.cfg.Clock.AfterFunc(b.End.Sub(w.cfg.Clock.Now()), func() { w.deliverBeacon(b) })
}

// deliverBeacon hands each copy of b to its gateway. It does nothing when
// RunWith is not running: there is nobody to hand them to.
func (w *World) deliverBeacon(b Beacon) {
	w.mu.Lock()
	gws := w.gateways
	w.mu.Unlock()
	if gws == nil {
		return
	}
	for _, r := range b.Receptions {
		gws[r.Hotspot].Receive(air.Reception{
			PHYPayload: append([]byte(nil), b.PHYPayload...), FrequencyHz: b.FrequencyHz,
			Modulation: b.Modulation, RSSI: r.RSSI, SNR: r.SNR, At: b.End,
		})
	}
}

// hearBeacon runs tx from hotspot from through the radio model to every
// other hotspot, in index order. It depends only on the seed, the hotspots
// and tx, never on when it is called.
func (w *World) hearBeacon(from int, tx air.Transmission) (Beacon, error) {
	toa, err := beaconTimeOnAir(tx)
	if err != nil {
		return Beacon{}, err
	}
	b := Beacon{
		Hotspot: from, PHYPayload: append([]byte(nil), tx.PHYPayload...), FrequencyHz: tx.FrequencyHz,
		Modulation: tx.Modulation, PowerDBm: tx.PowerDBm, Start: tx.At, End: tx.At.Add(toa),
	}
	for _, h := range w.hotspots {
		if h.Index == from {
			continue // half duplex: a transmitting radio hears nothing
		}
		l := w.hotspotLink(from, h.Index, tx)
		if w.cfg.Radio.Heard(l, tx.Modulation.SpreadingFactor) {
			b.Receptions = append(b.Receptions, Reception{Hotspot: h.Index, RSSI: l.RSSI, SNR: l.SNR})
		}
	}
	return b, nil
}

// beaconTimeOnAir is an uplink-shaped frame's duration: explicit header,
// payload CRC on.
func beaconTimeOnAir(tx air.Transmission) (time.Duration, error) {
	cr := 1
	if tx.Modulation.CodingRate != "" {
		var err error
		if cr, err = geo.ParseCodingRate(tx.Modulation.CodingRate); err != nil {
			return 0, err
		}
	}
	m := geo.LoRa{SpreadingFactor: tx.Modulation.SpreadingFactor, BandwidthHz: tx.Modulation.BandwidthKHz * 1000, CodingRate: cr, CRC: true}
	toa, err := geo.TimeOnAir(m, len(tx.PHYPayload))
	if err != nil {
		return 0, fmt.Errorf("time on air: %w", err)
	}
	return toa, nil
}

// hotspotLink is the budget of tx from hotspot a to hotspot b: the same
// path-loss model as device links, over the slant distance between the two
// antennas, with both antenna gains, log-normal shadowing fixed per pair
// by the seed (the same both ways) and a fading term fixed by the frame
// and the receiver.
func (w *World) hotspotLink(a, b int, tx air.Transmission) Link {
	ha, hb := w.hotspots[a], w.hotspots[b]
	r := w.cfg.Radio
	f := fnv.New64a()
	f.Write(tx.PHYPayload)
	return r.budget(linkInput{
		txPowerDBm: tx.PowerDBm, txGainDBi: ha.AntennaGainDBi, rxGainDBi: hb.AntennaGainDBi,
		distanceM: hotspotDistanceM(ha, hb), frequencyHz: float64(tx.FrequencyHz),
		shadowDB: w.hotspotShadowDB(a, b),
		fadingDB: r.FadingSigmaDB * normal(w.cfg.Seed, purposeBeaconFading, f.Sum64()^pairID(a, b)),
	})
}

// hotspotShadowDB is the shadowing of the link between hotspots a and b.
func (w *World) hotspotShadowDB(a, b int) float64 {
	lo, hi := min(a, b), max(a, b)
	return w.cfg.Radio.ShadowingSigmaDB * normal(w.cfg.Seed, purposeHotspotShadowing, pairID(lo, hi))
}

// hotspotDistanceM is the slant distance between two hotspots' antennas.
func hotspotDistanceM(a, b Hotspot) float64 {
	return math.Hypot(geo.DistanceM(a.Point(), b.Point()), a.AltitudeM-b.AltitudeM)
}
