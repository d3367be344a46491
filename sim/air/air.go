// Package air holds what the simulated radio and the virtual packet
// forwarders exchange: frames heard by a gateway, frames it transmits.
package air

import "time"

// Modulation is a LoRa data rate.
type Modulation struct {
	SpreadingFactor int    // 7..12
	BandwidthKHz    int    // 125, 250, 500
	CodingRate      string // "4/5"
}

// Reception is one frame as one gateway's radio heard it.
type Reception struct {
	PHYPayload  []byte
	FrequencyHz uint64
	Modulation  Modulation
	RSSI        float64   // dBm
	SNR         float64   // dB
	At          time.Time // end of the frame on air
}

// Transmission is a frame a gateway puts on air.
type Transmission struct {
	PHYPayload     []byte
	FrequencyHz    uint64
	Modulation     Modulation
	PowerDBm       float64   // conducted, before the antenna gain
	InvertPolarity bool      // true for LoRaWAN downlinks; false for beacons, which gateways hear
	At             time.Time // start of transmission
}

// Gateway receives what the air delivers to one gateway.
type Gateway interface {
	Receive(Reception)
}

// Medium carries a gateway's transmissions to the devices in range and,
// for those with uplink polarity (InvertPolarity false, as beacons are),
// to the other gateways in range.
type Medium interface {
	Transmit(gateway int, tx Transmission)
}
