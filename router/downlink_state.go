package router

import (
	"fmt"
	"sync"
	"time"

	"github.com/brocaar/lorawan"
	"github.com/google/uuid"

	"github.com/hexnet/hexnet/region"
	"github.com/hexnet/hexnet/router/dedup"
)

// devState is what the network server remembers of a device between
// frames, in memory: ADR history and settings, pending MAC commands, where
// it was last heard and which queued downlink it handed to a hotspot (the
// queue itself is in the store). mu guards every field and the device's
// stored queue; it is held while a downlink for the device is decided and
// built, so the device's session counters advance in order.
type devState struct {
	mu sync.Mutex

	inFlight   uuid.UUID // queue item sent, TX ack awaited; uuid.Nil: none
	inFlightAt time.Time // when it was sent

	history     []adrSample  // last adrHistoryLen uplinks
	txPower     int          // TX power index the device uses (0: its maximum)
	nbTrans     int          // 0 until set: the device's default, 1
	adrSent     *adrSettings // LinkADRReq in the latest downlink, until answered
	adrRefusals int

	firstSeen time.Time // first uplink since the router started
	statusAt  time.Time // last DevStatusReq sent

	lastHeard []dedup.Copy // copies of the latest uplink, best SNR first
	heardAt   time.Time    // router time of that uplink

	payloadTurn bool // MAC commands went alone while a payload waited: the payload goes next
}

// dropMACRequests forgets the router's own requests among cmds, which will
// not be sent: they are decided afresh with the next uplink.
func (st *devState) dropMACRequests(cmds []lorawan.MACCommand) {
	for _, c := range cmds {
		switch c.CID {
		case lorawan.LinkADRReq:
			st.adrSent = nil
		case lorawan.DevStatusReq:
			st.statusAt = time.Time{}
		}
	}
}

// devStates holds every device's devState.
type devStates struct {
	mu sync.Mutex
	m  map[lorawan.EUI64]*devState
}

func newDevStates() *devStates { return &devStates{m: map[lorawan.EUI64]*devState{}} }

// get returns the device's state, creating it.
func (d *devStates) get(eui lorawan.EUI64) *devState {
	d.mu.Lock()
	defer d.mu.Unlock()
	s, ok := d.m[eui]
	if !ok {
		s = &devState{}
		d.m[eui] = s
	}
	return s
}

// observe records an uplink: ADR sample and the copies that heard it.
func (s *devState) observe(fcnt uint32, copies []dedup.Copy, now time.Time) {
	if s.firstSeen.IsZero() {
		s.firstSeen, s.statusAt = now, now
	}
	sorted := bySNR(copies)
	s.lastHeard, s.heardAt = sorted, now
	s.history = append(s.history, adrSample{fcnt: fcnt, snr: float64(sorted[0].SNR), txPower: s.txPower})
	if n := len(s.history); n > adrHistoryLen {
		s.history = append(s.history[:0:0], s.history[n-adrHistoryLen:]...)
	}
}

// bySNR returns the copies sorted by SNR, best first (stable: earlier
// arrivals win ties).
func bySNR(copies []dedup.Copy) []dedup.Copy {
	out := append([]dedup.Copy(nil), copies...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].SNR > out[j-1].SNR; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// setupDownlinks applies the downlink options to a new Router.
func (r *Router) setupDownlinks(o Options) error {
	name := o.Region
	if name == "" {
		name = "EU868"
	}
	plan, err := region.Lookup(name)
	if err != nil {
		return fmt.Errorf("router: Options.Region: %w", err)
	}
	if plan.Name != "EU868" {
		return fmt.Errorf("router: Options.Region %s: only EU868 is supported so far", plan.Name)
	}
	r.plan, r.rx1Delay, r.devStatusInterval = plan, o.RX1Delay, o.DevStatusInterval
	if r.rx1Delay <= 0 {
		r.rx1Delay = DefaultRX1Delay
	}
	if r.devStatusInterval == 0 {
		r.devStatusInterval = DefaultDevStatusInterval
	}
	for _, dr := range plan.DataRates {
		if dr.Uplink && dr.BandwidthHz == 125000 {
			r.maxADRDataRate = max(r.maxADRDataRate, dr.Index)
		}
	}
	r.states, r.txPending, r.dm = newDevStates(), newPendingTxs(), newDownlinkMetrics()
	return r.dm.register(o.Registerer)
}
