package forwarder

import (
	"errors"
	"sync"
	"time"

	"github.com/hexnet/hexnet/clock"
	"github.com/hexnet/hexnet/hotspot/gwmp"
	"github.com/hexnet/hexnet/sim/air"
)

// Timing limits of lora_pkt_fwd's just-in-time queue (jitqueue.c): a packet
// must be queued at least TX_START_DELAY + TX_MARGIN_DELAY + TX_JIT_DELAY
// (1.5 ms + 1 ms + 30 ms) before its instant, and at most
// (JIT_NUM_BEACON_IN_QUEUE + 1) × 128 s = 512 s ahead.
const (
	txStartDelay = 1500 * time.Microsecond
	txMargin     = 1000 * time.Microsecond
	txJitDelay   = 30 * time.Millisecond
	minLead      = txStartDelay + txMargin + txJitDelay
	maxAdvance   = 4 * 128 * time.Second
)

var errNoTiming = errors.New("txpk has none of imme, tmst, tmms")

// handlePullResp checks a downlink like the JIT queue does, answers TX_ACK
// and, when accepted, schedules the transmission. A PULL_RESP that cannot be
// used at all (no timing, bad payload) is dropped without TX_ACK, as
// lora_pkt_fwd does.
func (f *Forwarder) handlePullResp(p *gwmp.Packet) {
	f.stats.downlinks.Add(1)
	tx, err := transmissionOf(p.TXPK)
	if err != nil {
		f.log.Warn("unusable PULL_RESP; TX aborted", "err", err)
		return
	}
	now := f.clk.Now()
	code := f.admit(p.TXPK, now, &tx)
	if code == gwmp.TxNone {
		f.sched.add(f.clk, tx, func() { f.transmit(tx) })
	}
	f.stats.txError(code)
	ack := &gwmp.Packet{Type: gwmp.TxAck, Token: p.Token, TxAck: &gwmp.TXPKAck{Error: code}}
	if err := f.send(ack); err != nil {
		f.log.Debug("TX_ACK not sent", "err", err)
	}
}

// admit sets tx.At and decides the TX_ACK error code. An immediate
// ("imme", class C or a beacon) packet goes out as soon as the JIT lead
// allows, or, when the radio is booked then, in the first gap after that
// fits it, as lora_pkt_fwd's jit_enqueue does for such packets.
func (f *Forwarder) admit(t *gwmp.TXPK, now time.Time, tx *air.Transmission) gwmp.ErrorCode {
	switch {
	case t.Imme:
		tx.At = f.sched.firstFree(now.Add(minLead).Round(0), txDuration(*tx))
	case t.Tmst != nil:
		tx.At = now.Add(gwmp.TmstSub(*t.Tmst, f.counter.at(now)))
	default:
		return gwmp.TxGPSUnlocked // tmms timing needs GPS; the simulator has none
	}
	tx.At = tx.At.Round(0) // wall clock only, like a Reception's At
	lead := tx.At.Sub(now)
	switch {
	case !t.Imme && lead < minLead:
		return gwmp.TxTooLate
	case lead > maxAdvance:
		return gwmp.TxTooEarly
	case f.sched.collides(tx.At, tx.At.Add(txDuration(*tx))):
		return gwmp.TxCollisionPacket
	}
	return gwmp.TxNone
}

// transmissionOf converts a txpk; At is set by admit.
func transmissionOf(t *gwmp.TXPK) (air.Transmission, error) {
	if !t.Imme && t.Tmst == nil && t.Tmms == nil {
		return air.Transmission{}, errNoTiming
	}
	payload, err := t.Payload()
	if err != nil {
		return air.Transmission{}, err
	}
	return air.Transmission{
		PHYPayload:  payload,
		FrequencyHz: gwmp.Hz(t.Freq),
		Modulation: air.Modulation{
			SpreadingFactor: t.DatR.SpreadingFactor, BandwidthKHz: t.DatR.BandwidthKHz, CodingRate: t.Codr,
		},
		PowerDBm:       float64(t.Powe),
		InvertPolarity: t.IPol,
	}, nil
}

func txDuration(tx air.Transmission) time.Duration {
	m := tx.Modulation
	return airtime(m.SpreadingFactor, m.BandwidthKHz, len(tx.PHYPayload), codingRateIndex(m.CodingRate))
}

// transmit puts tx on the air.
func (f *Forwarder) transmit(tx air.Transmission) {
	f.stats.transmitted.Add(1)
	f.o.Medium.Transmit(f.o.Index, tx)
}

// schedule holds accepted transmissions until they are on the air.
type schedule struct {
	mu    sync.Mutex
	slots map[*slot]struct{}
}

type slot struct {
	start, end time.Time
	timer      clock.Timer
}

// add schedules fire at tx.At; the slot stays reserved until the frame ends.
func (s *schedule) add(clk clock.Clock, tx air.Transmission, fire func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.slots == nil {
		s.slots = map[*slot]struct{}{}
	}
	sl := &slot{start: tx.At, end: tx.At.Add(txDuration(tx))}
	s.slots[sl] = struct{}{}
	sl.timer = clk.AfterFunc(tx.At.Sub(clk.Now()), func() {
		fire()
		clk.AfterFunc(sl.end.Sub(sl.start), func() { s.remove(sl) })
	})
}

func (s *schedule) remove(sl *slot) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.slots, sl)
}

// collides reports whether [start, end) comes within txMargin of a
// reserved slot.
func (s *schedule) collides(start, end time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for sl := range s.slots {
		if start.Before(sl.end.Add(txMargin)) && sl.start.Before(end.Add(txMargin)) {
			return true
		}
	}
	return false
}

// firstFree is the earliest instant from start at which a frame lasting d
// collides with no reserved slot.
func (s *schedule) firstFree(start time.Time, d time.Duration) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	for moved := true; moved; {
		moved = false
		for sl := range s.slots {
			if start.Before(sl.end.Add(txMargin)) && sl.start.Before(start.Add(d).Add(txMargin)) {
				start, moved = sl.end.Add(txMargin), true
			}
		}
	}
	return start
}

// stopAll cancels every transmission not yet started.
func (s *schedule) stopAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for sl := range s.slots {
		sl.timer.Stop()
		delete(s.slots, sl)
	}
}
