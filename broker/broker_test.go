package broker

import (
	"context"
	"testing"
	"time"

	"github.com/hexnet/hexnet/mqttclient"
)

func startBroker(t *testing.T, o Options) *Broker {
	t.Helper()
	b, err := Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

func connect(t *testing.T, b *Broker, id, user, pass string) (*mqttclient.Client, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	c, err := mqttclient.Connect(ctx, mqttclient.Options{Broker: b.URL(), ClientID: id, Username: user, Password: pass})
	if err == nil {
		t.Cleanup(c.Close)
	}
	return c, err
}

// TestAnonymousReadOnly: anonymous clients may watch hexnet/app/# but not
// publish, and see nothing outside it.
func TestAnonymousReadOnly(t *testing.T) {
	b := startBroker(t, Options{Users: map[string]string{"router": "s3cret"}, AnonymousRead: []string{"hexnet/app/"}})
	ctx := context.Background()
	router, err := connect(t, b, "router", "router", "s3cret")
	if err != nil {
		t.Fatal(err)
	}
	anon, err := connect(t, b, "watcher", "", "")
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 10)
	if err := anon.Subscribe(ctx, "hexnet/app/#", 1, func(topic string, _ []byte) { got <- "anon " + topic }); err != nil {
		t.Fatal(err)
	}
	_ = anon.Subscribe(ctx, "hexnet/hotspot/#", 1, func(topic string, _ []byte) { got <- "anon " + topic })
	if err := router.Subscribe(ctx, "hexnet/app/#", 1, func(_ string, p []byte) { got <- "router " + string(p) }); err != nil {
		t.Fatal(err)
	}
	if err := router.Publish(ctx, "hexnet/hotspot/x/up", 1, false, []byte("private")); err != nil {
		t.Fatal(err)
	}
	if err := router.Publish(ctx, "hexnet/app/a/device/1/event/up", 1, false, []byte("real")); err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"anon hexnet/app/a/device/1/event/up": true, "router real": true}
	for len(want) > 0 {
		select {
		case m := <-got:
			if !want[m] {
				t.Fatalf("unexpected delivery %q", m)
			}
			delete(want, m)
		case <-time.After(3 * time.Second):
			t.Fatalf("missing deliveries: %v", want)
		}
	}
	// An anonymous publish is refused (mochi disconnects a v3 client for it);
	// the router must never see it.
	short, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	_ = anon.Publish(short, "hexnet/app/a/device/1/event/up", 1, false, []byte("forged"))
	select {
	case m := <-got:
		t.Fatalf("unexpected delivery %q", m)
	case <-time.After(300 * time.Millisecond):
	}
	if _, err := connect(t, b, "intruder", "router", "wrong"); err == nil {
		t.Error("wrong password accepted")
	}
}

// TestQoS1NotDroppedUnderLoad publishes a burst far above mochi's default
// quotas to a subscriber and expects every message.
func TestQoS1NotDroppedUnderLoad(t *testing.T) {
	b := startBroker(t, Options{})
	ctx := context.Background()
	sub, err := connect(t, b, "sub", "", "")
	if err != nil {
		t.Fatal(err)
	}
	const n = 20000
	got := make(chan struct{}, n)
	if err := sub.Subscribe(ctx, "load/#", 1, func(string, []byte) { got <- struct{}{} }); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		if err := b.Publish("load/x", []byte("m"), false, 1); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.After(30 * time.Second)
	for i := 0; i < n; i++ {
		select {
		case <-got:
		case <-deadline:
			t.Fatalf("received %d of %d; broker dropped %d", i, n, b.Dropped())
		}
	}
	if d := b.Dropped(); d != 0 {
		t.Errorf("broker dropped %d messages", d)
	}
}

func TestAnonymousMayRead(t *testing.T) {
	prefixes := []string{"hexnet/app/"}
	cases := map[string]bool{
		"hexnet/app/#":                      true,
		"hexnet/app/a/device/+/event/up":    true,
		"$share/g/hexnet/app/#":             true,
		"#":                                 false,
		"hexnet/#":                          false,
		"hexnet/hotspot/x/up":               false,
		"$share/g":                          false,
		"$share/g/hexnet/hotspot/+/up":      false,
		"hexnet/application/spoof/event/up": false,
	}
	for filter, want := range cases {
		if got := anonymousMayRead(prefixes, filter); got != want {
			t.Errorf("anonymousMayRead(%q) = %v, want %v", filter, got, want)
		}
	}
}
