// Package api is the oracle's HTTP API (JSON under /api/v1): hotspots with
// their location, status and three-word name (package hotspotname), search
// by name or address, onboarding and location assertions, each hotspot's
// reports with verdicts explained and its rewards per epoch, epochs with
// their manifests and reward transactions, and, for the map, coverage per
// H3 cell (also as a GeoJSON download) and the detail of one cell.
//
// Coverage is about an epoch: for a closed one, hotspots stand where they
// were asserted at its end and count the witness reports its verdicts found
// valid, so the answer never changes. Each closed epoch is read from the
// store once, into an in-memory index kept for the last few epochs asked
// for. A coverage request may not span more than 50,000 cells at its
// resolution (estimated from the box's area and H3's average cell area;
// without a bbox the box is the whole world, which allows res 0..3): a
// larger one is refused with 400 naming the finest resolution that fits.
//
// Responses about a closed epoch carry an ETag (a hash of the body) and a
// Cache-Control that lets clients and proxies keep them; If-None-Match gives
// 304. Every error is JSON {"error": "..."} with a status that says whose
// fault it was.
package api

import (
	"log/slog"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hexnet/hexnet/clock"
	"github.com/hexnet/hexnet/internal/httpapi"
	"github.com/hexnet/hexnet/oracle"
)

// Options configure the API handler.
type Options struct {
	Store    oracle.Store
	Presence *oracle.Presence // nil: every hotspot's status is "unknown"
	Schedule oracle.Schedule
	Mint     string            // the reward mint, base58; empty while there is none
	Regions  func(string) bool // region names the network serves; nil: none (assertions are refused)
	Clock    clock.Clock       // nil: the system clock
	Logger   *slog.Logger      // nil: discard
	// Registerer receives hexnet_oracle_api_* collectors (nil: none).
	Registerer prometheus.Registerer
}

// server holds the handlers' dependencies.
type server struct {
	store    oracle.Store
	presence *oracle.Presence
	schedule oracle.Schedule
	mint     string
	regions  oracle.RegionKnown
	clock    clock.Clock
	log      *slog.Logger
	metrics  *httpapi.Metrics
	indexes  *indexCache
}

// New builds the API handler. Mount it at the root of a listener, or under
// "/api/" of a mux that serves other things at "/".
func New(o Options) http.Handler {
	s := &server{store: o.Store, presence: o.Presence, schedule: o.Schedule, mint: o.Mint, regions: o.Regions,
		clock: o.Clock, log: o.Logger, indexes: newIndexCache(closedEpochsCached)}
	if s.regions == nil {
		s.regions = func(string) bool { return false }
	}
	if s.clock == nil {
		s.clock = clock.Real{}
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.metrics = httpapi.NewMetrics("oracle_api", "HTTP API", o.Registerer, s.log)
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
		{"GET /api/v1/hotspots", s.listHotspots},
		{"POST /api/v1/hotspots", s.onboard},
		{"GET /api/v1/hotspots/{address}", s.getHotspot},
		{"POST /api/v1/hotspots/{address}/location", s.assertLocation},
		{"GET /api/v1/hotspots/{address}/reports", s.hotspotReports},
		{"GET /api/v1/hotspots/{address}/rewards", s.hotspotRewards},
		{"GET /api/v1/search", s.search},
		{"GET /api/v1/epochs", s.listEpochs},
		{"GET /api/v1/epochs/{n}", s.getEpoch},
		{"GET /api/v1/epochs/{n}/manifest", s.manifest},
		{"GET /api/v1/coverage", s.coverage},
		{"GET /api/v1/cells/{cell}", s.cell},
	} {
		mux.Handle(r.pattern, s.serve(r.pattern, r.h))
	}
}
