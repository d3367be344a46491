package main

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"time"
)

// errStalled means nothing came back for a whole stall timeout.
var errStalled = errors.New("stalled: nothing completed within the stall timeout")

// window bounds how many items are outstanding: the sender takes a place
// per item, a completion gives one back. Items that never complete are
// written off so that the window does not shrink for good.
type window struct {
	limit int64
	out   atomic.Int64 // taken
	done  atomic.Int64 // completed
	lost  atomic.Int64 // written off
	wake  chan struct{}
}

func newWindow(limit int) *window {
	return &window{limit: int64(limit), wake: make(chan struct{}, 1)}
}

func (w *window) outstanding() int64 { return w.out.Load() - w.done.Load() - w.lost.Load() }

// acquire takes a place, waiting while the window is full; errStalled if it
// stays full for stall.
func (w *window) acquire(ctx context.Context, stall time.Duration) error {
	if w.outstanding() >= w.limit {
		if err := w.wait(ctx, stall); err != nil {
			return err
		}
	}
	w.out.Add(1)
	return nil
}

func (w *window) wait(ctx context.Context, stall time.Duration) error {
	t := time.NewTimer(stall)
	defer t.Stop()
	for w.outstanding() >= w.limit {
		select {
		case <-w.wake:
		case <-t.C:
			return errStalled
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// release completes one item.
func (w *window) release() {
	w.done.Add(1)
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// writeOff gives up on every outstanding item and returns how many.
func (w *window) writeOff() int64 {
	n := w.outstanding()
	if n > 0 {
		w.lost.Add(n)
	}
	return n
}

// tracker follows every frame from its first copy sent to its application
// event.
type tracker struct {
	win     *window
	sentAt  []atomic.Int64 // unix ns of the first copy sent; 0: not sent
	latency []atomic.Int64 // ns from first copy to event; 0: not delivered
	got     []atomic.Bool
	dups    atomic.Int64 // events for frames already delivered
	strays  atomic.Int64 // events for unknown or unsent frames
}

func newTracker(frames, inflight int) *tracker {
	return &tracker{
		win:     newWindow(inflight),
		sentAt:  make([]atomic.Int64, frames),
		latency: make([]atomic.Int64, frames),
		got:     make([]atomic.Bool, frames),
	}
}

func (t *tracker) markSent(i int, at time.Time) { t.sentAt[i].Store(at.UnixNano()) }

// deliver records the application event of frame i (ok false: the event
// named no known frame).
func (t *tracker) deliver(i int, ok bool, at time.Time) {
	if !ok || i < 0 || i >= len(t.got) || t.sentAt[i].Load() == 0 {
		t.strays.Add(1)
		return
	}
	if !t.got[i].CompareAndSwap(false, true) {
		t.dups.Add(1)
		return
	}
	t.latency[i].Store(max(1, at.UnixNano()-t.sentAt[i].Load()))
	t.win.release()
}

// delivered is how many distinct frames reached the application.
func (t *tracker) delivered() int64 { return t.win.done.Load() }

// deliveredIn counts the frames in [from, to) delivered.
func (t *tracker) deliveredIn(from, to int) int {
	n := 0
	for i := from; i < to; i++ {
		if t.got[i].Load() {
			n++
		}
	}
	return n
}

// missing counts the frames in [from, to) sent but not delivered.
func (t *tracker) missing(from, to int) int { return to - from - t.deliveredIn(from, to) }

// drain waits until every frame sent has been delivered, or timeout.
func (t *tracker) drain(ctx context.Context, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for t.win.outstanding() > 0 {
		if time.Now().After(deadline) || ctx.Err() != nil {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
	return true
}

// percentiles returns the p-th percentiles (0..100) of the latencies of the
// frames delivered in [from, to).
func (t *tracker) percentiles(from, to int, ps ...float64) []time.Duration {
	var l []int64
	for i := from; i < to; i++ {
		if v := t.latency[i].Load(); v > 0 {
			l = append(l, v)
		}
	}
	out := make([]time.Duration, len(ps))
	if len(l) == 0 {
		return out
	}
	slices.Sort(l)
	for k, p := range ps {
		idx := min(len(l)-1, int(p/100*float64(len(l))))
		out[k] = time.Duration(l[idx])
	}
	return out
}
