package api

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/brocaar/lorawan"

	"github.com/hexnet/hexnet/router"
	"github.com/hexnet/hexnet/store"
)

type rangeJSON struct {
	First string `json:"first"`
	Last  string `json:"last"`
}

type pairJSON struct {
	JoinEUI string `json:"join_eui"`
	DevEUI  string `json:"dev_eui,omitempty"` // empty: every DevEUI of the JoinEUI
}

// routeJSON is a route in requests and responses.
type routeJSON struct {
	ID            string      `json:"id"` // optional in requests: generated
	Organisation  string      `json:"organisation"`
	NetID         string      `json:"net_id"`
	DevAddrRanges []rangeJSON `json:"devaddr_ranges"`
	EUIPairs      []pairJSON  `json:"eui_pairs"`
	MaxCopies     int         `json:"max_copies"`             // 0: every copy
	Destination   string      `json:"destination"`            // "builtin" (default) or "gwmp"
	GWMPAddress   string      `json:"gwmp_address,omitempty"` // host:port for "gwmp"
	CreatedAt     *time.Time  `json:"created_at,omitempty"`   // responses only
}

func routeOut(rt router.Route) routeJSON {
	out := routeJSON{ID: rt.ID, Organisation: rt.Organisation, NetID: rt.NetID.String(), MaxCopies: rt.MaxCopies,
		Destination: rt.Destination, GWMPAddress: rt.GWMPAddress, CreatedAt: &rt.CreatedAt,
		DevAddrRanges: []rangeJSON{}, EUIPairs: []pairJSON{}}
	for _, r := range rt.DevAddrRanges {
		out.DevAddrRanges = append(out.DevAddrRanges, rangeJSON{r.First.String(), r.Last.String()})
	}
	for _, p := range rt.EUIPairs {
		pj := pairJSON{JoinEUI: p.JoinEUI.String()}
		if p.DevEUI != (lorawan.EUI64{}) {
			pj.DevEUI = p.DevEUI.String()
		}
		out.EUIPairs = append(out.EUIPairs, pj)
	}
	return out
}

func (s *server) createRoute(r *http.Request) (*response, error) {
	var in routeJSON
	if err := decodeBody(r, &in); err != nil {
		return nil, err
	}
	if in.CreatedAt != nil {
		return nil, badRequest("field \"created_at\" is set by the router")
	}
	rt, err := in.parse(s.clock.Now().UTC())
	if err != nil {
		return nil, err
	}
	err = s.store.CreateRoute(r.Context(), rt)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errorf(http.StatusNotFound, "organisation %s does not exist; create it first", rt.Organisation)
	}
	if err != nil {
		return nil, err
	}
	return created(routeOut(rt))
}

// parse checks a route request and builds the route.
func (in routeJSON) parse(now time.Time) (router.Route, error) {
	rt := router.Route{ID: in.ID, Organisation: in.Organisation, MaxCopies: in.MaxCopies,
		Destination: in.Destination, GWMPAddress: in.GWMPAddress, CreatedAt: now}
	if rt.ID == "" {
		rt.ID = newRouteID()
	}
	if rt.Destination == "" {
		rt.Destination = router.DestinationBuiltin
	}
	if err := checkID("organisation", in.Organisation); err != nil {
		return rt, err
	}
	if err := hexField("net_id", in.NetID, &rt.NetID, 3); err != nil {
		return rt, err
	}
	if err := in.parseSelectors(&rt); err != nil {
		return rt, err
	}
	if err := checkGWMPAddress(rt); err != nil {
		return rt, err
	}
	if err := rt.Check(); err != nil {
		return rt, badRequest("%v", err)
	}
	return rt, nil
}

func (in routeJSON) parseSelectors(rt *router.Route) error {
	for i, r := range in.DevAddrRanges {
		var x router.DevAddrRange
		if err := hexField(fmt.Sprintf("devaddr_ranges[%d].first", i), r.First, &x.First, 4); err != nil {
			return err
		}
		if err := hexField(fmt.Sprintf("devaddr_ranges[%d].last", i), r.Last, &x.Last, 4); err != nil {
			return err
		}
		rt.DevAddrRanges = append(rt.DevAddrRanges, x)
	}
	for i, p := range in.EUIPairs {
		var x router.EUIPair
		if err := hexField(fmt.Sprintf("eui_pairs[%d].join_eui", i), p.JoinEUI, &x.JoinEUI, 8); err != nil {
			return err
		}
		if err := optionalHex(fmt.Sprintf("eui_pairs[%d].dev_eui", i), p.DevEUI, &x.DevEUI, 8); err != nil {
			return err
		}
		rt.EUIPairs = append(rt.EUIPairs, x)
	}
	return nil
}

// checkGWMPAddress checks that a GWMP destination is host:port.
func checkGWMPAddress(rt router.Route) error {
	if rt.GWMPAddress == "" {
		return nil
	}
	host, port, err := net.SplitHostPort(rt.GWMPAddress)
	if n, perr := strconv.Atoi(port); err != nil || host == "" || perr != nil || n < 1 || n > 65535 {
		return badRequest("field \"gwmp_address\": %q is not host:port", rt.GWMPAddress)
	}
	return nil
}

// newRouteID is a random route ID, "route-" and 8 hex digits.
func newRouteID() string {
	b := make([]byte, 4)
	rand.Read(b)
	return "route-" + hex.EncodeToString(b)
}

func (s *server) listRoutes(r *http.Request) (*response, error) {
	org, err := queryID(r, "organisation")
	if err != nil {
		return nil, err
	}
	rs, err := s.store.ListRoutes(r.Context(), org)
	if err != nil {
		return nil, err
	}
	out := make([]routeJSON, len(rs))
	for i, rt := range rs {
		out[i] = routeOut(rt)
	}
	return ok(out)
}

func (s *server) getRoute(r *http.Request) (*response, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	rt, err := s.store.GetRoute(r.Context(), id)
	if err != nil {
		return nil, err
	}
	return ok(routeOut(rt))
}

func (s *server) deleteRoute(r *http.Request) (*response, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	if err := s.store.DeleteRoute(r.Context(), id); err != nil {
		return nil, err
	}
	return noContent()
}
