// Package api is the router's management API (JSON under /api/v1):
// organisations and their data-credit balances, applications, devices
// (OTAA and ABP), routes and organisations' API keys.
//
// Requests carry "Authorization: Bearer TOKEN": an admin token
// (Options.AdminTokens) may do everything; an organisation API key
// (POST /api/v1/organisations/{id}/api-keys) only reads and changes its
// organisation's applications, devices and device queues, reads and
// deletes its routes (creating one, which selects traffic by DevAddr and
// EUI, is the operator's) and reads its balance (auth.go, auth_scope.go). Without admin tokens the API is
// open to requests that send no token.
//
// Every error is JSON {"error": "..."}: 400 for a malformed request, 401
// for a missing or unknown token (with WWW-Authenticate: Bearer), 403 for
// what an organisation key may not do, 404 for a missing record (or
// another organisation's) or endpoint, 405 for a wrong method, 409 for a
// duplicate or a record still in use, 413 for a body over 64 KiB.
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
	// AdminTokens are the operator's bearer tokens (LoadAdminTokens).
	// None: requests without a token act as the operator (keep such an API
	// on a loopback address).
	AdminTokens []string
}

// server holds the handlers' dependencies.
type server struct {
	store   router.Store
	clock   clock.Clock
	log     *slog.Logger
	metrics *httpapi.Metrics

	downlinks Downlinks

	admins       adminTokens
	open         bool // no admin tokens: no token needed
	authFailures *prometheus.CounterVec
}

// New builds the API handler.
func New(o Options) http.Handler {
	s := &server{store: o.Store, clock: o.Clock, log: o.Logger, downlinks: o.Downlinks,
		admins: newAdminTokens(o.AdminTokens), open: len(o.AdminTokens) == 0}
	if s.clock == nil {
		s.clock = clock.Real{}
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.log = s.log.With("component", "router_api")
	s.metrics = httpapi.NewMetrics("router_api", "Management API", o.Registerer, s.log)
	s.authFailures = newAuthFailures(o.Registerer)
	mux := http.NewServeMux()
	s.routes(mux)
	return httpapi.Fallback(mux, s.metrics)
}

// routes registers every endpoint; the pattern is also the metrics label.
// scope is what an organisation key may do there (auth_scope.go); nil:
// admins only.
func (s *server) routes(mux *http.ServeMux) {
	for _, r := range []struct {
		pattern string
		h       handlerFunc
		scope   orgScope
	}{
		{"POST /api/v1/organisations", s.createOrganisation, nil},
		{"GET /api/v1/organisations", s.listOrganisations, ownOrganisations},
		{"GET /api/v1/organisations/{id}", s.getOrganisation, ownOrganisationPath},
		{"DELETE /api/v1/organisations/{id}", s.deleteOrganisation, nil},
		{"POST /api/v1/organisations/{id}/credits", s.addCredits, nil},
		{"GET /api/v1/organisations/{id}/credits", s.getCredits, ownOrganisationPath},
		{"POST /api/v1/organisations/{id}/api-keys", s.createAPIKey, nil},
		{"GET /api/v1/organisations/{id}/api-keys", s.listAPIKeys, nil},
		{"DELETE /api/v1/organisations/{id}/api-keys/{keyID}", s.deleteAPIKey, nil},
		{"GET /api/v1/balances", s.listBalances, ownBalances},
		{"POST /api/v1/applications", s.createApplication, ownOrganisationBody},
		{"GET /api/v1/applications", s.listApplications, ownOrganisationQuery},
		{"GET /api/v1/applications/{id}", s.getApplication, ownApplicationPath},
		{"DELETE /api/v1/applications/{id}", s.deleteApplication, ownApplicationPath},
		{"POST /api/v1/devices", s.createDevice, ownApplicationBody},
		{"GET /api/v1/devices", s.listDevices, ownDevices},
		{"GET /api/v1/devices/{devEUI}", s.getDevice, ownDevicePath},
		{"PUT /api/v1/devices/{devEUI}", s.updateDevice, ownDevicePath},
		{"DELETE /api/v1/devices/{devEUI}", s.deleteDevice, ownDevicePath},
		{"POST /api/v1/devices/{devEUI}/queue", s.enqueueDownlink, ownDevicePath},
		{"GET /api/v1/devices/{devEUI}/queue", s.listQueue, ownDevicePath},
		{"DELETE /api/v1/devices/{devEUI}/queue", s.flushQueue, ownDevicePath},
		// Creating a route is the operator's: its DevAddr ranges and EUI
		// pairs would let a key buy, or forward elsewhere, any
		// organisation's traffic. Keys read and delete their own.
		{"POST /api/v1/routes", s.createRoute, nil},
		{"GET /api/v1/routes", s.listRoutes, ownOrganisationQuery},
		{"GET /api/v1/routes/{id}", s.getRoute, ownRoutePath},
		{"DELETE /api/v1/routes/{id}", s.deleteRoute, ownRoutePath},
	} {
		mux.Handle(r.pattern, s.serve(r.pattern, s.guard(r.h, r.scope)))
	}
}
