package hotspot

import (
	"context"

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

// Stats returns the daemon's counters since start.
func (d *Daemon) Stats() *hexnetpb.Stats {
	m := d.metrics
	return &hexnetpb.Stats{
		TimeUnixNs:  d.now().UnixNano(),
		RxReceived:  m.rxReceived.Load(),
		RxOk:        m.rxOK.Load(),
		RxForwarded: m.rxForwarded.Load(),
		TxReceived:  m.txReceived.Load(),
		TxEmitted:   m.txEmitted.Load(),
		Dropped:     m.droppedCopy(),
		Version:     d.o.Version,
	}
}
