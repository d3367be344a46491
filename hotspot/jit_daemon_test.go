package hotspot_test

import (
	"testing"
	"time"

	"github.com/hexnet/hexnet/hotspot/gwmp"
)

// TestDownlinkRefusedBeforeSending: once the forwarder has shown its
// counter past a downlink's RX1 time, RX1 is never sent; RX2 is, and when
// RX2 is late too the router hears TOO_LATE on the ack topic with no
// PULL_RESP on the wire.
func TestDownlinkRefusedBeforeSending(t *testing.T) {
	e := newEnv(t, startBroker(t), time.Hour)
	e.pull(gwmp.Version2)
	bad := rxpk([]byte{1, 2}, gwmp.StatCRCBad) // observed for its tmst, never published
	bad.Tmst = 1_500_000                       // after RX1 (1 000 000), before RX2 (2 000 000)
	e.send(&gwmp.Packet{Version: 2, Token: 0x0b0b, Type: gwmp.PushData, GatewayEUI: e.eui, Push: &gwmp.PushBody{RXPK: []gwmp.RXPK{bad}}})
	e.expect(gwmp.PushAck, 0x0b0b)

	e.publishDownlink(downlink(21, 868100000, 869525000))
	resp := e.recv()
	if resp.Type != gwmp.PullResp || *resp.TXPK.Tmst != 2_000_000 {
		t.Fatalf("got %s %+v, want the RX2 PULL_RESP at 2000000", resp.Type, resp.TXPK)
	}
	e.sendRaw([]byte{2, byte(resp.Token >> 8), byte(resp.Token), byte(gwmp.TxAck), 1, 2, 3, 4, 5, 6, 7, 8}) // bare: sent
	checkAck(t, e.nextAck(), 21, 1, "NONE")

	bad.Tmst = 2_500_000
	e.send(&gwmp.Packet{Version: 2, Token: 0x0c0c, Type: gwmp.PushData, GatewayEUI: e.eui, Push: &gwmp.PushBody{RXPK: []gwmp.RXPK{bad}}})
	e.expect(gwmp.PushAck, 0x0c0c)
	e.publishDownlink(downlink(22, 868100000, 869525000))
	checkAck(t, e.nextAck(), 22, 1, "TOO_LATE")
	e.noDatagram()
	if got := e.counter("hexnet_hotspot_tx_refused_total", "TOO_LATE"); got != 3 {
		t.Errorf("tx_refused_total{TOO_LATE} = %v, want 3", got)
	}
	if got := e.counter("hexnet_hotspot_tx_acks_total", "TOO_LATE"); got != 1 {
		t.Errorf("tx_acks_total{TOO_LATE} = %v, want 1", got)
	}
}
