package router

import (
	"context"
	"time"

	"github.com/brocaar/lorawan"

	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/router/dedup"
)

// Class A downlink timing and limits.
const (
	// DefaultRX1Delay is RECEIVE_DELAY1 for data downlinks: the join accept
	// sets RXDelay 1, and ABP devices use the default.
	DefaultRX1Delay = time.Second
	// txLead is the least time before a receive window opens at which a
	// downlink is still sent for it: the way to the hotspot (MQTT), to its
	// packet forwarder and into the forwarder's just-in-time queue.
	txLead = 200 * time.Millisecond
	// confirmedRetries is how many times a confirmed downlink is sent again
	// (after uplinks without ACK) before the router gives up on it.
	confirmedRetries = 3
	// maxFOptsLen is the room for MAC commands in the frame header.
	maxFOptsLen = 15
)

// rxWindow is a receive window: delay after the uplink (class A) or
// immediately (class C), frequency and data-rate index.
type rxWindow struct {
	delay     time.Duration
	immediate bool
	frequency uint64
	dr        int
}

// dataDown is a data downlink being assembled.
type dataDown struct {
	ack      bool   // acknowledges a confirmed uplink
	confFCnt uint32 // that uplink's FCnt (LoRaWAN 1.1 MIC)
	force    bool   // the device asked for a downlink (ADRACKReq)
	cmds     []lorawan.MACCommand
	item     *queued
	pending  bool // more downlinks wait (FPending)
}

func (d *dataDown) empty() bool { return !d.ack && !d.force && len(d.cmds) == 0 && d.item == nil }

// answerUplink decides the class A downlink that follows a data uplink —
// the ACK a confirmed uplink needs, MAC answers and requests, the next
// queued application payload — and sends it through the hotspot that heard
// the uplink best, in RX1 and, failing that, RX2.
func (r *Router) answerUplink(ctx context.Context, u *uplink) {
	st := r.states.get(u.dev.DevEUI)
	st.mu.Lock()
	defer st.mu.Unlock()
	now := r.clock.Now()
	d := dataDown{ack: u.phy.MHDR.MType == lorawan.ConfirmedDataUp, confFCnt: u.fcnt, force: u.mac.FHDR.FCtrl.ADRACKReq}
	d.cmds = r.macAnswers(ctx, u, st)
	st.observe(u.fcnt, u.frame.Copies, now)
	f := r.checkConfirmed(ctx, u, st, r.frontOrEmpty(ctx, st, u.dev.DevEUI))
	d.cmds = append(d.cmds, r.macRequests(u, st, now)...)
	wins := r.classAWindows(u, now)
	if len(wins) == 0 {
		r.dm.result.WithLabelValues(dlTooLate).Inc()
		r.log.Warn("uplink processed too late for both receive windows", "dev_eui", u.dev.DevEUI, "dedup_id", u.frame.ID)
		return
	}
	wins = r.pickItem(ctx, u.dev, st, f, &d, wins)
	if d.empty() {
		return
	}
	p := &pendingTx{dev: u.dev, wins: wins, base: u.frame.FirstSeen, next: bySNR(u.frame.Copies), item: d.item}
	if d.ack {
		p.ackFCnt = &u.fcnt
	}
	if !r.prepare(ctx, st, &u.sess, &d, p) {
		return
	}
	r.dm.rx1Lead.Observe(u.frame.FirstSeen.Add(r.rx1Delay).Sub(r.clock.Now()).Seconds())
	r.startTx(ctx, st, p)
}

// classAWindows are RX1 (the uplink's channel, its data rate less
// RX1DROffset 0) and RX2 (the plan's defaults), less those that open too
// soon to be reached.
func (r *Router) classAWindows(u *uplink, now time.Time) []rxWindow {
	best := bestCopy(u.frame.Copies)
	rx2 := rxWindow{delay: r.rx1Delay + time.Second, frequency: uint64(r.plan.RX2.FrequencyHz), dr: r.plan.RX2.DataRate}
	all := []rxWindow{rx2}
	if dr, ok := r.dataRateIndex(best); ok {
		if rx1dr, err := r.band.GetRX1DataRateIndex(dr, 0); err == nil {
			all = []rxWindow{{delay: r.rx1Delay, frequency: best.FrequencyHz, dr: rx1dr}, rx2}
		}
	}
	var out []rxWindow
	for _, w := range all {
		if u.frame.FirstSeen.Add(w.delay).Sub(now) >= txLead {
			out = append(out, w)
		}
	}
	return out
}

