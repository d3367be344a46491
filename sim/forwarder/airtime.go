package forwarder

import (
	"math"
	"time"
)

// airtime is the LoRa time on air of a downlink (explicit header, no payload
// CRC as LoRaWAN downlinks have none, 8 preamble symbols), after Semtech's
// SX127x datasheet, section 4.1.1.7.
func airtime(sf, bwKHz, payloadLen, codingRate int) time.Duration {
	if sf <= 0 || bwKHz <= 0 {
		return 0
	}
	tsym := math.Ldexp(1, sf) / float64(bwKHz*1000) // seconds
	lowRate := 0.0
	if tsym > 0.016 {
		lowRate = 1 // low data rate optimisation
	}
	num := float64(8*payloadLen - 4*sf + 28)
	den := 4 * (float64(sf) - 2*lowRate)
	symbols := 8 + math.Max(math.Ceil(num/den)*float64(codingRate+4), 0)
	preamble := (8 + 4.25) * tsym
	return time.Duration(math.Round((preamble + symbols*tsym) * float64(time.Second)))
}

// codingRateIndex maps "4/5".."4/8" to 1..4 (default 1).
func codingRateIndex(codr string) int {
	switch codr {
	case "4/6":
		return 2
	case "4/7":
		return 3
	case "4/8":
		return 4
	}
	return 1
}
