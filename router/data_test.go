package router_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/brocaar/lorawan"
	"github.com/google/go-cmp/cmp"

	"github.com/hexnet/hexnet/router"
)

var (
	addrA = lorawan.DevAddr{0x26, 0x01, 0x1f, 0x88}
	addrB = lorawan.DevAddr{0x26, 0x01, 0x1f, 0x99}
)

func TestDataUplink(t *testing.T) {
	d1 := newABP(1, addrA, 10)
	d2 := newABP(2, addrA, 3) // shares d1's DevAddr
	wrongKey := lorawan.AES128Key{9, 9, 9}
	type upWant struct {
		DevEUI    string
		FCnt      uint32
		FPort     uint8
		Data      string
		Confirmed bool
	}
	tests := []struct {
		name       string
		devices    []abpDevice
		frames     func(t testing.TB) [][]byte
		wantUps    []upWant
		wantDrop   string
		wantFCntUp uint32 // d1's, after the frames
	}{
		{
			name:    "good ABP uplink decrypts",
			devices: []abpDevice{d1},
			frames: func(t testing.TB) [][]byte {
				return [][]byte{dataFrame(t, addrA, 10, 5, []byte("hello"), d1.sess.FNwkSIntKey, d1.sess.AppSKey, false)}
			},
			wantUps:    []upWant{{d1.dev.DevEUI.String(), 10, 5, "hello", false}},
			wantFCntUp: 11,
		},
		{
			name:    "counter may skip ahead within MAX_FCNT_GAP",
			devices: []abpDevice{d1},
			frames: func(t testing.TB) [][]byte {
				return [][]byte{dataFrame(t, addrA, 10+router.MaxFCntGap, 5, []byte("x"), d1.sess.FNwkSIntKey, d1.sess.AppSKey, false)}
			},
			wantUps:    []upWant{{d1.dev.DevEUI.String(), 10 + router.MaxFCntGap, 5, "x", false}},
			wantFCntUp: 11 + router.MaxFCntGap,
		},
		{
			name:    "confirmed uplink",
			devices: []abpDevice{d1},
			frames: func(t testing.TB) [][]byte {
				return [][]byte{dataFrame(t, addrA, 12, 1, []byte{1, 2}, d1.sess.FNwkSIntKey, d1.sess.AppSKey, true)}
			},
			wantUps:    []upWant{{d1.dev.DevEUI.String(), 12, 1, "\x01\x02", true}},
			wantFCntUp: 13,
		},
		{
			name:    "MIC failure",
			devices: []abpDevice{d1},
			frames: func(t testing.TB) [][]byte {
				return [][]byte{dataFrame(t, addrA, 10, 5, []byte("hello"), wrongKey, d1.sess.AppSKey, false)}
			},
			wantDrop:   "mic_failed",
			wantFCntUp: 10,
		},
		{
			name:    "FCnt replay",
			devices: []abpDevice{d1},
			frames: func(t testing.TB) [][]byte {
				return [][]byte{dataFrame(t, addrA, 9, 5, []byte("old"), d1.sess.FNwkSIntKey, d1.sess.AppSKey, false)}
			},
			wantDrop:   "fcnt_replay",
			wantFCntUp: 10,
		},
		{
			name:    "FCnt gap beyond MAX_FCNT_GAP",
			devices: []abpDevice{d1},
			frames: func(t testing.TB) [][]byte {
				return [][]byte{dataFrame(t, addrA, 11+router.MaxFCntGap, 5, []byte("far"), d1.sess.FNwkSIntKey, d1.sess.AppSKey, false)}
			},
			wantDrop:   "fcnt_gap",
			wantFCntUp: 10,
		},
		{
			name:    "FCnt rollover 65535 to 65536",
			devices: []abpDevice{newABP(1, addrA, 65535)},
			frames: func(t testing.TB) [][]byte {
				return [][]byte{
					dataFrame(t, addrA, 65535, 2, []byte("a"), d1.sess.FNwkSIntKey, d1.sess.AppSKey, false),
					dataFrame(t, addrA, 65536, 2, []byte("b"), d1.sess.FNwkSIntKey, d1.sess.AppSKey, false),
					dataFrame(t, addrA, 65537, 2, []byte("c"), d1.sess.FNwkSIntKey, d1.sess.AppSKey, false),
				}
			},
			wantUps: []upWant{
				{d1.dev.DevEUI.String(), 65535, 2, "a", false},
				{d1.dev.DevEUI.String(), 65536, 2, "b", false},
				{d1.dev.DevEUI.String(), 65537, 2, "c", false},
			},
			wantFCntUp: 65538,
		},
		{
			name:    "unknown DevAddr",
			devices: []abpDevice{d1},
			frames: func(t testing.TB) [][]byte {
				return [][]byte{dataFrame(t, addrB, 10, 5, []byte("hello"), d1.sess.FNwkSIntKey, d1.sess.AppSKey, false)}
			},
			wantDrop:   "unknown_devaddr",
			wantFCntUp: 10,
		},
		{
			name:    "two devices sharing a DevAddr: the MIC picks the device",
			devices: []abpDevice{d1, d2},
			frames: func(t testing.TB) [][]byte {
				return [][]byte{
					dataFrame(t, addrA, 3, 7, []byte("from d2"), d2.sess.FNwkSIntKey, d2.sess.AppSKey, false),
					dataFrame(t, addrA, 10, 7, []byte("from d1"), d1.sess.FNwkSIntKey, d1.sess.AppSKey, false),
				}
			},
			wantUps: []upWant{
				{d2.dev.DevEUI.String(), 3, 7, "from d2", false},
				{d1.dev.DevEUI.String(), 10, 7, "from d1", false},
			},
			wantFCntUp: 11,
		},
		{
			name:    "unparseable PHYPayload",
			devices: []abpDevice{d1},
			frames: func(testing.TB) [][]byte {
				return [][]byte{{0x40, 0x01, 0x02, 0x03, 0x04, 0x05}}
			},
			wantDrop:   "bad_phypayload",
			wantFCntUp: 10,
		},
		{
			name:    "proprietary frame",
			devices: []abpDevice{d1},
			frames: func(testing.TB) [][]byte {
				return [][]byte{{0xe0, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06}}
			},
			wantDrop:   "proprietary",
			wantFCntUp: 10,
		},
		{
			name:    "FPort 0 MAC commands: session advances, no up event",
			devices: []abpDevice{d1},
			frames: func(t testing.TB) [][]byte {
				return [][]byte{dataFrame(t, addrA, 10, 0, []byte{0x02}, d1.sess.FNwkSIntKey, d1.sess.AppSKey, false)}
			},
			wantFCntUp: 11,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, newTestStore(t))
			h.provision(t, tc.devices...)
			for _, phy := range tc.frames(t) {
				h.hear(t, phy)
			}
			var got []upWant
			for _, m := range h.bus.take() {
				if strings.HasSuffix(m.Topic, "/down") {
					continue // the ACK or MAC answer (router/downlink_test.go)
				}
				var ev router.UplinkEvent
				must(t, json.Unmarshal(m.Payload, &ev))
				if want := "hexnet/app/" + testApp + "/device/" + ev.DeviceInfo.DevEUI + "/event/up"; m.Topic != want || m.QoS != 1 {
					t.Errorf("published on %s QoS %d, want %s QoS 1", m.Topic, m.QoS, want)
				}
				got = append(got, upWant{ev.DeviceInfo.DevEUI, ev.FCnt, ev.FPort, string(ev.Data), ev.Confirmed})
			}
			if diff := cmp.Diff(tc.wantUps, got); diff != "" {
				t.Errorf("up events (-want +got):\n%s", diff)
			}
			if tc.wantDrop != "" && h.dropped(tc.wantDrop) != 1 {
				t.Errorf("dropped{%s} = %v, want 1", tc.wantDrop, h.dropped(tc.wantDrop))
			}
			if n := h.r.InFlight(); n != 0 {
				t.Errorf("%d in-flight tokens leaked", n)
			}
			s, err := h.st.GetSession(context.Background(), d1.dev.DevEUI)
			must(t, err)
			if s.FCntUp != tc.wantFCntUp {
				t.Errorf("FCntUp = %d, want %d", s.FCntUp, tc.wantFCntUp)
			}
		})
	}
}

