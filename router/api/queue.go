package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/brocaar/lorawan"
	"github.com/google/uuid"

	"github.com/hexnet/hexnet/router"
)

// Downlinks is the router's downlink queue (*router.Router satisfies it).
type Downlinks interface {
	Enqueue(ctx context.Context, devEUI lorawan.EUI64, d router.Downlink) (uuid.UUID, error)
	ListQueue(ctx context.Context, devEUI lorawan.EUI64) ([]router.QueuedDownlink, error)
	FlushQueue(ctx context.Context, devEUI lorawan.EUI64) (int, error)
}

// queueIn is a downlink to queue; data is base64.
type queueIn struct {
	FPort     uint8  `json:"fPort"`
	Data      []byte `json:"data"`
	Confirmed bool   `json:"confirmed"`
}

// queueItemJSON is a queued downlink; id is the queueItemId of its ack,
// txack and error events.
type queueItemJSON struct {
	ID        string `json:"id"`
	FPort     uint8  `json:"fPort"`
	Data      []byte `json:"data"`
	Confirmed bool   `json:"confirmed"`
	Pending   bool   `json:"pending"`
}

func (s *server) downlinksOrUnavailable() (Downlinks, error) {
	if s.downlinks == nil {
		return nil, errorf(http.StatusServiceUnavailable, "this API has no downlink queue")
	}
	return s.downlinks, nil
}

// queueOf is the downlink queue and the registered device of a
// /devices/{devEUI}/queue request.
func (s *server) queueOf(r *http.Request) (Downlinks, lorawan.EUI64, error) {
	q, err := s.downlinksOrUnavailable()
	if err != nil {
		return nil, lorawan.EUI64{}, err
	}
	eui, err := pathDevEUI(r)
	if err != nil {
		return nil, eui, err
	}
	_, err = s.store.GetDevice(r.Context(), eui)
	return q, eui, err
}

// enqueueDownlink: POST /api/v1/devices/{devEUI}/queue → 201 {"id": ...}.
func (s *server) enqueueDownlink(r *http.Request) (*response, error) {
	q, err := s.downlinksOrUnavailable()
	if err != nil {
		return nil, err
	}
	eui, err := pathDevEUI(r)
	if err != nil {
		return nil, err
	}
	var in queueIn
	if err := decodeBody(r, &in); err != nil {
		return nil, err
	}
	id, err := q.Enqueue(r.Context(), eui, router.Downlink{FPort: in.FPort, Data: in.Data, Confirmed: in.Confirmed})
	switch {
	case errors.Is(err, router.ErrBadFPort), errors.Is(err, router.ErrPayloadTooLarge):
		return nil, badRequest("%v", err)
	case errors.Is(err, router.ErrQueueFull):
		return nil, errorf(http.StatusConflict, "%v", err)
	case err != nil:
		return nil, err
	}
	return created(map[string]string{"id": id.String()})
}

// listQueue: GET /api/v1/devices/{devEUI}/queue → 200 {"items": [...]}.
func (s *server) listQueue(r *http.Request) (*response, error) {
	q, eui, err := s.queueOf(r)
	if err != nil {
		return nil, err
	}
	queued, err := q.ListQueue(r.Context(), eui)
	if err != nil {
		return nil, err
	}
	items := []queueItemJSON{}
	for _, d := range queued {
		items = append(items, queueItemJSON{ID: d.ID.String(), FPort: d.FPort, Data: d.Data, Confirmed: d.Confirmed, Pending: d.Pending})
	}
	return ok(map[string]any{"items": items})
}

// flushQueue: DELETE /api/v1/devices/{devEUI}/queue → 204, the device's
// queue emptied.
func (s *server) flushQueue(r *http.Request) (*response, error) {
	q, eui, err := s.queueOf(r)
	if err != nil {
		return nil, err
	}
	if _, err := q.FlushQueue(r.Context(), eui); err != nil {
		return nil, err
	}
	return noContent()
}
