// Package api is the router's management API (JSON under /api/v1):
// organisations and their data-credit balances, applications, devices
// (OTAA and ABP) and routes.
//
// Every error is JSON {"error": "..."}: 400 for a malformed request, 404
// for a missing record or endpoint, 405 for a wrong method, 409 for a
// duplicate or a record still in use, 413 for a body over 64 KiB. The API
// has no authentication: listen on a loopback or otherwise private address.
package api

import (
	"log/slog"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hexnet/hexnet/clock"
	"github.com/hexnet/hexnet/internal/httpapi"
	"github.com/hexnet/hexnet/router"
)

// Options configure the API handler. Store is required.
type Options struct {
	Store      router.Store
	Clock      clock.Clock           // nil: the system clock
	Logger     *slog.Logger          // nil: discard
	Registerer prometheus.Registerer // hexnet_router_api_* collectors; nil: none
	// Downlinks serves /api/v1/devices/{devEUI}/queue (pass the
	// *router.Router); nil: those endpoints answer 503.
	Downlinks Downlinks
}

// server holds the handlers' dependencies.
type server struct {
	store   router.Store
	clock   clock.Clock
	log     *slog.Logger
	metrics *httpapi.Metrics

	downlinks Downlinks
}

// New builds the API handler.
func New(o Options) http.Handler {
	s := &server{store: o.Store, clock: o.Clock, log: o.Logger, downlinks: o.Downlinks}
	if s.clock == nil {
		s.clock = clock.Real{}
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.log = s.log.With("component", "router_api")
	s.metrics = httpapi.NewMetrics("router_api", "Management API", o.Registerer, s.log)
	mux := http.NewServeMux()
	s.routes(mux)
	return httpapi.Fallback(mux, s.metrics)
}

// routes registers every endpoint; the pattern is also the metrics label.
func (s *server) routes(mux *http.ServeMux) {
	for _, r := range []struct {
		pattern string
		h       handlerFunc
	}{
		{"POST /api/v1/organisations", s.createOrganisation},
		{"GET /api/v1/organisations", s.listOrganisations},
		{"GET /api/v1/organisations/{id}", s.getOrganisation},
		{"DELETE /api/v1/organisations/{id}", s.deleteOrganisation},
		{"POST /api/v1/organisations/{id}/credits", s.addCredits},
		{"GET /api/v1/organisations/{id}/credits", s.getCredits},
		{"GET /api/v1/balances", s.listBalances},
		{"POST /api/v1/applications", s.createApplication},
		{"GET /api/v1/applications", s.listApplications},
		{"GET /api/v1/applications/{id}", s.getApplication},
		{"DELETE /api/v1/applications/{id}", s.deleteApplication},
		{"POST /api/v1/devices", s.createDevice},
		{"GET /api/v1/devices", s.listDevices},
		{"GET /api/v1/devices/{devEUI}", s.getDevice},
		{"DELETE /api/v1/devices/{devEUI}", s.deleteDevice},
		{"POST /api/v1/devices/{devEUI}/queue", s.enqueueDownlink},
		{"GET /api/v1/devices/{devEUI}/queue", s.listQueue},
		{"POST /api/v1/routes", s.createRoute},
		{"GET /api/v1/routes", s.listRoutes},
		{"GET /api/v1/routes/{id}", s.getRoute},
		{"DELETE /api/v1/routes/{id}", s.deleteRoute},
	} {
		mux.Handle(r.pattern, s.serve(r.pattern, r.h))
	}
}
