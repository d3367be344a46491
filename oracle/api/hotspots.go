package api

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/hexnet/hexnet/geo"
	"github.com/hexnet/hexnet/hotspotname"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/oracle"
	"github.com/hexnet/hexnet/store"
)

// hotspotJSON is a hotspot in GET /api/v1/hotspots. The location fields
// are null until a location is asserted.
type hotspotJSON struct {
	Address     identity.Address `json:"address"`
	Name        string           `json:"name"` // hotspotname.Of(address)
	Owner       identity.Address `json:"owner"`
	Cell        *string          `json:"cell"` // H3 res-12 index, hex
	Lat         *float64         `json:"lat"`  // the cell's centre
	Lng         *float64         `json:"lng"`
	Status      string           `json:"status"` // online, offline, unknown
	GainDBi     *float64         `json:"gain_dbi"`
	ElevationM  *int32           `json:"elevation_m"`
	Region      *string          `json:"region"`
	OnboardedAt time.Time        `json:"onboarded_at"`
	Denied      bool             `json:"denied"`
}

// locationJSON is one location assertion.
type locationJSON struct {
	Cell       string    `json:"cell"`
	Lat        float64   `json:"lat"`
	Lng        float64   `json:"lng"`
	GainDBi    float64   `json:"gain_dbi"`
	ElevationM int32     `json:"elevation_m"`
	Region     string    `json:"region"`
	Nonce      uint64    `json:"nonce"`
	AssertedAt time.Time `json:"asserted_at"`
}

// hotspotDetailJSON is GET /api/v1/hotspots/{address}: the hotspot and its
// location history by ascending nonce.
type hotspotDetailJSON struct {
	hotspotJSON
	Locations []locationJSON `json:"locations"`
}

type onboardJSON struct {
	Request string `json:"request"` // base64 OnboardRequest protobuf
}

type assertionJSON struct {
	Assertion string `json:"assertion"` // base64 signed AssertLocation envelope
}

func (s *server) status(a identity.Address) string {
	if s.presence == nil {
		return "unknown"
	}
	return s.presence.Status(a)
}

func (s *server) hotspot(h oracle.HotspotInfo) hotspotJSON {
	j := hotspotJSON{Address: h.Address, Name: hotspotname.Of(h.Address), Owner: h.Owner, Status: s.status(h.Address), OnboardedAt: h.OnboardedAt, Denied: h.Denied}
	if l := h.Location; l != nil {
		loc := location(*l)
		j.Cell, j.Lat, j.Lng = &loc.Cell, &loc.Lat, &loc.Lng
		j.GainDBi, j.ElevationM, j.Region = &loc.GainDBi, &loc.ElevationM, &loc.Region
	}
	return j
}

func location(l oracle.Location) locationJSON {
	c := geo.Cell(l.Cell)
	p := c.Center()
	return locationJSON{Cell: c.String(), Lat: p.Lat, Lng: p.Lng, GainDBi: float64(l.GainDBiX10) / 10,
		ElevationM: l.ElevationM, Region: l.Region, Nonce: l.Nonce, AssertedAt: l.AssertedAt}
}

// listLimit is the default and largest ?limit of GET /api/v1/hotspots.
const listLimit = 5000

// truncatedHeader says "true" when a list stopped at its limit.
const truncatedHeader = "Hexnet-Truncated"

// listHotspots is GET /api/v1/hotspots[?bbox=...][&limit=N]: onboarded
// hotspots by address, at most limit of them (Hexnet-Truncated says when
// more matched). With a bbox, only hotspots located inside it.
func (s *server) listHotspots(r *http.Request) (*response, error) {
	box, err := queryBBox(r)
	if err != nil {
		return nil, err
	}
	limit, err := queryLimit(r, listLimit, listLimit)
	if err != nil {
		return nil, err
	}
	hs, err := s.store.ListOnboarded(r.Context())
	if err != nil {
		return nil, err
	}
	out := make([]hotspotJSON, 0, min(len(hs), limit))
	truncated := false
	for _, h := range hs {
		if box != nil && (h.Location == nil || !box.contains(geo.Cell(h.Location.Cell).Center())) {
			continue
		}
		if len(out) == limit {
			truncated = true
			break
		}
		out = append(out, s.hotspot(h))
	}
	return &response{status: http.StatusOK, body: out, cache: cacheLive,
		header: http.Header{truncatedHeader: {strconv.FormatBool(truncated)}}}, nil
}

