package hotspot

import (
	"context"
	"time"

	"github.com/hexnet/hexnet/clock"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/proto/hexnetpb"
)

// statsLoop publishes Stats every StatsInterval until ctx ends.
func (d *Daemon) statsLoop(ctx context.Context) {
	clock.Every(ctx, d.o.StatsInterval, func() {
		d.enqueue(job{topic: Topic(d.addr, LeafStats), qos: 0, kind: identity.KindStats, msg: d.Stats()})
	})
}

// Stats returns the daemon's counters since start, the publish queue's
// state, uptime, version and region.
func (d *Daemon) Stats() *hexnetpb.Stats {
	m := d.metrics
	dropped := m.droppedCopy()
	q := d.queueInfo()
	now := d.now()
	return &hexnetpb.Stats{
		TimeUnixNs:       now.UnixNano(),
		RxReceived:       m.rxReceived.Load(),
		RxOk:             m.rxOK.Load(),
		RxForwarded:      m.rxForwarded.Load(),
		TxReceived:       m.txReceived.Load(),
		TxEmitted:        m.txEmitted.Load(),
		Dropped:          dropped,
		Version:          d.o.Version,
		QueueDepth:       uint64(q.Depth),
		QueueOldestAgeMs: q.OldestAge.Milliseconds(),
		AckRatio:         ackRatio(m.rxForwarded.Load(), dropped),
		UptimeS:          int64(now.Sub(d.health.started) / time.Second),
		Region:           d.o.Region,
	}
}

// QueueInfo is the publish queue's state as Stats and the status endpoint
// report it.
type QueueInfo struct {
	Depth     int           // messages waiting to be published
	OldestAge time.Duration // how long the oldest of them has waited; 0 when unknown or empty
}

// queueInfo reports the durable queue when there is one (publish.go);
// the in-memory channel knows its length but not its oldest message's age.
func (d *Daemon) queueInfo() QueueInfo {
	if info, ok := d.durableInfo(); ok {
		return info
	}
	return QueueInfo{Depth: len(d.queue)}
}

// lostReasons are the drops of messages that were meant for the broker.
var lostReasons = []string{DropPublishFailed, DropQueueFull, DropQueueWrite, DropQueueTooBig, DropQueueBudget, DropQueueCorrupt}

// ackRatio is acked / (acked + lost): the uplinks the broker acknowledged
// against those plus every message lost on its way to the broker (publish
// timed out, queue full or over its disk budget, ...); 1 when nothing was
// lost or nothing was sent yet.
func ackRatio(acked uint64, dropped map[string]uint64) float64 {
	var lost uint64
	for _, r := range lostReasons {
		lost += dropped[r]
	}
	if acked+lost == 0 {
		return 1
	}
	return float64(acked) / float64(acked+lost)
}
