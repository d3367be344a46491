package hotspot

import (
	"context"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/hexnet/hexnet/identity"
)

// job is one message waiting to be sealed and published.
type job struct {
	topic    string
	qos      byte
	retained bool
	kind     identity.Kind
	msg      proto.Message
}

// enqueue hands a message to the publishers without blocking; when the queue
// is full the message is counted and logged as dropped.
func (d *Daemon) enqueue(j job) {
	select {
	case d.queue <- j:
	default:
		d.metrics.drop(DropQueueFull)
		d.log.Warn("publish queue full; message dropped", "kind", j.kind, "topic", j.topic, "queue", cap(d.queue))
	}
}

// publishLoop publishes queued messages until ctx ends, then drains the
// queue for up to flushTimeout.
func (d *Daemon) publishLoop(ctx context.Context) {
	for {
		select {
		case j := <-d.queue:
			d.publish(ctx, j)
		case <-ctx.Done():
			d.drain()
			return
		}
	}
}

// drain publishes what is left in the queue, giving up after flushTimeout.
func (d *Daemon) drain() {
	ctx, cancel := context.WithTimeout(context.Background(), flushTimeout)
	defer cancel()
	for ctx.Err() == nil {
		select {
		case j := <-d.queue:
			d.publish(ctx, j)
		default:
			return
		}
	}
}

// publish seals and publishes one message, waiting up to PublishTimeout.
func (d *Daemon) publish(ctx context.Context, j job) {
	payload, err := d.o.Key.SealBytes(j.kind, j.msg)
	if err != nil {
		d.metrics.drop(DropSealFailed)
		d.log.Error("could not seal message", "kind", j.kind, "err", err)
		return
	}
	ctx, cancel := context.WithTimeout(ctx, PublishTimeout)
	defer cancel()
	start := time.Now()
	if err := d.o.Bus.Publish(ctx, j.topic, j.qos, j.retained, payload); err != nil {
		d.metrics.drop(DropPublishFailed)
		d.log.Warn("publish failed; message dropped", "kind", j.kind, "topic", j.topic, "waited", time.Since(start), "err", err)
		return
	}
	switch j.kind {
	case identity.KindUplink:
		d.metrics.forwarded.Inc()
		d.metrics.rxForwarded.Add(1)
	case identity.KindWitness:
		d.metrics.witnesses.Inc()
	}
}
