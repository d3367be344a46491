package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hexnet/hexnet/broker"
	"github.com/hexnet/hexnet/hotspot"
	"github.com/hexnet/hexnet/hotspot/gwmp"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/internal/proctest"
	"github.com/hexnet/hexnet/mqttclient"
	"github.com/hexnet/hexnet/proto/hexnetpb"
)

// The kill test's traffic: killBefore uplinks while the broker is up (they
// are published and acknowledged, so the cursor moves into the segment),
// then killQueued while it is down (they wait in the queue when hotspotd is
// killed).
const (
	killBefore = 50
	killQueued = 300
)

// TestKillMidStream: hotspotd is killed with SIGKILL while its queue holds
// uplinks the broker never acknowledged, and its newest segment file gets
// a torn record at the end (a write cut short). Restarted on the same
// --queue-dir, it logs and truncates the torn tail, keeps running, and
// publishes every uplink its queue had accepted; the subscriber sees each
// one, a replay byte-identical to its first delivery (counted once).
func TestKillMidStream(t *testing.T) {
	if testing.Short() {
		t.Skip("runs hotspotd twice against a broker that stops; skipped with -short")
	}
	keyPath, key := keyFile(t)
	brokerAddr := proctest.FreeTCPAddr(t)
	brk1 := startBrokerAt(t, brokerAddr)
	obs := newUplinkCounter(key.Address())
	obs.connect(t, "tcp://"+brokerAddr)

	queueDir := filepath.Join(t.TempDir(), "queue")
	gwmpAddr := proctest.FreeUDPAddr(t)
	metricsAddr := proctest.FreeTCPAddr(t)
	args := []string{"--key", keyPath, "--gwmp-listen", gwmpAddr, "--mqtt", "tcp://" + brokerAddr,
		"--queue-dir", queueDir, "--metrics-listen", metricsAddr, "--status-listen", "", "--stats-interval", "1h"}
	p1 := start(t, args...)
	p1.WaitLog("hotspot running")

	fwd := newForwarder(t, gwmpAddr)
	want := map[string]bool{}
	for i := range killBefore {
		want[string(pushUplink(fwd, i))] = true
	}
	obs.waitFor(t, want, waitFor)

	// The broker goes away; what follows stays in the queue.
	obs.disconnect()
	brk1.stop()
	for i := killBefore; i < killBefore+killQueued; i++ {
		want[string(pushUplink(fwd, i))] = true
	}
	waitMetric(t, metricsAddr, "hexnet_hotspot_queue_appended_total", killBefore+killQueued)
	p1.Kill()

	seg, torn := tearNewestSegment(t, queueDir)
	t.Logf("hotspotd killed with %d uplinks queued; %d torn bytes appended to %s", killQueued, torn, filepath.Base(seg))

	// The broker and the subscriber come back first, then hotspotd.
	startBrokerAt(t, brokerAddr)
	obs.connect(t, "tcp://"+brokerAddr)
	p2 := start(t, args...)
	p2.WaitLog("queue segment ends in a torn record; truncated")
	began := time.Now()
	obs.waitFor(t, want, 20*time.Second)
	t.Logf("all %d uplinks arrived %v after the restart; %d repeated deliveries, each byte-identical",
		len(want), time.Since(began).Round(time.Millisecond), obs.repeats())
	if got := metricValue(t, metricsAddr, "hexnet_hotspot_queue_torn_total"); got != 1 {
		t.Errorf("hexnet_hotspot_queue_torn_total = %v after the restart, want 1", got)
	}
	if got := metricValue(t, metricsAddr, "hexnet_hotspot_queue_corrupt_total"); got != 0 {
		t.Errorf("hexnet_hotspot_queue_corrupt_total = %v after the restart, want 0 (only the tail was torn)", got)
	}
	if exited, err := p2.Exited(); exited {
		t.Fatalf("restarted hotspotd exited: %v", err)
	}
	waitMetric(t, metricsAddr, "hexnet_hotspot_queue_depth", 0)
	if code := p2.Stop(); code != 0 {
		t.Errorf("restarted hotspotd: exit %d after SIGTERM", code)
	}
}

// testBroker is an embedded broker closed at most once (mochi panics on a
// second Close).
type testBroker struct {
	b    *broker.Broker
	once sync.Once
}

func (b *testBroker) stop() { b.once.Do(func() { b.b.Close() }) }

