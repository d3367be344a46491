package router_test

import (
	"context"
	"encoding/json"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/brocaar/lorawan"
	"google.golang.org/protobuf/proto"

	"github.com/hexnet/hexnet/broker"
	"github.com/hexnet/hexnet/geo"
	"github.com/hexnet/hexnet/hotspot"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/mqttclient"
	"github.com/hexnet/hexnet/proto/hexnetpb"
	"github.com/hexnet/hexnet/router"
	"github.com/hexnet/hexnet/sim"
	"github.com/hexnet/hexnet/sim/air"
)

// simGateway stands in for a packet forwarder and hotspotd: it signs what
// the simulated air delivers and publishes it as the hotspot's uplink, and
// it plays the hotspot's downlink path — items in order, an item whose
// time has passed (or that refuse names) is TOO_LATE and gives way to the
// next, the one taken goes on air at its time, and a signed TxAck answers.
type simGateway struct {
	t      *testing.T
	w      *sim.World
	index  int
	key    *identity.Key
	client *mqttclient.Client
	epoch  time.Time // concentrator counter zero
	refuse func(dl *hexnetpb.Downlink, item int) bool
}

func (g *simGateway) topic(leaf string) string {
	return "hexnet/hotspot/" + string(g.key.Address()) + "/" + leaf
}

func (g *simGateway) Receive(rx air.Reception) {
	payload, err := g.key.SealBytes(identity.KindUplink, &hexnetpb.Uplink{
		PhyPayload: rx.PHYPayload, FrequencyHz: rx.FrequencyHz, Rssi: float32(rx.RSSI), Snr: float32(rx.SNR),
		Tmst: uint32(rx.At.Sub(g.epoch) / time.Microsecond),
		DataRate: &hexnetpb.DataRate{SpreadingFactor: uint32(rx.Modulation.SpreadingFactor),
			BandwidthKhz: uint32(rx.Modulation.BandwidthKHz), CodingRate: rx.Modulation.CodingRate},
	})
	if err != nil {
		g.t.Errorf("seal uplink: %v", err)
		return
	}
	go func() {
		_ = g.client.Publish(context.Background(), hotspot.UplinkTopic(g.key.Address(), rx.PHYPayload), 1, false, payload)
	}()
}

func (g *simGateway) onDownlink(_ string, payload []byte) {
	var dl hexnetpb.Downlink
	if err := proto.Unmarshal(payload, &dl); err != nil {
		g.t.Errorf("downlink does not decode: %v", err)
		return
	}
	code, item := "TOO_LATE", 0
	for i, it := range dl.GetItems() {
		item = i
		at := g.epoch.Add(time.Duration(it.GetTmst()) * time.Microsecond)
		if it.GetImmediately() {
			at = time.Now()
		}
		if (g.refuse != nil && g.refuse(&dl, i)) || (!it.GetImmediately() && time.Until(at) < 20*time.Millisecond) {
			continue
		}
		tx := air.Transmission{PHYPayload: it.GetPhyPayload(), FrequencyHz: it.GetFrequencyHz(),
			Modulation: air.Modulation{SpreadingFactor: int(it.GetDataRate().GetSpreadingFactor()),
				BandwidthKHz: int(it.GetDataRate().GetBandwidthKhz()), CodingRate: "4/5"},
			PowerDBm: float64(it.GetPowerDbm()), InvertPolarity: it.GetInvertPolarity(), At: at}
		time.AfterFunc(time.Until(at), func() { g.w.Transmit(g.index, tx) })
		code = "NONE"
		break
	}
	ack, err := g.key.SealBytes(identity.KindTxAck, &hexnetpb.TxAck{Id: dl.GetId(), Error: code, Item: uint32(item), TimeUnixNs: time.Now().UnixNano()})
	if err != nil {
		g.t.Errorf("seal ack: %v", err)
		return
	}
	go func() { _ = g.client.Publish(context.Background(), g.topic("ack"), 1, false, ack) }()
}

// closestDevices orders the world's devices by the distance to their
// nearest hotspot.
func closestDevices(w *sim.World) []sim.Device {
	ds := w.Devices()
	near := func(d sim.Device) float64 {
		best := 1e12
		for _, h := range w.Hotspots() {
			best = min(best, geo.DistanceM(d.Point(), h.Point()))
		}
		return best
	}
	sort.Slice(ds, func(i, j int) bool { return near(ds[i]) < near(ds[j]) })
	return ds
}

