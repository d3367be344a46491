package sim

import (
	"container/heap"
	"sync"
	"time"
)

// Join retry timing.
const (
	JoinTimeout    = 8 * time.Second // no accept by then: the join failed
	joinBackoffMin = 2 * time.Second
	joinBackoffMax = 10 * time.Minute
)

// event is a device's next transmission, at the end of the frame.
type event struct {
	at  time.Time
	dev int
	gen uint64 // the node's generation when scheduled
}

type eventHeap []event

func (h eventHeap) Len() int { return len(h) }
func (h eventHeap) Less(i, j int) bool {
	if h[i].at.Equal(h[j].at) {
		return h[i].dev < h[j].dev
	}
	return h[i].at.Before(h[j].at)
}
func (h eventHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *eventHeap) Push(x any)   { *h = append(*h, x.(event)) }
func (h *eventHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}

// schedule orders the devices' next transmissions.
type schedule struct {
	mu     sync.Mutex
	events eventHeap
	wake   chan struct{} // signalled when an earlier event may be due
}

func newSchedule() *schedule { return &schedule{wake: make(chan struct{}, 1)} }

func (s *schedule) add(e event) {
	s.mu.Lock()
	heap.Push(&s.events, e)
	s.mu.Unlock()
	s.signal()
}

func (s *schedule) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// reschedule replaces n's pending transmission with one at at.
func (s *schedule) reschedule(n *node, at time.Time) {
	n.mu.Lock()
	n.gen++
	g := n.gen
	n.mu.Unlock()
	s.add(event{at: at, dev: n.Index, gen: g})
}

// next is the earliest event, if any.
func (s *schedule) next() (event, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.events) == 0 {
		return event{}, false
	}
	return s.events[0], true
}

func (s *schedule) pop() event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return heap.Pop(&s.events).(event)
}

// current reports whether e is still n's pending transmission.
func (n *node) current(e event) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.gen == e.gen
}

// firstDelay spreads the devices' first transmissions over one interval.
func (n *node) firstDelay(interval time.Duration) time.Duration {
	n.mu.Lock()
	defer n.mu.Unlock()
	return time.Duration(n.timing.Int64N(int64(interval)))
}

// nextDelay is the wait after up before the device's next frame: a join
// retry with exponential backoff after a join request, else a jittered
// uplink interval no shorter than the EU868 1 % duty cycle allows.
func (n *node) nextDelay(up Uplink, interval time.Duration, dutyCycle bool) time.Duration {
	n.mu.Lock()
	defer n.mu.Unlock()
	jitter := 0.5 + n.timing.Float64()
	if up.Join {
		backoff := min(joinBackoffMin<<min(n.joinAttempts-1, 20), joinBackoffMax)
		return JoinTimeout + time.Duration(jitter*float64(backoff))
	}
	d := time.Duration(jitter * float64(interval))
	if dutyCycle {
		d = max(d, 99*up.End.Sub(up.Start))
	}
	return d
}
