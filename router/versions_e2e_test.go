package router_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/brocaar/lorawan"

	"github.com/hexnet/hexnet/broker"
	"github.com/hexnet/hexnet/router"
	"github.com/hexnet/hexnet/sim"
)

// versionRoles are the simulated devices of TestJoinEachVersionThroughSim:
// with MACVersions cycling over four versions and eight devices, device v
// and v+4 speak version v. The first sends confirmed uplinks, the second
// asks for a LinkCheck in every uplink. (Seed 36 puts all eight 13 dB or
// more above their demodulation floor, so fading loses no frame.)
type versionRoles struct {
	confirmed, linkCheck []sim.Device // by version
}

func assignVersionRoles(t *testing.T, w *sim.World) versionRoles {
	var r versionRoles
	devs := w.Devices()
	for v := range macVersions {
		c, l := devs[v], devs[v+len(macVersions)]
		if c.MACVersion != macVersions[v] || l.MACVersion != macVersions[v] {
			t.Fatalf("devices %d and %d speak %s and %s, want %s", c.Index, l.Index, c.MACVersion, l.MACVersion, macVersions[v])
		}
		must(t, w.SetMAC(c.Index, sim.MACOptions{Confirmed: true}))
		must(t, w.SetMAC(l.Index, sim.MACOptions{LinkCheck: true}))
		r.confirmed, r.linkCheck = append(r.confirmed, c), append(r.linkCheck, l)
	}
	return r
}

// TestJoinEachVersionThroughSim runs simulated LoRaWAN 1.0.2, 1.0.3, 1.0.4
// and 1.1 devices through the embedded broker and the real router: every
// device joins over the air, its uplinks reach the application with the
// payloads it sent, and every confirmed uplink's ACK reaches the device.
// The 1.1 devices also prove the split downlink counters: an application
// payload on AFCntDown (the second one confirmed, and acknowledged by the
// device through a MIC over that counter), ACKs and a LinkCheckAns on
// NFCntDown.
func TestJoinEachVersionThroughSim(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for several seconds of real time")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	b, err := broker.Start(broker.Options{Listen: "127.0.0.1:0"})
	must(t, err)
	t.Cleanup(func() { _ = b.Close() }) // after the clients' cleanups: they close without reconnecting
	w, err := sim.NewWorld(sim.Config{Hotspots: 12, Devices: 2 * len(macVersions), Seed: 36, UplinkInterval: 2500 * time.Millisecond,
		IgnoreDutyCycle: true, OTAAShare: 1, NetID: testNet, Application: "versions", MACVersions: macVersions})
	must(t, err)
	st := openStore(t)
	for _, reg := range w.Registrations() {
		must(t, st.CreateDevice(ctx, reg.Device))
	}
	roles := assignVersionRoles(t, w)
	v11 := roles.confirmed[len(macVersions)-1]

	bus := connect(ctx, t, b.URL(), "router")
	r, err := router.New(router.Options{Store: st, Bus: bus, DedupWindow: 200 * time.Millisecond, NetID: testNet})
	must(t, err)
	runErr := make(chan error, 1)
	go func() { runErr <- r.Run(ctx) }()
	events := subscribeEventLog(ctx, t, b.URL(), "versions")
	for _, d := range []router.Downlink{{FPort: 9, Data: []byte("a-fcnt-0")}, {FPort: 9, Data: []byte("a-fcnt-1"), Confirmed: true}} {
		_, err := r.Enqueue(ctx, v11.DevEUI, d)
		must(t, err)
	}
	gws := startGateways(ctx, t, w, b.URL(), nil)
	time.Sleep(300 * time.Millisecond) // subscriptions reach the broker
	simCtx, stopSim := context.WithCancel(ctx)
	simDone := make(chan error, 1)
	go func() { simDone <- w.RunWith(simCtx, gws) }()

	start := time.Now()
	ok := waitFor(ctx, func() bool { return len(versionsMissing(w, roles, events)) == 0 })
	stopSim()
	must(t, <-simDone)
	t.Logf("done in %v; sim stats %+v", time.Since(start).Round(time.Millisecond), w.Stats())
	if !ok {
		for _, m := range versionsMissing(w, roles, events) {
			t.Error(m)
		}
		t.Logf("downlinks received: %+v", w.ReceivedDownlinks())
	}
	grace, cancelGrace := context.WithTimeout(ctx, 2*time.Second) // frames on their way when the sim stopped
	waitFor(grace, func() bool { return len(upEventProblems(w, events)) == 0 })
	cancelGrace()
	for _, p := range upEventProblems(w, events) {
		t.Error(p)
	}
	checkNoDrops(t, r)
	if s := w.Stats(); s.RekeyInds == 0 {
		t.Errorf("the 1.1 devices sent no RekeyInd: %+v", s)
	} else if s.RekeysUnconfirmed > 0 {
		// A router that does not answer RekeyInd (no RekeyConf) has each
		// 1.1 device give up after a few; LoRaWAN 1.1 wants the answer.
		t.Logf("%d 1.1 devices got no RekeyConf for their RekeyInd", s.RekeysUnconfirmed)
	}
	cancel()
	if err := <-runErr; err != nil {
		t.Errorf("Run: %v", err)
	}
}

