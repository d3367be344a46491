package router_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/brocaar/lorawan"
	"google.golang.org/protobuf/proto"

	"github.com/hexnet/hexnet/hotspot/gwmp"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/proto/hexnetpb"
	"github.com/hexnet/hexnet/router"
	"github.com/hexnet/hexnet/router/gwmproute"
	"github.com/hexnet/hexnet/router/gwmproute/nstest"
)

// waitDown waits for a Downlink published to the hotspot's down topic.
func waitDown(t *testing.T, h *harness, k *identity.Key) *hexnetpb.Downlink {
	t.Helper()
	topic := "hexnet/hotspot/" + string(k.Address()) + "/down"
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		for _, m := range h.bus.take() {
			if m.Topic == topic {
				var dl hexnetpb.Downlink
				must(t, proto.Unmarshal(m.Payload, &dl))
				return &dl
			}
		}
	}
	t.Fatal("no downlink on " + topic)
	return nil
}

// GWMP route: a test GWMP server stands in for an external network server;
// its PULL_RESP reaches the device's best hotspot and TX_ACK goes back.
func TestGWMPRoute(t *testing.T) {
	ns := nstest.New(t)
	ctx := context.Background()
	joinEUI := lorawan.EUI64{0xaa, 1}
	h, d := creditHarness(t, 100, router.Route{
		ID: "ext", NetID: lorawan.NetID{0, 0, 0x13}, Destination: router.DestinationGWMP, GWMPAddress: ns.Addr(),
		DevAddrRanges: []router.DevAddrRange{{First: addrA, Last: addrA}},
		EUIPairs:      []router.EUIPair{{JoinEUI: joinEUI}},
		MaxCopies:     2, CreatedAt: t0,
	})
	phy := dataFrame(t, addrA, 10, 1, []byte("hi"), d.sess.FNwkSIntKey, d.sess.AppSKey, false)
	h.bus.take()
	h.hear(t, phy)

	push := ns.Next(gwmp.PushData)
	if push.GatewayEUI != gwmproute.GatewayEUI("ext") || len(push.Push.RXPK) != 2 {
		t.Fatalf("PUSH_DATA %+v (rxpk %d), want the route's EUI and 2 copies", push, len(push.Push.RXPK))
	}
	if got, _ := push.Push.RXPK[0].Payload(); string(got) != string(phy) || push.Push.RXPK[0].Tmst != 1_000_000 {
		t.Fatalf("rxpk %+v", push.Push.RXPK[0])
	}
	for _, m := range h.bus.take() {
		if strings.Contains(m.Topic, "/event/") {
			t.Errorf("built-in network server handled a GWMP route's frame: %s", m.Topic)
		}
	}
	ns.Next(gwmp.PullData)

	tmst := uint32(2_000_000)
	tx := &gwmp.TXPK{Tmst: &tmst, Freq: 868.1, Powe: 14, Modu: "LORA", DatR: gwmp.LoRa(7, 125), Codr: "4/5", IPol: true}
	tx.SetPayload([]byte{0x60, 1, 2, 3})
	ns.Send(&gwmp.Packet{Version: gwmp.Version2, Token: 0xbeef, Type: gwmp.PullResp, TXPK: tx})
	// The best of the two bought copies: hotspot 1 (SNR 2 dB).
	dl := waitDown(t, h, h.hotspots[1])
	if it := dl.GetItems()[0]; it.GetTmst() != tmst || it.GetFrequencyHz() != 868_100_000 || string(it.GetPhyPayload()) != "\x60\x01\x02\x03" {
		t.Fatalf("downlink item %v", it)
	}
	ack, err := h.hotspots[1].SealBytes(identity.KindTxAck, &hexnetpb.TxAck{Id: dl.GetId(), Error: "NONE"})
	must(t, err)
	h.r.HandleTxAck("hexnet/hotspot/"+string(h.hotspots[1].Address())+"/ack", ack)
	if a := ns.Next(gwmp.TxAck); a.Token != 0xbeef || a.TxError() != gwmp.TxNone {
		t.Fatalf("TX_ACK %+v", a)
	}

	// A join request of the route's JoinEUI goes the same way.
	h.hear(t, joinRequest(t, joinEUI, lorawan.EUI64{1, 2, 3}, 7, testSKey))
	if p := ns.Next(gwmp.PushData); len(p.Push.RXPK) != 2 {
		t.Fatalf("join PUSH_DATA %+v", p)
	}
	_ = ctx
}
