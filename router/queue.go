package router

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/brocaar/lorawan"
	"github.com/google/uuid"

	"github.com/hexnet/hexnet/store"
)

// Downlink queue limits.
const (
	// MaxQueuedDownlinks is how many application downlinks a device's queue
	// holds.
	MaxQueuedDownlinks = 64
	// MaxDownlinkPayload is the largest application payload accepted: what
	// EU868's fastest data rates carry (a slow data rate carries less; the
	// payload then waits until the device speeds up).
	MaxDownlinkPayload = 242
)

// Reasons Enqueue refuses a downlink.
var (
	ErrBadFPort        = errors.New("router: downlink FPort must be 1..223")
	ErrPayloadTooLarge = fmt.Errorf("router: downlink payload over %d bytes", MaxDownlinkPayload)
	ErrQueueFull       = fmt.Errorf("router: device downlink queue holds %d downlinks already", MaxQueuedDownlinks)
)

// Downlink is an application payload for a device.
type Downlink struct {
	FPort     uint8 // 1..223
	Data      []byte
	Confirmed bool // the device must acknowledge it (an ack event follows)
}

// QueuedDownlink is a downlink in a device's queue.
type QueuedDownlink struct {
	ID uuid.UUID // the queueItemId of its ack, txack and error events
	Downlink
	// Pending: sent and awaiting the hotspot's TX ack, or (confirmed) the
	// device's ACK.
	Pending bool
}

// queueState is where a queued downlink is on its way.
type queueState int

const (
	queueWaiting  queueState = iota // not sent, or to be sent again
	queueInFlight                   // handed to a hotspot, TX ack awaited
	queueAwaiting                   // confirmed, transmitted, device ACK awaited
)

// queued is the router's working copy of a stored queue item, for one
// decision about the device's downlinks.
type queued struct {
	id uuid.UUID
	Downlink
	state    queueState
	fcnt     uint32 // downlink frame counter of the latest transmission
	attempts int    // transmissions so far
}

// Enqueue queues an application downlink for a device and returns its id.
// Class A devices receive it after their next uplink; class C devices
// (Device.Class "C") at once, through the hotspot that heard them last.
// The queue is in the store: it outlives a restart of the router.
func (r *Router) Enqueue(ctx context.Context, devEUI lorawan.EUI64, d Downlink) (uuid.UUID, error) {
	return r.enqueueChecked(ctx, devEUI, uuid.New(), d)
}

// enqueueChecked checks d and the device and queues d under id.
func (r *Router) enqueueChecked(ctx context.Context, devEUI lorawan.EUI64, id uuid.UUID, d Downlink) (uuid.UUID, error) {
	if d.FPort < 1 || d.FPort > 223 {
		return uuid.Nil, ErrBadFPort
	}
	if len(d.Data) > MaxDownlinkPayload {
		return uuid.Nil, ErrPayloadTooLarge
	}
	dev, err := r.store.GetDevice(ctx, devEUI)
	if err != nil {
		return uuid.Nil, fmt.Errorf("router: enqueue for %s: %w", devEUI, err)
	}
	return r.queueDownlink(ctx, dev, id, d)
}

// queueDownlink queues d under id here, or, in a cluster, on the instance that
// consumes the device's uplinks (through the MQTT command topic; a failure
// there becomes an error event).
func (r *Router) queueDownlink(ctx context.Context, dev Device, id uuid.UUID, d Downlink) (uuid.UUID, error) {
	if !r.ownsDevice(ctx, dev.DevEUI) {
		return id, r.forwardCommand(ctx, dev, id, d)
	}
	item := QueueItem{ID: id, DevEUI: dev.DevEUI, CreatedAt: r.clock.Now().UTC(),
		Downlink: Downlink{FPort: d.FPort, Data: append([]byte(nil), d.Data...), Confirmed: d.Confirmed}}
	st := r.states.get(dev.DevEUI)
	st.mu.Lock()
	defer st.mu.Unlock()
	err := r.store.EnqueueDownlink(ctx, item)
	switch {
	case errors.Is(err, ErrQueueFull):
		return uuid.Nil, ErrQueueFull
	case errors.Is(err, store.ErrConflict) && r.queuedFor(ctx, dev.DevEUI, id):
		return id, nil // a command delivered twice (MQTT QoS 1) is queued once
	case err != nil:
		return uuid.Nil, fmt.Errorf("router: enqueue for %s: %w", dev.DevEUI, err)
	}
	if dev.Class == "C" {
		r.sendClassC(ctx, dev, st)
	}
	return id, nil
}

