package mqttclient_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hexnet/hexnet/broker"
	"github.com/hexnet/hexnet/mqttclient"
)

func TestConnectNeedsBroker(t *testing.T) {
	if _, err := mqttclient.Connect(context.Background(), mqttclient.Options{}); err == nil {
		t.Fatal("Connect without a broker address succeeded")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	// Nothing listens on port 1 of loopback: Connect retries until ctx ends.
	_, err := mqttclient.Connect(ctx, mqttclient.Options{Broker: "tcp://127.0.0.1:1", ClientID: "x"})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the context's deadline", err)
	}
}

// TestSubscriptionsSurviveBrokerRestart: the broker goes away and comes back
// on the same address; the client reconnects and its subscription works again.
func TestSubscriptionsSurviveBrokerRestart(t *testing.T) {
	b, err := broker.Start(broker.Options{Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	addr := b.Addr()
	ctx := context.Background()
	reconnected := make(chan struct{}, 4)
	c, err := mqttclient.Connect(ctx, mqttclient.Options{
		Broker: b.URL(), ClientID: "survivor",
		OnConnect: func() { reconnected <- struct{}{} },
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	<-reconnected // the first connect
	got := make(chan string, 4)
	if err := c.Subscribe(ctx, "t/#", 1, func(topic string, p []byte) { got <- string(p) }); err != nil {
		t.Fatal(err)
	}
	b.Close()
	b2, err := broker.Start(broker.Options{Listen: addr})
	if err != nil {
		t.Fatalf("restart broker on %s: %v", addr, err)
	}
	defer b2.Close()
	select {
	case <-reconnected:
	case <-time.After(15 * time.Second):
		t.Fatal("client did not reconnect within 15 s")
	}
	deadline := time.After(5 * time.Second)
	for {
		// The resubscription races with this publish; retry until it lands.
		if err := b2.Publish("t/x", []byte("after restart"), false, 1); err != nil {
			t.Fatal(err)
		}
		select {
		case p := <-got:
			if p != "after restart" {
				t.Fatalf("got %q", p)
			}
			return
		case <-time.After(100 * time.Millisecond):
		case <-deadline:
			t.Fatal("no message after the broker came back")
		}
	}
}

func TestPublishHonoursContext(t *testing.T) {
	b, err := broker.Start(broker.Options{Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	c, err := mqttclient.Connect(context.Background(), mqttclient.Options{Broker: b.URL(), ClientID: "p"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if !c.Connected() {
		t.Fatal("not connected after Connect")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.Publish(ctx, "t", 1, false, []byte("x")); err == nil {
		// The broker may have acknowledged before the cancelled context was
		// looked at; both outcomes are allowed, a hang is not.
		t.Log("publish completed before the cancelled context was seen")
	}
	done := make(chan error, 1)
	c.PublishAsync("t", 1, false, []byte("y"), func(err error) { done <- err })
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("PublishAsync never completed")
	}
}
