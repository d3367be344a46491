package hotspot_test

import (
	"context"
	"testing"
	"time"

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