// onboarded loads a hotspot; 404 unless it is onboarded.
func (s *server) onboarded(r *http.Request, a identity.Address) (oracle.HotspotInfo, error) {
	h, err := s.store.GetHotspot(r.Context(), a)
	if errors.Is(err, store.ErrNotFound) {
		return h, notFound("hotspot %s is not onboarded", a)
	}
	return h, err
}

func (s *server) getHotspot(r *http.Request) (*response, error) {
	a, err := pathAddress(r)
	if err != nil {
		return nil, err
	}
	h, err := s.onboarded(r, a)
	if err != nil {
		return nil, err
	}
	hist, err := s.store.LocationHistory(r.Context(), a)
	if err != nil {
		return nil, err
	}
	out := hotspotDetailJSON{hotspotJSON: s.hotspot(h), Locations: make([]locationJSON, 0, len(hist))}
	for _, l := range hist {
		out.Locations = append(out.Locations, location(l))
	}
	return ok(out, cacheLive)
}

// onboard is POST /api/v1/hotspots: 201 with the hotspot, 400 for a request
// that does not verify, 409 if the hotspot is onboarded already.
func (s *server) onboard(r *http.Request) (*response, error) {
	var in onboardJSON
	if err := decodeBody(r, &in); err != nil {
		return nil, err
	}
	raw, err := decodeBase64("request", in.Request)
	if err != nil {
		return nil, err
	}
	h, err := oracle.Register(r.Context(), s.store, raw, s.clock.Now())
	switch {
	case errors.Is(err, oracle.ErrOnboard):
		return nil, badRequest("%v", err)
	case errors.Is(err, store.ErrConflict):
		return nil, errorf(http.StatusConflict, "hotspot %s is onboarded already", h.Address)
	case err != nil:
		return nil, err
	}
	if h, err = s.store.GetHotspot(r.Context(), h.Address); err != nil {
		return nil, err
	}
	return &response{status: http.StatusCreated, body: s.hotspot(h),
		header: http.Header{"Location": {"/api/v1/hotspots/" + h.Address.String()}}}, nil
}

// assertLocation is POST /api/v1/hotspots/{address}/location: 200 with the
// new location, 400 for an assertion that does not verify, 404 for a
// hotspot not onboarded, 409 for a nonce not above the last one.
func (s *server) assertLocation(r *http.Request) (*response, error) {
	a, err := pathAddress(r)
	if err != nil {
		return nil, err
	}
	var in assertionJSON
	if err := decodeBody(r, &in); err != nil {
		return nil, err
	}
	raw, err := decodeBase64("assertion", in.Assertion)
	if err != nil {
		return nil, err
	}
	l, err := oracle.Relocate(r.Context(), s.store, a, raw, s.regions, s.clock.Now())
	switch {
	case errors.Is(err, oracle.ErrLocation):
		return nil, badRequest("%v", err)
	case errors.Is(err, store.ErrNotFound):
		return nil, notFound("hotspot %s is not onboarded", a)
	case errors.Is(err, store.ErrConflict):
		return nil, errorf(http.StatusConflict,
			"hotspot %s already has an assertion with this nonce or a higher one; sign a new assertion with a higher nonce", a)
	case err != nil:
		return nil, err
	}
	l.AssertedAt = l.AssertedAt.Truncate(time.Microsecond).UTC() // as the store keeps it
	return ok(location(l), cacheLive)
}
