package geo

import (
	"fmt"
	"math"
)

// SpeedOfLight in vacuum, metres per second.
const SpeedOfLight = 299_792_458.0

// ThermalNoiseDBmPerHz is kTB at 290 K for 1 Hz.
const ThermalNoiseDBmPerHz = -174.0

// FSPL is the free-space path loss in dB over distanceM metres at
// frequencyHz: 20·log10(4π·d·f/c). It is 0 for non-positive distances.
func FSPL(distanceM, frequencyHz float64) float64 {
	if distanceM <= 0 || frequencyHz <= 0 {
		return 0
	}
	return 20 * math.Log10(4*math.Pi*distanceM*frequencyHz/SpeedOfLight)
}

// NoiseFloorDBm is the thermal noise power in dBm a receiver with the given
// noise figure sees over bandwidthHz: -174 + 10·log10(BW) + NF.
func NoiseFloorDBm(bandwidthHz, noiseFigureDB float64) float64 {
	return ThermalNoiseDBmPerHz + 10*math.Log10(bandwidthHz) + noiseFigureDB
}

// DemodFloorDB is the lowest SNR in dB at which a LoRa receiver demodulates
// spreading factor sf (SX127x/SX130x datasheets).
func DemodFloorDB(sf int) (float64, error) {
	if sf < 7 || sf > 12 {
		return 0, fmt.Errorf("%w: spreading factor %d, want 7..12", ErrLoRaParams, sf)
	}
	return -7.5 - 2.5*float64(sf-7), nil
}

// SensitivityDBm is the weakest signal in dBm a receiver demodulates at sf:
// its noise floor plus the demodulation floor.
func SensitivityDBm(sf int, bandwidthHz, noiseFigureDB float64) (float64, error) {
	floor, err := DemodFloorDB(sf)
	if err != nil {
		return 0, err
	}
	return NoiseFloorDBm(bandwidthHz, noiseFigureDB) + floor, nil
}

// MaxRSSIDBm is the strongest RSSI physics allows over free space: transmit
// power plus both antenna gains minus FSPL(d, f). A reported RSSI above it
// means the distance or the report is false.
func MaxRSSIDBm(txPowerDBm, txGainDBi, rxGainDBi, distanceM, frequencyHz float64) float64 {
	return txPowerDBm + txGainDBi + rxGainDBi - FSPL(distanceM, frequencyHz)
}
