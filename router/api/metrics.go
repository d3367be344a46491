package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the API's collectors (hexnet_router_api_*). The route label
// is the endpoint's pattern or "unmatched", so its cardinality is fixed.
type metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "hexnet", Subsystem: "router_api",
			Name: "requests_total", Help: "Management API requests, by route and status code."}, []string{"route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: "hexnet", Subsystem: "router_api",
			Name: "request_duration_seconds", Help: "Management API latency, by route.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 4, 9)}, []string{"route"}),
	}
	if reg != nil {
		reg.MustRegister(m.requests, m.latency)
	}
	return m
}

// observe counts a request and writes its Debug log line.
func (s *server) observe(route string, r *http.Request, code int, took time.Duration) {
	s.metrics.requests.WithLabelValues(route, strconv.Itoa(code)).Inc()
	s.metrics.latency.WithLabelValues(route).Observe(took.Seconds())
	s.log.Debug("api request", "method", r.Method, "path", r.URL.Path, "route", route, "code", code, "took", took)
}