// queuedFor reports whether the device's queue holds item id; a store
// failure reads as no (the caller reports the conflict then).
func (r *Router) queuedFor(ctx context.Context, devEUI lorawan.EUI64, id uuid.UUID) bool {
	items, err := r.store.ListDownlinks(ctx, devEUI, 0)
	if err != nil {
		return false
	}
	for _, it := range items {
		if it.ID == id {
			return true
		}
	}
	return false
}

// ListQueue lists a device's queued downlinks, oldest first. Pending
// reflects what this instance sent: in a cluster, ask the instance that
// consumes the device's uplinks.
func (r *Router) ListQueue(ctx context.Context, devEUI lorawan.EUI64) ([]QueuedDownlink, error) {
	st := r.states.get(devEUI)
	st.mu.Lock()
	defer st.mu.Unlock()
	items, err := r.store.ListDownlinks(ctx, devEUI, 0)
	if err != nil {
		return nil, fmt.Errorf("router: queue of %s: %w", devEUI, err)
	}
	now := r.clock.Now()
	out := make([]QueuedDownlink, len(items))
	for i, it := range items {
		q := st.load(it, now)
		out[i] = QueuedDownlink{ID: q.id, Downlink: q.Downlink, Pending: q.state != queueWaiting}
	}
	return out, nil
}

// FlushQueue empties a device's downlink queue and returns how many
// downlinks it held. A downlink already handed to a hotspot may still be
// transmitted (a txack event follows), but no ack event.
func (r *Router) FlushQueue(ctx context.Context, devEUI lorawan.EUI64) (int, error) {
	st := r.states.get(devEUI)
	st.mu.Lock()
	defer st.mu.Unlock()
	n, err := r.store.FlushDownlinks(ctx, devEUI)
	if err != nil {
		return 0, fmt.Errorf("router: flush queue of %s: %w", devEUI, err)
	}
	st.inFlight = uuid.Nil
	return n, nil
}

// load makes the working copy of a stored item: in flight while this
// instance awaits its TX ack (at most pendingTTL), awaiting the device's
// ACK once a confirmed item was transmitted, otherwise waiting. Called with
// s.mu held.
func (s *devState) load(it QueueItem, now time.Time) *queued {
	q := &queued{id: it.ID, Downlink: it.Downlink, fcnt: it.FCnt, attempts: it.Attempts}
	switch {
	case s.inFlight == it.ID && now.Sub(s.inFlightAt) <= pendingTTL:
		q.state = queueInFlight
	case it.Confirmed && it.Attempts > 0:
		q.state = queueAwaiting
	}
	return q
}

// settled ends the flight of queue item id: transmitted, refused by every
// hotspot or flushed. Called with s.mu held.
func (s *devState) settled(id uuid.UUID) {
	if s.inFlight == id {
		s.inFlight = uuid.Nil
	}
}

// queueFront is the head of a device's queue for one decision.
type queueFront struct {
	q    *queued // the oldest item; nil when the queue is empty
	more bool    // other items wait behind it
}

// front reads the head of a device's queue from the store. Called with
// st.mu held.
func (r *Router) front(ctx context.Context, st *devState, devEUI lorawan.EUI64) (queueFront, error) {
	items, err := r.store.ListDownlinks(ctx, devEUI, 2)
	if err != nil || len(items) == 0 {
		return queueFront{}, err
	}
	return queueFront{q: st.load(items[0], r.clock.Now()), more: len(items) > 1}, nil
}

// frontOrEmpty is front, a store failure counted and logged as an empty
// queue: the frame goes on without an application payload.
func (r *Router) frontOrEmpty(ctx context.Context, st *devState, devEUI lorawan.EUI64) queueFront {
	f, err := r.front(ctx, st, devEUI)
	if err != nil {
		r.m.storeErrors.WithLabelValues("list_downlinks").Inc()
		r.log.Error("read downlink queue; no payload sent this time", "dev_eui", devEUI, "err", err)
	}
	return f
}

// next is the downlink to send now: the oldest, unless one is still on
// its way or a confirmed one awaits the device's ACK (downlinks go in
// order).
func (f queueFront) next() *queued {
	if f.q == nil || f.q.state != queueWaiting {
		return nil
	}
	return f.q
}

// remove takes q out of the stored queue; false (counted and logged) when
// the store failed. An item gone already (flushed) counts as removed.
func (r *Router) remove(ctx context.Context, devEUI lorawan.EUI64, q *queued) bool {
	err := r.store.DeleteDownlink(ctx, q.id)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		r.m.storeErrors.WithLabelValues("delete_downlink").Inc()
		r.log.Error("delete downlink from queue", "dev_eui", devEUI, "queue_item_id", q.id, "err", err)
		return false
	}
	return true
}
