package router

import (
	"context"

	"github.com/brocaar/lorawan"
)

// work processes one shard's frames in order until ctx ends.
func (r *Router) work(ctx context.Context, ch <-chan job) {
	for {
		select {
		case j := <-ch:
			r.process(ctx, j)
		case <-ctx.Done():
			return
		}
	}
}

// drain processes whatever is still queued, after the workers stopped.
func (r *Router) drain(ctx context.Context) {
	for _, ch := range r.shards {
		for len(ch) > 0 {
			r.process(ctx, <-ch)
		}
	}
}

// process handles one deduplicated frame by message type.
func (r *Router) process(ctx context.Context, j job) {
	defer r.finish()
	defer func() { r.m.latency.Observe(r.clock.Now().Sub(j.emittedAt).Seconds()) }()
	if j.phy.MHDR.Major != lorawan.LoRaWANR1 {
		r.drop(dropUnsupported, "dedup_id", j.frame.ID, "major", j.phy.MHDR.Major)
		return
	}
	switch j.phy.MHDR.MType {
	case lorawan.JoinRequest:
		r.handleJoin(ctx, j)
	case lorawan.UnconfirmedDataUp, lorawan.ConfirmedDataUp:
		r.handleData(ctx, j)
	case lorawan.Proprietary:
		r.drop(dropProprietary, "dedup_id", j.frame.ID)
	default:
		r.drop(dropUnsupported, "dedup_id", j.frame.ID, "mtype", j.phy.MHDR.MType)
	}
}

// finish marks a queued frame done: processed or dropped.
func (r *Router) finish() {
	r.release()
	r.pending.Done()
}

// storeFailed counts and logs a failed store call that cost a frame.
func (r *Router) storeFailed(op string, err error, j job) {
	r.m.storeErrors.WithLabelValues(op).Inc()
	r.m.dropped.WithLabelValues(dropStoreError).Inc()
	r.log.Error("store call failed; frame dropped", "op", op, "dedup_id", j.frame.ID, "err", err)
}

// publish sends one message (QoS 1) and counts it by type.
func (r *Router) publish(ctx context.Context, typ, topic string, payload []byte, j job) bool {
	if err := r.bus.Publish(ctx, topic, 1, false, payload); err != nil {
		r.m.dropped.WithLabelValues(dropPublishError).Inc()
		r.log.Error("publish failed", "type", typ, "topic", topic, "dedup_id", j.frame.ID, "err", err)
		return false
	}
	r.m.published.WithLabelValues(typ).Inc()
	return true
}
