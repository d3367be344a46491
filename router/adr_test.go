package router

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/brocaar/lorawan"

	"github.com/hexnet/hexnet/router/dedup"
)

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

// TestMACAnswers: a 1.1 device's RekeyInd gets RekeyConf (without it the
// device rejoins after ADR_ACK_LIMIT uplinks), a 1.0 device's does not; a
// DeviceTimeReq gets the GPS time of the uplink, from the hotspot's clock
// when it has one.
func TestMACAnswers(t *testing.T) {
	received := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	stamped := received.Add(-40 * time.Millisecond)
	uplinkWith := func(version string, gatewayTime time.Time, cmds ...lorawan.MACCommand) *uplink {
		u := &uplink{dev: Device{MACVersion: version}, mac: &lorawan.MACPayload{}}
		for i := range cmds {
			u.mac.FHDR.FOpts = append(u.mac.FHDR.FOpts, &cmds[i])
		}
		u.frame = dedup.Frame{FirstSeen: received, Copies: []dedup.Copy{{ReceivedAt: received}, {GatewayTime: gatewayTime}}}
		return u
	}
	rekey := lorawan.MACCommand{CID: lorawan.RekeyInd, Payload: &lorawan.RekeyIndPayload{DevLoRaWANVersion: lorawan.Version{Minor: 1}}}
	timeReq := lorawan.MACCommand{CID: lorawan.DeviceTimeReq}
	r := &Router{log: slog.New(slog.DiscardHandler)}

	got := r.macAnswers(context.Background(), uplinkWith("1.1.0", stamped, rekey, timeReq), &devState{})
	if len(got) != 2 || got[0].CID != lorawan.RekeyConf || got[1].CID != lorawan.DeviceTimeAns {
		t.Fatalf("1.1 answers = %+v, want RekeyConf and DeviceTimeAns", got)
	}
	if v := got[0].Payload.(*lorawan.RekeyConfPayload).ServLoRaWANVersion.Minor; v != 1 {
		t.Errorf("RekeyConf server version 1.%d, want 1.1", v)
	}
	// 2026-11-25 12:00 UTC is 1,479,643,200 s after the GPS epoch in UTC,
	// plus 18 leap seconds.
	want := 1_479_643_218*time.Second - 40*time.Millisecond
	if d := got[1].Payload.(*lorawan.DeviceTimeAnsPayload).TimeSinceGPSEpoch; d != want {
		t.Errorf("DeviceTimeAns %v, want %v (the hotspot's stamp)", d, want)
	}

	got = r.macAnswers(context.Background(), uplinkWith("1.0.3", time.Time{}, rekey, timeReq), &devState{})
	if len(got) != 1 || got[0].CID != lorawan.DeviceTimeAns {
		t.Fatalf("1.0.3 answers = %+v, want DeviceTimeAns only", got)
	}
	if d := got[0].Payload.(*lorawan.DeviceTimeAnsPayload).TimeSinceGPSEpoch; d != 1_479_643_218*time.Second {
		t.Errorf("DeviceTimeAns without a hotspot stamp %v, want the router's receive time", d)
	}
}
