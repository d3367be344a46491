package router

import (
	"context"
	"errors"
	"fmt"

	"github.com/brocaar/lorawan"
	"github.com/google/uuid"
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

// queued is one queue entry.
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
// The queue is in memory: a restart loses it.
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
	q := &queued{id: id, Downlink: Downlink{FPort: d.FPort, Data: append([]byte(nil), d.Data...), Confirmed: d.Confirmed}}
	st := r.states.get(dev.DevEUI)
	st.mu.Lock()
	defer st.mu.Unlock()
	if len(st.queue) >= MaxQueuedDownlinks {
		return uuid.Nil, ErrQueueFull
	}
	st.queue = append(st.queue, q)
	if dev.Class == "C" {
		r.sendClassC(ctx, dev, st)
	}
	return q.id, nil
}

// Queue lists a device's queued downlinks, oldest first.
func (r *Router) Queue(devEUI lorawan.EUI64) []QueuedDownlink {
	st := r.states.get(devEUI)
	st.mu.Lock()
	defer st.mu.Unlock()
	out := make([]QueuedDownlink, len(st.queue))
	for i, q := range st.queue {
		out[i] = QueuedDownlink{ID: q.id, Downlink: q.Downlink, Pending: q.state != queueWaiting}
		out[i].Data = append([]byte(nil), q.Data...)
	}
	return out
}

// next is the downlink to send now: the oldest, unless one is still on
// its way or a confirmed one awaits the device's ACK (downlinks go in
// order).
func (s *devState) next() *queued {
	if len(s.queue) == 0 || s.queue[0].state != queueWaiting {
		return nil
	}
	return s.queue[0]
}

// remove takes q out of the queue.
func (s *devState) remove(q *queued) {
	for i, e := range s.queue {
		if e == q {
			s.queue = append(s.queue[:i], s.queue[i+1:]...)
			return
		}
	}
}
