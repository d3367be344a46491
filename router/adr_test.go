package router

import "testing"

// TestADRDecide checks ChirpStack's default algorithm on its main cases.
func TestADRDecide(t *testing.T) {
	full := func(snr float64, step uint32, txPower int) []adrSample {
		h := make([]adrSample, adrHistoryLen)
		for i := range h {
			h[i] = adrSample{fcnt: uint32(i) * step, snr: snr, txPower: txPower}
		}
		return h
	}
	tests := []struct {
		name string
		in   adrInput
		want adrSettings
	}{
		{"close SF12 device: up to DR5, then one power step",
			adrInput{dr: 0, maxDR: 5, maxTxPower: 7, nbTrans: 1, requiredSNR: -20, history: []adrSample{{snr: 10}}},
			adrSettings{dr: 5, txPower: 1, nbTrans: 1}},
		{"margin under 3 dB: unchanged",
			adrInput{dr: 3, maxDR: 5, maxTxPower: 7, nbTrans: 1, requiredSNR: -15, history: []adrSample{{snr: -3}}},
			adrSettings{dr: 3, txPower: 0, nbTrans: 1}},
		{"negative margin, short history: unchanged",
			adrInput{dr: 5, maxDR: 5, txPower: 3, maxTxPower: 7, nbTrans: 1, requiredSNR: -7.5, history: []adrSample{{snr: -10}}},
			adrSettings{dr: 5, txPower: 3, nbTrans: 1}},
		{"negative margin, full history: power up",
			adrInput{dr: 5, maxDR: 5, txPower: 3, maxTxPower: 7, nbTrans: 1, requiredSNR: -7.5, history: full(-10, 1, 3)},
			adrSettings{dr: 5, txPower: 0, nbTrans: 1}},
		{"half the frames lost: NbTrans 3",
			adrInput{dr: 5, maxDR: 5, maxTxPower: 7, nbTrans: 2, requiredSNR: -7.5, history: full(2.5, 2, 0)},
			adrSettings{dr: 5, txPower: 0, nbTrans: 3}},
	}
	for _, tt := range tests {
		if got := adrDecide(tt.in); got != tt.want {
			t.Errorf("%s: got %+v, want %+v", tt.name, got, tt.want)
		}
	}
}
