package sim

import (
	"fmt"
	"math"

	"github.com/hexnet/hexnet/geo"
)

// Radio is the propagation model: log-distance path loss referenced to
// free space at 1 m, log-normal shadowing fixed per (device, hotspot) link
// and the same both ways, plus a small per-frame fading term.
type Radio struct {
	PathLossExponent float64 // 2 is free space; 2.7–3.5 urban
	ShadowingSigmaDB float64 // per link, fixed by the seed
	FadingSigmaDB    float64 // per frame
	NoiseFigureDB    float64 // receiver noise figure, both ends
	BandwidthHz      float64 // 125 kHz channels
}

// DefaultRadio is an urban model: exponent 3.2, shadowing σ 7 dB, fading
// σ 1.5 dB, noise figure 6 dB, 125 kHz.
func DefaultRadio() Radio {
	return Radio{PathLossExponent: 3.2, ShadowingSigmaDB: 7, FadingSigmaDB: 1.5, NoiseFigureDB: 6, BandwidthHz: 125e3}
}

func (r Radio) validate() error {
	if r.PathLossExponent < 2 || r.ShadowingSigmaDB < 0 || r.FadingSigmaDB < 0 || r.BandwidthHz <= 0 {
		return fmt.Errorf("%w: Radio %+v: want PathLossExponent ≥ 2, non-negative sigmas, positive BandwidthHz", ErrConfig, r)
	}
	return nil
}

// PathLossDB is the median loss over distanceM at frequencyHz:
// FSPL(1 m) + 10·n·log10(d), never less than free space.
func (r Radio) PathLossDB(distanceM, frequencyHz float64) float64 {
	d := math.Max(distanceM, 1)
	pl := geo.FSPL(1, frequencyHz) + 10*r.PathLossExponent*math.Log10(d)
	return math.Max(pl, geo.FSPL(d, frequencyHz))
}

// NoiseFloorDBm is the receivers' noise floor.
func (r Radio) NoiseFloorDBm() float64 { return geo.NoiseFloorDBm(r.BandwidthHz, r.NoiseFigureDB) }

// Link is one transmission's budget over a (device, hotspot) pair.
type Link struct {
	RSSI float64 // dBm
	SNR  float64 // dB
}

// linkInput is what a link budget needs.
type linkInput struct {
	txPowerDBm, txGainDBi, rxGainDBi float64
	distanceM, frequencyHz           float64
	shadowDB, fadingDB               float64 // positive values weaken the link
}

// MaxSNRDB is the highest SNR a LoRa concentrator reports: its estimate
// saturates near +13.5 dB however strong the signal (sx1301/sx1302 lsnr).
const MaxSNRDB = 13.5

// Budget is RSSI = Ptx + Gtx + Grx − PL − shadowing − fading (floored at
// free space) and SNR = RSSI − noise floor, saturating at MaxSNRDB.
func (r Radio) budget(in linkInput) Link {
	loss := r.PathLossDB(in.distanceM, in.frequencyHz) + in.shadowDB + in.fadingDB
	loss = math.Max(loss, geo.FSPL(math.Max(in.distanceM, 1), in.frequencyHz))
	rssi := in.txPowerDBm + in.txGainDBi + in.rxGainDBi - loss
	return Link{RSSI: rssi, SNR: math.Min(rssi-r.NoiseFloorDBm(), MaxSNRDB)}
}

// Heard reports whether a receiver demodulates a link at spreading factor
// sf: SNR at or above the demodulation floor and RSSI at or above the
// sensitivity.
func (r Radio) Heard(l Link, sf int) bool {
	floor, err := geo.DemodFloorDB(sf)
	if err != nil {
		return false
	}
	sens, _ := geo.SensitivityDBm(sf, r.BandwidthHz, r.NoiseFigureDB)
	return l.SNR >= floor && l.RSSI >= sens
}
