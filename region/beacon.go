package region

import (
	"fmt"
	"math"
)

// subBandSize is the number of 125 kHz channels in a fixed-plan sub-band.
const subBandSize = 8

// BeaconChannels returns the channels beacons may use: the plan's sub-band
// in a fixed-channel plan (US915 and AU915 use sub-band 2, channels 8–15,
// where community gateways listen), otherwise every standard uplink
// channel (the default channels every LoRaWAN gateway in the region hears).
func BeaconChannels(p Plan) []Channel {
	if p.SubBand <= 0 {
		return append([]Channel(nil), p.UplinkChannels...)
	}
	lo := (p.SubBand - 1) * subBandSize
	hi := min(lo+subBandSize, len(p.UplinkChannels))
	if lo >= hi {
		return nil
	}
	return append([]Channel(nil), p.UplinkChannels[lo:hi]...)
}

// BeaconDataRate returns the first data rate in the plan's order (DR0
// upward) that gateways demodulate (an uplink data rate), that every beacon
// channel allows, and whose MaxPayload (the Regional Parameters' N, the
// conservative limit) is at least size bytes, size being the frame's
// length after its MHDR (beacon.PayloadSize for hexnet beacons).
func BeaconDataRate(p Plan, size int) (DataRate, error) {
	chans := BeaconChannels(p)
	for _, dr := range p.DataRates {
		if dr.Uplink && dr.MaxPayload >= size && allAllow(chans, dr.Index) {
			return dr, nil
		}
	}
	return DataRate{}, fmt.Errorf("%w: %d bytes in %s", ErrNoBeaconDataRate, size, p.Name)
}

func allAllow(chans []Channel, dr int) bool {
	for _, c := range chans {
		if !c.Allows(dr) {
			return false
		}
	}
	return len(chans) > 0
}

// BeaconPowerDBm is the conducted power a hotspot with an antenna of
// gainDBi beacons at: the plan's maximum EIRP minus the gain, rounded down
// to a whole dBm so the radiated power never exceeds the limit.
func BeaconPowerDBm(p Plan, gainDBi float64) int {
	return int(math.Floor(p.MaxEIRPDBm - gainDBi + 1e-9))
}

// DataRateOf finds the plan's data rate with this spreading factor and
// bandwidth, preferring uplink data rates.
func DataRateOf(p Plan, sf, bandwidthHz int) (DataRate, bool) {
	var found DataRate
	ok := false
	for _, dr := range p.DataRates {
		if dr.SpreadingFactor == sf && dr.BandwidthHz == bandwidthHz && (!ok || dr.Uplink && !found.Uplink) {
			found, ok = dr, true
		}
	}
	return found, ok
}
