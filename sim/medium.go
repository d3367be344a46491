package sim

import (
	"fmt"
	"sort"
	"time"

	"github.com/hexnet/hexnet/sim/air"
)

// Send puts device dev's next frame on air, ending at end: a join request
// until an OTAA device has joined, a data uplink afterwards. It returns the
// frame with the hotspots that heard it and opens the device's receive
// windows; delivering the copies to gateways is the caller's job (Run does
// it). Content, receivers, RSSI and SNR depend only on the seed and on
// the downlinks the device accepted, never on end.
func (w *World) Send(dev int, end time.Time) (Uplink, error) {
	if dev < 0 || dev >= len(w.nodes) {
		return Uplink{}, fmt.Errorf("sim: no device %d (the world has %d)", dev, len(w.nodes))
	}
	up, err := w.nodes[dev].transmit(w.cfg.Radio, w.hotspots, end)
	if err != nil {
		return Uplink{}, err
	}
	w.recordUplink(up)
	return up, nil
}

// Transmit implements air.Medium: a gateway's downlink reaches every
// device with a receive window open for it whose link budget closes. A
// transmission with uplink polarity (InvertPolarity false: a beacon)
// reaches instead every other hotspot whose link budget closes; while
// RunWith runs, each copy goes to that hotspot's gateway at the end of the
// frame (see BeaconsHeard).
func (w *World) Transmit(gateway int, tx air.Transmission) {
	if gateway < 0 || gateway >= len(w.hotspots) {
		w.log.Warn("transmission from unknown gateway", "gateway", gateway)
		return
	}
	if !tx.InvertPolarity {
		w.transmitBeacon(gateway, tx)
		return
	}
	w.mu.Lock()
	w.stats.DownlinksTransmitted++
	w.mu.Unlock()
	g := w.hotspots[gateway]
	for _, dev := range w.listeners(tx.At) {
		n := w.nodes[dev]
		h := n.hear(downlinkInput{
			tx: tx, gateway: g, seed: w.cfg.Seed, radio: w.cfg.Radio, distanceM: linkDistanceM(n.Device, g),
			shadowDB: w.cfg.Radio.ShadowingSigmaDB * normal(w.cfg.Seed, purposeShadowing, pairID(dev, gateway)),
		})
		w.recordDownlink(h)
		w.recordReceived(h.down)
		w.logDownlink(dev, gateway, h)
		if h.joined {
			w.sched.reschedule(n, tx.At.Add(h.next))
		}
	}
}

// listeners lists, in index order, the devices whose windows are still
// open at t, forgetting those whose windows have all passed.
func (w *World) listeners(t time.Time) []int {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []int
	for dev := range w.listening {
		if w.nodes[dev].windowsClosed(t) {
			delete(w.listening, dev)
			continue
		}
		out = append(out, dev)
	}
	sort.Ints(out)
	return out
}

func (w *World) logDownlink(dev, gateway int, h heard) {
	switch {
	case h.err != nil:
		w.log.Debug("downlink refused", "device", dev, "gateway", gateway, "err", h.err)
	case h.joined:
		w.log.Info("device joined", "device", dev, "gateway", gateway)
	case h.inWindow && !h.received:
		w.log.Debug("downlink too weak", "device", dev, "gateway", gateway)
	}
}