func TestUpEventCarriesEveryCopy(t *testing.T) {
	h := newHarness(t, newTestStore(t))
	d := newABP(1, addrA, 0)
	h.provision(t, d)
	h.hear(t, dataFrame(t, addrA, 0, 1, []byte("x"), d.sess.FNwkSIntKey, d.sess.AppSKey, false))
	msgs := h.bus.take()
	if len(msgs) != 1 {
		t.Fatalf("published %d messages, want 1", len(msgs))
	}
	var ev router.UplinkEvent
	must(t, json.Unmarshal(msgs[0].Payload, &ev))
	if len(ev.RxInfo) != 3 {
		t.Fatalf("rxInfo has %d copies, want 3", len(ev.RxInfo))
	}
	for i, k := range h.hotspots {
		if ev.RxInfo[i].GatewayID != string(k.Address()) {
			t.Errorf("rxInfo[%d].gatewayId = %s, want %s", i, ev.RxInfo[i].GatewayID, k.Address())
		}
	}
	if ev.DR == nil || *ev.DR != 5 || ev.TxInfo.Modulation.LoRa.Bandwidth != 125000 || ev.TxInfo.Frequency != 868100000 {
		t.Errorf("dr %v txInfo %+v: want DR5, 125 kHz, 868.1 MHz", ev.DR, ev.TxInfo)
	}
}

func TestConfirmedUplinkOwesAck(t *testing.T) {
	h := newHarness(t, newTestStore(t))
	d := newABP(1, addrA, 0)
	h.provision(t, d)
	h.hear(t, dataFrame(t, addrA, 0, 1, []byte("x"), d.sess.FNwkSIntKey, d.sess.AppSKey, true))
	owed, ok := h.r.AckOwed(d.dev.DevEUI)
	if !ok || owed.FCnt != 0 || owed.Hotspot != h.hotspots[2].Address() {
		t.Fatalf("AckOwed = %+v, %v; want FCnt 0 via the best-SNR hotspot", owed, ok)
	}
}
