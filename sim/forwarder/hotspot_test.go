package forwarder_test

import (
	"context"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/hexnet/hexnet/broker"
	"github.com/hexnet/hexnet/hotspot"
	"github.com/hexnet/hexnet/hotspot/gwmp"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/mqttclient"
	"github.com/hexnet/hexnet/proto/hexnetpb"
)

// startHotspot runs an embedded broker and a hotspot daemon; it returns the
// daemon's GWMP address, the hotspot key and an observer client subscribed
// to the hotspot's up and ack topics.
func startHotspot(t *testing.T, ctx context.Context) (string, *identity.Key, *mqttclient.Client, map[string]chan []byte) {
	t.Helper()
	b, err := broker.Start(broker.Options{Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	key, err := identity.Generate()
	if err != nil {
		t.Fatal(err)
	}
	obs, err := mqttclient.Connect(ctx, mqttclient.Options{Broker: b.URL(), ClientID: "observer"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(obs.Close)
	msgs := map[string]chan []byte{hotspot.LeafUp: make(chan []byte, 10), hotspot.LeafAck: make(chan []byte, 10)}
	for leaf, ch := range msgs {
		topic := hotspot.Topic(key.Address(), leaf)
		if leaf == hotspot.LeafUp {
			topic = hotspot.UplinksOf(key.Address())
		}
		if err := obs.Subscribe(ctx, topic, 1, func(_ string, p []byte) { ch <- p }); err != nil {
			t.Fatal(err)
		}
	}
	bus, err := hotspot.Dial(ctx, key, b.URL(), nil, "test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(bus.Close)
	d, err := hotspot.New(hotspot.Options{Key: key, GWMPListen: "127.0.0.1:0", Bus: bus})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- d.Run(runCtx) }()
	t.Cleanup(func() { cancel(); <-done })
	<-d.Ready()
	return d.Addr().String(), key, obs, msgs
}

func wait(t *testing.T, ch chan []byte, what string) []byte {
	t.Helper()
	select {
	case m := <-ch:
		return m
	case <-time.After(waitFor):
		t.Fatalf("no %s", what)
		return nil
	}
}

// TestThroughHotspot runs uplink, downlink with a retry and TX ack through
// a real hotspot daemon and broker.
func TestThroughHotspot(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, key, obs, msgs := startHotspot(t, ctx)
	m := newMedium()
	f := start(t, addr, m, 6)
	deadline := time.Now().Add(waitFor)
	for f.Stats().PullAcked == 0 {
		if time.Now().After(deadline) {
			t.Fatal("hotspot never acknowledged PULL_DATA")
		}
		time.Sleep(5 * time.Millisecond)
	}
	f.Receive(reception(time.Now()))
	var up hexnetpb.Uplink
	if _, err := identity.OpenBytes(wait(t, msgs[hotspot.LeafUp], "uplink"), identity.KindUplink, &up); err != nil {
		t.Fatal(err)
	}
	dl := &hexnetpb.Downlink{Id: 99}
	for _, delay := range []time.Duration{-time.Second, time.Second} { // RX1 missed, RX2 fine
		dl.Items = append(dl.Items, &hexnetpb.DownlinkItem{
			PhyPayload: []byte{0x60, 1, 2, 3}, FrequencyHz: 869525000, PowerDbm: 14, InvertPolarity: true,
			Tmst: gwmp.TmstAdd(up.GetTmst(), delay), DataRate: &hexnetpb.DataRate{SpreadingFactor: 9, BandwidthKhz: 125},
		})
	}
	raw, _ := proto.Marshal(dl)
	if err := obs.Publish(ctx, hotspot.Topic(key.Address(), hotspot.LeafDown), 1, false, raw); err != nil {
		t.Fatal(err)
	}
	var ack hexnetpb.TxAck
	if _, err := identity.OpenBytes(wait(t, msgs[hotspot.LeafAck], "tx ack"), identity.KindTxAck, &ack); err != nil {
		t.Fatal(err)
	}
	if ack.GetId() != 99 || ack.GetItem() != 1 || ack.GetError() != "NONE" {
		t.Errorf("tx ack = %v, want id 99 item 1 NONE", &ack)
	}
	tx := m.next(t)
	if tx.FrequencyHz != 869525000 || tx.Modulation.SpreadingFactor != 9 {
		t.Errorf("transmission = %+v", tx)
	}
	// hotspotd knows the concentrator's counter from the uplink and refuses
	// the missed RX1 itself (never sending late); the forwarder only ever
	// sees RX2.
	if st := f.Stats(); st.TxErrors[gwmp.TxTooLate] != 0 || st.TxErrors[gwmp.TxNone] != 1 || st.DownlinksReceived != 1 {
		t.Errorf("forwarder got %d downlinks, tx errors %v; want only RX2, acknowledged NONE", st.DownlinksReceived, st.TxErrors)
	}
}
