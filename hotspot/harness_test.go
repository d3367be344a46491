package hotspot_test

import (
	"context"
	"log/slog"
	"net"
	"os"
	"testing"
	"time"

	"github.com/brocaar/lorawan"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/hexnet/hexnet/broker"
	"github.com/hexnet/hexnet/hotspot"
	"github.com/hexnet/hexnet/hotspot/gwmp"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/mqttclient"
)

const waitFor = 5 * time.Second

var fixedNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// env is one running daemon with an observer on its topics and a fake
// packet forwarder socket.
type env struct {
	t        *testing.T
	key      *identity.Key
	oracle   *identity.Key // the oracle the daemon obeys; nil when it has none
	daemon   *hotspot.Daemon
	reg      *prometheus.Registry
	observer *mqttclient.Client
	msgs     map[string]chan []byte // by topic leaf
	udp      *net.UDPConn
	eui      lorawan.EUI64
}

func testLogger() *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// startBroker runs an embedded broker for the test and returns its URL.
func startBroker(t *testing.T) string {
	t.Helper()
	b, err := broker.Start(broker.Options{Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b.URL()
}

// newEnv starts a daemon against the broker at url with a fresh key,
// obeying a fresh oracle key.
func newEnv(t *testing.T, url string, statsInterval time.Duration) *env {
	t.Helper()
	return newEnvWith(t, url, statsInterval, true)
}

// newEnvWith starts a daemon; withOracle false leaves Options.Oracle empty.
func newEnvWith(t *testing.T, url string, statsInterval time.Duration, withOracle bool) *env {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	key, err := identity.Generate()
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, key: key, reg: prometheus.NewRegistry(), eui: lorawan.EUI64{1, 2, 3, 4, 5, 6, 7, 8}}
	var oracle identity.Address
	if withOracle {
		if e.oracle, err = identity.Generate(); err != nil {
			t.Fatal(err)
		}
		oracle = e.oracle.Address()
	}
	e.observe(ctx, url)
	bus, err := hotspot.Dial(ctx, key, url, testLogger(), "test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(bus.Close)
	e.daemon, err = hotspot.New(hotspot.Options{
		Key: key, GWMPListen: "127.0.0.1:0", Bus: bus, Logger: testLogger(), Registerer: e.reg,
		Version: "test", StatsInterval: statsInterval, Now: func() time.Time { return fixedNow }, Oracle: oracle,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.daemon.Listen(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- e.daemon.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(waitFor):
			t.Error("Run did not return after cancel")
		}
	})
	select {
	case <-e.daemon.Ready():
	case err := <-done:
		t.Fatalf("Run ended before it was ready: %v", err)
	case <-time.After(waitFor):
		t.Fatal("daemon not ready")
	}
	e.udp, err = net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.udp.Close() })
	return e
}

// observe subscribes to every topic of the hotspot, one channel per leaf.
func (e *env) observe(ctx context.Context, url string) {
	e.msgs = map[string]chan []byte{}
	for _, leaf := range []string{hotspot.LeafUp, hotspot.LeafAck, hotspot.LeafStats, hotspot.LeafState, hotspot.LeafBeacon, hotspot.LeafWitness} {
		e.msgs[leaf] = make(chan []byte, 100)
	}
	cl, err := mqttclient.Connect(ctx, mqttclient.Options{Broker: url, ClientID: "observer-" + string(e.key.Address())[:8]})
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(cl.Close)
	e.observer = cl
	err = cl.Subscribe(ctx, hotspot.Topic(e.key.Address(), "#"), 1, func(topic string, payload []byte) {
		_, leaf, _ := hotspot.ParseTopic(topic)
		if ch, ok := e.msgs[leaf]; ok {
			ch <- append([]byte(nil), payload...)
		}
	})
	if err == nil {
		err = cl.Subscribe(ctx, hotspot.UplinksOf(e.key.Address()), 1, func(_ string, payload []byte) {
			e.msgs[hotspot.LeafUp] <- append([]byte(nil), payload...)
		})
	}
	if err != nil {
		e.t.Fatal(err)
	}
}

// next waits for the next message on a leaf.
func (e *env) next(leaf string) []byte {
	e.t.Helper()
	select {
	case m := <-e.msgs[leaf]:
		return m
	case <-time.After(waitFor):
		e.t.Fatalf("no message on %s within %v", hotspot.Topic(e.key.Address(), leaf), waitFor)
		return nil
	}
}

// quiet checks that no message arrives on a leaf for a short while.
func (e *env) quiet(leaf string) {
	e.t.Helper()
	select {
	case m := <-e.msgs[leaf]:
		e.t.Errorf("unexpected message on %s (%d bytes)", leaf, len(m))
	case <-time.After(200 * time.Millisecond):
	}
}

// noDatagram checks that the daemon sends the fake forwarder nothing for a
// short while.
func (e *env) noDatagram() {
	e.t.Helper()
	buf := make([]byte, 65536)
	e.udp.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	if n, _, err := e.udp.ReadFrom(buf); err == nil {
		p, _ := gwmp.Decode(buf[:n])
		e.t.Errorf("unexpected datagram from the daemon: %+v", p)
	}
}

// send writes a GWMP packet from the fake forwarder.
func (e *env) send(p *gwmp.Packet) {
	e.t.Helper()
	raw, err := gwmp.Encode(p)
	if err != nil {
		e.t.Fatal(err)
	}
	e.sendRaw(raw)
}

func (e *env) sendRaw(raw []byte) {
	e.t.Helper()
	if _, err := e.udp.WriteTo(raw, e.daemon.Addr()); err != nil {
		e.t.Fatal(err)
	}
}

// recv reads the next datagram the daemon sends to the fake forwarder.
func (e *env) recv() *gwmp.Packet {
	e.t.Helper()
	buf := make([]byte, 65536)
	e.udp.SetReadDeadline(time.Now().Add(waitFor))
	n, _, err := e.udp.ReadFrom(buf)
	if err != nil {
		e.t.Fatalf("no datagram from the daemon: %v", err)
	}
	p, err := gwmp.Decode(buf[:n])
	if err != nil {
		e.t.Fatalf("daemon sent an undecodable datagram: %v", err)
	}
	return p
}

// expect reads the next datagram and checks its type and token.
func (e *env) expect(typ gwmp.Type, token uint16) *gwmp.Packet {
	e.t.Helper()
	p := e.recv()
	if p.Type != typ || p.Token != token {
		e.t.Fatalf("got %s token %#x, want %s token %#x", p.Type, p.Token, typ, token)
	}
	return p
}

// pull announces the fake forwarder with a PULL_DATA of version v.
func (e *env) pull(v gwmp.Version) {
	e.t.Helper()
	e.send(&gwmp.Packet{Version: v, Token: 0x7777, Type: gwmp.PullData, GatewayEUI: e.eui})
	e.expect(gwmp.PullAck, 0x7777)
}

// counter returns a metric's value for the given label value ("" for none).
func (e *env) counter(name, label string) float64 {
	e.t.Helper()
	mfs, err := e.reg.Gather()
	if err != nil {
		e.t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if label == "" || (len(m.GetLabel()) > 0 && m.GetLabel()[0].GetValue() == label) {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}
