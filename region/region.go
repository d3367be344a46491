// Package region holds the LoRaWAN regional plans hexnet uses for beacons:
// channels, data rates with their payload limits, maximum EIRP and RX2
// defaults, built from brocaar/lorawan's band package (LoRaWAN Regional
// Parameters). It is pure and CGO-free, so the hotspot may import it.
package region

import "errors"

// ErrUnknownRegion reports a region name no plan has.
var ErrUnknownRegion = errors.New("region: unknown region")

// ErrNoBeaconDataRate reports a plan with no data rate that can carry a
// beacon of the requested size on its beacon channels.
var ErrNoBeaconDataRate = errors.New("region: no data rate fits the beacon")

// Channel is an uplink channel.
type Channel struct {
	FrequencyHz uint32
	MinDR       int // lowest data-rate index allowed on the channel
	MaxDR       int // highest data-rate index allowed on the channel
}

// Allows reports whether data-rate index dr may be used on c.
func (c Channel) Allows(dr int) bool { return dr >= c.MinDR && dr <= c.MaxDR }

// DataRate is one LoRa data rate of a plan.
type DataRate struct {
	Index           int
	SpreadingFactor int
	BandwidthHz     int
	// MaxPayload is the largest application payload (the Regional
	// Parameters' N) in bytes: the conservative limit used for beacons.
	MaxPayload int
	// MaxMACPayload is the largest MACPayload (the Regional Parameters' M).
	MaxMACPayload int
	// Uplink reports whether some standard uplink channel allows this data
	// rate;
	// gateways only demodulate uplink data rates.
	Uplink bool
}

// RX2 is a plan's default second receive window.
type RX2 struct {
	FrequencyHz uint32
	DataRate    int
}

// Plan is one regional plan.
type Plan struct {
	Name string
	// MaxEIRPDBm is the band's default maximum EIRP in dBm (rounded to
	// 0.01 dB); beacons are received as uplinks, so they obey it.
	MaxEIRPDBm float64
	// UplinkChannels are the band's standard uplink channels in index order.
	UplinkChannels []Channel
	// DataRates are the LoRa data rates in index order (FSK and LR-FHSS
	// are left out: a concentrator's beacon path does not use them).
	DataRates []DataRate
	RX2       RX2
	// SubBand, when not 0, is the 8-channel sub-band (1-based) a typical
	// 8-channel gateway listens on in a fixed-channel plan (US915, AU915):
	// beacons use it. 0 means every uplink channel is a beacon channel.
	SubBand int
}
