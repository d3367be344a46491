package hotspot

import (
	"context"
	"errors"
	"sync"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/hexnet/hexnet/hotspot/queue"
	"github.com/hexnet/hexnet/identity"
)

// Publishing. Without Options.QueueDir every message goes through the
// bounded in-memory queue d.queue, drained by a few publishers that drop
// on failure. With it, every QoS 1 message that is not retained (uplinks,
// beacon and witness reports, TX acks) is sealed and appended to the
// durable queue (hotspot/queue) on the caller's goroutine, and one sender
// publishes the queue in order, QoS 1, and acknowledges each record once
// the broker has acknowledged it (PUBACK). A failed publish is retried
// with backoff, from the oldest unacknowledged record, and never dropped:
// the queue's disk budget is the only loss. Sealing before queueing makes
// a replay byte-identical, so receivers count it once. Stats (QoS 0) stay
// on the in-memory path.

// Drop reasons of the durable path (see also metrics.go).
const (
	DropQueueWrite   = "queue_write_failed" // the disk refused the append
	DropQueueTooBig  = "queue_too_large"    // a message over queue.MaxPayload
	DropQueueBudget  = queue.ReasonBudget   // deleted unsent: disk budget exhausted
	DropQueueCorrupt = queue.ReasonCorrupt  // unreadable on disk, skipped
)

// Sender tuning.
const (
	sendWindow     = 128                    // records published before waiting for their PUBACKs
	sendBackoffMin = 100 * time.Millisecond // first wait after a failed publish
	sendBackoffMax = 5 * time.Second
)

// job is one message waiting to be sealed and published.
type job struct {
	topic    string
	qos      byte
	retained bool
	kind     identity.Kind
	msg      proto.Message
}

// durable is the daemon's on-disk queue.
type durable struct {
	q *queue.Queue
}

// asyncBus is a Bus that can publish without waiting, in call order
// (*mqttclient.Client); the sender then keeps sendWindow publishes in
// flight. Other buses get one at a time.
type asyncBus interface {
	PublishAsync(topic string, qos byte, retained bool, payload []byte, done func(error))
}

// connBus is a Bus that knows whether its link is up; the sender waits
// instead of publishing into a dead link.
type connBus interface{ Connected() bool }

// openQueue opens the durable queue when Options.QueueDir is set.
func (d *Daemon) openQueue() error {
	if d.o.QueueDir == "" {
		return nil
	}
	q, err := queue.Open(queue.Options{
		Dir: d.o.QueueDir, MaxBytes: d.o.QueueMaxBytes, Logger: d.log, Registerer: d.o.Registerer,
		OnDrop: func(reason string, n int) {
			for range n {
				d.metrics.drop(reason)
			}
		},
	})
	if err != nil {
		return err
	}
	d.durable = &durable{q: q}
	return nil
}

// closeQueue closes the durable queue; call it when nothing appends any more.
func (d *Daemon) closeQueue() {
	if d.durable == nil {
		return
	}
	if err := d.durable.q.Close(); err != nil {
		d.log.Error("could not close the queue cleanly", "err", err)
	}
}

// startPublishers starts the in-memory publishers and, with a durable
// queue, its sender.
func (d *Daemon) startPublishers(ctx context.Context, wg *sync.WaitGroup) {
	n := publishers
	if d.durable != nil {
		n = 1 // only stats use the in-memory queue
		wg.Go(func() { d.sendLoop(ctx) })
	}
	for range n {
		wg.Go(func() { d.publishLoop(ctx) })
	}
}

// queueLen is the number of messages waiting to be published.
func (d *Daemon) queueLen() float64 {
	n := len(d.queue)
	if d.durable != nil {
		n += d.durable.q.Stats().Depth
	}
	return float64(n)
}

// enqueue hands a message to the publishers without blocking on MQTT:
// QoS 1, not retained, with a durable queue: sealed and appended to disk;
// otherwise to the in-memory queue, where a full queue drops (counted and
// logged).
func (d *Daemon) enqueue(j job) {
	if d.durable != nil && j.qos > 0 && !j.retained {
		d.append(j)
		return
	}
	select {
	case d.queue <- j:
	default:
		d.metrics.drop(DropQueueFull)
		d.log.Warn("publish queue full; message dropped", "kind", j.kind, "topic", j.topic, "queue", cap(d.queue))
	}
}