// minUplinks is how many up events each device must reach the
// application with.
const minUplinks = 3

// versionsMissing lists what the test still waits for.
func versionsMissing(w *sim.World, roles versionRoles, events *eventLog) []string {
	var out []string
	got := received(w)
	for _, d := range w.Devices() {
		if !events.has(d.DevEUI, "join") {
			out = append(out, fmt.Sprintf("device %d (%s): no join event", d.Index, d.MACVersion))
		}
		if n := len(events.ups(d.DevEUI)); n < minUplinks {
			out = append(out, fmt.Sprintf("device %d (%s): %d up events, want %d", d.Index, d.MACVersion, n, minUplinks))
		}
	}
	for _, d := range roles.confirmed {
		if !got.has(d.Index, 0, func(r sim.ReceivedDownlink) bool { return r.ACK }) {
			out = append(out, fmt.Sprintf("device %d (%s): no ACK of a confirmed uplink came back", d.Index, d.MACVersion))
		}
	}
	for _, d := range roles.linkCheck {
		if !got.has(d.Index, 0, linkCheckAns) {
			out = append(out, fmt.Sprintf("device %d (%s): no LinkCheckAns", d.Index, d.MACVersion))
		}
	}
	return append(out, missing11(got, roles, events)...)
}

// missing11 checks the 1.1 devices' downlink counters. The confirmed
// payload a-fcnt-1 goes out on AFCntDown 1 (a-fcnt-0 took 0) and its ack
// event proves that the router verified the device's uplink MIC over
// ConfFCnt = 1. An ACK alone then comes on NFCntDown, whose count (0, 1,
// ...) a single 1.0 counter would refuse as a replay after AFCntDown 1;
// the LinkCheckAns rides in FOpts encrypted with NwkSEncKey.
func missing11(got receivedSet, roles versionRoles, events *eventLog) []string {
	c, l := roles.confirmed[len(roles.confirmed)-1], roles.linkCheck[len(roles.linkCheck)-1]
	var out []string
	app := slices.IndexFunc(got, func(r sim.ReceivedDownlink) bool {
		return r.Device == c.Index && r.Confirmed && r.FCnt == 1 && string(r.Payload) == "a-fcnt-1"
	})
	switch {
	case app < 0:
		out = append(out, fmt.Sprintf("1.1 device %d: no confirmed payload a-fcnt-1 on AFCntDown 1", c.Index))
	case !got.has(c.Index, 0, networkACKAfter(got, got[app])):
		out = append(out, fmt.Sprintf("1.1 device %d: no ACK on NFCntDown after the payload on AFCntDown 1 that one shared counter could not have sent", c.Index))
	}
	if !events.has(c.DevEUI, "ack") {
		out = append(out, fmt.Sprintf("1.1 device %d: no ack event for the confirmed downlink", c.Index))
	}
	if !got.has(l.Index, 0, func(r sim.ReceivedDownlink) bool { return r.FPort == nil && linkCheckAns(r) }) {
		out = append(out, fmt.Sprintf("1.1 device %d: no LinkCheckAns in FOpts", l.Index))
	}
	return out
}

