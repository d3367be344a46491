package router

import (
	"sync"
	"time"

	"github.com/brocaar/lorawan"
	"github.com/google/uuid"

	"github.com/hexnet/hexnet/identity"
)

// AckOwed records that a device sent a confirmed uplink whose ACK has not
// been transmitted. Downlink scheduling for data frames is not built yet, so
// the router only remembers the latest one per device (for the downlink
// scheduler to come, and to make the debt visible); it never fakes an ACK.
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
	r.log.Debug("confirmed uplink: ACK owed, data downlinks not implemented yet",
		"dev_eui", u.dev.DevEUI, "fcnt", u.fcnt)
}
