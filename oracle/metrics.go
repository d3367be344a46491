package oracle

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the oracle's Prometheus collectors (namespace hexnet_oracle).
type Metrics struct {
	ingest *ingestMetrics
}

type ingestMetrics struct {
	rejected *prometheus.CounterVec
	stored   prometheus.Counter
	replayed prometheus.Counter
}

// NewMetrics builds the collectors and registers them on reg (nil: none).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{ingest: &ingestMetrics{
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "hexnet", Subsystem: "oracle", Name: "reports_rejected_total",
			Help: "Reports refused at ingest, by reason."}, []string{"reason"}),
		stored: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "hexnet", Subsystem: "oracle", Name: "reports_stored_total",
			Help: "Signed reports stored."}),
		replayed: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "hexnet", Subsystem: "oracle", Name: "reports_replayed_total",
			Help: "Reports received again and stored once."}),
	}}
	for _, r := range []string{rejectBadTopic, rejectOversize, rejectSignature, rejectSigner, rejectChallenge, rejectNotOurs,
		rejectChallengee, rejectAbsurd, rejectFuture, rejectStale, rejectPayloadShape, rejectClosedEpoch} {
		m.ingest.rejected.WithLabelValues(r)
	}
	if reg != nil {
		reg.MustRegister(m.ingest.rejected, m.ingest.stored, m.ingest.replayed)
	}
	return m
}
