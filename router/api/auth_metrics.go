package api

import "github.com/prometheus/client_golang/prometheus"

// newAuthFailures is hexnet_router_api_auth_failures_total, by reason
// (missing, malformed, invalid, forbidden); the requests themselves are in
// hexnet_router_api_requests_total with their 401 or 403 code.
func newAuthFailures(reg prometheus.Registerer) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "hexnet", Subsystem: "router_api",
		Name: "auth_failures_total", Help: "Management API requests refused by authentication (401) or authorization (403), by reason."},
		[]string{"reason"})
	for _, reason := range []string{failMissing, failMalformed, failInvalid, failForbidden} {
		c.WithLabelValues(reason)
	}
	if reg != nil {
		reg.MustRegister(c)
	}
	return c
}
