package sim

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/brocaar/lorawan"

	"github.com/hexnet/hexnet/geo"
)

// Placement constants.
const (
	deviceAltitudeM   = 1.5
	deviceGainDBi     = 0
	sfMarginDB        = 3 // headroom over the demodulation floor when picking a spreading factor
	reachSigmas       = 4 // fading sigmas a link may gain before it is out of reach
	planningFrequency = 868_100_000
)

// hotspotGains are common LoRa gateway antennas, in dBi.
func hotspotGains() []float64 { return []float64{1.2, 2.3, 3.0, 4.0, 5.8, 8.0} }

// randomPoint is uniform over the city's disc.
func randomPoint(c City, rng *rand.Rand) geo.Point {
	r := c.RadiusM * math.Sqrt(rng.Float64())
	return geo.Destination(c.Centre, 360*rng.Float64(), r)
}

func placeHotspots(cfg Config, c City, rng *rand.Rand) ([]Hotspot, error) {
	hs := make([]Hotspot, cfg.Hotspots)
	gains := hotspotGains()
	for i := range hs {
		p := randomPoint(c, rng)
		key, err := hotspotKey(cfg.Seed, i)
		if err != nil {
			return nil, err
		}
		cell, err := geo.CellOf(p, geo.ResAsserted)
		if err != nil {
			return nil, fmt.Errorf("hotspot %d cell: %w", i, err)
		}
		hs[i] = Hotspot{
			Index: i, Key: key, Address: key.Address(), GatewayEUI: GatewayEUIOf(key.Address()),
			Lat: p.Lat, Lng: p.Lng, AltitudeM: math.Round(3 + 27*rng.Float64()),
			AntennaGainDBi: gains[rng.IntN(len(gains))], Cell: cell,
		}
	}
	return hs, nil
}

// otaaAt spreads floor(n·share) OTAA devices evenly over the indices.
func otaaAt(i int, share float64) bool {
	return math.Floor(float64(i+1)*share) > math.Floor(float64(i)*share)
}

// placeDevice draws every field for every device, so that changing the
// OTAA share does not move the other draws, then clears what its
// activation does not use.
func placeDevice(i int, cfg Config, c City, joinEUI lorawan.EUI64, rng *rand.Rand) Device {
	p := randomPoint(c, rng)
	d := Device{
		Index: i, Name: fmt.Sprintf("sim-%04d", i), JoinEUI: joinEUI, OTAA: otaaAt(i, cfg.OTAAShare),
		DevEUI: randomEUI(rng), AppKey: randomKey(rng), NwkSKey: randomKey(rng), AppSKey: randomKey(rng),
		Lat: p.Lat, Lng: p.Lng, AltitudeM: deviceAltitudeM, AntennaGainDBi: deviceGainDBi,
		TXPowerDBm: DeviceTXPowerDBm, Channels: DefaultChannels(),
		FPort: uint8(1 + rng.IntN(223)), DevNonceStart: uint16(rng.Uint32()),
	}
	d.DevAddr = randomDevAddr(cfg.NetID, rng)
	if d.OTAA {
		d.DevAddr, d.NwkSKey, d.AppSKey = lorawan.DevAddr{}, lorawan.AES128Key{}, lorawan.AES128Key{}
	} else {
		d.AppKey = lorawan.AES128Key{}
	}
	return d
}

func randomEUI(rng *rand.Rand) lorawan.EUI64 {
	var e lorawan.EUI64
	binary.BigEndian.PutUint64(e[:], rng.Uint64())
	return e
}

func randomKey(rng *rand.Rand) lorawan.AES128Key {
	var k lorawan.AES128Key
	binary.BigEndian.PutUint64(k[:8], rng.Uint64())
	binary.BigEndian.PutUint64(k[8:], rng.Uint64())
	return k
}

// randomDevAddr is a random address inside netID's range.
func randomDevAddr(netID lorawan.NetID, rng *rand.Rand) lorawan.DevAddr {
	var a lorawan.DevAddr
	binary.BigEndian.PutUint32(a[:], rng.Uint32())
	a.SetAddrPrefix(netID)
	return a
}

// linkDistanceM is the slant distance between a device and a hotspot.
func linkDistanceM(d Device, h Hotspot) float64 {
	ground := geo.DistanceM(d.Point(), h.Point())
	return math.Hypot(ground, h.AltitudeM-d.AltitudeM)
}

// meanUplink is a link's budget without per-frame fading.
func meanUplink(r Radio, d Device, h Hotspot, c candidate) Link {
	return r.budget(linkInput{
		txPowerDBm: d.TXPowerDBm, txGainDBi: d.AntennaGainDBi, rxGainDBi: h.AntennaGainDBi,
		distanceM: c.distanceM, frequencyHz: planningFrequency, shadowDB: c.shadowDB,
	})
}

// reachable lists the hotspots that could ever hear d (at SF12, with a
// few sigmas of lucky fading), with their fixed link terms.
func reachable(cfg Config, d Device, hs []Hotspot) []candidate {
	var out []candidate
	floor, _ := geo.DemodFloorDB(12)
	for _, h := range hs {
		c := candidate{hotspot: h.Index, distanceM: linkDistanceM(d, h)}
		c.shadowDB = cfg.Radio.ShadowingSigmaDB * normal(cfg.Seed, purposeShadowing, pairID(d.Index, h.Index))
		if meanUplink(cfg.Radio, d, h, c).SNR+reachSigmas*cfg.Radio.FadingSigmaDB >= floor {
			out = append(out, c)
		}
	}
	return out
}

// pickSF is the fastest spreading factor at which the best link keeps
// sfMarginDB over the demodulation floor; SF12 when none does.
func pickSF(r Radio, d Device, hs []Hotspot, links []candidate) int {
	best := math.Inf(-1)
	for _, c := range links {
		best = math.Max(best, meanUplink(r, d, hs[c.hotspot], c).SNR)
	}
	for sf := 7; sf < 12; sf++ {
		if floor, _ := geo.DemodFloorDB(sf); best >= floor+sfMarginDB {
			return sf
		}
	}
	return 12
}
