package geo

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// ErrLoRaParams reports LoRa modulation parameters out of range.
var ErrLoRaParams = errors.New("geo: bad LoRa parameters")

// DefaultPreambleSymbols is LoRaWAN's preamble length.
const DefaultPreambleSymbols = 8

// LoRa is a LoRa modulation and frame format, enough to compute time on air.
type LoRa struct {
	SpreadingFactor int // 7..12
	BandwidthHz     int // 125000, 250000, 500000
	// CodingRate is the n of 4/(4+n): 1 for 4/5 … 4 for 4/8.
	CodingRate      int
	PreambleSymbols int  // DefaultPreambleSymbols if 0
	CRC             bool // LoRaWAN uplinks carry a payload CRC, downlinks do not
	ImplicitHeader  bool // LoRaWAN always uses the explicit header
	// LowDataRateOptimize is forced on whenever a symbol lasts 16 ms or
	// more (SF11 and SF12 at 125 kHz), as LoRaWAN radios do.
	LowDataRateOptimize bool
}

// ParseCodingRate reads "4/5" … "4/8" into LoRa.CodingRate's 1…4.
func ParseCodingRate(s string) (int, error) {
	num, den, ok := strings.Cut(s, "/")
	n, err1 := strconv.Atoi(num)
	d, err2 := strconv.Atoi(den)
	if !ok || err1 != nil || err2 != nil || n != 4 || d < 5 || d > 8 {
		return 0, fmt.Errorf("%w: coding rate %q, want 4/5 … 4/8", ErrLoRaParams, s)
	}
	return d - 4, nil
}

func (m LoRa) validate() error {
	switch {
	case m.SpreadingFactor < 6 || m.SpreadingFactor > 12:
		return fmt.Errorf("%w: spreading factor %d, want 6..12", ErrLoRaParams, m.SpreadingFactor)
	case m.BandwidthHz <= 0:
		return fmt.Errorf("%w: bandwidth %d Hz", ErrLoRaParams, m.BandwidthHz)
	case m.CodingRate < 1 || m.CodingRate > 4:
		return fmt.Errorf("%w: coding rate index %d, want 1..4", ErrLoRaParams, m.CodingRate)
	}
	return nil
}

// SymbolTime is the duration of one symbol, 2^SF / BW.
func (m LoRa) SymbolTime() time.Duration {
	return time.Duration(float64(int(1)<<m.SpreadingFactor) / float64(m.BandwidthHz) * float64(time.Second))
}

// TimeOnAir is how long a frame of payloadBytes (the PHYPayload) occupies
// the air, from Semtech's formula (SX1276 datasheet §4.1.1.7, AN1200.13):
//
//	T = (Npreamble + 4.25)·Ts + (8 + max(⌈(8PL − 4SF + 28 + 16CRC − 20IH) / (4(SF − 2DE))⌉·(CR + 4), 0))·Ts
func TimeOnAir(m LoRa, payloadBytes int) (time.Duration, error) {
	if err := m.validate(); err != nil {
		return 0, err
	}
	if payloadBytes < 0 || payloadBytes > 255 {
		return 0, fmt.Errorf("%w: payload of %d bytes, want 0..255", ErrLoRaParams, payloadBytes)
	}
	ts := float64(int(1)<<m.SpreadingFactor) / float64(m.BandwidthHz)
	preamble := m.PreambleSymbols
	if preamble == 0 {
		preamble = DefaultPreambleSymbols
	}
	symbols := float64(preamble) + 4.25 + float64(payloadSymbols(m, payloadBytes, ts))
	return time.Duration(math.Round(symbols * ts * float64(time.Second))), nil
}

// payloadSymbols is the number of symbols after the preamble.
func payloadSymbols(m LoRa, pl int, ts float64) int {
	de := 0
	if m.LowDataRateOptimize || ts >= 0.016 {
		de = 1
	}
	num := 8*pl - 4*m.SpreadingFactor + 28 + 16*b2i(m.CRC) - 20*b2i(m.ImplicitHeader)
	den := 4 * (m.SpreadingFactor - 2*de)
	blocks := (num + den - 1) / den // ceil for num > 0
	if num <= 0 {
		blocks = 0
	}
	return 8 + blocks*(m.CodingRate+4)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
