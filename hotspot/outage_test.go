package hotspot_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hexnet/hexnet/beacon"
	"github.com/hexnet/hexnet/broker"
	"github.com/hexnet/hexnet/hotspot"
	"github.com/hexnet/hexnet/hotspot/gwmp"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/internal/testenv"
	"github.com/hexnet/hexnet/mqttclient"
	"github.com/hexnet/hexnet/proto/hexnetpb"
)

// The outage: the broker is gone for 30 s while a hotspot hears
// 1,000 uplinks and 20 beacons.
const (
	outage       = 30 * time.Second
	outageUp     = 1000
	outageWit    = 20
	rxpkPerPush  = 10
	deliverAfter = 60 * time.Second // after the broker returns, everything has arrived within this
)

// brokerProc is a broker the test can stop and start again on one address.
type brokerProc interface {
	start(t *testing.T, addr string)
	stop(t *testing.T)
}

type embedded struct {
	b       *broker.Broker
	stopped bool
}

func (e *embedded) start(t *testing.T, addr string) {
	t.Helper()
	b, err := broker.Start(broker.Options{Listen: addr})
	if err != nil {
		t.Fatal(err)
	}
	e.b, e.stopped = b, false
	t.Cleanup(func() { e.stop(t) })
}

// stop closes the broker once (mochi panics on a second Close).
func (e *embedded) stop(*testing.T) {
	if !e.stopped {
		e.stopped = true
		e.b.Close()
	}
}

// mosquittoProc is a private Mosquitto (never the machine's shared one,
// which other tests use) that allows anonymous clients.
type mosquittoProc struct {
	conf string
	cmd  *exec.Cmd
	done chan struct{}
}

func (m *mosquittoProc) start(t *testing.T, addr string) {
	t.Helper()
	_, port, _ := net.SplitHostPort(addr)
	m.conf = filepath.Join(t.TempDir(), "mosquitto.conf")
	conf := fmt.Sprintf("listener %s 127.0.0.1\nallow_anonymous true\npersistence false\nmax_queued_messages 0\n", port)
	if err := os.WriteFile(m.conf, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	m.cmd = exec.Command("mosquitto", "-c", m.conf)
	if err := m.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	m.done = make(chan struct{})
	go func() { m.cmd.Wait(); close(m.done) }()
	cmd, done := m.cmd, m.done
	t.Cleanup(func() { cmd.Process.Kill(); <-done })
	waitTCP(t, addr)
}

func (m *mosquittoProc) stop(*testing.T) {
	m.cmd.Process.Kill()
	<-m.done
}

func waitTCP(t *testing.T, addr string) {
	t.Helper()
	for deadline := time.Now().Add(waitFor); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return
		}
	}
	t.Fatalf("nothing listens on %s", addr)
}

