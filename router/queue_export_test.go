package router

import (
	"context"

	"github.com/brocaar/lorawan"
)

// Queue lists a device's queued downlinks for the external tests; it
// panics when the store fails.
func (r *Router) Queue(devEUI lorawan.EUI64) []QueuedDownlink {
	q, err := r.ListQueue(context.Background(), devEUI)
	if err != nil {
		panic(err)
	}
	return q
}
