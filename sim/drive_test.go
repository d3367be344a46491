package sim

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/brocaar/lorawan"

	"github.com/hexnet/hexnet/clock"
	"github.com/hexnet/hexnet/sim/air"
)

// fakeNetwork stands in for forwarders, hotspotd and router: every
// gateway records what it receives, and the first copy of each join
// request is answered with a join accept in RX1.
type fakeNetwork struct {
	t       *testing.T
	w       *World
	devices map[lorawan.EUI64]Device

	mu       sync.Mutex
	received [][]air.Reception // by gateway
	answered map[lorawan.DevNonce]bool
}

type fakeGateway struct {
	net   *fakeNetwork
	index int
}

func (g fakeGateway) Receive(r air.Reception) { g.net.receive(g.index, r) }

func newFakeNetwork(t *testing.T, w *World) (*fakeNetwork, []air.Gateway) {
	n := &fakeNetwork{t: t, w: w, devices: map[lorawan.EUI64]Device{}, answered: map[lorawan.DevNonce]bool{}}
	for _, d := range w.Devices() {
		n.devices[d.DevEUI] = d
	}
	n.received = make([][]air.Reception, len(w.Hotspots()))
	gws := make([]air.Gateway, len(w.Hotspots()))
	for i := range gws {
		gws[i] = fakeGateway{net: n, index: i}
	}
	return n, gws
}

func (n *fakeNetwork) receive(gateway int, r air.Reception) {
	n.mu.Lock()
	n.received[gateway] = append(n.received[gateway], r)
	n.mu.Unlock()
	var phy lorawan.PHYPayload
	if err := phy.UnmarshalBinary(r.PHYPayload); err != nil || phy.MHDR.MType != lorawan.JoinRequest {
		return
	}
	jr := phy.MACPayload.(*lorawan.JoinRequestPayload)
	n.mu.Lock()
	seen := n.answered[jr.DevNonce]
	n.answered[jr.DevNonce] = true
	n.mu.Unlock()
	if seen {
		return
	}
	d := n.devices[jr.DevEUI]
	ja := lorawan.JoinAcceptPayload{JoinNonce: lorawan.JoinNonce(d.Index), DevAddr: lorawan.DevAddr{0, 0, 1, byte(d.Index)}}
	n.w.Transmit(gateway, air.Transmission{
		PHYPayload: joinAccept(n.t, d, ja, jr.DevNonce), FrequencyHz: r.FrequencyHz, Modulation: r.Modulation,
		PowerDBm: 27, InvertPolarity: true, At: r.At.Add(JoinAcceptDelay1),
	})
}

func TestRunWithFakeGateways(t *testing.T) {
	cfg := testConfig(31)
	cfg.Devices, cfg.UplinkInterval, cfg.IgnoreDutyCycle = 10, 40*time.Millisecond, true
	w := newTestWorld(t, cfg)
	net, gws := newFakeNetwork(t, w)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := w.RunWith(ctx, gws); err != nil {
		t.Fatalf("RunWith: %v", err)
	}
	s := w.Stats()
	if s.FramesSent < 50 || s.JoinRequests < 5 || s.JoinsAccepted < 4 || s.FramesHeard == 0 {
		t.Errorf("stats after 1 s: %+v", s)
	}
	checkCopies(t, w, net)
}

// checkCopies checks that every hotspot listed for a heard frame got it,
// and that the gateways got exactly the copies counted.
func checkCopies(t *testing.T, w *World, net *fakeNetwork) {
	t.Helper()
	var copies int64
	for _, r := range net.received {
		copies += int64(len(r))
	}
	if s := w.Stats(); copies != s.Copies {
		t.Errorf("gateways received %d copies, stats say %d", copies, s.Copies)
	}
	for _, h := range w.HeardFrames() {
		for _, g := range h.Hotspots {
			if !net.heardPayload(g, h) {
				t.Errorf("hotspot %d did not receive %+v", g, h)
			}
		}
	}
}

// heardPayload reports whether gateway received h's frame, by decrypting
// what it received with the device's ABP keys or a join-derived session.
func (n *fakeNetwork) heardPayload(gateway int, h HeardFrame) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, r := range n.received[gateway] {
		var phy lorawan.PHYPayload
		if phy.UnmarshalBinary(r.PHYPayload) != nil || phy.MHDR.MType != lorawan.UnconfirmedDataUp {
			continue
		}
		mac := phy.MACPayload.(*lorawan.MACPayload)
		if mac.FHDR.FCnt == h.FCnt&0xffff && r.At.Equal(h.At) {
			return true
		}
	}
	return false
}

// TestRunWithFakeClock runs a minute of simulated time: OTAA devices
// join, then send data.
func TestRunWithFakeClock(t *testing.T) {
	clk := clock.NewFake(t0)
	cfg := testConfig(32)
	cfg.Devices, cfg.UplinkInterval, cfg.OTAAShare, cfg.Clock = 8, 2*time.Second, 1, clk
	w := newTestWorld(t, cfg)
	net, gws := newFakeNetwork(t, w)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- w.RunWith(ctx, gws) }()
	for i := 0; i < 600; i++ {
		time.Sleep(time.Millisecond)
		clk.Advance(100 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("RunWith: %v", err)
	}
	s := w.Stats()
	if s.JoinsAccepted < 6 || len(w.HeardFrames()) < 20 {
		t.Errorf("after a simulated minute: %+v, %d data frames heard", s, len(w.HeardFrames()))
	}
	checkCopies(t, w, net)
}

func TestRunWithWrongGatewayCount(t *testing.T) {
	w := newTestWorld(t, testConfig(1))
	if err := w.RunWith(context.Background(), nil); err == nil {
		t.Error("RunWith accepted no gateways for 12 hotspots")
	}
}