func freeTCP(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// TestOutageEmbeddedBroker: the embedded broker is closed for 30 s while
// 1,000 uplinks and 20 witness reports arrive over GWMP; after a new broker
// comes up on the same port, all of them arrive, each once.
func TestOutageEmbeddedBroker(t *testing.T) {
	if testing.Short() {
		t.Skip("a 30 s broker outage; skipped with -short")
	}
	t.Parallel()
	runOutage(t, &embedded{})
}

// TestOutageMosquitto: the same with a private Mosquitto killed and started
// again on the same port.
func TestOutageMosquitto(t *testing.T) {
	if testing.Short() {
		t.Skip("a 30 s broker outage; skipped with -short")
	}
	if _, err := exec.LookPath("mosquitto"); err != nil {
		if testenv.InCI() {
			t.Fatal("mosquitto binary not found; CI=true, so this is fatal: install mosquitto")
		}
		t.Skip("mosquitto binary not found; install mosquitto")
	}
	t.Parallel()
	runOutage(t, &mosquittoProc{})
}

func runOutage(t *testing.T, bp brokerProc) {
	addr := freeTCP(t)
	bp.start(t, addr)
	g := newGate(t, addr)
	key, err := identity.Generate()
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	d, udp := startQueued(t, key, "tcp://"+g.addr(), reg)

	bp.stop(t)
	began := time.Now()
	sent := sendOutageTraffic(t, d, udp, key)
	waitGauge(t, reg, "hexnet_hotspot_queue_depth", outageUp+outageWit)
	time.Sleep(time.Until(began.Add(outage)))

	g.hold() // the observer subscribes before the hotspot can reconnect
	bp.start(t, addr)
	obs := observeAll(t, "tcp://"+addr, key.Address())
	g.release()
	returned := time.Now()
	obs.waitFor(t, sent, deliverAfter)
	t.Logf("all %d uplinks and %d witness reports arrived %v after the broker returned; %d duplicate deliveries",
		outageUp, outageWit, time.Since(returned).Round(time.Millisecond), obs.dups())
	waitGauge(t, reg, "hexnet_hotspot_queue_depth", 0)
}

// startQueued runs a daemon with a durable queue against brokerURL.
func startQueued(t *testing.T, key *identity.Key, brokerURL string, reg *prometheus.Registry) (*hotspot.Daemon, *net.UDPConn) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	bus, err := hotspot.Dial(ctx, key, brokerURL, testLogger(), "test")
	if err != nil {
		t.Fatal(err)
	}
	d, err := hotspot.New(hotspot.Options{Key: key, GWMPListen: "127.0.0.1:0", Bus: bus, Logger: testLogger(),
		Registerer: reg, Version: "test", StatsInterval: time.Hour, QueueDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Listen(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		bus.Close()
	})
	<-d.Ready()
	udp, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { udp.Close() })
	return d, udp
}

// outageFrames are the PHYPayloads of the uplinks and the beacons heard.
func outageFrames(key *identity.Key) (ups, beacons [][]byte) {
	for i := range outageUp {
		ups = append(ups, []byte{0x40, 1, 2, 3, 4, 0x80, byte(i), byte(i >> 8), 1, 0xaa, byte(i), 0xcc, 0xdd, 0xee})
	}
	for i := range outageWit {
		beacons = append(beacons, beacon.Frame(beacon.Payload(fmt.Appendf(nil, "round %d", i), key.Public())))
	}
	return ups, beacons
}