// pickItem puts the next queued payload into d when it fits the MAC
// commands beside it and a window's data rate, and returns the windows
// that can carry the frame.
//
// MAC commands too long for FOpts, or any for a LoRaWAN 1.1 device (whose
// FOpts beside a payload would be encrypted under a counter the versions
// of the specification disagree on), go alone in FPort 0 and the payload
// waits. It waits one downlink at most: the next time the payload goes and
// the MAC commands are dropped (a device repeats its requests; the
// router's own are decided afresh), so a device that asks for something in
// every uplink still gets its payloads.
func (r *Router) pickItem(ctx context.Context, dev Device, st *devState, f queueFront, d *dataDown, wins []rxWindow) []rxWindow {
	q := f.next()
	if q == nil {
		return wins
	}
	if macLen(d.cmds) > maxFOptsLen || (len(d.cmds) > 0 && isLoRaWAN11(dev)) {
		if !st.payloadTurn {
			st.payloadTurn = true
			d.pending = true
			return wins
		}
		st.dropMACRequests(d.cmds)
		d.cmds = nil
	}
	st.payloadTurn = false
	fit := make([]rxWindow, 0, len(wins))
	for _, w := range wins {
		if len(q.Data)+macLen(d.cmds) <= r.maxPayload(w.dr) {
			fit = append(fit, w)
		}
	}
	if len(fit) == 0 {
		if len(q.Data) > r.maxPayload(0) && len(q.Data) > r.maxPayload(r.maxADRDataRate) && r.remove(ctx, dev.DevEUI, q) {
			r.emitError(ctx, dev, DownlinkErrorTooLarge, "queued payload larger than any data rate carries", q)
		}
		d.pending = true
		return wins
	}
	d.item, d.pending = q, f.more
	return fit
}

// maxPayload is the application payload (N) a downlink data rate carries.
func (r *Router) maxPayload(dr int) int {
	s, err := r.band.GetMaxPayloadSizeForDataRateIndex("", "", dr)
	if err != nil {
		return 0
	}
	return s.N
}

// checkConfirmed settles the confirmed downlink at the head of the queue
// (f) that the device owes an ACK for: acknowledged (ack event, out of the
// queue), or to be sent again, or after confirmedRetries given up (ack
// event with acknowledged false, error event). It returns the head of the
// queue after that. Called with st.mu held.
func (r *Router) checkConfirmed(ctx context.Context, u *uplink, st *devState, f queueFront) queueFront {
	q := f.q
	if q == nil || !q.Confirmed || q.attempts == 0 || q.state == queueWaiting {
		return f
	}
	switch {
	case u.mac.FHDR.FCtrl.ACK:
		if !r.remove(ctx, u.dev.DevEUI, q) {
			return queueFront{}
		}
		r.emitAck(ctx, u.dev, u.frame.ID.String(), q, true)
	case q.state == queueInFlight: // its TX ack is still on the way
		return f
	case q.attempts > confirmedRetries:
		if !r.remove(ctx, u.dev.DevEUI, q) {
			return queueFront{}
		}
		r.emitAck(ctx, u.dev, u.frame.ID.String(), q, false)
		r.emitError(ctx, u.dev, DownlinkErrorNoAck, "confirmed downlink not acknowledged after retries", q)
	default:
		q.state = queueWaiting
		return f
	}
	return r.frontOrEmpty(ctx, st, u.dev.DevEUI)
}

// pendingTx is a downlink handed to a hotspot, awaiting its TX ack.
type pendingTx struct {
	dev     Device
	phy     []byte
	fcnt    uint32
	item    *queued
	ackFCnt *uint32 // the confirmed uplink this frame acknowledges
	wins    []rxWindow
	base    time.Time    // router time of the uplink (class A)
	next    []dedup.Copy // hotspots still to try, best SNR first
	// set by sendVia
	hotspot identity.Address
	items   []rxWindow // the windows of the Downlink sent
	sentAt  time.Time
}

// prepare builds the frame, advances and saves the session's downlink
// counters, fills p and marks its queue item in flight; false when the
// frame could not be made or the session not saved (nothing is sent then).
// Called with st.mu held.
func (r *Router) prepare(ctx context.Context, st *devState, s *Session, d *dataDown, p *pendingTx) bool {
	phy, fcnt, err := buildDataDown(p.dev, s, d)
	if err != nil {
		r.log.Error("build downlink", "dev_eui", p.dev.DevEUI, "err", err)
		return false
	}
	s.UpdatedAt = r.clock.Now()
	if err := r.store.SaveSession(ctx, *s); err != nil {
		r.m.storeErrors.WithLabelValues("save_session").Inc()
		r.log.Error("save session after downlink; not sent", "dev_eui", p.dev.DevEUI, "err", err)
		return false
	}
	p.phy, p.fcnt = phy, fcnt
	if d.item != nil {
		d.item.state, d.item.fcnt = queueInFlight, fcnt
		st.inFlight, st.inFlightAt = d.item.id, r.clock.Now()
	}
	return true
}

// startTx sends p through the best hotspot that takes it; when none does,
// the payload goes back to waiting. Called with st.mu held.
func (r *Router) startTx(ctx context.Context, st *devState, p *pendingTx) {
	if r.sendNext(ctx, p) {
		return
	}
	r.txFailed(st, p, "NO_HOTSPOT")
}

// sendNext tries p's remaining hotspots in order; true once one was
// handed the downlink.
func (r *Router) sendNext(ctx context.Context, p *pendingTx) bool {
	for len(p.next) > 0 {
		c := p.next[0]
		p.next = p.next[1:]
		if r.sendVia(ctx, p, c) {
			return true
		}
	}
	return false
}

// txFailed puts p's payload back to waiting after every hotspot failed:
// the stored item is unchanged (not transmitted). Called with st.mu held.
func (r *Router) txFailed(st *devState, p *pendingTx, code string) {
	r.dm.result.WithLabelValues(dlFailed).Inc()
	r.log.Debug("downlink not transmitted", "dev_eui", p.dev.DevEUI, "fcnt", p.fcnt, "error", code)
	if p.item != nil {
		st.settled(p.item.id)
	}
}
