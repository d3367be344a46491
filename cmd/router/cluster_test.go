package main

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/brocaar/lorawan"

	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/internal/testenv"
	"github.com/hexnet/hexnet/mqttclient"
	"github.com/hexnet/hexnet/store/pgstore/pgtest"
)

// newCluster names a cluster for one test and, when the test ends, removes
// the persistent sessions its routers left on the shared broker.
func newCluster(t *testing.T, broker string) string {
	t.Helper()
	name := unique(t, "routers")
	t.Cleanup(func() {
		for _, n := range []int{4, 16} {
			for p := range n {
				ctx, cancel := context.WithTimeout(context.Background(), waitFor)
				cl, err := mqttclient.Connect(ctx, mqttclient.Options{Broker: broker, ClientID: fmt.Sprintf("%s-p%dof%d", name, p, n)})
				cancel()
				if err == nil {
					cl.Close() // a clean session replaces, and so ends, the persistent one
				}
			}
		}
	})
	return name
}

// frameKey names one uplink: the device and its frame counter.
type frameKey struct {
	dev  string
	fcnt uint32
}

// TestClusterTakeover runs two routers of one cluster against the
// machine's Mosquitto and PostgreSQL, kills one with SIGKILL in the middle
// of a steady load, and checks that the other takes its partitions over:
// no frame is delivered twice, and every frame is delivered but those the
// dead router had taken and not finished (sent shortly before the kill),
// which are counted.
func TestClusterTakeover(t *testing.T) {
	broker := testenv.Mosquitto(t)
	db := pgtest.Schema(t)
	app := unique(t, "app")
	devs := make([]abpDevice, 32)
	for i := range devs {
		devs[i].eui = lorawan.EUI64{0x70, 0xb3, 0xd5, 0x7e, 0xd0, 0x01, 0x00, byte(i)}
		devs[i].addr = lorawan.DevAddr{0x26, 0x02, byte(i * 37), byte(i)}
	}
	if res := execute(t, "migrate", "--db", db); res.Code != 0 {
		t.Fatalf("migrate: exit %d: %s", res.Code, res.Stderr)
	}
	registerABPs(t, db, app, 0, devs...)
	got := collectUps(t, broker, app)

	cluster := newCluster(t, broker)
	args := []string{"--mqtt", broker, "--db", db, "--auto-migrate=false", "--metrics-listen", "",
		"--cluster", cluster, "--partitions", "16", "--dedup-window", "100ms"}
	a := start(t, args...)
	a.WaitLog("held=16")
	b := start(t, args...)
	b.WaitLog("held=8")
	a.WaitLog("partition released")

	hotspots := []*identity.Key{mustKey(t), mustKey(t)}
	cl := connect(t, broker)
	const frames, rate = 600, 100 // 6 s of load
	sent := make([]time.Time, frames)
	var killedAt time.Time
	for i := range frames {
		if i == frames/3 {
			a.Kill()
			killedAt = time.Now()
		}
		d := devs[i%len(devs)]
		phy := dataUpFrom(t, d.addr, uint32(i/len(devs)), 2, binary.BigEndian.AppendUint32(nil, uint32(i)))
		sent[i] = time.Now()
		for h, k := range hotspots {
			publishUplink(t, cl, k, phy, float32(h))
		}
		time.Sleep(time.Second / rate)
	}
	b.WaitLog("held=16")

	// Everything not lost with the dead router arrives: wait until the
	// count stops growing.
	for last := -1; ; time.Sleep(time.Second) {
		if n := got.count(); n == last {
			break
		} else {
			last = n
		}
	}
	var inFlight, missing []int
	for i := range frames {
		d := devs[i%len(devs)]
		k := frameKey{fmt.Sprintf("%x", d.eui[:]), uint32(i / len(devs))}
		switch n := got.times(k); {
		case n > 1:
			t.Errorf("frame %d (device %s, fCnt %d) delivered %d times", i, k.dev, k.fcnt, n)
		case n == 0 && sent[i].Before(killedAt) && sent[i].After(killedAt.Add(-time.Second)):
			inFlight = append(inFlight, i)
		case n == 0:
			missing = append(missing, i)
		}
	}
	t.Logf("%d frames, %d delivered; %d in flight in the killed router (sent within 1 s before the kill) lost", frames, got.count(), len(inFlight))
	if len(missing) > 0 {
		t.Errorf("%d frames lost that the killed router had not taken (first: %v)", len(missing), missing[:min(10, len(missing))])
	}
	if len(inFlight) > frames/10 {
		t.Errorf("%d frames lost in flight: more than the kill explains", len(inFlight))
	}
}

func mustKey(t *testing.T) *identity.Key {
	t.Helper()
	k, err := identity.Generate()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// ups counts up events by device and frame counter.
type ups struct {
	mu sync.Mutex
	n  map[frameKey]int
}

func collectUps(t *testing.T, broker, app string) *ups {
	t.Helper()
	u := &ups{n: map[frameKey]int{}}
	cl := connect(t, broker)
	err := cl.Subscribe(context.Background(), "hexnet/app/"+app+"/device/+/event/up", 1, func(topic string, payload []byte) {
		var ev upEvent
		if err := json.Unmarshal(payload, &ev); err != nil {
			t.Errorf("up event on %s is not JSON: %v", topic, err)
			return
		}
		u.mu.Lock()
		defer u.mu.Unlock()
		u.n[frameKey{strings.ToLower(ev.DeviceInfo.DevEUI), ev.FCnt}]++
	})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func (u *ups) count() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return len(u.n)
}

func (u *ups) times(k frameKey) int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.n[k]
}
