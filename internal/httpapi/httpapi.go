// Package httpapi is what hexnet's JSON HTTP APIs (the oracle's and the
// router's) share: per-route metrics with a Debug line per request, JSON
// error bodies, and JSON answers for requests no route matched.
package httpapi

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// RouteUnmatched labels requests no pattern matched.
const RouteUnmatched = "unmatched"

// Metrics are an API's collectors (hexnet_{subsystem}_*). The route label is
// the endpoint's pattern or RouteUnmatched, so its cardinality is fixed.
type Metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	log      *slog.Logger
}

// NewMetrics builds the collectors and registers them on reg (nil: none).
func NewMetrics(subsystem, what string, reg prometheus.Registerer, log *slog.Logger) *Metrics {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "hexnet", Subsystem: subsystem,
			Name: "requests_total", Help: what + " requests, by route and status code."}, []string{"route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: "hexnet", Subsystem: subsystem,
			Name: "request_duration_seconds", Help: what + " request latency, by route.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 4, 9)}, []string{"route"}),
		log: log,
	}
	if reg != nil {
		reg.MustRegister(m.requests, m.latency)
	}
	return m
}

// Observe counts a request and writes its Debug log line.
func (m *Metrics) Observe(route string, r *http.Request, code int, took time.Duration) {
	m.requests.WithLabelValues(route, strconv.Itoa(code)).Inc()
	m.latency.WithLabelValues(route).Observe(took.Seconds())
	m.log.Debug("api request", "method", r.Method, "path", r.URL.Path, "query", r.URL.RawQuery,
		"route", route, "code", code, "took", took)
}

// WriteError sends {"error": msg} with status; errors are never cached.
func WriteError(w http.ResponseWriter, status int, msg string) {
	body, _ := json.Marshal(struct {
		Error string `json:"error"`
	}{msg})
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

// Fallback sends matched requests to mux and answers the rest (unknown
// paths, wrong methods) with JSON errors instead of the mux's plain text;
// the mux's redirects to cleaned paths pass through.
func Fallback(mux *http.ServeMux, m *Metrics) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, pattern := mux.Handler(r)
		if pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		start := time.Now()
		rec := &statusRecorder{header: http.Header{}}
		h.ServeHTTP(rec, r) // the mux's 404, 405 or redirect
		switch rec.status {
		case http.StatusMethodNotAllowed:
			w.Header()["Allow"] = rec.header.Values("Allow")
			WriteError(w, rec.status, r.Method+" is not allowed on "+r.URL.Path+"; allowed: "+rec.header.Get("Allow"))
		case http.StatusNotFound:
			WriteError(w, rec.status, "no such endpoint: "+r.Method+" "+r.URL.Path)
		default:
			for k, v := range rec.header {
				w.Header()[k] = v
			}
			w.WriteHeader(rec.status)
		}
		m.Observe(RouteUnmatched, r, rec.status, time.Since(start))
	})
}

// statusRecorder keeps the status and headers of the mux's own answers and
// drops their plain-text bodies.
type statusRecorder struct {
	header http.Header
	status int
}

func (s *statusRecorder) Header() http.Header { return s.header }

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	s.WriteHeader(http.StatusOK)
	return len(b), nil
}
