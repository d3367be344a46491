package router

// ADR follows ChirpStack's default algorithm (chirpstack/src/adr/default.rs,
// and lorawan/adr in ChirpStack v3): the margin is the best SNR of the last
// 20 uplinks above what the current data rate needs, less an installation
// margin; every full 3 dB of it raises the data rate one step, up to the
// fastest LoRa 125 kHz rate, then lowers the transmit power one step; a
// negative margin raises the power (only with a full history, to avoid
// oscillating). NbTrans follows the frame loss seen in the history.

// ADR parameters (ChirpStack's defaults).
const (
	adrHistoryLen         = 20   // uplinks kept per device
	adrInstallationMargin = 10.0 // dB
	adrStepDB             = 3.0  // dB per step
	adrMaxNbTrans         = 3
)

// adrSample is one uplink in a device's ADR history.
type adrSample struct {
	fcnt    uint32
	snr     float64 // best SNR among the copies
	txPower int     // TX power index the device used, as far as we know
}

// adrInput is what the algorithm decides from.
type adrInput struct {
	dr, maxDR           int
	txPower, maxTxPower int // indices: 0 is the highest power
	nbTrans             int
	requiredSNR         float64 // demodulation floor of dr
	history             []adrSample
}

// adrSettings are what a LinkADRReq asks of the device.
type adrSettings struct {
	dr, txPower, nbTrans int
}

// adrDecide returns the settings the device should use.
func adrDecide(in adrInput) adrSettings {
	out := adrSettings{dr: min(in.dr, in.maxDR), txPower: in.txPower, nbTrans: in.nbTrans}
	hist := samplesAt(in.history, in.txPower)
	out.nbTrans = adrNbTrans(in.nbTrans, lossPercent(hist))
	if len(hist) == 0 {
		return out
	}
	margin := maxSNR(hist) - in.requiredSNR - adrInstallationMargin
	steps := int(margin / adrStepDB) // truncates toward zero, as ChirpStack does
	if steps < 0 && len(hist) < adrHistoryLen {
		return out
	}
	for ; steps > 0; steps-- {
		switch {
		case out.dr < in.maxDR:
			out.dr++
		case out.txPower < in.maxTxPower:
			out.txPower++
		}
	}
	for ; steps < 0 && out.txPower > 0; steps++ {
		out.txPower--
	}
	return out
}

// samplesAt keeps the samples sent at one TX power: SNRs at another power
// say nothing about this one.
func samplesAt(h []adrSample, txPower int) []adrSample {
	out := make([]adrSample, 0, len(h))
	for _, s := range h {
		if s.txPower == txPower {
			out = append(out, s)
		}
	}
	return out
}

func maxSNR(h []adrSample) float64 {
	m := h[0].snr
	for _, s := range h[1:] {
		m = max(m, s.snr)
	}
	return m
}

// lossPercent is the share of frames missing between the first and last
// sample (frame-counter gaps); 0 until the history is full.
func lossPercent(h []adrSample) float64 {
	if len(h) < adrHistoryLen {
		return 0
	}
	var lost uint32
	for i := 1; i < len(h); i++ {
		if d := h[i].fcnt - h[i-1].fcnt; d > 1 && d < MaxFCntGap {
			lost += d - 1
		}
	}
	return float64(lost) / float64(len(h)) * 100
}

// adrNbTrans is ChirpStack's table: rows by loss (<5, <10, <30, ≥30 %),
// columns by the current NbTrans (1, 2, 3).
func adrNbTrans(current int, lossPct float64) int {
	table := [4][3]int{{1, 1, 2}, {1, 2, 3}, {2, 3, 3}, {3, 3, 3}}
	col := min(max(current, 1), adrMaxNbTrans) - 1
	switch {
	case lossPct < 5:
		return table[0][col]
	case lossPct < 10:
		return table[1][col]
	case lossPct < 30:
		return table[2][col]
	}
	return table[3][col]
}

// requiredSNR is the SNR in dB a LoRa receiver needs at a spreading factor
// (SF7 −7.5 dB … SF12 −20 dB), the table ChirpStack uses.
func requiredSNR(sf int) float64 {
	return -7.5 - 2.5*float64(min(max(sf, 7), 12)-7)
}
