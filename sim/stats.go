package sim

import (
	"time"

	"github.com/brocaar/lorawan"
)

// Stats counts what happened on the air.
type Stats struct {
	FramesSent           int64 // uplinks put on air, join requests included
	FramesHeard          int64 // uplinks at least one hotspot heard
	Copies               int64 // hotspot receptions of uplinks
	JoinRequests         int64
	JoinsAccepted        int64 // valid join accepts that started a session
	DownlinksTransmitted int64 // inverted-polarity transmissions gateways handed to the medium
	DownlinksHeard       int64 // downlinks a device demodulated in an open window
	DownlinksRejected    int64 // heard but refused: wrong address, bad MIC, replay
	BeaconsTransmitted   int64 // uplink-polarity transmissions (beacons) gateways handed to the medium
	BeaconWitnessCopies  int64 // hotspot receptions of beacons
	RekeyInds            int64 // LoRaWAN 1.1 RekeyInd and ResetInd commands sent
	RekeysUnconfirmed    int64 // 1.1 devices that stopped sending them without RekeyConf/ResetConf
}

// HeardFrame is a data uplink that at least one hotspot heard: what the
// application must receive exactly once.
type HeardFrame struct {
	DevEUI   lorawan.EUI64
	FCnt     uint32
	FPort    uint8
	Payload  []byte // plaintext
	Hotspots []int  // indices of the hotspots that heard it
	At       time.Time
}

// Stats returns the counters so far.
func (w *World) Stats() Stats {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.stats
}

// HeardFrames returns every heard data uplink so far, in send order.
func (w *World) HeardFrames() []HeardFrame {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]HeardFrame(nil), w.heard...)
}

// recordUplink counts an uplink and opens its device's receive windows.
func (w *World) recordUplink(up Uplink) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.stats.FramesSent++
	w.listening[up.Device] = struct{}{}
	if up.Join {
		w.stats.JoinRequests++
	}
	if up.RekeyInd {
		w.stats.RekeyInds++
	}
	if up.RekeyGaveUp {
		w.stats.RekeysUnconfirmed++
	}
	if len(up.Receptions) == 0 {
		return
	}
	w.stats.FramesHeard++
	w.stats.Copies += int64(len(up.Receptions))
	if !up.Join {
		w.heard = append(w.heard, heardFrame(up))
	}
}

func heardFrame(up Uplink) HeardFrame {
	hs := make([]int, len(up.Receptions))
	for i, r := range up.Receptions {
		hs[i] = r.Hotspot
	}
	return HeardFrame{DevEUI: up.DevEUI, FCnt: up.FCnt, FPort: up.FPort, Payload: up.Payload, Hotspots: hs, At: up.End}
}

// recordDownlink counts what a device made of a downlink.
func (w *World) recordDownlink(h heard) {
	if !h.received {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.stats.DownlinksHeard++
	switch {
	case h.err != nil:
		w.stats.DownlinksRejected++
	case h.joined:
		w.stats.JoinsAccepted++
	}
}
