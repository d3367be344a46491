package sim

import (
	"context"
	"fmt"

	"github.com/hexnet/hexnet/sim/air"
)

// RunWith drives the devices against the given gateways, one per hotspot
// by index, until ctx ends: each device transmits on its schedule and each
// copy of a frame goes to gateways[hotspot].Receive with At = the end of
// the frame (now). Downlinks come back through Transmit, and so do
// beacons, whose copies go to the other gateways' Receive at the end of the
// frame. It returns nil when ctx ends.
func (w *World) RunWith(ctx context.Context, gateways []air.Gateway) error {
	if len(gateways) != len(w.hotspots) {
		return fmt.Errorf("sim: %d gateways for %d hotspots", len(gateways), len(w.hotspots))
	}
	w.setGateways(gateways)
	defer w.setGateways(nil)
	start := w.cfg.Clock.Now()
	for _, n := range w.nodes {
		w.sched.add(event{at: start.Add(n.firstDelay(w.cfg.UplinkInterval)), dev: n.Index})
	}
	for {
		e, ok, err := w.due(ctx)
		if err != nil {
			return nil
		}
		if !ok || !w.nodes[e.dev].current(e) {
			continue
		}
		if err := w.fire(e.dev, gateways); err != nil {
			return err
		}
	}
}

// due waits for the earliest event to come due and pops it; ok is false
// when it woke for another reason (an earlier event arrived). err is set
// once ctx ends.
func (w *World) due(ctx context.Context) (event, bool, error) {
	e, ok := w.sched.next()
	if ok {
		d := e.at.Sub(w.cfg.Clock.Now())
		if d <= 0 {
			return w.sched.pop(), true, nil
		}
		t := w.cfg.Clock.AfterFunc(d, w.sched.signal)
		defer t.Stop()
	}
	select {
	case <-ctx.Done():
		return event{}, false, ctx.Err()
	case <-w.sched.wake:
		return event{}, false, nil
	}
}

// fire sends device dev's next frame now, schedules the device's next
// frame, then hands each copy to its gateway. Scheduling comes first so
// that a downlink answering the frame during delivery can replace it.
func (w *World) fire(dev int, gateways []air.Gateway) error {
	now := w.cfg.Clock.Now()
	up, err := w.Send(dev, now)
	if err != nil {
		return err
	}
	n := w.nodes[dev]
	n.mu.Lock()
	gen := n.gen
	n.mu.Unlock()
	w.sched.add(event{at: now.Add(n.nextDelay(up, w.cfg.UplinkInterval, !w.cfg.IgnoreDutyCycle)), dev: dev, gen: gen})
	for _, r := range up.Receptions {
		gateways[r.Hotspot].Receive(air.Reception{
			PHYPayload: append([]byte(nil), up.PHYPayload...), FrequencyHz: up.FrequencyHz,
			Modulation: up.Modulation, RSSI: r.RSSI, SNR: r.SNR, At: now,
		})
	}
	return nil
}

// setGateways sets where beacons are delivered; nil stops deliveries.
func (w *World) setGateways(gateways []air.Gateway) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.gateways = gateways
}