// startBrokerAt runs an embedded broker on addr until stopped or the test ends.
func startBrokerAt(t *testing.T, addr string) *testBroker {
	t.Helper()
	var b *broker.Broker
	var err error
	for deadline := time.Now().Add(waitFor); ; time.Sleep(50 * time.Millisecond) {
		if b, err = broker.Start(broker.Options{Listen: addr}); err == nil || time.Now().After(deadline) {
			break
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	tb := &testBroker{b: b}
	t.Cleanup(tb.stop)
	return tb
}

// pushUplink sends uplink i (a distinct unconfirmed data up with a good
// CRC) in a PUSH_DATA of its own, waits for the PUSH_ACK and returns the
// PHYPayload.
func pushUplink(f *forwarder, i int) []byte {
	phy := []byte{0x40, 1, 2, 3, 4, 0x80, byte(i), byte(i >> 8), 1, 0xaa, byte(i), byte(i >> 8), 0xdd, 0xee}
	r := gwmp.RXPK{Tmst: uint32(1_000_000 + 1000*i), Chan: 3, RFCh: 1, Freq: 868.3, Stat: gwmp.StatCRCOK,
		Modu: gwmp.ModuLoRa, DatR: gwmp.LoRa(9, 125), Codr: "4/5", RSSI: -97, LSNR: 6.25}
	r.SetPayload(phy)
	f.push(uint16(i), r)
	return phy
}

// uplinkCounter subscribes to one hotspot's uplinks and counts them by
// their signed envelope (what a receiver deduplicates by) and by the
// PHYPayload inside.
type uplinkCounter struct {
	addr identity.Address
	cl   *mqttclient.Client

	mu        sync.Mutex
	envelopes map[string]int    // signed envelope → deliveries
	phys      map[string]string // PHYPayload → its envelope
	bad       []string
}

func newUplinkCounter(addr identity.Address) *uplinkCounter {
	return &uplinkCounter{addr: addr, envelopes: map[string]int{}, phys: map[string]string{}}
}

func (u *uplinkCounter) connect(t *testing.T, url string) {
	t.Helper()
	cl, err := mqttclient.Connect(context.Background(), mqttclient.Options{Broker: url, ClientID: fmt.Sprintf("counter-%d", time.Now().UnixNano())})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	if err := cl.Subscribe(context.Background(), hotspot.UplinksOf(u.addr), 1, u.add); err != nil {
		t.Fatal(err)
	}
	u.cl = cl
}

func (u *uplinkCounter) disconnect() { u.cl.Close() }

func (u *uplinkCounter) add(_ string, payload []byte) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.envelopes[string(payload)]++
	if u.envelopes[string(payload)] > 1 {
		return // a replay: the same bytes, counted once
	}
	var up hexnetpb.Uplink
	signer, err := identity.OpenBytes(payload, identity.KindUplink, &up)
	if err != nil || signer != u.addr {
		u.bad = append(u.bad, fmt.Sprintf("uplink signed by %s: %v", signer, err))
		return
	}
	phy := string(up.GetPhyPayload())
	if _, dup := u.phys[phy]; dup {
		u.bad = append(u.bad, fmt.Sprintf("uplink %x published under two different envelopes (a receiver would count it twice)", phy))
		return
	}
	u.phys[phy] = string(payload)
}

// waitFor waits until every PHYPayload of want has arrived, failing on
// anything unverifiable, counted twice or never sent.
func (u *uplinkCounter) waitFor(t *testing.T, want map[string]bool, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		u.mu.Lock()
		missing, extra := 0, 0
		for k := range want {
			if _, ok := u.phys[k]; !ok {
				missing++
			}
		}
		for k := range u.phys {
			if !want[k] {
				extra++
			}
		}
		bad := slices.Clone(u.bad)
		u.mu.Unlock()
		switch {
		case len(bad) > 0:
			t.Fatalf("bad deliveries: %v", bad)
		case extra > 0:
			t.Fatalf("%d uplinks that were never sent", extra)
		case missing == 0:
			return
		case time.Now().After(deadline):
			t.Fatalf("%d of %d uplinks missing after %v", missing, len(want), within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// repeats is how many deliveries repeated an envelope already seen.
func (u *uplinkCounter) repeats() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	n := 0
	for _, c := range u.envelopes {
		n += c - 1
	}
	return n
}

// tearNewestSegment appends the first half of the newest segment's last
// record to it, as a write cut short by a power cut would leave it, and
// returns the file and the bytes appended. Every complete record stays.
func tearNewestSegment(t *testing.T, dir string) (string, int) {
	t.Helper()
	segs, err := filepath.Glob(filepath.Join(dir, "*.seg"))
	if err != nil || len(segs) == 0 {
		t.Fatalf("no segment files in %s (%v)", dir, err)
	}
	slices.Sort(segs)
	path := segs[len(segs)-1]
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Walk the records (magic, then length | CRC-32C | body each) to the last.
	const magic, header = 8, 8
	last := -1
	for off := magic; off+header <= len(b); {
		n := int(binary.LittleEndian.Uint32(b[off:]))
		if off+header+n > len(b) {
			t.Fatalf("%s already ends in a partial record at %d", path, off)
		}
		last, off = off, off+header+n
	}
	if last < 0 {
		t.Fatalf("%s holds no record", path)
	}
	torn := b[last : last+(len(b)-last)/2]
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(torn); err != nil {
		t.Fatal(err)
	}
	return path, len(torn)
}

// metricValue reads one unlabelled sample from hotspotd's /metrics; -1 when absent.
func metricValue(t *testing.T, addr, name string) float64 {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			return f
		}
	}
	return -1
}

// waitMetric waits until the sample reads want.
func waitMetric(t *testing.T, addr, name string, want float64) {
	t.Helper()
	var got float64
	for deadline := time.Now().Add(waitFor); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if got = metricValue(t, addr, name); got == want {
			return
		}
	}
	t.Fatalf("%s = %v, want %v", name, got, want)
}
