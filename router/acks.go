package router

import (
	"sync"
	"time"

	"github.com/brocaar/lorawan"
	"github.com/google/uuid"

	"github.com/hexnet/hexnet/identity"
)

// AckOwed records that a device sent a confirmed uplink whose ACK has not
// been transmitted yet: the class A downlink after the uplink carries it
// (FCtrl.ACK), and the entry goes when a hotspot reports that downlink
// transmitted. The router remembers the latest one per device, which makes
// a debt the radio could not pay visible.
type AckOwed struct {
	DevEUI  lorawan.EUI64
	FCnt    uint32
	FrameID uuid.UUID
	Hotspot identity.Address // copy with the best SNR: where RX1 would go
	Tmst    uint32
	At      time.Time
}

// acks holds the latest owed ACK per device; bounded by the device count.
type acks struct {
	mu   sync.Mutex
	owed map[lorawan.EUI64]AckOwed
}

func newAcks() *acks { return &acks{owed: map[lorawan.EUI64]AckOwed{}} }

func (a *acks) set(o AckOwed) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.owed[o.DevEUI] = o
}

// clear forgets the owed ACK of the uplink fcnt (not a later one).
func (a *acks) clear(devEUI lorawan.EUI64, fcnt uint32) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if o, ok := a.owed[devEUI]; ok && o.FCnt == fcnt {
		delete(a.owed, devEUI)
	}
}

func (a *acks) get(devEUI lorawan.EUI64) (AckOwed, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	o, ok := a.owed[devEUI]
	return o, ok
}

// AckOwed reports the latest confirmed uplink of a device whose ACK has
// not been sent.
func (r *Router) AckOwed(devEUI lorawan.EUI64) (AckOwed, bool) { return r.acks.get(devEUI) }

func (r *Router) oweAck(u *uplink) {
	best := bestCopy(u.frame.Copies)
	r.acks.set(AckOwed{
		DevEUI: u.dev.DevEUI, FCnt: u.fcnt, FrameID: u.frame.ID,
		Hotspot: best.Hotspot, Tmst: best.Tmst, At: r.clock.Now(),
	})
	r.m.acksOwed.Inc()
	r.log.Debug("confirmed uplink: ACK owed", "dev_eui", u.dev.DevEUI, "fcnt", u.fcnt)
}
