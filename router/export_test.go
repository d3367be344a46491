package router

import "time"

// Hooks for the external tests (package router_test), which cannot reach
// unexported state but can import store adapters that import this package.

// WaitIdle blocks until every frame emitted by deduplication so far has been
// processed.
func (r *Router) WaitIdle() { r.pending.Wait() }

// DedupWindow is the deduplication window in use.
func (r *Router) DedupWindow() time.Duration { return r.dedup.Window() }

// DedupLen is the number of payloads deduplication remembers.
func (r *Router) DedupLen() int { return r.dedup.Len() }

// Dropped reads hexnet_router_dropped_total{reason}.
func (r *Router) Dropped(reason string) float64 {
	return counterValue(r.m.dropped.WithLabelValues(reason))
}

// DropReasons lists every reason label.
func DropReasons() []string { return dropReasons }

// InFlight is the number of frames holding an in-flight token.
func (r *Router) InFlight() int { return len(r.inFlight) }