// sendOutageTraffic sends every frame in PUSH_DATA datagrams, each
// acknowledged by the daemon, and returns the PHYPayloads (witness
// reports: the beacon payloads) it expects to be published.
func sendOutageTraffic(t *testing.T, d *hotspot.Daemon, udp *net.UDPConn, key *identity.Key) map[string]bool {
	t.Helper()
	other, err := identity.Generate() // the beacons are some other hotspot's
	if err != nil {
		t.Fatal(err)
	}
	ups, beacons := outageFrames(other)
	want := map[string]bool{}
	var frames [][]byte
	for _, u := range ups {
		want["up:"+string(u)] = true
		frames = append(frames, u)
	}
	for _, b := range beacons {
		p, _ := beacon.Parse(b)
		want["witness:"+string(p)] = true
		frames = append(frames, b)
	}
	buf := make([]byte, 65536)
	for i := 0; i < len(frames); i += rxpkPerPush {
		var rx []gwmp.RXPK
		for _, f := range frames[i:min(i+rxpkPerPush, len(frames))] {
			rx = append(rx, rxpk(f, gwmp.StatCRCOK))
		}
		raw, err := gwmp.Encode(&gwmp.Packet{Version: gwmp.Version2, Token: uint16(i), Type: gwmp.PushData,
			GatewayEUI: [8]byte{1}, Push: &gwmp.PushBody{RXPK: rx}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := udp.WriteTo(raw, d.Addr()); err != nil {
			t.Fatal(err)
		}
		udp.SetReadDeadline(time.Now().Add(waitFor))
		if _, _, err := udp.ReadFrom(buf); err != nil {
			t.Fatalf("no PUSH_ACK: %v", err)
		}
	}
	_ = key
	return want
}

// observer counts what arrives, by the signed envelope's bytes.
type observer struct {
	mu    sync.Mutex
	seen  map[string]int  // envelope → deliveries
	items map[string]bool // "up:"+PHYPayload, "witness:"+beacon payload
	bad   []string
}

func observeAll(t *testing.T, url string, addr identity.Address) *observer {
	t.Helper()
	o := &observer{seen: map[string]int{}, items: map[string]bool{}}
	cl, err := mqttclient.Connect(context.Background(), mqttclient.Options{Broker: url, ClientID: "observer-" + string(addr)[:8]})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	add := func(topic string, payload []byte) { o.add(topic, payload, addr) }
	err = cl.Subscribe(context.Background(), hotspot.Topic(addr, "+"), 1, add)
	if err == nil {
		err = cl.Subscribe(context.Background(), hotspot.UplinksOf(addr), 1, add)
	}
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func (o *observer) add(topic string, payload []byte, addr identity.Address) {
	_, leaf, _ := hotspot.ParseTopic(topic)
	if _, _, up := hotspot.ParseUplinkTopic(topic); up {
		leaf = hotspot.LeafUp
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.seen[string(payload)]++
	if o.seen[string(payload)] > 1 {
		return
	}
	switch leaf {
	case hotspot.LeafUp:
		var up hexnetpb.Uplink
		if signer, err := identity.OpenBytes(payload, identity.KindUplink, &up); err != nil || signer != addr {
			o.bad = append(o.bad, fmt.Sprintf("uplink: signer %s, %v", signer, err))
			return
		}
		o.items["up:"+string(up.GetPhyPayload())] = true
	case hotspot.LeafWitness:
		var w hexnetpb.WitnessReport
		if signer, err := identity.OpenBytes(payload, identity.KindWitness, &w); err != nil || signer != addr {
			o.bad = append(o.bad, fmt.Sprintf("witness: signer %s, %v", signer, err))
			return
		}
		o.items["witness:"+string(w.GetPayload())] = true
	}
}

// waitFor waits until every wanted item arrived.
func (o *observer) waitFor(t *testing.T, want map[string]bool, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		o.mu.Lock()
		missing := 0
		for k := range want {
			if !o.items[k] {
				missing++
			}
		}
		extra, bad := len(o.items)-(len(want)-missing), o.bad
		o.mu.Unlock()
		if len(bad) > 0 {
			t.Fatalf("unverifiable messages: %v", bad)
		}
		if extra > 0 {
			t.Fatalf("%d messages that were never sent", extra)
		}
		if missing == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d messages missing %v after the broker returned", missing, len(want), within)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// dups is how many deliveries repeated an envelope already seen.
func (o *observer) dups() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := 0
	for _, c := range o.seen {
		n += c - 1
	}
	return n
}

// waitGauge waits until a gauge reads want.
func waitGauge(t *testing.T, reg *prometheus.Registry, name string, want float64) {
	t.Helper()
	var got float64
	for deadline := time.Now().Add(deliverAfter); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		mfs, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, mf := range mfs {
			if mf.GetName() == name {
				got = mf.GetMetric()[0].GetGauge().GetValue()
			}
		}
		if got == want {
			return
		}
	}
	t.Fatalf("%s = %v, want %v", name, got, want)
}

// gate is a TCP relay between the hotspot and the broker's address; while
// held it refuses connections, so that the test decides who reaches a
// restarted broker first.
type gate struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	held   bool
}

func newGate(t *testing.T, target string) *gate {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := &gate{ln: ln, target: target}
	t.Cleanup(func() { ln.Close() })
	go g.serve()
	return g
}

func (g *gate) addr() string { return g.ln.Addr().String() }
func (g *gate) hold()        { g.mu.Lock(); g.held = true; g.mu.Unlock() }
func (g *gate) release()     { g.mu.Lock(); g.held = false; g.mu.Unlock() }

func (g *gate) serve() {
	for {
		c, err := g.ln.Accept()
		if err != nil {
			return
		}
		g.mu.Lock()
		held := g.held
		g.mu.Unlock()
		if held {
			c.Close()
			continue
		}
		go g.relay(c)
	}
}

func (g *gate) relay(c net.Conn) {
	defer c.Close()
	b, err := net.Dial("tcp", g.target)
	if err != nil {
		return
	}
	defer b.Close()
	done := make(chan struct{}, 2)
	go func() { io.Copy(b, c); done <- struct{}{} }()
	go func() { io.Copy(c, b); done <- struct{}{} }()
	<-done
}
