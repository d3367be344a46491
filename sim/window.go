package sim

import (
	"time"

	"github.com/hexnet/hexnet/sim/air"
)

// Receive window tolerances: how far a downlink's start may be from the
// window's instant, and its frequency from the window's.
const (
	WindowTolerance    = 50 * time.Millisecond
	frequencyTolerance = 1000 // Hz; absorbs MHz↔Hz rounding, not a wrong channel
)

// openWindows opens RX1 and RX2 after an uplink: JoinAcceptDelay1/2
// after a join request, RX1Delay and RX1Delay+1 s after data. RX1 listens
// on the uplink channel at the uplink data rate less RX1DROffset; RX2 on
// 869.525 MHz at the RX2 data rate.
func (n *node) openWindows(up Uplink) {
	d1, d2 := n.rx1Delay, n.rx1Delay+time.Second
	if up.Join {
		d1, d2 = JoinAcceptDelay1, JoinAcceptDelay2
	}
	n.rxJoin = up.Join
	n.rx = []window{
		{at: up.End.Add(d1), frequencyHz: up.FrequencyHz, sf: min(12, n.SpreadingFactor+n.rx1DROffset)},
		{at: up.End.Add(d2), frequencyHz: RX2FrequencyHz, sf: n.rx2SF},
	}
}

// matches reports whether a radio tuned for w demodulates tx: it starts
// within WindowTolerance of the window, on its frequency and spreading
// factor, with inverted IQ as every LoRaWAN downlink has.
func (w window) matches(tx air.Transmission) bool {
	dt := tx.At.Sub(w.at)
	df := int64(tx.FrequencyHz) - int64(w.frequencyHz)
	return dt >= -WindowTolerance && dt <= WindowTolerance &&
		df >= -frequencyTolerance && df <= frequencyTolerance &&
		tx.Modulation.SpreadingFactor == w.sf && tx.InvertPolarity
}

// windowFor reports whether one of the open windows receives tx.
func (n *node) windowFor(tx air.Transmission) bool {
	for _, w := range n.rx {
		if w.matches(tx) {
			return true
		}
	}
	return false
}

// closed reports whether every window has passed by t.
func (n *node) closed(t time.Time) bool {
	for _, w := range n.rx {
		if !t.After(w.at.Add(WindowTolerance)) {
			return false
		}
	}
	return true
}

// windowsClosed is closed under the node's lock.
func (n *node) windowsClosed(t time.Time) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.closed(t)
}
