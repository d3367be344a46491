package router_test

import (
	"context"
	"testing"

	"github.com/brocaar/lorawan"
)

// FuzzHandleUplink feeds arbitrary bytes down both halves of the uplink
// path: as the raw MQTT payload (envelope and signature checks), and as the
// PHYPayload of a validly signed uplink (dedup, LoRaWAN parsing, joins, MIC,
// frame counters, decryption, events). Nothing may panic or stall.
func FuzzHandleUplink(f *testing.F) {
	h := newHarness(f, newTestStore(f))
	d := newABP(1, addrA, 0)
	h.provision(f, d)
	must(f, h.st.CreateDevice(context.Background(), otaaDevice()))
	k := h.hotspots[0]
	for _, phy := range fuzzSeeds(f, d) {
		f.Add(uplinkFrom(f, k, phy, 1, 1), phy)
		f.Add([]byte{}, phy)
	}
	f.Add([]byte{0x0a, 0x00}, []byte{})
	f.Fuzz(func(t *testing.T, raw, phy []byte) {
		h.r.HandleUplink(upTopic(k, phy), raw)
		h.r.HandleUplink(upTopic(k, phy), uplinkFrom(t, k, phy, 1, 1))
		h.r.HandleUplink(upTopic(h.hotspots[1], phy), uplinkFrom(t, h.hotspots[1], phy, 2, 2))
		h.settle()
		if n := h.r.InFlight(); n != 0 {
			t.Fatalf("%d in-flight tokens held after every frame was processed", n)
		}
		if n := h.r.DedupLen(); n > 10_000 {
			t.Fatalf("dedup remembers %d payloads: not forgetting", n)
		}
	})
}

// fuzzSeeds are the frames of the table tests: good and bad data frames,
// joins, and garbage.
func fuzzSeeds(t testing.TB, d abpDevice) [][]byte {
	nwk, app := d.sess.FNwkSIntKey, d.sess.AppSKey
	return [][]byte{
		dataFrame(t, addrA, 0, 5, []byte("hello"), nwk, app, false),
		dataFrame(t, addrA, 1, 1, []byte{1, 2}, nwk, app, true),
		dataFrame(t, addrA, 2, 0, []byte{0x02, 0x03, 0x05}, nwk, app, false),
		dataFrame(t, addrA, 65536, 2, []byte("wrap"), nwk, app, false),
		dataFrame(t, addrB, 0, 5, []byte("unknown"), nwk, app, false),
		dataFrame(t, addrA, 3, 5, []byte("bad mic"), lorawan.AES128Key{9}, app, false),
		joinRequest(t, joinEUI, otaaEUI, 1, appKey),
		joinRequest(t, joinEUI, otaaEUI, 2, lorawan.AES128Key{1}),
		{0x40, 0x01, 0x02, 0x03, 0x04, 0x05},
		{0xe0, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06},
		{0x20, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10},
		{0xc0, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05},
	}
}