// append seals j and stores it in the durable queue.
func (d *Daemon) append(j job) {
	payload, err := d.o.Key.SealBytes(j.kind, j.msg)
	if err != nil {
		d.metrics.drop(DropSealFailed)
		d.log.Error("could not seal message", "kind", j.kind, "err", err)
		return
	}
	err = d.durable.q.Append(queue.Record{Topic: j.topic, QoS: j.qos, Payload: payload})
	switch {
	case errors.Is(err, queue.ErrTooLarge):
		d.metrics.drop(DropQueueTooBig)
		d.log.Warn("message too large for the queue; dropped", "kind", j.kind, "bytes", len(payload))
	case err != nil:
		d.metrics.drop(DropQueueWrite)
		d.log.Error("could not queue message; dropped", "kind", j.kind, "err", err)
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
	d.published(j.kind)
}

// published counts a message the broker accepted.
func (d *Daemon) published(kind identity.Kind) {
	switch kind {
	case identity.KindUplink:
		d.metrics.forwarded.Inc()
		d.metrics.rxForwarded.Add(1)
	case identity.KindWitness:
		d.metrics.witnesses.Inc()
	}
}

// sendLoop publishes the durable queue in order until ctx ends. The
// records of a batch are published in queue order; the longest prefix the
// broker acknowledged is acknowledged in the queue, the rest is published
// again, in order, after a backoff. At shutdown the batch in flight gets
// flushTimeout; what is left stays on disk for the next start.
func (d *Daemon) sendLoop(ctx context.Context) {
	sendCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	stop := context.AfterFunc(ctx, func() { time.AfterFunc(flushTimeout, cancel) })
	defer stop()
	var batch []queue.Entry
	backoff := sendBackoffMin
	for {
		batch = d.fill(ctx, batch)
		if len(batch) == 0 {
			return // ctx ended or the queue closed
		}
		if d.linkDown() {
			if !sleep(ctx, backoff) {
				return
			}
			backoff = min(2*backoff, sendBackoffMax)
			continue
		}
		ok, err := d.sendBatch(sendCtx, batch)
		if ok > 0 {
			d.durable.q.Ack(batch[ok-1])
			batch = append(batch[:0], batch[ok:]...)
		}
		if err == nil {
			backoff = sendBackoffMin
			continue
		}
		d.log.Warn("publish failed; will retry from the oldest unacknowledged message", "waiting", len(batch),
			"retry_in", backoff, "err", err)
		if !sleep(ctx, backoff) {
			return
		}
		backoff = min(2*backoff, sendBackoffMax)
	}
}

// fill tops batch up to sendWindow records, waiting for the first when it
// is empty. It returns batch unchanged once ctx ends.
func (d *Daemon) fill(ctx context.Context, batch []queue.Entry) []queue.Entry {
	if ctx.Err() != nil {
		return nil
	}
	wait := ctx
	for len(batch) < sendWindow {
		e, err := d.durable.q.Next(wait)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, queue.ErrClosed) {
				return nil
			}
			return batch // nothing more right now
		}
		batch = append(batch, e)
		wait = doneCtx
	}
	return batch
}

// doneCtx is an ended context: Next with it takes only what is there.
var doneCtx = func() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}()

// linkDown reports whether the bus says its link is down.
func (d *Daemon) linkDown() bool {
	cb, ok := d.o.Bus.(connBus)
	return ok && !cb.Connected()
}

// sendBatch publishes batch in order and waits (up to PublishTimeout) for
// the broker's acknowledgements; it returns how many leading records were
// acknowledged and the first error.
func (d *Daemon) sendBatch(ctx context.Context, batch []queue.Entry) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, PublishTimeout)
	defer cancel()
	ab, ok := d.o.Bus.(asyncBus)
	if !ok {
		for i, e := range batch {
			if err := d.o.Bus.Publish(ctx, e.Topic, e.QoS, e.Retained, e.Payload); err != nil {
				return i, err
			}
			d.sent(e.Topic)
		}
		return len(batch), nil
	}
	errs := make([]chan error, len(batch))
	for i, e := range batch {
		ch := make(chan error, 1)
		errs[i] = ch
		ab.PublishAsync(e.Topic, e.QoS, e.Retained, e.Payload, func(err error) { ch <- err })
	}
	for i, ch := range errs {
		select {
		case err := <-ch:
			if err != nil {
				return i, err
			}
			d.sent(batch[i].Topic)
		case <-ctx.Done():
			return i, ctx.Err()
		}
	}
	return len(batch), nil
}

// sent counts a queued message the broker acknowledged, by its topic.
func (d *Daemon) sent(topic string) {
	if _, _, up := ParseUplinkTopic(topic); up {
		d.published(identity.KindUplink)
		return
	}
	if _, leaf, _ := ParseTopic(topic); leaf == LeafWitness {
		d.published(identity.KindWitness)
	}
}

// sleep waits for d or ctx; false when ctx ended.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// durableInfo is the durable queue's depth and the age of its oldest
// message in flight; ok is false without a durable queue.
func (d *Daemon) durableInfo() (info QueueInfo, ok bool) {
	if d.durable == nil {
		return QueueInfo{}, false
	}
	s := d.durable.q.Stats()
	info.Depth = s.Depth
	if !s.Oldest.IsZero() {
		info.OldestAge = time.Since(s.Oldest)
	}
	return info, true
}
