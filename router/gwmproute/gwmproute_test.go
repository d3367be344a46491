package gwmproute_test

import (
	"context"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/hexnet/hexnet/hotspot/gwmp"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/proto/hexnetpb"
	"github.com/hexnet/hexnet/router/dedup"
	"github.com/hexnet/hexnet/router/gwmproute"
	"github.com/hexnet/hexnet/router/gwmproute/nstest"
)

type msg struct {
	topic   string
	payload []byte
}

type fakeBus struct{ ch chan msg }

func (b *fakeBus) Publish(_ context.Context, topic string, _ byte, _ bool, p []byte) error {
	b.ch <- msg{topic, p}
	return nil
}

func TestForwardPullRespTxAck(t *testing.T) {
	ns := nstest.New(t)
	bus := &fakeBus{ch: make(chan msg, 8)}
	f := gwmproute.New(gwmproute.Options{Bus: bus, AckWait: 2 * time.Second})
	defer f.Close()

	hsKey, _ := identity.Generate()
	weak, _ := identity.Generate()
	gt := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	phy := []byte{0x40, 1, 2, 3, 4, 0, 1, 0, 1, 0xaa, 1, 2, 3, 4}
	fr := dedup.Frame{PHYPayload: phy, Copies: []dedup.Copy{
		{Hotspot: weak.Address(), RSSI: -110, SNR: -5, Tmst: 100, FrequencyHz: 868100000, SpreadFactor: 7, BandwidthKHz: 125, CodingRate: "4/5"},
		{Hotspot: hsKey.Address(), RSSI: -80, SNR: 7.5, Tmst: 5_000_000, FrequencyHz: 868100000, SpreadFactor: 7, BandwidthKHz: 125, CodingRate: "4/5", GatewayTime: gt},
	}}
	if err := f.Forward(context.Background(), "route-1", ns.Addr(), fr, 0); err != nil {
		t.Fatal(err)
	}
	push := ns.Next(gwmp.PushData)
	if push.Version != gwmp.Version2 || push.GatewayEUI != gwmproute.GatewayEUI("route-1") {
		t.Fatalf("header %+v", push)
	}
	if len(push.Push.RXPK) != 2 {
		t.Fatalf("rxpk count %d", len(push.Push.RXPK))
	}
	rx := push.Push.RXPK[1]
	got, _ := rx.Payload()
	if string(got) != string(phy) || rx.Tmst != 5_000_000 || rx.RSSI != -80 || rx.LSNR != 7.5 || rx.Freq != 868.1 || rx.DatR.String() != "SF7BW125" || rx.Time == nil || !rx.Time.Equal(gt) {
		t.Fatalf("rxpk %+v", rx)
	}
	ns.Next(gwmp.PullData) // the keepalive opens the downlink path

	tmst := uint32(6_000_000)
	tx := &gwmp.TXPK{Tmst: &tmst, Freq: 868.1, Powe: 14, Modu: "LORA", DatR: gwmp.LoRa(7, 125), Codr: "4/5", IPol: true}
	tx.SetPayload([]byte{0x60, 9, 9})
	ns.Send(&gwmp.Packet{Version: gwmp.Version2, Token: 0x1234, Type: gwmp.PullResp, TXPK: tx})

	var m msg
	select {
	case m = <-bus.ch:
	case <-time.After(5 * time.Second):
		t.Fatal("no downlink published")
	}
	if m.topic != "hexnet/hotspot/"+string(hsKey.Address())+"/down" {
		t.Fatalf("topic %s", m.topic)
	}
	var dl hexnetpb.Downlink
	if err := proto.Unmarshal(m.payload, &dl); err != nil {
		t.Fatal(err)
	}
	it := dl.GetItems()[0]
	if it.GetTmst() != tmst || it.GetFrequencyHz() != 868100000 || it.GetDataRate().GetSpreadingFactor() != 7 || !it.GetInvertPolarity() || string(it.GetPhyPayload()) != "\x60\x09\x09" {
		t.Fatalf("item %v", it)
	}
	ackPayload, _ := hsKey.SealBytes(identity.KindTxAck, &hexnetpb.TxAck{Id: dl.GetId(), Error: "TOO_LATE"})
	if !f.HandleTxAck("hexnet/hotspot/"+string(hsKey.Address())+"/ack", ackPayload) {
		t.Fatal("ack not taken")
	}
	ack := ns.Next(gwmp.TxAck)
	if ack.Token != 0x1234 || ack.TxError() != gwmp.TxTooLate {
		t.Fatalf("tx ack %+v %v", ack, ack.TxError())
	}
	// Downlinks is counted once the publish returns, which may be after
	// the bus delivered the message.
	s := f.Stats()
	for deadline := time.Now().Add(5 * time.Second); s.Downlinks == 0 && time.Now().Before(deadline); s = f.Stats() {
		time.Sleep(time.Millisecond)
	}
	if s.Forwarded != 1 || s.Downlinks != 1 || s.TxAcks != 1 {
		t.Fatalf("stats %+v", s)
	}
}

func TestTxAckNoneAfterWait(t *testing.T) {
	ns := nstest.New(t)
	bus := &fakeBus{ch: make(chan msg, 8)}
	f := gwmproute.New(gwmproute.Options{Bus: bus, AckWait: 100 * time.Millisecond})
	defer f.Close()
	k, _ := identity.Generate()
	fr := dedup.Frame{PHYPayload: []byte{0x40, 1, 2, 3, 4, 0, 0, 0, 1, 2, 3, 4}, Copies: []dedup.Copy{{Hotspot: k.Address(), Tmst: 1, FrequencyHz: 868300000, SpreadFactor: 9, BandwidthKHz: 125}}}
	if err := f.Forward(context.Background(), "r2", ns.Addr(), fr, 1); err != nil {
		t.Fatal(err)
	}
	ns.Next(gwmp.PushData)
	tx := &gwmp.TXPK{Imme: true, Freq: 869.525, Powe: 27, Modu: "LORA", DatR: gwmp.LoRa(12, 125), IPol: true}
	tx.SetPayload([]byte{0x60})
	ns.Send(&gwmp.Packet{Version: gwmp.Version2, Token: 7, Type: gwmp.PullResp, TXPK: tx})
	<-bus.ch
	ack := ns.Next(gwmp.TxAck)
	if ack.Token != 7 || ack.TxError() != gwmp.TxNone {
		t.Fatalf("tx ack %+v", ack)
	}
}

// TestDial: Dial starts the virtual gateway (its PULL_DATA reaches the
// network server) and fails, so that nothing is charged, when the address
// is wrong or the forwarder is closed.
func TestDial(t *testing.T) {
	ns := nstest.New(t)
	f := gwmproute.New(gwmproute.Options{Bus: &fakeBus{ch: make(chan msg, 1)}})
	if err := f.Dial("r3", ns.Addr()); err != nil {
		t.Fatalf("Dial: %v", err)
	}
	if p := ns.Next(gwmp.PullData); p.GatewayEUI != gwmproute.GatewayEUI("r3") {
		t.Errorf("PULL_DATA from %s, want the route's gateway EUI", p.GatewayEUI)
	}
	if err := f.Dial("r4", "no port"); err == nil {
		t.Error("Dial to an address without a port succeeded")
	}
	f.Close()
	if err := f.Dial("r3", ns.Addr()); err == nil {
		t.Error("Dial after Close succeeded")
	}
}