// TestDownlinksEndToEnd runs simulated devices through the embedded
// broker and the real router: a confirmed uplink is acknowledged in RX1; a
// queued downlink arrives in RX1, and in RX2 when the hotspot refuses RX1
// as TOO_LATE; a confirmed queued downlink is acknowledged by the device
// (ack event); ADR takes a close SF12 device to SF7.
func TestDownlinksEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for several seconds of real time")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	b, err := broker.Start(broker.Options{Listen: "127.0.0.1:0"})
	must(t, err)
	defer b.Close()
	w, err := sim.NewWorld(sim.Config{Hotspots: 12, Devices: 40, Seed: 7, UplinkInterval: 5 * time.Second,
		IgnoreDutyCycle: true, NetID: testNet, Application: "e2e"})
	must(t, err)
	st := openStore(t)
	for _, reg := range w.Registrations() {
		must(t, st.CreateDevice(ctx, reg.Device))
		if reg.Session != nil {
			must(t, st.SaveSession(ctx, *reg.Session))
		}
	}
	near := closestDevices(w)
	adr, confirmedUp, rx1, rx2, confirmedDown := near[0], near[1], near[2], near[3], near[4]
	must(t, w.SetMAC(adr.Index, sim.MACOptions{ADR: true, SpreadingFactor: 12}))
	must(t, w.SetMAC(confirmedUp.Index, sim.MACOptions{Confirmed: true}))

	bus := connect(ctx, t, b.URL(), "router")
	r, err := router.New(router.Options{Store: st, Bus: bus, DedupWindow: 200 * time.Millisecond, NetID: testNet})
	must(t, err)
	runErr := make(chan error, 1)
	go func() { runErr <- r.Run(ctx) }()
	acks := subscribeAcks(ctx, t, b.URL())

	for _, q := range []struct {
		d sim.Device
		l router.Downlink
	}{
		{rx1, router.Downlink{FPort: 5, Data: []byte("rx1")}},
		{rx2, router.Downlink{FPort: 6, Data: []byte("rx2")}},
		{confirmedDown, router.Downlink{FPort: 7, Data: []byte("conf"), Confirmed: true}},
	} {
		if _, err := r.Enqueue(ctx, q.d.DevEUI, q.l); err != nil {
			t.Fatalf("Enqueue: %v", err)
		}
	}
	gws := startGateways(ctx, t, w, b.URL(), func(dl *hexnetpb.Downlink, item int) bool {
		return item == 0 && devAddrOf(dl) == rx2.DevAddr
	})
	time.Sleep(300 * time.Millisecond) // subscriptions reach the broker
	simCtx, stopSim := context.WithCancel(ctx)
	simDone := make(chan error, 1)
	go func() { simDone <- w.RunWith(simCtx, gws) }()

	ok := waitFor(ctx, func() bool {
		got := received(w)
		return got.has(confirmedUp.Index, 1, func(d sim.ReceivedDownlink) bool { return d.ACK }) &&
			got.has(rx1.Index, 1, payload("rx1")) && got.has(rx2.Index, 2, payload("rx2")) &&
			got.has(confirmedDown.Index, 0, payload("conf")) && acks.acked(confirmedDown.DevEUI) &&
			w.SpreadingFactor(adr.Index) == 7
	})
	stopSim()
	<-simDone
	if !ok {
		t.Errorf("downlinks received: %+v", w.ReceivedDownlinks())
		t.Errorf("ADR device at SF%d, want SF7; ack events: %v", w.SpreadingFactor(adr.Index), acks.list())
	}
	cancel()
	if err := <-runErr; err != nil {
		t.Errorf("Run: %v", err)
	}
}

func startGateways(ctx context.Context, t *testing.T, w *sim.World, url string, refuse func(*hexnetpb.Downlink, int) bool) []air.Gateway {
	epoch := time.Now().Add(-time.Minute)
	var gws []air.Gateway
	for i, h := range w.Hotspots() {
		g := &simGateway{t: t, w: w, index: i, key: h.Key, epoch: epoch, refuse: refuse}
		g.client = connect(ctx, t, url, "gw-"+string(h.Address))
		must(t, g.client.Subscribe(ctx, g.topic("down"), 1, g.onDownlink))
		gws = append(gws, g)
	}
	return gws
}

func devAddrOf(dl *hexnetpb.Downlink) lorawan.DevAddr {
	var phy lorawan.PHYPayload
	if len(dl.GetItems()) == 0 || phy.UnmarshalBinary(dl.GetItems()[0].GetPhyPayload()) != nil {
		return lorawan.DevAddr{}
	}
	if mac, ok := phy.MACPayload.(*lorawan.MACPayload); ok {
		return mac.FHDR.DevAddr
	}
	return lorawan.DevAddr{}
}

type receivedSet []sim.ReceivedDownlink

func received(w *sim.World) receivedSet { return w.ReceivedDownlinks() }

// has reports whether device dev accepted a downlink matching ok in
// window (0: either).
func (s receivedSet) has(dev, window int, ok func(sim.ReceivedDownlink) bool) bool {
	for _, d := range s {
		if d.Device == dev && (window == 0 || d.Window == window) && ok(d) {
			return true
		}
	}
	return false
}

func payload(p string) func(sim.ReceivedDownlink) bool {
	return func(d sim.ReceivedDownlink) bool { return string(d.Payload) == p }
}

// ackEvents collects ack events.
type ackEvents struct {
	mu  sync.Mutex
	evs []router.AckEvent
}

func subscribeAcks(ctx context.Context, t *testing.T, url string) *ackEvents {
	a := &ackEvents{}
	c := connect(ctx, t, url, "app-acks")
	must(t, c.Subscribe(ctx, "hexnet/app/+/device/+/event/ack", 1, func(_ string, p []byte) {
		var ev router.AckEvent
		if err := json.Unmarshal(p, &ev); err != nil {
			t.Errorf("ack event does not decode: %v", err)
			return
		}
		a.mu.Lock()
		a.evs = append(a.evs, ev)
		a.mu.Unlock()
	}))
	return a
}

func (a *ackEvents) acked(eui lorawan.EUI64) bool {
	for _, ev := range a.list() {
		if ev.DeviceInfo.DevEUI == eui.String() && ev.Acknowledged {
			return true
		}
	}
	return false
}

func (a *ackEvents) list() []router.AckEvent {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]router.AckEvent(nil), a.evs...)
}

// waitFor polls cond until it holds or ctx ends.
func waitFor(ctx context.Context, cond func() bool) bool {
	for {
		if cond() {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(100 * time.Millisecond):
		}
	}
}
