package hotspot_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/hexnet/hexnet/broker"
	"github.com/hexnet/hexnet/hotspot"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/mqttclient"
	"github.com/hexnet/hexnet/proto/hexnetpb"
)

// TestHangupLeavesStateOffline: a hotspot that stops cleanly leaves its
// retained state offline; the broker's last will covers only connections
// that drop.
func TestHangupLeavesStateOffline(t *testing.T) {
	url := startBroker(t)
	key, err := identity.Generate()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	bus, err := hotspot.Dial(ctx, key, url, testLogger(), "test")
	if err != nil {
		t.Fatal(err)
	}
	if err := hotspot.Hangup(ctx, bus, key, "test"); err != nil {
		t.Fatalf("Hangup: %v", err)
	}
	if bus.Connected() {
		t.Error("still connected after Hangup")
	}

	st := retainedState(t, url, key.Address())
	if st.GetOnline() || st.GetVersion() != "test" || st.GetTimeUnixNs() == 0 {
		t.Errorf("retained state after Hangup = %v, want offline, version test, a time", st)
	}
}

// retainedState subscribes afresh, as a later dashboard would, and returns
// the verified retained state of the hotspot at addr.
func retainedState(t *testing.T, url string, addr identity.Address) *hexnetpb.State {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	cl, err := mqttclient.Connect(ctx, mqttclient.Options{Broker: url, ClientID: "later-" + string(addr)[:8]})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	got := make(chan []byte, 1)
	err = cl.Subscribe(ctx, hotspot.Topic(addr, hotspot.LeafState), 1, func(_ string, p []byte) {
		select {
		case got <- p:
		default:
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case raw := <-got:
		var st hexnetpb.State
		signer, err := identity.OpenBytes(raw, identity.KindState, &st)
		if err != nil || signer != addr {
			t.Fatalf("retained state: signer %s, err %v", signer, err)
		}
		return &st
	case <-time.After(waitFor):
		t.Fatal("no retained state")
		return nil
	}
}

// TestDialInBackground: with Background, DialWith returns while the broker
// is unreachable; subscriptions made meanwhile and the online state reach
// the broker once it is up.
func TestDialInBackground(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there yet
	key, _ := identity.Generate()
	ctx := context.Background()
	cl, err := hotspot.DialWith(ctx, hotspot.DialOptions{Key: key, Broker: "tcp://" + addr, Background: true})
	if err != nil {
		t.Fatalf("background dial with the broker down: %v", err)
	}
	defer cl.Close()
	got := make(chan string, 4)
	if err := cl.Subscribe(ctx, hotspot.Topic(key.Address(), hotspot.LeafDown), 1, func(topic string, _ []byte) { got <- topic }); err != nil {
		t.Fatalf("subscribe while down: %v", err)
	}
	b, err := broker.Start(broker.Options{Listen: addr})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	deadline := time.Now().Add(15 * time.Second)
	for !cl.Connected() && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	for time.Now().Before(deadline) {
		_ = b.Publish(hotspot.Topic(key.Address(), hotspot.LeafDown), []byte("x"), false, 1)
		select {
		case <-got:
			return
		case <-time.After(200 * time.Millisecond):
		}
	}
	t.Fatal("the subscription made while the broker was down never took effect")
}
