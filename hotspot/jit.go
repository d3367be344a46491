package hotspot

import (
	"sync"
	"time"

	"github.com/hexnet/hexnet/hotspot/gwmp"
	"github.com/hexnet/hexnet/proto/hexnetpb"
)

// Timing limits of the packet forwarder's just-in-time queue (Semtech
// lora_pkt_fwd jitqueue.c). A timed item is refused here, before it is
// sent, when the forwarder would refuse it anyway: the router then learns
// at once, and the next item (RX2 after RX1) still has its chance.
const (
	// MinLead is how far ahead of the concentrator's counter a timed
	// transmission must be: TX_START_DELAY (1.5 ms) + TX_MARGIN_DELAY
	// (1 ms) + TX_JIT_DELAY (30 ms) of the SX1301 forwarder.
	MinLead = 32500 * time.Microsecond
	// MaxAdvance is the furthest ahead the forwarder queues a timed
	// transmission: TX_MAX_ADVANCE_DELAY, 3 × 128 s.
	MaxAdvance = 384 * time.Second
	// counterMaxAge bounds how old the last observed counter value may be
	// for an estimate: the concentrator's crystal and the host clock drift
	// apart by tens of ppm (a few ms per minute), and a forwarder restart
	// resets the counter. Class A downlinks answer an uplink at most a few
	// seconds old, so a fresh observation is always at hand for them.
	counterMaxAge = 2 * time.Minute
)

// counterClock estimates the concentrator's µs counter (tmst) now from the
// latest counter value seen in a PUSH_DATA and the local time it arrived.
// An rxpk's tmst is the end of the packet, a few ms before its datagram
// arrives, so the estimate runs slightly behind the real counter: it errs
// toward sending, and the forwarder's own check catches the rest.
type counterClock struct {
	mu   sync.Mutex
	tmst uint32
	at   time.Time
	ok   bool
}

// observe records the newest counter value of a PUSH_DATA. The latest
// datagram always wins over earlier ones, so that a forwarder restart
// (counter back to 0) is followed at once.
func (c *counterClock) observe(push *gwmp.PushBody, at time.Time) {
	if push == nil || len(push.RXPK) == 0 {
		return
	}
	newest := push.RXPK[0].Tmst
	for _, r := range push.RXPK[1:] {
		if gwmp.TmstSub(r.Tmst, newest) > 0 {
			newest = r.Tmst
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.tmst, c.at, c.ok = newest, at, true
}

// estimate returns the counter's value at now; ok is false with no
// observation, or one older than counterMaxAge.
func (c *counterClock) estimate(now time.Time) (uint32, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	elapsed := now.Sub(c.at)
	if !c.ok || elapsed > counterMaxAge {
		return 0, false
	}
	return gwmp.TmstAdd(c.tmst, max(elapsed, 0)), true
}

// judge returns the TX_ACK code the forwarder would answer for the item's
// timing — TOO_LATE, TOO_EARLY — or "" when it may be sent: immediate
// items, items within the window, and any item while the counter is
// unknown (the forwarder decides then).
func (c *counterClock) judge(it *hexnetpb.DownlinkItem, now time.Time) gwmp.ErrorCode {
	if it.GetImmediately() {
		return ""
	}
	cur, ok := c.estimate(now)
	if !ok {
		return ""
	}
	switch lead := gwmp.TmstSub(it.GetTmst(), cur); {
	case lead < MinLead:
		return gwmp.TxTooLate
	case lead > MaxAdvance:
		return gwmp.TxTooEarly
	}
	return ""
}

// observeCounter feeds a PUSH_DATA's counter values to the JIT estimate.
func (d *Daemon) observeCounter(push *gwmp.PushBody) {
	d.tx.clock.observe(push, d.now())
}
