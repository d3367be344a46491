package router_test

import (
	"context"
	"testing"

	"github.com/hexnet/hexnet/router"
)

// TestPayloadNotStarvedByMACCommands: a LoRaWAN 1.1 device gets MAC
// commands alone (FPort 0), so a queued payload waits; but only one
// downlink: a device asking for something in every uplink (here a
// LinkCheckReq) still receives its payload with the next one.
func TestPayloadNotStarvedByMACCommands(t *testing.T) {
	h := newHarness(t, newTestStore(t))
	dev := versionedDevice("1.1.0")
	must(t, h.st.CreateDevice(context.Background(), dev))
	s := h.joinAs(t, dev, 10)
	keys := abpDevice{dev: dev, sess: router.Session{AppSKey: s.keys.AppSKey}}
	_, err := h.r.Enqueue(context.Background(), dev.DevEUI, router.Downlink{FPort: 9, Data: []byte("p1")})
	must(t, err)

	h.hear(t, uplinkAs(t, "1.1.0", s, 0, []byte("u0")))
	first := h.onlyDownlink(t, keys)
	if first.fport != nil && *first.fport != 0 || !first.pending {
		t.Fatalf("first downlink = %+v, want the MAC answer alone with FPending", first)
	}
	h.txAck(t, first)

	h.hear(t, uplinkAs(t, "1.1.0", s, 1, []byte("u1")))
	second := h.onlyDownlink(t, keys)
	if second.fport == nil || *second.fport != 9 || string(second.data) != "p1" {
		t.Fatalf("second downlink = %+v, want the queued payload on port 9", second)
	}
}