// networkACKAfter matches an ACK without payload (NFCntDown) that came
// after app with a counter not above app's.
func networkACKAfter(got receivedSet, app sim.ReceivedDownlink) func(sim.ReceivedDownlink) bool {
	return func(r sim.ReceivedDownlink) bool {
		if r.FPort != nil || !r.ACK || !r.At.After(app.At) {
			return false
		}
		// One counter from 0 numbers the n-th downlink n-1 or more; more
		// downlinks so far than this FCnt allows take two counters. (How
		// far NFCntDown runs ahead depends on the RekeyConf and ACKs
		// before the payloads, so its value alone proves nothing.)
		n := 0
		for _, o := range got {
			if o.Device == r.Device && !o.At.After(r.At) {
				n++
			}
		}
		return uint32(n) > r.FCnt+1
	}
}

func linkCheckAns(r sim.ReceivedDownlink) bool {
	for _, c := range r.MAC {
		if _, ok := c.Payload.(*lorawan.LinkCheckAnsPayload); ok {
			return true
		}
	}
	return false
}

// upEventProblems matches the up events with the frames the devices sent:
// every heard frame has its event, with the plaintext the device sent.
func upEventProblems(w *sim.World, events *eventLog) []string {
	got := map[string]router.UplinkEvent{}
	for _, d := range w.Devices() {
		for _, ev := range events.ups(d.DevEUI) {
			got[fmt.Sprintf("%s/%d", d.DevEUI, ev.FCnt)] = ev
		}
	}
	var out []string
	for _, h := range w.HeardFrames() {
		ev, ok := got[fmt.Sprintf("%s/%d", h.DevEUI, h.FCnt)]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("device %s: no up event for FCnt %d", h.DevEUI, h.FCnt))
		case string(ev.Data) != string(h.Payload) || ev.FPort != h.FPort:
			out = append(out, fmt.Sprintf("device %s FCnt %d: up event FPort %d data %x; the device sent %x on FPort %d",
				h.DevEUI, h.FCnt, ev.FPort, ev.Data, h.Payload, h.FPort))
		}
	}
	return out
}

// checkNoDrops fails on every frame the router refused for a LoRaWAN
// reason: a device that speaks its version right has none.
func checkNoDrops(t *testing.T, r *router.Router) {
	t.Helper()
	for _, reason := range []string{"mic_failed", "join_mic_failed", "decrypt_failed", "fcnt_replay", "fcnt_gap",
		"devnonce_reused", "devnonce_not_increasing", "unknown_devaddr"} {
		if n := r.Dropped(reason); n != 0 {
			t.Errorf("the router dropped %v frames as %s", n, reason)
		}
	}
}

// eventLog collects an application's events by device and type.
type eventLog struct {
	mu  sync.Mutex
	raw map[string][][]byte // by "devEUI/type"
}

func subscribeEventLog(ctx context.Context, t *testing.T, url, app string) *eventLog {
	l := &eventLog{raw: map[string][][]byte{}}
	c := connect(ctx, t, url, "app-"+app)
	must(t, c.Subscribe(ctx, "hexnet/app/"+app+"/device/+/event/+", 1, func(topic string, p []byte) {
		parts := strings.Split(topic, "/") // hexnet app {app} device {devEUI} event {type}
		if len(parts) != 7 {
			t.Errorf("event on topic %s", topic)
			return
		}
		l.mu.Lock()
		defer l.mu.Unlock()
		k := parts[4] + "/" + parts[6]
		l.raw[k] = append(l.raw[k], append([]byte(nil), p...))
	}))
	return l
}

func (l *eventLog) get(eui lorawan.EUI64, typ string) [][]byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.raw[eui.String()+"/"+typ]
}

func (l *eventLog) has(eui lorawan.EUI64, typ string) bool { return len(l.get(eui, typ)) > 0 }

func (l *eventLog) ups(eui lorawan.EUI64) []router.UplinkEvent {
	var out []router.UplinkEvent
	for _, p := range l.get(eui, "up") {
		var ev router.UplinkEvent
		if json.Unmarshal(p, &ev) == nil {
			out = append(out, ev)
		}
	}
	return out
}
